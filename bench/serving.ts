// (g) The agent's HTTP side under load, against the real agent as a child process: a simulated
// host of N domains sampled every second, its database holding two days of one-second ticks for
// two more domains (what worst-case history requests read), and four phases of load on loopback,
// each a fixed time: 1000 clients scraping /metrics as fast as they are answered; four clients
// asking worst-case history questions over and over; both at once; 1000 connections each sending
// ten pipelined requests and never reading an answer. Per phase: the worst gap between two ticks
// (from the database's own monotonic tick times, so any agent build can be measured, before or
// after), the agent's peak RSS, and what the clients got. Stops itself; everything on 127.0.0.1.

import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { createSimHost, type SimCgroup, type SimKind } from '../src/sim/simulate.js';
import { openDatabase } from '../src/store/db.js';
import { buildSecondsHistory } from './history-db.js';

const log = (s: string) => process.stderr.write(s + '\n');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ServingOptions {
  kind: SimKind;
  /** The simulated KVM host's cgroup layout (default v2). */
  cgroup?: SimCgroup;
  domains: number;
  /** Seconds each phase lasts. */
  seconds: number;
  /** Hours of one-second history written before the agent starts (two synthetic domains). */
  historyHours: number;
  /** The command that runs the agent: node flags and a script (bin/domstat.cjs of any build). */
  node: string[];
  script: string;
  label: string;
  treeBase: string;
}

export interface PhaseRow {
  phase: string;
  ticks: number;
  worstGapMs: number;
  rssPeakMiB: number;
  metrics: { ok: number; other: Record<string, number>; p50: number; p99: number; max: number };
  history: { ok: number; other: Record<string, number>; p50: number; max: number };
}

export interface ServingRow {
  label: string;
  kind: SimKind;
  domains: number;
  seconds: number;
  historyTicks: number;
  /** VmHWM at the end: the agent's peak RSS over its whole run. */
  hwmMiB: number;
  phases: PhaseRow[];
  errors: string[];
}

const KEYS12 = [
  'cpu.time',
  'balloon.rss',
  'net.0.rx.bytes',
  'net.0.tx.bytes',
  'net.1.rx.bytes',
  'net.1.tx.bytes',
  'block.0.rd.bytes',
  'block.0.wr.bytes',
  'block.1.rd.bytes',
  'block.1.wr.bytes',
  'vcpu.0.time',
  'vcpu.1.time',
].join(',');

/**
 * The four worst cases: the reports' 12 keys over 47 h at 1 ms steps, 48 copies of one key, values
 * (decoded) rather than rates, and the most points over two hours.
 */
function historyPaths(hours: number): string[] {
  const since = `${Math.max(1, hours - 1)}h`;
  return [
    `/api/history?domain=q-0000&keys=${KEYS12}&since=${since}&step=1ms&rate=1`,
    `/api/history?domain=q-0001&keys=${Array(48).fill('net.0.rx.bytes').join(',')}&since=${since}&step=1ms&rate=1`,
    `/api/history?domain=q-0000&keys=${KEYS12}&since=${since}&step=1ms&rate=0`,
    `/api/history?domain=q-0001&keys=${KEYS12}&since=2h&step=1ms&points=5000&rate=0`,
  ];
}

/** What Prometheus sends with a scrape (it takes gzip). */
const SCRAPER = { 'accept-encoding': 'gzip', accept: 'text/plain;version=0.0.4;q=0.9,*/*;q=0.1' };

function status(pid: number): { rss: number; hwm: number } | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
    return { rss: Number(/^VmRSS:\s+(\d+)/m.exec(s)?.[1]) / 1024, hwm: Number(/^VmHWM:\s+(\d+)/m.exec(s)?.[1]) / 1024 };
  } catch {
    return null;
  }
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
};

interface Clients {
  ok: number;
  other: Record<string, number>;
  ms: number[];
}

