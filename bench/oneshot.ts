// One-shot commands against node's own start-up: wall time of `domstat domstats` and
// `domstat list` on the libvirt 9 / QEMU 7 capture tree (the stand-in for the lab host), of
// `domstat --version`, of loading the one-shot bundle alone, and of a bare `node -e 0`. The
// installed command is run as a user runs it (bin/domstat.cjs through its first line, with its
// node flags). Runs are interleaved, one of each command per round, so the machine's noise falls
// on all of them alike. Then where the time goes, from inside fresh processes
// (bench/oneshot-phases.ts): loading the bundle, the first run and later ones, and the first
// run's parts (the inventory and its XML, the statistics, the text).
//   node dist-bench/bench/oneshot.js [runs] [--live]   (part of `npm run bench` as section (f))
// --live adds `virsh domstats` and `domstat domstats` on this host itself (no --root) to the
// interleaved rounds, for issue 14's comparison with virsh on a libvirt host (the lab).
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nodeFlags } from './node-flags.js';

const HERE = path.dirname(fileURLToPath(import.meta.url)); // dist-bench/bench
const REPO = path.resolve(HERE, '../..');
const TREE = 'fixtures/libvirt9-qemu7-hybrid-cgroup';
const BIN = path.join(REPO, 'bin', 'domstat.cjs');
const LOADER = path.join(REPO, 'bin', 'oneshot-loader.cjs');
/** The node flags of the installed command (bin/domstat.cjs's first line). */
const FLAGS = nodeFlags();

export interface OneShotRow {
  label: string;
  ms: number[];
}

const COMMANDS: readonly (readonly [string, string, readonly string[]])[] = [
  ['node -e 0', process.execPath, ['-e', '0']],
  [`the bundle loaded with its code cache, nothing run`, process.execPath, [...FLAGS, '-e', `require(${JSON.stringify(LOADER)}).loadOneShot()`]],
  [`the bundle loaded without it`, process.execPath, [...FLAGS, '-e', `require(${JSON.stringify(LOADER)}).loadOneShot(false)`]],
  ['domstat --version', BIN, ['--version']],
  [`domstat list --root ${TREE}`, BIN, ['list', '--root', TREE]],
  [`domstat domstats --root ${TREE}`, BIN, ['domstats', '--root', TREE]],
];
/** On a libvirt host (--live): virsh against domstat, both reading the host itself. */
const LIVE: readonly (readonly [string, string, readonly string[]])[] = [
  ['virsh domstats (this host)', 'virsh', ['domstats']],
  ['domstat domstats (this host)', BIN, ['domstats']],
];
/** Rows of oneShotBench's result (with live, the two LIVE rows follow). */
export const ROW = { node: 0, bundle: 1, uncached: 2, version: 3, list: 4, domstats: 5, virsh: 6, live: 7 } as const;

export function oneShotBench(runs: number, live = false): OneShotRow[] {
  const commands = live ? [...COMMANDS, ...LIVE] : COMMANDS;
  const rows = commands.map(([label]) => ({ label, ms: [] as number[] }));
  for (let round = -2; round < runs; round++) {
    commands.forEach(([label, cmd, args], i) => {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`${label}: exit ${r.status}: ${r.stderr.toString()}`);
      if (round >= 0) rows[i]!.ms.push(ms); // two rounds to warm the page cache
    });
  }
  return rows;
}

export const quantile = (xs: readonly number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

/** The markdown table: median, min and p90 wall time, and each command's time over node's own. */
export function oneShotTable(rows: readonly OneShotRow[]): string[] {
  const node = quantile(rows[ROW.node]!.ms, 0.5);
  const lines = ['| command | runs | median | min | p90 | median − node | median ÷ node |', '|---|---:|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    const med = quantile(r.ms, 0.5);
    lines.push(
      `| \`${r.label}\` | ${r.ms.length} | ${med.toFixed(1)} ms | ${quantile(r.ms, 0).toFixed(1)} ms | ${quantile(r.ms, 0.9).toFixed(1)} ms | ${(med - node).toFixed(1)} ms | ${(med / node).toFixed(2)}× |`,
    );
  }
  return lines;
}

/** Medians of bench/oneshot-phases.ts's figures, each mode in its own fresh processes, interleaved. */
export function oneShotPhases(runs: number): Record<string, number> {
  const modes = [['bundle'], ['parts'], ['parts', 'xml']];
  const samples = new Map<string, number[]>();
  for (let round = -1; round < runs; round++) {
    for (const mode of modes) {
      const r = spawnSync(process.execPath, [...FLAGS, path.join(HERE, 'oneshot-phases.js'), ...mode], { cwd: REPO, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`oneshot-phases ${mode.join(' ')}: exit ${r.status}: ${r.stderr}`);
      if (round < 0) continue;
      for (const [k, v] of Object.entries(JSON.parse(r.stdout) as Record<string, number>)) samples.set(k, [...(samples.get(k) ?? []), v]);
    }
  }
  return Object.fromEntries([...samples].map(([k, xs]) => [k, quantile(xs, 0.5)]));
}

/** Where `domstat domstats`'s time goes: from the command table (wall, outside) and the phases (inside). */
export function oneShotBreakdown(rows: readonly OneShotRow[], p: Record<string, number>): string[] {
  const med = (i: number) => quantile(rows[i]!.ms, 0.5);
  const node = med(ROW.node);
  const loaded = med(ROW.bundle);
  const total = med(ROW.domstats);
  const f = (x: number | undefined) => (x === undefined ? '?' : x.toFixed(1));
  return [
    '| part of `domstat domstats` | ms | how measured |',
    '|---|---:|---|',
    `| node's own start and exit | ${f(node)} | \`node -e 0\` |`,
    `| loading the bundle (read, deserialize its code cache, top level) | ${f(loaded - node)} (inside: ${f(p.load)}) | bundle loaded − node; inside: loadOneShot() timed |`,
    `| … without the code cache (read, compile, top level) | ${f(med(ROW.uncached) - node)} | bundle loaded without it − node |`,
    `| bin/domstat.cjs, the program, the command's run, output | ${f(total - loaded)} | domstats − bundle loaded |`,
    `| … the run, first in the process | ${f(p.first)} | runOneShot timed (later runs: ${f(p.second)}, ${f(p.fifth)} by the fifth) |`,
    `| … … the inventory (reading and parsing the domain XML) | ${f(p.inventory)} | readInventory, first call |`,
    `| … … … of it, XMLValidator + XMLParser over the 4 files (${p.xmlBytes ?? '?'} bytes) | ${f(p.xml)} | parseXml, first calls (warm: ${f(p.xmlWarm)}) |`,
    `| … … the statistics (host files read and parsed) | ${f(p.stats)} | getAllDomainStats after it |`,
    `| … … the virsh text | ${f(p.format)} | formatDomstats |`,
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runs = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 30);
  const live = process.argv.includes('--live');
  const rows = oneShotBench(runs, live);
  process.stdout.write(oneShotTable(rows).join('\n') + '\n\n');
  if (live) {
    const ratio = quantile(rows[ROW.live]!.ms, 0.5) / quantile(rows[ROW.virsh]!.ms, 0.5);
    process.stdout.write(`\`domstat domstats\` ÷ \`virsh domstats\` on this host (medians): ${ratio.toFixed(2)}×\n\n`);
  }
  process.stdout.write(oneShotBreakdown(rows, oneShotPhases(Math.max(5, Math.round(runs / 2)))).join('\n') + '\n');
}
