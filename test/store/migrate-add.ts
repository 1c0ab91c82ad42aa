// Databases written by the schema-version-2 and -3 stores (fixtures/store-v2, fixtures/store-v3:
// 70 minutes of a simulated KVM host each, written by commits 9330c91 and 36b124d) migrate to this
// version without losing a tick: every tick, reading and rollup reads back the same; version 3's
// cgroup columns are there (NULL for version 2's ticks); version 4's cgroup_io and numa kinds have
// their tables and views and device accepts them; and the agent's writer writes the next tick.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, SCHEMA_VERSION } from '../../src/store/db.js';
import { readKeyMap } from '../../src/store/key-map.js';
import { HistoryWriter } from '../../src/store/writer.js';
import { newDevice } from '../../src/sample/rows.js';
import { tdir } from '../helpers/store.js';
import { fixture } from '../helpers/cli.js';

type Row = Record<string, unknown>;
const dump = (db: Database.Database, sql: string) => JSON.stringify(db.prepare(sql).all(), (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
const QUERIES = [
  'SELECT ts, domain, device, cpu_time, cpu_user, balloon_rss, io_rchar FROM domain_value ORDER BY ts, domain, device',
  'SELECT ts, domain, device, rx_bytes, tx_pkts FROM net_value ORDER BY ts, domain, device',
  'SELECT ts, domain, device, time, delay FROM vcpu_rate ORDER BY ts, domain, device',
  'SELECT bucket, device_id, secs, rx_bytes_sum, rx_bytes_max, tx_bytes_sum FROM net_1m ORDER BY bucket, device_id',
  'SELECT bucket, device_id, secs, cpu_time_sum, cpu_time_max, balloon_rss_mean, balloon_rss_max FROM domain_1h ORDER BY bucket, device_id',
  'SELECT * FROM attribute ORDER BY device_id, col, ts',
  'SELECT id, ts, dt, collect_us, domains FROM tick ORDER BY id',
  'SELECT id, domain_id, kind, idx, name, path FROM device ORDER BY id',
];
const V3_QUERIES = [
  'SELECT ts, domain, psi_cpu_some, psi_io_full, mem_current, mem_swap, mem_events_oom_kill, cpu_throttled_time FROM domain_value ORDER BY ts, domain',
  'SELECT bucket, device_id, psi_memory_some_sum, mem_current_mean, mem_current_max FROM domain_1m ORDER BY bucket, device_id',
];

for (const from of [2, 3]) {
  t.test(`a version-${from} database migrates to version ${SCHEMA_VERSION} without losing a tick`, async (t) => {
    const file = path.join(tdir(t), `v${from}.db`);
    const old = new Database(file);
    old.defaultSafeIntegers(true);
    old.exec(fs.readFileSync(fixture(`store-v${from}`, `domstat-v${from}.sql`), 'utf8'));
    t.equal(old.pragma('user_version', { simple: true }), BigInt(from), `the fixture is a version-${from} database`);
    const queries = from === 3 ? [...QUERIES, ...V3_QUERIES] : QUERIES;
    const before = queries.map((q) => dump(old, q));
    t.equal(Number(old.prepare('SELECT count(*) FROM tick').pluck().get()), 420);
    if (from === 3) t.ok(Number(old.prepare('SELECT count(*) FROM domain_raw WHERE psi_cpu_some > 0').pluck().get()) > 0, 'version 3 wrote cgroup columns');
    old.close();

    const said: string[] = [];
    const db = openDatabase(file, { onMigrate: (m) => said.push(m) });
    t.equal(Number(db.pragma('user_version', { simple: true })), SCHEMA_VERSION);
    t.equal(SCHEMA_VERSION, 4);
    t.match(said.join('\n'), new RegExp(`migrated from schema version ${from} to 4 \\(8 tables and ${from === 2 ? 164 : 0} columns added\\)`));
    queries.forEach((q, i) => t.equal(dump(db, q), before[i], `the same after: ${q.slice(0, 70)}`));
    t.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    t.equal((db.pragma('foreign_key_check') as unknown[]).length, 0, 'no dangling reference');
    if (from === 2) t.equal(Number(db.prepare('SELECT count(*) FROM domain_value WHERE psi_cpu_some IS NOT NULL').pluck().get()), 0, 'NULL for the old ticks');
    const map = readKeyMap(db);
    for (const key of ['pressure.cpu.some.time', 'cgroup.memory.current', 'cgroup.io.{i}.wr.bytes', 'cgroup.numa.{i}.anon'])
      t.ok(map.byPattern.has(key), `key_map names ${key}`);

    // The next tick: the domain row with version 3's columns and a cgroup I/O device and a NUMA node go in and read back.
    const last = Number(db.prepare('SELECT max(ts) FROM tick').pluck().get() as bigint);
    const dev = db
      .prepare(
        "SELECT v.name, d.key, d.name AS dname, d.uuid, d.hv_type FROM device v JOIN domain d ON d.id = v.domain_id WHERE v.kind = 'domain' AND d.name = 'sim-0001'",
      )
      .get() as Row;
    const writer = new HistoryWriter(db);
    const pos = (key: string) => writer.map.byPattern.get(key)!.pos;
    const domain = newDevice({ kind: 'domain', idx: null, name: String(dev.name) }, writer.map.columns.domain.length);
    domain.values[pos('pressure.cpu.some.time')] = 123_000;
    domain.values[pos('cgroup.memory.current')] = 4096;
    const io = newDevice({ kind: 'cgroup_io', idx: 0, name: 'vdb', path: '252:16' }, writer.map.columns.cgroup_io.length);
    const node = newDevice({ kind: 'numa', idx: 0, name: 'node0' }, writer.map.columns.numa.length);
    const tick = (ts: number, wr: number, anon: number) => {
      io.values[pos('cgroup.io.{i}.wr.bytes')] = wr;
      node.values[pos('cgroup.numa.{i}.anon')] = anon;
      writer.write({
        ts,
        mono: ts,
        dt: 10_000,
        collectUs: 1,
        domains: [
          { key: String(dev.key), name: String(dev.dname), hvType: String(dev.hv_type), domid: 1, uuid: String(dev.uuid), devices: [domain, io, node] },
        ],
      });
    };
    tick(last + 10_000, 1_000_000, 7 * 4096);
    tick(last + 20_000, 1_500_000, 9 * 4096);
    const row = db.prepare("SELECT psi_cpu_some, mem_current FROM domain_value WHERE domain = 'sim-0001' ORDER BY ts DESC LIMIT 1").get() as Row;
    t.strictSame([Number(row.psi_cpu_some), Number(row.mem_current)], [123_000, 4096], "version 3's columns are written and read");
    const rate = db.prepare("SELECT device, wr_bytes, dt_ms FROM cgroup_io_rate WHERE domain = 'sim-0001' AND wr_bytes IS NOT NULL").all() as Row[];
    t.strictSame(
      rate.map((r) => [r.device, Number(r.wr_bytes), Number(r.dt_ms)]),
      [['vdb', 50_000, 10_000]],
      'a cgroup I/O device: 500 000 bytes over 10 s, 50 000 B/s (the first reading has no rate)',
    );
    const anon = db.prepare("SELECT device, anon FROM numa_value WHERE domain = 'sim-0001' ORDER BY ts").all() as Row[];
    t.strictSame(
      anon.map((r) => [r.device, Number(r.anon)]),
      [
        ['node0', 7 * 4096],
        ['node0', 9 * 4096],
      ],
      'a NUMA node: its readings',
    );
    db.close();
  });
}
