/// <reference lib="dom" />
// (h) The web page at scale: a simulated host's last half hour written by the agent on virtual
// clocks (so the sparklines are full), served in-process by the agent's HTTP server, and loaded
// in Debian's headless Chromium.
//
//   overview query   overview.ts on a read-only connection, as /api/overview runs it, and the
//                    whole GET /api/overview; beside it, the same sparklines through the
//                    <kind>_1m_rate views, which read every minute block kept (no index serves
//                    a time window through them): their time per block row, to scale to a
//                    full retention
//   page load        navigation start to the table drawn (the page's performance mark)
//   search           one keystroke (the input event) to after the next paint, for each prefix
//                    of a name and a piece of a uuid, and its handler alone (the script); a
//                    sort (a header click) likewise. "After the next paint" waits for the next
//                    frame (requestAnimationFrame, then a task): at 60 frames a second a wait
//                    of up to 16.7 ms even when the work is nothing
//   domain charts    the URL set to a domain's view to its charts drawn

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { createSimHost, type SimCgroup, type SimKind } from '../src/sim/simulate.js';
import { Agent } from '../src/agent/agent.js';
import { SHARED_AGENT_MAX_OPEN, SIM_MAX_OPEN } from './descriptors.js';
import type { Clocks } from '../src/agent/clock.js';
import { openDatabase } from '../src/store/db.js';
import { StatsServer } from '../src/export/http-server.js';
import { ReadOnlyStore } from '../src/export/read-store.js';
import { TickCache } from '../src/export/tick-cache.js';
import type { ExportInput } from '../src/export/prometheus.js';
import { overview } from '../src/export/overview.js';
import { exportInputOf } from '../src/export/records.js';

const log = (s: string) => process.stderr.write(s + '\n');
const CHROMIUM = '/usr/bin/chromium';

