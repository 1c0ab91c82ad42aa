// StatsServer in-process: /metrics before and after the first tick, content negotiation, the
// page and its assets, /api/domains, and /api/history over a history the agent wrote with known
// rates (alpha's vnet0: guest rx 2000 bytes/s), including keys a domain has no series for.
import t from 'tap';
import * as path from 'node:path';
import { StatsServer } from '../../src/export/http-server.js';
import { TickCache } from '../../src/export/tick-cache.js';
import { exportInputOf } from '../../src/export/records.js';
import { ReadOnlyStore } from '../../src/export/read-store.js';
import { buildHistory } from '../helpers/agent-history.js';
import { COL, NetDev, privateTree } from '../helpers/moving.js';

interface HistoryJson {
  tier: string | null;
  step: number | null;
  times: number[];
  series: { key: string; device: string | null; unit: string; values: (number | null)[] }[];
}

t.test('StatsServer', async (t) => {
  const root = privateTree(t, 'kvm-cgroup1-systemd');
  const net = new NetDev(path.join(root, 'proc/net/dev'));
  const h = await buildHistory(t, root, { ticks: 5, stepMs: 1000, bump: (k) => net.setFromBase('vnet0', COL.TX_BYTES, BigInt(2000 * k)).write() });

  const latest = new TickCache();
  const server = new StatsServer({ tick: latest, store: new ReadOnlyStore(h.dbFile) });
  const at = await server.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => server.close());
  t.equal(at.host, '127.0.0.1');
  t.ok(at.port > 0, `listening on port ${at.port}`);
  const base = `http://127.0.0.1:${at.port}`;

  const early = await fetch(`${base}/metrics`);
  t.equal(early.status, 503, 'no tick yet: 503');
  t.equal(early.headers.get('retry-after'), '1');
  t.equal(await early.text(), 'no tick sampled yet\n');
  const noDomains = (await (await fetch(`${base}/api/domains`)).json()) as { ts: number | null; domains: unknown[] };
  t.same(noDomains, { ts: null, domains: [] }, '/api/domains before the first tick');

  latest.update(exportInputOf(h.agent.latest!));
  const text = await fetch(`${base}/metrics`);
  t.equal(text.status, 200);
  t.equal(text.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8', 'text format by default');
  const body = await text.text();
  t.ok(
    body.includes(
      `libvirt_domain_interface_stats_receive_bytes_total{domain="alpha",uuid="1a1a1a1a-0001-4000-8000-000000000001",target_device="vnet0"} ${1040009 + 4 * 2000}\n`,
    ),
    'the latest tick, not a fresh read',
  );
  t.ok(body.includes('domstat_ticks_total 5\n'), 'five ticks');
  const om = await fetch(`${base}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
  t.equal(om.headers.get('content-type'), 'application/openmetrics-text; version=1.0.0; charset=utf-8', 'OpenMetrics when asked');
  t.ok((await om.text()).endsWith('\n# EOF\n'));
  const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
  t.equal(head.status, 200, 'HEAD works');
  const post = await fetch(`${base}/metrics`, { method: 'POST' });
  t.equal(post.status, 405, 'POST: 405');
  t.equal(post.headers.get('allow'), 'GET, HEAD');
  const missing = await fetch(`${base}/nope`);
  t.equal(missing.status, 404);
  t.equal(await missing.text(), 'not found\n');

  const page = await fetch(`${base}/`);
  t.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  const html = await page.text();
  t.ok(html.includes('<title>domstat</title>') && html.includes('src="/uplot.min.js"'), 'the page, loading uPlot from the server');
  for (const [p, type] of [
    ['/uplot.min.js', 'text/javascript; charset=utf-8'],
    ['/uplot.min.css', 'text/css; charset=utf-8'],
  ] as const) {
    const r = await fetch(`${base}${p}`);
    t.equal(r.status, 200, `${p} served`);
    t.equal(r.headers.get('content-type'), type);
    t.ok((await r.text()).length > 1000, `${p} is the real file`);
  }

  const doms = (await (await fetch(`${base}/api/domains`)).json()) as {
    ts: number;
    domains: { name: string; uuid: string | null; state: number; interfaces: (string | null)[]; disks: (string | null)[] }[];
  };
  t.equal(doms.ts, h.times[4], 'ts of the latest tick');
  t.same(doms.domains[0], {
    name: 'alpha',
    uuid: '1a1a1a1a-0001-4000-8000-000000000001',
    state: 1,
    interfaces: ['vnet0', 'vnet1', 'macvtap0'],
    disks: ['vda', 'vdb'],
  });
  t.same(
    doms.domains.map((d) => [d.name, d.state]),
    [
      ['alpha', 1],
      ['beta', 1],
      ['delta', 3],
      ['gamma', 5],
    ],
  );

  const history = async (q: string) => {
    const r = await fetch(`${base}/api/history?${q}`);
    t.equal(r.status, 200, `/api/history?${q}: 200`);
    return (await r.json()) as HistoryJson;
  };
  const rx = await history('domain=alpha&keys=net.0.rx.bytes,cpu.time&rate=1');
  t.equal(rx.tier, 'raw');
  t.same(
    rx.times,
    h.times.map((x) => x / 1000),
    'tick times in seconds',
  );
  t.same(
    rx.series,
    [
      { key: 'net.0.rx.bytes', device: 'vnet0', unit: 'bytes/s', values: [null, 2000, 2000, 2000, 2000] },
      { key: 'cpu.time', device: null, unit: 'ns/s', values: [null, 0, 0, 0, 0] },
    ],
    'exact rates',
  );
  const raw = await history('domain=alpha&keys=net.0.rx.bytes');
  t.same(
    raw.series[0]?.values,
    [0, 1, 2, 3, 4].map((k) => 1040009 + 2000 * k),
    'values without rate=1',
  );
  // What the page asks for every domain, whatever it has: keys without a series are left out.
  const disk = await history('domain=alpha&keys=block.0.rd.bytes,block.1.rd.bytes&rate=1');
  t.same(
    disk.series.map((s) => [s.key, s.device]),
    [['block.0.rd.bytes', 'vda']],
    'alpha: vda only (vdb is a qcow2 file without counters)',
  );
  t.same(
    await history('domain=beta&keys=block.0.rd.bytes,block.0.wr.bytes&rate=1'),
    { tier: null, step: null, times: [], series: [] },
    'beta has no disk counters: empty, not an error',
  );
  const gamma = await history('domain=gamma&keys=cpu.time&rate=1');
  t.ok(
    gamma.series.every((s) => s.values.every((v) => v === null)),
    'shut-off gamma: no CPU figures',
  );
  // As `domstat history` refuses them: a domain the history never held, a key no domain can have.
  const refused = async (q: string) => {
    const r = await fetch(`${base}/api/history?${q}`);
    return { status: r.status, body: (await r.json()) as unknown };
  };
  t.same(await refused('domain=nosuch&keys=cpu.time'), { status: 404, body: { error: "domain: no history for domain 'nosuch'" } }, 'unknown domain: 404');
  const vif9 = await history('domain=alpha&keys=cpu.time,net.vif9.0.rx.bytes');
  t.same(
    vif9.series.map((x) => x.key),
    ['cpu.time'],
    'a device name alpha never had: left out, as a device index it never had',
  );
  for (const key of ['nonsense.key', '__proto__', 'net.0.rx.nonsense', 'net.vif9.0.rx.nonsense'])
    t.same(
      await refused(`domain=alpha&keys=cpu.time,${key}`),
      { status: 400, body: { error: `keys: unknown key '${key}' (see domstat history --list)` } },
      `unknown key ${key}: 400`,
    );
  const host = await history('domain=@host&keys=host.mem.available');
  t.equal(host.series[0]?.key, 'host.mem.available', 'the host series');
  const defaults = await history('domain=alpha');
  t.ok(defaults.series.some((s) => s.key === 'net.0.rx.bytes') && defaults.series.some((s) => s.key === 'cpu.time'), 'no keys: the default keys');
});
