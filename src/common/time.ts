// Durations ("90s", "5m", "2h", "7d", "1w", "2y"), points in time ("1h" ago, ISO 8601, "now") and
// sizes ("512M"): the CLI's options and the HTTP API's query parameters alike.

import { UsageError } from './errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86400_000, w: 7 * 86400_000, y: 365 * 86400_000 };

export function parseDuration(s: string, what: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d|w|y)?$/.exec(s.trim());
  if (m === null) throw new UsageError(`${what}: not a duration: '${s}' (e.g. 30s, 5m, 2h, 7d)`);
  const ms = Number(m[1]) * UNIT_MS[m[2] ?? 's']!;
  // 400 nines of years is a number JavaScript calls Infinity: no time range can use it.
  if (!Number.isFinite(ms)) throw new UsageError(`${what}: duration too long: '${s}'`);
  return ms;
}

/** A point in time as Unix ms: a duration means that long ago; otherwise an ISO date/time. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
/** A day that exists and a time within the day: Date.parse would roll 2026-02-30 into March and 24:00 into the next day. */
function realDate(s: string): boolean {
  const [y, m, d, hh = 0, mm = 0, ss = 0] = (s.match(/\d+/g) ?? []).map(Number);
  const day = new Date(Date.UTC(y!, m! - 1, d!));
  return day.getUTCMonth() === m! - 1 && day.getUTCDate() === d && hh < 24 && mm < 60 && ss < 60;
}

/** The longest span any option takes (retention, a range, a step): beyond it numbers lose meaning. */
export const CENTURY_MS = 100 * 365 * 86_400_000;

/** A duration of at most a century. */
export function parseSpan(s: string, what: string): number {
  const ms = parseDuration(s, what);
  if (ms > CENTURY_MS) throw new UsageError(`${what}: '${s}' is longer than 100 years`);
  return ms;
}

export function parseTime(s: string, what: string, now = Date.now()): number {
  if (s === 'now') return now;
  if (/^[0-9]+(\.[0-9]+)?(ms|s|m|h|d|w|y)$/.test(s)) return now - parseSpan(s, what);
  // A date is ISO 8601's (a day, then an optional time and zone): Date.parse alone would read
  // "12" as December 2001 and "100" as the year 100.
  // Without a zone a date-time is UTC, as a date alone is (Date.parse would take it as local
  // time) and as every time domstat prints is.
  const zone = /(?:Z|[+-]\d{2}:?\d{2})$/.exec(s);
  const zoned = zone !== null || !/[T ]/.test(s) ? s : `${s.replace(' ', 'T')}Z`;
  const t = ISO_DATE.test(s) && realDate(zone === null ? s : s.slice(0, zone.index)) ? Date.parse(zoned) : NaN;
  if (Number.isNaN(t)) throw new UsageError(`${what}: not a time: '${s}' (e.g. 1h, 2026-11-22T10:00:00Z)`);
  return t;
}

export function parseSize(s: string, what: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)([KMGT]i?B?|B)?$/i.exec(s.trim());
  if (m === null) throw new UsageError(`${what}: not a size: '${s}' (e.g. 512M, 4G)`);
  const unit = (m[2] ?? 'B').toUpperCase()[0]!;
  const scale = { B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[unit] ?? 1;
  return Math.round(Number(m[1]) * scale);
}

/** How errors name the three parameters: the CLI's options by default, the HTTP API's query parameters when asked. */
export interface RangeNames {
  since: string;
  until: string;
  step: string;
}
const CLI_NAMES: RangeNames = { since: '--since', until: '--until', step: '--step' };

/** --since/--until/--step as a history query's time range (until defaults to now). */
export function timeRange(
  since: string,
  until: string | undefined,
  step: string | undefined,
  now = Date.now(),
  names: RangeNames = CLI_NAMES,
): { since: number; until: number; stepS?: number } {
  return {
    since: parseTime(since, names.since, now),
    until: until === undefined ? now : parseTime(until, names.until, now),
    ...(step !== undefined ? { stepS: parseSpan(step, names.step) / 1000 } : {}),
  };
}
