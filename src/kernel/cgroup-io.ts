// A cgroup's I/O per host block device: I/O issued from the group's tasks to each device.
//   v2 io.stat, one line per device that has seen I/O (more keys may follow; read by name):
//     8:0 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0
//   v1 blkio.throttle.io_service_bytes and blkio.throttle.io_serviced, per device an operation
//   a line, and a last grand total:
//     8:0 Read 1459200\n8:0 Write 314773504\n8:0 Sync ..\n8:0 Async ..\n8:0 Discard 0\n8:0 Total ..\nTotal ..
// An empty io.stat is a group that has done no I/O yet.

import { keysFrom, type FileSpec, type KeyFrom } from './spec.js';
import { ParseError, parseU64 } from './u64.js';

export const CGROUP_IO_STAT: FileSpec = { path: '<cgroup v2 group>/io.stat', limit: 64 * 1024 };
export const BLKIO_BYTES: FileSpec = { path: '<blkio group>/blkio.throttle.io_service_bytes', limit: 64 * 1024 };
export const BLKIO_IOS: FileSpec = { path: '<blkio group>/blkio.throttle.io_serviced', limit: 64 * 1024 };

export const IO_FIELDS = ['rbytes', 'wbytes', 'rios', 'wios', 'dbytes', 'dios'] as const;
export type IoField = (typeof IO_FIELDS)[number];
/** Per host device i (cgroup.io.{i}.name is its kernel name, .dev its MAJ:MIN). */
export const CGROUP_IO_KEYS: KeyFrom<IoField>[] = keysFrom([
  ['cgroup.io.{i}.rd.bytes', 'rbytes'],
  ['cgroup.io.{i}.wr.bytes', 'wbytes'],
  ['cgroup.io.{i}.rd.reqs', 'rios'],
  ['cgroup.io.{i}.wr.reqs', 'wios'],
  ['cgroup.io.{i}.dc.bytes', 'dbytes'],
  ['cgroup.io.{i}.dc.reqs', 'dios'],
]);

export interface DeviceIo {
  major: number;
  minor: number;
  fields: Partial<Record<IoField, bigint>>;
}

const DEV = /^([0-9]{1,10}):([0-9]{1,10})$/;

function devOf(token: string, source: string): { major: number; minor: number } {
  const m = DEV.exec(token);
  if (m === null) throw new ParseError(`not a MAJ:MIN device: ${JSON.stringify(token.slice(0, 40))}`, source);
  return { major: Number(m[1]), minor: Number(m[2]) };
}

function linesOf(text: string, source: string): string[][] {
  if (text !== '' && !text.endsWith('\n')) throw new ParseError('truncated (no final newline)', source);
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => l.split(/\s+/));
}

/** io.stat: the devices in the file's order; unknown keys are skipped, a repeated device or key is refused. */
export function parseIoStat(text: string, source: string): DeviceIo[] {
  const out: DeviceIo[] = [];
  const seen = new Set<string>();
  for (const [dev, ...pairs] of linesOf(text, source)) {
    const d = devOf(dev!, source);
    if (seen.has(dev!)) throw new ParseError(`device ${dev} repeated`, source);
    seen.add(dev!);
    const fields: Partial<Record<IoField, bigint>> = {};
    for (const p of pairs) {
      const eq = p.indexOf('=');
      if (eq <= 0) throw new ParseError(`not a key=value pair: ${JSON.stringify(p.slice(0, 40))}`, source);
      const key = p.slice(0, eq);
      if (!(IO_FIELDS as readonly string[]).includes(key)) continue;
      if (Object.hasOwn(fields, key)) throw new ParseError(`${dev} ${key} repeated`, source);
      fields[key as IoField] = parseU64(p.slice(eq + 1), source);
    }
    out.push({ ...d, fields });
  }
  return out;
}

const BLKIO_OPS = { Read: 0, Write: 1, Discard: 2 } as const;
const OTHER_OPS = new Set(['Sync', 'Async', 'Total']);

/** One blkio.throttle file: per device, Read, Write and Discard (Sync, Async, Total and the grand total are sums). */
export function parseBlkio(text: string, source: string): Map<string, { major: number; minor: number; ops: (bigint | undefined)[] }> {
  const out = new Map<string, { major: number; minor: number; ops: (bigint | undefined)[] }>();
  let total = false;
  for (const t of linesOf(text, source)) {
    if (t.length === 2 && t[0] === 'Total') {
      if (total) throw new ParseError('grand Total repeated', source);
      parseU64(t[1]!, source);
      total = true;
      continue;
    }
    if (t.length !== 3) throw new ParseError(`malformed line ${JSON.stringify(t.join(' ').slice(0, 60))}`, source);
    const [dev, op, value] = t as [string, string, string];
    let e = out.get(dev);
    if (e === undefined) out.set(dev, (e = { ...devOf(dev, source), ops: [undefined, undefined, undefined] }));
    const v = parseU64(value, source);
    const at = (BLKIO_OPS as Record<string, number>)[op];
    if (at === undefined) {
      if (!OTHER_OPS.has(op)) throw new ParseError(`unknown operation ${JSON.stringify(op.slice(0, 20))}`, source);
      continue;
    }
    if (e.ops[at] !== undefined) throw new ParseError(`${dev} ${op} repeated`, source);
    e.ops[at] = v;
  }
  if (!total && text !== '') throw new ParseError('no grand Total line', source);
  return out;
}

/** v1's two files as io.stat's fields, devices in the bytes file's order then any the other adds. */
export function blkioAsIoStat(bytes: string, ios: string, bytesSource: string, iosSource: string): DeviceIo[] {
  const b = parseBlkio(bytes, bytesSource);
  const n = parseBlkio(ios, iosSource);
  const out: DeviceIo[] = [];
  for (const dev of new Set([...b.keys(), ...n.keys()])) {
    const x = b.get(dev);
    const y = n.get(dev);
    const { major, minor } = (x ?? y)!;
    const fields: Partial<Record<IoField, bigint>> = {};
    const set = (f: IoField, v: bigint | undefined) => {
      if (v !== undefined) fields[f] = v;
    };
    set('rbytes', x?.ops[0]);
    set('wbytes', x?.ops[1]);
    set('dbytes', x?.ops[2]);
    set('rios', y?.ops[0]);
    set('wios', y?.ops[1]);
    set('dios', y?.ops[2]);
    out.push({ major, minor, fields });
  }
  return out;
}
