// The agent's HTTP side: /metrics for Prometheus (the latest tick, rendered once per tick), a small
// web page at / with live and historical charts (uPlot), and the JSON it draws from. It takes plain
// data (a ServedTick, a database file to read) and knows nothing of the agent; the agent runs it on
// a thread of its own (serving.ts), so no request ever holds up a tick.
//
// Bounded everywhere a client could make it grow: connections, requests waiting on one connection,
// history queries waiting and the bytes of their answers not yet taken, header and request time.
// Requests for a Host that is not this agent's are refused (DNS rebinding); client errors are 4xx
// with the reason, never 500.

import * as http from 'node:http';
import * as fs from 'node:fs';
import type { Socket } from 'node:net';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE, wantsOpenMetrics } from './prometheus.js';
import { DomstatError, messageOf, UsageError } from '../common/errors.js';
import { ApiError, HISTORY_LIMITS, historyAnswer, historyParams, type HistoryLimits } from './history-api.js';
import { HostAllowList, hostName, isAllowHostName } from './host-allow.js';
import { acceptQ } from './accept.js';
import type { ServedTick } from './tick-cache.js';
import type { ReadOnlyStore } from './read-store.js';
import { serveWebModule, webQuery, WEB_QUERIES } from './web-routes.js';
import { SeriesQueryError } from './domain-series.js';

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

export interface ServerLimits {
  /** Open connections; more are refused at once. */
  maxConnections: number;
  /** Requests one connection may have waiting for their answers (pipelined); beyond: 429 and the connection is closed. */
  maxQueuedPerConnection: number;
  /** Time for a request's headers, and for the whole request, ms (slow senders). */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** A connection with nothing moving either way this long is closed (clients that never read). */
  idleTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** History queries (/api/history, the page's /api/series and /api/overview) waiting to run; more get 503. */
  historyQueue: number;
  /** Bytes of their answers not yet taken by their clients; more queries get 503 until they are. */
  historyBytes: number;
  history: HistoryLimits;
}

export const SERVER_LIMITS: ServerLimits = {
  maxConnections: 1024,
  maxQueuedPerConnection: 8,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  historyQueue: 8,
  historyBytes: 32 * 1024 * 1024,
  history: HISTORY_LIMITS,
};

export interface StatsServerOptions {
  tick: ServedTick;
  /** The history database, read over a read-only connection of the server's own. */
  store: ReadOnlyStore;
  /** Host names answered besides loopback names, IP addresses, the listen address and this host's name. */
  allowHosts?: readonly string[];
  /** This host's name (os.hostname(); tests pass their own). */
  hostname?: string;
  limits?: Partial<ServerLimits>;
  /** Trouble worth a line in the agent's log (a bug in a handler), each said once by the caller. */
  log?: (message: string) => void;
}

const require = createRequire(import.meta.url);
const UPLOT_DIR = path.dirname(require.resolve('uplot/package.json'));
const PAGE = fileURLToPath(new URL('../../src/export/web-page.html', import.meta.url));
const FILES: Record<string, [file: string, type: string]> = {
  '/': [PAGE, 'text/html; charset=utf-8'],
  '/uplot.min.js': [path.join(UPLOT_DIR, 'dist', 'uPlot.iife.min.js'), 'text/javascript; charset=utf-8'],
  '/uplot.min.css': [path.join(UPLOT_DIR, 'dist', 'uPlot.min.css'), 'text/css; charset=utf-8'],
};

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

/** A query waiting its turn: its answer (a JSON value) is worked out when it runs. */
interface Pending {
  res: http.ServerResponse;
  socket: Socket;
  route: string;
  answer: () => unknown;
}

export class StatsServer {
  private server: http.Server | null = null;
  private allow: HostAllowList | null = null;
  readonly limits: ServerLimits;
  private readonly queued = new WeakMap<Socket, number>();
  private readonly historyWaiting: Pending[] = [];
  private historyRunning = false;
  private historyUnsent = 0;
  private readonly files = new Map<string, { mtimeMs: number; body: Buffer }>();

  constructor(private readonly opts: StatsServerOptions) {
    this.limits = { ...SERVER_LIMITS, ...opts.limits, history: { ...SERVER_LIMITS.history, ...opts.limits?.history } };
  }

