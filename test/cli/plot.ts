// domstat plot: SVG (vega-lite rendered by vega) and PNG (resvg) from a history the agent wrote
// over a fixture copy whose counters moved by known amounts per tick: alpha's cpuacct.usage by
// 0.5 s (0.5 CPU cores) and vnet0's host-side TX bytes by 2000 (guest rx 2000 bytes/s); the
// chart's units, ticks, dates and series names (units.ts, series-names.ts); bad options.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { buildHistory, type BuiltHistory } from '../helpers/agent-history.js';
import { COL, CounterFile, NetDev, cpuacctUsage, privateTree } from '../helpers/moving.js';
import { openDatabase } from '../../src/store/db.js';
import { HistoryReader } from '../../src/store/history.js';
import { panels, plotSpec, renderSvg } from '../../src/export/plot.js';
import type { HistoryResult } from '../../src/store/history.js';

const TICKS = 10;

async function history(t: Test): Promise<{ dir: string; h: BuiltHistory }> {
  const root = privateTree(t, 'kvm-cgroup1-systemd');
  const net = new NetDev(path.join(root, 'proc/net/dev'));
  const cpu = new CounterFile(cpuacctUsage(root, 'alpha'));
  const h = await buildHistory(t, root, {
    ticks: TICKS,
    stepMs: 1000,
    bump: (k) => {
      net.setFromBase('vnet0', COL.TX_BYTES, BigInt(k * 2000)).write();
      cpu.setFromBase(BigInt(k * 500_000_000));
    },
  });
  return { dir: path.dirname(root), h };
}

/** Text contents of the SVG's <text> elements. */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);

/** The y axes' tick labels, per axis, top to bottom of the page (vega draws them as role-axis-label groups). */
function axisLabels(svg: string): string[][] {
  const axes = [...svg.matchAll(/<g class="mark-text role-axis-label"[^>]*>(.*?)<\/g>/g)].map((m) => texts(m[1]!));
  return axes;
}

/** Line marks: their aria labels and their points. */
function lineMarks(svg: string): { label: string; points: [number, number][] }[] {
  return [...svg.matchAll(/<g class="mark-line[^"]*"[^>]*><path aria-label="([^"]*)"[^>]* d="([^"]*)"/g)].map((m) => ({
    label: m[1]!,
    points: [...m[2]!.matchAll(/[ML]([-0-9.e]+),([-0-9.e]+)/g)].map((p) => [Number(p[1]), Number(p[2])] as [number, number]),
  }));
}

t.test('SVG: readable series names, binary and core ticks, ISO dates', async (t) => {
  const { dir, h } = await history(t);
  const out = path.join(dir, 'x.svg');
  const r = await runCli(['plot', 'alpha', 'cpu.time', 'net.0.rx.bytes', '-o', out, '--db', h.dbFile]);
  t.equal(r.code, 0, 'exit 0');
  t.equal(r.out, '');
  t.equal(r.err, `wrote ${out} (${TICKS} points per line, raw tier)\n`, 'says what it wrote');
  const svg = fs.readFileSync(out, 'utf8');
  t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, 'an SVG document');
  const words = texts(svg);
  t.ok(words.includes('alpha'), 'title: the domain');
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  t.ok(
    words.includes(`${iso(h.times[0]!)} to ${iso(h.times[TICKS - 1]!)} UTC, raw samples`),
    'subtitle: the range in ISO-style UTC times, with seconds (9 s long)',
  );
  t.ok(words.includes('CPU'), 'legend: CPU for cpu.time');
  t.ok(words.includes('vnet0 received'), 'legend: vnet0 received for net.0.rx.bytes');
  t.notOk(
    words.some((w) => w.includes('net.0.rx.bytes') || w.includes('cpu.time')),
    'no raw key names on the chart',
  );

  const [x1, cpuAxis, x2, netAxis] = axisLabels(svg);
  // 0.5 cores: steps of 0.1 up to the value; 2000 B/s is 1.95 KiB/s: steps of 0.5 KiB/s up to 2.0.
  t.same(cpuAxis, ['0.0 cores', '0.1 cores', '0.2 cores', '0.3 cores', '0.4 cores', '0.5 cores'], 'CPU axis in cores, 1-2-5 steps');
  t.same(netAxis, ['0.0 KiB/s', '0.5 KiB/s', '1.0 KiB/s', '1.5 KiB/s', '2.0 KiB/s'], 'network axis in KiB/s (binary), 1-2-5 steps');
  for (const x of [x1!, x2!]) {
    t.ok(x.length >= 2, `time ticks: ${x.join(', ')}`);
    t.ok(
      x.every(
        (l) =>
          /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(l) &&
          Date.parse(`${l.replace(' ', 'T')}Z`) >= h.times[0]! - 1000 &&
          Date.parse(`${l.replace(' ', 'T')}Z`) <= h.times[TICKS - 1]!,
      ),
      'time ticks: ISO-style UTC dates within the range',
    );
  }

  const lines = lineMarks(svg);
  t.equal(lines.length, 2, 'two line marks (one panel per unit)');
  // 10 ticks give 9 rates, 1 s apart over the 800 px width; the panels are 300 px high.
  t.same(
    lines.map((l) => l.points.map((p) => p[0])),
    [0, 0].map(() => [0, 100, 200, 300, 400, 500, 600, 700, 800]),
    '9 points each, 1 s apart',
  );
  t.ok(
    lines[0]!.points.every((p) => p[1] === 0),
    'CPU line at the top tick (0.5 cores)',
  );
  const netY = 300 * (1 - 2000 / 2048);
  t.ok(
    lines[1]!.points.every((p) => Math.abs(p[1] - netY) < 0.01),
    `network line at 2000/2048 of the 2.0 KiB/s axis (y = ${netY.toFixed(3)}): ${lines[1]!.points[0]![1]}`,
  );
  t.match(lines[0]!.label, /; series: CPU$/, 'CPU line named');
  t.match(lines[1]!.label, /; series: vnet0 received$/, 'network line named');
});

