// domstat's benchmark, on simulated hosts (src/sim). Run with `npm run bench`; never part of
// npm test. Prints a markdown report and writes it to bench/results.md.
//
//   (a) tick time, split into read+parse (Sampler.sample) and store (HistoryWriter.write)
//   (b) a raw read of exactly the files one tick reads (kept descriptors, one pread each, no
//       parsing), and the tick's collect time divided by it
//   (c) bytes per stored value at raw resolution (dbstat pages of the *_sample tables)
//   (d) a 24-hour history query at 1-minute steps from a day of minute rollups
//   (e) the real `domstat agent` as a child process: RSS and CPU time per tick
//   (f) one-shot commands (`domstat domstats`, `domstat list`) against a bare `node -e 0`
//
// Options: --sizes 10,100,1000  --kinds xen,kvm  --ticks 30  --skip-agent  --agent-seconds 65
//          --oneshot-runs 30  --out bench/results.md

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createSimHost, type SimHost, type SimKind } from '../src/sim/simulate.js';
import { openFileLimit } from '../src/sim/files.js';
import { Rng } from '../src/sim/rng.js';
import { Connection } from '../src/stats/connection.js';
import { readInventory } from '../src/domains/inventory.js';
import { defaultReadAheadFrom, Sampler } from '../src/agent/sampler.js';
import { defaultMaxOpenFiles } from '../src/agent/agent.js';
import { openDatabase, type Db } from '../src/store/db.js';
import { HistoryWriter, KEYFRAME_MS } from '../src/store/writer.js';
import { HistoryReader } from '../src/store/history.js';
import { rollupUpsertSql, type Tier } from '../src/store/rollup.js';
import { KINDS, type Kind } from '../src/store/key-map.js';
import { main } from '../src/cli/main.js';
import type { HostFs } from '../src/host/hostfs.js';
import { oneShotBench, oneShotTable } from './oneshot.js';

const HERE = path.dirname(fileURLToPath(import.meta.url)); // dist-bench/bench
const REPO = path.resolve(HERE, '../..');
const AGENT_CHILD = path.join(HERE, 'agent-child.js');
/** The node flags the installed command runs the agent with (bin/domstat.js's shebang, as npm start). */
const AGENT_NODE_FLAGS =
  /^#!\/usr\/bin\/env -S node(.*)$/m
    .exec(fs.readFileSync(path.join(REPO, 'bin/domstat.js'), 'utf8'))?.[1]
    ?.trim()
    .split(/\s+/)
    .filter(Boolean) ?? [];
/** The agent's default descriptor budget (AgentOptions.maxOpenFiles), and its old fixed value. */
const AGENT_MAX_OPEN = defaultMaxOpenFiles();
const OLD_MAX_OPEN = 8192;
const FD_LIMIT = openFileLimit() ?? 1024;
/** Descriptors the simulator keeps for its in-place updates (the rest are opened per write). */
const SIM_MAX_OPEN = Math.min(1024, Math.floor(FD_LIMIT / 16));
const WARM = 5;

// ---- options ----------------------------------------------------------------------------------

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const SIZES = (arg('--sizes') ?? '10,100,1000').split(',').map(Number);
const KINDS_RUN = (arg('--kinds') ?? 'xen,kvm').split(',') as SimKind[];
const TICKS = Number(arg('--ticks') ?? 30);
const SKIP_AGENT = process.argv.includes('--skip-agent');
/**
 * How long the agent child is watched: over a minute, so the window holds the agent's first
 * minute close (its hour rollups come into being) and its first 60-second rescan of the
 * definitions, the moments its memory peaks; a shorter window measures luck.
 */
const AGENT_SECONDS = Number(arg('--agent-seconds') ?? 65);
const OUT = path.resolve(REPO, arg('--out') ?? 'bench/results.md');
const ONESHOT_RUNS = Number(arg('--oneshot-runs') ?? 30);
/**
 * Between ticks the simulator's young garbage is swept (a scavenge, not a full collection: the
 * agent never runs a full GC before a tick, and one leaves the heap cold for the next).
 */
const gcHook = (globalThis as { gc?: (o?: { type: 'minor' | 'major' }) => void }).gc;
const gc = () => gcHook?.({ type: 'minor' });

// ---- helpers ----------------------------------------------------------------------------------

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => {
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const p95 = (xs: number[]) => {
  const s = sorted(xs);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]!;
};
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const kindName = (k: SimKind) => (k === 'xen' ? 'Xen' : 'KVM (cgroup v2)');
const log = (s: string) => process.stderr.write(s + '\n');

