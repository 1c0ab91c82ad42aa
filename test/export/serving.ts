// Serving from its own thread, with the agent ticking in-process on virtual clocks: the sampling
// thread holds no server; what is served is the agent's tick, value for value, and the store's
// sizes equal storeStats of the database; ticks go on while the serving thread is stuck (held the
// way a query that never ends would hold it) and while a flood of clients keeps it busy, and every
// tick is served once it arrives; a serving thread that dies is started again on the same port.
// Nothing here waits for a time to pass: it waits for the messages the serving thread sends.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Agent } from '../../src/agent/agent.js';
import { ServingThread } from '../../src/export/serving.js';
import type { FromWorker } from '../../src/export/serve-worker.js';
import { renderMetrics } from '../../src/export/prometheus.js';
import { exportInputOf } from '../../src/export/records.js';
import { openDatabase } from '../../src/store/db.js';
import { storeStats } from '../../src/store/stats.js';
import { capture, copyTree, FakeClocks, setNetDev, tdir } from '../helpers/store.js';
import { find, parseExposition } from '../helpers/prom.js';

const A = Date.parse('2026-01-05T10:00:00Z');
const PROC_STAT = 'cpu  100 2 30 4000 5 6 7 8 0 0\ncpu0 100 2 30 4000 5 6 7 8 0 0\nintr 0\n';
const MEMINFO = 'MemTotal:       16318684 kB\nMemFree:         1000000 kB\nMemAvailable:    8000000 kB\n';

/** An agent on a Xen fixture copy, on virtual clocks, its ticks posted to a serving thread. */
async function rig(t: Test) {
  const root = copyTree(t);
  fs.writeFileSync(path.join(root, 'proc/stat'), PROC_STAT);
  fs.writeFileSync(path.join(root, 'proc/meminfo'), MEMINFO);
  const dbFile = path.join(tdir(t), 'agent.db');
  const clocks = new FakeClocks(A);
  const messages: FromWorker[] = [];
  const waiters: { want: (m: FromWorker) => boolean; resolve: () => void }[] = [];
  const logs: string[] = [];
  let serving: ServingThread | null = null;
  const agent: Agent = new Agent({
    root,
    dbFile,
    intervalMs: 1000,
    quiet: true,
    io: capture(),
    clocks,
    onTick: () => {
      if (agent.latest !== null) serving?.post({ ...agent.latest, cutTiers: agent.cutTiers, storeFile: agent.storeFile });
    },
  });
  await agent.open();
  t.teardown(() => agent.close());
  serving = await ServingThread.start({
    listen: { host: '127.0.0.1', port: 0 },
    dbFile,
    allowHosts: [],
    store: { maxBytes: 1024 ** 3, retentionMs: { raw: 86_400_000, '1m': 7 * 86_400_000, '1h': 30 * 86_400_000 } },
    log: (m) => void logs.push(m),
    onMessage: (m) => {
      messages.push(m);
      for (const w of [...waiters]) {
        if (!w.want(m)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    },
  });
  t.teardown(() => serving!.close());
  /** Resolves at the first message (from now, or already received) that `want` accepts. */
  const next = (want: (m: FromWorker) => boolean) =>
    messages.some(want) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ want, resolve }));
  const ticked = (n: number) => next((m) => m.type === 'ticked' && m.ticks >= n);
  let k = 0;
  /** One tick of the agent, at the next second of virtual time (web1's vif3.0 receiving 1000 bytes each). */
  const tick = () => {
    setNetDev(root, 'vif3.0', 3_000_801n + 1000n * BigInt(k));
    clocks.to(A + 1000 * k++);
    const r = agent.tick();
    if (!r.ok) throw new Error('tick not stored');
    return agent.ticks;
  };
  const base = `http://127.0.0.1:${serving.address.port}`;
  const metrics = async () => (await fetch(`${base}/metrics`)).text();
  return { agent, serving, dbFile, base, tick, ticked, next, messages, logs, metrics };
}

