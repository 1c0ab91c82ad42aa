// Rollups: minute and hour buckets as slots of six-bucket blocks, written when they close — the
// exact increase, the peak rate of busy counters, gauges' mean and extreme, the time covered —
// and a tick that fails while closing one (the bucket is written once, by the next good tick).
import t from 'tap';
import { HistoryWriter } from '../../src/store/writer.js';
import { Bucket } from '../../src/store/rollup.js';
import { LAYOUTS } from '../../src/store/layout.js';
import type { DomainSample } from '../../src/sample/rows.js';
import { device, domain, freshDb, rows } from '../helpers/store.js';

const H0 = Date.UTC(2026, 11, 1, 10, 0, 0); // the start of an hour

function ticker(w: HistoryWriter) {
  let last: number | null = null;
  return (ts: number, domains: DomainSample[]) => {
    const r = w.write({ ts, mono: ts - H0, dt: last === null ? null : ts - last, collectUs: 1, domains });
    last = ts;
    return r;
  };
}

t.test('a minute slot: the increase, the peak rate, gauges mean and extreme, and the time covered; hours fold minutes', async (t) => {
  const { db } = freshDb(t);
  const w = new HistoryWriter(db);
  const tick = ticker(w);
  const m = w.map;
  // Every 10 s from 10:00:05; rx grows 1000 per tick, but 4000 in the tick at 10:00:45.
  let rx = 0n;
  let rss: bigint;
  for (let k = 0; k <= 12; k++) {
    const ts = H0 + 5000 + k * 10_000;
    rx += k === 0 ? 0n : k === 4 ? 4000n : 1000n;
    rss = k === 3 ? 900n : 500n + BigInt(k);
    tick(ts, [
      domain('k', 'vm', 3, [
        device(m, 'domain', null, 'vm', { balloon_rss: rss, cpu_time: BigInt(k) * 10n ** 9n }),
        device(m, 'net', 0, 'vnet0', { rx_bytes: rx, tx_bytes: 7n }),
      ]),
      domain('@host', '@host', 0, [device(m, 'host', null, 'h', { mem_free: 2000n - BigInt(k), cpu_user: BigInt(k) * 10_000_000n })]),
    ]);
  }
  // Ticks 0..5 are in 10:00 (tick 0 has no increase), 6..11 in 10:01, tick 12 opens 10:02.
  t.strictSame(
    rows(db, 'SELECT bucket, ms FROM cover_1m ORDER BY bucket'),
    [
      [BigInt(H0 / 1000), 50_000n],
      [BigInt(H0 / 1000 + 60), 60_000n],
    ],
    "the host's ticks covered 50 s of 10:00 (its first tick has no interval) and 60 s of 10:01",
  );
  t.strictSame(
    db.prepare('SELECT bucket, secs, rx_bytes_sum, rx_bytes_max, tx_bytes_sum FROM net_1m ORDER BY bucket').raw().all(),
    [
      [BigInt(H0 / 1000), 50, 8000n, 400n, 0n],
      [BigInt(H0 / 1000 + 60), 60, 6000n, 100n, 0n],
    ],
    'sums exact, the peak per-second rate (4000 B over 10 s), tx unchanged: 0',
  );
  t.strictSame(
    db.prepare('SELECT bucket, balloon_rss_mean, balloon_rss_max, cpu_time_sum, cpu_time_max FROM domain_1m ORDER BY bucket').raw().all(),
    [
      [BigInt(H0 / 1000), 569n, 900n, 5n * 10n ** 9n, 100_000_000n],
      [BigInt(H0 / 1000 + 60), 509n, 511n, 6n * 10n ** 9n, 100_000_000n],
    ],
    'a gauge: the mean of its readings (rounded) and its maximum',
  );
  t.strictSame(
    db.prepare('SELECT bucket, mem_free_mean, mem_free_min, cpu_user_sum FROM host_1m ORDER BY bucket').raw().all(),
    [
      [BigInt(H0 / 1000), 1998n, 1995n, 50_000_000n],
      [BigInt(H0 / 1000 + 60), 1992n, 1989n, 60_000_000n],
    ],
    'a "low" gauge keeps its minimum',
  );
  t.strictSame(
    db.prepare('SELECT ts, device, secs, rx_bytes, rx_bytes_max FROM net_1m_rate ORDER BY ts').raw().all(),
    [
      [BigInt(H0), 'vnet0', 50, 160, 400n],
      [BigInt(H0 + 60_000), 'vnet0', 60, 100, 100n],
    ],
    'net_1m_rate: the mean rate over the time covered and the peak',
  );
  t.strictSame(rows(db, 'SELECT count(*) FROM net_1h_block'), [[0n]], 'no hour closed yet');
  w.flushOpen();
  t.strictSame(
    db.prepare('SELECT bucket, secs, rx_bytes_sum, rx_bytes_max FROM net_1h').raw().all(),
    [[BigInt(H0 / 1000), 120, 15_000n, 400n]],
    'flushed, the open hour holds its two closed minutes and the open one',
  );
  const block = db.prepare('SELECT block, gap_0, rx_bytes_0, gap_1, rx_bytes_1, gap_2, gap_5 FROM net_1m_block').raw().all();
  t.strictSame(block, [[BigInt(H0 / 1000), 0n, 8000n, 0n, 6000n, 0n, null]], 'one row for six minutes; gap 0: covered like the host; NULL: nothing yet');
});