/**
 * Host trees go on tmpfs when there is one (/proc and /sys are in-memory file systems too, and a
 * disk file system's metadata costs would measure the disk, not domstat); databases stay on the
 * disk file system of os.tmpdir(), where an agent's database would be. BENCH_TREE_DIR overrides.
 */
const TREE_BASE = process.env.BENCH_TREE_DIR ?? (fs.existsSync('/dev/shm') && fs.statSync('/dev/shm').isDirectory() ? '/dev/shm' : os.tmpdir());

function tmpDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `domstat-bench-${tag}-`));
}

function treeDir(tag: string): string {
  return fs.mkdtempSync(path.join(TREE_BASE, `domstat-bench-${tag}-`));
}

interface Rig {
  dir: string;
  treeDir: string;
  sim: SimHost;
  conn: Connection;
  db: Db;
  dbFile: string;
  writer: HistoryWriter;
  sampler: Sampler;
}

/** A simulated host, and domstat's agent pieces on it, set up as Agent.open() does. */
function rig(kind: SimKind, domains: number, tag: string): Rig {
  const dir = tmpDir(tag);
  const tree = treeDir(tag);
  const t0 = performance.now();
  const sim = createSimHost({ dir: path.join(tree, 'host'), domains, kind, maxOpenFiles: SIM_MAX_OPEN });
  log(`  ${kind} ${domains}: host tree written in ${((performance.now() - t0) / 1000).toFixed(1)} s (${sim.counterFiles} counter files)`);
  const conn = new Connection({ root: sim.dir });
  conn.fs.keepOpen(AGENT_MAX_OPEN);
  conn.setInventory(readInventory(conn.fs));
  const dbFile = path.join(dir, 'bench.db');
  const db = openDatabase(dbFile);
  const writer = new HistoryWriter(db);
  // As the agent samples: with the read-ahead thread where the agent would start one.
  const sampler = new Sampler(conn, writer.map, { hostname: 'bench-host', readAheadFrom: defaultReadAheadFrom() });
  return { dir, treeDir: tree, sim, conn, db, dbFile, writer, sampler };
}

async function teardown(r: Rig): Promise<void> {
  await r.sampler.close();
  r.conn.fs.closeAll();
  r.db.close();
  r.sim.close();
  fs.rmSync(r.dir, { recursive: true, force: true });
  fs.rmSync(r.treeDir, { recursive: true, force: true });
}

/** Records the host paths one call reads (and counts stat-like calls), without changing behaviour. */
function recordReads<T>(hfs: HostFs, fn: () => T): { result: T; reads: string[]; stats: number } {
  const reads: string[] = [];
  let stats = 0;
  const target = hfs as unknown as Record<string, unknown>;
  const proto = Object.getPrototypeOf(hfs) as Record<string, (...a: unknown[]) => unknown>;
  // readText() reads through readBytes(), so this sees every read.
  target.readBytes = function (this: HostFs, p: string, max?: number) {
    reads.push(p);
    return proto.readBytes!.call(this, p, max);
  };
  for (const m of ['isDir', 'exists', 'stamp', 'realHostPath', 'readDir', 'statfsType', 'blockDeviceNumber']) {
    target[m] = function (this: HostFs, ...a: unknown[]) {
      stats++;
      return proto[m]!.apply(this, a);
    };
  }
  try {
    return { result: fn(), reads, stats };
  } finally {
    for (const m of ['readBytes', 'isDir', 'exists', 'stamp', 'realHostPath', 'readDir', 'statfsType', 'blockDeviceNumber']) delete target[m];
  }
}

// ---- (a) + (b) ticks and raw read ---------------------------------------------------------------

interface TickRow {
  kind: SimKind;
  domains: number;
  reads: number;
  files: number;
  stats: number;
  values: number;
  problems: number;
  collect: number[];
  /** CPU time of the whole process (both threads) during each collect. */
  collectCpu: number[];
  /** Reads the read-ahead thread served in a tick (the last one measured). */
  readsAhead: number;
  /** Collect times with the main thread reading alone (no read-ahead thread). */
  collectOneThread: number[];
  store: number[];
  tick: number[];
  raw: number[];
  /** Collect times with the old fixed budget of 8192 descriptors, when a tick reads more files. */
  collectOldBudget?: number[];
}

