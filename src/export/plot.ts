// Line charts of history as SVG (vega-lite, rendered by vega without a browser) or PNG (the SVG
// rasterised by resvg). Rates are plotted for counters, values for gauges; one line per key, one
// panel per kind of unit (bytes/s and CPU cores never share an axis). Units, ticks, dates and
// series names follow units.ts and series-names.ts, the decision shared with the web page.

import * as vega from 'vega';
import * as vl from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import type { HistoryResult } from '../store/history.js';
import { axis, formatTime, presentation, timePattern, type Axis, type Presentation } from './units.js';
import { seriesName } from './series-names.js';

export interface PlotOptions {
  width: number;
  height: number;
  title: string;
}

export interface Panel {
  presentation: Presentation;
  axis: Axis;
  /** Points in the axis's unit (base-unit values divided by axis.divisor). */
  values: { time: number; series: string; value: number }[];
}

/** The history's series grouped by how they read, each group with its axis. */
export function panels(r: HistoryResult): Panel[] {
  const groups = new Map<string, { p: Presentation; lines: { name: string; values: (number | null)[] }[] }>();
  for (const s of r.series) {
    const p = presentation(s.unit, s.key);
    const id = `${p.family} ${p.unit}`;
    const g = groups.get(id) ?? { p, lines: [] };
    groups.set(id, g);
    g.lines.push({ name: seriesName(s.key, s.device), values: s.values.map((v) => (v === null ? null : Number(v) * p.scale)) });
  }
  return [...groups.values()].map(({ p, lines }) => {
    const max = Math.max(0, ...lines.flatMap((l) => l.values.filter((v): v is number => v !== null)));
    const ax = axis(max, p);
    const values = lines.flatMap((l) => l.values.flatMap((v, i) => (v === null ? [] : [{ time: r.times[i]!, series: l.name, value: v / ax.divisor }])));
    return { presentation: p, axis: ax, values };
  });
}

export function plotSpec(r: HistoryResult, opts: PlotOptions): vl.TopLevelSpec {
  const ps = panels(r);
  const first = r.times[0] ?? 0;
  const last = r.times[r.times.length - 1] ?? first;
  const pattern = timePattern(last - first);
  const range = `${formatTime(first, pattern)} to ${formatTime(last, pattern)} UTC`;
  const samples = r.tier === 'raw' ? 'raw samples' : `${r.tier === '1m' ? 'minute' : 'hour'} rollups`;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: opts.title, subtitle: `${range}, ${samples}${r.stepS === null ? '' : `, ${r.stepS} s steps`}` },
    background: 'white',
    vconcat: ps.map((panel) => ({
      width: opts.width,
      height: opts.height,
      data: { values: panel.values },
      mark: { type: 'line', point: panel.values.length < 60 },
      encoding: {
        x: {
          field: 'time',
          type: 'temporal',
          title: null,
          scale: { type: 'utc' },
          axis: { format: pattern, labelOverlap: true, tickCount: Math.max(2, Math.floor(opts.width / 150)) },
        },
        y: {
          field: 'value',
          type: 'quantitative',
          title: null,
          // The axis's own ticks, the top one included: vega's "nice" would pick decimal steps.
          scale: { domain: [0, panel.axis.ticks[panel.axis.ticks.length - 1]! / panel.axis.divisor], nice: false, zero: true },
          axis: {
            values: panel.axis.ticks.map((t) => t / panel.axis.divisor),
            // The labels are units.ts's, looked up by tick number, so plot and page read alike.
            labelExpr: `${JSON.stringify(panel.axis.labels)}[round(datum.value / ${panel.axis.ticks[1]! / panel.axis.divisor})]`,
          },
        },
        color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', columns: 2, labelLimit: 400 } },
      },
    })),
    resolve: { scale: { color: 'shared' } },
    config: { font: 'DejaVu Sans, Liberation Sans, sans-serif' },
  };
}

export async function renderSvg(r: HistoryResult, opts: PlotOptions): Promise<string> {
  const compiled = vl.compile(plotSpec(r, opts)).spec;
  return new vega.View(vega.parse(compiled), { renderer: 'none' }).toSVG();
}

export async function renderPng(r: HistoryResult, opts: PlotOptions): Promise<Buffer> {
  const svg = await renderSvg(r, opts);
  return new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } })
    .render()
    .asPng();
}
