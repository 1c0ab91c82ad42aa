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

/** Modules the page loads: compiled beside this file, or (running from src/ under tap) in dist/. */
const MODULES = new Set(['units', 'series-names', 'chart-families', 'page-state']);
function moduleFile(name: string): string {
  const beside = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  return fs.existsSync(beside) ? beside : fileURLToPath(new URL(`../../dist/export/${name}.js`, import.meta.url));
}
const moduleCache = new Map<string, Buffer>();

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
}

const sendJson = (res: http.ServerResponse, status: number, value: unknown) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));

function withDb<T>(store: ReadOnlyStore, fn: (db: Db) => T): T {
  const db = store.get();
  if (db === null) throw new SeriesQueryError(`history: ${store.problem ?? 'no database'}`, 503);
  return fn(db);
}

/** Answers the page's routes; false for any other path (the server's 404). */
export function serveWebRoute(url: URL, res: http.ServerResponse, input: ExportInput | null, store: ReadOnlyStore): boolean {
  const js = /^\/js\/([a-z-]+)\.js$/.exec(url.pathname);
  if (js !== null && MODULES.has(js[1]!)) {
    let body = moduleCache.get(js[1]!);
    if (body === undefined) {
      // The source map is not shipped (package.json's files): leave its comment out.
      body = Buffer.from(fs.readFileSync(moduleFile(js[1]!), 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n'));
      moduleCache.set(js[1]!, body);
    }
    send(res, 200, 'text/javascript; charset=utf-8', body);
    return true;
  }
  try {
    switch (url.pathname) {
      case '/api/overview':
        sendJson(
          res,
          200,
          withDb(store, (db) => overview(db, input)),
        );
        return true;
      case '/api/series': {
        const q = url.searchParams;
        const until = q.get('until');
        const query = { domain: q.get('domain') ?? '', since: q.get('since') ?? '15m', ...(until ? { until } : {}) };
        sendJson(
          res,
          200,
          withDb(store, (db) => domainSeries(db, query)),
        );
        return true;
      }
      default:
        return false;
    }
  } catch (e) {
    if (!(e instanceof SeriesQueryError)) throw e;
    sendJson(res, e.status, { error: e.message });
    return true;
  }
}
