// The agent against a tree that changes under it the ways a real one can: a FIFO appearing where
// it reads (a definition, /proc/net/dev, a kept block counter) costs that file's figures and one
// message, and the next tick comes (an open that waited for a writer would hang it for good);
// files updated the usual safe way (a new file renamed over the old, or deleted and created
// again) are read fresh from the next tick, not through the old file's kept descriptor. Ticks
// are called directly, each rescanning the definitions: nothing here waits on a timer.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Agent } from '../../src/agent/agent.js';
import { openDatabase } from '../../src/store/db.js';
import { HistoryReader } from '../../src/store/history.js';
import { capture, copyTree, FakeClocks, tdir, XEN } from '../helpers/store.js';

const A = Date.parse('2026-01-05T10:00:00Z');
const STATS = 'sys/bus/xen-backend/devices/vbd-3-51712/statistics';

async function setup(t: Test) {
  const root = copyTree(t);
  fs.writeFileSync(path.join(root, 'proc/stat'), 'cpu  100 2 30 4000 5 6 7 8 0 0\nintr 0\n');
  fs.writeFileSync(path.join(root, 'proc/meminfo'), 'MemTotal:       16318684 kB\nMemFree:         1000000 kB\n');
  const dbFile = path.join(tdir(t), 'agent.db');
  const io = capture();
  // rescanMs 0: every tick reads the definitions again, without the watcher's timing.
  const clocks = new FakeClocks(A);
  const agent = new Agent({ root, dbFile, intervalMs: 1000, quiet: true, io, rescanMs: 0, clocks });
  await agent.open();
  t.teardown(() => agent.close());
  const history = (keys: string[], at: number) => {
    const db = openDatabase(dbFile, { readonly: true });
    try {
      const q = new HistoryReader(db).query({ domain: 'web1', keys, since: at, until: at, rate: false });
      return q.series.map((s) => s.values[0] ?? null);
    } finally {
      db.close();
    }
  };
  const at = (p: string) => path.join(root, p);
  /** Replaces a file the usual safe way: the new content in a new file, renamed over the old one. */
  const replace = (p: string, text: string) => {
    fs.writeFileSync(at(p) + '.tmp', text);
    fs.renameSync(at(p) + '.tmp', at(p));
  };
  const fifo = (p: string) => {
    fs.rmSync(at(p), { force: true });
    execFileSync('mkfifo', [at(p)]);
  };
  /** A tick at wall-clock time `ms` (virtual clocks: the agent's tick times and intervals are exact). */
  const tick = (ms: number) => {
    clocks.to(ms);
    return agent.tick();
  };
  return { root, agent, tick, io, history, at, replace, fifo };
}

/** The fixture's /proc/net/dev with vif3.0's 16 counters base, base+1, ... (the guest's rx.bytes is field 9). */
function netDev(base: number): string {
  return fs
    .readFileSync(path.join(XEN, 'proc/net/dev'), 'latin1')
    .split('\n')
    .map((l) => (l.trimStart().startsWith('vif3.0:') ? `vif3.0: ${Array.from({ length: 16 }, (_, k) => base + k).join(' ')}` : l))
    .join('\n');
}

t.test('a FIFO where the agent reads: that file is refused, the next tick comes', async (t) => {
  const s = await setup(t);
  t.match(s.tick(A), { ok: true, domains: 5 }, 'tick 1');
  const before = s.history(['net.0.rx.bytes', 'block.0.rd.reqs'], A);
  t.ok(
    before.every((v) => v !== null),
    `web1's counters stored (${before.join(', ')})`,
  );

  // A definition that is a FIFO, created while the agent runs.
  execFileSync('mkfifo', [s.at('run/libvirt/libxl/fifo.xml')]);
  t.match(s.tick(A + 1000), { ok: true, domains: 5 }, 'tick 2 with a FIFO among the definitions');
  t.ok(s.io.errLines().includes('definition /run/libvirt/libxl/fifo.xml: not a regular file (a FIFO)'), 'said once, in domstat words', {
    found: s.io.errLines(),
  });

  // /proc/net/dev and a kept block counter become FIFOs.
  s.fifo('proc/net/dev');
  s.fifo(`${STATS}/rd_req`);
  t.match(s.tick(A + 2000), { ok: true, domains: 5 }, 'tick 3 with FIFOs for /proc/net/dev and a block counter');
  t.strictSame(
    s.history(['net.0.rx.bytes', 'block.0.rd.reqs', 'block.0.wr.reqs'], A + 2000),
    [null, null, 3000301n],
    'those figures are left out; the others are stored',
  );
  // (A Xen block counter that cannot be read is left out silently, as libvirt does.)
  t.ok(s.io.errLines().includes("domain 'web1': interface vif3.0: /proc/net/dev: not a regular file (a FIFO)"), 'said in domstat words', {
    found: s.io.errLines(),
  });
  t.match(s.tick(A + 3000), { ok: true, domains: 5 }, 'and tick 4');
  fs.rmSync(s.at('run/libvirt/libxl/fifo.xml'));
  s.replace('proc/net/dev', netDev(7_000_000));
  s.replace(`${STATS}/rd_req`, '3000999\n');
  t.match(s.tick(A + 4000), { ok: true, domains: 5 }, 'files again: tick 5');
  t.strictSame(s.history(['net.0.rx.bytes', 'block.0.rd.reqs'], A + 4000), [7_000_008n, 3000999n], 'read from the new files');
});

