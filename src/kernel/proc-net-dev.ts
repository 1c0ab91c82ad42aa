// /proc/net/dev: two header lines, then "name: 16 counters" per device (net/core/net-procfs.c):
//   Inter-|   Receive                                                |  Transmit
//     eth0: 221893387    7188    0    0    0     0          0         0   654023    5060 ...
// Old kernels print no space after the colon ("vif4.0:123456789 ..."); splitting at the first
// colon handles both (Linux names cannot contain ':'). Lines are indexed by exact name and parsed
// only when asked for, so one read of the file serves every domain of a tick.
//
// A device's name is the text before the colon without the ASCII blanks around it (space, tab,
// LF, VT, FF, CR: bytes 9-13 and 32), and a name listed twice is refused ("listed twice"): the
// agent's byte reader (NetDevTable in fast.ts) applies the same rule, so both see the same lines.

import { ParseError, parseU64 } from './u64.js';
import { COLON, decimalFields, NL, SPACE, TAB, whole } from './bytes.js';
import { keysFrom, type FileSpec, type KeyFrom } from './spec.js';

export const NET_DEV_FIELDS = [
  'rxBytes',
  'rxPackets',
  'rxErrs',
  'rxDrop',
  'rxFifo',
  'rxFrame',
  'rxCompressed',
  'rxMulticast',
  'txBytes',
  'txPackets',
  'txErrs',
  'txDrop',
  'txFifo',
  'txColls',
  'txCarrier',
  'txCompressed',
] as const;
export type NetDevField = (typeof NET_DEV_FIELDS)[number];
export type ProcNetDevLine = Record<NetDevField, bigint>;

/** Read whole once per collection: every domain's interfaces and the host's are lines of it. */
export const NET_DEV: FileSpec = { path: '/proc/net/dev', limit: 1 << 20 };

/**
 * An interface's keys from its line, as the device sees it (the host's own interfaces, macvtap),
 * and swapped to the guest's view for the host end of a tap (what the host receives, the guest sent).
 */
const hostView: [dir: 'rx' | 'tx', field: 'Bytes' | 'Packets' | 'Errs' | 'Drop', key: string][] = [
  ['rx', 'Bytes', 'bytes'],
  ['rx', 'Packets', 'pkts'],
  ['rx', 'Errs', 'errs'],
  ['rx', 'Drop', 'drop'],
  ['tx', 'Bytes', 'bytes'],
  ['tx', 'Packets', 'pkts'],
  ['tx', 'Errs', 'errs'],
  ['tx', 'Drop', 'drop'],
];
export const NET_DEV_KEYS: { host: KeyFrom<NetDevField>[]; swapped: KeyFrom<NetDevField>[] } = {
  host: keysFrom(hostView.map(([dir, f, k]) => [`net.{i}.${dir}.${k}`, `${dir}${f}` as NetDevField] as const)),
  swapped: keysFrom(hostView.map(([dir, f, k]) => [`net.{i}.${dir}.${k}`, `${dir === 'rx' ? 'tx' : 'rx'}${f}` as NetDevField] as const)),
};

const BLANKS = /^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g;

/**
 * A device name as it stands in the table: domstat reads kernel files one character per byte
 * (latin1), while a domain's XML gives the name as text, so a name with UTF-8 bytes (the kernel
 * allows `vné`) is looked up by its bytes.
 */
export function netDevKey(name: string): string {
  return /^[\x00-\x7f]*$/.test(name) ? name : Buffer.from(name, 'utf8').toString('latin1');
}

/** A line's device name from the text before its colon (see above). */
export function netDevName(beforeColon: string): string {
  return beforeColon.replace(BLANKS, '');
}

export class ProcNetDev {
  private readonly rest = new Map<string, string>();
  private readonly parsed = new Map<string, ProcNetDevLine | ParseError>();

  constructor(
    text: string,
    readonly source = '/proc/net/dev',
  ) {
    const lines = text.split('\n');
    if (!lines[0]?.includes('|') || !lines[1]?.includes('|')) {
      throw new ParseError('missing the two header lines', source);
    }
    for (let i = 2; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = netDevName(line.slice(0, colon));
      // A name seen twice is ambiguous: neither line is trusted. The kernel ends the file with a
      // newline: a last line without one was cut short, and its last number may be cut too.
      if (this.rest.has(name)) this.parsed.set(name, new ParseError(`device ${name} listed twice`, source));
      else if (i === lines.length - 1) this.parsed.set(name, new ParseError(`device ${name}: truncated (no final newline)`, source));
      this.rest.set(name, line.slice(colon + 1));
    }
  }