export interface WebRow {
  kind: SimKind;
  domains: number;
  minutes: number;
  buildS: number;
  overviewMs: number[];
  overviewBytes: number;
  httpMs: number[];
  viewsMs: number[];
  /** Minute block rows the views read for that (all kept), over the kinds the overview reads. */
  blockRows: number;
  loadMs: number[];
  apiMs: number[];
  searchMs: number[];
  /** The input event's handler alone (the filter over every row, and the URL): script, no rendering. */
  searchScriptMs: number[];
  /** The slowest search step's query, and its median. */
  worstSearch: [string, number];
  sortMs: number[];
  sortScriptMs: number[];
  chartsMs: number[];
  charts: number;
  browser: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function time<T>(runs: number, fn: () => T): number[] {
  fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

export async function webBench(kind: SimKind, domains: number, minutes: number, treeBase: string, cgroup: SimCgroup = 'v2'): Promise<WebRow | null> {
  if (!fs.existsSync(CHROMIUM)) {
    log(`  (h) skipped: no ${CHROMIUM}`);
    return null;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `domstat-bench-web-${kind}-${domains}-`));
  const tree = fs.mkdtempSync(path.join(treeBase, `domstat-bench-web-`));
  const t0 = performance.now();
  const sim = createSimHost({ dir: path.join(tree, 'host'), domains, kind, cgroup, maxOpenFiles: SIM_MAX_OPEN });
  const step = 10_000;
  const ticks = Math.round((minutes * 60_000) / step) + 1;
  let wall = Math.floor(Date.now() / 1000) * 1000 - (ticks - 1) * step;
  let mono = 1_000_000;
  const clocks: Clocks = { wall: () => wall, mono: () => mono, bootId: () => 'bench-boot' };
  const dbFile = path.join(dir, 'web.db');
  const agent = new Agent({
    root: sim.dir,
    dbFile,
    intervalMs: step,
    maxOpenFiles: SHARED_AGENT_MAX_OPEN,
    quiet: true,
    io: { out: () => {}, err: (s) => log(`  agent: ${s.trim()}`) },
    clocks,
  });
  await agent.open();
  for (let k = 0; k < ticks; k++) {
    if (k > 0) {
      sim.advance(step / 1000);
      wall += step;
      mono += step;
    }
    agent.tick();
  }
  await agent.close();
  sim.close();
  const buildS = (performance.now() - t0) / 1000;
  log(`  ${kind} ${domains}: ${minutes} minutes of history in ${buildS.toFixed(0)} s`);

  const db = openDatabase(dbFile, { readonly: true });
  const input = exportInputOf(agent.latest!);
  const overviewMs = time(20, () => overview(db, input));
  const overviewBytes = JSON.stringify(overview(db, input)).length;
  // The same minutes through the views: every block kept is read.
  const o = overview(db, input);
  const [from, to] = [o.sparkTimes[0]!, o.sparkTimes.at(-1)!];
  const viewsMs = time(5, () => {
    db.prepare('SELECT domain, ts, cpu_time, balloon_rss FROM domain_1m_rate WHERE ts BETWEEN ? AND ?').all(from, to);
    db.prepare('SELECT domain, ts, sum(rx_bytes + tx_bytes) FROM net_1m_rate WHERE ts BETWEEN ? AND ? GROUP BY domain, ts').all(from, to);
    db.prepare('SELECT domain, ts, sum(rd_bytes + wr_bytes) FROM block_1m_rate WHERE ts BETWEEN ? AND ? GROUP BY domain, ts').all(from, to);
  });
  const blockRows = ['domain', 'net', 'block'].reduce((n, k) => n + Number(db.prepare(`SELECT count(*) FROM ${k}_1m_block`).pluck().get()), 0);
  db.close();

  const server = new StatsServer({ tick: tickOf(input), store: new ReadOnlyStore(dbFile) });
  const at = await server.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${at.port}`;
  const httpMs: number[] = [];
  for (let i = 0; i < 11; i++) {
    const t = performance.now();
    await (await fetch(`${base}/api/overview`)).arrayBuffer();
    if (i > 0) httpMs.push(performance.now() - t);
  }

  const ctx = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const row: WebRow = {
    kind,
    domains,
    minutes,
    buildS,
    overviewMs,
    overviewBytes,
    httpMs,
    viewsMs,
    blockRows,
    loadMs: [],
    apiMs: [],
    searchMs: [],
    searchScriptMs: [],
    worstSearch: ['', 0],
    sortMs: [],
    sortScriptMs: [],
    chartsMs: [],
    charts: 0,
    browser: ctx.browser()?.version() ?? 'chromium',
  };
  try {
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    for (let i = 0; i < 6; i++) {
      // A new document each time (a URL differing only in its fragment would not load again).
      await page.goto(`${base}/?load=${i}#sort=-cpu`);
      await page.waitForFunction((n) => document.getElementById('domains')?.dataset.shown === String(n), domains, { timeout: 60_000 });
      const [load, api] = await page.evaluate(() => {
        const mark = performance.getEntriesByName('domstat:overview')[0]!;
        const res = performance.getEntriesByType('resource').find((r) => r.name.endsWith('/api/overview')) as PerformanceResourceTiming;
        return [mark.startTime, res.responseEnd - res.startTime];
      });
      if (i > 0) {
        row.loadMs.push(load);
        row.apiMs.push(api);
      }
    }
    // One keystroke to the next paint (the input event, the filter, style, layout and paint).
    const uuidPiece = o.domains[Math.floor(domains * 0.777)]!.uuid!.slice(-8);
    const steps = ['s', 'si', 'sim', 'sim-', 'sim-0', 'sim-09', 'sim-0', '', uuidPiece, ''];
    const perQuery = new Map<string, number[]>();
    for (let round = 0; round < 5; round++) {
      for (const q of steps) {
        const [script, ms] = await page.evaluate(async (text) => {
          const input = document.getElementById('search') as HTMLInputElement;
          const start = performance.now();
          input.value = text;
          input.dispatchEvent(new Event('input', { bubbles: true })); // runs the handler now
          const handled = performance.now();
          await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
          return [handled - start, performance.now() - start];
        }, q);
        row.searchMs.push(ms);
        row.searchScriptMs.push(script);
        perQuery.set(q || '(cleared)', [...(perQuery.get(q || '(cleared)') ?? []), ms]);
      }
      for (const key of ['name', 'disk']) {
        const [script, ms] = await page.evaluate(async (k) => {
          const start = performance.now();
          (document.querySelector(`#head [data-sort="${k}"]`) as HTMLElement).click();
          const handled = performance.now();
          await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
          return [handled - start, performance.now() - start];
        }, key);
        row.sortMs.push(ms);
        row.sortScriptMs.push(script);
      }
    }
    row.worstSearch = [...perQuery].map(([q, xs]): [string, number] => [q, median(xs)]).sort((a, b) => b[1] - a[1])[0]!;
    // A domain's charts: the URL set, to the charts drawn and painted.
    const names = [o.domains[1]!.name, o.domains[domains - 2]!.name];
    for (let i = 0; i < 6; i++) {
      const [ms, charts] = await page.evaluate(
        async (hash) => {
          performance.clearMarks('domstat:charts');
          const start = performance.now();
          await new Promise<void>((resolve) => {
            const obs = new PerformanceObserver((l) => {
              if (l.getEntriesByName('domstat:charts').length > 0) {
                obs.disconnect();
                resolve();
              }
            });
            obs.observe({ entryTypes: ['mark'] });
            location.hash = hash;
          });
          await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
          return [performance.now() - start, document.querySelectorAll('#charts .chart').length];
        },
        `#domain=${names[i % 2]}&range=15m`,
      );
      if (i > 0) row.chartsMs.push(ms);
      row.charts = charts;
    }
  } finally {
    await ctx.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(tree, { recursive: true, force: true });
  }
  log(
    `  ${kind} ${domains}: overview ${median(row.overviewMs).toFixed(1)} ms (views ${median(row.viewsMs).toFixed(1)} ms), page load ${median(row.loadMs).toFixed(0)} ms, search ${median(row.searchMs).toFixed(1)} ms (script ${median(row.searchScriptMs).toFixed(1)} ms), charts ${median(row.chartsMs).toFixed(0)} ms`,
  );
  return row;
}

function tickOf(input: ExportInput): TickCache {
  const tick = new TickCache();
  tick.update(input);
  return tick;
}
