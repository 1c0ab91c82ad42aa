// The agent in-process on a copy of the Xen fixture: what one tick stores, definitions picked up
// through the watcher (new, removed, libvirt's *.xml.new temp files), a restart with a new id,
// messages printed once, a host without domains, and a clean shutdown through run()'s signal.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { Agent, type AgentOptions } from '../../src/agent/agent.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { HistoryReader } from '../../src/store/history.js';
import { runCli } from '../helpers/cli.js';
import { capture, copyTree, orphanDeltas, partialTicks, rows, setNetDev, sleep, tdir, waitFor, type Capture } from '../helpers/store.js';

const A = Date.parse('2026-01-05T10:00:00Z');
const LIBXL = 'run/libvirt/libxl';
const PROC_STAT = 'cpu  100 2 30 4000 5 6 7 8 0 0\ncpu0 100 2 30 4000 5 6 7 8 0 0\nintr 0\n';
const MEMINFO =
  'MemTotal:       16318684 kB\nMemFree:         1000000 kB\nMemAvailable:    8000000 kB\nBuffers:           20000 kB\nCached:          3000000 kB\nSwapTotal:       2097148 kB\nSwapFree:        2097000 kB\n';

interface Setup {
  root: string;
  dbFile: string;
  io: Capture;
  agent: Agent;
  db: () => Db;
}

/** A fixture copy with /proc/stat and /proc/meminfo, and an agent on it (closed at teardown). */
async function setup(t: Test, opts: Partial<AgentOptions> = {}, open = true): Promise<Setup> {
  const root = copyTree(t);
  fs.writeFileSync(path.join(root, 'proc/stat'), PROC_STAT);
  fs.writeFileSync(path.join(root, 'proc/meminfo'), MEMINFO);
  const dbFile = opts.dbFile ?? path.join(tdir(t), 'agent.db');
  const io = capture();
  const agent = new Agent({ root, dbFile, intervalMs: 200, quiet: true, io, ...opts });
  let closed = false;
  const origClose = agent.close.bind(agent);
  agent.close = async () => {
    if (closed) return;
    closed = true;
    await origClose();
  };
  t.teardown(() => agent.close());
  if (open) await agent.open();
  let reader: Db | null = null;
  t.teardown(() => reader?.close());
  return {
    root,
    dbFile,
    io,
    agent,
    db: () => (reader ??= openDatabase(dbFile, { readonly: true })),
  };
}

const watcherFlag = (a: Agent) => (a as unknown as { watcher: { changed: boolean } }).watcher;
const agentDb = (a: Agent) => (a as unknown as { db: Db }).db;
const domainsOf = (db: Db, tick: number) =>
  db
    .prepare('SELECT d.name FROM domain_sample s JOIN device v ON v.id = s.device_id JOIN domain d ON d.id = v.domain_id WHERE s.tick_id = ? ORDER BY d.name')
    .pluck()
    .all(tick);
const valuesOf = (db: Db, tick: number) => {
  let n = 0;
  for (const k of ['domain', 'host', 'vcpu', 'net', 'block']) {
    const cols = (db.prepare(`PRAGMA table_info(${k}_sample)`).all() as { name: string }[]).map((c) => c.name).slice(3);
    n += Number(
      db
        .prepare(`SELECT ${cols.map((c) => `(${c} IS NOT NULL)`).join(' + ')} FROM ${k}_sample WHERE tick_id = ?`)
        .pluck()
        .all(tick)
        .reduce((a: bigint, b) => a + (b as bigint), 0n),
    );
  }
  return n;
};

function newDomainXml(name: string, uuid: string, id: number): string {
  return `<domstatus state='running' reason='booted' pid='0'>
  <domain type='xen' id='${id}'>
    <name>${name}</name>
    <uuid>${uuid}</uuid>
    <memory unit='KiB'>262144</memory>
    <currentMemory unit='KiB'>131072</currentMemory>
    <vcpu placement='static'>1</vcpu>
    <os><type arch='x86_64' machine='xenpv'>linux</type></os>
    <devices/>
  </domain>
</domstatus>
`;
}

