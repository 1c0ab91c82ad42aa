// libvirt's fixed stats structs, with -1 for "not supported" as libvirt pre-fills them.
// Fields may be added at the end in later versions; existing fields never change meaning.

/** virDomainInterfaceStatsStruct: the guest's view, in the order of its stats keys (net.N.rx.bytes ...). */
export interface InterfaceStats {
  rx_bytes: bigint;
  rx_packets: bigint;
  rx_errs: bigint;
  rx_drop: bigint;
  tx_bytes: bigint;
  tx_packets: bigint;
  tx_errs: bigint;
  tx_drop: bigint;
}

export interface BlockStats {
  rd_req: bigint;
  rd_bytes: bigint;
  wr_req: bigint;
  wr_bytes: bigint;
  errs: bigint;
}

export const UNSUPPORTED = -1n;