t.test('the sampling thread holds no server; the tick served is the agent’s, and the store’s sizes the database’s', async (t) => {
  const r = await rig(t);
  t.notOk(process.getActiveResourcesInfo().includes('TCPServerWrap'), 'no listening socket on the sampling thread');
  t.equal((await fetch(`${r.base}/metrics`)).status, 503, 'before the first tick: 503');
  r.tick();
  const n = r.tick();
  await r.ticked(n);
  const body = await r.metrics();
  t.match(body, new RegExp(`^domstat_ticks_total ${n}$`, 'm'));
  t.match(
    body,
    /^libvirt_domain_interface_stats_receive_bytes_total\{domain="web1",uuid="3ef03971-0d42-55d8-9c52-4ca0e5e13c45",target_device="vif3.0"\} 3001809$/m,
  );
  const own = renderMetrics(exportInputOf(r.agent.latest!), false);
  const strip = (s: string) =>
    s
      .split('\n')
      .filter((l) => !/^(# (HELP|TYPE) )?domstat_(store|scrape)_/.test(l))
      .join('\n');
  t.equal(strip(body), strip(own), 'line for line what the agent renders in-process (store and render-time lines aside)');
  const doms = (await (await fetch(`${r.base}/api/domains`)).json()) as { ts: number; domains: { name: string }[] };
  t.strictSame([doms.ts, doms.domains.map((d) => d.name)], [A + 1000, ['web1', 'db1', 'win1', 'broken1', 'off1']]);
  const h = (await (
    await fetch(
      `${r.base}/api/history?domain=web1&keys=net.0.rx.bytes,net.0.rx.bytes&rate=1&since=${new Date(A).toISOString()}&until=${new Date(A + 10_000).toISOString()}`,
    )
  ).json()) as {
    series: { key: string; values: (number | null)[] }[];
  };
  t.strictSame(
    h.series.map((s) => [s.key, s.values]),
    [['net.0.rx.bytes', [null, 1000]]],
    'history over the thread’s own connection',
  );

  // The store's sizes, measured on the serving thread, equal storeStats of the database now.
  const before = r.messages.filter((m) => m.type === 'sizes').length;
  r.serving.refreshSizes();
  await r.next((m) => m.type === 'sizes' && r.messages.filter((x) => x.type === 'sizes').length > before);
  const e = parseExposition(await r.metrics(), false);
  const db = openDatabase(r.dbFile, { readonly: true });
  t.teardown(() => db.close());
  const s = storeStats(db);
  const v = (name: string, labels: Record<string, string> = {}) => Number(find(e, name, labels)[0]?.value);
  t.equal(v('domstat_store_file_bytes'), s.fileBytes, `file bytes ${s.fileBytes}`);
  for (const tier of ['raw', '1m', '1h'] as const) {
    t.equal(v('domstat_store_tier_bytes', { tier }), s.tiers[tier].bytes, `${tier} bytes ${s.tiers[tier].bytes}`);
    t.equal(v('domstat_store_tier_buckets', { tier }), s.tiers[tier].buckets, `${tier} buckets ${s.tiers[tier].buckets}`);
  }
  t.equal(v('domstat_store_tier_retention_seconds', { tier: '1m' }), 7 * 86_400);
  t.equal(v('domstat_store_max_bytes'), 1024 ** 3);
});

t.test('ticks go on while the serving thread is stuck, and are served once it is free', async (t) => {
  const r = await rig(t);
  const first = r.tick();
  await r.ticked(first);
  const flag = new Int32Array(new SharedArrayBuffer(4));
  r.serving.hold(flag);
  let answered = false;
  const pending = r.metrics().then((b) => ((answered = true), b));
  for (let i = 0; i < 5; i++) r.tick();
  t.equal(r.agent.ticks, first + 5, 'five ticks sampled, stored and posted while the serving thread is held');
  await new Promise((resolve) => setImmediate(resolve));
  t.notOk(answered, 'and a scrape sent meanwhile is still waiting: the serving thread is the one held');
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  const late = await pending;
  t.match(late, /^domstat_ticks_total \d+$/m, 'the waiting scrape is answered once the thread is free');
  await r.ticked(first + 5);
  t.match(await r.metrics(), new RegExp(`^domstat_ticks_total ${first + 5}$`, 'm'), 'and the latest tick is served');
});

t.test('ticks go on and are served while a flood of clients keeps the serving thread busy', async (t) => {
  const r = await rig(t);
  r.tick();
  await r.ticked(1);
  const since = new Date(A - 3_600_000).toISOString();
  const flood = new Worker(new URL('../helpers/flood-worker.js', import.meta.url), {
    workerData: {
      base: r.base,
      concurrency: 64,
      paths: ['/metrics', '/metrics', '/api/domains', `/api/history?domain=web1&keys=net.0.rx.bytes,cpu.time,block.0.rd.bytes&rate=1&since=${since}&step=1ms`],
    },
  });
  t.teardown(() => flood.terminate());
  const started = new Set<number>();
  const result = new Promise<Record<string, number>>((resolve) =>
    flood.on('message', (m: { started?: number; counts?: Record<string, number> }) => {
      if (m.started !== undefined) started.add(m.started);
      if (m.counts !== undefined) resolve(m.counts);
    }),
  );
  // Every client has had an answer: the flood is on.
  await new Promise<void>((resolve) => {
    const h = setInterval(() => started.size === 64 && (clearInterval(h), resolve()), 10);
  });
  for (let i = 0; i < 10; i++) {
    const n = r.tick();
    await r.ticked(n);
    t.match(await r.metrics(), new RegExp(`^domstat_ticks_total ${n}$`, 'm'), `tick ${n} served during the flood`);
  }
  flood.postMessage('stop');
  const counts = await result;
  const statuses = Object.keys(counts).sort();
  t.ok(
    statuses.every((s) => s === '200' || s === '503'),
    `every flood request answered 200 (or 503 when the history queue was full): ${JSON.stringify(counts)}`,
  );
  t.ok((counts['200'] ?? 0) >= 64, 'the flood got its answers');
});

t.test('a serving thread that dies is started again, on the same port', async (t) => {
  const r = await rig(t);
  r.tick();
  await r.ticked(1);
  const port = r.serving.address.port;
  const again = new Promise<void>((resolve) => {
    const h = setInterval(() => r.logs.includes('http: serving again') && (clearInterval(h), resolve()), 20);
  });
  await (r.serving as unknown as { worker: Worker }).worker.terminate();
  await again;
  t.equal(r.serving.address.port, port);
  t.equal((await fetch(`${r.base}/metrics`)).status, 503, 'a new thread: no tick yet');
  const n = r.tick();
  await r.next((m) => m.type === 'ticked' && m.ticks === n);
  t.match(await r.metrics(), new RegExp(`^domstat_ticks_total ${n}$`, 'm'), 'served again from the next tick on');
});
