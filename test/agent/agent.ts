// The agent in-process on a copy of the Xen fixture, on virtual clocks: what one tick stores,
// definitions picked up through the watcher (new, removed, libvirt's *.xml.new temp files), a
// restart with a new id, messages printed once, a host without domains, a clean shutdown through
// run()'s signal, one writer per database, a database file deleted under the agent, and clocks
// that step (never a negative rate, nothing deleted, each step said once).
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { Agent, type AgentOptions } from '../../src/agent/agent.js';
import { stampedCutoff } from '../../src/store/retention.js';
import { openDatabase, SCHEMA_VERSION, type Db } from '../../src/store/db.js';
import { HistoryReader } from '../../src/store/history.js';
import { ReadOnlyStore } from '../../src/export/read-store.js';
import { runCli } from '../helpers/cli.js';
import { capture, copyTree, FakeClocks, orphanDeltas, partialTicks, rows, setNetDev, sleep, tdir, waitFor, type Capture } from '../helpers/store.js';

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
  clocks: FakeClocks;
  /** A tick at wall-clock time `ms` (the monotonic clock moves with it). */
  tick: (ms: number) => ReturnType<Agent['tick']>;
  db: () => Db;
}

/** A fixture copy with /proc/stat and /proc/meminfo, and an agent on it (closed at teardown). */
async function setup(t: Test, opts: Partial<AgentOptions> = {}, open = true): Promise<Setup> {
  const root = copyTree(t);
  fs.writeFileSync(path.join(root, 'proc/stat'), PROC_STAT);
  fs.writeFileSync(path.join(root, 'proc/meminfo'), MEMINFO);
  const dbFile = opts.dbFile ?? path.join(tdir(t), 'agent.db');
  const io = capture();
  const clocks = new FakeClocks(A);
  const agent = new Agent({ root, dbFile, intervalMs: 200, quiet: true, io, clocks, ...opts });
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
    clocks,
    tick: (ms) => {
      clocks.to(ms);
      return agent.tick();
    },
    db: () => (reader ??= openDatabase(dbFile, { readonly: true })),
  };
}

const watcherFlag = (a: Agent) => (a as unknown as { watcher: { changed: boolean } }).watcher;
const agentStore = (a: Agent) => (a as unknown as { store: { db: Db } | null }).store;
const domainsOf = (db: Db, tick: number) =>
  db
    .prepare('SELECT d.name FROM domain_raw s JOIN device v ON v.id = s.device_id JOIN domain d ON d.id = v.domain_id WHERE s.tick_id = ? ORDER BY d.name')
    .pluck()
    .all(tick);
/** Values a tick stored: non-NULL increases and readings, and attribute changes. */
const valuesOf = (db: Db, tick: number) => {
  let n = 0;
  for (const k of ['domain', 'host', 'vcpu', 'net', 'block']) {
    for (const [table, skip] of [
      [`${k}_raw`, 3],
      [`${k}_base`, 2],
    ] as const) {
      const cols = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name).slice(skip);
      n += Number(
        db
          .prepare(`SELECT ${cols.map((c) => `(${c} IS NOT NULL)`).join(' + ')} FROM ${table} WHERE tick_id = ?`)
          .pluck()
          .all(tick)
          .reduce((a: bigint, b) => a + (b as bigint), 0n),
      );
    }
  }
  const ts = db.prepare('SELECT ts FROM tick WHERE id = ?').pluck().get(tick);
  return n + Number(db.prepare('SELECT count(*) FROM attribute WHERE ts = ?').pluck().get(ts) as bigint);
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

