// The agent's sampling plans, the neutral part: for each running domain a driver works out which
// kernel files feed which columns, once per inventory (its DomainPlan); each tick then reads those
// files straight into numbers through a PlanTick. A plan decides nothing its driver does not: a
// domain whose files are not all plainly readable this tick (a file gone, a malformed line, a
// value of 2^53 or more) is sampled by its driver instead, which keeps exact values and reports
// what is wrong. Files' fields become columns through the kernel specs' KeyFrom lists, the ones
// the drivers read by too.

import { FileSnapshot } from '../host/file-snapshot.js';
import type { HostFs, KeptFile } from '../host/hostfs.js';
import { isGone } from '../host/hostfs.js';
import type { AheadFile, ReadAhead } from '../host/read-ahead.js';
import { NET_DEV, NET_DEV_FIELDS, NetDevTable, type NetDevField } from '../kernel/proc-net-dev.js';
import type { KeyFrom } from '../kernel/spec.js';
import { U64_MAX } from '../kernel/u64.js';
import { InternalError } from '../common/errors.js';
import type { TypedParam } from '../stats/typed-params.js';
import type { Domain } from '../stats/domain.js';
import { f64 } from './f64-slab.js';
import type { Kind, RowMap } from './row-map.js';
import { domainSample, newDevice, setReading, type DeviceIdentity, type DeviceSample, type DomainSample } from './rows.js';

/**
 * What a tick's reads share: the host's files, /proc/net/dev (one snapshot, read when first asked,
 * which the drivers' context of the same tick reads too) and the read-ahead thread, when there is
 * one. A plan reads through read(): the bytes are then in buf[at, at + length), from the worker's
 * buffer or from the HostFs read. One PlanTick serves every tick (start() begins the next), so the
 * /proc/net/dev table keeps its names and map from one tick to the next: rebuilt per tick, it was
 * ~1 MB of garbage at 1000 domains.
 */