t.test('one tick stores every domain, device and value; the next stores exact changes', async (t) => {
  const s = await setup(t);
  const r1 = s.agent.tick(A);
  t.match(r1, { ok: true, domains: 5, values: 171 }, 'tick 1: five domains (off1 included), 171 values');
  t.ok(r1.collectMs > 0 && r1.storeMs > 0, 'timings reported');
  // Change a disk and an interface of web1 between ticks.
  const stat = (f: string) => path.join(s.root, 'sys/bus/xen-backend/devices/vbd-3-51712/statistics', f);
  fs.writeFileSync(stat('rd_req'), '3000151\n');
  fs.writeFileSync(stat('rd_sect'), '3000211\n');
  setNetDev(s.root, 'vif3.0', 3_000_801n + 4000n); // guest rx.bytes = field 9
  fs.writeFileSync(path.join(s.root, 'proc/stat'), PROC_STAT.replace('cpu  100 ', 'cpu  350 '));
  const r2 = s.agent.tick(A + 2000);
  t.match(r2, { ok: true, domains: 5, values: 171 });
  t.equal(s.agent.ticks, 2);

  const db = s.db();
  t.strictSame(rows(db, 'SELECT id, ts, domains, keyframe FROM tick'), [
    [1n, BigInt(A), 5n, BigInt(Math.floor(A / 600_000))],
    [2n, BigInt(A + 2000), 5n, BigInt(Math.floor(A / 600_000))],
  ]);
  t.equal(valuesOf(db, 1), 171, 'the values count is what the database holds');
  t.equal(valuesOf(db, 2), 171);
  t.strictSame(partialTicks(db), []);
  t.strictSame(domainsOf(db, 1), ['broken1', 'db1', 'off1', 'web1', 'win1']);
  t.strictSame(
    ['domain', 'host', 'vcpu', 'net', 'block'].map((k) => Number(db.prepare(`SELECT count(*) FROM ${k}_sample WHERE tick_id = 1`).pluck().get() as bigint)),
    [5, 1, 0, 10, 6],
    'rows per kind: 5 domains, the host, 4 domain + 6 host interfaces, 6 disks',
  );
  t.strictSame(rows(db, "SELECT d.key, d.uuid, d.name, d.hv_type FROM domain d WHERE d.name IN ('web1', '@host') ORDER BY d.id"), [
    ['3ef03971-0d42-55d8-9c52-4ca0e5e13c45', '3ef03971-0d42-55d8-9c52-4ca0e5e13c45', 'web1', 'xen'],
    ['@host', null, '@host', 'host'],
  ]);
  t.strictSame(rows(db, "SELECT v.kind, v.idx, v.name, v.path FROM device v JOIN domain d ON d.id = v.domain_id WHERE d.name = 'web1' ORDER BY v.id"), [
    ['domain', null, 'web1', null],
    ['net', 0n, 'vif3.0', null],
    ['net', 1n, 'vif3.1', null],
    ['block', 0n, 'xvda', '/dev/vg0/web1-root'],
    ['block', 1n, 'xvdb1', '/dev/vg0/web1-data'],
  ]);
  t.strictSame(
    rows(db, "SELECT v.idx, v.name FROM device v JOIN domain d ON d.id = v.domain_id WHERE d.name = '@host' AND v.kind = 'net' ORDER BY v.idx"),
    [
      [0n, 'lo'],
      [1n, 'eth0'],
      [2n, 'xenbr0'],
      [3n, 'xenbr1'],
      [4n, 'xvif3.0'],
      [5n, 'vif12.0'],
    ],
    "the host's interfaces: those of no domain",
  );
  t.strictSame(
    rows(
      db,
      "SELECT s.tick_id, s.dt_ms, s.domid, s.state, s.reason, s.balloon_current, s.balloon_maximum, s.vcpu_current, s.vcpu_maximum FROM domain_sample s JOIN device v ON v.id = s.device_id WHERE v.name = 'web1' ORDER BY s.tick_id",
    ),
    [
      [1n, null, 3n, 1n, 1n, 786432n, 1048576n, 2n, 4n],
      [2n, 2000n, 0n, 0n, 0n, 0n, 0n, 0n, 0n],
    ],
  );
  t.strictSame(
    rows(
      db,
      "SELECT s.tick_id, s.dt_ms, s.rd_reqs, s.rd_bytes, s.wr_reqs, s.wr_bytes, s.fl_reqs, s.errors, s.discard_reqs, s.rd_times FROM block_sample s JOIN device v ON v.id = s.device_id WHERE v.path = '/dev/vg0/web1-root' ORDER BY s.tick_id",
    ),
    [
      [1n, null, 3000101n, 1536102912n, 3000301n, 1536205312n, 3000601n, 3000501n, 3000701n, null],
      [2n, 2000n, 50n, 5120n, 0n, 0n, 0n, 0n, 0n, null],
    ],
    'web1 xvda: readings, then +50 requests and +10 sectors (5120 bytes) over 2 s',
  );
  t.strictSame(
    rows(
      db,
      "SELECT s.tick_id, s.dt_ms, s.rx_bytes, s.rx_pkts, s.tx_bytes, s.tx_pkts FROM net_sample s JOIN device v ON v.id = s.device_id JOIN domain d ON d.id = v.domain_id WHERE d.name = 'web1' AND v.idx = 0 ORDER BY s.tick_id",
    ),
    [
      [1n, null, 3000809n, 3000810n, 3000801n, 3000802n],
      [2n, 2000n, 4000n, 4000n, 4000n, 4000n],
    ],
  );
  t.strictSame(
    rows(
      db,
      'SELECT tick_id, dt_ms, cpu_user, cpu_nice, cpu_system, cpu_idle, cpu_steal, mem_total, mem_available, swap_free FROM host_sample ORDER BY tick_id',
    ),
    [
      [1n, null, 1_000_000_000n, 20_000_000n, 300_000_000n, 40_000_000_000n, 80_000_000n, 16318684n, 8000000n, 2097000n],
      [2n, 2000n, 2_500_000_000n, 0n, 0n, 0n, 0n, 0n, 0n, 0n],
    ],
    '@host: /proc/stat in ns (USER_HZ 100), /proc/meminfo in KiB',
  );
  t.strictSame(db.prepare("SELECT rd_reqs, rd_bytes FROM block_rate WHERE domain = 'web1' AND device = 'xvda'").raw().all(), [[25, 2560]], 'block_rate');
  t.strictSame(db.prepare('SELECT cpu_user FROM host_rate').pluck().all(), [1_250_000_000], 'host_rate: 1.25 CPU-seconds per second');
  const q = new HistoryReader(db).query({ domain: 'web1', keys: ['block.0.rd.reqs', 'net.vif3.0.rx.bytes'], since: A, until: A + 2000, rate: false });
  t.strictSame(
    q.series.map((x) => x.values),
    [
      [3000101n, 3000151n],
      [3000809n, 3004809n],
    ],
  );
  t.strictSame(s.io.errLines(), [
    "domain 'broken1': interface vif15.0: /proc/net/dev: Interface not found",
    "domain 'broken1': block xvda: Failed to read any block statistics for domain 15",
  ]);
  t.equal(s.io.text().out, '', 'quiet: no status lines');
});