  listen(l: Listen): Promise<Listen> {
    const lim = this.limits;
    this.allow = new HostAllowList([l.host, ...(this.opts.hostname !== undefined ? [this.opts.hostname] : []), ...(this.opts.allowHosts ?? [])]);
    const server = http.createServer(
      {
        headersTimeout: lim.headersTimeoutMs,
        requestTimeout: lim.requestTimeoutMs,
        // How often the two time-outs above are checked (node's default is every 30 s).
        connectionsCheckingInterval: Math.max(100, Math.min(1000, lim.headersTimeoutMs / 4)),
        maxHeaderSize: 16 * 1024,
      },
      (req, res) => this.request(req, res),
    );
    server.maxConnections = lim.maxConnections;
    server.keepAliveTimeout = lim.keepAliveTimeoutMs;
    // A socket idle this long is destroyed (no 'timeout' listener): a client that never reads its
    // answers stops holding them.
    server.timeout = lim.idleTimeoutMs;
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => reject(new ServeError(listenError(l, e))));
      // The queue of connections not yet accepted holds as many as may be open: a burst of
      // scrapers connecting at once waits its turn instead of having its SYNs dropped and retried
      // 1, 3, 7, 15 s later (node's default is 511; the kernel caps it at net.core.somaxconn).
      server.listen({ port: l.port, host: l.host, backlog: lim.maxConnections }, () => {
        const a = server.address();
        resolve({ host: l.host, port: typeof a === 'object' && a !== null ? a.port : l.port });
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.server === null) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Every request: the per-connection bound first, then Host, method and route. */
  private request(req: http.IncomingMessage, res: http.ServerResponse): void {
    const socket = req.socket;
    const waiting = (this.queued.get(socket) ?? 0) + 1;
    this.queued.set(socket, waiting);
    res.once('close', () => this.queued.set(socket, (this.queued.get(socket) ?? 1) - 1));
    if (waiting > this.limits.maxQueuedPerConnection) {
      // A client pipelining without reading: this answer costs nothing to make, and it ends the
      // connection (node writes no answer queued behind it and reads no more requests).
      this.send(res, 429, TEXT, `too many requests waiting on one connection (at most ${this.limits.maxQueuedPerConnection})\n`, { connection: 'close' });
      return;
    }
    try {
      this.handle(req, res);
    } catch (e) {
      this.opts.log?.(`http: ${req.method} ${(req.url ?? '').slice(0, 200)}: ${messageOf(e)}`);
      if (!res.headersSent) this.send(res, 500, TEXT, 'internal error (see the agent log)\n');
      else res.destroy();
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    // Two Host headers are a bad request (RFC 9112, 3.2); node would keep the first.
    if (req.rawHeaders.filter((_, i) => i % 2 === 0 && /^host$/i.test(req.rawHeaders[i]!)).length > 1) {
      this.send(res, 400, TEXT, 'more than one Host header\n');
      return;
    }
    // An absolute-form target names its host itself (RFC 9112, 3.2.2): that name is the one checked.
    const absolute = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(req.url ?? '');
    const host = absolute !== null ? absolute[1]!.replace(/^.*@/, '') : req.headers.host; // without any userinfo
    if (!this.allow!.allows(host)) {
      const name = String(host).slice(0, 100);
      // The advice only for a name --allow-host would take (not for '', 'a b' or '[::1').
      const bare = hostName(name);
      const advice = bare !== null && isAllowHostName(bare) ? `; start it with --allow-host ${bare} to allow that name` : ': not a host name';
      this.send(res, 421, TEXT, `this agent does not answer for Host '${name}'${advice}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      this.send(res, 405, TEXT, 'only GET and HEAD\n', { allow: 'GET, HEAD' });
      return;
    }
    let url: URL;
    try {
      // An origin-form target is a path: '//metrics' must not read as a host named 'metrics'.
      const target = req.url ?? '/';
      url = new URL(target.startsWith('/') ? `http://localhost${target}` : target);
    } catch {
      this.send(res, 400, TEXT, 'not a valid request target\n');
      return;
    }
    switch (url.pathname) {
      case '/metrics': {
        const om = wantsOpenMetrics(req.headers.accept);
        const gzip = acceptsGzip(req.headers['accept-encoding']);
        const body = this.opts.tick.metrics(om, gzip);
        if (body === null) this.send(res, 503, TEXT, 'no tick sampled yet\n', { 'retry-after': '1' });
        else
          this.send(
            res,
            200,
            om ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE,
            body,
            gzip ? { 'content-encoding': 'gzip', vary: 'accept-encoding' } : { vary: 'accept-encoding' },
          );
        return;
      }
      case '/api/domains':
        this.send(res, 200, JSON_TYPE, this.opts.tick.domains(), { 'cache-control': 'no-store' });
        return;
      case '/api/history':
        this.history(req.socket, res, url.searchParams);
        return;
      default: {
        if (WEB_QUERIES.has(url.pathname)) {
          this.enqueue({
            res,
            socket: req.socket,
            route: url.pathname,
            answer: () => webQuery(url, this.opts.tick.latest, this.opts.store, this.limits.history.timeoutMs),
          });
          return;
        }
        const f = FILES[url.pathname];
        if (f === undefined && serveWebModule(url, res)) return;
        if (f === undefined) this.send(res, 404, TEXT, 'not found\n');
        else this.send(res, 200, f[1], this.file(f[0]), { 'cache-control': 'no-cache' });
      }
    }
  }

  /** A static file, read again only when it changed. */
  private file(file: string): Buffer {
    const mtimeMs = fs.statSync(file).mtimeMs;
    const hit = this.files.get(file);
    if (hit !== undefined && hit.mtimeMs === mtimeMs) return hit.body;
    const body = fs.readFileSync(file);
    this.files.set(file, { mtimeMs, body });
    return body;
  }

  private history(socket: Socket, res: http.ServerResponse, query: URLSearchParams): void {
    const now = Date.now();
    try {
      historyParams(query, now, this.limits.history); // malformed: 400 now, not after the queue
    } catch (e) {
      if (e instanceof ApiError) return this.sendError(res, e.status, e.message);
      throw e;
    }
    this.enqueue({
      res,
      socket,
      route: '/api/history',
      answer: () => {
        const db = this.opts.store.get();
        if (db === null) throw new ApiError(503, `history: ${this.opts.store.problem ?? 'no database'}`);
        return historyAnswer(db, historyParams(query, now, this.limits.history), this.limits.history);
      },
    });
  }

  /**
   * Queries that read the history wait their turn: one runs at a time, with other requests served
   * between them, each within the history's time limit, and one whose client has gone is skipped.
   */
  private enqueue(p: Pending): void {
    if (this.historyWaiting.length >= this.limits.historyQueue || this.historyUnsent > this.limits.historyBytes) {
      this.sendError(p.res, 503, 'history: busy with other queries; try again shortly', { 'retry-after': '1' });
      return;
    }
    this.historyWaiting.push(p);
    if (!this.historyRunning) {
      this.historyRunning = true;
      setImmediate(() => this.historyNext());
    }
  }

  private historyNext(): void {
    const p = this.historyWaiting.shift();
    if (p === undefined) {
      this.historyRunning = false;
      return;
    }
    try {
      if (!p.res.destroyed && !p.socket.destroyed) this.historyOne(p);
    } catch (e) {
      this.opts.log?.(`http: ${p.route}: ${messageOf(e)}`);
      if (!p.res.headersSent) this.sendError(p.res, 500, 'history: internal error (see the agent log)');
    }
    setImmediate(() => this.historyNext());
  }

  private historyOne(p: Pending): void {
    let body: unknown;
    try {
      body = p.answer();
    } catch (e) {
      if (e instanceof ApiError || e instanceof SeriesQueryError)
        return this.sendError(p.res, e.status, e.message, e.status === 503 ? { 'retry-after': '10' } : {});
      throw e;
    }
    const bytes = Buffer.from(JSON.stringify(body));
    const size = bytes.length;
    this.historyUnsent += size;
    // Taken, or never to be: an answer queued behind one that closed the connection gets no
    // 'close' of its own, so the socket's counts too. Whichever comes first removes the other's
    // listener: a kept-alive connection asking again and again would otherwise gather one per
    // answer on its socket (each holding its answer's bytes) until it closed.
    let counted = true;
    const done = () => {
      if (!counted) return;
      counted = false;
      this.historyUnsent -= size;
      p.res.off('close', done);
      p.socket.off('close', done);
    };
    p.res.once('close', done);
    p.socket.once('close', done);
    this.send(p.res, 200, JSON_TYPE, bytes, { 'cache-control': 'no-store' });
  }

  private sendError(res: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
    this.send(res, status, JSON_TYPE, JSON.stringify({ error: message }) + '\n', { 'cache-control': 'no-store', ...headers });
  }

  private send(res: http.ServerResponse, status: number, type: string, body: Buffer | string, headers: Record<string, string> = {}): void {
    const b = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { 'content-type': type, 'content-length': String(b.length), ...headers }).end(b);
  }
}

/** Whether an Accept-Encoding takes gzip (and does not refuse it with q=0). */
export function acceptsGzip(header: string | undefined): boolean {
  return acceptQ(header, ['gzip', 'x-gzip']) > 0;
}

/** The agent cannot serve: its --listen address is unusable, or the serving thread did not start. */
export class ServeError extends DomstatError {
  readonly code = 'SERVE' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ServeError';
  }
}

/** A listen failure in domstat's words. */
export function listenError(l: Listen, e: NodeJS.ErrnoException): string {
  const at = `--listen ${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}`;
  switch (e.code) {
    case 'EADDRINUSE':
      return `${at}: the address is in use (another agent, or another program, listens there)`;
    case 'EACCES':
      return `${at}: permission denied (a port below 1024 needs privileges)`;
    case 'EADDRNOTAVAIL':
      return `${at}: this host has no such address`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${at}: cannot resolve the host name`;
    default:
      return `${at}: ${e.message}`;
  }
}