async function tickBench(kind: SimKind, domains: number): Promise<TickRow> {
  const r = rig(kind, domains, `tick-${kind}-${domains}`);
  const row: TickRow = {
    kind,
    domains,
    reads: 0,
    files: 0,
    stats: 0,
    values: 0,
    problems: 0,
    collect: [],
    collectCpu: [],
    readsAhead: 0,
    collectOneThread: [],
    store: [],
    tick: [],
    raw: [],
  };
  let ts = Math.floor(Date.now() / KEYFRAME_MS) * KEYFRAME_MS + 1000;
  let reads: string[] = [];
  const runTicks = (n: number, into: number[] | null) => {
    for (let i = 0; i < n; i++) {
      r.sim.advance(1);
      gc(); // the simulator's garbage is not the agent's
      const t0 = performance.now();
      if (i === 1 && into === null) {
        // Recorded on a connection of its own: patching the measured HostFs would slow its reads.
        const conn = new Connection({ root: r.sim.dir });
        conn.fs.keepOpen(0);
        conn.setInventory(readInventory(conn.fs));
        // Its second tick: the first also works out the sampling plan (cgroup paths, backend
        // directories), which a steady tick does not repeat.
        const sampler = new Sampler(conn, r.writer.map, { hostname: 'bench-host' });
        sampler.sample(ts);
        const rec = recordReads(conn.fs, () => sampler.sample(ts));
        conn.fs.closeAll();
        reads = rec.reads;
        row.stats = rec.stats;
      }
      const cpu0 = process.cpuUsage();
      const s = r.sampler.sample(ts);
      const t1 = performance.now();
      const cpu = process.cpuUsage(cpu0);
      const w = r.writer.write({ ts, collectUs: s.collectUs, domains: s.samples });
      const t2 = performance.now();
      ts += 1000;
      if (into !== null) into.push(t1 - t0);
      else if (i >= WARM) {
        row.collect.push(t1 - t0);
        row.collectCpu.push((cpu.user + cpu.system) / 1000);
        row.readsAhead = r.sampler.readsAhead;
        row.store.push(t2 - t1);
        row.tick.push(t2 - t0);
        row.values = w.values;
        row.problems = Math.max(row.problems, s.problems.length);
      }
      if (i === 0 && r.sampler.careful > 0) log(`  warning: ${r.sampler.careful} domain(s) sampled through their driver, not the plan`);
      if (i === 0 && s.problems.length > 0) log(`  warning: ${s.problems.length} problem(s), first: ${s.problems[0]!.domain}: ${s.problems[0]!.message}`);
    }
  };
  runTicks(WARM + TICKS, null);
  row.reads = reads.length;
  const distinct = [...new Set(reads)];
  row.files = distinct.length;

  // The main thread reading alone (the agent on a one-CPU host): collect only, same descriptors.
  const alone = new Sampler(r.conn, r.writer.map, { hostname: 'bench-host' });
  for (let i = 0; i < WARM + TICKS; i++) {
    r.sim.advance(1);
    gc();
    const t0 = performance.now();
    alone.sample(ts);
    if (i >= WARM) row.collectOneThread.push(performance.now() - t0);
  }

  // A pass with the old fixed budget of 8192 descriptors, when a tick reads more files.
  if (distinct.length > OLD_MAX_OPEN) {
    r.conn.fs.closeAll();
    r.conn.fs.keepOpen(OLD_MAX_OPEN);
    row.collectOldBudget = [];
    runTicks(WARM, []);
    runTicks(TICKS, row.collectOldBudget);
  }

  // (b) raw read of the same files: descriptors kept, one pread at offset 0 each, no parsing.
  r.conn.fs.closeAll();
  if (distinct.length + SIM_MAX_OPEN + 256 > FD_LIMIT) {
    log(`  ${kind} ${domains}: raw read skipped: ${distinct.length} descriptors do not fit the open-file limit ${FD_LIMIT}`);
    row.raw.push(NaN);
    await teardown(r);
    return row;
  }
  const fds = distinct.map((p) => fs.openSync(r.conn.fs.real(p), 'r'));
  const buf = Buffer.allocUnsafe(4 << 20);
  let bytes = 0;
  for (let i = 0; i < WARM + TICKS; i++) {
    r.sim.advance(1);
    gc();
    bytes = 0;
    const t0 = performance.now();
    for (const fd of fds) {
      let off = 0;
      for (;;) {
        const n = fs.readSync(fd, buf, off, buf.length - off, off);
        off += n;
        if (n === 0 || off < buf.length) break;
      }
      bytes += off;
    }
    const t1 = performance.now();
    if (i >= WARM) row.raw.push(t1 - t0);
  }
  for (const fd of fds) fs.closeSync(fd);
  log(
    `  ${kind} ${domains}: collect ${ms(median(row.collect))} ms (main thread alone ${ms(median(row.collectOneThread))}), store ${ms(median(row.store))} ms, raw read ${ms(median(row.raw))} ms (${row.files} files, ${(bytes / 1024).toFixed(0)} KiB)`,
  );
  await teardown(r);
  return row;
}

// ---- (c) bytes per stored value ----------------------------------------------------------------