t.test('with the read-ahead thread the agent stores the same rows, and the thread ends at close', async (t) => {
  const dump = (db: Db) =>
    Object.fromEntries(
      ['domain', 'host', 'vcpu', 'net', 'block'].map((k) => [
        k,
        rows(db, `SELECT * FROM ${k}_sample ORDER BY tick_id, device_id`).map((r) => r.map(String).join(' ')),
      ]),
    );
  const runs = [];
  for (const readAheadFrom of [Infinity, 0]) {
    const s = await setup(t, { readAheadFrom, dbFile: path.join(tdir(t), `read-ahead-from-${readAheadFrom}.db`) });
    for (let i = 0; i < 4; i++) {
      setNetDev(s.root, 'vif3.0', 3_000_801n + BigInt(i) * 1000n);
      fs.writeFileSync(path.join(s.root, 'sys/bus/xen-backend/devices/vbd-3-51712/statistics/rd_req'), `${3000101 + i * 7}\n`);
      t.match(s.agent.tick(A + i * 1000), { ok: true, domains: 5 });
    }
    const sampler = (s.agent as unknown as { sampler: { readAhead: { failure: string | null } | null; readsAhead: number } }).sampler;
    // How many reads the thread takes here depends on how fast it wakes (test/sample/plan.ts makes it read them all).
    if (readAheadFrom === 0)
      t.ok(sampler.readAhead !== null && sampler.readAhead.failure === null, `a read-ahead thread runs (${sampler.readsAhead} reads served in the last tick)`);
    await s.agent.close();
    t.equal(sampler.readAhead, null, 'closed with the agent');
    runs.push(dump(s.db()));
  }
  t.ok(runs[0]!.block!.length > 0, `${runs[0]!.block!.length} block rows`);
  t.strictSame(runs[1], runs[0], 'every raw row of every kind the same, with and without the thread');
});

