// A database written by the schema-version-2 store (fixtures/store-v2: 70 minutes of a simulated
// KVM host, written by commit 9330c91) migrates to version 3 without losing a tick: every tick,
// reading and rollup reads back the same, the new cgroup columns are there (NULL for the old
// ticks), and the agent's writer can write the next tick into it.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, SCHEMA_VERSION } from '../../src/store/db.js';
import { readKeyMap } from '../../src/store/key-map.js';
import { HistoryWriter } from '../../src/store/writer.js';
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
];

t.test('a version-2 database migrates to version 3 without losing a tick', async (t) => {
  const file = path.join(tdir(t), 'v2.db');
  const v2 = new Database(file);
  v2.defaultSafeIntegers(true);
  v2.exec(fs.readFileSync(fixture('store-v2', 'domstat-v2.sql'), 'utf8'));
  t.equal(v2.pragma('user_version', { simple: true }), 2n, 'the fixture is a version-2 database');
  const before = QUERIES.map((q) => dump(v2, q));
  t.equal(Number(v2.prepare('SELECT count(*) FROM tick').pluck().get()), 420);
  v2.close();

  const said: string[] = [];
  const db = openDatabase(file, { onMigrate: (m) => said.push(m) });
  t.equal(Number(db.pragma('user_version', { simple: true })), SCHEMA_VERSION);
  t.equal(SCHEMA_VERSION, 3);
  t.match(said.join('\n'), /migrated to schema version 3 \(\d+ columns added\)/);
  QUERIES.forEach((q, i) => t.equal(dump(db, q), before[i], `the same after: ${q.slice(0, 60)}`));
  const cols = db.prepare("SELECT name FROM pragma_table_info('domain_raw')").pluck().all() as string[];
  for (const c of ['psi_cpu_some', 'mem_current', 'cpu_throttled_time']) t.ok(cols.includes(c), `domain_raw has ${c}`);
  t.equal(Number(db.prepare('SELECT count(*) FROM domain_value WHERE psi_cpu_some IS NOT NULL').pluck().get()), 0, 'NULL for the old ticks');
  const map = readKeyMap(db);
  t.ok(map.byPattern.has('pressure.cpu.some.time') && map.byPattern.has('cgroup.memory.current'), 'key_map names the new keys');
  // The next tick: a domain row with the new columns goes in and reads back.
  const last = db.prepare('SELECT max(ts) FROM tick').pluck().get() as bigint;
  const dev = db
    .prepare(
      "SELECT v.name, d.key, d.name AS dname, d.uuid, d.hv_type FROM device v JOIN domain d ON d.id = v.domain_id WHERE v.kind = 'domain' AND d.name = 'sim-0001'",
    )
    .get() as Row;
  const writer = new HistoryWriter(db);
  const values = new Float64Array(writer.map.columns.domain.length).fill(NaN);
  const pos = (key: string) => writer.map.byPattern.get(key)!.pos;
  values[pos('pressure.cpu.some.time')] = 123_000;
  values[pos('cgroup.memory.current')] = 4096;
  writer.write({
    ts: Number(last) + 10_000,
    mono: Number(last) + 10_000,
    dt: 10_000,
    collectUs: 1,
    domains: [
      {
        key: String(dev.key),
        name: String(dev.dname),
        hvType: String(dev.hv_type),
        domid: 1,
        uuid: String(dev.uuid),
        devices: [{ kind: 'domain', idx: null, name: String(dev.name), values }],
      },
    ],
  });
  const row = db.prepare("SELECT psi_cpu_some, mem_current FROM domain_value WHERE domain = 'sim-0001' ORDER BY ts DESC LIMIT 1").get() as Row;
  t.strictSame([Number(row.psi_cpu_some), Number(row.mem_current)], [123_000, 4096], 'the new columns are written and read');
  db.close();
});
