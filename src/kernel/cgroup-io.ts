// A cgroup's I/O per host block device: I/O issued from the group's tasks to each device.
//   v2 io.stat, one line per device that has seen I/O (more keys may follow; read by name):
//     8:0 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0
//   v1 blkio.throttle.io_service_bytes and blkio.throttle.io_serviced, per device an operation
//   a line, and a last grand total:
//     8:0 Read 1459200\n8:0 Write 314773504\n8:0 Sync ..\n8:0 Async ..\n8:0 Discard 0\n8:0 Total ..\nTotal ..
// An empty io.stat is a group that has done no I/O yet.

import { asciiKeys, COLON, decimalAt, keyIndex, lineEnd, NL, plainAscii, skipSpaces, tokenEnd, TOO_BIG } from './bytes.js';
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

const IO_ASCII = asciiKeys(IO_FIELDS);
const EQ = 61;

/**
 * io.stat read fast (the agent's plan): per device in the file's order, devs[2n] and devs[2n + 1]
 * its MAJ:MIN and out[6n + f] its IO_FIELDS[f] (NaN: not in the line). The number of devices, or
 * -1 where parseIoStat() would refuse the file or could read it differently, or a value is past
 * 2^53, or there are more than `max` devices: the careful path then.
 */
export function readIoStat(buf: Uint8Array, start: number, end: number, devs: Float64Array, out: Float64Array, max: number): number {
  if ((end > start && buf[end - 1] !== NL) || !plainAscii(buf, start, end)) return -1;
  let n = 0;
  let i = start;
  while (i < end) {
    const eol = lineEnd(buf, i, end);
    i = skipSpaces(buf, i, eol);
    if (i === eol) {
      i = eol + 1;
      continue;
    }
    const k = tokenEnd(buf, i, eol);
    const colon = buf.indexOf(COLON, i);
    if (n === max || colon < 0 || colon >= k || colon - i > 10 || k - colon - 1 > 10) return -1;
    const major = decimalAt(buf, i, colon);
    const minor = decimalAt(buf, colon + 1, k);
    if (major < 0 || minor < 0) return -1;
    for (let d = 0; d < n; d++) if (devs[2 * d] === major && devs[2 * d + 1] === minor) return -1;
    devs[2 * n] = major;
    devs[2 * n + 1] = minor;
    const o = 6 * n;
    out.fill(NaN, o, o + 6);
    let seen = 0;
    let t = k;
    while (t < eol) {
      t = skipSpaces(buf, t, eol);
      if (t === eol) break;
      const u = tokenEnd(buf, t, eol);
      const eq = buf.indexOf(EQ, t);
      if (eq <= t || eq >= u) return -1;
      const f = keyIndex(buf, t, eq, IO_ASCII);
      if (f >= 0) {
        const v = decimalAt(buf, eq + 1, u);
        if (v < 0 || v === TOO_BIG || seen & (1 << f)) return -1;
        seen |= 1 << f;
        out[o + f] = v;
      }
      t = u;
    }
    n++;
    i = eol + 1;
  }
  return n;
}
