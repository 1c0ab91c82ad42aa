// One tick's samples in storable form: per device, its identity and its readings by column.
// Readings are doubles (exact below 2^53, which is every realistic reading); a reading of 2^53 or
// more also keeps its exact value in `big`, so nothing is rounded on the way to the database.
// The agent's sampling plan fills these directly from host files; domainSample() builds them from
// domstats records (typed parameters), the reference path every plan is tested against.

import type { DomainStatsRecord } from '../stats/records.js';
import { keyPattern, type RowMap, type Kind } from './row-map.js';

export interface DeviceIdentity {
  kind: Kind;
  idx: number | null;
  name: string;
  path?: string | undefined;
}

export interface DeviceSample extends DeviceIdentity {
  /** Readings by column position in the kind's column list; NaN = not known this tick. */
  values: Float64Array;
  /** Exact readings of 2^53 or more, by column position (values[pos] holds them rounded). */
  big?: Map<number, bigint> | undefined;
  /** Columns whose source is a 32-bit counter (a decrease near 2^32 is a wrap). */
  wrap32?: boolean;
}

/** The key (and name) of the host's own row: the host is sampled and stored as a domain. */
export const HOST_KEY = '@host';

export interface DomainSample {
  key: string;
  uuid?: string;
  name: string;
  hvType: string;
  /** Domain id; a change means the domain restarted and its counters start again. */
  domid: number;
  devices: DeviceSample[];
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A device with no readings yet. Every sample has the same shape, which keeps the writer's loops fast. */
export function newDevice(identity: DeviceIdentity, width: number): DeviceSample {
  return {
    kind: identity.kind,
    idx: identity.idx,
    name: identity.name,
    path: identity.path,
    values: new Float64Array(width).fill(NaN),
    big: undefined,
    wrap32: false,
  };
}

/** Stores an exact reading: a double when it is one exactly, else also the bigint. */
export function setReading(d: DeviceSample, pos: number, v: bigint): void {
  d.values[pos] = Number(v);
  if (v > SAFE || v < -SAFE) (d.big ??= new Map()).set(pos, v);
  else d.big?.delete(pos);
}

/** The exact reading at a position, or undefined. */
export function reading(d: DeviceSample, pos: number): bigint | undefined {
  const v = d.values[pos]!;
  if (Number.isNaN(v)) return undefined;
  return d.big?.get(pos) ?? BigInt(v);
}

const asBigint = (v: unknown): bigint | undefined => (typeof v === 'bigint' ? v : typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : undefined);

/**
 * keyPattern() remembered per field: every tick asks for the same few thousand keys, and building
 * "net.{i}.rx.bytes" from "net.0.rx.bytes" each time (a new string to hash) was a third of this
 * function's time. Bounded, in case keys are unbounded (they are not: indexes are small).
 */
const patterns = new Map<string, [pattern: string, idx: number | null]>();
function splitKey(field: string): [pattern: string, idx: number | null] {
  let r = patterns.get(field);
  if (r === undefined) {
    if (patterns.size >= 100_000) patterns.clear();
    r = keyPattern(field);
    patterns.set(field, r);
  }
  return r;
}

/**
 * The parameters that name a device row rather than fill a column: a disk's or interface's name
 * and path; a host block device's kernel name and MAJ:MIN (cgroup I/O: named by MAJ:MIN when its
 * kernel name is gone); a NUMA node's number (named "node<N>").
 */
const NAMING: ReadonlyMap<string, [kind: Kind, part: 'name' | 'path' | 'node']> = new Map([
  ['net.{i}.name', ['net', 'name']],
  ['block.{i}.name', ['block', 'name']],
  ['block.{i}.path', ['block', 'path']],
  ['cgroup.io.{i}.name', ['cgroup_io', 'name']],
  ['cgroup.io.{i}.dev', ['cgroup_io', 'path']],
  ['cgroup.numa.{i}.node', ['numa', 'node']],
]);

/** Sorts a record's parameters into device rows. Unknown keys (not in key_map) are not stored. */
export function domainSample(rec: DomainStatsRecord, map: RowMap, wrap32 = false): DomainSample {
  const dom = rec.domain;
  const width = (k: Kind) => map.columns[k].length;
  const domainRow = newDevice({ kind: 'domain', idx: null, name: dom.name }, width('domain'));
  const indexed = new Map<string, DeviceSample>();
  const names = new Map<string, { name?: string; path?: string; node?: string }>();
  const row = (kind: Kind, idx: number): DeviceSample => {
    const k = `${kind}.${idx}`;
    let r = indexed.get(k);
    if (r === undefined) {
      r = newDevice({ kind, idx, name: kind === 'vcpu' ? `vcpu${idx}` : '' }, width(kind));
      if (wrap32 && (kind === 'net' || kind === 'block')) r.wrap32 = true;
      indexed.set(k, r);
    }
    return r;
  };
  for (const p of rec.params) {
    const [pattern, idx] = splitKey(p.field);
    const naming = idx === null ? undefined : NAMING.get(pattern);
    if (naming !== undefined) {
      const k = `${naming[0]}.${idx}`;
      const n = names.get(k) ?? {};
      n[naming[1]] = String(p.value);
      names.set(k, n);
      continue;
    }
    const hit = map.byPattern.get(pattern);
    if (hit === undefined) continue;
    const v = asBigint(p.value);
    if (v === undefined) continue;
    setReading(idx === null ? domainRow : row(hit.column.kind, idx), hit.pos, v);
  }
  const domidPos = map.byPattern.get('extra.domid')?.pos;
  if (domidPos !== undefined && dom.id >= 0) domainRow.values[domidPos] = dom.id;
  const devices: DeviceSample[] = [domainRow];
  for (const [k, r] of indexed) {
    const n = names.get(k);
    if (r.kind !== 'vcpu') {
      // A disk or interface row needs its name; the backing-chain layers carry none of our columns.
      const name = r.kind === 'numa' ? (n?.node === undefined ? undefined : `node${n.node}`) : (n?.name ?? (r.kind === 'cgroup_io' ? n?.path : undefined));
      if (name === undefined) continue;
      r.name = name;
      if (n?.path !== undefined) r.path = n.path;
    }
    devices.push(r);
  }
  const s: DomainSample = { key: dom.key, name: dom.name, hvType: dom.hvType, domid: dom.id, devices };
  if (dom.uuid !== undefined) s.uuid = dom.uuid;
  return s;
}