/** `n` clients asking for `paths` (in turn) until `until`; each waits for its answer before asking again. */
async function clients(port: number, n: number, paths: string[], until: number, timeoutMs: number, headers: Record<string, string> = {}): Promise<Clients> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: n });
  const out: Clients = { ok: 0, other: {}, ms: [] };
  const one = (p: string) =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = http.get({ host: '127.0.0.1', port, path: p, agent, timeout: timeoutMs, headers }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) {
            out.ok++;
            out.ms.push(performance.now() - t0);
          } else out.other[String(res.statusCode)] = (out.other[String(res.statusCode)] ?? 0) + 1;
          resolve();
        });
        res.on('error', () => resolve());
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e: NodeJS.ErrnoException) => {
        const k = e.message === 'timeout' ? 'timed out' : (e.code ?? 'error');
        out.other[k] = (out.other[k] ?? 0) + 1;
        setTimeout(resolve, 50);
      });
    });
  await Promise.all(
    Array.from({ length: n }, async (_, k) => {
      for (let i = k; performance.now() < until; i++) await one(paths[i % paths.length]!);
    }),
  );
  agent.destroy();
  return out;
}

/** `n` connections, each sending `depth` pipelined requests and never reading; held until `until`. */
async function pipelined(port: number, n: number, depth: number, until: number): Promise<Clients> {
  const socks: net.Socket[] = [];
  const out: Clients = { ok: 0, other: {}, ms: [] };
  const req = `GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`.repeat(depth);
  for (let i = 0; i < n; i++) {
    const s = net.connect({ host: '127.0.0.1', port });
    s.pause(); // never read: answers pile up in the socket buffers and the server's memory
    s.on('error', (e: NodeJS.ErrnoException) => void (out.other[e.code ?? 'error'] = (out.other[e.code ?? 'error'] ?? 0) + 1));
    s.on('connect', () => s.write(req));
    socks.push(s);
  }
  while (performance.now() < until) await sleep(200);
  out.ok = socks.filter((s) => !s.destroyed).length;
  for (const s of socks) s.destroy();
  return out;
}

