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

const BLANKS = /^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g;

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
      // A name seen twice is ambiguous: neither line is trusted.
      if (this.rest.has(name)) this.parsed.set(name, new ParseError(`device ${name} listed twice`, source));
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
