// npm run test:lab — the agent's sampling plan on the live lab host (real procfs, cgroupfs and
// sysfs, where a read of a kernel file is a kernel call, not a copy of a fixture): read by the
// read-ahead thread (every file it takes) and by the main thread alone, each between two readings
// by the drivers. Counters lie between the drivers' two readings, the RSS gauge within 2 %, the
// rest equal; both paths report the same rows and devices.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SHARED } from '../test/helpers/cli.js';
import { Connection } from '../src/connection/connection.js';
import { Sampler } from '../src/agent/sampler.js';
import { openDatabase } from '../src/store/db.js';
import { readKeyMap } from '../src/store/key-map.js';
import { reading, type DomainSample } from '../src/sample/rows.js';

const LAB = path.join(SHARED, 'lab', 'libvirt-lab.sh');
if (!fs.existsSync(LAB)) throw new Error(`${LAB} is missing: the lab needs ../shared/lab`);
execFileSync('bash', [LAB, 'up'], { encoding: 'utf8' });

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'domstat-plan-live-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
const map = (() => {
  const db = openDatabase(path.join(dir, 'map.db'));
  const m = readKeyMap(db);
  db.close();
  return m;
})();

/** Column types by kind and column. */
const types = new Map<string, string>(Object.values(map.columns).flatMap((cols) => cols.map((c) => [`${c.kind} ${c.col}`, c.type] as const)));

/** device key ("lab-busy vcpu 0 vcpu0") -> "kind column" -> exact reading */
function readings(samples: DomainSample[]): Map<string, Map<string, bigint>> {
  const out = new Map<string, Map<string, bigint>>();
  for (const s of samples) {
    if (s.key === '@host') continue;
    for (const d of s.devices) {
      const cols = new Map<string, bigint>();
      map.columns[d.kind].forEach((c, i) => {
        const v = reading(d, i);
        if (v !== undefined) cols.set(`${d.kind} ${c.col}`, v);
      });
      out.set(`${s.name} ${d.kind} ${d.idx} ${d.name}`, cols);
    }
  }
  return out;
}

const drivers = () => readings(new Sampler(new Connection({ root: '/' }), map, { usePlans: false }).sample().samples);

for (const ahead of [true, false]) {
  t.test(ahead ? 'the read-ahead thread reading every file it takes' : 'the main thread reading alone', async (t) => {
    const conn = new Connection({ root: '/' });
    conn.fs.keepOpen(4096);
    const sampler = new Sampler(conn, map, ahead ? { readAheadFrom: 0, readAheadFirst: true } : {});
    t.teardown(async () => {
      await sampler.close();
      conn.fs.closeAll();
    });
    sampler.sample(); // lays out the plans (and the read-ahead groups)
    const before = drivers();
    const r = sampler.sample();
    const after = drivers();
    t.equal(sampler.careful, 0, 'every running domain through its plan');
    if (ahead) t.ok(sampler.readsAhead > 0, `${sampler.readsAhead} reads by the read-ahead thread, ${sampler.readsHere} on the main thread`);
    else t.equal(sampler.readsAhead, 0, `${sampler.readsHere} reads on the main thread`);
    const plan = readings(r.samples);
    t.strictSame([...plan.keys()].sort(), [...after.keys()].sort(), 'the same devices as the drivers');
    for (const [dev, cols] of after) {
      const mine = plan.get(dev) ?? new Map<string, bigint>();
      const first = before.get(dev) ?? new Map<string, bigint>();
      t.strictSame([...mine.keys()].sort(), [...cols.keys()].sort(), `${dev}: the same columns`);
      for (const [col, last] of cols) {
        const got = mine.get(col);
        const lo = first.get(col);
        const type = types.get(col);
        const what = `${dev} ${col}: drivers ${lo} .. ${last}, plan ${got}`;
        if (got === undefined || lo === undefined) t.fail(what);
        else if (col === 'domain balloon_rss')
          t.ok(Number(got) >= Math.min(Number(lo), Number(last)) * 0.98 && Number(got) <= Math.max(Number(lo), Number(last)) * 1.02, `${what} (within 2%)`);
        else if (type === 'counter') t.ok(lo <= got && got <= last, what);
        else t.equal(got, last, what);
      }
    }
  });
}
