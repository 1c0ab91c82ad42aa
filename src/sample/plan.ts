// The agent's sampling plan: for each running domain, which kernel files feed which columns,
// worked out once per inventory; each tick then reads those files straight into numbers. The plan
// decides nothing the drivers do not: a domain whose files are not all plainly readable this tick
// (a file gone, a malformed line, a value of 2^53 or more) is sampled by its driver instead, the
// path virsh-compatible output takes, which keeps exact values and reports what is wrong. Tests
// hold the two paths to the same rows on every fixture tree.

import type { Domain } from '../domains/inventory.js';
import type { HostFs, KeptFile } from '../host/hostfs.js';
import { DEFAULT_MAX_READ, isGone } from '../host/hostfs.js';
import { NetDevTable } from '../parse/fast.js';
import { domainSample, newDevice, setReading, type DeviceIdentity, type DeviceSample, type DomainSample } from '../store/samples.js';
import type { KeyMap, Kind } from '../store/key-map.js';
import { ParamList } from '../stats/typed-params.js';
import { emitBalloonDefinition, emitState, emitVcpuCounts } from '../drivers/common-groups.js';

/** What one tick's reads share: the host's files and /proc/net/dev, read once when first asked. */
export class PlanTick {
  private net: NetDevTable | null | undefined;
  private readonly table = new NetDevTable();

  constructor(readonly fs: HostFs) {}

  /** /proc/net/dev, or null when it cannot be read plainly (the drivers then say why). */
  netDev(): NetDevTable | null {
    if (this.net === undefined) {
      const n = readPlain(this.fs, this.fs.keep('/proc/net/dev'), DEFAULT_MAX_READ);
      this.net = n >= 0 && this.table.load(this.fs.bytes, n) ? this.table : null;
    }
    return this.net;
  }
}

/** One running domain's plan: its rows (the same objects every tick) and how to fill them. */
export abstract class DomainPlan {
  readonly sample: DomainSample;
  /** The domain row's readings that come from the definition (state, balloon, vCPU counts, id). */
  private readonly fixed: Float64Array;

  constructor(
    readonly dom: Domain,
    protected readonly map: KeyMap,
    devices: DeviceIdentity[],
  ) {
    const p = new ParamList();
    emitState(p, dom);
    emitBalloonDefinition(p, dom);
    emitVcpuCounts(p, dom);
    const row = domainSample({ domain: dom, params: p.params }, map).devices[0]!;
    this.fixed = row.values.slice();
    const s: DomainSample = { key: dom.key, name: dom.name, hvType: dom.hvType, domid: dom.id, devices: [row, ...devices.map((d) => newDevice(d, map.columns[d.kind].length))] };
    if (dom.uuid !== undefined) s.uuid = dom.uuid;
    this.sample = s;
  }

  /**
   * This tick's readings, into the same arrays as every tick (the writer copies what it keeps);
   * false: take the driver's path for this domain.
   */
  read(tick: PlanTick): boolean {
    const devs = this.sample.devices;
    for (const d of devs) {
      d.values.fill(NaN);
      d.big = undefined; // a new map when needed: the writer may hold the last one
    }
    devs[0]!.values.set(this.fixed);
    return this.fill(tick, devs);
  }

  protected abstract fill(tick: PlanTick, devices: DeviceSample[]): boolean;

  /** A column's position by its key pattern ("net.{i}.rx.bytes"); the key map says where it lives. */
  pos(kind: Kind, pattern: string): number {
    const hit = this.map.byPattern.get(pattern);
    if (hit === undefined || hit.column.kind !== kind) throw new Error(`no column for ${pattern}`);
    return hit.pos;
  }
}

/** A reading that may be past 2^53 (a product of two exact parts): exact either way. */
export function setProduct(d: DeviceSample, pos: number, value: number, factor: number): void {
  const v = value * factor;
  if (v <= Number.MAX_SAFE_INTEGER) d.values[pos] = v;
  else setReading(d, pos, BigInt(value) * BigInt(factor));
}

export const GONE = -1;
export const UNREADABLE = -2;

/** Reads one file of a plan: its length (bytes in fs.bytes), GONE, or UNREADABLE (an error the driver reports). */
export function readPlain(fs: HostFs, file: KeptFile, maxBytes: number): number {
  try {
    const n = fs.readKept(file, maxBytes);
    return isGone(n) ? GONE : n;
  } catch {
    return UNREADABLE;
  }
}

/** Interface counters: positions of the guest's rx/tx columns and the /proc/net/dev fields they take. */
export function netColumns(plan: { pos(kind: Kind, pattern: string): number }, swapped: boolean): { cols: Int32Array; fields: Int32Array } {
  const keys = ['rx.bytes', 'rx.pkts', 'rx.errs', 'rx.drop', 'tx.bytes', 'tx.pkts', 'tx.errs', 'tx.drop'];
  // /proc/net/dev: receive bytes, packets, errs, drop at 0..3, transmit at 8..11; the host end of
  // a tap sees the guest's transmit as its receive.
  const host = [0, 1, 2, 3, 8, 9, 10, 11];
  const fields = swapped ? [8, 9, 10, 11, 0, 1, 2, 3] : host;
  return { cols: Int32Array.from(keys, (k) => plan.pos('net', `net.{i}.${k}`)), fields: Int32Array.from(fields) };
}

/** Copies one interface's counters from the table; false when the line is missing or malformed. */
export function fillInterface(d: DeviceSample, table: NetDevTable | null, ifname: string, cols: Int32Array, fields: Int32Array): boolean {
  const off = table?.offsets.get(ifname);
  if (off === undefined || off < 0) return false;
  const v = table!.values;
  for (let i = 0; i < cols.length; i++) {
    const x = v[off + fields[i]!]!;
    if (x !== x) return false; // past 2^53: the careful path keeps it exact
    d.values[cols[i]!] = x;
  }
  return true;
}
