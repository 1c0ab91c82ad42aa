// The agent's HTTP side: /metrics for Prometheus (from the latest tick, never a fresh read), a
// small web page at / with live and historical charts (uPlot), and the JSON it draws from.
// Loopback only unless --listen names another address.

import * as http from 'node:http';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPENMETRICS_CONTENT_TYPE, renderMetrics, TEXT_CONTENT_TYPE, wantsOpenMetrics, type ExportInput } from './prometheus.js';
import { openDatabase } from '../store/db.js';
import { HistoryReader } from '../store/history.js';
import { HistoryError } from '../store/errors.js';
import { toJson } from './json.js';
import { timeRange } from '../common/time.js';
import { messageOf, UsageError } from '../common/errors.js';

export interface Listen {
  host: string;
  port: number;
}

/** "9177", ":9177" (all addresses), "127.0.0.1:9177", "[::1]:9177". */
export function parseListen(s: string): Listen {
  // The host part, when present, ends with a colon: "9177" is a port, not host "917" + port 7.
  const m = /^(?:(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):)?([0-9]{1,5})$/.exec(s.trim());
  if (m === null) throw new UsageError(`--listen: expected [HOST:]PORT, got '${s}'`);
  const port = Number(m[3]);
  if (port > 65535) throw new UsageError(`--listen: port out of range: ${port}`);
  const host = m[1] ?? (m[2] === undefined ? '127.0.0.1' : m[2] === '' ? '0.0.0.0' : m[2]);
  return { host, port };
}

const require = createRequire(import.meta.url);
const UPLOT_DIR = path.dirname(require.resolve('uplot/package.json'));
const PAGE = fileURLToPath(new URL('../../src/export/web-page.html', import.meta.url));

export class StatsServer {
  private server: http.Server | null = null;

  constructor(
    /** The latest tick, or null before the first. */
    private readonly latest: () => ExportInput | null,
    private readonly dbFile: string,
  ) {}

  listen(l: Listen): Promise<Listen> {
    this.server = http.createServer((req, res) => {
      try {
        this.handle(req, res);
      } catch (e) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`error: ${messageOf(e)}\n`);
      }
    });
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(l.port, l.host, () => {
        const a = this.server!.address();
        resolve({ host: l.host, port: typeof a === 'object' && a !== null ? a.port : l.port });
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server === null ? resolve() : this.server.close(() => resolve())));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    switch (url.pathname) {
      case '/metrics': {
        const input = this.latest();
        if (input === null) {
          res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1' }).end('no tick sampled yet\n');
          return;
        }
        const om = wantsOpenMetrics(req.headers.accept);
        const body = renderMetrics(input, om);
        res.writeHead(200, { 'content-type': om ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE }).end(body);
        return;
      }
      case '/':
        return this.file(res, PAGE, 'text/html; charset=utf-8');
      case '/uplot.min.js':
        return this.file(res, path.join(UPLOT_DIR, 'dist', 'uPlot.iife.min.js'), 'text/javascript; charset=utf-8');
      case '/uplot.min.css':
        return this.file(res, path.join(UPLOT_DIR, 'dist', 'uPlot.min.css'), 'text/css; charset=utf-8');
      case '/api/domains':
        return this.json(res, this.domains());
      case '/api/history':
        return this.json(res, this.history(url.searchParams));
      default:
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    }
  }

  private file(res: http.ServerResponse, file: string, type: string): void {
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' }).end(fs.readFileSync(file));
  }

  private json(res: http.ServerResponse, value: Parameters<typeof toJson>[0]): void {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(toJson(value, 0));
  }

  /** The latest tick's domains, with their devices, for the page's list. */
  private domains() {
    const input = this.latest();
    const recs = input?.records ?? [];
    return {
      ts: input?.ts ?? null,
      domains: recs.map((r) => ({
        name: r.domain.name,
        uuid: r.domain.uuid ?? null,
        state: r.domain.state,
        interfaces: r.domain.interfaces.map((i) => i.target ?? null),
        disks: r.domain.disks.map((d) => d.target ?? null),
      })),
    };
  }

  /**
   * A history query over a read-only connection of its own: the agent's writes are never blocked.
   * Keys the domain has no series for (a file-backed disk's counters, a shut-off domain's CPU, a
   * domain not sampled yet) are left out: the page asks for every chart it might draw.
   */
  private history(q: URLSearchParams) {
    const db = openDatabase(this.dbFile, { readonly: true });
    try {
      const now = Date.now();
      const step = q.get('step');
      const reader = new HistoryReader(db);
      const domain = q.get('domain') ?? '';
      const asked = (q.get('keys') ?? '').split(',').filter((k) => k !== '');
      const none = { tier: null, step: null, times: [], series: [] };
      let keys: string[];
      try {
        const devices = reader.devices(reader.domainId(domain));
        keys = asked.filter((k) => {
          try {
            reader.resolveKey(k, devices);
            return true;
          } catch (e) {
            if (e instanceof HistoryError) return false;
            throw e;
          }
        });
      } catch (e) {
        if (e instanceof HistoryError) return none;
        throw e;
      }
      if (asked.length > 0 && keys.length === 0) return none;
      const r = reader.query({
        domain,
        keys,
        ...timeRange(q.get('since') ?? '15m', undefined, step || undefined, now),
        rate: q.get('rate') === '1',
      });
      return {
        tier: r.tier,
        step: r.stepS,
        times: r.times.map((t) => t / 1000),
        series: r.series.map((s) => ({ key: s.key, device: s.device, unit: s.unit, values: s.values.map((v) => (v === null ? null : Number(v))) })),
      };
    } finally {
      db.close();
    }
  }
}
