// Retention: raw ticks for a while (2 days), minute rollups longer (90 days), hour rollups longest
// (2 years), and a size cap over all of it. The work is cut into small transactions and runs
// between ticks within a time budget, so it never holds up sampling for long. Raw ticks go a whole
// keyframe period at a time, so every device still starts from a base row afterwards; rollups a
// whole block at a time.
//
// The cap cuts in this order, so the longest tiers stay whole as long as possible: raw ticks (the
// oldest period first) down to RAW_FLOOR, then minute blocks down to MINUTE_FLOOR, then hour
// blocks down to HOUR_FLOOR. Each tier forced below its configured retention is reported once,
// with what it now keeps.

import type { Db } from './db.js';
import { KINDS } from '../sample/row-map.js';
import { blockOf, KEYFRAME_MS, SLOTS, TIER_SECONDS, TIERS, type Tier, type TierName } from './layout.js';

const HOUR = 3600 * 1000;
/**
 * Minutes are kept for an hour at least, whatever the policy: after a restart the open hour is
 * rebuilt from its minutes (and raw ticks), so with both kept for less it would lose them.
 */
export const MINUTES_KEPT_AT_LEAST = HOUR;
const DAY = 24 * HOUR;

export interface RetentionPolicy {
  rawMs: number;
  minuteMs: number;
  hourMs: number;
  /** Cap on the database's used size in bytes (0: none). */
  maxBytes: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { rawMs: 2 * DAY, minuteMs: 90 * DAY, hourMs: 730 * DAY, maxBytes: 4 * 1024 ** 3 };
/** What the cap never cuts: the newest hour of raw ticks (a restart rebuilds the open minute from them), a day of minutes, a week of hours. */
export const FLOORS = { raw: HOUR, '1m': DAY, '1h': 7 * DAY } as const;

/** Rows deleted per transaction, so one step stays short. */
const ROWS_PER_STEP = 50_000;

export interface RetentionOptions {
  /** Where a cut below the configured retention is said. */
  report?: (message: string) => void;
  /** The writer's keyframe period: raw ticks go a whole period at a time. */
  keyframeMs?: number;
  /** Bytes the configuration needs (projected), for the message when the cap cuts; null when unknown. */
  needs?: () => number | null;
}

/** A step forward of the wall clock that the agent came to believe: ticks from `at` on are stamped `jumpMs` later than those before. */
export interface ClockStep {
  at: number;
  jumpMs: number;
}

/** Where believed clock steps are kept (meta), oldest first. */
const CLOCK_STEPS_KEY = 'clock_steps';

/**
 * The stamped time before which data is older than `cutoffMs` on the history's own timeline. A
 * tick stamped before a believed step forward is as old as its stamp plus the step (the clock
 * was that far behind then, or the step was a mistake): without this, a clock set a year ahead
 * for a minute would age out every tick and rollup before it.
 */
export function stampedCutoff(cutoffMs: number, steps: readonly ClockStep[]): number {
  let c = cutoffMs;
  for (let i = steps.length - 1; i >= 0 && c < steps[i]!.at; i--) c -= steps[i]!.jumpMs;
  return c;
}

export class Retention {
  private lastAgeing = -Infinity;
  private steps: ClockStep[];
  /** Whether the cap has been said to be out of reach (every tier at its floor). */
  private overFloors = false;
  /** Tiers the cap has cut below their configured retention (reported once each). */
  private readonly cut = new Set<TierName>();

  private readonly report: (message: string) => void;
  private readonly keyframeMs: number;

  constructor(
    private readonly db: Db,
    readonly policy: RetentionPolicy = DEFAULT_RETENTION,
    private readonly opts: RetentionOptions = {},
  ) {
    this.report = opts.report ?? (() => {});
    this.keyframeMs = opts.keyframeMs ?? KEYFRAME_MS;
    const kept = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(CLOCK_STEPS_KEY) as string | undefined;
    this.steps = kept === undefined ? [] : (JSON.parse(kept) as ClockStep[]);
  }

  /** Records a believed step forward of the wall clock (see stampedCutoff). */
  addClockStep(step: ClockStep): void {
    this.steps = [...this.steps, step];
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(CLOCK_STEPS_KEY, JSON.stringify(this.steps));
  }

  /** The minutes' age limit: the policy's, and MINUTES_KEPT_AT_LEAST at least. */
  private get minuteAge(): number {
    return Math.max(this.policy.minuteMs, MINUTES_KEPT_AT_LEAST);
  }

