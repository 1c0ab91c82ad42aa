// What the replaced-file check costs the agent's collect (src/host/kept-files.ts): one simulated
// tree in /dev/shm, two samplers on it in child processes of their own (each keeps a descriptor
// per file, more than one process may hold), one opened while the tree declares in-place writes
// (no check), one opened without the declaration (a stat of the path before each read, and no
// read-ahead). They tick in turn, in alternating order, the simulator advancing before each tick,
// so both see the same load.
//
//   npm run bench -- --sizes 10 --skip-agent   (builds dist-bench), then
//   node --expose-gc dist-bench/bench/replaced-check.js xen|kvm DOMAINS TICKS

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { agentMap } from '../src/sample/row-map.js';
import { fileURLToPath } from 'node:url';
import { createSimHost, type SimKind } from '../src/sim/simulate.js';
import { Connection } from '../src/connection/connection.js';
import { readInventory } from '../src/domains/inventory.js';
import { defaultReadAheadFrom, Sampler } from '../src/agent/sampler.js';
import { openDatabase } from '../src/store/db.js';
import { readKeyMap } from '../src/store/key-map.js';
import { IN_PLACE_MARK } from '../src/host/kept-files.js';

interface Reply {
  us: number;
  cpuUs: number;
  careful: number;
}

/** A child: the agent's sampler on the tree, one tick per message. */
function child(root: string, dbFile: string): void {
  const conn = new Connection({ root });
  conn.fs.keepOpen(1 << 20);
  conn.setInventory(readInventory(conn.fs));
  const sampler = new Sampler(conn, agentMap(readKeyMap(openDatabase(dbFile))), { hostname: 'bench', readAheadFrom: defaultReadAheadFrom() });
  const gc = (globalThis as { gc?: (o: { type: string }) => void }).gc;
  process.on('message', (m) => {
    if (m === 'stop') {
      void sampler.close().then(() => process.exit(0));
      return;
    }
    gc?.({ type: 'minor' });
    const cpu0 = process.cpuUsage();
    const r = sampler.sample();
    const cpu = process.cpuUsage(cpu0);
    process.send!({ us: r.collectUs, cpuUs: cpu.user + cpu.system, careful: sampler.careful } satisfies Reply);
  });
  process.send!('ready');
}

async function main(): Promise<void> {
  const kind = (process.argv[2] ?? 'xen') as SimKind;
  const domains = Number(process.argv[3] ?? 1000);
  const ticks = Number(process.argv[4] ?? 40);
  const base = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'domstat-replaced-'));
  const sim = createSimHost({ dir: path.join(base, 'host'), domains, kind, maxOpenFiles: 1000 });
  const mark = path.join(sim.dir, IN_PLACE_MARK);
  const start = async (name: string): Promise<ChildProcess> => {
    const c = fork(fileURLToPath(import.meta.url), ['--child', sim.dir, path.join(base, `${name}.db`)], { execArgv: ['--expose-gc'] });
    await new Promise((r) => c.once('message', r));
    return c;
  };
  const runs = { 'in place (declared), no check': { c: await start('unchecked'), us: [] as number[], cpu: [] as number[] } } as Record<
    string,
    { c: ChildProcess; us: number[]; cpu: number[] }
  >;
  const text = fs.readFileSync(mark);
  fs.rmSync(mark);
  runs['undeclared: stat before each read'] = { c: await start('checked'), us: [], cpu: [] };
  fs.writeFileSync(mark, text);
  const tick = (c: ChildProcess) =>
    new Promise<Reply>((r) => {
      c.once('message', (m) => r(m as Reply));
      c.send('tick');
    });
  const names = Object.keys(runs);
  for (let i = 0; i < 5 + ticks; i++) {
    for (const n of i % 2 === 0 ? names : [...names].reverse()) {
      sim.advance(1);
      const r = await tick(runs[n]!.c);
      if (r.careful !== 0) throw new Error(`${n}: ${r.careful} domain(s) sampled by their driver`);
      if (i < 5) continue;
      runs[n]!.us.push(r.us);
      runs[n]!.cpu.push(r.cpuUs);
    }
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor((a.length - 1) / 2)]! / 1000;
  console.log(`${kind} ${domains} domains, ${ticks} ticks each, interleaved (load ${os.loadavg()[0]!.toFixed(1)}):`);
  for (const n of names) {
    console.log(`  ${n.padEnd(36)} collect median ${median(runs[n]!.us).toFixed(2)} ms, CPU (both threads) ${median(runs[n]!.cpu).toFixed(2)} ms`);
    runs[n]!.c.send('stop');
  }
  await Promise.all(names.map((n) => new Promise((r) => runs[n]!.c.once('exit', r))));
  sim.close();
  fs.rmSync(base, { recursive: true, force: true });
}

if (process.argv[2] === '--child') child(process.argv[3]!, process.argv[4]!);
else await main();
