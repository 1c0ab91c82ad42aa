// A domain's whole history over a time range, for the page's charts (/api/series): every key the
// key map has for the domain's devices, counters as per-second rates, gauges and attributes as
// values, and only the series that hold a value in the range, so the page builds its charts from
// the keys the domain actually has (chart-families.ts). One domain's devices are read through
// HistoryReader, the store's own reader.
//
// The step keeps a chart to at most MAX_POINTS rows: every tick while that fits, else a step of
// 1, 2, 5, 10, 15 or 30 s or whole minutes and hours, with the tier HistoryReader picks for a step
// (raw below a minute; minute rollups up to a 3-day range, hour rollups beyond, as for
// `domstat history` without --step).

import type { Db } from '../store/db.js';
import { HistoryReader } from '../store/history.js';
import { HistoryError, HistoryLimitError } from '../store/errors.js';
import { parseTime } from '../common/time.js';
import { DomstatError, messageOf } from '../common/errors.js';

export const MAX_POINTS = 720;
const STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

export interface SeriesQuery {
  domain: string;
  /** A duration back from now ("15m") or an ISO time. */
  since: string;
  /** An ISO time, or undefined for now. */
  until?: string;
}

export interface DomainSeries {
  domain: string;
  /** The range asked for, Unix ms. */
  since: number;
  until: number;
  tier: string;
  /** Seconds per row; null: one row per tick. */
  step: number | null;
  /** Row times, Unix ms. */
  times: number[];
  series: { key: string; device: string | null; unit: string; type: string; values: (number | null)[] }[];
}

/** A series request that cannot be answered, with the HTTP status to answer it with. */
export class SeriesQueryError extends DomstatError {
  readonly code = 'HISTORY' as const;
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'SeriesQueryError';
  }
}

/** The step for a range (ms) holding `ticks` ticks: undefined (every tick) while they fit. */
export function stepFor(spanMs: number, ticks: number): number | undefined {
  const min = spanMs > 3 * 86400_000 ? 3600 : spanMs > 2 * 3600_000 ? 60 : 0;
  if (ticks <= MAX_POINTS && min === 0) return undefined;
  const want = Math.max(min, spanMs / 1000 / MAX_POINTS);
  return STEPS_S.find((s) => s >= want) ?? Math.ceil(want / 86400) * 86400;
}

/** A time limit for the query (performance.now() ms), and the limit itself for the message. */
export interface SeriesDeadline {
  deadline: number;
  timeoutMs: number;
}

export function domainSeries(db: Db, q: SeriesQuery, now = Date.now(), limit?: SeriesDeadline): DomainSeries {
  let since: number;
  let until: number;
  try {
    since = parseTime(q.since, 'since', now);
    until = q.until === undefined ? now : parseTime(q.until, 'until', now);
  } catch (e) {
    throw new SeriesQueryError(messageOf(e), 400);
  }
  if (!(until > since)) throw new SeriesQueryError('until must be after since', 400);
  return db.transaction(() => {
    const reader = new HistoryReader(db);
    let devices;
    try {
      devices = reader.devices(reader.domainIds(q.domain));
    } catch (e) {
      if (e instanceof HistoryError) throw new SeriesQueryError(e.message, 404);
      throw e;
    }
    // Every key of every device the domain has had, in key-map order per device.
    const keys: string[] = [];
    for (const d of devices) for (const c of reader.map.columns[d.kind]) keys.push(d.idx === null ? c.key : c.key.replace('{i}', String(d.idx)));
    const ticks = Number(db.prepare('SELECT count(*) FROM tick WHERE ts BETWEEN ? AND ?').pluck().get(since, until));
    const stepS = stepFor(until - since, ticks);
    let r;
    try {
      r = reader.query({
        domain: q.domain,
        keys: [...new Set(keys)],
        since,
        until,
        rate: true,
        ...(stepS === undefined ? {} : { stepS }),
        ...(limit === undefined ? {} : { deadline: limit.deadline }),
      });
    } catch (e) {
      if (e instanceof HistoryLimitError) throw new SeriesQueryError(`history: ${e.message} (limit ${limit!.timeoutMs / 1000} s)`, 422);
      throw e;
    }
    return {
      domain: q.domain,
      since,
      until,
      tier: r.tier,
      step: r.stepS,
      times: r.times,
      series: r.series
        .filter((s) => s.values.some((v) => v !== null))
        .map((s) => ({ key: s.key, device: s.device, unit: s.unit, type: s.type, values: s.values.map((v) => (v === null ? null : Number(v))) })),
    };
  })();
}
