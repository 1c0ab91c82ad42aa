// Retention: raw ticks go in whole keyframe periods (every device still starts from a base row,
// between steps too), rollups go a block at a time after their own retention, attributes keep the
// value the oldest data had, the size cap cuts the shortest tier first down to its floor and says
// so once, and each step() is one short transaction.
import t from 'tap';
import Database from 'better-sqlite3';
import { HistoryWriter } from '../../src/store/writer.js';
import { HistoryReader } from '../../src/store/history.js';
import { DEFAULT_RETENTION, FLOORS, Retention, type RetentionPolicy } from '../../src/store/retention.js';
import type { Db } from '../../src/store/db.js';
import type { DomainSample } from '../../src/sample/rows.js';
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

function ticker(w: HistoryWriter) {
  let last: number | null = null;
  return (ts: number, domains: DomainSample[]) => {
    const r = w.write({ ts, mono: ts - T0 + 1, dt: last === null ? null : ts - last, collectUs: 0, domains });
    last = ts;
    return r;
  };
}

t.test('DEFAULT_RETENTION', async (t) => {
  t.strictSame(DEFAULT_RETENTION, { rawMs: 2 * DAY, minuteMs: 90 * DAY, hourMs: 730 * DAY, maxBytes: 4 * 1024 ** 3 });
});

t.test('raw ticks older than the cutoff go in whole keyframe periods', async (t) => {
  const { db } = freshDb(t);
  const w = new HistoryWriter(db, 10_000);
  const tick = ticker(w);
  const m = w.map;
  for (let i = 0; i < 40; i++) {
    tick(T0 + i * 1000, [
      domain('k-a', 'a', 1, [
        device(m, 'domain', null, 'a', { domid: 1n, cpu_time: 1000n * BigInt(i) }),
        device(m, 'net', 0, 'vif1.0', { rx_bytes: 7n * BigInt(i * i) }),
      ]),
      domain('k-b', 'b', 2, [device(m, 'domain', null, 'b', { domid: 2n, balloon_rss: 4096n - BigInt(i) })]),
    ]);
  }
  t.equal(count(db, 'tick'), 40);
  const { db: pdb, count: txs } = counting(db);
  const r = new Retention(pdb, policy({ rawMs: 15_000 }), { keyframeMs: 10_000 });
  const now = T0 + 39_000; // cutoff T0 + 24 s lies in the period starting at T0 + 20 s
  const n = r.step(now);
  t.equal(txs(), 1, 'one transaction');
  t.equal(n, 20 + 20 * 3 + 2 * 3, 'rows deleted: 20 ticks, their 3 raw rows each, and 2 periods of 3 base rows');
  t.equal(db.inTransaction, false);
  t.strictSame(
    rows(db, 'SELECT min(id), max(id), count(*), min(ts) FROM tick'),
    [[21n, 40n, 20n, BigInt(T0 + 20_000)]],
    "kept from the first tick of the cutoff's period",
  );
  t.strictSame(orphanDeltas(db), {}, 'every device starts from a base row');
  t.equal(strayRows(db), 0);
  t.strictSame(partialTicks(db, false), []);
  t.strictSame(db.prepare('SELECT tick_id FROM net_base').pluck().all(), [21n, 31n], 'the first kept tick has its base rows');
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
  t.strictSame(new HistoryReader(db).query({ domain: 'b', keys: ['balloon.rss'], since: T0 + 35_000, until: T0 + 60_000, rate: false }).series[0]!.values, [
    4061n,
    4060n,
    4059n,
    4058n,
    4057n,
  ]);
  const before = count(db, 'tick');
  r.run(now, performance.now() + 2000);
  t.equal(count(db, 'tick'), before, 'raw: nothing more');
  t.equal(r.step(now), 0, 'then nothing to do');
  t.equal(r.step(now + 30 * 60_000), 0, 'the rollup pass runs once an hour at most');
});