t.test('the plotted values are the exact rates, in the axis units', async (t) => {
  const { h } = await history(t);
  const db = openDatabase(h.dbFile, { readonly: true });
  t.teardown(() => db.close());
  const r = new HistoryReader(db).query({ domain: 'alpha', keys: ['cpu.time', 'net.0.rx.bytes'], since: h.times[0]!, until: h.times[TICKS - 1]!, rate: true });
  const ps = panels(r);
  t.same(
    ps.map((p) => [p.presentation, p.axis.divisor]),
    [
      [{ family: 'cores', scale: 1e-9, unit: 'cores' }, 1],
      [{ family: 'bytes', scale: 1, unit: 'B/s' }, 1024],
    ],
    'CPU in cores, network in KiB/s',
  );
  t.same(
    ps[0]!.values.map((v) => [v.series, v.value]),
    Array(TICKS - 1).fill(['CPU', 0.5]),
    'CPU: 0.5 cores per tick',
  );
  t.same(
    ps[1]!.values.map((v) => [v.series, v.value]),
    Array(TICKS - 1).fill(['vnet0 received', 2000 / 1024]),
    'network: 2000 bytes/s, in KiB/s',
  );
  t.same(
    ps[0]!.values.map((v) => v.time),
    h.times.slice(1),
    'at the tick times',
  );
  const spec = plotSpec(r, { width: 800, height: 300, title: 'x' }) as unknown as { vconcat: unknown[] };
  t.equal(spec.vconcat.length, 2, 'one panel per unit');
});

t.test('large rates and a long range: MiB/s and GiB ticks, minute dates, names from keys', async (t) => {
  // A minute-tier result as the history returns it, two days long: vnet0 at up to 3.5 MiB/s,
  // vda's capacity of 40 GiB, packets at up to 1500 per second.
  const minute = 60_000;
  const start = Date.UTC(2026, 11, 5, 22, 0);
  const times = Array.from({ length: 48 * 60 }, (_, i) => start + i * minute);
  const r: HistoryResult = {
    domain: 'web1',
    tier: '1m',
    stepS: 60,
    times,
    series: [
      { key: 'net.0.tx.bytes', device: 'vif3.0', unit: 'bytes/s', type: 'counter', values: times.map((_, i) => (3.5 * 1048576 * (i % 100)) / 99) },
      { key: 'net.0.rx.pkts', device: 'vif3.0', unit: 'packets/s', type: 'counter', values: times.map((_, i) => (1500 * (i % 10)) / 9) },
      { key: 'block.0.capacity', device: 'xvda', unit: 'bytes', type: 'gauge', values: times.map(() => 40 * 1024 ** 3) },
    ],
  };
  const svg = await renderSvg(r, { width: 900, height: 200, title: 'web1' });
  const words = texts(svg);
  t.ok(words.includes('2026-12-05 22:00 to 2026-12-07 21:59 UTC, minute rollups, 60 s steps'), 'subtitle');
  t.ok(
    ['vif3.0 sent', 'vif3.0 packets received', 'xvda capacity'].every((n) => words.includes(n)),
    'legend names',
  );
  const [x, rate, , pkts, , size] = axisLabels(svg);
  t.same(rate, ['0 MiB/s', '1 MiB/s', '2 MiB/s', '3 MiB/s', '4 MiB/s'], 'MiB/s in steps of 1, up to the 3.5 MiB/s peak');
  t.same(pkts, ['0.0k packets/s', '0.5k packets/s', '1.0k packets/s', '1.5k packets/s'], 'packets with SI prefixes');
  t.same(size, ['0 GiB', '10 GiB', '20 GiB', '30 GiB', '40 GiB'], 'capacity in GiB');
  t.ok(x!.length >= 2 && x!.every((l) => /^2026-12-0[5-7] \d\d:\d\d$/.test(l)), `dates with minutes over two days: ${x!.join(', ')}`);
});

