// The page's routes on the agent's HTTP server, in-process: /api/overview is overview.ts's answer,
// /api/series gives one domain's history over a range with only the keys it has values for (the
// rates the test moved the counters at), its errors, and the shared modules under /js/.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StatsServer } from '../../src/export/http-server.js';
import { ReadOnlyStore } from '../../src/export/read-store.js';
import { servedFrom } from '../helpers/served.js';
import { exportInputOf } from '../../src/export/records.js';
import { overview } from '../../src/export/overview.js';
import { domainSeries, MAX_POINTS, stepFor, type DomainSeries } from '../../src/export/domain-series.js';
import { openDatabase } from '../../src/store/db.js';
import { buildHistory } from '../helpers/agent-history.js';
import { COL, CounterFile, NetDev, cpuacctUsage, privateTree } from '../helpers/moving.js';
import { REPO } from '../helpers/cli.js';
import { isoSeconds } from '../../src/export/page-state.js';

t.test('stepFor: every tick while they fit, then 1-2-5 steps, rollup tiers for long ranges', async (t) => {
  const H = 3600_000;
  t.equal(stepFor(15 * 60_000, 900), 2, '15 minutes of 1 s ticks: 2 s steps (450 rows)');
  t.equal(MAX_POINTS, 720, 'at most 720 rows');
  t.equal(stepFor(15 * 60_000, 90), undefined, '15 minutes of 10 s ticks: every tick');
  t.equal(stepFor(H, 3600), 5, 'an hour of 1 s ticks: 5 s steps (720 rows)');
  t.equal(stepFor(2 * H, 720), undefined, 'two hours of 10 s ticks: every tick');
  t.equal(stepFor(2 * H, 7200), 10);
  t.equal(stepFor(6 * H, 2160), 60, 'six hours: minute rollups');
  t.equal(stepFor(24 * H, 8640), 120, 'a day: two-minute steps from the minute rollups');
  t.equal(stepFor(7 * 24 * H, 60480), 3600, 'a week: hour rollups');
  t.equal(stepFor(30 * 24 * H, 1), 3600, 'thirty days: hours (720 rows)');
  t.equal(stepFor(2 * 365 * 24 * H, 1), 172800, 'two years: two days per row');
});

