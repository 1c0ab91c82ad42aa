// Retention: raw rows go in whole keyframe periods (every device still starts from a base row,
// between steps too), rollups go after their own retention, the size cap removes the oldest raw
// data first, and each step() is one short transaction.
import t from 'tap';
import Database from 'better-sqlite3';
import { HistoryWriter } from '../../src/store/writer.js';
import { HistoryReader } from '../../src/store/history.js';
import { DEFAULT_RETENTION, Retention, type RetentionPolicy } from '../../src/store/retention.js';
import type { Db } from '../../src/store/db.js';
import { device, domain, freshDb, orphanDeltas, partialTicks, rows, strayRows } from '../helpers/store.js';

const T0 = 1_700_000_000_000; // a multiple of 10 s
const H0 = 1_699_999_200_000; // the start of an hour
const DAY = 86_400_000;
const policy = (p: Partial<RetentionPolicy>): RetentionPolicy => ({ rawMs: 1000 * DAY, minuteMs: 1000 * DAY, hourMs: 1000 * DAY, maxBytes: 0, ...p });

/** A db proxy that counts transactions, so a test can see how many one step() used. */
function counting(db: Db): { db: Db; count: () => number } {
  let n = 0;
  const proxy = new Proxy(db, {
    get(target, prop) {
      if (prop === 'transaction') {
        return (fn: (...a: unknown[]) => unknown) => {
          n++;
          return target.transaction(fn);
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { db: proxy, count: () => n };
}

const count = (db: Db, table: string) => Number(db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as bigint);

t.test('DEFAULT_RETENTION', async (t) => {
  t.strictSame(DEFAULT_RETENTION, { rawMs: 2 * DAY, minuteMs: 90 * DAY, hourMs: 730 * DAY, maxBytes: 4 * 1024 ** 3 });
});

t.test('raw rows older than the cutoff go in whole keyframe periods', async (t) => {
  const { db } = freshDb(t);
  const w = new HistoryWriter(db, 10_000);
  const m = w.map;
  for (let i = 0; i < 40; i++) {
    w.write({
      ts: T0 + i * 1000,
      collectUs: 0,
      domains: [
        domain('k-a', 'a', 1, [
          device(m, 'domain', null, 'a', { domid: 1n, cpu_time: 1000n * BigInt(i) }),
          device(m, 'net', 0, 'vif1.0', { rx_bytes: 7n * BigInt(i * i) }),
        ]),
        domain('k-b', 'b', 2, [device(m, 'domain', null, 'b', { domid: 2n, balloon_current: 4096n - BigInt(i) })]),
      ],
    });
  }
  t.equal(count(db, 'tick'), 40);
  const { db: pdb, count: txs } = counting(db);
  const r = new Retention(pdb, policy({ rawMs: 15_000 }));
  const now = T0 + 39_000; // cutoff T0 + 24 s lies in the period starting at T0 + 20 s
  const n = r.step(now);
  t.equal(txs(), 1, 'one transaction');
  t.equal(n, 20 + 20 * 3, 'rows deleted: 20 ticks, 3 sample rows each');
  t.equal(db.inTransaction, false);
  t.strictSame(
    rows(db, 'SELECT min(id), max(id), count(*), min(ts) FROM tick'),
    [[21n, 40n, 20n, BigInt(T0 + 20_000)]],
    "kept from the first tick of the cutoff's period",
  );
  t.strictSame(orphanDeltas(db), {}, 'every device starts from a base row');
  t.equal(strayRows(db), 0);
  t.strictSame(partialTicks(db, false), []);
  t.strictSame(db.prepare('SELECT DISTINCT dt_ms FROM net_sample WHERE tick_id = 21').pluck().all(), [null], 'the first kept tick holds base rows');
  const q = new HistoryReader(db).query({ domain: 'a', keys: ['cpu.time', 'net.0.rx.bytes'], since: T0, until: T0 + 60_000, rate: false });
  t.strictSame(
    q.times,
    Array.from({ length: 20 }, (_, i) => T0 + (20 + i) * 1000),
  );
  t.strictSame(
    q.series[0]!.values,
    Array.from({ length: 20 }, (_, i) => 1000n * BigInt(20 + i)),
    'cpu.time exact',
  );
  t.strictSame(
    q.series[1]!.values,
    Array.from({ length: 20 }, (_, i) => 7n * BigInt((20 + i) ** 2)),
    'net.0.rx.bytes exact',
  );
  t.strictSame(new HistoryReader(db).query({ domain: 'b', keys: ['balloon.current'], since: T0 + 35_000, until: T0 + 60_000, rate: false }).series[0]!.values, [
    4061n,
    4060n,
    4059n,
    4058n,
    4057n,
  ]);

  // Nothing more is due for raw; run() finishes the rollup pass and stops.
  const before = count(db, 'tick');
  r.run(now, performance.now() + 2000);
  t.equal(count(db, 'tick'), before, 'raw: nothing more');
  t.equal(r.step(now), 0, 'then nothing to do');
  t.equal(r.step(now + 30 * 60_000), 0, 'the rollup pass runs once an hour at most');
  t.equal(count(db, 'tick'), 20, 'no tick newer than the cutoff (the agent has not ticked yet): nothing deleted');
});

t.test('with many devices a period goes in several steps; every step leaves every device starting from a base row', async (t) => {
  const { db, file } = freshDb(t);
  const w = new HistoryWriter(db, 60_000);
  const m = w.map;
  const DOMS = 500;
  for (let i = 0; i < 150; i++) {
    const doms = [];
    for (let d = 0; d < DOMS; d++)
      doms.push(domain(`k${d}`, `vm${d}`, d + 1, [device(m, 'domain', null, `vm${d}`, { domid: BigInt(d + 1), cpu_time: BigInt(i * (d + 1)) })]));
    w.write({ ts: H0 + i * 1000, collectUs: 0, domains: doms });
  }
  // 2000 "rows per tick" by the estimate (domain rows x 4): 25 ticks per step.
  const { db: pdb, count: txs } = counting(db);
  const r = new Retention(pdb, policy({ rawMs: 19_000 }));
  const now = H0 + 149_000; // cutoff H0 + 130 s: keep from H0 + 120 s (tick 121)
  const other = new Database(file);
  other.defaultSafeIntegers(true);
  t.teardown(() => other.close());
  const deleted: number[] = [];
  let steps = 0;
  for (;;) {
    const before = txs();
    const t0 = performance.now();
    const n = r.step(now);
    const ms = performance.now() - t0;
    if (count(db, 'tick') === 30) {
      deleted.push(n);
      break;
    }
    steps++;
    t.equal(txs() - before, 1, `step ${steps}: one transaction`);
    t.ok(ms < 1000, `step ${steps}: short (${ms.toFixed(1)} ms)`);
    deleted.push(n);
    // No lock is held between steps: another connection can write at once.
    other.exec('BEGIN IMMEDIATE');
    other.exec('ROLLBACK');
    t.strictSame(orphanDeltas(db), {}, `step ${steps}: no delta row without its base row`);
    const v = other.prepare("SELECT cpu_time FROM domain_value WHERE domain = 'vm9' ORDER BY ts").pluck().all() as bigint[];
    const ts = other.prepare('SELECT id FROM tick ORDER BY id').pluck().all() as bigint[];
    t.strictSame(
      v,
      ts.map((id) => (id - 1n) * 10n),
      `step ${steps}: plain SQL values stay right`,
    );
    if (steps > 10) break;
  }
  t.strictSame(deleted, [12_525, 12_525, 12_525, 12_525, 10_020], 'five steps of at most 25 ticks (the newest doomed ticks first)');
  t.strictSame(rows(db, 'SELECT min(id), count(*) FROM tick'), [[121n, 30n]]);
  t.strictSame(orphanDeltas(db), {});
  t.equal(strayRows(db), 0);
  const q = new HistoryReader(db).query({ domain: 'vm499', keys: ['cpu.time'], since: H0, until: now, rate: false });
  t.strictSame(
    q.series[0]!.values,
    Array.from({ length: 30 }, (_, i) => BigInt((120 + i) * 500)),
    'values exact after retention',
  );
});

t.test('rollups older than their retention go', async (t) => {
  const { db } = freshDb(t);
  const w = new HistoryWriter(db);
  const m = w.map;
  const feed = (s: number, rx: bigint) =>
    w.write({
      ts: H0 + s * 1000,
      collectUs: 0,
      domains: [domain('k', 'vm', 1, [device(m, 'domain', null, 'vm', { domid: 1n }), device(m, 'net', 0, 'vif1.0', { rx_bytes: rx })])],
    });
  const MIN = 60;
  const HOUR = 3600;
  [0, 10, 70, 2 * HOUR, 2 * HOUR + 70, 5 * HOUR + 20 * MIN, 5 * HOUR + 21 * MIN, 5 * HOUR + 25 * MIN].forEach((s, i) => feed(s, BigInt(i * 100)));
  w.flushRollups();
  const B0 = H0 / 1000;
  const buckets = (tbl: string) => (db.prepare(`SELECT bucket FROM ${tbl} ORDER BY bucket`).pluck().all() as bigint[]).map((b) => Number(b) - B0);
  t.strictSame(buckets('net_1m'), [0, 60, 2 * HOUR, 2 * HOUR + 60, 5 * HOUR + 20 * MIN, 5 * HOUR + 21 * MIN, 5 * HOUR + 25 * MIN], 'minute buckets before');
  t.strictSame(buckets('net_1h'), [0, 2 * HOUR, 5 * HOUR], 'hour buckets before');
  const now = H0 + (5 * HOUR + 30 * MIN) * 1000;
  const r = new Retention(db, policy({ minuteMs: 10 * 60_000, hourMs: 3 * 3600_000 }));
  const n = r.run(now, performance.now() + 5000);
  t.ok(n > 0, 'work done');
  t.strictSame(buckets('net_1m'), [5 * HOUR + 20 * MIN, 5 * HOUR + 21 * MIN, 5 * HOUR + 25 * MIN], 'minute buckets of the last 10 minutes stay');
  t.strictSame(buckets('domain_1m'), [5 * HOUR + 20 * MIN, 5 * HOUR + 21 * MIN, 5 * HOUR + 25 * MIN], 'for every kind');
  t.strictSame(buckets('net_1h'), [5 * HOUR], 'hour buckets of the last 3 hours stay');
  t.strictSame(buckets('domain_1h'), [5 * HOUR]);
  t.equal(count(db, 'tick'), 8, 'raw rows untouched (their retention is long)');
  t.equal(r.step(now), 0, 'done');
});

t.test('the size cap deletes the oldest raw data first, whole periods, then the oldest rollup day', async (t) => {
  const { db } = freshDb(t);
  const w = new HistoryWriter(db, 10_000);
  const m = w.map;
  const feed = (ts: number, k: bigint) =>
    w.write({
      ts,
      collectUs: 0,
      domains: [
        domain('k', 'vm', 1, [
          device(m, 'domain', null, 'vm', { domid: 1n }),
          ...Array.from({ length: 20 }, (_, i) => device(m, 'net', i, `vif1.${i}`, { rx_bytes: k * BigInt(i + 1) })),
        ]),
      ],
    });
  // Day 0: four 10 s periods around a minute boundary; day 2: one more period.
  const D0 = H0;
  for (let i = 0; i < 40; i++) feed(D0 + 40_000 + i * 1000, BigInt(i));
  for (let i = 0; i < 5; i++) feed(D0 + 2 * DAY + i * 1000, BigInt(100 + i));
  w.flushRollups();
  const r = new Retention(db, policy({ maxBytes: 1 }));
  const used = r.usedBytes();
  const size = Number(db.pragma('page_size', { simple: true }) as bigint);
  t.equal(
    used,
    (Number(db.pragma('page_count', { simple: true }) as bigint) - Number(db.pragma('freelist_count', { simple: true }) as bigint)) * size,
    'usedBytes: pages in use times page size',
  );
  t.ok(used > 1, 'over the cap');
  const periods = () => (db.prepare('SELECT DISTINCT keyframe FROM tick ORDER BY keyframe').pluck().all() as bigint[]).map(Number);
  const start = periods();
  t.equal(start.length, 5, 'five periods');
  const m1 = count(db, 'net_1m');
  const h1 = count(db, 'net_1h');
  t.equal(m1, 20 * 3, 'minute rows: 20 interfaces x 3 minutes');
  t.equal(h1, 20 * 2, 'hour rows: 20 interfaces x 2 hours');
  const seen: string[] = [];
  for (let i = 0; i < 4; i++) {
    r.step(D0 + 2 * DAY + 5000);
    seen.push(`${periods().length} periods, ${count(db, 'net_1m')} minute rows, ${count(db, 'net_1h')} hour rows`);
    t.strictSame(orphanDeltas(db), {}, `step ${i + 1}: every device starts from a base row`);
  }
  t.strictSame(
    seen,
    [
      '4 periods, 60 minute rows, 40 hour rows',
      '3 periods, 60 minute rows, 40 hour rows',
      '2 periods, 60 minute rows, 40 hour rows',
      '1 periods, 60 minute rows, 40 hour rows',
    ],
    'raw first, oldest period first, rollups untouched',
  );
  t.strictSame(periods(), [start[4]], 'the newest period is kept');
  r.step(D0 + 2 * DAY + 5000);
  t.equal(count(db, 'net_1m'), 20, 'then the oldest day of minute rollups');
  t.equal(count(db, 'net_1h'), 40, 'hour rollups not yet');
  t.equal(count(db, 'tick'), 5, 'the newest raw period stays');
  const q = new HistoryReader(db).query({ domain: 'vm', keys: ['net.3.rx.bytes'], since: D0, until: D0 + 2 * DAY + 10_000, stepS: 1, rate: false });
  t.equal(q.tier, 'raw');
  t.strictSame(q.series[0]!.values, [400n, 404n, 408n, 412n, 416n], 'the kept period reads back exactly');
});
