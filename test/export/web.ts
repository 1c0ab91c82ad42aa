/// <reference lib="dom" />
// The agent's web page in a real (headless) Chromium: the domain list, uPlot charts drawn from
// /api/history with the rates the fixture copy's counters move at (alpha: 0.25 CPU cores,
// vnet0 guest rx 50 KiB/s), no console errors; and the screenshot the README shows.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { REPO } from '../helpers/cli.js';
import { BIN, COL, CounterFile, FieldsFile, NetDev, cpuacctUsage, freePort, privateTree, sleep, spawnChild, steady, waitFor } from '../helpers/moving.js';

const CPU_CORES = 0.25;
const RX_RATE = 51_200;
// The README's picture is refreshed only on request (UPDATE_SCREENSHOT=1): a test run must not
// change tracked files.
const SCREENSHOT =
  process.env.UPDATE_SCREENSHOT === '1' ? path.join(REPO, 'docs', 'screenshot.png') : path.join(os.tmpdir(), `domstat-screenshot-${process.pid}.png`);

interface PlotInfo {
  title: string;
  /** The y axis's tick labels, as drawn. */
  ticks: string[];
  labels: string[];
  points: number;
  series: (number | null)[][];
}

declare global {
  interface Window {
    __plots?: {
      root: HTMLElement;
      series: { label?: string }[];
      data: (number | null)[][];
      axes: { _values?: unknown[] | null; values?: (u: unknown, splits: number[], axis: number, space: number, incr: number) => string[] }[];
    }[];
  }
}