t.test('with many devices a period goes in several steps; every step leaves every device starting from a base row', async (t) => {
  const { db, file } = freshDb(t);
  const w = new HistoryWriter(db, 60_000);
  const tick = ticker(w);
  const m = w.map;
  const DOMS = 500;
  for (let i = 0; i < 150; i++) {
    const doms = [];
    for (let d = 0; d < DOMS; d++)
      doms.push(domain(`k${d}`, `vm${d}`, d + 1, [device(m, 'domain', null, `vm${d}`, { domid: BigInt(d + 1), cpu_time: BigInt(i * (d + 1)) })]));
    tick(H0 + i * 1000, doms);
  }
  // 500 raw rows per tick: 100 ticks per step.
  const { db: pdb, count: txs } = counting(db);
  const r = new Retention(pdb, policy({ rawMs: 19_000 }), { keyframeMs: 60_000 });
  const now = H0 + 149_000; // cutoff H0 + 130 s: keep from H0 + 120 s (tick 121)
  const other = new Database(file);
  other.defaultSafeIntegers(true);
  t.teardown(() => other.close());
  const deleted: number[] = [];
  let steps = 0;
  while (count(db, 'tick') > 30 && steps < 10) {
    const before = txs();
    deleted.push(r.step(now));
    steps++;
    t.equal(txs() - before, 1, `step ${steps}: one transaction`);
    // No lock is held between steps: another connection can write at once.
    other.exec('BEGIN IMMEDIATE');
    other.exec('ROLLBACK');
    t.strictSame(orphanDeltas(db), {}, `step ${steps}: no increase without its base row`);
    const v = other.prepare("SELECT cpu_time FROM domain_value WHERE domain = 'vm9' ORDER BY ts").pluck().all() as bigint[];
    const ids = other.prepare('SELECT id FROM tick ORDER BY id').pluck().all() as bigint[];
    t.strictSame(
      v,
      ids.map((id) => (id - 1n) * 10n),
      `step ${steps}: plain SQL readings stay right`,
    );
  }
  t.strictSame(deleted, [100 * 501 + 500, 20 * 501 + 500], 'two steps of at most 100 ticks (the newest doomed ticks first), each with its base rows');
  t.strictSame(rows(db, 'SELECT min(id), count(*) FROM tick'), [[121n, 30n]]);
  t.equal(strayRows(db), 0);
  const q = new HistoryReader(db).query({ domain: 'vm499', keys: ['cpu.time'], since: H0, until: now, rate: false });
  t.strictSame(
    q.series[0]!.values,
    Array.from({ length: 30 }, (_, i) => BigInt((120 + i) * 500)),
    'readings exact after retention',
  );
});