t.test('one tick stores every domain, device, reading and attribute; the next stores exact increases', async (t) => {
  const s = await setup(t);
  const r1 = s.tick(A);
  t.match(r1, { ok: true, domains: 5 }, 'tick 1: five domains (off1 included)');
  t.ok(r1.collectMs > 0 && r1.storeMs > 0, 'timings reported');
  // Change a disk and an interface of web1 between ticks.
  const stat = (f: string) => path.join(s.root, 'sys/bus/xen-backend/devices/vbd-3-51712/statistics', f);
  fs.writeFileSync(stat('rd_req'), '3000151\n');
  fs.writeFileSync(stat('rd_sect'), '3000211\n');
  setNetDev(s.root, 'vif3.0', 3_000_801n + 4000n); // guest rx.bytes = field 9
  fs.writeFileSync(path.join(s.root, 'proc/stat'), PROC_STAT.replace('cpu  100 ', 'cpu  350 '));
  const r2 = s.tick(A + 2000);
  t.match(r2, { ok: true, domains: 5 });
  t.equal(s.agent.ticks, 2);

  const db = s.db();
  t.strictSame(rows(db, 'SELECT id, ts, dt, domains FROM tick'), [
    [1n, BigInt(A), null, 5n],
    [2n, BigInt(A + 2000), 2000n, 5n],
  ]);
  t.equal(valuesOf(db, 1), r1.values, `the values count is what the database holds (${r1.values}: readings and attributes)`);
  t.equal(valuesOf(db, 2), r2.values, `and at tick 2 (${r2.values} increases, no attribute changed)`);
  t.equal(
    db
      .prepare('SELECT count(*) FROM attribute WHERE ts = ?')
      .pluck()
      .get(A + 2000),
    0n,
    'no attribute changed at tick 2',
  );
  t.strictSame(partialTicks(db), []);
  t.strictSame(domainsOf(db, 1), ['broken1', 'db1', 'off1', 'web1', 'win1']);
  t.strictSame(
    ['domain', 'host', 'vcpu', 'net', 'block'].map((k) => Number(db.prepare(`SELECT count(*) FROM ${k}_raw WHERE tick_id = 1`).pluck().get() as bigint)),
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
    db.prepare("SELECT key, value FROM attribute_log WHERE domain = 'web1' AND device = 'web1' ORDER BY key").raw().all(),
    [
      ['balloon.current', 786432n],
      ['balloon.maximum', 1048576n],
      ['extra.domid', 3n],
      ['state.reason', 1n],
      ['state.state', 1n],
      ['vcpu.current', 2n],
      ['vcpu.maximum', 4n],
    ],
    "web1's attributes, logged once",
  );
  t.strictSame(
    rows(
      db,
      "SELECT 'base', b.tick_id, b.rd_reqs, b.rd_bytes, b.wr_reqs, b.wr_bytes, b.fl_reqs, b.errors, b.discard_reqs, b.rd_times FROM block_base b JOIN device v ON v.id = b.device_id WHERE v.path = '/dev/vg0/web1-root' " +
        "UNION ALL SELECT 'raw', r.tick_id, r.rd_reqs, r.rd_bytes, r.wr_reqs, r.wr_bytes, r.fl_reqs, r.errors, r.discard_reqs, r.rd_times FROM block_raw r JOIN device v ON v.id = r.device_id WHERE v.path = '/dev/vg0/web1-root' ORDER BY 1, 2",
    ),
    [
      ['base', 1n, 3000101n, 3000201n, 3000301n, 3000401n, 3000601n, 3000501n, 3000701n, null],
      ['raw', 1n, null, null, null, null, null, null, null, null],
      ['raw', 2n, 50n, 10n, 0n, 0n, 0n, 0n, 0n, null],
    ],
    'web1 xvda: readings (bytes as sectors), then +50 requests and +10 sectors over 2 s',
  );
  t.strictSame(db.prepare("SELECT ts, rx_bytes, rx_pkts, tx_bytes, tx_pkts FROM net_value WHERE domain = 'web1' AND idx = 0 ORDER BY ts").raw().all(), [
    [BigInt(A), 3000809n, 3000810n, 3000801n, 3000802n],
    [BigInt(A + 2000), 3004809n, 3004810n, 3004801n, 3004802n],
  ]);
  t.strictSame(
    db.prepare('SELECT ts, cpu_user, cpu_nice, cpu_system, cpu_idle, cpu_steal, mem_available, swap_free FROM host_value ORDER BY ts').raw().all(),
    [
      [BigInt(A), 1_000_000_000n, 20_000_000n, 300_000_000n, 40_000_000_000n, 80_000_000n, 8000000n, 2097000n],
      [BigInt(A + 2000), 3_500_000_000n, 20_000_000n, 300_000_000n, 40_000_000_000n, 80_000_000n, 8000000n, 2097000n],
    ],
    '@host: /proc/stat in ns (USER_HZ 100), /proc/meminfo in KiB',
  );
  t.strictSame(
    db.prepare("SELECT rd_reqs, rd_bytes FROM block_rate WHERE domain = 'web1' AND device = 'xvda' AND rd_reqs IS NOT NULL").raw().all(),
    [[25, 2560]],
    'block_rate',
  );
  t.strictSame(
    db.prepare('SELECT cpu_user FROM host_rate WHERE cpu_user IS NOT NULL').pluck().all(),
    [1_250_000_000],
    'host_rate: 1.25 CPU-seconds per second',
  );
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
        [...rows(db, `SELECT * FROM ${k}_raw ORDER BY tick_id, device_id`), ...rows(db, `SELECT * FROM ${k}_base ORDER BY tick_id, device_id`)].map((r) =>
          r.map(String).join(' '),
        ),
      ]),
    );
  const runs = [];
  for (const readAheadFrom of [Infinity, 0]) {
    const s = await setup(t, { readAheadFrom, dbFile: path.join(tdir(t), `read-ahead-from-${readAheadFrom}.db`) });
    for (let i = 0; i < 4; i++) {
      setNetDev(s.root, 'vif3.0', 3_000_801n + BigInt(i) * 1000n);
      fs.writeFileSync(path.join(s.root, 'sys/bus/xen-backend/devices/vbd-3-51712/statistics/rd_req'), `${3000101 + i * 7}\n`);
      t.match(s.tick(A + i * 1000), { ok: true, domains: 5 });
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
  t.match(s.tick(A), { ok: true, domains: 5 });
  t.equal(watcherFlag(s.agent).changed, false, 'no change yet');

  fs.writeFileSync(path.join(dir, 'new1.xml'), newDomainXml('new1', '11111111-2222-3333-4444-555555555555', 31));
  t.ok(await waitFor(() => watcherFlag(s.agent).changed), 'the watcher saw new1.xml');
  t.match(s.tick(A + 1000), { ok: true, domains: 6 }, 'new1 sampled at the next tick');
  t.equal(watcherFlag(s.agent).changed, false, 'flag consumed by the tick');
  const db = s.db();
  t.strictSame(domainsOf(db, 2), ['broken1', 'db1', 'new1', 'off1', 'web1', 'win1']);
  t.strictSame(
    db
      .prepare(
        "SELECT key, value FROM attribute_log WHERE domain = 'new1' AND key IN ('extra.domid', 'state.state', 'balloon.current', 'vcpu.maximum') ORDER BY key",
      )
      .raw()
      .all(),
    [
      ['balloon.current', 131072n],
      ['extra.domid', 31n],
      ['state.state', 1n],
      ['vcpu.maximum', 1n],
    ],
    'its attributes logged at first sight',
  );
  t.equal(db.prepare("SELECT count(*) FROM domain_base b JOIN device v ON v.id = b.device_id WHERE v.name = 'new1'").pluck().get(), 1n, 'and a base row');

  // libvirt writes <name>.xml.new, then renames it. The temp file alone changes nothing.
  const tmp = path.join(dir, 'new2.xml.new');
  fs.writeFileSync(tmp, newDomainXml('new2', '66666666-2222-3333-4444-555555555555', 32));
  await sleep(400);
  t.equal(watcherFlag(s.agent).changed, false, 'no watcher event for a *.xml.new file');
  t.match(s.tick(A + 2000), { ok: true, domains: 6 }, 'new2 not seen yet');
  fs.renameSync(tmp, path.join(dir, 'new2.xml'));
  t.ok(await waitFor(() => watcherFlag(s.agent).changed), 'the rename to new2.xml is seen');
  t.match(s.tick(A + 3000), { ok: true, domains: 7 });
  t.strictSame(domainsOf(db, 4), ['broken1', 'db1', 'new1', 'new2', 'off1', 'web1', 'win1']);

  // Written in place (not libvirt's way, but an editor's): seen through the directory's watch.
  fs.appendFileSync(path.join(dir, 'new2.xml'), '\n');
  t.ok(await waitFor(() => watcherFlag(s.agent).changed), 'an in-place write to new2.xml is seen');
  t.match(s.tick(A + 3500), { ok: true, domains: 7 });

  fs.rmSync(path.join(dir, 'new1.xml'));
  t.ok(await waitFor(() => watcherFlag(s.agent).changed), 'the removal is seen');
  t.match(s.tick(A + 4000), { ok: true, domains: 6 }, 'new1 dropped');
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
  t.match(s.tick(A + 5000), { ok: true, domains: 6 }, 'a change whose event was consumed elsewhere waits for the rescan');
});