interface SizeRow {
  kind: SimKind;
  domains: number;
  ticks: number;
  stepS: number;
  values: number;
  writerValues: number;
  rows: number;
  baseRows: number;
  bytes: number;
  payload: number;
  tickTableBytes: number;
}

async function bytesPerValue(kind: SimKind, domains: number, ticks: number, stepS: number): Promise<SizeRow> {
  const r = rig(kind, domains, `size-${kind}-${stepS}`);
  let ts = Math.floor(Date.now() / KEYFRAME_MS) * KEYFRAME_MS - ticks * stepS * 1000;
  ts = Math.floor(ts / KEYFRAME_MS) * KEYFRAME_MS;
  let writerValues = 0;
  let rows = 0;
  for (let i = 0; i < ticks; i++) {
    r.sim.advance(stepS);
    const s = r.sampler.sample(ts);
    const w = r.writer.write({ ts, collectUs: s.collectUs, domains: s.samples });
    writerValues += w.values;
    rows += w.rows;
    ts += stepS * 1000;
  }
  r.db.pragma('wal_checkpoint(TRUNCATE)');
  const tables = KINDS.map((k) => `${k}_sample`);
  let values = 0;
  let baseRows = 0;
  for (const k of KINDS) {
    const cols = r.writer.map.columns[k].map((c) => `(${c.col} IS NOT NULL)`).join(' + ');
    values += Number(r.db.prepare(`SELECT coalesce(sum(${cols}), 0) FROM ${k}_sample`).pluck().get() as bigint);
    baseRows += Number(r.db.prepare(`SELECT count(*) FROM ${k}_sample WHERE dt_ms IS NULL`).pluck().get() as bigint);
  }
  const stat = r.db
    .prepare(`SELECT name, sum(pgsize) AS bytes, sum(payload) AS payload FROM dbstat WHERE name IN (${tables.map(() => '?').join(',')}) GROUP BY name`)
    .all(...tables) as { name: string; bytes: bigint; payload: bigint }[];
  const tick = r.db.prepare(`SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN ('tick', 'tick_ts')`).pluck().get() as bigint;
  const out: SizeRow = {
    kind,
    domains,
    ticks,
    stepS,
    values,
    writerValues,
    rows,
    baseRows,
    bytes: stat.reduce((s, x) => s + Number(x.bytes), 0),
    payload: stat.reduce((s, x) => s + Number(x.payload), 0),
    tickTableBytes: Number(tick),
  };
  log(
    `  ${kind} ${domains} x ${ticks} ticks at ${stepS} s: ${(out.bytes / out.values).toFixed(2)} bytes/value (${values} values, ${baseRows} base rows of ${rows})`,
  );
  await teardown(r);
  return out;
}

// ---- (d) 24-hour query ----------------------------------------------------------------------------

interface QueryRow {
  domains: number;
  rollupRows: number;
  dbBytes: number;
  points: number;
  query: number[];
  cli: number[];
  buildS: number;
}