  names(): string[] {
    return [...this.rest.keys()];
  }

  has(name: string): boolean {
    return this.rest.has(name);
  }

  /** The device's counters, a ParseError for a malformed line, or undefined when not listed. */
  get(name: string): ProcNetDevLine | ParseError | undefined {
    const done = this.parsed.get(name);
    if (done !== undefined) return done;
    const rest = this.rest.get(name);
    if (rest === undefined) return undefined;
    let result: ProcNetDevLine | ParseError;
    const tokens = rest.trim().split(/\s+/);
    if (tokens.length !== NET_DEV_FIELDS.length) {
      result = new ParseError(`device ${name}: expected 16 counters, found ${tokens.length}`, this.source);
    } else {
      try {
        const line = {} as ProcNetDevLine;
        NET_DEV_FIELDS.forEach((f, i) => (line[f] = parseU64(tokens[i]!, this.source)));
        result = line;
      } catch (e) {
        result =
          e instanceof ParseError
            ? new ParseError(`device ${name}: ${e.message.slice(this.source.length + 2)}`, this.source)
            : (() => {
                throw e;
              })();
      }
    }
    this.parsed.set(name, result);
    return result;
  }
}

/** The blanks around a /proc/net/dev device name (netDevName() in proc-net-dev.ts): bytes 9-13 and 32. */
const nameBlank = (c: number) => c === SPACE || (c >= TAB && c <= 13);

/**
 * /proc/net/dev read fast: per device name, the offset of its 16 counters in `values`. A line that
 * is not 16 plain decimals, and a name listed twice, map to -1: whoever wants that device takes
 * the careful path (ProcNetDev), which reports it. Names are read by ProcNetDev's rule.
 */
export class NetDevTable {
  readonly offsets = new Map<string, number>();
  values = new Float64Array(16 * 64);
  /** Per data line of the last load: its name and whether its counters were plain. */
  private readonly names: string[] = [];
  private readonly plain: boolean[] = [];
  private readonly fields = new Float64Array(17);

  /**
   * False when the header lines are missing. The lines keep their order from one read to the
   * next, so names are compared in place and `offsets` is rebuilt only when a line changed: no
   * strings or map entries per tick.
   */
  load(buf: Buffer, len: number): boolean {
    if (!whole(buf, 0, len)) return false;
    let i = 0;
    let line = 0;
    let row = 0;
    let same = true;
    const fields = this.fields;
    while (i < len) {
      let eol = buf.indexOf(NL, i);
      if (eol < 0 || eol > len) eol = len;
      if (line < 2) {
        const bar = buf.indexOf(0x7c /* | */, i);
        if (bar < 0 || bar >= eol) return false;
      } else {
        const colon = buf.indexOf(COLON, i);
        if (colon >= 0 && colon < eol) {
          let s = i;
          while (s < colon && nameBlank(buf[s]!)) s++;
          let e = colon;
          while (e > s && nameBlank(buf[e - 1]!)) e--;
          if (row >= this.names.length || !sameLatin1(buf, s, e, this.names[row]!)) {
            this.names[row] = buf.toString('latin1', s, e);
            same = false;
          }
          // Plain: 16 decimals, each an exact double (one past 2^53 may be past 2^64 too, which the careful parser refuses).
          let plain = decimalFields(buf, colon + 1, eol, fields) === 16;
          for (let f = 0; plain && f < 16; f++) plain = fields[f] === fields[f];
          if (plain) {
            if ((row + 1) * 16 > this.values.length) {
              const bigger = new Float64Array(this.values.length * 2);
              bigger.set(this.values);
              this.values = bigger;
            }
            for (let f = 0; f < 16; f++) this.values[row * 16 + f] = fields[f]!;
          }
          if (this.plain[row] !== plain) {
            this.plain[row] = plain;
            same = false;
          }
          row++;
        }
      }
      line++;
      i = eol + 1;
    }
    if (row !== this.names.length) {
      this.names.length = row;
      this.plain.length = row;
      same = false;
    }
    if (!same) {
      this.offsets.clear();
      for (let r = 0; r < row; r++) {
        const name = this.names[r]!;
        this.offsets.set(name, this.offsets.has(name) || !this.plain[r] ? -1 : r * 16);
      }
    }
    return line >= 2;
  }
}

function sameLatin1(buf: Buffer, start: number, end: number, s: string): boolean {
  if (end - start !== s.length) return false;
  for (let i = 0; i < s.length; i++) if (buf[start + i] !== s.charCodeAt(i)) return false;
  return true;
}