export async function servingBench(o: ServingOptions): Promise<ServingRow> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'domstat-bench-serving-'));
  const tree = fs.mkdtempSync(path.join(o.treeBase, 'domstat-bench-serving-'));
  const row: ServingRow = { label: o.label, kind: o.kind, domains: o.domains, seconds: o.seconds, historyTicks: 0, hwmMiB: 0, phases: [], errors: [] };
  const dbFile = path.join(dir, 'agent.db');
  const t0 = performance.now();
  const seconds = Math.round(o.historyHours * 3600);
  buildSecondsHistory(dbFile, 2, seconds, Date.now() - 1000);
  row.historyTicks = seconds;
  log(`  (g) ${o.label}: ${o.historyHours} h of one-second history for 2 domains written in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const firstId = Number(readOne(dbFile, 'SELECT max(id) FROM tick') ?? 0);
  const sim = createSimHost({ dir: path.join(tree, 'host'), domains: o.domains, kind: o.kind, cgroup: o.cgroup ?? 'v2', maxOpenFiles: 1024 });
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...o.node, o.script, 'agent', '--root', sim.dir, '--db', dbFile, '--interval', '1', '--quiet', '--listen', `127.0.0.1:${port}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.resume();
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    for (const l of s.split('\n')) if (l.trim() !== '' && !/domain\(s\): |serving http|first tick stored/.test(l)) row.errors.push(l.trim().slice(0, 200));
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let last = performance.now();
  const advance = setInterval(() => {
    const now = performance.now();
    sim.advance((now - last) / 1000);
    last = now;
  }, 1000);
  let rssMax = 0;
  const rssTimer = setInterval(() => {
    const s = status(child.pid!);
    if (s !== null) rssMax = Math.max(rssMax, s.rss);
  }, 100);
  try {
    // Up: /metrics answers 200 (the first tick is in).
    const upBy = performance.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`agent exited: ${row.errors.join('; ')}`);
      if (performance.now() > upBy) throw new Error('agent did not serve within 120 s');
      const ok = await fetch(`http://127.0.0.1:${port}/metrics`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      await sleep(250);
    }
    await sleep(3000);
    const hist = historyPaths(o.historyHours);
    const phases: [string, (until: number) => Promise<[Clients | null, Clients | null]>][] = [
      ['idle', async (until) => (await sleep(until - performance.now()), [null, null])],
      ['1000 /metrics clients', async (until) => [await clients(port, 1000, ['/metrics'], until, 60_000, SCRAPER), null]],
      ['4 worst-case history clients', async (until) => [null, await clients(port, 4, hist, until, 120_000)]],
      ['both', async (until) => Promise.all([clients(port, 1000, ['/metrics'], until, 60_000, SCRAPER), clients(port, 4, hist, until, 120_000)])],
      ['1000 connections × 10 pipelined, never read', async (until) => [await pipelined(port, 1000, 10, until), null]],
    ];
    for (const [name, run] of phases) {
      const fromId = Number(readOne(dbFile, 'SELECT max(id) FROM tick'));
      rssMax = 0;
      const until = performance.now() + o.seconds * 1000;
      const [m, h] = await run(until);
      // Requests still running when the phase ends are abandoned; let the agent finish with them.
      await sleep(2000);
      const monos = readAll(dbFile, 'SELECT mono FROM tick WHERE id > ? ORDER BY id', Math.max(fromId, firstId) - 1).map(Number);
      const gaps = monos.slice(1).map((x, i) => x - monos[i]!);
      const summary = (c: Clients | null) =>
        c === null
          ? { ok: 0, other: {}, p50: NaN, p99: NaN, max: NaN }
          : { ok: c.ok, other: c.other, p50: pct(c.ms, 0.5), p99: pct(c.ms, 0.99), max: pct(c.ms, 1) };
      const p: PhaseRow = { phase: name, ticks: monos.length, worstGapMs: Math.max(0, ...gaps), rssPeakMiB: rssMax, metrics: summary(m), history: summary(h) };
      row.phases.push(p);
      log(
        `  (g) ${o.label} ${name}: ${p.ticks} ticks, worst gap ${p.worstGapMs} ms, RSS peak ${p.rssPeakMiB.toFixed(0)} MiB; ` +
          `/metrics ${p.metrics.ok} ok ${JSON.stringify(p.metrics.other)}; history ${p.history.ok} ok ${JSON.stringify(p.history.other)}`,
      );
    }
    row.hwmMiB = status(child.pid!)?.hwm ?? NaN;
  } finally {
    clearInterval(advance);
    clearInterval(rssTimer);
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
    sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(tree, { recursive: true, force: true });
  }
  return row;
}

function readOne(file: string, sql: string): unknown {
  const db = openDatabase(file, { readonly: true });
  try {
    return db.prepare(sql).pluck().get();
  } finally {
    db.close();
  }
}

function readAll(file: string, sql: string, ...params: unknown[]): unknown[] {
  const db = openDatabase(file, { readonly: true });
  try {
    return db
      .prepare(sql)
      .pluck()
      .all(...params);
  } finally {
    db.close();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

const f = (x: number) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '–');
const others = (o: Record<string, number>) =>
  Object.entries(o)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ') || '–';

/** The report's table. */
export function servingTable(rows: ServingRow[]): string[] {
  const out: string[] = [];
  const L = (line: string) => void out.push(line);
  L(
    '| agent | phase | ticks | worst tick gap | RSS peak | /metrics answered (p50 / p99 / max ms) | /metrics not answered | history answered (p50 / max ms) | history not answered |',
  );
  L('|---|---|---:|---:|---:|---|---|---|---|');
  for (const r of rows)
    for (const p of r.phases)
      L(
        `| ${r.label} | ${p.phase} | ${p.ticks} | ${p.worstGapMs} ms | ${p.rssPeakMiB.toFixed(0)} MiB | ${p.metrics.ok} (${f(p.metrics.p50)} / ${f(p.metrics.p99)} / ${f(p.metrics.max)}) | ${others(p.metrics.other)} | ${p.history.ok} (${f(p.history.p50)} / ${f(p.history.max)}) | ${others(p.history.other)} |`,
      );
  return out;
}