async function queryBench(domains: number): Promise<QueryRow> {
  const t0 = performance.now();
  const r = rig('xen', domains, 'query');
  const now = Date.now();
  const dayAgo = now - 86400_000;
  // Two real ticks create the domains and devices as the agent would.
  for (let i = 0; i < 2; i++) {
    r.sim.advance(10);
    const s = r.sampler.sample(dayAgo - 60_000 + i * 10_000);
    r.writer.write({ ts: dayAgo - 60_000 + i * 10_000, collectUs: s.collectUs, domains: s.samples });
  }
  r.writer.flushRollups();
  r.db.exec(
    'DELETE FROM domain_1m; DELETE FROM host_1m; DELETE FROM vcpu_1m; DELETE FROM net_1m; DELETE FROM block_1m; DELETE FROM domain_1h; DELETE FROM host_1h; DELETE FROM vcpu_1h; DELETE FROM net_1h; DELETE FROM block_1h;',
  );
  // A day of rollups, as the writer makes them from 10 s ticks: n = 6, secs = 60 per minute.
  const devices = r.db.prepare('SELECT id, kind FROM device ORDER BY id').all() as { id: bigint; kind: Kind }[];
  const rng = new Rng(42);
  const upsert = {} as Record<Tier, Record<Kind, ReturnType<Db['prepare']>>>;
  for (const tier of ['1m', '1h'] as Tier[]) {
    upsert[tier] = {} as Record<Kind, ReturnType<Db['prepare']>>;
    for (const k of KINDS) upsert[tier][k] = r.db.prepare(rollupUpsertSql(k, tier, r.writer.map.columns[k]));
  }
  const first = Math.floor(dayAgo / 60_000) * 60;
  const last = Math.floor(now / 60_000) * 60;
  let rollupRows = 0;
  r.db
    .transaction(() => {
      for (const dev of devices) {
        const cols = r.writer.map.columns[dev.kind];
        const rate = cols.map(() => rng.logRange(1, 1e7));
        const reading = cols.map((_, i) => Math.round(rate[i]! * rng.range(1e4, 1e6)));
        const gauge = cols.map(() => Math.round(rng.logRange(1, 1e9)));
        const hour = new Map<number, { n: number; secs: number; sum: number[]; min: number[]; max: number[]; last: number[] }>();
        for (let b = first; b <= last; b += 60) {
          const row: (number | null)[] = [b, Number(dev.id), 6, 60];
          const h = hour.get(Math.floor(b / 3600) * 3600) ?? {
            n: 0,
            secs: 0,
            sum: cols.map(() => 0),
            min: cols.map(() => Infinity),
            max: cols.map(() => 0),
            last: cols.map(() => 0),
          };
          hour.set(Math.floor(b / 3600) * 3600, h);
          h.n += 6;
          h.secs += 60;
          cols.forEach((c, i) => {
            if (c.type === 'counter') {
              const rt = rate[i]! * rng.jitter(0.3);
              const d = Math.round(rt * 60);
              reading[i]! += d;
              const lo = rt * rng.range(0.5, 1);
              const hi = rt * rng.range(1, 1.5);
              row.push(d, lo, hi, reading[i]!);
              h.sum[i]! += d;
              h.min[i] = Math.min(h.min[i]!, lo);
              h.max[i] = Math.max(h.max[i]!, hi);
              h.last[i] = reading[i]!;
            } else {
              const g = gauge[i]!;
              row.push(g, g, g, g);
              h.min[i] = g;
              h.max[i] = g;
              h.last[i] = g;
            }
          });
          upsert['1m'][dev.kind].run(row);
          rollupRows++;
        }
        for (const [b, h] of hour) {
          const row: (number | null)[] = [b, Number(dev.id), h.n, h.secs];
          cols.forEach((c, i) =>
            c.type === 'counter' ? row.push(h.sum[i]!, h.min[i]!, h.max[i]!, h.last[i]!) : row.push(h.min[i]!, h.max[i]!, h.min[i]!, h.last[i]!),
          );
          upsert['1h'][dev.kind].run(row);
          rollupRows++;
        }
      }
    })
    .immediate();
  r.db.pragma('wal_checkpoint(TRUNCATE)');
  const dbFile = r.dbFile;
  await r.sampler.close();
  r.conn.fs.closeAll();
  r.sim.close();
  r.db.close();
  fs.rmSync(r.treeDir, { recursive: true, force: true });
  const buildS = (performance.now() - t0) / 1000;

  const domain = 'sim-0042';
  const ro = openDatabase(dbFile, { readonly: true });
  const q = () => new HistoryReader(ro).query({ domain, keys: ['net.0.rx.bytes'], since: now - 86400_000, until: now, stepS: 60, rate: true });
  q();
  q();
  const query: number[] = [];
  let points = 0;
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    const res = q();
    query.push(performance.now() - t);
    points = res.times.length;
  }
  ro.close();
  // The same through the command line, in-process (open, query, format; no node start-up).
  const sink = { out: () => {}, err: (s: string) => log(`  history: ${s.trim()}`) };
  const argv = ['history', '--db', dbFile, domain, 'net.0.rx.bytes', '--rate', '--since', '24h', '--step', '1m'];
  const cli: number[] = [];
  for (let i = 0; i < 22; i++) {
    const t = performance.now();
    await main(argv, sink);
    if (i >= 2) cli.push(performance.now() - t);
  }
  const dbBytes = fs.statSync(dbFile).size;
  fs.rmSync(r.dir, { recursive: true, force: true });
  log(
    `  24 h query: ${ms(median(query))} ms for ${points} points (CLI ${ms(median(cli))} ms); database built in ${buildS.toFixed(1)} s, ${rollupRows} rollup rows`,
  );
  return { domains, rollupRows, dbBytes, points, query, cli, buildS };
}

// ---- (e) the agent as a child process -----------------------------------------------------------

interface AgentRow {
  kind: SimKind;
  domains: number;
  startupS: number;
  ticks: number;
  rssMaxMiB: number;
  rssLastMiB: number;
  cpuMsPerTick: number;
  tickMs: number[];
  collectMs: number[];
  storeMs: number[];
  errors: string[];
}

const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

function procStat(pid: number): { cpuTicks: number; rssKiB: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuTicks = Number(rest[11]) + Number(rest[12]); // fields 14 and 15
    const status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
    const rssKiB = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
    return { cpuTicks, rssKiB };
  } catch {
    return null;
  }
}