t.test('rollups older than their retention go a block at a time, with their covers', async (t) => {
  const { db } = freshDb(t);
  const w = new HistoryWriter(db);
  const tick = ticker(w);
  const m = w.map;
  const MIN = 60;
  const HOUR = 3600;
  const times = [0, 10, 70, 2 * HOUR, 2 * HOUR + 70, 5 * HOUR + 20 * MIN, 5 * HOUR + 21 * MIN, 5 * HOUR + 25 * MIN];
  times.forEach((s, i) =>
    tick(H0 + s * 1000, [domain('k', 'vm', 1, [device(m, 'domain', null, 'vm', { domid: 1n }), device(m, 'net', 0, 'vif1.0', { rx_bytes: BigInt(i * 100) })])]),
  );
  w.flushOpen();
  const B0 = H0 / 1000;
  const buckets = (tbl: string) => (db.prepare(`SELECT bucket FROM ${tbl} ORDER BY bucket`).pluck().all() as bigint[]).map((b) => Number(b) - B0);
  t.strictSame(buckets('net_1m'), [0, 60, 2 * HOUR, 2 * HOUR + 60, 5 * HOUR + 20 * MIN, 5 * HOUR + 21 * MIN, 5 * HOUR + 25 * MIN], 'minute buckets before');
  t.strictSame(buckets('net_1h'), [0, 2 * HOUR, 5 * HOUR], 'hour buckets before');
  const now = H0 + (5 * HOUR + 30 * MIN) * 1000;
  const r = new Retention(db, policy({ minuteMs: 10 * 60_000, hourMs: 3 * 3600_000 }));
  t.ok(r.run(now, performance.now() + 5000) > 0, 'work done');
  // The minute cutoff 5:20 lies in the block 5:18-5:24: that block stays whole.
  t.strictSame(buckets('net_1m'), [5 * HOUR + 20 * MIN, 5 * HOUR + 21 * MIN, 5 * HOUR + 25 * MIN], 'minute blocks that end before the cutoff go');
  t.strictSame(buckets('cover_1m'), [5 * HOUR + 20 * MIN, 5 * HOUR + 21 * MIN, 5 * HOUR + 25 * MIN], 'and their covers');
  // H0 is 22:00 UTC; hour blocks are 18:00-24:00 and 00:00-06:00. The cutoff 00:30 lies in the second.
  t.strictSame(buckets('net_1h'), [2 * HOUR, 5 * HOUR], 'the hour block that ended before the cutoff went; the one it lies in stays whole');
  t.equal(count(db, 'tick'), 8, 'raw ticks untouched (their retention is long)');
  t.equal(r.step(now), 0, 'done');
  const later = new Retention(db, policy({ minuteMs: 10 * 60_000, hourMs: 3 * 3600_000 }));
  later.run(H0 + 13 * HOUR * 1000, performance.now() + 5000);
  t.strictSame(buckets('net_1h'), [], 'once the block has ended before the cutoff, it goes');
});

t.test('attributes older than every tier go, but the value the oldest data had stays', async (t) => {
  const { db } = freshDb(t);
  const w = new HistoryWriter(db);
  const tick = ticker(w);
  const m = w.map;
  [1n, 2n, 3n, 4n].forEach((state, i) => tick(H0 + i * 3600_000, [domain('k', 'vm', 1, [device(m, 'domain', null, 'vm', { state })])]));
  const r = new Retention(db, policy({ rawMs: 3600_000, minuteMs: 3600_000, hourMs: 90 * 60_000 }));
  r.run(H0 + 3 * 3600_000, performance.now() + 5000);
  t.strictSame(
    db.prepare("SELECT ts, value FROM attribute WHERE col = 'state' ORDER BY ts").raw().all(),
    [
      [BigInt(H0 + 3600_000), 2n],
      [BigInt(H0 + 2 * 3600_000), 3n],
      [BigInt(H0 + 3 * 3600_000), 4n],
    ],
    'the change at 1:00 stays: the value the data from 1:30 on began with',
  );
});

