// Minute and hour rollups: written when the bucket closes, exact sums of increases, per-second
// rate extremes, gauge min/max/mean/last; flushRollups() writes the open bucket and a later writer
// (a restarted agent) merges into it.
import t from 'tap';
import { HistoryWriter } from '../../src/store/writer.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { Accumulator, decodeCounter, encode, rollupColumns } from '../../src/store/rollup.js';
import { readKeyMap } from '../../src/store/key-map.js';
import { device, domain, freshDb, rows } from '../helpers/store.js';

// The start of an hour (and of a 10-minute keyframe period), Unix ms.
const H0 = 1_699_999_200_000;
const B0 = H0 / 1000;

const NET = 'n, secs, rx_bytes_sum, rx_bytes_min, rx_bytes_max, rx_bytes_last, tx_bytes_sum, tx_bytes_min, tx_bytes_max, tx_bytes_last';
const DOM =
  'n, secs, balloon_current_min, balloon_current_max, balloon_current_mean, balloon_current_last, domid_min, domid_max, domid_mean, domid_last, cpu_time_sum, cpu_time_last';

function feeder(w: HistoryWriter) {
  const m = w.map;
  return (s: number, rx: bigint, balloon: bigint) =>
    w.write({
      ts: H0 + s * 1000,
      collectUs: 0,
      domains: [
        domain('k-vm', 'vm', 3, [device(m, 'domain', null, 'vm', { domid: 3n, balloon_current: balloon }), device(m, 'net', 0, 'vif3.0', { rx_bytes: rx })]),
      ],
    });
}

const tier = (db: Db, kind: string, t: string, cols: string, bucket: number) => rows(db, `SELECT ${cols} FROM ${kind}_${t} WHERE bucket = ?`, bucket);

t.test('minute and hour buckets are written when they close', async (t) => {
  const { db } = freshDb(t);
  const w = new HistoryWriter(db);
  const feed = feeder(w);
  // Minute 0: rates 100, 200, 50, 500, 50 per second over 10 s each.
  const rx = [1000n, 2000n, 4000n, 4500n, 9500n, 10_000n];
  rx.forEach((v, i) => feed(10 * i, v, BigInt(10 * (i + 1))));
  t.equal(db.prepare('SELECT count(*) FROM net_1m').pluck().get(), 0n, 'no minute row while the minute is open');
  t.equal(db.prepare('SELECT count(*) FROM domain_1h').pluck().get(), 0n, 'no hour row while the hour is open');

  feed(60, 10_600n, 70n); // the first tick of minute 1 closes minute 0
  t.strictSame(
    tier(db, 'net', '1m', NET, B0),
    [[6n, 50, 9000n, 50, 500, 10_000n, null, null, null, null]],
    'net_1m: n, secs, exact increase, rate min/max, last reading; unknown counters NULL',
  );
  t.strictSame(tier(db, 'domain', '1m', DOM, B0), [[6n, 50, 10n, 60n, 35, 60n, 3n, 3n, 3, 3n, null, null]], 'domain_1m: gauges min, max, mean, last');
  t.equal(db.prepare('SELECT count(*) FROM net_1m').pluck().get(), 1n, 'only the closed minute');
  t.equal(db.prepare('SELECT count(*) FROM net_1h').pluck().get(), 0n, 'the hour is still open');
  t.equal(db.prepare('SELECT count(*) FROM host_1m').pluck().get(), 0n, 'nothing for kinds with no devices');

  feed(3600, 20_000n, 80n); // the next hour (and a new keyframe period: a base row)
  t.strictSame(tier(db, 'net', '1m', NET, B0 + 60), [[1n, 10, 600n, 60, 60, 10_600n, null, null, null, null]], 'minute 1: one sample');
  t.strictSame(tier(db, 'net', '1h', NET, B0), [[7n, 60, 9600n, 50, 500, 10_600n, null, null, null, null]], 'net_1h: the whole hour');
  t.strictSame(tier(db, 'domain', '1h', DOM, B0), [[7n, 60, 10n, 70n, 40, 70n, 3n, 3n, 3, 3n, null, null]], 'domain_1h');
  t.strictSame(
    rows(db, 'SELECT bucket FROM net_1m ORDER BY bucket'),
    [[BigInt(B0)], [BigInt(B0 + 60)]],
    'minute buckets are the minute starts in Unix seconds',
  );
  t.strictSame(rows(db, 'SELECT device_id FROM net_1m'), [[2n], [2n]], 'keyed by device');
});

t.test('a counter reset inside a bucket: the sum counts increases only', async (t) => {
  const { db } = freshDb(t);
  const feed = feeder(new HistoryWriter(db));
  feed(0, 100n, 1n);
  feed(10, 200n, 1n);
  feed(20, 50n, 1n); // reset: base row, nothing counted
  feed(30, 150n, 1n);
  feed(40, 150n, 1n);
  feed(60, 151n, 1n);
  t.strictSame(tier(db, 'net', '1m', NET, B0), [[5n, 30, 200n, 0, 10, 150n, null, null, null, null]], 'sum 100 + 100 + 0; secs cover the three changes');
});

