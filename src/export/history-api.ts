// /api/history: a domain's keys over a time range, bounded. A request names at most maxKeys keys
// (the same key twice is one), gets at most `points` rows per series (the step grows to span ÷
// points, and the tier with it: two days are read from the minute tier, not from 170 000 raw
// ticks per series), reads at most maxRead stored rows, and takes at most timeoutMs. A request
// that is malformed gets 400, one naming a domain the history never held 404, one whose query runs
// out of time 422, each with a JSON error body.

import { timeRange } from '../common/time.js';
import { DomstatError, messageOf } from '../common/errors.js';
import { HistoryReader, type DeviceRow, type HistoryQuery } from '../store/history.js';
import { HistoryError, HistoryLimitError, UnknownDomainError, UnknownKeyError } from '../store/errors.js';
import type { Db } from '../store/db.js';

export interface HistoryLimits {
  /** Keys one request may name. */
  maxKeys: number;
  /** Rows per series when the request does not say (points=N), and the most it may ask for. */
  defaultPoints: number;
  maxPoints: number;
  /** Stored rows one request may read, all its series together: a coarser tier beyond. */
  maxRead: number;
  /** Time one query may take, ms. */
  timeoutMs: number;
}

export const HISTORY_LIMITS: HistoryLimits = { maxKeys: 64, defaultPoints: 1000, maxPoints: 5000, maxRead: 100_000, timeoutMs: 2000 };

/** A request the API answers with an error status and a JSON body {"error": message}. */
export class ApiError extends DomstatError {
  readonly code = 'API' as const;
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A request's query: the reader's fields, and the points it may return. */
export type HistoryParams = Pick<HistoryQuery, 'domain' | 'keys' | 'since' | 'until' | 'stepS' | 'rate'> & { points: number };

const NAMES = { since: 'since', until: 'until', step: 'step' };

/** A parameter given at most once (which of two a client meant is not ours to guess): a 400 otherwise. */
export function oneParam(q: URLSearchParams, name: string): string | undefined {
  const all = q.getAll(name);
  if (all.length > 1) throw new ApiError(400, `${name}: given ${all.length} times`);
  return all[0];
}

/** The query string, checked: every problem is a 400 naming the parameter. */
export function historyParams(q: URLSearchParams, now: number, limits: HistoryLimits): HistoryParams {
  const one = (name: string) => oneParam(q, name);
  const domain = one('domain');
  if (domain === undefined || domain === '') throw new ApiError(400, 'domain: missing (a name, uuid or @host)');
  const keys = [...new Set((one('keys') ?? '').split(',').filter((k) => k !== ''))];
  if (keys.length > limits.maxKeys) throw new ApiError(400, `keys: ${keys.length} keys; at most ${limits.maxKeys} per request`);
  const rateText = one('rate');
  if (rateText !== undefined && !['0', '1', 'true', 'false'].includes(rateText)) throw new ApiError(400, `rate: expected 1 or 0, got '${rateText}'`);
  const pointsText = one('points');
  let points = limits.defaultPoints;
  if (pointsText !== undefined) {
    if (!/^[0-9]{1,9}$/.test(pointsText) || Number(pointsText) < 1 || Number(pointsText) > limits.maxPoints)
      throw new ApiError(400, `points: expected a whole number from 1 to ${limits.maxPoints}, got '${pointsText}'`);
    points = Number(pointsText);
  }
  let range: { since: number; until: number; stepS?: number };
  try {
    range = timeRange(one('since') ?? '15m', one('until'), one('step'), now, NAMES);
  } catch (e) {
    throw new ApiError(400, messageOf(e));
  }
  if (!(range.until >= range.since)) throw new ApiError(400, 'until: before since');
  if (range.stepS !== undefined && !(range.stepS > 0)) throw new ApiError(400, 'step: must be more than 0');
  return { domain, keys, ...range, rate: rateText === '1' || rateText === 'true', points };
}

/** The answer's shape (the page's charts read it as it is). */
export interface HistoryJson {
  tier: string | null;
  step: number | null;
  /** Unix seconds. */
  times: number[];
  series: { key: string; device: string | null; unit: string; values: (number | null)[] }[];
}

const NONE: HistoryJson = { tier: null, step: null, times: [], series: [] };

/**
 * The answer, from a reader on the serving thread's own connection. Keys the domain has no series
 * for (a file-backed disk's counters, a second NIC it never had) are left out, so that a client
 * may ask every domain for the same keys; a domain the history has never held is a 404 and a key
 * no domain can have a 400, as `domstat history` refuses them.
 */
export function historyAnswer(db: Db, p: HistoryParams, limits: HistoryLimits): HistoryJson {
  const reader = readerOf(db);
  let devices: DeviceRow[];
  try {
    devices = reader.devices(reader.domainIds(p.domain));
  } catch (e) {
    if (e instanceof UnknownDomainError) throw new ApiError(404, `domain: ${e.message}`);
    throw e;
  }
  const keys = p.keys.filter((k) => {
    try {
      reader.resolveKey(k, devices);
      return true;
    } catch (e) {
      if (e instanceof UnknownKeyError) throw new ApiError(400, `keys: ${e.message}`);
      if (e instanceof HistoryError) return false;
      throw e;
    }
  });
  if (p.keys.length > 0 && keys.length === 0) return NONE;
  const q: HistoryQuery = {
    domain: p.domain,
    keys,
    since: p.since,
    until: p.until,
    rate: p.rate,
    maxPoints: p.points,
    maxRead: limits.maxRead,
    deadline: performance.now() + limits.timeoutMs,
    ...(p.stepS !== undefined ? { stepS: p.stepS } : {}),
  };
  try {
    const r = reader.query(q);
    return {
      tier: r.tier,
      step: r.stepS,
      times: r.times.map((t) => t / 1000),
      series: r.series.map((s) => ({ key: s.key, device: s.device, unit: s.unit, values: s.values.map((v) => (v === null ? null : Number(v))) })),
    };
  } catch (e) {
    if (e instanceof HistoryLimitError) throw new ApiError(422, `history: ${e.message} (limit ${limits.timeoutMs / 1000} s)`);
    throw e;
  }
}

/** One reader per connection: its key map is read once and its statements prepared once. */
const readers = new WeakMap<Db, HistoryReader>();
function readerOf(db: Db): HistoryReader {
  let r = readers.get(db);
  if (r === undefined) {
    r = new HistoryReader(db);
    readers.set(db, r);
  }
  return r;
}
