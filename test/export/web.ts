/// <reference lib="dom" />
// The agent's web page in a real (headless) Chromium.
//
// 1. A simulated KVM host's half hour, written on virtual clocks and served in-process: the
//    overview's figures equal the rates the test reads from the raw rows, its sparklines the
//    minute views; sorting, search, the URL's state across reload, back and forward; a domain's
//    charts are the families its keys belong to, drawing the rates the history holds, with
//    readable legend names, live values, units.ts's ticks; range choice and drag-to-zoom give
//    ISO times in the URL; the host's charts. UPDATE_SCREENSHOT=1 saves the README's pictures.
// 2. The real `domstat agent` on a fixture copy whose counters move at known rates, serving the
//    page: the overview lists its domains, the charts draw those rates.
// Every wait is for a state of the page (a row count, a loaded view), never a fixed time.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { StatsServer } from '../../src/export/http-server.js';
import { ReadOnlyStore } from '../../src/export/read-store.js';
import { servedFrom } from '../helpers/served.js';
import { exportInputOf } from '../../src/export/records.js';
import { openDatabase } from '../../src/store/db.js';
import { axis, formatValue, presentation } from '../../src/export/units.js';
import { seriesName } from '../../src/export/series-names.js';
import { planCharts } from '../../src/export/chart-families.js';
import type { Overview } from '../../src/export/overview.js';
import type { DomainSeries } from '../../src/export/domain-series.js';
import { REPO } from '../helpers/cli.js';
import { openPage, readCharts } from '../helpers/browser.js';
import { simHistory } from '../helpers/sim-history.js';
import { BIN, COL, CounterFile, FieldsFile, NetDev, cpuacctUsage, freePort, privateTree, spawnChild, steady, waitFor } from '../helpers/moving.js';

const SHOTS = process.env.UPDATE_SCREENSHOT === '1';
const shot = (name: string) => path.join(REPO, 'docs', name);

/** The visible rows' domain names, top to bottom. */
const visibleRows = (page: Page) =>
  page.$$eval('#rows .row', (trs) => trs.filter((tr) => getComputedStyle(tr).display !== 'none').map((tr) => (tr as HTMLElement).dataset.name ?? ''));
const hash = (page: Page) => page.evaluate(() => location.hash);
/** Waits until the charts of the view `h` (a URL fragment) are on the page. */
const chartsLoaded = (page: Page, h: string) =>
  page.waitForFunction((want) => document.body.dataset.view === 'domain' && document.getElementById('charts')?.dataset.loaded === want, h, {
    timeout: 20_000,
  });
const overviewShown = (page: Page) =>
  page.waitForFunction(() => document.body.dataset.view === 'overview' && document.getElementById('domains')?.dataset.ts !== undefined, undefined, {
    timeout: 20_000,
  });