t.test('definitions through the watcher: a new domain, a removed one, *.xml.new ignored', async (t) => {
  // rescanMs never: only the watcher makes the agent re-read definitions.
  const s = await setup(t, { rescanMs: Number.MAX_SAFE_INTEGER });
  const dir = path.join(s.root, LIBXL);
  t.match(s.agent.tick(A), { ok: true, domains: 5 });
  t.equal(watcherFlag(s.agent).changed, false, 'no change yet');

  fs.writeFileSync(path.join(dir, 'new1.xml'), newDomainXml('new1', '11111111-2222-3333-4444-555555555555', 31));
  t.ok(await waitFor(() => watcherFlag(s.agent).changed), 'the watcher saw new1.xml');
  t.match(s.agent.tick(A + 1000), { ok: true, domains: 6 }, 'new1 sampled at the next tick');
  t.equal(watcherFlag(s.agent).changed, false, 'flag consumed by the tick');
  const db = s.db();
  t.strictSame(domainsOf(db, 2), ['broken1', 'db1', 'new1', 'off1', 'web1', 'win1']);
  t.strictSame(
    rows(
      db,
      "SELECT s.dt_ms, s.domid, s.state, s.balloon_current, s.vcpu_maximum FROM domain_sample s JOIN device v ON v.id = s.device_id WHERE v.name = 'new1'",
    ),
    [[null, 31n, 1n, 131072n, 1n]],
    'its first row is a base row',
  );

  // libvirt writes <name>.xml.new, then renames it. The temp file alone changes nothing.
  const tmp = path.join(dir, 'new2.xml.new');
  fs.writeFileSync(tmp, newDomainXml('new2', '66666666-2222-3333-4444-555555555555', 32));
  await sleep(400);
  t.equal(watcherFlag(s.agent).changed, false, 'no watcher event for a *.xml.new file');
  t.match(s.agent.tick(A + 2000), { ok: true, domains: 6 }, 'new2 not seen yet');
  fs.renameSync(tmp, path.join(dir, 'new2.xml'));
  t.ok(await waitFor(() => watcherFlag(s.agent).changed), 'the rename to new2.xml is seen');
  t.match(s.agent.tick(A + 3000), { ok: true, domains: 7 });
  t.strictSame(domainsOf(db, 4), ['broken1', 'db1', 'new1', 'new2', 'off1', 'web1', 'win1']);

  // Written in place (not libvirt's way, but an editor's): seen through the directory's watch.
  fs.appendFileSync(path.join(dir, 'new2.xml'), '\n');
  t.ok(await waitFor(() => watcherFlag(s.agent).changed), 'an in-place write to new2.xml is seen');
  t.match(s.agent.tick(A + 3500), { ok: true, domains: 7 });

  fs.rmSync(path.join(dir, 'new1.xml'));
  t.ok(await waitFor(() => watcherFlag(s.agent).changed), 'the removal is seen');
  t.match(s.agent.tick(A + 4000), { ok: true, domains: 6 }, 'new1 dropped');
  t.strictSame(domainsOf(db, 6), ['broken1', 'db1', 'new2', 'off1', 'web1', 'win1']);
  t.strictSame(partialTicks(db), []);
  t.strictSame(rows(db, 'SELECT id, domains FROM tick'), [
    [1n, 5n],
    [2n, 6n],
    [3n, 6n],
    [4n, 7n],
    [5n, 7n],
    [6n, 6n],
  ]);

  // The same change without the watcher is not seen (proves the watcher did the work above).
  fs.writeFileSync(path.join(dir, 'quiet.xml'), newDomainXml('quiet', '77777777-2222-3333-4444-555555555555', 33));
  await waitFor(() => watcherFlag(s.agent).changed);
  watcherFlag(s.agent).changed = false;
  t.match(s.agent.tick(A + 5000), { ok: true, domains: 6 }, 'a change whose event was consumed elsewhere waits for the rescan');
});