t.test('files renamed over or deleted and created again are read fresh from the next tick', async (t) => {
  const s = await setup(t);
  s.tick(A);
  for (const [i, how] of [
    [1, 'renamed over'],
    [2, 'deleted and created again'],
    [3, 'renamed over, again'],
  ] as const) {
    const rdReq = `${3_100_000 + i}\n`;
    const dev = netDev(7_000_000 + i * 1000);
    if (how.startsWith('renamed')) {
      s.replace(`${STATS}/rd_req`, rdReq);
      s.replace('proc/net/dev', dev);
    } else {
      for (const [p, text] of [
        [`${STATS}/rd_req`, rdReq],
        ['proc/net/dev', dev],
      ]) {
        fs.rmSync(s.at(p!));
        fs.writeFileSync(s.at(p!), text!);
      }
    }
    t.match(s.tick(A + i * 1000), { ok: true, domains: 5 });
    t.strictSame(
      s.history(['block.0.rd.reqs', 'net.0.rx.bytes'], A + i * 1000),
      [BigInt(3_100_000 + i), BigInt(7_000_008 + i * 1000)],
      `${how}: the new values`,
    );
  }
});

t.test('a file cut short (no final newline) is refused, never stored as a smaller number', async (t) => {
  const s = await setup(t);
  s.tick(A);
  const rdReq = BigInt(s.history(['block.0.rd.reqs'], A)[0] ?? -1);
  t.ok(rdReq > 1000n, `rd_req stored whole at first (${rdReq})`);
  // The same file, its last digits and newline not written yet (a reader racing a writer).
  s.replace(`${STATS}/rd_req`, String(rdReq).slice(0, 3));
  t.match(s.tick(A + 1000), { ok: true, domains: 5 });
  t.strictSame(s.history(['block.0.rd.reqs', 'block.0.wr.reqs'], A + 1000), [null, 3000301n], 'left out, the others stored');
  s.replace(`${STATS}/rd_req`, `${rdReq + 5n}\n`);
  s.tick(A + 2000);
  t.strictSame(s.history(['block.0.rd.reqs'], A + 2000), [rdReq + 5n], 'whole again: stored');
});

t.test('libvirt directories and links in them that lead out of the root are not watched, and the agent still ticks', async (t) => {
  const root = copyTree(t);
  fs.writeFileSync(path.join(root, 'proc/stat'), 'cpu  100 2 30 4000 5 6 7 8 0 0\nintr 0\n');
  fs.writeFileSync(path.join(root, 'proc/meminfo'), 'MemTotal:       16318684 kB\nMemFree:         1000000 kB\n');
  // Outside the root: a deep tree that a followed link would have chokidar walk and watch.
  const outside = path.join(tdir(t), 'outside');
  for (let i = 0; i < 20; i++) fs.mkdirSync(path.join(outside, `d${i}`, 'a', 'b'), { recursive: true });
  fs.mkdirSync(path.join(root, 'etc/libvirt/libxl'), { recursive: true });
  fs.symlinkSync(outside, path.join(root, 'etc/libvirt/libxl/link'));
  fs.mkdirSync(path.join(root, 'run/libvirt'), { recursive: true });
  fs.symlinkSync(outside, path.join(root, 'run/libvirt/qemu'));
  // And a missing directory whose parent leads out (var/run is a link to an outside tree holding libvirt/).
  fs.mkdirSync(path.join(outside, 'libvirt'), { recursive: true });
  fs.rmSync(path.join(root, 'var/run'), { recursive: true, force: true });
  fs.mkdirSync(path.join(root, 'var'), { recursive: true });
  fs.symlinkSync(outside, path.join(root, 'var/run'));
  const agent = new Agent({
    root,
    dbFile: path.join(tdir(t), 'agent.db'),
    intervalMs: 1000,
    quiet: true,
    io: capture(),
    rescanMs: 0,
    clocks: new FakeClocks(A),
  });
  await agent.open();
  t.teardown(() => agent.close());
  const watcher = (agent as unknown as { watcher: { watcher: { getWatched(): Record<string, string[]> } } }).watcher.watcher;
  // chokidar names what it watches by the path it walked: a followed link's tree shows under the link.
  const real = fs.realpathSync(root);
  const leadsOut = Object.keys(watcher.getWatched()).filter((d) => {
    const r = fs.realpathSync(d);
    return r !== real && !r.startsWith(real + '/') && !real.startsWith(r + '/');
  });
  t.same(leadsOut, [], 'nothing that leads out of the root is watched');
  const r = agent.tick();
  t.ok(r.ok, 'the tick is stored');
  t.ok(r.domains > 0, `the tick sampled the fixture's domains (${r.domains})`);
});
