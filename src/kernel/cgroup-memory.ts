// A cgroup's memory files (Documentation/admin-guide/cgroup-v2.rst, cgroup-v1/memory.rst):
//   v2 memory.current, memory.swap.current (one number of bytes each), memory.stat ("key value"
//      lines, bytes unless a count, hierarchical), memory.events ("low 0\nhigh 0\nmax 3\n...")
//   v1 memory.usage_in_bytes, memory.max_usage_in_bytes, memory.failcnt (one number each),
//      memory.stat (the group's own keys, then total_* for the hierarchy: domstat reads total_*,
//      as the VM's group may have children), memory.oom_control ("oom_kill_disable 0\nunder_oom
//      0\noom_kill 0\n").
// Keys are read by name, never by position (they differ between kernel versions); a key the
// kernel does not have is absent. Same stats key on v1 and v2 only where the meaning is the same.

import { asciiKeys, presentKeys, singleDecimal } from './bytes.js';
import { parseKeyValues } from './key-value.js';
import { keysFrom, type FileSpec, type KeyFrom } from './spec.js';
import { parseSingleU64 } from './u64.js';

/** One-number files: the value is the file's; a gauge of bytes or a count. */
export const MEMORY_SINGLE = {
  current: { path: '<cgroup v2 group>/memory.current', limit: 64, key: 'cgroup.memory.current' },
  swapCurrent: { path: '<cgroup v2 group>/memory.swap.current', limit: 64, key: 'cgroup.memory.swap' },
  usage: { path: '<memory group>/memory.usage_in_bytes', limit: 64, key: 'cgroup.memory.current' },
  maxUsage: { path: '<memory group>/memory.max_usage_in_bytes', limit: 64, key: 'cgroup.memory.max_usage' },
  failcnt: { path: '<memory group>/memory.failcnt', limit: 64, key: 'cgroup.memory.failcnt' },
} as const satisfies Record<string, FileSpec & { key: string }>;
export type MemorySingle = keyof typeof MEMORY_SINGLE;
/** The v2 files and the v1 files, in the order the keys are emitted. */
export const V2_SINGLES: readonly MemorySingle[] = ['current', 'swapCurrent'];
export const V1_SINGLES: readonly MemorySingle[] = ['usage', 'maxUsage', 'failcnt'];

export const parseMemorySingle = (text: string, source: string) => ({ value: parseSingleU64(text, source) });
/** The value, or -1 (the careful parser's case); TOO_BIG as singleDecimal. */
export const readMemorySingle = singleDecimal;

export const MEMORY_STAT: FileSpec = { path: '<memory group>/memory.stat', limit: 64 * 1024 };
/** v2 memory.stat fields domstat reads, and their keys. */
const V2_STAT = [
  ['cgroup.memory.anon', 'anon'],
  ['cgroup.memory.file', 'file'],
  ['cgroup.memory.kernel', 'kernel'],
  ['cgroup.memory.shmem', 'shmem'],
  ['cgroup.memory.file_mapped', 'file_mapped'],
  ['cgroup.memory.file_dirty', 'file_dirty'],
  ['cgroup.memory.file_writeback', 'file_writeback'],
  ['cgroup.memory.pgfault', 'pgfault'],
  ['cgroup.memory.pgmajfault', 'pgmajfault'],
  ['cgroup.memory.workingset_refault_anon', 'workingset_refault_anon'],
  ['cgroup.memory.workingset_refault_file', 'workingset_refault_file'],
] as const;
/** v1 memory.stat's hierarchical fields: rss and cache are not v2's anon and file (rss holds swap cache, cache holds shmem). */
const V1_STAT = [
  ['cgroup.memory.rss', 'total_rss'],
  ['cgroup.memory.cache', 'total_cache'],
  ['cgroup.memory.swap', 'total_swap'],
  ['cgroup.memory.shmem', 'total_shmem'],
  ['cgroup.memory.file_mapped', 'total_mapped_file'],
  ['cgroup.memory.file_dirty', 'total_dirty'],
  ['cgroup.memory.file_writeback', 'total_writeback'],
  ['cgroup.memory.pgfault', 'total_pgfault'],
  ['cgroup.memory.pgmajfault', 'total_pgmajfault'],
] as const;
export const V2_STAT_FIELDS = V2_STAT.map(([, f]) => f);
export const V1_STAT_FIELDS = V1_STAT.map(([, f]) => f);
type V2Field = (typeof V2_STAT)[number][1];
type V1Field = (typeof V1_STAT)[number][1];
export const V2_STAT_KEYS: KeyFrom<V2Field>[] = keysFrom(V2_STAT.map(([k, f]) => [k, f] as const));
export const V1_STAT_KEYS: KeyFrom<V1Field>[] = keysFrom(V1_STAT.map(([k, f]) => [k, f] as const));

/** A memory.stat (v2 or v1 by its field list): the wanted fields it has. */
export function parseMemoryStat<F extends string>(text: string, fields: readonly F[], source: string): Partial<Record<F, bigint>> {
  return parseKeyValues(text, fields, source);
}

export const V2_STAT_AT = Object.fromEntries(V2_STAT_FIELDS.map((f, i) => [f, i])) as Record<V2Field, number>;
export const V1_STAT_AT = Object.fromEntries(V1_STAT_FIELDS.map((f, i) => [f, i])) as Record<V1Field, number>;
export const V2_STAT_ASCII = asciiKeys(V2_STAT_FIELDS);
export const V1_STAT_ASCII = asciiKeys(V1_STAT_FIELDS);

/** memory.stat, memory.events and memory.oom_control read fast: presentKeys(), at least one of them there (as parseKeyValues). */
export const readMemoryKeys = (buf: Uint8Array, start: number, end: number, keys: readonly Uint8Array[], out: Float64Array): boolean =>
  presentKeys(buf, start, end, keys, out, true);

/** v2 memory.events: counters of the times the group hit its boundaries. */
export const MEMORY_EVENTS: FileSpec = { path: '<cgroup v2 group>/memory.events', limit: 4096 };
const EVENTS = ['low', 'high', 'max', 'oom', 'oom_kill'] as const;
type EventField = (typeof EVENTS)[number];
export const MEMORY_EVENTS_FIELDS = EVENTS;
export const MEMORY_EVENTS_KEYS: KeyFrom<EventField>[] = keysFrom(EVENTS.map((e) => [`cgroup.memory.events.${e}`, e] as const));
export const parseMemoryEvents = (text: string, source: string) => parseMemoryStat(text, EVENTS, source);
export const MEMORY_EVENTS_AT = Object.fromEntries(EVENTS.map((f, i) => [f, i])) as Record<EventField, number>;
export const MEMORY_EVENTS_ASCII = asciiKeys(EVENTS);

/** v1 memory.oom_control: oom_kill (since 4.13) is v2's memory.events oom_kill. */
export const MEMORY_OOM_CONTROL: FileSpec = { path: '<memory group>/memory.oom_control', limit: 4096 };
export const OOM_CONTROL_FIELDS = ['oom_kill'] as const;
export const OOM_CONTROL_KEYS: KeyFrom<'oom_kill'>[] = keysFrom([['cgroup.memory.events.oom_kill', 'oom_kill']]);
export const parseOomControl = (text: string, source: string) => parseMemoryStat(text, OOM_CONTROL_FIELDS, source);
export const OOM_CONTROL_ASCII = asciiKeys(OOM_CONTROL_FIELDS);