  /** The stamped cutoff for data older than `ageMs` at `nowMs`. */
  private before(nowMs: number, ageMs: number): number {
    return stampedCutoff(nowMs - ageMs, this.steps);
  }

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
    const raw = this.rawBoundary(this.before(nowMs, this.policy.rawMs));
    if (raw !== null) return this.deleteTicksBefore(raw);
    if (this.policy.maxBytes > 0 && this.usedBytes() > this.policy.maxBytes) return this.capStep(nowMs);
    // Rollup ageing: a pass an hour is plenty.
    if (nowMs - this.lastAgeing < HOUR) return 0;
    for (const tier of TIERS) {
      const n = this.deleteBlocksBefore(tier, Math.floor(this.before(nowMs, tier === '1m' ? this.minuteAge : this.policy.hourMs) / 1000));
      if (n > 0) return n;
    }
    const n = this.ageAttributes(this.before(nowMs, Math.max(this.minuteAge, this.policy.hourMs, this.policy.rawMs)));
    if (n > 0) return n;
    this.lastAgeing = nowMs;
    return 0;
  }

  /** The size cap: the shortest tier gives way first, each down to its floor. */
  private capStep(nowMs: number): number {
    const oldest = this.rawBoundaryAfterOldestPeriod();
    if (oldest !== null && oldest.keepsFrom <= this.before(nowMs, FLOORS.raw)) {
      this.said('raw', oldest.keepsFrom, nowMs);
      return this.deleteTicksBefore(oldest.firstKept);
    }
    for (const tier of TIERS) {
      const first = this.db.prepare(`SELECT min(block) FROM ${KINDS[0]}_${tier}_block`).pluck().get() as bigint | null;
      const firstAny = first ?? (this.db.prepare(`SELECT min(bucket) FROM cover_${tier}`).pluck().get() as bigint | null);
      if (firstAny === null) continue;
      const next = blockOf(tier, Number(firstAny)) + SLOTS * TIER_SECONDS[tier];
      if (next * 1000 > this.before(nowMs, FLOORS[tier])) continue;
      this.said(tier, next * 1000, nowMs);
      const n = this.deleteBlocksBefore(tier, next);
      if (n > 0) return n;
    }
    if (!this.overFloors) {
      this.overFloors = true;
      this.report(
        `size cap ${formatBytes(this.policy.maxBytes)} cannot be kept: the database holds ${formatBytes(this.usedBytes())} with every tier down to ` +
          `what the cap never cuts (${formatSpan(FLOORS.raw)} raw, ${formatSpan(FLOORS['1m'])} of minutes, ${formatSpan(FLOORS['1h'])} of hours); it grows past the cap`,
      );
    }
    return 0;
  }

  private said(tier: TierName, keepsFrom: number, nowMs: number): void {
    if (this.cut.has(tier)) return;
    const configured = tier === 'raw' ? this.policy.rawMs : tier === '1m' ? this.policy.minuteMs : this.policy.hourMs;
    if (nowMs - keepsFrom >= configured) return;
    this.cut.add(tier);
    const needs = this.opts.needs?.() ?? null;
    this.report(
      `size cap ${formatBytes(this.policy.maxBytes)} reached: the ${tier === 'raw' ? 'raw' : tier === '1m' ? 'minute' : 'hour'} tier now keeps ` +
        `${formatSpan(nowMs - keepsFrom)} of its ${formatSpan(configured)}, and less as needed, down to ${formatSpan(FLOORS[tier])}; ` +
        (needs === null ? '' : `the configuration needs about ${formatBytes(needs)} (`) +
        `domstat agent --dry-run projects it${needs === null ? '' : ')'}`,
    );
  }

  /** The tiers the cap has cut below their configured retention. */
  get cutTiers(): ReadonlySet<TierName> {
    return this.cut;
  }

  /**
   * First tick id to keep when keeping everything from `cutoffTs` on, in whole keyframe periods;
   * null when nothing is due. With no tick newer than the cutoff nothing is deleted: the newest
   * period is always kept.
   */
  private rawBoundary(cutoffTs: number): number | null {
    const first = this.db.prepare('SELECT ts FROM tick WHERE ts >= ? ORDER BY ts LIMIT 1').pluck().get(cutoffTs) as bigint | undefined;
    if (first === undefined) return null;
    const periodStart = Math.floor(Number(first) / this.keyframeMs) * this.keyframeMs;
    const keep = Number(this.db.prepare('SELECT min(id) FROM tick WHERE ts >= ?').pluck().get(periodStart) as bigint);
    const oldest = Number(this.db.prepare('SELECT min(id) FROM tick').pluck().get() as bigint);
    return keep > oldest ? keep : null;
  }

