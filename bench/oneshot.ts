// One-shot commands against node's own start-up: wall time of `domstat domstats` and
// `domstat list` on the libvirt 9 / QEMU 7 capture tree (the stand-in for the lab host), of
// `domstat --version`, and of a bare `node -e 0`. The installed command is run as a user runs it
// (bin/domstat.cjs through its first line, with its node flags). Runs are interleaved, one of
// each command per round, so the machine's noise falls on all of them alike.
//   node dist-bench/bench/oneshot.js [runs]       (part of `npm run bench` as section (f))
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..'); // dist-bench/bench
const TREE = 'fixtures/libvirt9-qemu7-hybrid-cgroup';
const BIN = path.join(REPO, 'bin', 'domstat.js');

export interface OneShotRow {
  label: string;
  ms: number[];
}

const COMMANDS: readonly (readonly [string, string, readonly string[]])[] = [
  ['node -e 0', process.execPath, ['-e', '0']],
  ['domstat --version', BIN, ['--version']],
  [`domstat list --root ${TREE}`, BIN, ['list', '--root', TREE]],
  [`domstat domstats --root ${TREE}`, BIN, ['domstats', '--root', TREE]],
];

export function oneShotBench(runs: number): OneShotRow[] {
  const rows = COMMANDS.map(([label]) => ({ label, ms: [] as number[] }));
  for (let round = -2; round < runs; round++) {
    COMMANDS.forEach(([label, cmd, args], i) => {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`${label}: exit ${r.status}: ${r.stderr.toString()}`);
      if (round >= 0) rows[i]!.ms.push(ms); // two rounds to warm the page cache
    });
  }
  return rows;
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

/** The markdown table: median, min and p90 wall time, and each command's time over node's own. */
export function oneShotTable(rows: readonly OneShotRow[]): string[] {
  const node = quantile(rows[0]!.ms, 0.5);
  const lines = ['| command | runs | median | min | p90 | median − node | median ÷ node |', '|---|---:|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    const med = quantile(r.ms, 0.5);
    lines.push(
      `| \`${r.label}\` | ${r.ms.length} | ${med.toFixed(1)} ms | ${quantile(r.ms, 0).toFixed(1)} ms | ${quantile(r.ms, 0.9).toFixed(1)} ms | ${(med - node).toFixed(1)} ms | ${(med / node).toFixed(2)}× |`,
    );
  }
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runs = Number(process.argv[2] ?? 30);
  process.stdout.write(oneShotTable(oneShotBench(runs)).join('\n') + '\n');
}
