// libvirt's fixed stats structs, with -1 for "not supported" as libvirt pre-fills them.
// Fields may be added at the end in later versions; existing fields never change meaning.

import type { ProcNetDevLine } from '../parse/proc-net-dev.js';

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

/** The guest's view of a /proc/net/dev line: swapped unless the device shares the host view. */
export function interfaceStatsFrom(line: ProcNetDevLine, swapped: boolean): InterfaceStats {
  return swapped
    ? {
        rx_bytes: line.txBytes,
        rx_packets: line.txPackets,
        rx_errs: line.txErrs,
        rx_drop: line.txDrop,
        tx_bytes: line.rxBytes,
        tx_packets: line.rxPackets,
        tx_errs: line.rxErrs,
        tx_drop: line.rxDrop,
      }
    : {
        rx_bytes: line.rxBytes,
        rx_packets: line.rxPackets,
        rx_errs: line.rxErrs,
        rx_drop: line.rxDrop,
        tx_bytes: line.txBytes,
        tx_packets: line.txPackets,
        tx_errs: line.txErrs,
        tx_drop: line.txDrop,
      };
}