t.test('web page on a simulated host: overview, sort, search, URL state, charts', async (t) => {
  const STEP = 10_000;
  const h = await simHistory(t, { kind: 'kvm', domains: 12, ticks: 211, stepMs: STEP }); // 35 minutes
  const last = h.times[h.times.length - 1]!;
  const server = new StatsServer({ tick: servedFrom(() => exportInputOf(h.agent.latest!)), store: new ReadOnlyStore(h.dbFile) });
  const at = await server.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => server.close());
  const base = `http://127.0.0.1:${at.port}`;
  const db = openDatabase(h.dbFile, { readonly: true });
  t.teardown(() => db.close());
  const names = h.sim.domains.map((d) => d.name);

  const { page, problems } = await openPage(t, h.dir);
  const res = await page.goto(`${base}/`);
  t.equal(res?.status(), 200, 'the page loads');
  await overviewShown(page);
  t.equal(await page.title(), 'domstat');

  // ---- the overview's figures: the raw rows' rates at the last tick (ticks are 10 s apart) ----
  const o = (await (await fetch(`${base}/api/overview`)).json()) as Overview;
  t.equal(o.ts, last, "the overview is of the history's last tick");
  t.equal(o.host.cpus, h.sim.hostCpus, `the host's ${h.sim.hostCpus} CPUs, counted from /proc/stat`);
  const rate = (sql: string, dom: string) => (db.prepare(sql).pluck().get(dom, last) as number | null) ?? null;
  const shown = await page.$$eval('#rows .row', (trs) =>
    trs.map((tr) => {
      const cells = (tr as HTMLElement).querySelectorAll('[role="cell"]');
      const by = (col: string) => (tr as HTMLElement).querySelector(`[role="cell"][data-col="${col}"]`)?.textContent ?? '';
      return {
        name: (tr as HTMLElement).dataset.name ?? '',
        state: cells[1]?.textContent ?? '',
        cpu: by('cpu'),
        mem: by('mem'),
        rss: by('rss'),
        disk: by('disk'),
        net: by('net'),
        sparkPoints: Array.from(tr.querySelectorAll('svg.spark path')).map((p) => (p.getAttribute('d')?.match(/[ML]/g) ?? []).length),
        cpuSparkTitle: tr.querySelector('svg.spark title')?.textContent ?? '',
      };
    }),
  );
  t.equal(shown.length, 12, 'a row per domain');
  const B = presentation('bytes/s', 'x');
  for (const name of names) {
    const row = shown.find((r) => r.name === name)!;
    const cores = rate('SELECT cpu_time / 1e9 FROM domain_rate WHERE domain = ? AND ts = ?', name)!;
    const disk = rate('SELECT sum(rd_bytes + wr_bytes) FROM block_rate WHERE domain = ? AND ts = ?', name)!;
    const net = rate('SELECT sum(rx_bytes + tx_bytes) FROM net_rate WHERE domain = ? AND ts = ?', name)!;
    t.same(
      [row.state, row.cpu, row.disk, row.net],
      ['running', `${((cores / h.sim.hostCpus) * 100).toFixed(1)} %`, formatValue(disk, B), formatValue(net, B)],
      `${name}: CPU % of the host's CPUs, disk and network as the raw rows say (${cores.toFixed(3)} cores)`,
    );
    // The closed minutes of the last 30 (the agent's close wrote the open one too: not a sparkline's).
    const cpuMinutes = db
      .prepare('SELECT ts, cpu_time / 1e9 FROM domain_1m_rate WHERE domain = ? AND ts BETWEEN ? AND ?')
      .raw()
      .all(name, o.sparkTimes[0]!, o.sparkTimes.at(-1)!) as [number, number][];
    t.equal(row.sparkPoints[0], cpuMinutes.length, `${name}: a CPU sparkline point per minute rollup (${cpuMinutes.length})`);
    const peak = Math.max(...cpuMinutes.map(([, v]) => Number(v.toPrecision(4))));
    t.equal(row.cpuSparkTitle, `highest minute of the last 30: ${formatValue(peak, presentation('ns/s', 'cpu.time'))}`, `${name}: its peak minute`);
  }
  const alpha = o.domains.find((d) => d.name === names[0])!;
  t.same(
    [shown.find((r) => r.name === names[0])!.mem, shown.find((r) => r.name === names[0])!.rss],
    [formatValue(alpha.memBytes, presentation('bytes', 'x')), formatValue(alpha.rssBytes, presentation('bytes', 'x'))],
    'memory and RSS of the latest tick',
  );

  // ---- sorting ----
  const byCpu = [...o.domains].sort((a, b) => b.cpuCores! - a.cpuCores!).map((d) => d.name);
  t.same(await visibleRows(page), byCpu, 'busiest CPU first by default');
  await page.click('#head [data-sort="disk"]');
  t.same(
    await visibleRows(page),
    [...o.domains].sort((a, b) => b.disk! - a.disk!).map((d) => d.name),
    'disk, largest first',
  );
  t.equal(await page.getAttribute('#head [data-sort="disk"]', 'aria-sort'), 'descending');
  await page.click('#head [data-sort="disk"]');
  t.same(
    await visibleRows(page),
    [...o.domains].sort((a, b) => a.disk! - b.disk!).map((d) => d.name),
    'again: smallest first',
  );
  t.equal(await hash(page), '#sort=disk', 'the sort is in the URL');
  await page.click('#head [data-sort="name"]');
  t.same(await visibleRows(page), [...names].sort(), 'by name, A to Z');

  // ---- search, by name and by uuid ----
  await page.fill('#search', 'sim-001');
  t.same(await visibleRows(page), ['sim-0010', 'sim-0011', 'sim-0012'], "'sim-001': three names");
  t.equal(await page.textContent('#count'), '3 of 12 domains');
  const uuid = h.sim.domains[4]!.uuid;
  await page.fill('#search', uuid.slice(9, 18).toUpperCase());
  t.same(await visibleRows(page), [names[4]], `a piece of ${names[4]}'s uuid, in capitals`);
  await page.fill('#search', 'nothing-like-this');
  t.same(await visibleRows(page), [], 'no match');
  t.equal(await page.textContent('#none'), 'No domain matches “nothing-like-this”.');
  await page.fill('#search', '000');
  t.equal(await hash(page), '#sort=name&q=000', 'search and sort in the URL');

  // ---- the URL's state survives a reload ----
  await page.reload();
  await overviewShown(page);
  t.equal(await page.inputValue('#search'), '000', 'reload: the search box');
  t.same(await visibleRows(page), names.slice(0, 9), 'reload: the same rows, by name');
  t.equal(await page.getAttribute('#head [data-sort="name"]', 'aria-sort'), 'ascending', 'reload: the sort');

  // ---- a domain's charts ----
  const dom = names[2]!;
  await page.click(`#rows .row[data-name="${dom}"] [role="cell"]:nth-child(2)`);
  const domHash = `#domain=${dom}&range=15m`;
  await chartsLoaded(page, domHash);
  t.equal(await hash(page), domHash, 'clicking a row opens its charts, in the URL');
  t.equal(await page.textContent('#title'), dom);
  const series = (await (await fetch(`${base}/api/series?domain=${dom}&since=15m`)).json()) as DomainSeries;
  const plans = planCharts(series.series);
  let charts = await readCharts(page);
  t.same(
    charts.map((c) => c.title),
    [
      'CPU',
      'CPU per vCPU',
      'vCPU wait and run-queue delay (steal)',
      'Memory',
      'Network bytes (guest view)',
      'Network packets',
      'Network errors and drops',
      'Disk bytes',
      'Disk requests (IOPS)',
      'Disk time',
      'Disk size',
      'QEMU process I/O bytes',
      'QEMU process I/O calls',
      'Pressure (time stalled: some, full)',
      'CPU throttling',
      'OOM kills (cgroup)',
      'Memory (cgroup)',
    ],
    "a simulated KVM domain's families (the simulator writes cgroup v2's pressure, memory and throttling)",
  );
  t.same(
    charts.map((c) => c.family),
    plans.map((p) => p.id),
    "the charts: the plan of the domain's keys",
  );
  const info = h.sim.domains[2]!;
  const byFamily = new Map(charts.map((c) => [c.family, c]));
  const netChart = byFamily.get('net-bytes')!;
  t.same(
    netChart.labels,
    info.interfaces.flatMap((n) => [`${n} received`, `${n} sent`]),
    'legend: readable names with the interfaces',
  );
  t.same(byFamily.get('vcpu-time')!.labels, ['vCPU 0 time', 'vCPU 1 time'], 'per vCPU');
  t.same(byFamily.get('disk-requests')!.labels.slice(0, 3), [`${info.disks[0]} read requests`, `${info.disks[0]} write requests`, `${info.disks[0]} flushes`]);
  // Data: the CPU chart draws cores, tick by tick, as the raw rows hold them. "The last 15 minutes"
  // moves with the clock (its oldest tick leaves it every 10 s, and the page refreshes), so the
  // ticks drawn are held to the history's own: every tick from the first drawn to the newest.
  const cpu = byFamily.get('cpu')!;
  const ticksDrawn = cpu.data[0]!.map((x) => Math.round(x! * 1000));
  const lag = Date.now() - last;
  t.same(
    ticksDrawn,
    (db.prepare('SELECT DISTINCT ts FROM tick WHERE ts >= ? ORDER BY ts').pluck().all(ticksDrawn[0]!) as number[]).map(Number),
    'x: every tick from the first drawn to the newest',
  );
  const span = ticksDrawn.at(-1)! - ticksDrawn[0]!;
  t.ok(ticksDrawn.at(-1) === last && span <= 15 * 60_000 && span >= 15 * 60_000 - lag - STEP, `x: the last 15 minutes (${span / 1000} s of ticks)`);
  const rawCpu = db.prepare('SELECT ts, cpu_time / 1e9 FROM domain_rate WHERE domain = ? AND ts >= ?').raw().all(dom, ticksDrawn[0]!) as [number, number][];
  const drawn = cpu.data[1]!;
  t.equal(rawCpu.length, ticksDrawn.length, `${rawCpu.length} ticks`);
  t.ok(
    rawCpu.every(([ts, v]) => {
      const y = drawn[ticksDrawn.indexOf(Number(ts))];
      return v === null ? y === null : y !== null && y !== undefined && Math.abs(y - v) <= 1e-9 * Math.max(1, v);
    }),
    'CPU drawn: cpu_time / 1e9 of each tick in domain_rate',
  );
  const cpuMax = Math.max(...drawn.filter((v): v is number => v !== null));
  t.same(cpu.ticks, axis(cpuMax, presentation('ns/s', 'cpu.time')).labels, `CPU y ticks: units.ts's axis to ${cpuMax.toFixed(3)} cores`);
  const netMax = Math.max(...netChart.data.slice(1).flatMap((d) => d.filter((v): v is number => v !== null)));
  t.same(netChart.ticks, axis(netMax, B).labels, `network y ticks in binary units: ${netChart.ticks.join(', ')}`);
  const lastRx = series.series.find((s) => s.key === 'net.0.rx.bytes')!.values.at(-1)!;
  t.equal(netChart.legend[0], formatValue(lastRx, B), `live value in the legend: the latest, ${netChart.legend[0]}`);
  t.same(
    netChart.labels,
    series.series.filter((s) => /^net\.\d+\.(rx|tx)\.bytes$/.test(s.key)).map((s) => seriesName(s.key, s.device)),
    "legend names are series-names.ts's",
  );
  t.ok(
    cpu.xTicks.length >= 2 && cpu.xTicks.every((x) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/.test(x)),
    `ISO-style UTC times on the x axis: ${cpu.xTicks.join(', ')}`,
  );
  if (SHOTS) await page.screenshot({ path: shot('web-domain.png'), fullPage: true });

  // ---- ranges: a live one from the list; a fixed one by dragging across a chart ----
  await page.selectOption('#range', '6h');
  await chartsLoaded(page, `#domain=${dom}&range=6h`);
  t.equal(await page.textContent('#tier'), '(minute rollups, 60 s per point)', 'six hours: minute rollups');
  const over = (await page.$('.chart[data-family="cpu"] .u-over'))!;
  const box = (await over.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => location.hash.includes('from='), undefined, { timeout: 10_000 });
  const zoomed = await hash(page);
  t.match(
    zoomed,
    new RegExp(`^#domain=${dom}&from=\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z&to=\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$`),
    `a drag: a fixed ISO range, ${zoomed}`,
  );
  await chartsLoaded(page, zoomed);
  const [from, to] = [...zoomed.matchAll(/=(\d{4}[^&]*Z)/g)].map((m) => Date.parse(m[1]!));
  charts = await readCharts(page);
  const xs = byFamilyOf(charts, 'cpu').data[0]!.filter((x): x is number => x !== null);
  t.ok(xs.length > 0 && xs[0]! * 1000 >= from! - 60_000 && xs.at(-1)! * 1000 <= to!, 'the charts hold that range');
  t.equal(await page.inputValue('#range'), 'fixed', 'the range list says fixed');
  await page.reload();
  await chartsLoaded(page, zoomed);
  t.equal(await hash(page), zoomed, 'reload: the same fixed range');

  // ---- back and forward ----
  await page.goBack();
  await chartsLoaded(page, `#domain=${dom}&range=6h`);
  t.pass('back: six hours');
  await page.goBack();
  await chartsLoaded(page, domHash);
  t.pass('back: 15 minutes');
  await page.goBack();
  await overviewShown(page);
  t.equal(await hash(page), '#sort=name&q=000', 'back: the overview as it was left');
  t.same(await visibleRows(page), names.slice(0, 9));
  await page.goForward();
  await chartsLoaded(page, domHash);
  t.pass('forward: the domain again');
  await page.click('#back');
  await overviewShown(page);
  t.equal(await hash(page), '#sort=name&q=000', '"all domains" returns to the overview as it was');

  // ---- the host ----
  await page.click('#host-link');
  await chartsLoaded(page, '#domain=%40host&range=1h');
  t.same(
    (await readCharts(page)).map((c) => c.title),
    ['Host CPU', 'Host memory', 'Network bytes (host interfaces)', 'Network packets', 'Network errors and drops'],
    "the host's charts: CPU, memory, its own interfaces",
  );

  t.same(problems, [], 'no console errors, page errors or failed requests');
  // The README's overview picture last: its navigation may abort a request still in flight.
  if (SHOTS) {
    await page.goto(`${base}/#`);
    await overviewShown(page);
    await page.setViewportSize({ width: 1280, height: 460 }); // the table's height, not the window's
    await page.screenshot({ path: shot('web-overview.png'), fullPage: true });
  }
});

