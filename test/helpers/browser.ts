/// <reference lib="dom" />
// Headless Chromium (Debian's) for the web page's tests: a private profile, every console error,
// page error and failed request collected, and every uPlot chart the page makes kept so a test
// can read back what was drawn.
import * as path from 'node:path';
import type { Test } from 'tap';
import { chromium, type Page } from 'playwright-core';

export interface DrawnPlot {
  root: HTMLElement;
  series: { label?: string }[];
  data: (number | null)[][];
  axes: { _values?: unknown[] | null; _splits?: number[] | null }[];
  legend: { values: { _?: string }[] };
}

declare global {
  interface Window {
    __plots?: DrawnPlot[];
  }
}

export async function openPage(t: Test, dir: string, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; problems: string[] }> {
  const ctx = await chromium.launchPersistentContext(path.join(dir, 'chromium-profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport,
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
  // A request cancelled because the page moved on (a navigation, back or forward while it was in
  // flight) is ERR_ABORTED: not a failure. An answer the server refused is one, whatever its timing.
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? '';
    if (why !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${why}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && new URL(r.url()).pathname.startsWith('/api/')) problems.push(`response ${r.status()}: ${r.url()}`);
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
  return { page, problems };
}

/** What the charts on the page drew, by their family id: titles, series labels, data, y ticks, legend values. */
export interface ChartReading {
  family: string;
  title: string;
  labels: string[];
  data: (number | null)[][];
  ticks: string[];
  splits: number[];
  /** The x axis's tick labels. */
  xTicks: string[];
  legend: string[];
}

export function readCharts(page: Page): Promise<ChartReading[]> {
  return page.evaluate(() =>
    window
      .__plots!.filter((u) => u.root.isConnected)
      .map((u) => ({
        family: u.root.parentElement?.dataset.family ?? '',
        title: u.root.parentElement?.querySelector('h2')?.textContent ?? '',
        labels: u.series.slice(1).map((s) => s.label ?? ''),
        data: u.data.map((d) => Array.from(d)),
        ticks: (u.axes[1]?._values ?? []).map(String),
        splits: Array.from(u.axes[1]?._splits ?? []),
        xTicks: (u.axes[0]?._values ?? []).map(String),
        legend: Array.from(u.root.querySelectorAll('.u-legend .u-series'))
          .slice(1)
          .map((tr) => tr.querySelector('.u-value')?.textContent ?? ''),
      })),
  );
}