t.test('a domain restarting with a new id gets base rows for all its devices', async (t) => {
  const s = await setup(t, { rescanMs: Number.MAX_SAFE_INTEGER });
  s.tick(A);
  s.tick(A + 1000);
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
  t.match(s.tick(A + 2000), { ok: true, domains: 5 });
  s.tick(A + 3000);
  const db = s.db();
  t.strictSame(
    s.io.errLines().filter((l) => !l.includes('broken1')),
    [],
    'no errors: the moved devices were found',
  );
  // At the restart tick every device of web1 starts again: no increases (even where a counter
  // did not go down), base rows; the renamed vifs are new devices.
  const web1 = rows(
    db,
    'SELECT v.kind, v.name, s.tick_id, s.inc, (SELECT count(*) FROM domain_base b WHERE b.device_id = v.id AND b.tick_id = s.tick_id) + (SELECT count(*) FROM block_base b WHERE b.device_id = v.id AND b.tick_id = s.tick_id) + (SELECT count(*) FROM net_base b WHERE b.device_id = v.id AND b.tick_id = s.tick_id) FROM device v JOIN domain d ON d.id = v.domain_id ' +
      'JOIN (SELECT tick_id, device_id, io_rchar AS inc FROM domain_raw UNION ALL SELECT tick_id, device_id, rx_bytes FROM net_raw UNION ALL SELECT tick_id, device_id, rd_reqs FROM block_raw) s ON s.device_id = v.id ' +
      "WHERE d.name = 'web1' AND s.tick_id >= 2 AND v.kind != 'domain' ORDER BY s.tick_id, v.id",
  );
  t.strictSame(
    web1,
    [
      ['net', 'vif3.0', 2n, 0n, 0n],
      ['net', 'vif3.1', 2n, 0n, 0n],
      ['block', 'xvda', 2n, 0n, 0n],
      ['block', 'xvdb1', 2n, 0n, 0n],
      ['block', 'xvda', 3n, null, 1n],
      ['block', 'xvdb1', 3n, null, 1n],
      ['net', 'vif5.0', 3n, null, 1n],
      ['net', 'vif5.1', 3n, null, 1n],
      ['block', 'xvda', 4n, 0n, 0n],
      ['block', 'xvdb1', 4n, 0n, 0n],
      ['net', 'vif5.0', 4n, 0n, 0n],
      ['net', 'vif5.1', 4n, 0n, 0n],
    ],
    'the restart tick: no increase and a base row for every device; then increases again',
  );
  t.strictSame(db.prepare("SELECT ts, value FROM attribute_log WHERE domain = 'web1' AND key = 'extra.domid' ORDER BY ts").raw().all(), [
    [BigInt(A), 3n],
    [BigInt(A + 2000), 5n],
  ]);
  t.strictSame(
    rows(db, "SELECT b.tick_id, b.rd_reqs FROM block_base b JOIN device v ON v.id = b.device_id WHERE v.path = '/dev/vg0/web1-root' AND b.tick_id = 3"),
    [[3n, 3000101n]],
    'readings from the moved vbd dir',
  );
  t.strictSame(
    rows(
      db,
      "SELECT DISTINCT r.rx_bytes IS NOT NULL FROM net_raw r JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id WHERE d.name = 'db1' AND r.tick_id = 3",
    ),
    [[1n]],
    'the other domains go on with increases',
  );
  t.strictSame(orphanDeltas(db), {});
});

t.test('problems are printed once each across ticks; status lines without --quiet', async (t) => {
  const s = await setup(t, { quiet: false });
  for (let i = 0; i < 4; i++) s.tick(A + i * 1000);
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
  t.match(out[0], /^2026-01-05T10:00:00\.000Z {2}5 domains {2}\d+ values {2}tick [0-9.]+ ms \(collect [0-9.]+, store [0-9.]+\)$/);
  t.match(out[3], /^2026-01-05T10:00:03\.000Z {2}5 domains {2}\d+ values/);

  // A new problem appears once too; a definition that cannot be parsed is reported once.
  fs.writeFileSync(path.join(s.root, LIBXL, 'bad.xml'), '<domstatus><domain type=');
  t.ok(await waitFor(() => watcherFlag(s.agent).changed));
  s.tick(A + 5000);
  s.tick(A + 6000);
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
  const clocks = new FakeClocks(A);
  const agent = new Agent({ root, dbFile, intervalMs: 200, quiet: true, io, clocks });
  await agent.open();
  const stored: number[] = [];
  for (let i = 0; i < 3; i++) {
    clocks.to(A + i * 1000);
    const r = agent.tick();
    t.match(r, { ok: true, domains: 0 });
    stored.push(r.values);
  }
  t.strictSame(stored, [15 + 8, 8 + 5 + 8, 8 + 5 + 8], "tick 1: 13 host readings, 2 attributes and lo's 8; then 8 CPU increases, 5 memory changes and lo's 8");
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
  t.strictSame(rows(db, 'SELECT tick_id, cpu_user, mem_free FROM host_raw ORDER BY tick_id'), [
    [1n, null, null],
    [2n, 0n, 0n],
    [3n, 0n, 0n],
  ]);
  t.strictSame(rows(db, 'SELECT tick_id, cpu_user, mem_free FROM host_base'), [[1n, 100n, 1000000n]], 'cpu_user stored in clock ticks');
  t.strictSame(rows(db, 'SELECT col, value FROM attribute ORDER BY col'), [
    ['mem_total', 16318684n],
    ['swap_total', 2097148n],
  ]);
  t.strictSame(rows(db, 'SELECT tick_id, rx_bytes, tx_bytes FROM net_raw ORDER BY tick_id'), [
    [1n, null, null],
    [2n, 0n, 0n],
    [3n, 0n, 0n],
  ]);
  t.strictSame(rows(db, 'SELECT key, name, hv_type FROM domain'), [['@host', '@host', 'host']]);
  t.strictSame(partialTicks(db), []);
});