t.test('flushRollups() writes the open buckets; a second writer merges into them', async (t) => {
  const { db, file } = freshDb(t);
  const w1 = new HistoryWriter(db);
  const feed1 = feeder(w1);
  feed1(0, 20_000n, 80n);
  feed1(10, 20_100n, 90n);
  feed1(20, 20_300n, 100n);
  t.equal(db.prepare('SELECT count(*) FROM net_1m').pluck().get(), 0n);
  w1.flushRollups();
  t.strictSame(tier(db, 'net', '1m', NET, B0), [[3n, 20, 300n, 10, 20, 20_300n, null, null, null, null]], 'flushed minute');
  t.strictSame(tier(db, 'net', '1h', NET, B0), [[3n, 20, 300n, 10, 20, 20_300n, null, null, null, null]], 'flushed hour');
  t.strictSame(tier(db, 'domain', '1m', DOM, B0), [[3n, 20, 80n, 100n, 90, 100n, 3n, 3n, 3, 3n, null, null]], 'flushed gauges');
  w1.flushRollups();
  t.strictSame(tier(db, 'net', '1m', 'n', B0), [[3n]], 'a second flush adds nothing (the accumulators were handed over)');

  // A restarted agent: a new connection and writer. Its first row is a base row.
  const db2 = openDatabase(file);
  t.teardown(() => db2.close());
  const feed2 = feeder(new HistoryWriter(db2));
  feed2(30, 20_400n, 50n);
  feed2(40, 21_400n, 200n); // +1000 in 10 s
  feed2(60, 21_500n, 10n); // closes the minute: merged with the flushed row
  t.strictSame(
    tier(db, 'net', '1m', NET, B0),
    [[5n, 30, 1300n, 10, 100, 21_400n, null, null, null, null]],
    'minute merged: n and secs add, sums add, min/max combine, last is the newer',
  );
  t.strictSame(
    tier(db, 'domain', '1m', DOM, B0),
    [[5n, 30, 50n, 200n, 104, 200n, 3n, 3n, 3, 3n, null, null]],
    'gauges merged: mean weighted by n ((90*3 + 125*2) / 5)',
  );
  t.strictSame(tier(db, 'net', '1m', NET, B0 + 60), [], 'minute 1 still open');

  t.strictSame(tier(db, 'net', '1h', 'n', B0), [[3n]], "the hour row holds the first writer's part until the second writer closes or flushes it");
});

t.test('hour merge after both writers flushed', async (t) => {
  const { db, file } = freshDb(t);
  const w1 = new HistoryWriter(db);
  const f1 = feeder(w1);
  f1(0, 20_000n, 80n);
  f1(10, 20_100n, 90n);
  f1(20, 20_300n, 100n);
  w1.flushRollups();
  const db2 = openDatabase(file);
  t.teardown(() => db2.close());
  const w2 = new HistoryWriter(db2);
  const f2 = feeder(w2);
  f2(30, 20_400n, 50n);
  f2(40, 21_400n, 200n);
  f2(60, 21_500n, 10n);
  w2.flushRollups();
  const [row] = tier(db, 'net', '1h', NET, B0);
  t.strictSame(row, [6n, 50, 1400n, 5, 100, 21_500n, null, null, null, null], 'hour: 3 + 3 samples, 20 + 30 s, 300 + 1100, rates 10..100 and 5');
  const [d] = tier(db, 'domain', '1h', 'n, balloon_current_min, balloon_current_max, balloon_current_mean, balloon_current_last', B0) as [
    bigint,
    bigint,
    bigint,
    number,
    bigint,
  ][];
  t.strictSame([d![0], d![1], d![2], d![4]], [6n, 10n, 200n, 10n], 'gauge min, max, last');
  t.ok(Math.abs(d![3] - (90 * 3 + ((50 + 200 + 10) / 3) * 3) / 6) < 1e-9, `gauge mean ${d![3]}`);
  t.strictSame(tier(db, 'net', '1m', 'n, rx_bytes_sum', B0 + 60), [[1n, 100n]], "the second writer's open minute, flushed");
});

t.test('a failed tick that would close a bucket: the bucket is written once, by the next good tick', async (t) => {
  const { db } = freshDb(t);
  const feed = feeder(new HistoryWriter(db));
  feed(0, 0n, 5n);
  feed(10, 100n, 5n);
  feed(20, 300n, 5n);
  db.exec("CREATE TEMP TRIGGER fail_tick BEFORE INSERT ON main.tick BEGIN SELECT RAISE(ABORT, 'injected'); END");
  t.throws(() => feed(60, 1000n, 5n), { message: 'injected' });
  t.equal(db.prepare('SELECT count(*) FROM net_1m').pluck().get(), 0n, 'nothing written by the failed tick');
  db.exec('DROP TRIGGER temp.fail_tick');
  feed(70, 1100n, 5n);
  t.strictSame(tier(db, 'net', '1m', NET, B0), [[3n, 20, 300n, 10, 20, 300n, null, null, null, null]], 'minute 0 from the committed ticks only');
  feed(130, 1200n, 5n);
  t.strictSame(
    tier(db, 'net', '1m', NET, B0 + 60),
    [[1n, 50, 800n, 16, 16, 1100n, null, null, null, null]],
    "minute 1: the good tick's change since tick 3 (800 over 50 s)",
  );
});

