// domstat plot: SVG (vega-lite rendered by vega) and PNG (resvg) from a history the agent wrote
// over a fixture copy whose counters moved by known amounts per tick: alpha's cpuacct.usage by
// 0.5 s (0.5 CPU cores) and vnet0's host-side TX bytes by 2000 (guest rx 2000 bytes/s).
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { buildHistory, type BuiltHistory } from '../helpers/agent-history.js';
import { COL, CounterFile, NetDev, cpuacctUsage, privateTree } from '../helpers/moving.js';
import { openDatabase } from '../../src/store/db.js';
import { HistoryReader } from '../../src/store/history.js';
import { plotSpec } from '../../src/export/plot.js';

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

t.test('SVG: title, unit axes, legend, one line per key', async (t) => {
  const { dir, h } = await history(t);
  const out = path.join(dir, 'x.svg');
  const r = await runCli(['plot', 'alpha', 'cpu.time', 'net.0.rx.bytes', '-o', out, '--db', h.dbFile]);
  t.equal(r.code, 0, 'exit 0');
  t.equal(r.out, '');
  t.equal(r.err, `wrote ${out} (${TICKS} points per line, raw tier)\n`, 'says what it wrote');
  const svg = fs.readFileSync(out, 'utf8');
  t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, 'an SVG document');
  const words = texts(svg);
  t.ok(words.includes('alpha: cpu.time, net.0.rx.bytes'), 'title names the domain and keys');
  t.ok(words.includes('raw tier, times in UTC'), 'subtitle names the tier');
  t.ok(words.includes('CPU cores'), 'y axis title: CPU cores (ns/s of CPU time)');
  t.ok(words.includes('bytes/s'), 'y axis title: bytes/s');
  t.ok(words.includes('cpu.time'), 'legend: cpu.time');
  t.ok(words.includes('net.0.rx.bytes (vnet0)'), 'legend: net.0.rx.bytes with its device');
  // The axes end at the constant rates: 0.5 cores and 2000 bytes/s.
  t.ok(words.includes('0.50'), 'CPU axis reaches 0.50');
  t.ok(words.includes('2k'), 'bytes axis reaches 2k');
  const lines = [...svg.matchAll(/<g class="mark-line[^"]*"[^>]*><path aria-label="([^"]*)"[^>]* d="([^"]*)"/g)].map((m) => ({ label: m[1]!, d: m[2]! }));
  t.equal(lines.length, 2, 'two line marks (one panel per unit)');
  // 10 ticks give 9 rates, 1 s apart over the 800 px width: flat lines at the top of each panel.
  const flat = 'M0,0L100,0L200,0L300,0L400,0L500,0L600,0L700,0L800,0';
  t.equal(lines[0]?.d, flat, 'CPU line: 9 points, constant');
  t.match(lines[0]?.label, /CPU cores: 0\.50; series: cpu\.time$/, 'CPU line is 0.50 cores');
  t.equal(lines[1]?.d, flat, 'network line: 9 points, constant');
  t.match(lines[1]?.label, /bytes\/s: 2k; series: net\.0\.rx\.bytes \(vnet0\)$/, 'network line is 2k bytes/s');
});

t.test('the plotted values are the exact rates', async (t) => {
  const { h } = await history(t);
  const db = openDatabase(h.dbFile, { readonly: true });
  t.teardown(() => db.close());
  const r = new HistoryReader(db).query({ domain: 'alpha', keys: ['cpu.time', 'net.0.rx.bytes'], since: h.times[0]!, until: h.times[TICKS - 1]!, rate: true });
  const spec = plotSpec(r, { width: 800, height: 300, title: 'x' }) as unknown as {
    data: { values: { time: number; series: string; unit: string; value: number }[] };
    vconcat: unknown[];
  };
  const values = spec.data.values;
  t.same(
    values.filter((v) => v.series === 'cpu.time').map((v) => [v.unit, v.value]),
    Array(TICKS - 1).fill(['CPU cores', 0.5]),
    'CPU: 0.5 cores per tick',
  );
  t.same(
    values.filter((v) => v.series === 'net.0.rx.bytes (vnet0)').map((v) => [v.unit, v.value]),
    Array(TICKS - 1).fill(['bytes/s', 2000]),
    'network: 2000 bytes/s',
  );
  t.same(
    values.filter((v) => v.series === 'cpu.time').map((v) => v.time),
    h.times.slice(1),
    'at the tick times',
  );
  t.equal(spec.vconcat.length, 2, 'one panel per unit');
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