t.test(
  'run(): ticks on their slots by the monotonic clock, never closer than half an interval even when the timer wakes early; a slow tick skips slots; a clean close',
  async (t) => {
    const s = await setup(t, { intervalMs: 1000 }, false);
    const ac = new AbortController();
    const at: number[] = [];
    let sleeps = 0;
    s.agent.opts.onTick = () => {
      at.push(s.clocks.mono());
      if (at.length === 5) s.clocks.advance(2500); // the fifth tick runs for 2.5 s
      if (at.length === 12) ac.abort();
    };
    // Virtual time: a sleep moves the clocks on, and every other one wakes a millisecond early.
    s.agent.opts.sleep = async (ms) => {
      s.clocks.advance(Math.max(0, ms - (sleeps++ % 2 === 1 ? 1 : 0)));
      await new Promise((r) => setImmediate(r));
    };
    await s.agent.run(ac.signal);
    const start = at[0]!;
    t.strictSame(
      at.map((m) => m - start),
      [0, 1000, 1999, 3000, 3999, 7000, 7999, 9000, 9999, 11000, 11999, 13000],
      'slots 0-4, then the slow tick skips slots 5 and 6; early wake-ups do not make a tick of their own',
    );
    const gaps = at.slice(1).map((m, i) => m - at[i]!);
    t.ok(Math.min(...gaps) >= 500, `never closer than half an interval (smallest gap ${Math.min(...gaps)} ms)`);
    t.strictSame(
      s.io.errLines().filter((l) => l.startsWith('tick took')),
      ['tick took longer than the 1000 ms interval: skipping missed slots'],
      'said once',
    );
    t.ok(!fs.existsSync(s.dbFile + '-wal') || fs.statSync(s.dbFile + '-wal').size === 0, 'the WAL is empty or gone after close');
    t.equal(agentStore(s.agent), null, "the agent's store is closed");
    const db = s.db();
    t.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    t.equal(Number(db.prepare('SELECT count(*) FROM tick').pluck().get() as bigint), at.length, 'every tick stored');
    t.strictSame(partialTicks(db), []);
    t.strictSame(orphanDeltas(db), {});
    t.equal(
      db.prepare("SELECT sum(secs) FROM net_1m r JOIN device v ON v.id = r.device_id WHERE v.name = 'vif3.0'").pluck().get(),
      (at.at(-1)! - start) / 1000,
      'the open minute was written at shutdown: the minutes cover every interval',
    );

    // Restarted 100 ms after its last tick on the same boot: the first tick waits for half an interval.
    /** An agent started 100 ms after the tick at monotonic `lastMono` (wall `wallAtLast`): when its first tick came, by both clocks. */
    const restart = async (intervalMs: number, lastMono: number, wallAtLast: number): Promise<{ at: number; wall: number }> => {
      const clocks = new FakeClocks(wallAtLast + 100, lastMono + 100);
      const agent = new Agent({ root: s.root, dbFile: s.dbFile, intervalMs, quiet: true, io: capture(), clocks });
      const ac = new AbortController();
      let at = NaN;
      agent.opts.onTick = () => {
        at = clocks.mono();
        ac.abort();
      };
      agent.opts.sleep = async (ms) => clocks.advance(Math.max(0, ms));
      await agent.run(ac.signal);
      return { at, wall: clocks.wallMs - (clocks.monoMs - at) };
    };
    const first = await restart(1000, at.at(-1)!, s.clocks.wallMs - (s.clocks.monoMs - at.at(-1)!));
    t.equal(first.at - at.at(-1)!, 500, 'after a restart, the first tick comes half an interval after the last stored one');
    // Restarted again 100 ms later with a 10-minute interval: half the shorter interval, not 5 minutes.
    const slower = await restart(600_000, first.at, first.wall);
    t.equal(slower.at - first.at, 500, 'restarted with a longer interval: half the shorter one after the last stored tick');

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
  },
);

t.test('a deleted writer lock: the agent takes it again; if a second agent took it first, the first writes nothing until it stops', async (t) => {
  const s = await setup(t);
  const lock = `${fs.realpathSync(s.dbFile)}.lock`;
  s.tick(A);
  fs.rmSync(lock); // "clearing a stale lock"
  t.match(s.tick(A + 1000), { ok: true }, 'no one else: taken again, and the tick is stored');
  t.ok(fs.existsSync(lock), 'the lock file is back');
  t.strictSame(
    s.io.errLines().filter((l) => l.startsWith('store:')),
    [`store: the writer lock ${lock} was deleted or replaced; taking it again`],
    'said',
  );
  fs.rmSync(lock);
  const io2 = capture();
  const second = new Agent({ root: s.root, dbFile: s.dbFile, intervalMs: 1000, quiet: true, io: io2, clocks: new FakeClocks(A + 1500) });
  t.teardown(() => second.close());
  await second.open();
  t.match(second.tick(), { ok: true }, 'a second agent takes the new lock and writes');
  t.match(s.tick(A + 2000), { ok: false }, 'the first writes nothing now');
  t.match(s.tick(A + 3000), { ok: false });
  t.match(
    s.io.errLines().filter((l) => l.startsWith('store: tick not written')),
    [new RegExp(`^store: tick not written: ${s.dbFile}: another domstat agent \\(pid ${process.pid} `)],
    'and says who does, once',
  );
  t.strictSame(
    rows(s.db(), 'SELECT ts FROM tick ORDER BY id').map(([ts]) => Number(ts)),
    [A, A + 1000, A + 1500],
    "the first agent's ticks, then the second's only",
  );
  await second.close();
  t.match(s.tick(A + 4000), { ok: true }, 'once the second has stopped, the first writes again');
});

