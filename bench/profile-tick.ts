// Ticks in a loop for a CPU profile of the agent's hot path:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof dist-bench/bench/profile-tick.js xen 1000 [ticks]
//   (a KVM host in another cgroup layout: kvm:v1 or kvm:hybrid for the kind)
//   node dist-bench/bench/cpuprofile-summary.js /tmp/prof/*.cpuprofile
// GC=minor (with node --expose-gc): a scavenge before every tick, as `npm run bench` does; GC=major
// a full GC. The store's median per tick (ticks 5 on) is printed with the means.
// The simulator advances between ticks outside the sampled phase only as far as the profile
// allows: its frames (src/sim) show up separately and can be ignored.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSimHost, type SimCgroup, type SimKind } from '../src/sim/simulate.js';
import { agentMap } from '../src/sample/row-map.js';
import { Connection } from '../src/connection/connection.js';
import { readInventory } from '../src/domains/inventory.js';
import { defaultReadAheadFrom, Sampler } from '../src/agent/sampler.js';
import { SHARED_AGENT_MAX_OPEN, SIM_MAX_OPEN } from './descriptors.js';
import { openDatabase } from '../src/store/db.js';
import { HistoryWriter } from '../src/store/writer.js';
import { KEYFRAME_MS } from '../src/store/layout.js';

const [kind, cgroup = 'v2'] = (process.argv[2] ?? 'xen').split(':') as [SimKind, SimCgroup?];
const domains = Number(process.argv[3] ?? 1000);
const ticks = Number(process.argv[4] ?? 60);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
const tree = fs.mkdtempSync(path.join(base, 'domstat-prof-'));
const dbDir = fs.mkdtempSync(path.join(os.tmpdir(), 'domstat-prof-'));
const sim = createSimHost({ dir: path.join(tree, 'host'), domains, kind, cgroup, maxOpenFiles: SIM_MAX_OPEN });
const conn = new Connection({ root: sim.dir });
conn.fs.keepOpen(process.env.MAX_OPEN === undefined ? SHARED_AGENT_MAX_OPEN : Number(process.env.MAX_OPEN));
conn.setInventory(readInventory(conn.fs));
const db = openDatabase(path.join(dbDir, 'prof.db'));
const writer = new HistoryWriter(db);
// READ_AHEAD=0: the main thread reads alone; otherwise as the agent does.
const sampler = new Sampler(conn, agentMap(writer.map), {
  hostname: 'prof',
  readAheadFrom: process.env.READ_AHEAD === '0' ? Infinity : defaultReadAheadFrom(),
});
let ts = Math.floor(Date.now() / KEYFRAME_MS) * KEYFRAME_MS + 1000;
let collect = 0;
let store = 0;
const stores: number[] = [];
const gcHook = (globalThis as { gc?: (o: { type: 'minor' | 'major' }) => void }).gc;
const gcType = process.env.GC;
if (gcType !== undefined && gcType !== 'minor' && gcType !== 'major') throw new Error('GC is minor or major');
if (gcType !== undefined && gcHook === undefined) throw new Error('GC needs node --expose-gc');
const gc = gcType === undefined ? undefined : () => gcHook!({ type: gcType });
for (let i = 0; i < ticks; i++) {
  sim.advance(1);
  gc?.();
  const t0 = performance.now();
  const s = sampler.sample(ts);
  const t1 = performance.now();
  // dt known after the first tick, as in the agent: every later row an increase, not a base row
  writer.write({ ts, mono: i * 1000, dt: i === 0 ? null : 1000, collectUs: s.collectUs, domains: s.samples });
  const t2 = performance.now();
  if (i >= 5) {
    collect += t1 - t0;
    store += t2 - t1;
    stores.push(t2 - t1);
  }
  ts += 1000;
}
console.log(`reads: ${sampler.readsAhead} by the read-ahead thread, ${sampler.readsHere} here; timeouts ${sampler.readAhead?.timeouts ?? 0}`);
console.log(
  `${kind} ${domains}: collect ${(collect / (ticks - 5)).toFixed(2)} ms, store ${(store / (ticks - 5)).toFixed(2)} ms per tick (median ${median(stores).toFixed(2)})`,
);
await sampler.close();
conn.fs.closeAll();
db.close();
sim.close();
fs.rmSync(tree, { recursive: true, force: true });
fs.rmSync(dbDir, { recursive: true, force: true });