t.test('web page: domains, charts with the right data, no console errors', async (t) => {
  const root = privateTree(t, 'kvm-cgroup1-systemd');
  const dir = path.dirname(root);
  const net = new NetDev(path.join(root, 'proc/net/dev'));
  const cpu = new CounterFile(cpuacctUsage(root, 'alpha'));
  const cpuBeta = new CounterFile(cpuacctUsage(root, 'beta'));
  const disk = new FieldsFile(path.join(root, 'sys/dev/block/253:3/stat'));
  // Steady figures that are checked, and some livelier ones that make the screenshot worth a look.
  const wave = (s: number, period: number) => (1 - Math.cos((2 * Math.PI * s) / period)) / 2;
  const integral = (s: number, period: number) => s / 2 - (period / (4 * Math.PI)) * Math.sin((2 * Math.PI * s) / period);
  const mover = steady(t, 100, (s) => {
    cpu.setFromBase(BigInt(Math.round(CPU_CORES * 1e9 * s)));
    cpuBeta.setFromBase(BigInt(Math.round(0.6e9 * integral(s, 8))));
    net
      .setFromBase('vnet0', COL.TX_BYTES, BigInt(Math.round(RX_RATE * s)))
      .setFromBase('vnet0', COL.RX_BYTES, BigInt(Math.round(30_000 * integral(s, 6))))
      .write();
    disk
      .setFromBase(3, BigInt(Math.round(400 * integral(s, 5))))
      .setFromBase(7, BigInt(Math.round(150 * s + 100 * wave(s, 3))))
      .write();
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
  await waitFor('the agent to serve', 15_000, async () => {
    if (agent.proc.exitCode !== null) throw new Error(`agent exited: ${agent.stderr()}`);
    const r = await fetch(`${base}/api/domains`);
    return r.ok && ((await r.json()) as { domains: unknown[] }).domains.length > 0;
  });
  const doms = (await (await fetch(`${base}/api/domains`)).json()) as { domains: { name: string; interfaces: (string | null)[]; disks: (string | null)[] }[] };
  t.same(
    doms.domains.map((d) => [d.name, d.interfaces, d.disks]),
    [
      ['alpha', ['vnet0', 'vnet1', 'macvtap0'], ['vda', 'vdb']],
      ['beta', ['vnet2'], ['vda']],
      ['delta', ['vnet3'], ['vda']],
      ['gamma', [null], ['vda']], // its definition's interface has no target (not running)
    ],
    "/api/domains: the fixture's domains and devices",
  );
  await sleep(6000); // a few ticks of history

  const profile = path.join(dir, 'chromium-profile');
  const ctx: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  t.teardown(() => ctx.close());
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  const histories: { url: string; status: number; body: { series: { key: string; values: (number | null)[] }[]; times: number[] } }[] = [];
  page.on('response', async (r) => {
    if (!r.url().includes('/api/history')) return;
    try {
      histories.push({ url: r.url(), status: r.status(), body: await r.json() });
    } catch (e) {
      problems.push(`${r.url()}: ${r.status()} ${String(e)}`);
    }
  });
  // Keep every uPlot instance the page creates, to read back what it drew.
  await page.addInitScript(() => {
    window.__plots = [];
    let real: unknown;
    Object.defineProperty(window, 'uPlot', {
      configurable: true,
      get: () => real,
      set: (U: new (...a: unknown[]) => object) => {
        const Wrapped = function (this: unknown, ...a: unknown[]) {
          const u = new U(...a);
          window.__plots!.push(u as never);
          return u;
        } as unknown as typeof U;
        Object.assign(Wrapped, U);
        Wrapped.prototype = U.prototype;
        real = Wrapped;
      },
    });
  });

  const res = await page.goto(`${base}/`);
  t.equal(res?.status(), 200, 'the page loads');
  t.equal(await page.title(), 'domstat');
  await page.waitForSelector('nav button[data-name="gamma"]', { timeout: 10_000 });
  const names = await page.$$eval('nav button', (bs) => bs.map((b) => (b as HTMLButtonElement).dataset.name));
  t.same(names, ['alpha', 'beta', 'delta', 'gamma', '@host'], "the domain list: the fixture's domains and the host");
  const states = await page.$$eval('nav button .state', (ss) => ss.map((s) => s.textContent));
  t.same(states, ['running', 'running', 'paused', 'shut off'], 'their states');

  // Another domain first, then alpha: a click redraws the charts for the clicked domain.
  await page.click('nav button[data-name="beta"]');
  await page.waitForFunction(
    () => document.getElementById('title')?.textContent === 'beta' && document.querySelectorAll('#charts .chart').length > 0,
    undefined,
    { timeout: 10_000 },
  );
  t.equal(await page.textContent('nav button.on'), 'betarunning', 'beta is selected');
  const before = await page.evaluate(() => window.__plots!.length);
  await page.click('nav button[data-name="alpha"]');
  // (The title changes at once, the charts when alpha's have all been drawn: wait for those.)
  await page.waitForFunction(
    () =>
      document.getElementById('title')?.textContent === 'alpha' &&
      Array.from(document.querySelectorAll('#charts .u-legend .u-label')).some((l) => l.textContent?.includes('(vnet0)')),
    undefined,
    { timeout: 10_000 },
  );
  t.equal(await page.textContent('#title'), 'alpha', 'the title names the clicked domain');
  const titles = await page.$$eval('#charts .chart h2', (hs) => hs.map((h) => h.textContent));
  t.same(titles, ['CPU (cores busy)', 'Memory (RSS / balloon)', 'Network (guest view)', 'Disk'], "alpha's charts");
  t.ok((await page.$$('#charts .chart .uplot canvas')).length >= 4, 'a uPlot canvas per chart');
  t.match(await page.textContent('#tier'), /\(raw samples\)/, 'raw tier');

  // Only the charts on the page: a redraw for beta still in flight draws into a detached element,
  // and the page's live refresh replaces charts; read them at a moment when both are on the page.
  const plots = (await (
    await page.waitForFunction(
      (skip) => {
        const on = window
          .__plots!.slice(skip)
          .filter((u) => u.root.isConnected)
          .map((u) => ({
            title: u.root.parentElement?.querySelector('h2')?.textContent ?? '',
            ticks: (u.axes[1]?._values ?? []).map(String),
            labels: u.series.slice(1).map((s) => s.label ?? ''),
            points: u.data[0]!.length,
            series: u.data.slice(1).map((d) => Array.from(d)),
          }));
        const titles = on.map((p) => p.title);
        return titles.includes('CPU (cores busy)') && titles.includes('Network (guest view)') ? on : false;
      },
      before,
      { timeout: 10_000 },
    )
  ).jsonValue()) as PlotInfo[];
  const byTitle = new Map(plots.map((p) => [p.title, p]));
  const cpuPlot = byTitle.get('CPU (cores busy)');
  const netPlot = byTitle.get('Network (guest view)');
  t.ok(cpuPlot !== undefined && netPlot !== undefined, 'CPU and network plots drawn for alpha');
  t.same(
    netPlot?.labels,
    [
      'net.0.rx.bytes (vnet0)',
      'net.0.tx.bytes (vnet0)',
      'net.1.rx.bytes (vnet1)',
      'net.1.tx.bytes (vnet1)',
      'net.2.rx.bytes (macvtap0)',
      'net.2.tx.bytes (macvtap0)',
    ],
    'network series labels',
  );
  t.same(cpuPlot?.labels, ['cpu.time'], 'CPU series label');
  const values = (s: (number | null)[] | undefined) => (s ?? []).filter((v): v is number => v !== null);
  // Rates need two ticks: the first row has none. The middle rows are the steady ones.
  const rx = values(netPlot?.series[0]);
  const cores = values(cpuPlot?.series[0]);
  t.ok(rx.length >= 4, `network points: ${rx.length}`);
  t.ok(cores.length >= 4, `CPU points: ${cores.length}`);
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  t.ok(Math.abs(mean(rx) - RX_RATE) < RX_RATE * 0.1, `vnet0 rx drawn at ${mean(rx).toFixed(0)} ≈ ${RX_RATE} bytes/s`);
  t.ok(Math.abs(mean(cores) - CPU_CORES) < CPU_CORES * 0.1, `CPU drawn at ${mean(cores).toFixed(3)} ≈ ${CPU_CORES} cores`);
  t.same(
    values(netPlot?.series[4]).filter((v) => v !== 0),
    [],
    'macvtap0 (idle) drawn at 0',
  );
  for (const p of plots) {
    t.ok(p.ticks.length >= 2, `${p.title}: y axis labelled (${p.ticks.join(', ')})`);
    t.equal(new Set(p.ticks).size, p.ticks.length, `${p.title}: no two y ticks read the same`);
  }
  t.ok(
    cpuPlot?.ticks.every((x) => / cores$/.test(x)),
    'CPU ticks in cores',
  );
  // Ticks 0.005 apart (as uPlot picks for a CPU line wobbling around 0.245) need three decimals.
  const fine = await page.evaluate((skip) => {
    const u = window.__plots!.slice(skip).find((p) => p.root.parentElement?.querySelector('h2')?.textContent === 'CPU (cores busy)');
    return u?.axes[1]?.values?.(u, [0.24, 0.245, 0.25], 1, 50, 0.005);
  }, before);
  t.same(fine, ['0.240 cores', '0.245 cores', '0.250 cores'], 'fine CPU ticks keep their digits');
  const alphaHist = histories.filter((h) => h.url.includes('domain=alpha'));
  t.ok(alphaHist.length >= 4 && alphaHist.every((h) => h.status === 200), "the page asked /api/history for alpha's charts");
  t.ok(
    alphaHist.some((h) => h.body.series.some((s) => s.key === 'net.0.rx.bytes' && s.values.some((v) => v !== null && v > 0))),
    '/api/history returned non-empty rates',
  );

  // Let the live view refresh once (every 5 s) so the screenshot shows a few seconds of motion.
  await page.waitForFunction((n) => window.__plots!.length > n, plots.length + before, { timeout: 10_000 });
  await page.waitForFunction(() => document.querySelectorAll('#charts .chart .uplot canvas').length >= 4, undefined, { timeout: 10_000 });
  fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  const png = fs.readFileSync(SCREENSHOT);
  t.equal(png.toString('latin1', 1, 4), 'PNG', `screenshot saved to ${path.relative(REPO, SCREENSHOT)}`);
  t.ok(png.readUInt32BE(16) >= 1280, 'full width');
  if (process.env.UPDATE_SCREENSHOT !== '1') fs.rmSync(SCREENSHOT);

  t.same(problems, [], 'no console errors, page errors or failed requests');
  mover.stop();
  t.equal(mover.error(), undefined, 'the counters were rewritten without trouble');
});