export class PlanTick {
  private net: NetDevTable | null | undefined;
  private readonly table = new NetDevTable();
  /** This tick's /proc/net/dev. */
  netDevFile: FileSnapshot;
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
    this.netDevFile = new FileSnapshot(fs, NET_DEV.path, NET_DEV.limit);
  }

  /** A new tick: files are read again, with the read-ahead thread if it takes part. */
  start(readAhead: ReadAhead | null): this {
    this.net = undefined;
    this.netDevFile = new FileSnapshot(this.fs, NET_DEV.path, NET_DEV.limit);
    this.readAhead = readAhead;
    this.entry = -1;
    this.ahead = 0;
    this.direct = 0;
    return this;
  }

  /** /proc/net/dev as a table, or null when it cannot be read plainly (the drivers then say why). */
  netDev(): NetDevTable | null {
    if (this.net === undefined) {
      let b: Buffer | null = null;
      try {
        const got = this.netDevFile.bytes();
        if (!isGone(got)) b = got;
      } catch {
        // the drivers' context reads the same snapshot and reports the error
      }
      this.net = b !== null && this.table.load(b, b.length) ? this.table : null;
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
  /**
   * Set by a read that found the devices its files list changed (a host device's first I/O, a
   * new NUMA node): the sampler makes the domain's plan again.
   */
  stale = false;
  /** The domain row's readings that come from the definition (state, balloon, vCPU counts, id). */
  private readonly fixed: Float64Array;
  /** Those past 2^53, exact (a `<memory>` of 2^53 KiB or more), restored with them every tick. */
  private readonly fixedBig: ReadonlyMap<number, bigint> | undefined;
  /** Every row's readings in one array (rows hold views of it). */
  private readonly values: Float64Array;

  constructor(
    readonly dom: Domain,
    map: RowMap,
    devices: DeviceIdentity[],
    /** What the domain's definition says (its driver's state, balloon and vCPU-count parameters). */
    definition: TypedParam[],
  ) {
    const row = domainSample({ domain: dom, params: definition }, map).devices[0]!;
    this.fixed = row.values.slice();
    this.fixedBig = row.big === undefined ? undefined : new Map(row.big);
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
    if (this.fixedBig !== undefined) devs[0]!.big = new Map(this.fixedBig);
    tick.startGroup(this.group);
    return this.fill(tick, devs);
  }

  /** Reads the files into the rows (through tick.read(), in the order of files()). */
  protected abstract fill(tick: PlanTick, devices: DeviceSample[]): boolean;

  /** The files fill() reads in a tick where all is well, in its order, with its limits. */
  abstract files(): AheadFile[];
}

/** A column's position by its key pattern ("net.{i}.rx.bytes"); the row map says where it lives. */
export function columnPos(map: RowMap, kind: Kind, pattern: string): number {
  const hit = map.byPattern.get(pattern);
  if (hit === undefined || hit.column.kind !== kind) throw new InternalError(`no column for ${pattern}`);
  return hit.pos;
}

/**
 * Keys from a file's fields, resolved for a row map: the column of each key, the positions of its
 * fields in a fast reader's output, and its factor.
 */
export interface KeyColumns {
  cols: Int32Array;
  /** Per key, its fields' positions (one field, or two for a sum). */
  at: Int32Array[];
  factors: Float64Array;
}

/** Resolves keys once per row map (shared by every plan: a copy per plan cost ~2 MB at 1000 domains). */
export function keyColumns<F extends string>(keys: readonly KeyFrom<F>[], kind: Kind, at: Readonly<Record<F, number>>): (map: RowMap) => KeyColumns {
  return perRowMap((map) => ({
    cols: Int32Array.from(keys, (k) => columnPos(map, kind, k.key)),
    at: keys.map((k) => Int32Array.from(k.from, (f) => at[f])),
    factors: Float64Array.from(keys, (k) => k.factor),
  }));
}

/**
 * Fills a row from a fast reader's output (values[offset + field position]); a key whose field
 * lies at or past `fields` (an older kernel's shorter line) stays unknown. False when a field the
 * row needs is past 2^53 (NaN) or a sum is no longer exact: the careful path reads it.
 */
export function fillKeys(d: DeviceSample, k: KeyColumns, values: Float64Array, offset = 0, fields = Infinity): boolean {
  outer: for (let i = 0; i < k.cols.length; i++) {
    const at = k.at[i]!;
    let v = 0;
    for (let j = 0; j < at.length; j++) {
      const f = at[j]!;
      if (f >= fields) continue outer;
      const x = values[offset + f]!;
      if (x !== x) return false;
      v += x;
    }
    if (v > Number.MAX_SAFE_INTEGER || !setProduct(d, k.cols[i]!, v, k.factors[i]!)) return false;
  }
  return true;
}

/**
 * keyColumns() of the keys that have a column of `kind` in the row map: a file none of whose keys
 * do is not read (the agent's row map holds only what it stores).
 */
export function storedKeyColumns<F extends string>(map: RowMap, keys: readonly KeyFrom<F>[], kind: Kind, at: Readonly<Record<F, number>>): KeyColumns {
  return keyColumns(
    keys.filter((k) => map.byPattern.get(k.key)?.column.kind === kind),
    kind,
    at,
  )(map);
}

/**
 * fillKeys() for readers whose NaN means "the file has no such key" (they refuse a value past 2^53
 * themselves): those keys stay unknown. False when a product is past 2^53 (the careful path).
 */
export function fillPresent(d: DeviceSample, k: KeyColumns, values: Float64Array, offset = 0): boolean {
  for (let i = 0; i < k.cols.length; i++) {
    const x = values[offset + k.at[i]![0]!]!;
    if (x !== x) continue;
    if (x * k.factors[i]! > Number.MAX_SAFE_INTEGER) return false;
    d.values[k.cols[i]!] = x * k.factors[i]!;
  }
  return true;
}

/** A value worked out once per row map and shared by every plan. */
export function perRowMap<T>(make: (map: RowMap) => T): (map: RowMap) => T {
  const made = new WeakMap<RowMap, T>();
  return (map) => {
    let v = made.get(map);
    if (v === undefined) made.set(map, (v = make(map)));
    return v;
  };
}

/** A reading that may be past 2^53 (a product of two exact parts): exact either way; false past 2^64-1 (the careful path refuses it). */
export function setProduct(d: DeviceSample, pos: number, value: number, factor: number): boolean {
  const v = value * factor;
  if (v <= Number.MAX_SAFE_INTEGER) d.values[pos] = v;
  else {
    const exact = BigInt(value) * BigInt(factor);
    if (exact > U64_MAX) return false;
    setReading(d, pos, exact);
  }
  return true;
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

const NET_DEV_AT = Object.fromEntries(NET_DEV_FIELDS.map((f, i) => [f, i])) as Record<NetDevField, number>;

/** An interface's columns from the /proc/net/dev table: the device's own view, or swapped to the guest's. */
export function netColumns(keys: readonly KeyFrom<NetDevField>[]): (map: RowMap) => KeyColumns {
  return keyColumns(keys, 'net', NET_DEV_AT);
}

/** Copies one interface's counters from the table; false when the line is missing or malformed. */
export function fillInterface(d: DeviceSample, table: NetDevTable | null, ifname: string, cols: KeyColumns): boolean {
  const off = table?.offsets.get(ifname);
  if (off === undefined || off < 0) return false;
  return fillKeys(d, cols, table!.values, off);
}
