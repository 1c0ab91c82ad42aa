// How chart values read: one decision for `domstat plot` and the web page.
//   - bytes in binary units (B, KiB, MiB, GiB, TiB, PiB), one unit per axis, chosen so that the
//     top tick is below 1024 of it;
//   - counts (packets, requests) with SI prefixes (k, M, G, T): a packet is not a power of two;
//   - CPU time per second as cores, other times as seconds (or seconds per second);
//   - axis ticks at 0 and multiples of 1, 2 or 5 x 10^n of the axis's unit (0, 0.5, 1.0, 1.5 KiB/s;
//     0, 200, 400 MiB), the top tick at or just above the highest value, every label with the same
//     decimals and the unit;
//   - times as ISO-style dates in UTC, 2026-12-07 14:05 (with seconds when the range is under ten
//     minutes, where minutes alone would repeat).
// No imports and nothing of Node: the compiled file is served to the web page as it is
// (/js/units.js, see web-routes.ts), so the page's axes, legends and tables read as plot's do.

export type Family = 'bytes' | 'count' | 'cores' | 'seconds' | 'plain';

export interface Presentation {
  family: Family;
  /** A stored value times this is in the family's base unit (bytes, cores, seconds, counts). */
  scale: number;
  /** The base unit as shown after a number and its prefix: 'B/s', 'packets/s', 'cores', 's'. */
  unit: string;
}

/** CPU time itself (a rate of it is cores busy); other times (waiting, stalled, throttled) are not. */
const CPU_KEY = /^(cpu\.(time|user|system)|host\.cpu\.[a-z]+|vcpu\.[0-9]+\.time)$/;
/** Time units to seconds. */
const TIME_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1 };

/**
 * How a series of the history reads, from its unit (the key map's, with '/s' for rates) and its
 * key. Units the map may gain later read as plain numbers with their unit's name.
 */
export function presentation(unit: string, key: string): Presentation {
  const rate = unit.endsWith('/s');
  const base = rate ? unit.slice(0, -2) : unit;
  const per = rate ? '/s' : '';
  switch (base) {
    case 'bytes':
      return { family: 'bytes', scale: 1, unit: `B${per}` };
    case 'KiB':
      return { family: 'bytes', scale: 1024, unit: `B${per}` };
    case 'ns':
    case 'us':
    case 'ms':
    case 's':
      if (rate && CPU_KEY.test(key)) return { family: 'cores', scale: TIME_UNITS[base]!, unit: 'cores' };
      return { family: 'seconds', scale: TIME_UNITS[base]!, unit: `s${per}` };
    case 'packets':
    case 'requests':
      return { family: 'count', scale: 1, unit: `${base}${per}` };
    case 'count':
      return { family: 'count', scale: 1, unit: per };
    default:
      return { family: 'plain', scale: 1, unit };
  }
}

const PREFIXES: Record<Family, { base: number; names: readonly string[] }> = {
  bytes: { base: 1024, names: ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi'] },
  count: { base: 1000, names: ['', 'k', 'M', 'G', 'T'] },
  cores: { base: 1, names: [''] },
  seconds: { base: 1, names: [''] },
  plain: { base: 1, names: [''] },
};

/** "1.5" + "Ki" + "B/s" -> "1.5 KiB/s"; counts keep the prefix on the number: "1.5k packets/s". */
function withUnit(num: string, prefix: string, p: Presentation): string {
  if (p.family === 'bytes') return `${num} ${prefix}${p.unit}`;
  const tail = p.unit === '' || p.unit.startsWith('/') ? p.unit : ` ${p.unit}`;
  return `${num}${prefix}${tail}`;
}

export interface Axis {
  /** Tick positions in the base unit (bytes, cores, ...), from 0 up. */
  ticks: number[];
  /** The same, as they read. */
  labels: string[];
  /** The axis's unit: base-unit values divided by this are in the unit of the labels. */
  divisor: number;
}

/** 1, 2 or 5 x 10^n, the smallest at least `raw`. */
export function niceStep(raw: number): number {
  const e = Math.floor(Math.log10(raw));
  const f = raw / 10 ** e;
  const m = f <= 1 + 1e-9 ? 1 : f <= 2 + 1e-9 ? 2 : f <= 5 + 1e-9 ? 5 : 10;
  return m * 10 ** e;
}

/** A y axis from 0 to at least `max` (base unit) with about `count` intervals. */
export function axis(max: number, p: Presentation, count = 5): Axis {
  const { base, names } = PREFIXES[p.family];
  const top = Number.isFinite(max) && max > 0 ? max : 0;
  let k = 0;
  while (base > 1 && k < names.length - 1 && top >= base ** (k + 1)) k++;
  for (;;) {
    const divisor = base ** k;
    const m = top / divisor;
    const step = m > 0 ? niceStep(m / count) : 1;
    const n = Math.max(1, Math.ceil(m / step - 1e-9));
    // A top tick of 1000 KiB or more reads better as the next unit (0.2 .. 1.0 MiB).
    if (base > 1 && n * step >= base && k < names.length - 1) {
      k++;
      continue;
    }
    const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
    const ticks = Array.from({ length: n + 1 }, (_, i) => i * step * divisor);
    const labels = ticks.map((t) => withUnit((t / divisor).toFixed(digits), names[k]!, p));
    return { ticks, labels, divisor };
  }
}

/**
 * One value as it reads in a legend or a table cell: its own prefix (not an axis's), three
 * significant digits or fewer ("1.50 KiB/s", "12.3 MiB", "0.253 cores", "1.23k packets/s").
 * `value` is in the family's base unit (a stored value times the presentation's scale).
 */
export function formatValue(value: number | null, p: Presentation): string {
  if (value === null || !Number.isFinite(value)) return '';
  const { base, names } = PREFIXES[p.family];
  let k = 0;
  while (base > 1 && k < names.length - 1 && Math.abs(value) >= base ** (k + 1)) k++;
  const n = value / base ** k;
  const a = Math.abs(n);
  // 100 and up: whole; 10 and up: one decimal; 1 and up: two; below 1: three significant digits.
  const digits = a === 0 || a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : Math.min(6, 2 - Math.floor(Math.log10(a)));
  return withUnit(n.toFixed(digits), names[k]!, p);
}

/** strftime patterns (d3-time-format, as Vega takes them) for the time axis. */
export const TIME_MINUTES = '%Y-%m-%d %H:%M';
export const TIME_SECONDS = '%Y-%m-%d %H:%M:%S';

/** The pattern for a time axis spanning `spanMs`: seconds only where minutes would repeat. */
export const timePattern = (spanMs: number): string => (spanMs < 10 * 60_000 ? TIME_SECONDS : TIME_MINUTES);

/** A time (Unix ms) in one of the patterns above, UTC. */
export function formatTime(ms: number, pattern: string = TIME_MINUTES): string {
  const iso = new Date(ms).toISOString(); // 2026-12-07T14:05:09.000Z
  const parts: Record<string, string> = {
    Y: iso.slice(0, 4),
    m: iso.slice(5, 7),
    d: iso.slice(8, 10),
    H: iso.slice(11, 13),
    M: iso.slice(14, 16),
    S: iso.slice(17, 19),
  };
  return pattern.replace(/%([YmdHMS])/g, (_, c: string) => parts[c]!);
}
