// What the web page shows, as its URL says it, and the overview's search and sort: pure functions
// the page imports (/js/page-state.js) and the tests run in Node. The state lives in the URL's
// fragment, so a link shows the same view to whoever opens it, a reload restores it, and the
// browser's back and forward walk through the views:
//   #sort=-cpu&q=web                          the overview, sorted by CPU (descending), filtered
//   #domain=web1&range=1h                     a domain's charts, the last hour, following live
//   #domain=web1&from=2026-12-07T14:05:00Z&to=2026-12-07T15:05:00Z   a fixed range (UTC)
// (type-only imports: the compiled module imports nothing.)

import type { OverviewDomain } from './overview.js';

export type SortKey = 'name' | 'state' | 'cpu' | 'mem' | 'rss' | 'disk' | 'net';
export const SORT_KEYS: readonly SortKey[] = ['name', 'state', 'cpu', 'mem', 'rss', 'disk', 'net'];
/** Live ranges the page offers (durations back from now). */
export const RANGES: readonly string[] = ['15m', '1h', '6h', '24h', '7d', '30d'];
export const DEFAULT_RANGE = '15m';
export const DEFAULT_SORT: Sort = { key: 'cpu', desc: true };

export interface Sort {
  key: SortKey;
  desc: boolean;
}

/** A live range ('1h': the last hour, following new ticks) or a fixed one (Unix ms). */
export type Range = { live: string } | { from: number; to: number };

export type PageState = { view: 'overview'; q: string; sort: Sort } | { view: 'domain'; domain: string; range: Range };

/** 2026-12-07T14:05:09Z: ISO 8601 in UTC, whole seconds. */
export const isoSeconds = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** A time of a URL: ISO 8601 with a zone, or null. */
function parseIso(raw: string | null): number | null {
  // A '+' of a zone offset written by hand reads as a space in a query string: put it back.
  const s = raw === null ? null : raw.replace(' ', '+');
  if (s === null || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(s)) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}

/** The state a URL fragment ("#..." or "") describes; anything unknown falls back to the defaults. */
export function parseHash(hash: string): PageState {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const domain = p.get('domain');
  if (domain !== null && domain !== '') {
    const from = parseIso(p.get('from'));
    const to = parseIso(p.get('to'));
    const range = p.get('range');
    if (from !== null && to !== null && to > from) return { view: 'domain', domain, range: { from, to } };
    return { view: 'domain', domain, range: { live: range !== null && RANGES.includes(range) ? range : DEFAULT_RANGE } };
  }
  const s = p.get('sort') ?? '';
  const key = s.replace(/^-/, '') as SortKey;
  const sort = SORT_KEYS.includes(key) ? { key, desc: s.startsWith('-') } : DEFAULT_SORT;
  return { view: 'overview', q: p.get('q') ?? '', sort };
}

/** The URL fragment for a state ("#..."); the overview with its defaults is "#". */
export function formatHash(s: PageState): string {
  const p = new URLSearchParams();
  if (s.view === 'domain') {
    p.set('domain', s.domain);
    if ('live' in s.range) p.set('range', s.range.live);
    else {
      p.set('from', isoSeconds(s.range.from));
      p.set('to', isoSeconds(s.range.to));
    }
  } else {
    if (s.sort.key !== DEFAULT_SORT.key || s.sort.desc !== DEFAULT_SORT.desc) p.set('sort', `${s.sort.desc ? '-' : ''}${s.sort.key}`);
    if (s.q !== '') p.set('q', s.q);
  }
  // Colons are fine in a fragment and read better in a shared link.
  return `#${p.toString().replace(/%3A/g, ':')}`;
}

/** Clicking a column: the same column flips its order; another starts descending, names and states ascending. */
export function nextSort(cur: Sort, key: SortKey): Sort {
  if (cur.key === key) return { key, desc: !cur.desc };
  return { key, desc: key !== 'name' && key !== 'state' };
}

/** The search: every word of the query is part of the name or the uuid (case ignored). */
export function matcher(q: string): (d: Pick<OverviewDomain, 'name' | 'uuid'>) => boolean {
  const words = q
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words.length === 0) return () => true;
  return (d) => {
    const name = d.name.toLowerCase();
    const uuid = (d.uuid ?? '').toLowerCase();
    return words.every((w) => name.includes(w) || uuid.includes(w));
  };
}

const sortValue: Record<SortKey, (d: OverviewDomain) => string | number | null> = {
  name: (d) => d.name,
  state: (d) => d.stateWord,
  cpu: (d) => d.cpuCores,
  mem: (d) => d.memBytes,
  rss: (d) => d.rssBytes,
  disk: (d) => d.disk,
  net: (d) => d.net,
};

/** Orders the overview's rows: unknown values last whichever the direction, then by name. */
export function compareDomains(sort: Sort): (a: OverviewDomain, b: OverviewDomain) => number {
  const value = sortValue[sort.key];
  const byName = (a: OverviewDomain, b: OverviewDomain) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return (a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return x === null && y === null ? byName(a, b) : x === null ? 1 : -1;
    const c = x < y ? -1 : x > y ? 1 : 0;
    return (sort.desc ? -c : c) || byName(a, b);
  };
}
