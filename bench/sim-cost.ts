// What the running simulator costs per update (src/sim/schedule.ts): one advance() of every
// domain's counters and the rewrite of their files, at the default 0.1 s step. Not part of
// `npm run bench` (the benchmark drives the simulator itself); run with
//   npx tsc -p bench/tsconfig.json && node dist-bench/bench/sim-cost.js [--sizes 10,100,1000] [--updates 30] [--cgroups v2,v1,hybrid]

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSimHost, type SimCgroup, type SimKind } from '../src/sim/simulate.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const SIZES = (arg('--sizes') ?? '10,100,1000').split(',').map(Number);
const UPDATES = Number(arg('--updates') ?? 30);
const STEP_S = 0.1;
/** The KVM hosts' cgroup layouts to measure (a row each). */
const CGROUPS = (arg('--cgroups') ?? 'v2').split(',') as SimCgroup[];

console.log(`| host | domains | counter files | update, median | p90 | one core busy at a ${STEP_S} s interval |`);
console.log('|---|---:|---:|---:|---:|---:|');
const hosts: [SimKind, SimCgroup][] = [['xen', 'v2'], ...CGROUPS.map((c): [SimKind, SimCgroup] => ['kvm', c])];
for (const [kind, cgroup] of hosts) {
  for (const domains of SIZES) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'domstat-sim-cost-'));
    try {
      const sim = createSimHost({ dir: path.join(dir, 'host'), domains, kind, cgroup });
      for (let i = 0; i < 3; i++) sim.advance(STEP_S); // warm-up
      const ms: number[] = [];
      for (let i = 0; i < UPDATES; i++) {
        const t0 = performance.now();
        sim.advance(STEP_S);
        ms.push(performance.now() - t0);
      }
      sim.close();
      ms.sort((a, b) => a - b);
      const median = ms[Math.floor(ms.length / 2)]!;
      const p90 = ms[Math.floor(ms.length * 0.9)]!;
      const busy = Math.min(100, (median / (STEP_S * 1000)) * 100);
      console.log(
        `| ${kind === 'kvm' ? `kvm (cgroup ${cgroup})` : kind} | ${domains} | ${sim.counterFiles} | ${median.toFixed(1)} ms | ${p90.toFixed(1)} ms | ${busy.toFixed(0)} %${median > STEP_S * 1000 ? ' (updates every ~' + (Math.ceil(median / (STEP_S * 1000)) * STEP_S).toFixed(1) + ' s)' : ''} |`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
