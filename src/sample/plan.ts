// The agent's sampling plan: for each running domain, which kernel files feed which columns,
// worked out once per inventory; each tick then reads those files straight into numbers. The plan
// decides nothing the drivers do not: a domain whose files are not all plainly readable this tick
// (a file gone, a malformed line, a value of 2^53 or more) is sampled by its driver instead, the
// path virsh-compatible output takes, which keeps exact values and reports what is wrong. Tests
// hold the two paths to the same rows on every fixture tree.

import type { Domain } from '../stats/domain.js';
import type { HostFs, KeptFile } from '../host/hostfs.js';
import type { AheadFile, ReadAhead } from '../host/read-ahead.js';
import { DEFAULT_MAX_READ, isGone } from '../host/hostfs.js';
import { NetDevTable } from '../parse/fast.js';
import { domainSample, newDevice, setReading, type DeviceIdentity, type DeviceSample, type DomainSample } from './rows.js';
import type { Kind } from './row-map.js';
import { f64 } from './f64-slab.js';
import { ParamList } from '../stats/typed-params.js';
import { emitBalloonDefinition, emitState, emitVcpuCounts } from '../drivers/common-groups.js';
import { InternalError } from '../common/errors.js';
import type { RowMap } from './row-map.js';

/**
 * What a tick's reads share: the host's files, /proc/net/dev (read once, when first asked) and
 * the read-ahead thread, when there is one. A plan reads through read(): the bytes are then in
 * buf[at, at + length), from the worker's buffer or from the HostFs read. One PlanTick serves
 * every tick (start() begins the next), so the /proc/net/dev table keeps its names and map from
 * one tick to the next: rebuilt per tick, it was ~1 MB of garbage at 1000 domains.
 */
export class PlanTick {
  private net: NetDevTable | null | undefined;
  private readonly table = new NetDevTable();
  private readAhead: ReadAhead | null = null;
  buf: Buffer;
  at = 0;
  /** The next entry of the read-ahead group being read, and the group's end; -1: read here. */
  private entry = -1;
  private entryEnd = -1;
  /** Reads served from the read-ahead thread and reads made here, this tick (tests, benchmark). */
  ahead = 0;
  direct = 0;

  constructor(readonly fs: HostFs) {
    this.buf = fs.bytes;
  }

  /** A new tick: files are read again, with the read-ahead thread if it takes part. */
  start(readAhead: ReadAhead | null): this {
    this.net = undefined;
    this.readAhead = readAhead;
    this.entry = -1;
    this.ahead = 0;
    this.direct = 0;
    return this;
  }

  /** /proc/net/dev, or null when it cannot be read plainly (the drivers then say why). */
  netDev(): NetDevTable | null {
    if (this.net === undefined) {
      const n = readPlain(this.fs, this.fs.keep('/proc/net/dev'), DEFAULT_MAX_READ);
      this.net = n >= 0 && this.table.load(this.fs.bytes, n) ? this.table : null;
    }
    return this.net;
  }

  /** A domain's reads begin: from the worker when it took the domain's group, else here. */
  startGroup(group: number): void {
    const ra = this.readAhead;
    this.entry = -1;
    if (ra === null || group < 0 || ra.claim(group) || !ra.await(group)) return;
    [this.entry, this.entryEnd] = ra.entries(group);
  }

  /** One file of the domain, in the order of its plan's files(): its length, GONE or UNREADABLE. */
  read(file: KeptFile, maxBytes: number): number {
    if (this.entry >= 0 && this.entry < this.entryEnd) {
      const ra = this.readAhead!;
      const e = this.entry++;
      const n = ra.length(e, file, maxBytes);
      if (n >= 0) {
        this.ahead++;
        this.buf = ra.data;
        this.at = ra.offset(e);
        return n;
      }
    }
    this.direct++;
    const n = readPlain(this.fs, file, maxBytes);
    this.buf = this.fs.bytes;
    this.at = 0;
    return n;
  }
}

/** One running domain's plan: its rows (the same objects every tick) and how to fill them. */
export abstract class DomainPlan {
  readonly sample: DomainSample;
  /** Its group in the read-ahead table, or -1. */
  group = -1;
  /** The domain row's readings that come from the definition (state, balloon, vCPU counts, id). */
  private readonly fixed: Float64Array;
  /** Every row's readings in one array (rows hold views of it). */
  private readonly values: Float64Array;

