// Pressure stall information of a cgroup v2 group (Documentation/accounting/psi.rst):
// {cpu,memory,io}.pressure, two lines
//   some avg10=0.00 avg60=0.00 avg300=0.00 total=12345
//   full avg10=0.00 avg60=0.00 avg300=0.00 total=6789
// `total` is the cumulative stall time in µs (a counter); the averages are the kernel's own
// derivations of it and are not read. A kernel without PSI has no files (or fails reads with
// EOPNOTSUPP); cpu.pressure has a `full` line since Linux 5.13.

import { decimalAt, lineEnd, plainAscii, skipSpaces, tokenEnd, TOO_BIG, whole } from './bytes.js';
import type { FileSpec, KeyFrom } from './spec.js';
import { ParseError, parseU64, requireWhole } from './u64.js';
import { NS_PER_US } from './units.js';

export const PRESSURE_RESOURCES = ['cpu', 'memory', 'io'] as const;
export type PressureResource = (typeof PRESSURE_RESOURCES)[number];
export const CGROUP_PRESSURE: FileSpec = { path: '<cgroup v2 group>/<resource>.pressure', limit: 4096 };
type Line = 'some' | 'full';
export type CgroupPressure = { some: bigint; full?: bigint };

/** pressure.<resource>.{some,full}.time in ns (the file's µs): libvirt's unit for CPU times. */
export const PRESSURE_KEYS: Readonly<Record<PressureResource, KeyFrom<Line>[]>> = Object.fromEntries(
  PRESSURE_RESOURCES.map((r) => [
    r,
    [
      { key: `pressure.${r}.some.time`, from: ['some'], factor: NS_PER_US },
      { key: `pressure.${r}.full.time`, from: ['full'], factor: NS_PER_US },
    ],
  ]),
) as unknown as Record<PressureResource, KeyFrom<Line>[]>;

/**
 * The `some` and `full` totals. Lines of other kinds are skipped (the format may grow); a file
 * without a `some` line, a repeated line, a line without exactly one total, or a file cut short
 * (no final newline: its last number may be cut) is refused. `full` may be missing (older kernels'
 * cpu.pressure): the caller says so for that key.
 */
export function parseCgroupPressure(text: string, source: string): CgroupPressure {
  requireWhole(text, source);
  const out: Partial<Record<Line, bigint>> = {};
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    const kind = parts[0];
    if (kind !== 'some' && kind !== 'full') continue;
    if (out[kind] !== undefined) throw new ParseError(`"${kind}" line repeated`, source);
    const totals = parts.slice(1).filter((p) => p.startsWith('total='));
    if (totals.length !== 1) throw new ParseError(`"${kind}" line has ${totals.length === 0 ? 'no' : 'more than one'} total`, source);
    out[kind] = parseU64(totals[0]!.slice('total='.length), source);
  }
  if (out.some === undefined) throw new ParseError('no "some" line', source);
  return out.full === undefined ? { some: out.some } : { some: out.some, full: out.full };
}

export const PRESSURE_AT: Readonly<Record<Line, number>> = { some: 0, full: 1 };
const SOME = Buffer.from('some', 'latin1');
const FULL = Buffer.from('full', 'latin1');
const TOTAL = Buffer.from('total=', 'latin1');

const startsWith = (buf: Uint8Array, at: number, end: number, word: Uint8Array) => {
  if (end - at < word.length) return false;
  for (let i = 0; i < word.length; i++) if (buf[at + i] !== word[i]) return false;
  return true;
};

/**
 * some and full into out[0..1]; false when the careful parser must read the file: a byte it could
 * read differently (another blank, past ASCII), no final newline, either line missing or repeated,
 * a total missing, repeated, malformed or past 2^53.
 */
export function readCgroupPressure(buf: Uint8Array, start: number, end: number, out: Float64Array): boolean {
  if (!whole(buf, start, end) || !plainAscii(buf, start, end)) return false;
  let seen = 0;
  let i = start;
  while (i < end) {
    const eol = lineEnd(buf, i, end);
    i = skipSpaces(buf, i, eol);
    const k = tokenEnd(buf, i, eol);
    const which = k - i !== 4 ? -1 : startsWith(buf, i, k, SOME) ? 0 : startsWith(buf, i, k, FULL) ? 1 : -1;
    if (which >= 0) {
      if (seen & (1 << which)) return false;
      seen |= 1 << which;
      let totals = 0;
      let t = k;
      while (t < eol) {
        t = skipSpaces(buf, t, eol);
        const u = tokenEnd(buf, t, eol);
        if (u > t && startsWith(buf, t, u, TOTAL)) {
          const v = decimalAt(buf, t + TOTAL.length, u);
          if (v < 0 || v === TOO_BIG) return false;
          out[which] = v;
          totals++;
        }
        t = u;
      }
      if (totals !== 1) return false;
    }
    i = eol + 1;
  }
  return seen === 3;
}