t.test('the page routes', async (t) => {
  const root = privateTree(t, 'kvm-cgroup1-systemd');
  const net = new NetDev(path.join(root, 'proc/net/dev'));
  const cpu = new CounterFile(cpuacctUsage(root, 'alpha'));
  // alpha: 0.5 cores, vnet0 guest rx 3000 B/s; ticks 2 s apart.
  const h = await buildHistory(t, root, {
    ticks: 8,
    stepMs: 2000,
    bump: (k) => {
      cpu.setFromBase(BigInt(k) * 1_000_000_000n);
      net.setFromBase('vnet0', COL.TX_BYTES, BigInt(6000 * k)).write();
    },
  });
  const input = exportInputOf(h.agent.latest!);
  const server = new StatsServer({ tick: servedFrom(() => input), store: new ReadOnlyStore(h.dbFile) });
  const at = await server.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => server.close());
  const base = `http://127.0.0.1:${at.port}`;
  const db = openDatabase(h.dbFile, { readonly: true });
  t.teardown(() => db.close());

  const o = await fetch(`${base}/api/overview`);
  t.equal(o.status, 200);
  t.equal(o.headers.get('content-type'), 'application/json; charset=utf-8');
  t.same(await o.json(), JSON.parse(JSON.stringify(overview(db, input))), "/api/overview: overview.ts's answer");

  const first = h.times[0]!;
  const last = h.times[h.times.length - 1]!;
  const q = new URLSearchParams({ domain: 'alpha', since: isoSeconds(first), until: new Date(last).toISOString() });
  const r = await fetch(`${base}/api/series?${q}`);
  t.equal(r.status, 200);
  const twice = await fetch(`${base}/api/series?domain=alpha&domain=beta`);
  t.equal(twice.status, 400, 'a parameter given twice: 400, as /api/history');
  t.match(await twice.text(), /domain: given 2 times/);
  const s = (await r.json()) as DomainSeries;
  t.same([s.tier, s.step, s.since, s.until], ['raw', null, Math.floor(first / 1000) * 1000, last], 'raw ticks over the range asked');
  t.same(s.times, h.times, 'a row per tick');
  const keys = s.series.map((x) => x.key);
  for (const k of [
    'state.state',
    'cpu.time',
    'balloon.rss',
    'vcpu.0.time',
    'vcpu.1.delay',
    'net.0.rx.bytes',
    'net.2.tx.pkts',
    'block.0.rd.bytes',
    'block.0.capacity',
  ])
    t.ok(keys.includes(k), `has ${k}`);
  t.notOk(keys.includes('block.1.rd.bytes'), 'no series for the file-backed disk vdb (no host counters)');
  t.notOk(keys.includes('vcpu.1.wait'), 'no vcpu.1.wait (the kernel keeps no wait_sum for it)');
  t.notOk(
    s.series.some((x) => x.values.every((v) => v === null)),
    'every series holds a value',
  );
  const series = (key: string) => s.series.find((x) => x.key === key)!;
  t.same(series('cpu.time').values.slice(1), new Array(7).fill(500_000_000), 'cpu.time: 0.5e9 ns/s from the second tick on');
  t.same(series('cpu.time').unit, 'ns/s');
  t.same(series('net.0.rx.bytes').values.slice(1), new Array(7).fill(3000), 'vnet0 guest rx: 3000 B/s');
  t.same([series('net.0.rx.bytes').device, series('net.0.rx.bytes').unit, series('net.0.rx.bytes').type], ['vnet0', 'bytes/s', 'counter']);
  t.same(series('balloon.rss').values, new Array(8).fill(4004096), 'balloon.rss: a gauge, its value (KiB)');
  t.same(series('block.0.capacity').values[0], 1050018 * 512, "vda's capacity (size × 512): an attribute, its value");

  // The same through the function, and a relative range.
  t.same(domainSeries(db, { domain: 'alpha', since: isoSeconds(first), until: new Date(last).toISOString() }), s);
  const rel = domainSeries(db, { domain: '1a1a1a1a-0001-4000-8000-000000000001', since: '1h' }, last + 1000);
  t.same([rel.since, rel.until, rel.times], [last + 1000 - 3600_000, last + 1000, h.times], 'by uuid, the last hour');

  const err = async (qs: string, status: number, message: RegExp) => {
    const e = await fetch(`${base}/api/series?${qs}`);
    t.equal(e.status, status, `${qs}: ${status}`);
    t.match(((await e.json()) as { error: string }).error, message);
  };
  await err('domain=nobody', 404, /no history for domain 'nobody'/);
  await err('domain=alpha&since=yesterday', 400, /since: not a time: 'yesterday'/);
  await err('domain=alpha&since=2026-12-07T10:00:00Z&until=2026-12-07T09:00:00Z', 400, /until must be after since/);

  const js = await fetch(`${base}/js/units.js`);
  t.equal(js.status, 200);
  t.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  const text = await js.text();
  t.equal(text, fs.readFileSync(path.join(REPO, 'dist/export/units.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n'), 'the compiled module');
  t.match(text, /export function formatValue/);
  t.notMatch(text, /sourceMappingURL/, 'without its source map comment (maps are not shipped)');
  for (const m of ['series-names', 'chart-families', 'page-state']) t.equal((await fetch(`${base}/js/${m}.js`)).status, 200, `/js/${m}.js`);
  for (const p of ['/js/overview.js', '/js/http-server.js', '/js/../cli/main.js', '/js/units.ts', '/api/nope'])
    t.equal((await fetch(`${base}${p}`)).status, 404, `${p}: not found`);
});