t.test('PNG: a real image twice the SVG size', async (t) => {
  const { dir, h } = await history(t);
  const svgFile = path.join(dir, 'x.svg');
  const pngFile = path.join(dir, 'x.png');
  t.equal((await runCli(['plot', 'alpha', 'cpu.time', 'net.0.rx.bytes', '-o', svgFile, '--db', h.dbFile])).code, 0);
  const r = await runCli(['plot', 'alpha', 'cpu.time', 'net.0.rx.bytes', '-o', pngFile, '--db', h.dbFile]);
  t.equal(r.code, 0, 'exit 0');
  t.equal(r.err, `wrote ${pngFile} (${TICKS} points per line, raw tier)\n`);
  const png = fs.readFileSync(pngFile);
  t.same([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  t.equal(png.toString('latin1', 12, 16), 'IHDR', 'IHDR first');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const svg = fs.readFileSync(svgFile, 'utf8');
  const m = /^<svg[^>]* width="([0-9]+)" height="([0-9]+)"/.exec(svg);
  t.ok(m !== null, 'SVG has a size');
  t.ok(width > 0 && height > 0, `image ${width}x${height}`);
  t.equal(width, 2 * Number(m?.[1]), 'width: SVG width at zoom 2');
  t.equal(height, 2 * Number(m?.[2]), 'height: SVG height at zoom 2');
  t.ok(png.length > 10_000, `not an empty canvas (${png.length} bytes)`);
});

t.test('clear errors, exit 1', async (t) => {
  const { dir, h } = await history(t);
  const cases: [string[], string][] = [
    [['plot', 'alpha', 'cpu.time', '-o', path.join(dir, 'x.jpg'), '--db', h.dbFile], 'error: --output must end in .svg or .png\n'],
    [['plot', 'alpha', 'cpu.time', '-o', path.join(dir, 'x'), '--db', h.dbFile], 'error: --output must end in .svg or .png\n'],
    [['plot', 'nosuch', 'cpu.time', '-o', path.join(dir, 'n.svg'), '--db', h.dbFile], "error: no history for domain 'nosuch'\n"],
    [['plot', 'alpha', 'cpu.bogus', '-o', path.join(dir, 'k.svg'), '--db', h.dbFile], "error: unknown key 'cpu.bogus' (see domstat history --list)\n"],
    [
      ['plot', 'alpha', 'cpu.time', '-o', path.join(dir, 'old.svg'), '--db', h.dbFile, '--since', '2020-01-01T00:00:00Z', '--until', '2020-01-02T00:00:00Z'],
      'error: no history for alpha in that time range\n',
    ],
  ];
  const svg = path.join(dir, 's.svg');
  const sizes: [string, string, string][] = [
    ['--width', 'abc', "--width must be an integer, got 'abc'"],
    ['--width', '1e3', "--width must be an integer, got '1e3'"],
    ['--width', '-800', '--width must be from 200 to 4000, got -800'],
    ['--width', '100000', '--width must be from 200 to 4000, got 100000'],
    ['--height', '0', '--height must be from 100 to 2000, got 0'],
    ['--height', '1.5', "--height must be an integer, got '1.5'"],
    ['--height', '', "--height must be an integer, got ''"],
  ];
  for (const [opt, v, msg] of sizes) cases.push([['plot', 'alpha', 'cpu.time', '-o', svg, '--db', h.dbFile, opt, v], `error: ${msg}\n`]);
  // Each panel within its bounds, the image as a whole not: three panels (CPU time, bytes, packets) of 4000×2000.
  cases.push([
    ['plot', 'alpha', 'cpu.time', 'net.0.rx.bytes', 'net.0.rx.pkts', '-o', svg, '--db', h.dbFile, '--width', '4000', '--height', '2000'],
    'error: 3 panels of 4000×2000 are 24.0 million pixels, more than 12: ask for fewer keys or smaller panels\n',
  ]);
  for (const [args, err] of cases) {
    const r = await runCli(args);
    t.equal(r.code, 1, `${args.slice(1, 3).join(' ')} ${path.basename(args[args.indexOf('-o') + 1]!)}: exit 1`);
    t.equal(r.err, err, err.trim());
    t.equal(r.out, '');
    t.notOk(fs.existsSync(args[args.indexOf('-o') + 1]!), 'no file written');
  }
  const missing = await runCli(['plot', 'alpha', 'cpu.time', '-o', path.join(dir, 'm.svg'), '--db', path.join(dir, 'none.db')]);
  t.equal(missing.code, 1, 'missing database: exit 1');
  t.match(missing.err, /^error: .*none\.db/, `names the database: ${missing.err.trim()}`);
  const noOut = await runCli(['plot', 'alpha', 'cpu.time', '--db', h.dbFile]);
  t.equal(noOut.code, 1, 'no -o: exit 1');
  t.match(noOut.err, /required option '-o, --output <file>' not specified/);
});