const byFamilyOf = (charts: Awaited<ReturnType<typeof readCharts>>, id: string) => charts.find((c) => c.family === id)!;

t.test('web page served by the real agent, counters moving at known rates', async (t) => {
  const CPU_CORES = 0.25;
  const RX_RATE = 51_200;
  const root = privateTree(t, 'kvm-cgroup1-systemd');
  const dir = path.dirname(root);
  const net = new NetDev(path.join(root, 'proc/net/dev'));
  const cpu = new CounterFile(cpuacctUsage(root, 'alpha'));
  const disk = new FieldsFile(path.join(root, 'sys/dev/block/253:3/stat'));
  const mover = steady(t, 100, (s) => {
    cpu.setFromBase(BigInt(Math.round(CPU_CORES * 1e9 * s)));
    net.setFromBase('vnet0', COL.TX_BYTES, BigInt(Math.round(RX_RATE * s))).write();
    disk.setFromBase(3, BigInt(Math.round(400 * s))).write();
  });
  const port = await freePort();
  const agent = spawnChild(t, process.execPath, [
    BIN,
    'agent',
    '--root',
    root,
    '--db',
    path.join(dir, 'agent.db'),
    '--interval',
    '1',
    '--listen',
    `127.0.0.1:${port}`,
    '--quiet',
  ]);
  const base = `http://127.0.0.1:${port}`;
  // Six ticks of history: rates need two, the checks below a few.
  await waitFor('six ticks of alpha', 30_000, async () => {
    if (agent.proc.exitCode !== null) throw new Error(`agent exited: ${agent.stderr()}`);
    const r = await fetch(`${base}/api/series?domain=alpha&since=5m`);
    return r.ok && ((await r.json()) as DomainSeries).times.length >= 6;
  });

  const { page, problems } = await openPage(t, dir);
  await page.goto(`${base}/`);
  await overviewShown(page);
  t.same(
    await page.$$eval('#rows .row', (trs) => trs.map((tr) => [(tr as HTMLElement).dataset.name, tr.querySelectorAll('[role="cell"]')[1]?.textContent])),
    [
      ['alpha', 'running'],
      ['beta', 'running'],
      ['delta', 'paused'],
      ['gamma', 'shut off'],
    ],
    "the fixture's domains, busiest first (beta and delta: 0; gamma: none)",
  );
  await page.click('#rows .row[data-name="alpha"] a');
  await chartsLoaded(page, '#domain=alpha&range=15m');
  const charts = await readCharts(page);
  const mean = (a: (number | null)[] | undefined) => {
    const v = (a ?? []).filter((x): x is number => x !== null);
    return v.reduce((x, y) => x + y, 0) / v.length;
  };
  const cpuChart = byFamilyOf(charts, 'cpu');
  const netChart = byFamilyOf(charts, 'net-bytes');
  t.same(cpuChart.labels, ['CPU', 'CPU user', 'CPU system']);
  t.ok(Math.abs(mean(cpuChart.data[1]) - CPU_CORES) < CPU_CORES * 0.1, `CPU drawn at ${mean(cpuChart.data[1]).toFixed(3)} ≈ ${CPU_CORES} cores`);
  t.equal(netChart.labels[0], 'vnet0 received');
  t.ok(Math.abs(mean(netChart.data[1]) - RX_RATE) < RX_RATE * 0.1, `vnet0 received drawn at ${mean(netChart.data[1]).toFixed(0)} ≈ ${RX_RATE} B/s`);
  t.same(
    (netChart.data[5] ?? []).filter((v) => v !== null && v !== 0),
    [],
    'macvtap0 (idle) drawn at 0',
  );
  t.ok(fs.existsSync(path.join(dir, 'agent.db')));
  t.same(problems, [], 'no console errors, page errors or failed requests');
  mover.stop();
  t.equal(mover.error(), undefined, 'the counters were rewritten without trouble');
});
