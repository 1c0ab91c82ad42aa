// Retention: raw samples for a while (2 days), minute rollups longer (90 days), hour rollups
// longest (2 years), and a size cap over all of it. The work is cut into small transactions and
// runs between ticks within a time budget, so it never holds up sampling for long. Raw rows go a
// whole keyframe period at a time, so every device still starts from a base row afterwards.

import type { Db } from './db.js';
import { KINDS } from './key-map.js';
import type { Tier } from './rollup.js';

const DAY = 24 * 3600 * 1000;

export interface RetentionPolicy {
  rawMs: number;
  minuteMs: number;
  hourMs: number;
  /** Cap on the database's used size in bytes (0: none). */
  maxBytes: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { rawMs: 2 * DAY, minuteMs: 90 * DAY, hourMs: 730 * DAY, maxBytes: 4 * 1024 ** 3 };

/** Rows deleted per transaction, so one step stays short. */
const ROWS_PER_STEP = 50_000;

export class Retention {
  private rollupCursor: { tier: Tier; deviceAfter: number } | null = null;
  private lastRollupPass = 0;

  constructor(
    private readonly db: Db,
    readonly policy: RetentionPolicy = DEFAULT_RETENTION,
  ) {}

  usedBytes(): number {
    const pages = Number(this.db.pragma('page_count', { simple: true }) as bigint);
    const free = Number(this.db.pragma('freelist_count', { simple: true }) as bigint);
    const size = Number(this.db.pragma('page_size', { simple: true }) as bigint);
    return (pages - free) * size;
  }

  /** Works until there is nothing to do or the deadline (performance.now() ms) passes. */
  run(nowMs: number, deadline: number): number {
    let deleted = 0;
    while (performance.now() < deadline) {
      const n = this.step(nowMs);
      if (n === 0) break;
      deleted += n;
    }
    if (deleted > 0) this.db.pragma('incremental_vacuum(2000)');
    return deleted;
  }

  /** One small transaction of retention work; returns rows deleted (0: nothing left to do). */
  step(nowMs: number): number {
    const raw = this.rawBoundary(nowMs - this.policy.rawMs);
    if (raw !== null) return this.deleteRawBefore(raw);
    if (this.policy.maxBytes > 0 && this.usedBytes() > this.policy.maxBytes) {
      const oldest = this.rawBoundaryAfterOldestPeriod();
      if (oldest !== null) return this.deleteRawBefore(oldest);
      const t = this.oldestRollupDay();
      if (t !== null) return this.deleteRollupsBefore(t.tier, t.before, Number.MAX_SAFE_INTEGER);
      return 0;
    }
    // Rollup ageing: one pass an hour is plenty.
    if (nowMs - this.lastRollupPass > 3600_000 || this.rollupCursor !== null) {
      return this.rollupAgeStep(nowMs);
    }
    return 0;
  }

  /**
   * First tick id to keep when keeping everything from `cutoffTs` on, in whole keyframe periods;
   * null when nothing is due. With no tick newer than the cutoff nothing is deleted: that only
   * happens before the agent's first tick, and the newest period is always kept.
   */
  private rawBoundary(cutoffTs: number): number | null {
    const first = this.db.prepare('SELECT keyframe FROM tick WHERE ts >= ? ORDER BY id LIMIT 1').pluck().get(cutoffTs) as bigint | undefined;
    if (first === undefined) return null;
    const keep = Number(this.db.prepare('SELECT min(id) FROM tick WHERE keyframe = ?').pluck().get(first) as bigint);
    const oldest = Number(this.db.prepare('SELECT min(id) FROM tick').pluck().get() as bigint);
    return keep > oldest ? keep : null;
  }

  private rawBoundaryAfterOldestPeriod(): number | null {
    const periods = this.db.prepare('SELECT keyframe, min(id) AS first FROM tick GROUP BY keyframe ORDER BY keyframe LIMIT 2').all() as {
      keyframe: bigint;
      first: bigint;
    }[];
    return periods.length === 2 ? Number(periods[1]!.first) : null;
  }

  private deleteRawBefore(keepFrom: number): number {
    const oldest = Number(this.db.prepare('SELECT min(id) FROM tick').pluck().get() as bigint);
    // The newest doomed ticks go first: what is left between steps still starts at its period's
    // first tick (base rows), followed by a gap, so readers never see deltas without a base row.
    const last = Number(this.db.prepare('SELECT max(id) FROM tick WHERE id < ?').pluck().get(keepFrom) as bigint);
    const rowsPerTick = Math.max(1, Number(this.db.prepare('SELECT count(*) FROM domain_sample WHERE tick_id = ?').pluck().get(last) as bigint) * 4);
    const upto = last + 1;
    const from = Math.max(oldest, upto - Math.max(1, Math.floor(ROWS_PER_STEP / rowsPerTick)));
    let n = 0;
    this.db
      .transaction(() => {
        for (const k of KINDS) n += this.db.prepare(`DELETE FROM ${k}_sample WHERE tick_id >= ? AND tick_id < ?`).run(from, upto).changes;
        n += this.db.prepare('DELETE FROM tick WHERE id >= ? AND id < ?').run(from, upto).changes;
      })
      .immediate();
    return n;
  }

  private oldestRollupDay(): { tier: Tier; before: number } | null {
    for (const tier of ['1m', '1h'] as Tier[]) {
      const min = this.db.prepare(`SELECT min(bucket) FROM domain_${tier}`).pluck().get() as bigint | null;
      const max = this.db.prepare(`SELECT max(bucket) FROM domain_${tier}`).pluck().get() as bigint | null;
      if (min !== null && max !== null && Number(max) - Number(min) >= 86400) return { tier, before: Number(min) + 86400 };
    }
    return null;
  }

  private deleteRollupsBefore(tier: Tier, beforeBucket: number, maxDevices: number): number {
    let n = 0;
    const after = this.rollupCursor?.tier === tier ? this.rollupCursor.deviceAfter : -1;
    const devices = this.db.prepare('SELECT id FROM device WHERE id > ? ORDER BY id LIMIT ?').pluck().all(after, Math.min(maxDevices, 500)) as bigint[];
    this.db
      .transaction(() => {
        for (const id of devices)
          for (const k of KINDS) n += this.db.prepare(`DELETE FROM ${k}_${tier} WHERE device_id = ? AND bucket < ?`).run(id, beforeBucket).changes;
      })
      .immediate();
    this.rollupCursor = devices.length === 0 ? null : { tier, deviceAfter: Number(devices[devices.length - 1]) };
    return devices.length === 0 ? 0 : Math.max(n, 1);
  }

  private rollupAgeStep(nowMs: number): number {
    const tier: Tier = this.rollupCursor?.tier ?? '1m';
    const keepMs = tier === '1m' ? this.policy.minuteMs : this.policy.hourMs;
    const n = this.deleteRollupsBefore(tier, Math.floor((nowMs - keepMs) / 1000), 500);
    if (n === 0) {
      if (tier === '1m') {
        this.rollupCursor = { tier: '1h', deviceAfter: -1 };
        return 1;
      }
      this.rollupCursor = null;
      this.lastRollupPass = nowMs;
    }
    return n;
  }
}
