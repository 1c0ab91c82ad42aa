// How big a configuration's database gets: series times buckets kept times the measured bytes a
// series takes per bucket in each tier, and what a size cap would leave of each tier when the
// configuration does not fit (the cap cuts raw ticks first, then minutes, then hours, each down
// to its floor: see retention.ts).

import { SPEC_COLUMNS, type Kind } from './layout.js';
import { FLOORS, type RetentionPolicy } from './retention.js';
import type { TierName } from './layout.js';
import type { StoreStats } from './stats.js';

/** Bytes per series per bucket: raw per tick, then per minute and per hour. */
export interface BytesPerBucket {
  raw: number;
  '1m': number;
  '1h': number;
}

/**
 * Measured by `npm run bench` (simulated KVM host, 100 domains of 2 vCPUs, 2 NICs and 2 disks; see
 * README, "Measured figures"): raw ticks 10 s and 1 s apart, and the rollups. Used for a database
 * that does not have enough of its own yet.
 */
export const MEASURED = {
  at10s: { raw: 3.39, '1m': 3.13, '1h': 4.19 },
  at1s: { raw: 3.09, '1m': 3.16, '1h': 4.19 },
} as const satisfies Record<string, BytesPerBucket>;

export interface ProjectionInput {
  series: number;
  intervalS: number;
  retention: RetentionPolicy;
}

export interface Projection {
  bytes: Record<TierName, number>;
  total: number;
  /** With the cap: how long each tier would keep, and whether the whole configuration fits. */
  fits: boolean;
  kept: Record<TierName, number>;
}

/** The raw tier's bytes per value at an interval: between the 1 s and 10 s figures, on a log scale. */
export function rawPerValue(intervalS: number, at1s: number, at10s: number): number {
  const x = Math.min(1, Math.max(0, Math.log10(intervalS)));
  return at1s + (at10s - at1s) * x;
}

export function project(input: ProjectionInput, per: BytesPerBucket): Projection {
  const r = input.retention;
  const tiers: Record<TierName, { keepMs: number; bucketMs: number }> = {
    raw: { keepMs: r.rawMs, bucketMs: input.intervalS * 1000 },
    '1m': { keepMs: r.minuteMs, bucketMs: 60_000 },
    '1h': { keepMs: r.hourMs, bucketMs: 3_600_000 },
  };
  const bytesFor = (t: TierName, keepMs: number) => input.series * (keepMs / tiers[t].bucketMs) * per[t];
  const bytes = { raw: bytesFor('raw', r.rawMs), '1m': bytesFor('1m', r.minuteMs), '1h': bytesFor('1h', r.hourMs) };
  const total = bytes.raw + bytes['1m'] + bytes['1h'];
  const kept = { raw: r.rawMs, '1m': r.minuteMs, '1h': r.hourMs };
  if (r.maxBytes > 0 && total > r.maxBytes) {
    // The cap's order: raw first, then minutes, then hours, each no further than its floor.
    let over = total - r.maxBytes;
    for (const t of ['raw', '1m', '1h'] as const) {
      const floor = Math.min(kept[t], FLOORS[t]);
      const spare = bytesFor(t, kept[t]) - bytesFor(t, floor);
      const cut = Math.min(over, spare);
      kept[t] -= (cut / bytesFor(t, kept[t])) * kept[t];
      over -= cut;
      if (over <= 0) break;
    }
  }
  return { bytes, total, fits: r.maxBytes === 0 || total <= r.maxBytes, kept };
}

/**
 * A database's own bytes per bucket, for the tiers that hold enough to go by (an hour of raw
 * ticks, an hour of minutes, six hours); the others are left out.
 */
export function measuredFrom(s: StoreStats): Partial<BytesPerBucket> {
  const out: Partial<BytesPerBucket> = {};
  const enough: Record<TierName, number> = { raw: 360, '1m': 60, '1h': 6 };
  for (const t of ['raw', '1m', '1h'] as const) {
    const b = s.tiers[t].buckets;
    if (s.series > 0 && b >= enough[t]) out[t] = s.tiers[t].bytes / (s.series * b);
  }
  return out;
}

/**
 * The benchmark's domain (a simulated KVM guest): its own row, 2 vCPUs, 2 NICs, 2 disks; with the
 * optional kinds, its cgroup's I/O to 3 host devices (the 2 disks' logical volumes and the disk under them) and its memory on 2 NUMA nodes.
 */
export const BENCH_DOMAIN: Readonly<Partial<Record<Kind, number>>> = { domain: 1, vcpu: 2, net: 2, block: 2, cgroup_io: 3, numa: 2 };

/** Series of a set of devices: every column of each (as storeStats counts them). */
export function seriesOf(devices: Partial<Record<Kind, number>>): number {
  let n = 0;
  for (const [k, count] of Object.entries(devices) as [Kind, number][]) n += count * SPEC_COLUMNS[k].length;
  return n;
}

/** Bytes per bucket at an interval: a database's own figures where it has them, else the benchmark's. */
export function bytesPerBucket(intervalS: number, own: Partial<BytesPerBucket> = {}): BytesPerBucket {
  return {
    raw: own.raw ?? rawPerValue(intervalS, MEASURED.at1s.raw, MEASURED.at10s.raw),
    '1m': own['1m'] ?? MEASURED.at10s['1m'],
    '1h': own['1h'] ?? MEASURED.at10s['1h'],
  };
}
