// The "key value" file family (cgroup cpu.stat, cpuacct.stat, /proc/<pid>/io "key: value"):
// one pair per line. Unknown keys are ignored, a missing key is absent, a repeated or malformed
// wanted key is an error, and a file with none of the wanted keys is an error. Like every kernel
// file domstat reads, one cut short is refused (requireWhole).

import { ParseError, parseU64, requireWhole } from './u64.js';

export function parseKeyValues<K extends string>(
  text: string,
  wanted: readonly K[],
  source: string,
  separator: RegExp = /\s+/,
  /** false: a file with none of the wanted keys is read as having none (fields that come and go together). */
  requireOne = true,
): Partial<Record<K, bigint>> {
  requireWhole(text, source);
  const out: Partial<Record<K, bigint>> = {};
  const want = new Set<string>(wanted);
  let found = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const parts = line.trim().split(separator);
    const key = parts[0]!;
    if (!want.has(key)) continue;
    if (parts.length !== 2) throw new ParseError(`malformed line ${JSON.stringify(line.slice(0, 60))}`, source);
    if (Object.hasOwn(out, key)) throw new ParseError(`key ${key} repeated`, source);
    out[key as K] = parseU64(parts[1]!, source);
    found++;
  }
  if (found === 0 && requireOne) throw new ParseError(`none of ${wanted.join(', ')} found`, source);
  return out;
}
