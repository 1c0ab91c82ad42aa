// A database written by the schema-version-1 store (fixtures/store-v1: 70 minutes of a simulated
// KVM host, a domain restart, a counter above 2^63) migrates to version 2 without losing a tick:
// every tick keeps its time, every reading decodes to the same value, attributes keep their
// values, and the rollups hold every increase (version 1's lost the one at each keyframe).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, SCHEMA_VERSION } from '../../src/store/db.js';
import { HistoryReader } from '../../src/store/history.js';
import { tdir } from '../helpers/store.js';
import { fixture } from '../helpers/cli.js';

const TWO_64 = 1n << 64n;
type Row = Record<string, unknown>;

t.test('a version-1 database migrates without losing a tick, a reading or an increase', async (t) => {
  const file = path.join(tdir(t), 'v1.db');
  const v1 = new Database(file);
  v1.defaultSafeIntegers(true);
  v1.exec(fs.readFileSync(fixture('store-v1', 'domstat-v1.sql'), 'utf8'));
  t.equal(v1.pragma('user_version', { simple: true }), 1n, 'the fixture is a version-1 database');
  const ticks = v1.prepare('SELECT ts FROM tick ORDER BY id').pluck().all() as bigint[];
  // Version 1's own views decode its readings (u64 past 2^63 as two's complement).
  const readings = (kind: string, cols: string[]) =>
    new Map(
      (v1.prepare(`SELECT ts, domain, device, ${cols.join(', ')} FROM ${kind}_value`).all() as Row[]).map((r) => [
        `${r.ts}/${r.domain}/${r.device}`,
        cols.map((c) => (r[c] === null ? null : (r[c] as bigint) < 0n ? (r[c] as bigint) + TWO_64 : (r[c] as bigint))),
      ]),
    );
  const NET = ['rx_bytes', 'rx_pkts', 'tx_bytes', 'tx_drop'];
  const DOM = ['cpu_time', 'cpu_user', 'balloon_rss', 'io_rchar'];
  const VCPU = ['time', 'wait', 'delay'];
  const before = { net: readings('net', NET), domain: readings('domain', DOM), vcpu: readings('vcpu', VCPU) };
  const states = v1.prepare("SELECT ts, domain, state, balloon_current FROM domain_value WHERE domain = 'sim-0002' ORDER BY ts").raw().all() as bigint[][];
  const v1Hours = v1.prepare('SELECT bucket, device_id, rx_bytes_sum FROM net_1h ORDER BY bucket, device_id').raw().all();
  v1.close();

  const lines: string[] = [];
  const db = openDatabase(file, { onMigrate: (m) => lines.push(m) });
  t.teardown(() => db.close());
  t.equal(db.pragma('user_version', { simple: true }), BigInt(SCHEMA_VERSION), `now version ${SCHEMA_VERSION} (schema.sql is the current version)`);
  t.match(lines.join('\n'), new RegExp(`migrating 420 raw ticks.*\n.*migrated to schema version ${SCHEMA_VERSION}`), 'the migration says what it does');
  t.strictSame(db.prepare('SELECT ts FROM tick ORDER BY id').pluck().all(), ticks, 'every tick, with its time');
  t.strictSame(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'v1_%'").pluck().get(), 0n, 'no version-1 table left');

  for (const [kind, cols] of [
    ['net', NET],
    ['domain', DOM],
    ['vcpu', VCPU],
  ] as const) {
    const after = new Map(
      (db.prepare(`SELECT ts, domain, device, ${cols.join(', ')} FROM ${kind}_value`).all() as Row[]).map((r) => [
        `${r.ts}/${r.domain}/${r.device}`,
        cols.map((c) => (r[c] === null ? null : BigInt(r[c] as bigint | number))),
      ]),
    );
    const was = before[kind];
    let same = 0;
    const differ: string[] = [];
    for (const [k, v] of was) {
      const got = after.get(k);
      // A reading past 2^63 is text in version 2 (exact); the view's arithmetic on it is not.
      if (got !== undefined && v.every((x, i) => x === got[i] || (x !== null && x >= 1n << 63n))) same++;
      else differ.push(`${k}: ${v} -> ${got}`);
    }
    t.strictSame(differ.slice(0, 5), [], `${kind}: ${same} of ${was.size} device readings decode to the same values`);
  }

  const r = new HistoryReader(db);
  const q = r.query({ domain: 'sim-0003', keys: ['net.1.rx.bytes'], since: Number(ticks[0]), until: Number(ticks.at(-1)), rate: false });
  t.strictSame(q.series[0]!.values.slice(0, 3), [(1n << 63n) + 7n, (1n << 63n) + 1007n, (1n << 63n) + 2007n], 'a counter past 2^63, exact');
  const stateSeries = r.query({
    domain: 'sim-0002',
    keys: ['state.state', 'balloon.current'],
    since: Number(ticks[0]),
    until: Number(ticks.at(-1)),
    rate: false,
  });
  t.strictSame(
    stateSeries.series.map((s) => s.values),
    [states.map((x) => x[2]), states.map((x) => x[3])],
    'attributes (now a change log) give the same value at every tick',
  );

  // Sums over the replayed ticks are the increases between readings: sim-0001's vnet0, minute by minute.
  const dev = db
    .prepare("SELECT v.id FROM device v JOIN domain d ON d.id = v.domain_id WHERE d.name = 'sim-0001' AND v.kind = 'net' AND v.idx = 0")
    .pluck()
    .get() as bigint;
  const vals = db.prepare('SELECT ts, rx_bytes FROM net_value WHERE domain = ? AND idx = 0 ORDER BY ts').raw().all('sim-0001') as bigint[][];
  const lastIn = new Map<number, bigint>();
  for (const [ts, v] of vals) lastIn.set(Math.floor(Number(ts) / 60_000) * 60, v!);
  const sums = db.prepare('SELECT bucket, rx_bytes_sum FROM net_1m WHERE device_id = ? ORDER BY bucket').raw().all(dev) as bigint[][];
  let whole = 0;
  for (const [bucket, sum] of sums) {
    const a = lastIn.get(Number(bucket) - 60);
    const b = lastIn.get(Number(bucket));
    if (a === undefined || b === undefined) continue;
    t.equal(sum, b - a, `minute ${bucket}: the increase between its edge readings`);
    whole++;
  }
  t.ok(whole >= 65, `${whole} replayed minutes whole, keyframe minutes included`);
  const restart = db.prepare("SELECT count(*) FROM attribute_log WHERE domain = 'sim-0002' AND key = 'extra.domid'").pluck().get();
  t.equal(restart, 1n, "sim-0002's id as logged (version 1 stored the plan's id, unchanged)");
  t.ok(v1Hours.length > 0, 'version 1 had hour rollups');
  t.strictSame(
    db.prepare('SELECT count(*) FROM net_1h').pluck().get(),
    BigInt(new Set(v1Hours.map((h) => `${(h as bigint[])[0]}/${(h as bigint[])[1]}`)).size),
    "an hour row for each of version 1's",
  );
});

t.test("rollups older than version 1's raw tier are carried over as they were; attributes from their last readings", async (t) => {
  const file = path.join(tdir(t), 'v1-aged.db');
  const v1 = new Database(file);
  v1.defaultSafeIntegers(true);
  v1.exec(fs.readFileSync(fixture('store-v1', 'domstat-v1.sql'), 'utf8'));
  // As version 1's retention would: whole keyframe periods of raw ticks gone, rollups kept.
  const keep = v1.prepare('SELECT min(id) FROM tick WHERE keyframe = (SELECT min(keyframe) FROM tick) + 3').pluck().get() as bigint;
  const firstKept = v1.prepare('SELECT ts FROM tick WHERE id = ?').pluck().get(keep) as bigint;
  for (const k of ['domain', 'host', 'vcpu', 'net', 'block']) v1.prepare(`DELETE FROM ${k}_sample WHERE tick_id < ?`).run(keep);
  v1.prepare('DELETE FROM tick WHERE id < ?').run(keep);
  const cut = Math.floor(Number(firstKept) / 60_000) * 60 + 60;
  const old = v1
    .prepare('SELECT bucket, device_id, rx_bytes_sum, rx_bytes_max, secs FROM net_1m WHERE bucket < ? ORDER BY bucket, device_id')
    .raw()
    .all(cut) as (bigint | number)[][];
  // The first bucket that ended before the raw tier: an hour, as version 1's minutes began later.
  const oldState = v1
    .prepare('SELECT bucket, device_id, balloon_current_last FROM domain_1h WHERE bucket < (SELECT min(bucket) FROM domain_1m) ORDER BY bucket')
    .raw()
    .all() as bigint[][];
  v1.close();
  t.ok(old.length >= 60, `${old.length} minute rows before the raw tier`);

  const db = openDatabase(file);
  t.teardown(() => db.close());
  const got = db
    .prepare('SELECT bucket, device_id, rx_bytes_sum, rx_bytes_max, secs FROM net_1m WHERE bucket < ? ORDER BY bucket, device_id')
    .raw()
    .all(cut) as (bigint | number)[][];
  t.strictSame(
    got.map((r) => [r[0], r[1], r[2], r[3], Number(r[4])]),
    old.map((r) => [r[0], r[1], r[2], BigInt(Math.round(Number(r[3]))), Number(r[4])]),
    'each minute: its sum, its peak rate (rounded) and the time it covered',
  );
  const domainDevice = oldState[0]![1];
  t.strictSame(
    db.prepare('SELECT ts, value FROM attribute WHERE device_id = ? AND col = ? AND ts < ? ORDER BY ts').raw().all(domainDevice, 'balloon_current', firstKept),
    [[oldState[0]![0]! * 1000n, oldState[0]![2]]],
    "an attribute from the last reading of the first bucket that ended before the raw tier (an hour, as version 1's minutes began later)",
  );
});