t.test('a domain restarting with a new id gets base rows for all its devices', async (t) => {
  const s = await setup(t, { rescanMs: Number.MAX_SAFE_INTEGER });
  s.agent.tick(A);
  s.agent.tick(A + 1000);
  // web1 restarts as domain 5: new status XML, its vbd and vif backend dirs and vif names move.
  const xml = path.join(s.root, LIBXL, 'web1.xml');
  fs.writeFileSync(xml, fs.readFileSync(xml, 'utf8').replace("id='3'", "id='5'").replaceAll('vif3.', 'vif5.'));
  const dev = path.join(s.root, 'sys/bus/xen-backend/devices');
  for (const [a, b] of [
    ['vbd-3-51712', 'vbd-5-51712'],
    ['vbd-3-51729', 'vbd-5-51729'],
    ['vif-3-0', 'vif-5-0'],
    ['vif-3-1', 'vif-5-1'],
  ] as const)
    fs.renameSync(path.join(dev, a), path.join(dev, b));
  const netdev = path.join(s.root, 'proc/net/dev');
  fs.writeFileSync(
    netdev,
    fs
      .readFileSync(netdev, 'utf8')
      .replace(/^vif3\.0:/m, 'vif5.0:')
      .replace(/^vif3\.1:/m, 'vif5.1:'),
  );
  t.ok(await waitFor(() => watcherFlag(s.agent).changed), 'the watcher saw the new status XML');
  t.match(s.agent.tick(A + 2000), { ok: true, domains: 5 });
  s.agent.tick(A + 3000);
  const db = s.db();
  t.strictSame(
    s.io.errLines().filter((l) => !l.includes('broken1')),
    [],
    'no errors: the moved devices were found',
  );
  const web1 = rows(
    db,
    "SELECT v.kind, v.name, s.tick_id, s.dt_ms FROM device v JOIN domain d ON d.id = v.domain_id JOIN (SELECT tick_id, device_id, dt_ms FROM domain_sample UNION ALL SELECT tick_id, device_id, dt_ms FROM net_sample UNION ALL SELECT tick_id, device_id, dt_ms FROM block_sample) s ON s.device_id = v.id WHERE d.name = 'web1' AND s.tick_id >= 2 ORDER BY s.tick_id, v.id",
  );
  t.strictSame(
    web1,
    [
      ['domain', 'web1', 2n, 1000n],
      ['net', 'vif3.0', 2n, 1000n],
      ['net', 'vif3.1', 2n, 1000n],
      ['block', 'xvda', 2n, 1000n],
      ['block', 'xvdb1', 2n, 1000n],
      ['domain', 'web1', 3n, null],
      ['block', 'xvda', 3n, null],
      ['block', 'xvdb1', 3n, null],
      ['net', 'vif5.0', 3n, null],
      ['net', 'vif5.1', 3n, null],
      ['domain', 'web1', 4n, 1000n],
      ['block', 'xvda', 4n, 1000n],
      ['block', 'xvdb1', 4n, 1000n],
      ['net', 'vif5.0', 4n, 1000n],
      ['net', 'vif5.1', 4n, 1000n],
    ],
    'the restart tick: base rows for the domain and every device (same counter values: no decrease caused them); the renamed vifs are new devices',
  );
  t.strictSame(rows(db, "SELECT s.tick_id, s.domid FROM domain_sample s JOIN device v ON v.id = s.device_id WHERE v.name = 'web1' ORDER BY s.tick_id"), [
    [1n, 3n],
    [2n, 0n],
    [3n, 5n],
    [4n, 0n],
  ]);
  t.strictSame(
    rows(db, "SELECT s.tick_id, s.rd_reqs FROM block_sample s JOIN device v ON v.id = s.device_id WHERE v.path = '/dev/vg0/web1-root' AND s.tick_id = 3"),
    [[3n, 3000101n]],
    'absolute readings from the moved vbd dir',
  );
  t.strictSame(
    rows(db, "SELECT DISTINCT s.dt_ms FROM domain_sample s JOIN device v ON v.id = s.device_id WHERE v.name != 'web1' AND s.tick_id = 3"),
    [[1000n]],
    'the other domains go on with changes',
  );
  t.strictSame(orphanDeltas(db), {});
});