t.test('the size cap cuts raw ticks first (whole periods, down to an hour), then minute blocks, then hour blocks; each said once', async (t) => {
  const { db } = freshDb(t);
  const w = new HistoryWriter(db);
  const tick = ticker(w);
  const m = w.map;
  const said: string[] = [];
  // 30 hours at 60 s of 30 NICs: raw ticks, minutes and hours.
  for (let s = 0; s < 30 * 3600; s += 60) {
    tick(H0 + s * 1000, [
      domain(
        'k',
        'vm',
        1,
        Array.from({ length: 30 }, (_, i) => device(m, 'net', i, `vnet${i}`, { rx_bytes: BigInt(s * (i + 1) * 1000), tx_bytes: BigInt(s * 7) })),
      ),
    ]);
  }
  w.flushOpen();
  const now = H0 + 30 * 3600_000;
  const used = new Retention(db).usedBytes();
  const span = () => rows(db, 'SELECT (SELECT min(ts) FROM tick), (SELECT min(bucket) FROM cover_1m), (SELECT min(bucket) FROM cover_1h)')[0]!.map(Number);
  const [raw0, min0, hour0] = span();
  // A cap just below today's size: only raw periods go.
  const r = new Retention(db, policy({ maxBytes: used - 100_000 }), { report: (msg) => said.push(msg) });
  while (r.usedBytes() > used - 100_000 && r.step(now) > 0);
  const [raw1, min1, hour1] = span();
  t.ok(raw1! > raw0!, 'the oldest raw ticks went');
  t.equal(min1, min0, 'minutes untouched');
  t.equal(hour1, hour0, 'hours untouched');
  t.equal((raw1! - H0) % 600_000, 0, 'raw ticks start at a keyframe period');
  t.strictSame(orphanDeltas(db), {});
  t.equal(said.length, 1, 'said once');
  t.match(
    said[0],
    /^size cap .* reached: the raw tier now keeps \d+\.?\d* hours of its 1000 days, and less as needed, down to 60 minutes; domstat agent --dry-run projects it$/,
  );

  // A cap far below: raw down to its floor (an hour), then minutes down to theirs; hours keep.
  // This time the agent's projection of what the configuration needs is part of the message.
  const tiny = new Retention(db, policy({ maxBytes: 4096 }), { report: (msg) => said.push(msg), needs: () => 23 * 2 ** 30 + 2 ** 29 });
  while (tiny.step(now) > 0);
  const [raw2, min2, hour2] = span();
  t.ok(now - raw2! <= FLOORS.raw && now - raw2! > FLOORS.raw - 700_000, 'raw: the newest hour (and the rest of its period) stays');
  t.ok(min2! > min1!, 'minute blocks went after raw could give no more');
  t.ok(now - min2! * 1000 <= FLOORS['1m'] && now - min2! * 1000 > FLOORS['1m'] - 360_000, 'minutes: the newest day stays');
  t.equal(hour2, hour0, 'hour blocks are within their floor (a week): untouched');
  t.strictSame(orphanDeltas(db), {});
  t.equal(said.length, 4, 'raw said once by each cap; minutes once; the cap out of reach once');
  t.match(
    said[1],
    /^size cap 4\.0 KiB reached: the raw tier now keeps [\d.]+ hours of its 1000 days, and less as needed, down to 60 minutes; the configuration needs about 23\.5 GiB \(domstat agent --dry-run projects it\)$/,
  );
  t.match(said[2], /the minute tier now keeps/);
  t.match(
    said[3],
    /^size cap 4\.0 KiB cannot be kept: the database holds [\d.]+ [KMG]iB with every tier down to what the cap never cuts \(60 minutes raw, 24 hours of minutes, 7 days of hours\); it grows past the cap$/,
  );
  while (tiny.step(now) > 0);
  t.equal(said.length, 4, 'said once');
});

t.test('raw and minute retention both under an hour: the open hour keeps its minutes, so restarts rebuild it whole', async (t) => {
  // The same ticks into two databases, each writer restarted twice a minute apart inside the hour
  // (clean stops), with retention run between ticks as the agent does: one keeps everything, the
  // other raw ticks and minutes for 1 s. Their hour tiers must be the same.
  let runs = 0;
  const run = (short: Partial<RetentionPolicy>) => {
    const { db } = freshDb(t, `run${runs++}.db`);
    const vm = (w: HistoryWriter, k: number) => [domain('k', 'vm', 1, [device(w.map, 'net', 0, 'vif1.0', { rx_bytes: BigInt(1000 * k + k * k) })])];
    let k = 72; // the first tick at 12 min past the hour
    for (const end of [200, 206, 420]) {
      const w = new HistoryWriter(db);
      w.recover();
      const r = new Retention(db, policy(short));
      const tick = ticker(w);
      for (; k <= end; k++) {
        tick(H0 + k * 10_000, vm(w, k));
        if (k % 6 === 0) r.run(H0 + k * 10_000, performance.now() + 5000); // between ticks, its now the last tick's
      }
      w.flushOpen();
    }
    return rows(db, 'SELECT * FROM net_1h ORDER BY bucket, device_id');
  };
  const kept = run({});
  t.ok(kept.length > 0, 'hours stored');
  t.strictSame(run({ rawMs: 1000, minuteMs: 1000 }), kept, 'the hour tier as if nothing had been deleted');
});
