// The history store's truth on /metrics: per tier (raw, 1m, 1h) what it spans, its buckets and the
// bytes of its pages, with the configured retention and whether the size cap has cut it below
// that; the file's bytes and the cap. Spans are a few index lookups, read at each render; sizes
// come from dbstat (every page, ~1 s per GB), measured every minute on the serving thread over its
// read-only connection, and carry the time they were measured.

import type { Db } from '../store/db.js';
import { TIER_NAMES, type TierName } from '../store/layout.js';
import { storeStats, tierSpans, type TierStats } from '../store/stats.js';

export interface StoreConfig {
  /** The size cap in bytes; 0: none. */
  maxBytes: number;
  /** Configured retention per tier, ms. */
  retentionMs: Record<TierName, number>;
}

export interface StoreSizes {
  tiers: Record<TierName, number>;
  otherBytes: number;
  fileBytes: number;
  /** When they were measured (Unix ms) and how long that took. */
  measuredAt: number;
  tookMs: number;
}

export interface StoreView {
  config: StoreConfig;
  /** The tiers the cap has cut below their configured retention (the agent's Retention.cutTiers). */
  cut: readonly TierName[];
  spans: Record<TierName, Omit<TierStats, 'bytes'>> | null;
  sizes: StoreSizes | null;
}

export type AddSample = (name: string, type: 'gauge', help: string, labels: Record<string, string>, value: number | undefined) => void;

/** The domstat_store_* families. A value not known yet (sizes before their first measurement, an empty tier's span) is absent. */
export function storeFamilies(add: AddSample, v: StoreView): void {
  if (v.sizes !== null) {
    add('domstat_store_file_bytes', 'gauge', 'Size of the history database file (its pages)', {}, v.sizes.fileBytes);
    add('domstat_store_other_bytes', 'gauge', 'Bytes of the database outside the tiers: domains, devices, attributes, free pages', {}, v.sizes.otherBytes);
    add(
      'domstat_store_sizes_timestamp_seconds',
      'gauge',
      'When the tier and file sizes were measured (every minute: dbstat reads every page)',
      {},
      v.sizes.measuredAt / 1000,
    );
    add('domstat_store_sizes_duration_seconds', 'gauge', 'Time the last measurement of the sizes took', {}, v.sizes.tookMs / 1000);
  }
  if (v.config.maxBytes > 0) add('domstat_store_max_bytes', 'gauge', 'The size cap (--max-size): the oldest data goes first beyond it', {}, v.config.maxBytes);
  for (const t of TIER_NAMES) {
    const tier = { tier: t };
    add(
      'domstat_store_tier_retention_seconds',
      'gauge',
      'How long the tier is configured to keep data (--keep-raw, --keep-minutes, --keep-hours)',
      tier,
      v.config.retentionMs[t] / 1000,
    );
    add(
      'domstat_store_tier_cut_by_size_cap',
      'gauge',
      'Whether the size cap has cut the tier below its configured retention (1) or not (0)',
      tier,
      v.cut.includes(t) ? 1 : 0,
    );
    const s = v.spans?.[t];
    if (s !== undefined) {
      add('domstat_store_tier_buckets', 'gauge', 'Buckets the tier holds (raw: ticks; 1m: minutes; 1h: hours)', tier, s.buckets);
      if (s.span !== null) {
        add('domstat_store_tier_oldest_timestamp_seconds', 'gauge', 'The oldest time the tier holds', tier, s.span[0] / 1000);
        add('domstat_store_tier_span_seconds', 'gauge', 'Time from the oldest to the newest data the tier holds', tier, (s.span[1] - s.span[0]) / 1000);
      }
    }
    if (v.sizes !== null) add('domstat_store_tier_bytes', 'gauge', "Bytes of the tier's tables and indexes (all their pages)", tier, v.sizes.tiers[t]);
  }
}

/**
 * The store as the serving thread sees it over its read-only connection: spans read at each render
 * (cheap), sizes when measure() is called (dbstat: every page).
 */
export class StoreGauges {
  private sizes: StoreSizes | null = null;
  /** Set from each tick: the tiers the agent's cap has cut. */
  cut: readonly TierName[] = [];

  constructor(
    private readonly db: () => Db | null,
    readonly config: StoreConfig,
  ) {}

  /** Measures the sizes now; returns them (null: no database to measure). */
  measure(): StoreSizes | null {
    const db = this.db();
    if (db === null) return null;
    const t0 = performance.now();
    const s = storeStats(db);
    this.sizes = {
      tiers: { raw: s.tiers.raw.bytes, '1m': s.tiers['1m'].bytes, '1h': s.tiers['1h'].bytes },
      otherBytes: s.otherBytes,
      fileBytes: s.fileBytes,
      measuredAt: Date.now(),
      tookMs: performance.now() - t0,
    };
    return this.sizes;
  }

  view(): StoreView {
    const db = this.db();
    return { config: this.config, cut: this.cut, spans: db === null ? null : tierSpans(db), sizes: this.sizes };
  }
}