t.test('one writer: a second agent on the same database is refused, names the first and writes nothing; readers are unaffected', async (t) => {
  const s = await setup(t);
  s.tick(A);
  const before = fs.readFileSync(s.dbFile);
  const io2 = capture();
  const second = new Agent({ root: s.root, dbFile: s.dbFile, intervalMs: 1000, quiet: true, io: io2, clocks: new FakeClocks(A + 5000) });
  await t.rejects(second.open(), {
    name: 'StoreError',
    message: new RegExp(
      `^${s.dbFile}: another domstat agent \\(pid ${process.pid} on .+, started .+\\) is writing to this database; only one agent can write to a database \\(history and sqlite3 can still read it\\)$`,
    ),
  });
  await second.close();
  // The same database through a symlink and through another relative path: the same lock.
  const link = path.join(tdir(t), 'link-to.db');
  fs.symlinkSync(s.dbFile, link);
  const relative = path.relative(process.cwd(), path.join(path.dirname(s.dbFile), '.', path.basename(s.dbFile)));
  for (const other of [link, relative]) {
    const a = new Agent({ root: s.root, dbFile: other, intervalMs: 1000, quiet: true, io: capture(), clocks: new FakeClocks(A + 5000) });
    await t.rejects(a.open(), { name: 'StoreError', message: new RegExp(`another domstat agent \\(pid ${process.pid} `) }, `refused through ${other}`);
    await a.close();
  }
  t.ok(fs.readFileSync(s.dbFile).equals(before), 'the database file is byte for byte as it was');
  t.equal(s.db().prepare('SELECT count(*) FROM tick').pluck().get(), 1n, 'a reader reads');
  t.match(s.tick(A + 1000), { ok: true }, 'the first agent goes on');
  await s.agent.close();
  // Once the first has closed, a new agent writes.
  const third = new Agent({ root: s.root, dbFile: s.dbFile, intervalMs: 1000, quiet: true, io: capture(), clocks: new FakeClocks(A + 9000) });
  await third.open();
  t.match(third.tick(), { ok: true });
  await third.close();
});

t.test('a database file deleted or replaced while the agent writes it: said once, and it goes on at that path', async (t) => {
  const s = await setup(t);
  s.tick(A);
  s.tick(A + 1000);
  fs.rmSync(s.dbFile);
  fs.rmSync(s.dbFile + '-wal', { force: true });
  fs.rmSync(s.dbFile + '-shm', { force: true });
  t.match(s.tick(A + 2000), { ok: true });
  s.tick(A + 3000);
  t.strictSame(
    s.io.errLines().filter((l) => l.startsWith('store:')),
    [`store: ${s.dbFile} was deleted while the agent was writing it; going on with a new database at that path`],
    'said once',
  );
  const db = openDatabase(s.dbFile, { readonly: true });
  t.teardown(() => db.close());
  t.strictSame(rows(db, 'SELECT ts FROM tick ORDER BY id'), [[BigInt(A + 2000)], [BigInt(A + 3000)]], 'the new database has the ticks since');
  // Deleted a second time: said again.
  for (const f of [s.dbFile, s.dbFile + '-wal', s.dbFile + '-shm']) fs.rmSync(f, { force: true });
  t.match(s.tick(A + 4000), { ok: true });
  t.equal(s.io.errLines().filter((l) => l.startsWith('store:')).length, 2, 'a second deletion is said too');
});

t.test("a database put in the agent's place (a backup restored by rename), or deleted with its WAL left: the old WAL is never replayed onto it", async (t) => {
  const s = await setup(t);
  // Another history: two ticks at B, written and closed (checkpointed: one file).
  const B = A - 86_400_000;
  const other = path.join(path.dirname(s.dbFile), 'other.db');
  const o = await setup(t, { dbFile: other });
  o.tick(B);
  o.tick(B + 1000);
  await o.agent.close();
  s.tick(A);
  s.tick(A + 1000);
  t.ok(fs.existsSync(s.dbFile + '-wal'), 'the agent has a WAL');
  fs.copyFileSync(other, s.dbFile + '.tmp');
  fs.renameSync(s.dbFile + '.tmp', s.dbFile);
  s.tick(A + 2000);
  s.tick(A + 3000);
  const ticks = (file: string) => {
    const db = openDatabase(file, { readonly: true });
    try {
      return rows(db, 'SELECT ts FROM tick ORDER BY id').map(([ts]) => Number(ts));
    } finally {
      db.close();
    }
  };
  t.strictSame(ticks(s.dbFile), [B, B + 1000, A + 2000, A + 3000], 'the restored history, then the ticks since: nothing of the WAL of the file it replaced');
  // Deleted, with its WAL and shared memory left at the path: the new database starts empty.
  fs.rmSync(s.dbFile);
  s.tick(A + 4000);
  s.tick(A + 5000);
  t.strictSame(ticks(s.dbFile), [A + 4000, A + 5000], 'a new database: only the ticks since');
  // Again with the serving thread's reader in this process, asked for the history right after the
  // rename, before the agent's next tick (a scrape in between): it waits for the agent to take up
  // the file, and the agent's writes go on.
  const reader = new ReadOnlyStore(s.dbFile);
  t.teardown(() => reader.close());
  const served = () => reader.get()?.prepare('SELECT ts FROM tick ORDER BY id').pluck().all().map(Number) ?? reader.problem;
  const tickAndTell = (ms: number) => {
    const r = s.tick(ms);
    reader.expect(s.agent.storeFile);
    return r.ok;
  };
  tickAndTell(A + 6000);
  t.strictSame(served(), [A + 4000, A + 5000, A + 6000]);
  fs.copyFileSync(other, s.dbFile + '.tmp');
  fs.renameSync(s.dbFile + '.tmp', s.dbFile);
  t.equal(served(), `${s.dbFile} was replaced; waiting for the agent to take up the file now there`, 'the reader waits');
  t.strictSame([tickAndTell(A + 7000), tickAndTell(A + 8000)], [true, true], 'the agent stores every tick');
  t.strictSame(served(), [B, B + 1000, A + 7000, A + 8000], 'then the reader reads the restored history and the ticks since');
  const db = openDatabase(s.dbFile, { readonly: true });
  t.teardown(() => db.close());
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok');
});

