// The web page's own routes, beside the HTTP server's (which registers them with one call):
//   /api/overview   every domain's current figures and sparklines (overview.ts)
//   /api/series     one domain's history over a range (domain-series.ts)
//   /js/NAME.js     the compiled shared modules the page imports (units, series names, chart
//                   families, page state): the same code `domstat plot` and the tests run.
// Everything is computed from the latest tick's records and the serving thread's read-only
// connection to the history (a reader never blocks the agent's writes).

import type * as http from 'node:http';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from '../store/db.js';
import type { ReadOnlyStore } from './read-store.js';
import type { ExportInput } from './prometheus.js';
import { overview } from './overview.js';
import { domainSeries, SeriesQueryError } from './domain-series.js';
import { oneParam } from './history-api.js';

/** Modules the page loads: compiled beside this file, or (running from src/ under tap) in dist/. */
const MODULES = new Set(['units', 'series-names', 'chart-families', 'page-state']);
function moduleFile(name: string): string {
  const beside = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  return fs.existsSync(beside) ? beside : fileURLToPath(new URL(`../../dist/export/${name}.js`, import.meta.url));
}
const moduleCache = new Map<string, Buffer>();

function withDb<T>(store: ReadOnlyStore, fn: (db: Db) => T): T {
  const db = store.get();
  if (db === null) throw new SeriesQueryError(`history: ${store.problem ?? 'no database'}`, 503);
  return fn(db);
}

/** The page's compiled modules (/js/NAME.js); false for any other path. */
export function serveWebModule(url: URL, res: http.ServerResponse): boolean {
  const js = /^\/js\/([a-z-]+)\.js$/.exec(url.pathname);
  if (js === null || !MODULES.has(js[1]!)) return false;
  let body = moduleCache.get(js[1]!);
  if (body === undefined) {
    // The source map is not shipped (package.json's files): leave its comment out.
    body = Buffer.from(fs.readFileSync(moduleFile(js[1]!), 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n'));
    moduleCache.set(js[1]!, body);
  }
  res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }).end(body);
  return true;
}

/** The page's queries, which read the history: the server runs them one at a time, in its query queue. */
export const WEB_QUERIES = new Set(['/api/overview', '/api/series']);

/**
 * Answers /api/overview or /api/series: the JSON value, or a SeriesQueryError with its status
 * (a series that takes longer than `timeoutMs` is refused with 422, as /api/history's queries are).
 */
export function webQuery(url: URL, input: ExportInput | null, store: ReadOnlyStore, timeoutMs: number): unknown {
  if (url.pathname === '/api/overview') return withDb(store, (db) => overview(db, input));
  const q = url.searchParams;
  const until = oneParam(q, 'until');
  const query = { domain: oneParam(q, 'domain') ?? '', since: oneParam(q, 'since') ?? '15m', ...(until ? { until } : {}) };
  return withDb(store, (db) => domainSeries(db, query, Date.now(), { deadline: performance.now() + timeoutMs, timeoutMs }));
}
