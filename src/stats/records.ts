// What a stats collection answers: one record per domain (libvirt's typed parameters), the
// problems met on the way (a field or group left out, and why), and virDomainMemoryStats' tags.

import type { Domain } from './domain.js';
import type { TypedParam } from './typed-params.js';

export interface DomainStatsRecord {
  domain: Domain;
  params: TypedParam[];
}

/** Something that could not be read for a domain in one collection (its fields are left out). */
export interface DomainProblem {
  /** The domain's name, for people. */
  domain: string;
  /** Its identity (Domain.key: the uuid, or the name when there is none): two domains may share a name. */
  key: string;
  message: string;
}

export interface MemoryStat {
  tag: number;
  val: bigint;
}

/** virDomainMemoryStatTags names, as virsh dommemstat prints them. */
export const MEMORY_STAT_NAMES: Record<number, string> = {
  0: 'swap_in',
  1: 'swap_out',
  2: 'major_fault',
  3: 'minor_fault',
  4: 'unused',
  5: 'available',
  6: 'actual',
  7: 'rss',
  8: 'usable',
  9: 'last_update',
  10: 'disk_caches',
  11: 'hugetlb_pgalloc',
  12: 'hugetlb_pgfail',
};
export const MEMORY_STAT_NR = 13;