  constructor(
    readonly dom: Domain,
    map: RowMap,
    devices: DeviceIdentity[],
  ) {
    const p = new ParamList();
    emitState(p, dom);
    emitBalloonDefinition(p, dom);
    emitVcpuCounts(p, dom);
    const row = domainSample({ domain: dom, params: p.params }, map).devices[0]!;
    this.fixed = row.values.slice();
    const s: DomainSample = {
      key: dom.key,
      name: dom.name,
      hvType: dom.hvType,
      domid: dom.id,
      devices: [row, ...devices.map((d) => newDevice(d, map.columns[d.kind].length))],
    };
    if (dom.uuid !== undefined) s.uuid = dom.uuid;
    this.values = f64(s.devices.reduce((n, d) => n + d.values.length, 0));
    let at = 0;
    for (const d of s.devices) {
      const end = at + d.values.length;
      d.values = this.values.subarray(at, end);
      at = end;
    }
    this.sample = s;
  }

  /**
   * This tick's readings, into the same arrays as every tick (the writer copies what it keeps);
   * false: take the driver's path for this domain.
   */
  read(tick: PlanTick): boolean {
    const devs = this.sample.devices;
    this.values.fill(NaN);
    for (const d of devs) d.big = undefined; // a new map when needed: the writer may hold the last one
    devs[0]!.values.set(this.fixed);
    tick.startGroup(this.group);
    return this.fill(tick, devs);
  }

  /** Reads the files into the rows (through tick.read(), in the order of files()). */
  protected abstract fill(tick: PlanTick, devices: DeviceSample[]): boolean;

  /** The files fill() reads in a tick where all is well, in its order, with its limits. */
  abstract files(): AheadFile[];
}

/** A column's position by its key pattern ("net.{i}.rx.bytes"); the key map says where it lives. */
export function columnPos(map: RowMap, kind: Kind, pattern: string): number {
  const hit = map.byPattern.get(pattern);
  if (hit === undefined || hit.column.kind !== kind) throw new InternalError(`no column for ${pattern}`);
  return hit.pos;
}

/**
 * A value worked out once per key map and shared by every plan (column positions): an agent
 * holds a plan per domain, and a copy in each cost ~2 MB at 1000 domains.
 */
export function perKeyMap<T>(make: (map: RowMap) => T): (map: RowMap) => T {
  const made = new WeakMap<RowMap, T>();
  return (map) => {
    let v = made.get(map);
    if (v === undefined) made.set(map, (v = make(map)));
    return v;
  };
}

/** A reading that may be past 2^53 (a product of two exact parts): exact either way. */
export function setProduct(d: DeviceSample, pos: number, value: number, factor: number): void {
  const v = value * factor;
  if (v <= Number.MAX_SAFE_INTEGER) d.values[pos] = v;
  else setReading(d, pos, BigInt(value) * BigInt(factor));
}

export const GONE = -1;
export const UNREADABLE = -2;

/** Reads one file here: its length (bytes in fs.bytes), GONE, or UNREADABLE (an error the driver reports). */
export function readPlain(fs: HostFs, file: KeptFile, maxBytes: number): number {
  try {
    const n = fs.readKept(file, maxBytes);
    return isGone(n) ? GONE : n;
  } catch {
    return UNREADABLE;
  }
}

export interface NetColumns {
  cols: Int32Array;
  fields: Int32Array;
}

const netColumnsOf = perKeyMap((map) => {
  const keys = ['rx.bytes', 'rx.pkts', 'rx.errs', 'rx.drop', 'tx.bytes', 'tx.pkts', 'tx.errs', 'tx.drop'];
  const cols = Int32Array.from(keys, (k) => columnPos(map, 'net', `net.{i}.${k}`));
  // /proc/net/dev: receive bytes, packets, errs, drop at 0..3, transmit at 8..11; the host end of
  // a tap sees the guest's transmit as its receive.
  return { host: { cols, fields: Int32Array.of(0, 1, 2, 3, 8, 9, 10, 11) }, swapped: { cols, fields: Int32Array.of(8, 9, 10, 11, 0, 1, 2, 3) } };
});

/** Interface counters: positions of the guest's rx/tx columns and the /proc/net/dev fields they take. */
export function netColumns(map: RowMap, swapped: boolean): NetColumns {
  const n = netColumnsOf(map);
  return swapped ? n.swapped : n.host;
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