t.test('the WAL deleted while the agent writes: said once, every tick then in the database file itself, a reader in the process sees them all', async (t) => {
  const s = await setup(t);
  const reader = new ReadOnlyStore(s.dbFile); // as the serving thread's, in this process
  t.teardown(() => reader.close());
  const seen = () => Number(reader.get()!.prepare('SELECT count(*) FROM tick').pluck().get());
  for (let i = 0; i < 3; i++) s.tick(A + i * 1000);
  t.equal(seen(), 3);
  fs.rmSync(s.dbFile + '-wal');
  const counts: number[] = [];
  for (let i = 3; i < 8; i++) {
    t.match(s.tick(A + i * 1000), { ok: true });
    counts.push(seen());
  }
  t.strictSame(counts, [4, 5, 6, 7, 8], 'every tick stored and read');
  t.strictSame(
    s.io.errLines().filter((l) => l.startsWith('store:')),
    [`store: ${s.dbFile}-wal was deleted while the agent was writing; each tick now goes into the database at once, until the agent restarts`],
    'said once',
  );
  // What a kill -9 would leave: the database file alone (its WAL has no name), copied aside.
  const copy = path.join(tdir(t), 'copy.db');
  fs.copyFileSync(s.dbFile, copy);
  const db = openDatabase(copy, { readonly: true });
  t.teardown(() => db.close());
  t.equal(db.prepare('SELECT count(*) FROM tick').pluck().get(), 8n, 'every tick, those of the deleted WAL included');
});

t.test('wall-clock steps: never a negative or spiking rate, never history deleted, each step said once', async (t) => {
  const s = await setup(t, { retention: { rawMs: 3600_000, minuteMs: 2 * 86_400_000, hourMs: 30 * 86_400_000, maxBytes: 0 } });
  const netdev = (k: number) => setNetDev(s.root, 'vif3.0', 3_000_801n + 1000n * BigInt(k));
  let k = 0;
  const step = (wallMs: number, monoMs = wallMs) => {
    netdev(++k);
    s.clocks.wallMs += wallMs;
    s.clocks.monoMs += monoMs;
    return s.agent.tick();
  };
  s.tick(A);
  for (let i = 0; i < 5; i++) step(1000);
  // The wall clock goes back 5 s (an NTP step): ticks keep 1 s of monotonic time apart.
  step(1000 - 5000, 1000);
  step(1000);
  step(1000);
  // Forward 400 days for 8 s, then back.
  const far = 400 * 86_400_000;
  step(far + 1000, 1000);
  for (let i = 0; i < 7; i++) step(1000);
  step(1000 - far, 1000);
  step(1000);
  s.agent.retentionStep(performance.now() + 2000);
  const db = s.db();
  const rates = db.prepare("SELECT dt_ms, rx_bytes FROM net_rate WHERE domain = 'web1' AND idx = 0 AND rx_bytes IS NOT NULL ORDER BY ts").raw().all() as [
    bigint,
    number,
  ][];
  t.equal(rates.length, k, 'a rate at every tick after the first');
  t.ok(
    rates.every(([dt, r]) => dt === 1000n && r === 1000),
    'every interval 1000 ms by the monotonic clock, every rate 1000 B/s: never negative, never a spike',
  );
  const ts = (db.prepare('SELECT ts FROM tick ORDER BY id').pluck().all() as bigint[]).map(Number);
  t.ok(
    ts.every((x, i) => i === 0 || x > ts[i - 1]!),
    'tick times never go back',
  );
  t.ok(Math.max(...ts) < A + 86_400_000, 'no tick dated 400 days ahead');
  t.equal(ts.length, k + 1, 'retention deleted nothing');
  const said = s.io.errLines().filter((l) => l.startsWith('clock:'));
  t.equal(said.length, 3, `three messages for the three steps: ${JSON.stringify(said)}`);
  t.equal(said[0], 'clock: the wall clock stepped back by 5.0 s; tick times never go back: they slow down until the wall clock catches up');
  // The first step was still being caught up with (by 3.5 s) when the second came.
  t.match(said[1], /^clock: the wall clock stepped forward by 3455999\d\.\d s; tick times follow the monotonic clock until the new time holds for 60 s$/);
  t.equal(said[2], 'clock: the wall clock came back from its step forward');
});