t.test('a device that covers part of a bucket: its gap, and rates over the time it covered', async (t) => {
  const { db } = freshDb(t);
  const w = new HistoryWriter(db);
  const tick = ticker(w);
  const m = w.map;
  for (let k = 0; k <= 7; k++) {
    const ts = H0 + 5000 + k * 10_000;
    const doms = [domain('@host', '@host', 0, [device(m, 'host', null, 'h', { cpu_user: BigInt(k) * 10_000_000n })])];
    // vm appears at the fourth tick.
    if (k >= 3) doms.push(domain('k', 'vm', 3, [device(m, 'net', 0, 'vnet0', { rx_bytes: 100n * BigInt(k) })]));
    tick(ts, doms);
  }
  t.strictSame(
    db.prepare('SELECT bucket, secs, rx_bytes_sum FROM net_1m').raw().all(),
    [[BigInt(H0 / 1000), 20, 200n]],
    "vm covered 20 s of the host's 50 s: rate 10 B/s, not 4",
  );
  t.strictSame(db.prepare('SELECT gap_0 FROM net_1m_block').pluck().all(), [30_000n]);
  t.strictSame(db.prepare('SELECT rx_bytes FROM net_1m_rate').pluck().all(), [10]);
});

t.test('a counter reset inside a bucket: the sum holds the increases measured, never a negative', async (t) => {
  const { db } = freshDb(t);
  const w = new HistoryWriter(db);
  const tick = ticker(w);
  const m = w.map;
  const readings = [100n, 150n, 30n, 80n, 90n, 95n, 96n];
  readings.forEach((rx, k) => tick(H0 + 1000 + k * 10_000, [domain('k', 'vm', 3, [device(m, 'net', 0, 'vnet0', { rx_bytes: rx })])]));
  w.flushOpen();
  t.strictSame(
    db.prepare('SELECT rx_bytes_sum, rx_bytes_max FROM net_1m ORDER BY bucket').raw().all(),
    [
      [50n + 50n + 10n + 5n, 5n],
      [1n, 0n],
    ],
    'the reset tick adds nothing; the peak rate is rounded to whole units per second',
  );
});

t.test('a tick that fails while it closes a minute and an hour: both are written once, by the next good tick', async (t) => {
  const { db } = freshDb(t);
  const w = new HistoryWriter(db);
  const tick = ticker(w);
  const m = w.map;
  const net = (rx: bigint) => [domain('k', 'vm', 3, [device(m, 'net', 0, 'vnet0', { rx_bytes: rx })])];
  tick(H0 - 25_000, net(100n));
  tick(H0 - 15_000, net(200n));
  tick(H0 - 5_000, net(300n));
  db.exec("CREATE TEMP TRIGGER fail BEFORE INSERT ON net_raw BEGIN SELECT raise(ABORT, 'disk full'); END");
  t.throws(() => tick(H0 + 5_000, net(400n)), /disk full/);
  t.strictSame(rows(db, 'SELECT count(*) FROM net_1m_block'), [[0n]], 'the failed tick wrote no slot');
  t.strictSame(rows(db, 'SELECT count(*) FROM cover_1h'), [[0n]]);
  db.exec('DROP TRIGGER fail');
  tick(H0 + 15_000, net(500n));
  tick(H0 + 25_000, net(600n));
  t.strictSame(
    db.prepare('SELECT bucket, rx_bytes_sum FROM net_1m ORDER BY bucket').raw().all(),
    [[BigInt(H0 / 1000 - 60), 200n]],
    'the last minute of the hour: once',
  );
  t.strictSame(db.prepare('SELECT bucket, rx_bytes_sum FROM net_1h').raw().all(), [[BigInt(H0 / 1000 - 3600), 200n]], 'its hour: once');
  w.flushOpen();
  t.strictSame(
    db.prepare('SELECT bucket, rx_bytes_sum FROM net_1m ORDER BY bucket').raw().all(),
    [
      [BigInt(H0 / 1000 - 60), 200n],
      [BigInt(H0 / 1000), 300n],
    ],
    'the increase over the failed tick counts in the next good one',
  );
});

t.test('Bucket: add, merge into an hour, a slot, and back from a slot', async (t) => {
  const l = LAYOUTS.net;
  const at = (col: string) => [...l.sampled].findIndex((i) => l.columns[i]!.col === col);
  const inc = new Float64Array(l.sampled.length).fill(NaN);
  const m1 = new Bucket(l);
  m1.reset(60);
  inc[at('rx_bytes')] = 100;
  inc[at('tx_bytes')] = 0;
  m1.add(inc, 10_000);
  inc[at('rx_bytes')] = 300;
  m1.add(inc, 10_000);
  m1.add(inc, null); // a first reading: no interval, nothing counted
  t.equal(m1.rows, 3);
  t.equal(m1.ms, 20_000);
  const slot = m1.slot(30_000);
  t.strictSame(slot.slice(0, 4), [10_000, 400, 30, null], 'gap, rx sum, rx peak (30/s), rx_pkts');
  const h = new Bucket(l);
  h.reset(0);
  h.merge(m1);
  const m2 = Bucket.fromSlot(l, 120, 60_000, [0, 600, 50, 7, 0, 0, 1000, 90, 3, 0, 0]);
  h.merge(m2);
  t.strictSame(h.slot(90_000).slice(0, 4), [10_000, 1000, 50, 7], 'sums add, peaks take the higher, the gap follows the time covered');
});
