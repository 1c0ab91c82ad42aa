// The agent's /metrics scraped by a real Prometheus: counters of a fixture copy move at a steady
// 1000 bytes/s (vnet0's host-side TX column = alpha's guest rx), Prometheus's rate() over 10 s
// and the agent's own history (domstat history --rate) must both see 1000/s and agree.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { BIN, COL, NetDev, freePort, privateTree, sleep, spawnChild, steady, waitFor } from '../helpers/moving.js';
import { parseExposition, find, promtoolCheck } from '../helpers/prom.js';

const RATE = 1000; // bytes per second
const TOL = 0.1;

interface PromVector {
  status: string;
  data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

t.test('Prometheus rate() and domstat history agree on a steady 1000 bytes/s', async (t) => {
  const root = privateTree(t, 'kvm-cgroup1-systemd');
  const dir = path.dirname(root);
  const net = new NetDev(path.join(root, 'proc/net/dev'));
  // The counter is a function of the clock, rewritten every 100 ms: an exact average rate.
  const mover = steady(t, 100, (s) => net.setFromBase('vnet0', COL.TX_BYTES, BigInt(Math.round(RATE * s))).write());

  const agentPort = await freePort();
  const db = path.join(dir, 'agent.db');
  const agent = spawnChild(t, process.execPath, [BIN, 'agent', '--root', root, '--db', db, '--interval', '1', '--listen', `127.0.0.1:${agentPort}`, '--quiet']);
  const base = `http://127.0.0.1:${agentPort}`;
  await waitFor('the agent to serve /metrics', 15_000, async () => {
    if (agent.proc.exitCode !== null) throw new Error(`agent exited: ${agent.stderr()}`);
    return (await fetch(`${base}/metrics`)).status === 200;
  });
  t.match(agent.stderr(), new RegExp(`serving http://127\\.0\\.0\\.1:${agentPort}/metrics`), 'the agent says where it serves');

  const promPort = await freePort();
  const config = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: domstat',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${agentPort}']`,
      '',
    ].join('\n'),
  );
  const prom = spawnChild(t, 'prometheus', [
    `--config.file=${config}`,
    `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    '--log.level=warn',
  ]);
  const api = `http://127.0.0.1:${promPort}/api/v1`;
  const query = async (q: string, time?: number): Promise<PromVector> => {
    const u = new URL(`${api}/query`);
    u.searchParams.set('query', q);
    if (time !== undefined) u.searchParams.set('time', time.toFixed(3));
    const r = await fetch(u);
    return (await r.json()) as PromVector;
  };
  const upAt = await waitFor('Prometheus to scrape the agent', 20_000, async () => {
    if (prom.proc.exitCode !== null) throw new Error(`prometheus exited: ${prom.stderr()}`);
    const v = await query('up{job="domstat"}');
    return v.data?.result[0]?.value[1] === '1' ? Date.now() : undefined;
  });
  t.pass('up{job="domstat"} is 1');

  // Meanwhile: a live scrape through promtool, and the OpenMetrics negotiation Prometheus uses.
  const text = await (await fetch(`${base}/metrics`)).text();
  const check = await promtoolCheck(text);
  t.equal(check.code, 0, `promtool check metrics on a live scrape exits 0 ${check.out}`);
  t.equal(check.out.trim(), '', 'no lint findings');
  const live = parseExposition(text, false);
  t.same(live.problems, [], 'live text is well-formed');
  t.equal(find(live, 'domstat_domains')[0]?.value, '4', 'four domains');
  t.ok(Number(find(live, 'domstat_ticks_total')[0]?.value) >= 1, 'ticks counted');
  const omRes = await fetch(`${base}/metrics`, { headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' } });
  t.equal(omRes.headers.get('content-type'), 'application/openmetrics-text; version=1.0.0; charset=utf-8', 'OpenMetrics when asked');
  const om = await omRes.text();
  t.ok(om.endsWith('# EOF\n'), 'OpenMetrics ends with # EOF');
  t.same(parseExposition(om, true).problems, [], 'live OpenMetrics is well-formed');

  // Let Prometheus collect more than the 10 s window after its first good scrape.
  await sleep(Math.max(0, upAt + 12_500 - Date.now()));
  const T = Date.now() / 1000 - 1;
  const sel = 'libvirt_domain_interface_stats_receive_bytes_total{domain="alpha",target_device="vnet0"}';
  const v = await query(`rate(${sel}[10s])`, T);
  t.equal(v.status, 'success', 'query succeeded');
  t.equal(v.data.result.length, 1, 'one series');
  const promRate = Number(v.data.result[0]?.value[1]);
  const samples = await query(`count_over_time(${sel}[10s])`, T);
  const n = Number(samples.data.result[0]?.value[1]);
  t.ok(n >= 8, `Prometheus holds ${n} samples in the window`);

  const iso = (s: number) => new Date(s * 1000).toISOString();
  const h = await runCli(['history', 'alpha', 'net.0.rx.bytes', '--rate', '--since', iso(T - 10), '--until', iso(T), '--format', 'json', '--db', db]);
  t.equal(h.code, 0, `history exit 0 ${h.err}`);
  const rows = JSON.parse(h.out) as { series: { key: string; device: string; unit: string }[]; rows: { time: string; values: (number | null)[] }[] };
  t.same(rows.series, [{ key: 'net.0.rx.bytes', device: 'vnet0', unit: 'bytes/s' }], 'the series: vnet0, bytes/s');
  const rates = rows.rows.map((r) => r.values[0]).filter((x): x is number => typeof x === 'number');
  t.ok(rates.length >= 8, `${rates.length} history rows in the window`);
  const histRate = rates.reduce((a, b) => a + b, 0) / rates.length;

  t.comment(
    `Prometheus rate()[10s] = ${promRate.toFixed(1)} B/s (${n} samples); history mean = ${histRate.toFixed(1)} B/s (${rates.length} rows: ${rates.map((r) => r.toFixed(0)).join(' ')})`,
  );
  t.ok(Math.abs(promRate - RATE) <= RATE * TOL, `Prometheus: ${promRate.toFixed(1)} ≈ ${RATE}/s`);
  t.ok(Math.abs(histRate - RATE) <= RATE * TOL, `history: ${histRate.toFixed(1)} ≈ ${RATE}/s`);
  t.ok(Math.abs(promRate - histRate) <= histRate * TOL, `Prometheus and history within ${TOL * 100}% of each other`);

  // Idle counters stay idle: macvtap0 is not bumped.
  const idle = await query('rate(libvirt_domain_interface_stats_receive_bytes_total{domain="alpha",target_device="macvtap0"}[10s])', T);
  t.equal(idle.data.result[0]?.value[1], '0', 'an idle interface rates 0');
  const targets = (await (await fetch(`${api}/targets`)).json()) as { data: { activeTargets: { health: string; lastError: string }[] } };
  t.same(
    targets.data.activeTargets.map((x) => [x.health, x.lastError]),
    [['up', '']],
    'the target is healthy, no scrape error',
  );
  mover.stop();
  t.equal(mover.error(), undefined, 'the counters were rewritten without trouble');
});