t.test(
  'a restart whose monotonic clock moved (a time namespace, a restored container): no tick dated ahead, nothing deleted, no wait, said once',
  async (t) => {
    const retention = { rawMs: 3600_000, minuteMs: 2 * 86_400_000, hourMs: 30 * 86_400_000, maxBytes: 0 };
    const s = await setup(t, { retention, intervalMs: 1000 });
    for (let i = 0; i < 5; i++) s.tick(A + i * 1000);
    await s.agent.close();
    const lastMono = s.clocks.monoMs;
    for (const [what, monoShift] of [
      ['five days ahead', 5 * 86_400_000],
      ['an hour behind', -3_600_000],
    ] as const) {
      const io = capture();
      // Restarted 2 s of wall time after the last tick, on the same boot.
      const wall = A + 4000 + 2000 + (monoShift > 0 ? 0 : 10_000);
      const clocks = new FakeClocks(wall, lastMono + 2000 + monoShift);
      const agent = new Agent({ root: s.root, dbFile: s.dbFile, intervalMs: 1000, quiet: true, io, clocks, retention });
      const ac = new AbortController();
      let waited = 0;
      let ticked = false;
      agent.opts.sleep = async (ms) => {
        if (!ticked) waited += Math.max(0, ms);
        clocks.advance(Math.max(0, ms));
      };
      agent.opts.onTick = () => {
        ticked = true;
        ac.abort();
      };
      await agent.run(ac.signal);
      t.ok(waited < 1000, `${what}: the first tick comes without waiting out the shift (${waited} ms)`);
      const db = openDatabase(s.dbFile, { readonly: true });
      const ticks = db.prepare('SELECT ts, dt FROM tick ORDER BY id').raw().all() as [bigint, bigint | null][];
      db.close();
      const [ts, dt] = ticks.at(-1)!;
      t.equal(Number(ts), wall, `${what}: the new tick is dated by the wall clock`);
      t.equal(dt, null, `${what}: and has no interval (none can be trusted)`);
      t.ok(
        ticks.slice(0, 5).every(([x], i) => Number(x) === A + i * 1000),
        `${what}: the earlier ticks are all there`,
      );
      t.match(
        io.errLines().filter((l) => l.startsWith('clock:')),
        [/^clock: the monotonic clock (ran 432000\.0 s further than the wall clock since|is \d+\.\d s behind) the history's last tick/],
        `${what}: said once`,
      );
    }
  },
);

t.test('a reboot onto a wall clock days ahead (a bad hardware clock, before NTP) deletes nothing; retention goes on by the time the agent ran', async (t) => {
  const retention = { rawMs: 3600_000, minuteMs: 2 * 86_400_000, hourMs: 30 * 86_400_000, maxBytes: 0 };
  const s = await setup(t, { retention, intervalMs: 1000 });
  for (let i = 0; i < 5; i++) s.tick(A + i * 1000);
  await s.agent.close();
  const io = capture();
  const ahead = 3 * 86_400_000;
  // Another boot (its monotonic clock restarted), its wall clock three days past the last tick.
  const clocks = new FakeClocks(A + 4000 + ahead, 1000, 'another-boot');
  const agent = new Agent({ root: s.root, dbFile: s.dbFile, intervalMs: 1000, quiet: true, io, clocks, retention });
  t.teardown(() => agent.close());
  await agent.open();
  agent.tick();
  for (let i = 0; i < 3; i++) {
    clocks.advance(1000);
    agent.tick();
    agent.retentionStep(performance.now() + 10_000);
  }
  const stamps = () => {
    const db = openDatabase(s.dbFile, { readonly: true });
    try {
      return (db.prepare('SELECT ts FROM tick ORDER BY id').pluck().all() as bigint[]).map(Number);
    } finally {
      db.close();
    }
  };
  t.same(
    stamps().slice(0, 5),
    [0, 1, 2, 3, 4].map((i) => A + i * 1000),
    'the five ticks before the reboot are kept (the code before deleted them: the raw tier keeps an hour)',
  );
  t.match(
    io.errLines().filter((l) => l.startsWith('clock:')),
    [/^clock: the wall clock is 72\.0 h past the history's last tick: a long stop, or a clock set ahead/],
    'said once',
  );
  // An hour and a half later on the new timeline, they are past the raw tier's hour: retention goes on.
  clocks.advance(90 * 60_000);
  agent.tick();
  agent.retentionStep(performance.now() + 10_000);
  await agent.close();
  t.ok(
    stamps().every((x) => x >= A + 4000 + ahead),
    'an hour and a half of the agent running later, they are gone as configured',
  );
});

t.test(
  'tick times: a small step back (within the tolerance) still keeps ticks half an interval apart; a reboot onto a wall clock behind the history is said once',
  async (t) => {
    const s = await setup(t);
    s.tick(A);
    s.clocks.advance(1000);
    s.agent.tick();
    s.clocks.wallMs -= 1500; // NTP steps the wall clock back 1.5 s
    s.clocks.monoMs += 1000;
    s.agent.tick();
    await s.agent.close();
    let db = openDatabase(s.dbFile, { readonly: true });
    const ts = (db.prepare('SELECT ts FROM tick ORDER BY id').pluck().all() as bigint[]).map(Number);
    db.close();
    t.strictSame(ts, [A, A + 1000, A + 1500], 'half the interval after the one before, not 1 ms');

    // Another boot, the wall clock an hour behind the history: said once, tick times continue after the last.
    const io = capture();
    const clocks = new FakeClocks(A - 3_600_000, 1000, 'another-boot');
    const agent = new Agent({ root: s.root, dbFile: s.dbFile, intervalMs: 200, quiet: true, io, clocks });
    await agent.open();
    for (let i = 0; i < 3; i++) {
      agent.tick();
      clocks.advance(1000);
    }
    await agent.close();
    const said = io.errLines().filter((l) => l.startsWith('clock:'));
    t.equal(said.length, 1, `said once: ${JSON.stringify(said)}`);
    db = openDatabase(s.dbFile, { readonly: true });
    const after = (db.prepare('SELECT ts FROM tick ORDER BY id').pluck().all() as bigint[]).map(Number);
    db.close();
    t.ok(
      after.every((x, i) => i === 0 || x > after[i - 1]!),
      'tick times never go back',
    );
  },
);

t.test('a restart while tick times are still catching up with a wall clock stepped back: half an interval apart, in real time and in tick times', async (t) => {
  const s = await setup(t, { intervalMs: 10_000 });
  s.tick(A);
  s.clocks.advance(10_000);
  s.agent.tick();
  s.clocks.wallMs -= 60_000; // stepped back a minute: tick times slow down until the wall clock catches up
  s.clocks.monoMs += 10_000;
  s.agent.tick();
  await s.agent.close();
  s.clocks.advance(1000); // restarted a second later
  const agent = new Agent({ root: s.root, dbFile: s.dbFile, intervalMs: 10_000, quiet: true, io: capture(), clocks: s.clocks });
  const ac = new AbortController();
  const monoBefore = s.clocks.monoMs;
  let firstAt = NaN;
  agent.opts.sleep = async (ms) => s.clocks.advance(Math.max(0, ms));
  agent.opts.onTick = () => {
    firstAt = s.clocks.monoMs;
    ac.abort();
  };
  await agent.run(ac.signal);
  t.ok(firstAt - monoBefore >= 4000, `the first tick waited: ${firstAt - monoBefore} ms after the start, 1 s after the last tick`);
  const db = openDatabase(s.dbFile, { readonly: true });
  const ts = (db.prepare('SELECT ts FROM tick ORDER BY id').pluck().all() as bigint[]).map(Number);
  db.close();
  t.ok(
    ts.every((x, i) => i === 0 || x - ts[i - 1]! >= 5000),
    `tick times at least half an interval apart: ${ts.map((x) => x - A).join(', ')}`,
  );
});

t.test('memory sizes past 2^53 KiB from the definition are stored exactly, tick after tick', async (t) => {
  const s = await setup(t);
  const xml = newDomainXml('huge', '99999999-0000-4000-8000-000000000009', 9)
    .replace("<memory unit='KiB'>262144</memory>", '<memory>18446744073709551615</memory>')
    .replace("<currentMemory unit='KiB'>131072</currentMemory>", '<currentMemory>9007199254740993</currentMemory>');
  fs.writeFileSync(path.join(s.root, LIBXL, 'huge.xml'), xml);
  for (let i = 0; i < 3; i++) t.match(s.tick(A + i * 1000), { ok: true, domains: 6 });
  const q = new HistoryReader(s.db()).query({ domain: 'huge', keys: ['balloon.current', 'balloon.maximum'], since: A, until: A + 2000, rate: false });
  t.strictSame(
    q.series.map((x) => x.values),
    [
      [9007199254740993n, 9007199254740993n, 9007199254740993n],
      [18446744073709551615n, 18446744073709551615n, 18446744073709551615n],
    ],
    'never rounded to a double (…992, 2^64)',
  );
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
      err: `error: ${newer}: schema version 7 is newer than this domstat understands (${SCHEMA_VERSION}); use a newer domstat\n`,
    },
    'a newer schema',
  );
  const fresh = path.join(tdir(t), 'fresh.db');
  t.strictSame(await runCli(['agent', '--root', root, '--db', fresh, '--interval', '0.5']), {
    code: 1,
    out: '',
    err: 'error: --interval: 1 second is the shortest interval\n',
  });
  t.strictSame(await runCli(['agent', '--root', root, '--db', fresh, '--interval', '3000000']), {
    code: 1,
    out: '',
    err: 'error: --interval: a day is the longest interval\n',
  });
  t.strictSame(await runCli(['agent', '--root', root, '--db', fresh, '--keep-raw', '99999999999999999999999y', '--dry-run']), {
    code: 1,
    out: '',
    err: 'error: --keep-raw: 100 years is the longest retention\n',
  });
  t.notOk(fs.existsSync(fresh), 'no database created for a refused command line');
  t.strictSame([process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')], listeners, 'no signal handler left behind');
});

t.test('a step forward the agent comes to believe, and a clock set back after it: retention still deletes nothing', async (t) => {
  const s = await setup(t, { retention: { rawMs: 3600_000, minuteMs: 2 * 86_400_000, hourMs: 30 * 86_400_000, maxBytes: 0 } });
  const step = (wallMs: number, monoMs = wallMs) => {
    s.clocks.wallMs += wallMs;
    s.clocks.monoMs += monoMs;
    return s.agent.tick();
  };
  s.tick(A);
  for (let i = 0; i < 150; i++) step(1000); // two and a half minutes: closed minute buckets
  const year = 365 * 86_400_000;
  step(year + 1000, 1000);
  for (let i = 0; i < 70; i++) step(1000); // held for 70 s: believed after 60
  step(1000 - year, 1000); // and set back
  for (let i = 0; i < 5; i++) step(1000);
  const db = s.db();
  const blocksBefore = db.prepare('SELECT count(*) FROM net_1m_block').pluck().get() as bigint;
  const firstBlock = db.prepare('SELECT min(block) FROM net_1m_block').pluck().get() as bigint;
  s.agent.retentionStep(performance.now() + 5000);
  const ts = (db.prepare('SELECT ts FROM tick ORDER BY id').pluck().all() as bigint[]).map(Number);
  t.equal(ts.length, 1 + 150 + 1 + 70 + 1 + 5, 'every tick kept');
  t.ok(
    ts.every((x, i) => i === 0 || x > ts[i - 1]!),
    'tick times never go back',
  );
  t.equal(db.prepare('SELECT count(*) FROM net_1m_block').pluck().get(), blocksBefore, 'every minute block kept');
  t.ok(blocksBefore > 0n, 'and there were some');
  const steps = JSON.parse(db.prepare("SELECT value FROM meta WHERE key = 'clock_steps'").pluck().get() as string) as { at: number; jumpMs: number }[];
  t.equal(steps.length, 1, 'the believed step is kept with the history');
  t.ok(Math.abs(steps[0]!.jumpMs - year) < 2000, `by about a year (${steps[0]!.jumpMs} ms)`);
  const said = s.io.errLines().filter((l) => l.startsWith('clock:'));
  t.match(said, [/stepped forward by 31536000\.0 s/, /has held its step forward for 60 s/, /stepped back by 3153600\d\.\d s/], 'each step said once');
  // The clock set right, retention goes on by the history's own timeline: 150 ticks a minute apart
  // by the monotonic clock (stamps at half pace while the wall clock is behind) pass the raw hour.
  for (let i = 0; i < 150; i++) step(1000, 60_000);
  s.agent.retentionStep(performance.now() + 5000);
  const oldest = Number(db.prepare('SELECT min(ts) FROM tick').pluck().get() as bigint);
  t.ok(oldest >= steps[0]!.at, `the raw ticks from before the step have aged out (oldest ${oldest - steps[0]!.at} ms after it)`);
  t.equal(db.prepare('SELECT min(block) FROM net_1m_block').pluck().get(), firstBlock, 'minute blocks, within their 2 days, are all there');
});

t.test('stampedCutoff: data before a believed step is as old as its stamp plus the step', async (t) => {
  const steps = [
    { at: 10_000, jumpMs: 5_000 },
    { at: 50_000, jumpMs: 20_000 },
  ];
  t.equal(stampedCutoff(60_000, steps), 60_000, 'after the newest step: as stamped');
  t.equal(stampedCutoff(40_000, steps), 20_000, 'before it: 20 s earlier in stamps');
  t.equal(stampedCutoff(12_000, steps), -13_000, 'before both: the two steps together');
  t.equal(stampedCutoff(12_000, []), 12_000, 'no step: as stamped');
});