async function agentBench(kind: SimKind, domains: number, seconds: number): Promise<AgentRow> {
  const dir = tmpDir(`agent-${kind}`);
  const tree = treeDir(`agent-${kind}`);
  const sim = createSimHost({ dir: path.join(tree, 'host'), domains, kind, maxOpenFiles: Math.min(4096, Math.floor(FD_LIMIT / 4)) });
  const dbFile = path.join(dir, 'agent.db');
  const row: AgentRow = {
    kind,
    domains,
    startupS: 0,
    ticks: 0,
    rssMaxMiB: 0,
    rssLastMiB: 0,
    cpuMsPerTick: NaN,
    tickMs: [],
    collectMs: [],
    storeMs: [],
    errors: [],
  };
  const started = performance.now();
  const child = spawn(process.execPath, [...AGENT_NODE_FLAGS, AGENT_CHILD, 'agent', '--root', sim.dir, '--db', dbFile, '--interval', '1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let firstTick = 0;
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const m = /tick ([\d.]+) ms \(collect ([\d.]+), store ([\d.]+)\)/.exec(line);
      if (m === null) continue;
      row.ticks++;
      if (firstTick === 0) firstTick = performance.now();
      row.tickMs.push(Number(m[1]));
      row.collectMs.push(Number(m[2]));
      row.storeMs.push(Number(m[3]));
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    for (const l of s.split('\n')) if (l.trim() !== '' && !/ \d+ domain\(s\): /.test(l)) row.errors.push(l.trim().slice(0, 200));
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let last = performance.now();
  const advance = setInterval(() => {
    const now = performance.now();
    sim.advance((now - last) / 1000);
    last = now;
  }, 1000);
  // Wait for the first tick (start-up: inventory of every domain, first resolution).
  while (firstTick === 0 && performance.now() - started < 120_000 && child.exitCode === null) await sleep(100);
  row.startupS = (firstTick - started) / 1000;
  await sleep(3000);
  const a = procStat(child.pid!);
  const ticksA = row.ticks;
  const end = performance.now() + seconds * 1000;
  let b = a;
  while (performance.now() < end) {
    await sleep(1000);
    const s = procStat(child.pid!);
    if (s === null) break;
    b = s;
    row.rssMaxMiB = Math.max(row.rssMaxMiB, s.rssKiB / 1024);
    row.rssLastMiB = s.rssKiB / 1024;
  }
  const ticksB = row.ticks;
  if (a !== null && b !== null && ticksB > ticksA) row.cpuMsPerTick = ((b.cpuTicks - a.cpuTicks) * 10) / (ticksB - ticksA);
  child.kill('SIGTERM');
  await exited;
  clearInterval(advance);
  sim.close();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(tree, { recursive: true, force: true });
  // Steady state only: drop the ticks before the measurement window.
  for (const k of ['tickMs', 'collectMs', 'storeMs'] as const) row[k] = row[k].slice(Math.min(ticksA, row[k].length - 1));
  log(
    `  agent ${kind} ${domains}: start-up ${row.startupS.toFixed(1)} s, RSS max ${row.rssMaxMiB.toFixed(0)} MiB, CPU ${row.cpuMsPerTick.toFixed(1)} ms/tick over ${ticksB - ticksA} ticks`,
  );
  return row;
}

// ---- report ---------------------------------------------------------------------------------------

async function run(): Promise<void> {
  const startedAt = new Date();
  log(`domstat bench: sizes ${SIZES.join(', ')}; kinds ${KINDS_RUN.join(', ')}; ${TICKS} ticks after ${WARM} warm-up`);
  log('(a)+(b) ticks and raw read');
  const ticks: TickRow[] = [];
  for (const kind of KINDS_RUN) for (const n of SIZES) ticks.push(await tickBench(kind, n));

  log('(c) bytes per stored value');
  const sizes: SizeRow[] = [];
  for (const kind of KINDS_RUN) {
    sizes.push(await bytesPerValue(kind, 100, 360, 1));
    sizes.push(await bytesPerValue(kind, 100, 360, 10));
  }

  log('(d) 24-hour query');
  const query = await queryBench(100);

  const agents: AgentRow[] = [];
  if (!SKIP_AGENT) {
    log('(e) the agent as a child process');
    for (const kind of KINDS_RUN) agents.push(await agentBench(kind, 1000, AGENT_SECONDS));
  }

  log('(f) one-shot commands');
  const oneShot = oneShotBench(ONESHOT_RUNS);

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const lines: string[] = [];
  const L = (s = '') => lines.push(s);
  L('# domstat benchmark results');
  L();
  L(
    `${startedAt.toISOString()} · node ${process.version} · ${os.cpus().length} × ${cpu} · ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB · ${os.platform()} ${os.release()}`,
  );
  L(
    `Simulated host trees (\`src/sim\`) in ${TREE_BASE}, databases in ${os.tmpdir()}; Xen: 2 disks + 2 vifs per domain; KVM (cgroup v2): 2 vCPUs, 2 taps, 2 block-backed disks per domain.`,
  );
  L(
    `Ticks: ${TICKS} after ${WARM} warm-up, counters advanced by 1 s between ticks; descriptors kept as the agent does by default (${AGENT_MAX_OPEN} here). Times in ms. Load average at the start: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}.`,
  );
  L();
  L('## (a) Tick time: read+parse (Sampler.sample) and store (HistoryWriter.write)');
  L();
  L(
    `Collect as the agent does it: with the read-ahead thread once a tick reads ${defaultReadAheadFrom()} files or more (this host: ${os.availableParallelism()} CPUs). "CPU" is the whole process's CPU time during the collect, both threads.`,
  );
  L();
  L(
    '| host | domains | files/tick | read by the 2nd thread | values/tick | collect median | collect p95 | collect CPU median | store median | store p95 | tick median | tick p95 | µs/domain (median tick) |',
  );
  L('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const t of ticks) {
    L(
      `| ${kindName(t.kind)} | ${t.domains} | ${t.files} | ${t.readsAhead} | ${t.values} | ${ms(median(t.collect))} | ${ms(p95(t.collect))} | ${ms(median(t.collectCpu))} | ${ms(median(t.store))} | ${ms(p95(t.store))} | ${ms(median(t.tick))} | ${ms(p95(t.tick))} | ${((median(t.tick) * 1000) / t.domains).toFixed(0)} |`,
    );
  }
  const probs = ticks.filter((t) => t.problems > 0);
  if (probs.length > 0) L(`\nProblems reported by the sampler: ${probs.map((t) => `${t.kind} ${t.domains}: ${t.problems}`).join(', ')}.`);
  L();
  L('## (b) Raw read of the same files (descriptors kept, one pread at offset 0 each, no parsing)');
  L();
  L('The raw read is one thread, as a plain reader would do it; "main thread alone" is domstat\'s collect without the read-ahead thread (a one-CPU host).');
  L();
  L(
    `| host | domains | files | stat-like calls/tick | raw read median | raw p95 | collect ÷ raw (medians) | collect, main thread alone | ÷ raw | collect with the old fixed budget of ${OLD_MAX_OPEN} descriptors | ÷ raw |`,
  );
  L('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const t of ticks) {
    const old = t.collectOldBudget;
    const alone = median(t.collectOneThread);
    L(
      `| ${kindName(t.kind)} | ${t.domains} | ${t.files} | ${t.stats} | ${ms(median(t.raw))} | ${ms(p95(t.raw))} | ${(median(t.collect) / median(t.raw)).toFixed(2)}× | ${ms(alone)} | ${(alone / median(t.raw)).toFixed(2)}× | ${old ? ms(median(old)) : '(same: all kept)'} | ${old ? `${(median(old) / median(t.raw)).toFixed(1)}×` : ''} |`,
    );
  }
  L();
  L('## (c) Bytes per stored value at raw resolution (100 domains, 360 ticks)');
  L();
  L('| host | tick interval | values stored (non-NULL) | base rows / rows | *_sample pages (bytes) | bytes/value | payload bytes/value | + tick table |');
  L('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of sizes) {
    L(
      `| ${kindName(s.kind)} | ${s.stepS} s | ${s.values} | ${s.baseRows} / ${s.rows} | ${s.bytes} | ${(s.bytes / s.values).toFixed(2)} | ${(s.payload / s.values).toFixed(2)} | ${((s.bytes + s.tickTableBytes) / s.values).toFixed(2)} |`,
    );
  }
  L();
  L('## (d) 24-hour history query at 1-minute steps (net.0.rx.bytes --rate, one domain of 100)');
  L();
  L('| database | rows returned | HistoryReader.query median | p95 | `domstat history … --since 24h --step 1m --rate` in-process median | p95 |');
  L('|---|---:|---:|---:|---:|---:|');
  L(
    `| ${query.domains} domains, ${query.rollupRows} rollup rows, ${(query.dbBytes / 2 ** 20).toFixed(1)} MiB (built in ${query.buildS.toFixed(1)} s) | ${query.points} | ${ms(median(query.query))} | ${ms(p95(query.query))} | ${ms(median(query.cli))} | ${ms(p95(query.cli))} |`,
  );
  if (agents.length > 0) {
    L();
    L(
      `## (e) The agent as a child process (\`node ${AGENT_NODE_FLAGS.join(' ')} domstat agent --interval 1\`, as installed; ${AGENT_SECONDS} s after 3 s of warm-up)`,
    );
    L();
    L(
      '| host | domains | start-up to first tick | ticks measured | RSS max | RSS at end | CPU per tick | tick median (agent) | collect median | store median |',
    );
    L('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const a of agents) {
      L(
        `| ${kindName(a.kind)} | ${a.domains} | ${a.startupS.toFixed(1)} s | ${a.tickMs.length} | ${a.rssMaxMiB.toFixed(0)} MiB | ${a.rssLastMiB.toFixed(0)} MiB | ${a.cpuMsPerTick.toFixed(1)} ms | ${ms(median(a.tickMs))} | ${ms(median(a.collectMs))} | ${ms(median(a.storeMs))} |`,
      );
    }
    const errs = agents.flatMap((a) => a.errors.map((e) => `${a.kind}: ${e}`));
    if (errs.length > 0) L(`\nAgent messages: ${errs.slice(0, 5).join('; ')}`);
  }

  L();
  L(`## (f) One-shot commands against node's own start-up (wall time, ${ONESHOT_RUNS} interleaved runs each)`);
  L();
  L('The installed command as a user runs it (`bin/domstat.js` through its first line); the tree is the libvirt 9 capture.');
  L();
  for (const line of oneShotTable(oneShot)) L(line);

  // Targets.
  const find = (k: SimKind, n: number) => ticks.find((t) => t.kind === k && t.domains === n);
  const verdict = (ok: boolean | null) => (ok === null ? 'not measured' : ok ? 'met' : '**missed**');
  L();
  L('## Targets');
  L();
  L('| target | measured | verdict |');
  L('|---|---|---|');
  for (const k of KINDS_RUN) {
    const t = find(k, 1000);
    const ratio = t ? median(t.collect) / median(t.raw) : NaN;
    const alone = t ? median(t.collectOneThread) / median(t.raw) : NaN;
    L(
      `| collect ≤ 1.5× raw read at 1000 domains (${kindName(k)}) | ${t ? `${ratio.toFixed(2)}× (main thread alone ${alone.toFixed(2)}×)` : '-'} | ${verdict(t ? ratio <= 1.5 : null)} |`,
    );
  }
  const x = find('xen', 1000);
  L(
    `| 1000-domain Xen tick (collect + store) ≤ 40 ms | ${x ? `median ${ms(median(x.tick))} ms, p95 ${ms(p95(x.tick))} ms` : '-'} | ${verdict(x ? median(x.tick) <= 40 : null)} |`,
  );
  L(`| 24 h query ≤ 50 ms | median ${ms(median(query.query))} ms (CLI ${ms(median(query.cli))} ms) | ${verdict(median(query.query) <= 50)} |`);
  // virsh domstats took ~47 ms on the lab host, where node -e 0 took ~60 ms: 2x virsh is ~1.6x node.
  const domstats = median(oneShot[3]!.ms);
  const bare = median(oneShot[0]!.ms);
  L(
    `| \`domstat domstats\` ≤ 2× \`virsh domstats\` (~95 ms where node starts in ~60 ms: ≤ 1.6× \`node -e 0\`) | ${ms(domstats)} ms, ${(domstats / bare).toFixed(2)}× node's ${ms(bare)} ms | ${verdict(domstats / bare <= 1.6)} |`,
  );
  for (const a of agents)
    L(`| agent RSS ≤ 120 MB at 1000 domains (${kindName(a.kind)}) | max ${a.rssMaxMiB.toFixed(0)} MiB | ${verdict(a.rssMaxMiB * 1.048576 <= 120)} |`);
  for (const s of sizes.filter((s) => s.stepS === 1))
    L(`| ≤ 6 bytes per stored value (${kindName(s.kind)}, 1 s ticks) | ${(s.bytes / s.values).toFixed(2)} | ${verdict(s.bytes / s.values <= 6)} |`);
  L();
  L('Profile a tick: `npm run bench -- --sizes 10 --skip-agent` builds dist-bench, then');
  L(
    '`node --cpu-prof --cpu-prof-dir=/tmp/prof dist-bench/bench/profile-tick.js xen 1000 && node dist-bench/bench/cpuprofile-summary.js /tmp/prof/*.cpuprofile`.',
  );
  const text = lines.join('\n') + '\n';
  process.stdout.write('\n' + text);
  fs.writeFileSync(OUT, text);
  log(`written to ${path.relative(REPO, OUT)}`);
}

await run();
