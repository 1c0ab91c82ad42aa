// Line charts of history as SVG (vega-lite, rendered by vega without a browser) or PNG (the SVG
// rasterised by resvg). Rates are plotted for counters, values for gauges; one line per key.

import * as vega from 'vega';
import * as vl from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import type { HistoryResult } from '../store/history.js';

export interface PlotOptions {
  width: number;
  height: number;
  title: string;
}

/** Presentation units: ns/s of CPU becomes CPU cores; KiB becomes bytes. */
function presentation(unit: string): { scale: number; unit: string } {
  if (unit === 'ns/s') return { scale: 1e-9, unit: 'CPU cores' };
  if (unit === 'ns') return { scale: 1e-9, unit: 'seconds' };
  if (unit === 'KiB') return { scale: 1024, unit: 'bytes' };
  return { scale: 1, unit };
}

export function plotSpec(r: HistoryResult, opts: PlotOptions): vl.TopLevelSpec {
  const values: { time: number; series: string; unit: string; value: number }[] = [];
  for (const s of r.series) {
    const p = presentation(s.unit);
    const label = `${s.key}${s.device ? ` (${s.device})` : ''}`;
    s.values.forEach((v, i) => {
      if (v !== null) values.push({ time: r.times[i]!, series: label, unit: p.unit, value: Number(v) * p.scale });
    });
  }
  const units = [...new Set(values.map((v) => v.unit))];
  // One panel per unit, each with its own y axis: bytes/s and CPU cores never share a scale.
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: opts.title, subtitle: `${r.tier} tier${r.stepS === null ? '' : `, ${r.stepS} s steps`}, times in UTC` },
    background: 'white',
    data: { values },
    vconcat: units.map((unit) => ({
      width: opts.width,
      height: opts.height,
      transform: [{ filter: { field: 'unit', equal: unit } }],
      mark: { type: 'line', point: values.length < 60 },
      encoding: {
        x: { field: 'time', type: 'temporal', title: null, scale: { type: 'utc' }, axis: { format: '%H:%M:%S', labelOverlap: true } },
        y: { field: 'value', type: 'quantitative', title: unit, axis: { format: unit === 'CPU cores' || unit === 'seconds' ? '.2f' : '~s' } },
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