t.test('a tick that fails while it closes an hour: its minutes and the hour are written once, by the next good tick', async (t) => {
  const { db } = freshDb(t);
  const feed = feeder(new HistoryWriter(db));
  feed(0, 0n, 5n);
  feed(10, 100n, 5n);
  feed(60, 400n, 5n); // closes minute 0, folded into the open hour
  feed(3590, 1000n, 5n); // closes minute 1; a base row (a new keyframe period): no rate
  t.equal(db.prepare('SELECT count(*) FROM net_1m').pluck().get(), 2n);
  db.exec("CREATE TEMP TRIGGER fail_hour BEFORE INSERT ON main.net_1h BEGIN SELECT RAISE(ABORT, 'injected'); END");
  t.throws(() => feed(3600, 2000n, 5n), { message: 'injected' }, 'the tick that closes minute 59 and hour 0 fails at the hour');
  t.equal(db.prepare('SELECT count(*) FROM net_1m').pluck().get(), 2n, 'its minute row went with it');
  db.exec('DROP TRIGGER temp.fail_hour');
  feed(3610, 2100n, 5n);
  t.strictSame(
    rows(db, 'SELECT bucket, n, secs, rx_bytes_sum FROM net_1m ORDER BY bucket'),
    [
      [BigInt(B0), 2n, 10, 100n],
      [BigInt(B0 + 60), 1n, 50, 300n],
      [BigInt(B0 + 3540), 1n, 0, null],
    ],
    'each minute once, from committed ticks only',
  );
  t.strictSame(
    tier(db, 'net', '1h', NET, B0),
    [[4n, 60, 400n, 6, 10, 1000n, null, null, null, null]],
    'hour 0 once: four samples, every minute folded in once',
  );
  t.equal(db.prepare('SELECT count(*) FROM net_1h').pluck().get(), 1n, 'hour 1 is still open');
});

t.test('rollup building blocks', async (t) => {
  const { db } = freshDb(t);
  const map = readKeyMap(db);
  t.strictSame(rollupColumns(map.columns.vcpu), [
    'bucket',
    'device_id',
    'n',
    'secs',
    'delay_sum',
    'delay_min',
    'delay_max',
    'delay_last',
    'state_min',
    'state_max',
    'state_mean',
    'state_last',
    'time_sum',
    'time_min',
    'time_max',
    'time_last',
    'wait_sum',
    'wait_min',
    'wait_max',
    'wait_last',
  ]);
  t.equal(encode(undefined), null);
  t.equal(encode(5n), 5);
  t.equal(encode(9_007_199_254_740_993n), 9_007_199_254_740_993n, 'beyond 2^53: kept a bigint');
  t.equal(encode((1n << 64n) - 1n), -1);
  t.equal(encode(1n << 63n), -(1n << 63n));
  t.equal(decodeCounter(-1n), (1n << 64n) - 1n);
  t.equal(decodeCounter(-(1n << 63n)), 1n << 63n);
  t.equal(decodeCounter(42n), 42n);
  const a = new Accumulator('vcpu', 7, 120, map.columns.vcpu);
  const p = (c: string) => map.columns.vcpu.findIndex((x) => x.col === c);
  const vals = (time: number, state: number) => {
    const v = new Float64Array(map.columns.vcpu.length).fill(NaN);
    v[p('time')] = time;
    v[p('state')] = state;
    return v;
  };
  const d = (time: number) => vals(time, 0);
  a.add(vals(1000, 1), undefined, null, null);
  a.add(vals(3000, 1), undefined, d(2000), 2000);
  a.add(vals(3000, 2), undefined, d(0), 0); // dt 0: counted as a sample, no rate
  t.strictSame(a.row(), [120, 7, 3, 2, null, null, null, null, 1, 2, 4 / 3, 2, 2000, 1000, 1000, 3000, null, null, null, null]);
  // A closed minute folds into its hour: counts and sums add, extremes widen, the mean weighs by
  // readings, the last reading is the later minute's (exact beyond 2^53).
  const m2 = new Accumulator('vcpu', 7, 180, map.columns.vcpu);
  const big = new Map([[p('time'), (1n << 60n) + 1n]]);
  const v2 = vals(Number((1n << 60n) + 1n), 3);
  m2.add(v2, big, d(2000), 1000);
  const h = a.empty(0);
  h.merge(a);
  h.merge(m2);
  t.strictSame(h.row(), [0, 7, 4, 3, null, null, null, null, 1, 3, 7 / 4, 3, 4000, 1000, 2000, (1n << 60n) + 1n, null, null, null, null]);
  t.strictSame(a.row()[15], 3000, 'merging leaves the minute as it was');
});