t.test('problems are printed once each across ticks; status lines without --quiet', async (t) => {
  const s = await setup(t, { quiet: false });
  for (let i = 0; i < 4; i++) s.agent.tick(A + i * 1000);
  t.strictSame(
    s.io.errLines(),
    [
      '5 domain(s): web1, db1, win1, broken1, off1',
      "domain 'broken1': interface vif15.0: /proc/net/dev: Interface not found",
      "domain 'broken1': block xvda: Failed to read any block statistics for domain 15",
    ],
    "broken1's two problems once each over four ticks",
  );
  t.match(s.io.text().err, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z 5 domain/, 'messages carry a time stamp');
  const out = s.io
    .text()
    .out.split('\n')
    .filter((l) => l !== '');
  t.equal(out.length, 4, 'one status line per tick');
  t.match(out[0], /^2026-01-05T10:00:00\.000Z {2}5 domains {2}171 values {2}tick [0-9.]+ ms \(collect [0-9.]+, store [0-9.]+\)$/);
  t.match(out[3], /^2026-01-05T10:00:03\.000Z {2}5 domains {2}171 values/);

  // A new problem appears once too; a definition that cannot be parsed is reported once.
  fs.writeFileSync(path.join(s.root, LIBXL, 'bad.xml'), '<domstatus><domain type=');
  t.ok(await waitFor(() => watcherFlag(s.agent).changed));
  s.agent.tick(A + 5000);
  s.agent.tick(A + 6000);
  const bad = s.io.errLines().filter((l) => l.startsWith('definition '));
  t.equal(bad.length, 1, 'the bad definition reported once');
  t.match(bad[0], /^definition \/run\/libvirt\/libxl\/bad\.xml: /);
});

t.test('a root with no domains: said once, host totals still stored', async (t) => {
  const root = path.join(tdir(t), 'bare');
  fs.mkdirSync(path.join(root, 'proc/net'), { recursive: true });
  fs.writeFileSync(path.join(root, 'proc/stat'), PROC_STAT);
  fs.writeFileSync(path.join(root, 'proc/meminfo'), MEMINFO);
  fs.writeFileSync(
    path.join(root, 'proc/net/dev'),
    'Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n    lo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n',
  );
  const dbFile = path.join(tdir(t), 'bare.db');
  const io = capture();
  const agent = new Agent({ root, dbFile, intervalMs: 200, quiet: true, io });
  await agent.open();
  for (let i = 0; i < 3; i++) t.match(agent.tick(A + i * 1000), { ok: true, domains: 0, values: 23 }, `tick ${i + 1}: 15 host values and lo's 8`);
  await agent.close();
  t.strictSame(
    io.errLines(),
    [
      'no domains found (looked in /run/libvirt/qemu, /run/libvirt/libxl, /var/run/libvirt/qemu, /var/run/libvirt/libxl, /etc/libvirt/qemu, /etc/libvirt/libxl, /sys/bus/xen-backend/devices, /sys/devices/xen-backend); recording host totals only',
    ],
    'said once',
  );
  const db = openDatabase(dbFile, { readonly: true });
  t.teardown(() => db.close());
  t.strictSame(rows(db, 'SELECT id, domains FROM tick'), [
    [1n, 0n],
    [2n, 0n],
    [3n, 0n],
  ]);
  t.strictSame(rows(db, 'SELECT tick_id, dt_ms, cpu_user, mem_total FROM host_sample ORDER BY tick_id'), [
    [1n, null, 1_000_000_000n, 16318684n],
    [2n, 1000n, 0n, 0n],
    [3n, 1000n, 0n, 0n],
  ]);
  t.strictSame(rows(db, 'SELECT tick_id, rx_bytes, tx_bytes FROM net_sample ORDER BY tick_id'), [
    [1n, 1n, 9n],
    [2n, 0n, 0n],
    [3n, 0n, 0n],
  ]);
  t.strictSame(rows(db, 'SELECT key, name, hv_type FROM domain'), [['@host', '@host', 'host']]);
  t.strictSame(partialTicks(db), []);
});