  /** Where raw ticks would start after the oldest keyframe period went, or null when only one is left. */
  private rawBoundaryAfterOldestPeriod(): { firstKept: number; keepsFrom: number } | null {
    const oldest = this.db.prepare('SELECT min(ts) FROM tick').pluck().get() as bigint | null;
    if (oldest === null) return null;
    const next = (Math.floor(Number(oldest) / this.keyframeMs) + 1) * this.keyframeMs;
    const row = this.db.prepare('SELECT id, ts FROM tick WHERE ts >= ? ORDER BY ts LIMIT 1').get(next) as { id: bigint; ts: bigint } | undefined;
    return row === undefined ? null : { firstKept: Number(row.id), keepsFrom: Number(row.ts) };
  }

  private deleteTicksBefore(keepFrom: number): number {
    const oldest = Number(this.db.prepare('SELECT min(id) FROM tick').pluck().get() as bigint);
    // The newest doomed ticks go first: what is left between steps still starts at its period's
    // first tick (base rows), followed by a gap, so readers never see changes without a base row.
    const last = Number(this.db.prepare('SELECT max(id) FROM tick WHERE id < ?').pluck().get(keepFrom) as bigint);
    const rowsPerTick = Math.max(
      1,
      KINDS.reduce((n, k) => n + Number(this.db.prepare(`SELECT count(*) FROM ${k}_raw WHERE tick_id = ?`).pluck().get(last) as bigint), 0),
    );
    const upto = last + 1;
    const from = Math.max(oldest, upto - Math.max(1, Math.floor(ROWS_PER_STEP / rowsPerTick)));
    let n = 0;
    this.db
      .transaction(() => {
        for (const k of KINDS) {
          n += this.db.prepare(`DELETE FROM ${k}_raw WHERE tick_id >= ? AND tick_id < ?`).run(from, upto).changes;
          n += this.db.prepare(`DELETE FROM ${k}_base WHERE tick_id >= ? AND tick_id < ?`).run(from, upto).changes;
        }
        n += this.db.prepare('DELETE FROM tick WHERE id >= ? AND id < ?').run(from, upto).changes;
      })
      .immediate();
    return n;
  }

  /** One block of each kind older than `cutoff` (Unix s: blocks that end by then) and its covers. */
  private deleteBlocksBefore(tier: Tier, cutoff: number): number {
    const before = blockOf(tier, cutoff);
    let n = 0;
    this.db
      .transaction(() => {
        for (const k of KINDS) {
          n += this.db.prepare(`DELETE FROM ${k}_${tier}_block WHERE block = (SELECT min(block) FROM ${k}_${tier}_block) AND block < ?`).run(before).changes;
        }
        const oldest = Math.min(
          ...KINDS.map((k) => Number((this.db.prepare(`SELECT min(block) FROM ${k}_${tier}_block`).pluck().get() as bigint | null) ?? before)),
          before,
        );
        n += this.db.prepare(`DELETE FROM cover_${tier} WHERE bucket < ?`).run(oldest).changes;
      })
      .immediate();
    return n;
  }

  /** Attribute changes older than every tier, but the newest of each before then (the value the oldest data had). */
  private ageAttributes(cutoffTs: number): number {
    return this.db
      .prepare(
        'DELETE FROM attribute WHERE ts < ? AND (device_id, col, ts) NOT IN (SELECT device_id, col, max(ts) FROM attribute WHERE ts < ? GROUP BY device_id, col)',
      )
      .run(cutoffTs, cutoffTs).changes;
  }
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? Math.round(n) : n.toFixed(1)} ${units[i]}`;
}

export function formatSpan(ms: number): string {
  if (ms >= 2 * DAY) return `${(ms / DAY).toFixed(ms % DAY === 0 ? 0 : 1)} days`;
  if (ms >= 2 * HOUR) return `${(ms / HOUR).toFixed(ms % HOUR === 0 ? 0 : 1)} hours`;
  if (ms >= 120_000) return `${Math.round(ms / 60_000)} minutes`;
  const s = Math.round(ms / 1000);
  return `${s} second${s === 1 ? '' : 's'}`;
}