t.test('run() with an AbortController: ticks on schedule, closes the database cleanly', async (t) => {
  const s = await setup(t, { intervalMs: 50 }, false);
  const ac = new AbortController();
  const seen: number[] = [];
  s.agent.opts.onTick = (r) => seen.push(r.ts);
  const running = s.agent.run(ac.signal);
  t.ok(await waitFor(() => seen.length >= 6, 5000), 'at least six ticks');
  ac.abort();
  await running;
  t.pass('run() returned after the abort');
  const n = seen.length;
  await sleep(150);
  t.equal(seen.length, n, 'no tick after the abort');
  t.ok(!fs.existsSync(s.dbFile + '-wal') || fs.statSync(s.dbFile + '-wal').size === 0, 'the WAL is empty or gone after close');
  t.equal(agentDb(s.agent).open, false, "the agent's connection is closed");
  const db = s.db();
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  t.equal(Number(db.prepare('SELECT count(*) FROM tick').pluck().get() as bigint), n, 'every tick stored');
  t.strictSame(partialTicks(db), []);
  t.strictSame(orphanDeltas(db), {});
  t.equal(
    Number(db.prepare('SELECT sum(n) FROM net_1m').pluck().get() as bigint),
    n * 10,
    'the open minute was flushed at shutdown: every sample of the 10 interfaces counted',
  );
  const gaps = seen.slice(1).map((ts, i) => ts - seen[i]!);
  t.ok(
    gaps.every((g) => g >= 20 && g <= 500),
    `ticks about 50 ms apart (${gaps.join(', ')})`,
  );

  // An abort before run() starts: it opens, writes no tick, and closes.
  const s2 = await setup(t, { intervalMs: 50, dbFile: path.join(tdir(t), 'second.db') }, false);
  const ac2 = new AbortController();
  ac2.abort();
  await s2.agent.run(ac2.signal);
  t.equal(s2.agent.ticks, 0, 'no tick');
  const db2 = openDatabase(path.join(tdir(t), 'second.db'), { readonly: true });
  t.equal(db2.pragma('integrity_check', { simple: true }), 'ok');
  t.equal(db2.prepare('SELECT count(*) FROM tick').pluck().get(), 0n);
  db2.close();
});

t.test('domstat agent refuses what it cannot use, with one error line', async (t) => {
  const root = copyTree(t);
  const listeners = [process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')];
  const foreign = path.join(tdir(t), 'foreign.db');
  const raw = new Database(foreign);
  raw.exec('CREATE TABLE notes (body TEXT)');
  raw.close();
  t.strictSame(
    await runCli(['agent', '--root', root, '--db', foreign, '--interval', '1', '--quiet']),
    {
      code: 1,
      out: '',
      err: `error: ${foreign}: not a domstat database (it has tables but no domstat schema version)\n`,
    },
    'a SQLite file of something else',
  );
  const newer = path.join(tdir(t), 'newer.db');
  openDatabase(newer).close();
  const n = new Database(newer);
  n.pragma('user_version = 7');
  n.close();
  t.strictSame(
    await runCli(['agent', '--root', root, '--db', newer, '--interval', '1', '--quiet']),
    {
      code: 1,
      out: '',
      err: `error: ${newer}: schema version 7 is newer than this domstat understands (1); use a newer domstat\n`,
    },
    'a newer schema',
  );
  const fresh = path.join(tdir(t), 'fresh.db');
  t.strictSame(await runCli(['agent', '--root', root, '--db', fresh, '--interval', '0.5']), {
    code: 1,
    out: '',
    err: 'error: --interval: 1 second is the shortest interval\n',
  });
  t.notOk(fs.existsSync(fresh), 'no database created for a refused command line');
  t.strictSame([process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')], listeners, 'no signal handler left behind');
});
