// The history writer: base rows and exact deltas, resets, 32-bit wraps, restarts, keyframes,
// u64 values past 2^63, the plain-SQL views, and ticks that fail (nothing written, and the next
// tick computed against the last committed readings).
import t, { type Test } from 'tap';
import { HistoryWriter, KEYFRAME_MS } from '../../src/store/writer.js';
import { HistoryReader } from '../../src/store/history.js';
import type { Db } from '../../src/store/db.js';
import { device, domain, freshDb, partialTicks, rows } from '../helpers/store.js';

// A multiple of 10 s: keyframe periods of the 10 s test writers start here.
const T0 = 1_700_000_000_000;
const KF = T0 / 10_000;

const writer = (t: Test, keyframeMs = 10_000) => {
  const { db, file } = freshDb(t);
  return { db, file, w: new HistoryWriter(db, keyframeMs) };
};

const netRx = (db: Db) => rows(db, 'SELECT tick_id, device_id, dt_ms, rx_bytes, tx_bytes, rx_pkts FROM net_sample ORDER BY tick_id, device_id');

t.test('a base row first, then exact deltas with dt_ms; the views give rates and values', async (t) => {
  const { db, w } = writer(t);
  const m = w.map;
  const vm1 = (dom: Record<string, bigint>, net: Record<string, bigint>, blk: Record<string, bigint>) =>
    domain('k-vm1', 'vm1', 5, [
      device(m, 'domain', null, 'vm1', dom),
      device(m, 'net', 0, 'vif5.0', net, { path: '00:16:3e:00:00:05' }),
      device(m, 'block', 0, 'xvda', blk, { path: '/dev/vg0/vm1' }),
    ]);
  const r1 = w.write({
    ts: T0 + 1000,
    collectUs: 1234,
    domains: [
      vm1(
        { domid: 5n, state: 1n, reason: 1n, cpu_time: 1_000_000_000n, balloon_current: 1_048_576n, vcpu_current: 2n },
        { rx_bytes: 1000n, tx_bytes: 2000n, rx_pkts: 10n },
        { rd_reqs: 10n, rd_bytes: 4096n, allocation: 1_000_000n, capacity: 10_000_000n },
      ),
    ],
  });
  t.strictSame(r1, { tickId: 1, values: 13, rows: 3 }, 'tick 1: id, values stored, rows');
  const r2 = w.write({
    ts: T0 + 3000,
    collectUs: 99,
    domains: [
      vm1(
        // the gauge balloon_current goes down: a negative change, not a reset
        { domid: 5n, state: 1n, reason: 1n, cpu_time: 1_500_000_000n, balloon_current: 1_000_000n, vcpu_current: 2n },
        { rx_bytes: 1500n, tx_bytes: 2000n, rx_pkts: 15n },
        { rd_reqs: 30n, rd_bytes: 12_288n, allocation: 999_000n, capacity: 10_000_000n },
      ),
    ],
  });
  t.strictSame(r2, { tickId: 2, values: 13, rows: 3 }, 'tick 2: a change of 0 is a value too');

  t.strictSame(
    rows(db, 'SELECT * FROM tick ORDER BY id'),
    [
      [1n, BigInt(T0 + 1000), 1234n, 1n, BigInt(KF)],
      [2n, BigInt(T0 + 3000), 99n, 1n, BigInt(KF)],
    ],
    'tick rows: id, ts, collect_us, domains, keyframe',
  );
  t.strictSame(rows(db, 'SELECT * FROM domain'), [[1n, 'k-vm1', 'k-vm1', 'vm1', 'xen']], 'domain row: id, key, uuid, name, hv_type');
  t.strictSame(
    rows(db, 'SELECT * FROM device ORDER BY id'),
    [
      [1n, 1n, 'domain', null, 'vm1', null],
      [2n, 1n, 'net', 0n, 'vif5.0', '00:16:3e:00:00:05'],
      [3n, 1n, 'block', 0n, 'xvda', '/dev/vg0/vm1'],
    ],
    'device rows: id, domain_id, kind, idx, name, path',
  );
  t.strictSame(
    rows(
      db,
      'SELECT tick_id, device_id, dt_ms, domid, state, reason, cpu_time, cpu_user, balloon_current, balloon_maximum, vcpu_current FROM domain_sample ORDER BY tick_id',
    ),
    [
      [1n, 1n, null, 5n, 1n, 1n, 1_000_000_000n, null, 1_048_576n, null, 2n],
      [2n, 1n, 2000n, 0n, 0n, 0n, 500_000_000n, null, -48_576n, null, 0n],
    ],
    'domain rows: base (dt_ms NULL, readings), then changes; unknown columns stay NULL',
  );
  t.strictSame(
    netRx(db),
    [
      [1n, 2n, null, 1000n, 2000n, 10n],
      [2n, 2n, 2000n, 500n, 0n, 5n],
    ],
    'net rows',
  );
  t.strictSame(
    rows(db, 'SELECT tick_id, dt_ms, rd_reqs, rd_bytes, wr_reqs, allocation, capacity FROM block_sample ORDER BY tick_id'),
    [
      [1n, null, 10n, 4096n, null, 1_000_000n, 10_000_000n],
      [2n, 2000n, 20n, 8192n, null, -1000n, 0n],
    ],
    'block rows: a gauge going down is a negative change',
  );

  // Plain SQL: rates on non-base rows, values as running sums from the base row.
  t.strictSame(
    db.prepare('SELECT ts, domain, device, idx, dt_ms, rx_bytes, tx_bytes, rx_pkts, rx_errs FROM net_rate').raw().all(),
    [[BigInt(T0 + 3000), 'vm1', 'vif5.0', 0n, 2000n, 250, 0, 2.5, null]],
    'net_rate',
  );
  t.strictSame(db.prepare('SELECT ts, device, cpu_time FROM domain_rate').raw().all(), [[BigInt(T0 + 3000), 'vm1', 250_000_000]], 'domain_rate: ns per second');
  t.strictSame(db.prepare('SELECT rd_reqs, rd_bytes FROM block_rate').raw().all(), [[10, 4096]], 'block_rate');
  t.strictSame(
    db.prepare('SELECT ts, device, cpu_time, balloon_current, domid, vcpu_current FROM domain_value ORDER BY ts').raw().all(),
    [
      [BigInt(T0 + 1000), 'vm1', 1_000_000_000n, 1_048_576n, 5n, 2n],
      [BigInt(T0 + 3000), 'vm1', 1_500_000_000n, 1_000_000n, 5n, 2n],
    ],
    'domain_value',
  );
  t.strictSame(
    db.prepare('SELECT ts, rx_bytes, tx_bytes, rx_pkts, tx_pkts FROM net_value ORDER BY ts').raw().all(),
    [
      [BigInt(T0 + 1000), 1000n, 2000n, 10n, null],
      [BigInt(T0 + 3000), 1500n, 2000n, 15n, null],
    ],
    'net_value',
  );
  t.strictSame(
    db.prepare('SELECT allocation, capacity FROM block_value ORDER BY ts').raw().all(),
    [
      [1_000_000n, 10_000_000n],
      [999_000n, 10_000_000n],
    ],
    'block_value',
  );

  const reader = new HistoryReader(db);
  const q = reader.query({
    domain: 'vm1',
    keys: ['cpu.time', 'balloon.current', 'net.0.rx.bytes', 'block.0.allocation'],
    since: T0,
    until: T0 + 10_000,
    rate: false,
  });
  t.strictSame(q.times, [T0 + 1000, T0 + 3000]);
  t.strictSame(
    q.series.map((s) => s.values),
    [
      [1_000_000_000n, 1_500_000_000n],
      [1_048_576n, 1_000_000n],
      [1000n, 1500n],
      [1_000_000n, 999_000n],
    ],
    'HistoryReader reconstructs the readings',
  );
});

t.test('a counter that goes down starts a base row: no negative change, no spike in the rates', async (t) => {
  const { db, w } = writer(t);
  const m = w.map;
  const tick = (ts: number, cpu: bigint, rx: bigint, tx: bigint, pkts: bigint) =>
    w.write({
      ts,
      collectUs: 0,
      domains: [
        domain('k-vm1', 'vm1', 5, [
          device(m, 'domain', null, 'vm1', { domid: 5n, cpu_time: cpu }),
          device(m, 'net', 0, 'vif5.0', { rx_bytes: rx, tx_bytes: tx, rx_pkts: pkts }),
        ]),
      ],
    });
  tick(T0 + 1000, 100n, 1000n, 2000n, 10n);
  tick(T0 + 3000, 300n, 1500n, 2000n, 15n);
  tick(T0 + 4000, 400n, 100n, 2500n, 16n); // rx_bytes went down (a driver reset)
  tick(T0 + 5000, 500n, 300n, 2600n, 17n);
  t.strictSame(
    netRx(db),
    [
      [1n, 2n, null, 1000n, 2000n, 10n],
      [2n, 2n, 2000n, 500n, 0n, 5n],
      [3n, 2n, null, 100n, 2500n, 16n],
      [4n, 2n, 1000n, 200n, 100n, 1n],
    ],
    "the tick after the decrease is a base row with all of the device's readings",
  );
  t.strictSame(
    rows(db, 'SELECT tick_id, dt_ms, cpu_time FROM domain_sample ORDER BY tick_id'),
    [
      [1n, null, 100n],
      [2n, 2000n, 200n],
      [3n, 1000n, 100n],
      [4n, 1000n, 100n],
    ],
    "the domain's own row is unaffected",
  );
  t.equal(
    db.prepare('SELECT count(*) FROM net_sample WHERE dt_ms IS NOT NULL AND (rx_bytes < 0 OR tx_bytes < 0 OR rx_pkts < 0)').pluck().get(),
    0n,
    'no negative counter change',
  );
  t.strictSame(
    db.prepare('SELECT ts, rx_bytes, tx_bytes FROM net_rate ORDER BY ts').raw().all(),
    [
      [BigInt(T0 + 3000), 250, 0],
      [BigInt(T0 + 5000), 200, 100],
    ],
    'net_rate has no row for the reset tick',
  );
  t.strictSame(
    db.prepare('SELECT ts, rx_bytes FROM net_value ORDER BY ts').raw().all(),
    [
      [BigInt(T0 + 1000), 1000n],
      [BigInt(T0 + 3000), 1500n],
      [BigInt(T0 + 4000), 100n],
      [BigInt(T0 + 5000), 300n],
    ],
    'net_value follows the readings across the reset',
  );
  const r = new HistoryReader(db).query({ domain: 'vm1', keys: ['net.0.rx.bytes'], since: T0, until: T0 + 9000, rate: true });
  t.strictSame(r.series[0]!.values, [null, 250, null, 200], 'HistoryReader rates: none across the reset');
  t.equal(r.series[0]!.unit, 'bytes/s');
});

t.test('32-bit wraps: unwrapped with wrap32, a reset without it', async (t) => {
  const { db, w } = writer(t);
  const m = w.map;
  const tick = (ts: number, a: bigint, b: bigint, c: bigint, d: bigint) =>
    w.write({
      ts,
      collectUs: 0,
      domains: [
        domain('k-old', 'old', 4, [
          device(m, 'domain', null, 'old', { domid: 4n }),
          device(m, 'net', 0, 'vif4.0', { rx_bytes: a }, { wrap32: true }),
          device(m, 'net', 1, 'vif4.1', { rx_bytes: b }),
          device(m, 'net', 2, 'vif4.2', { rx_bytes: c }, { wrap32: true }),
          device(m, 'block', 0, 'xvda', { rd_reqs: d }, { wrap32: true }),
        ]),
      ],
    });
  tick(T0 + 1000, 4_294_967_000n, 4_294_967_000n, 100_000n, 5_000_000_000n);
  tick(T0 + 2000, 200n, 200n, 50n, 100n);
  t.strictSame(
    rows(db, 'SELECT tick_id, device_id, dt_ms, rx_bytes FROM net_sample ORDER BY tick_id, device_id'),
    [
      [1n, 2n, null, 4_294_967_000n],
      [1n, 3n, null, 4_294_967_000n],
      [1n, 4n, null, 100_000n],
      [2n, 2n, 1000n, 496n],
      [2n, 3n, null, 200n],
      [2n, 4n, null, 50n],
    ],
    'wrap32: 4294967000 -> 200 is +496; without wrap32 a reset; a drop far below 2^32 is a reset even with wrap32',
  );
  t.strictSame(
    rows(db, 'SELECT tick_id, dt_ms, rd_reqs FROM block_sample ORDER BY tick_id'),
    [
      [1n, null, 5_000_000_000n],
      [2n, null, 100n],
    ],
    'a reading above 2^32 cannot be a 32-bit counter: a decrease from it is a reset',
  );
  t.strictSame(db.prepare("SELECT rx_bytes FROM net_rate WHERE device = 'vif4.0'").pluck().all(), [496], 'rate over the wrap');
  const r = new HistoryReader(db).query({ domain: 'old', keys: ['net.0.rx.bytes', 'net.1.rx.bytes'], since: T0, until: T0 + 9000, rate: false });
  t.strictSame(
    r.series.map((s) => s.values),
    [
      [4_294_967_000n, 4_294_967_496n],
      [4_294_967_000n, 200n],
    ],
    'values: the wrapped counter reads on, unwrapped',
  );
});

t.test('a domain that restarts with a new id gets base rows for all of its devices', async (t) => {
  const { db, w } = writer(t);
  const m = w.map;
  const a = (domid: number, k: bigint) =>
    domain('k-a', 'a', domid, [
      device(m, 'domain', null, 'a', { domid: BigInt(domid), cpu_time: 1000n * k }),
      device(m, 'net', 0, 'vifA', { rx_bytes: 100n * k }),
      device(m, 'block', 0, 'xvda', { rd_reqs: 10n * k }),
      device(m, 'vcpu', 0, 'vcpu0', { time: 7n * k }),
    ]);
  const b = (k: bigint) =>
    domain('k-b', 'b', 2, [device(m, 'domain', null, 'b', { domid: 2n, cpu_time: 500n * k }), device(m, 'net', 0, 'vifB', { rx_bytes: 50n * k })]);
  w.write({ ts: T0 + 1000, collectUs: 0, domains: [a(1, 1n), b(1n)] });
  w.write({ ts: T0 + 2000, collectUs: 0, domains: [a(1, 2n), b(2n)] });
  // Counters keep rising (so no decrease explains a base row): only the new domid does.
  w.write({ ts: T0 + 3000, collectUs: 0, domains: [a(9, 3n), b(3n)] });
  w.write({ ts: T0 + 4000, collectUs: 0, domains: [a(9, 4n), b(4n)] });
  const dt = (kind: string, name: string) =>
    db.prepare(`SELECT s.dt_ms FROM ${kind}_sample s JOIN device v ON v.id = s.device_id WHERE v.name = ? ORDER BY s.tick_id`).pluck().all(name);
  t.strictSame(dt('domain', 'a'), [null, 1000n, null, 1000n], "a's domain row");
  t.strictSame(dt('net', 'vifA'), [null, 1000n, null, 1000n], "a's interface");
  t.strictSame(dt('block', 'xvda'), [null, 1000n, null, 1000n], "a's disk");
  t.strictSame(dt('vcpu', 'vcpu0'), [null, 1000n, null, 1000n], "a's vCPU");
  t.strictSame(dt('domain', 'b'), [null, 1000n, 1000n, 1000n], 'b is not affected');
  t.strictSame(dt('net', 'vifB'), [null, 1000n, 1000n, 1000n], "b's interface is not affected");
  t.strictSame(
    rows(db, "SELECT s.domid, s.cpu_time FROM domain_sample s JOIN device v ON v.id = s.device_id WHERE v.name = 'a' ORDER BY s.tick_id"),
    [
      [1n, 1000n],
      [0n, 1000n],
      [9n, 3000n],
      [0n, 1000n],
    ],
    'the base row holds the new domid and the readings',
  );
  t.strictSame(rows(db, "SELECT rx_bytes FROM net_rate WHERE device = 'vifA' ORDER BY ts"), [[100], [100]], 'no rate across the restart');
});

t.test('a column that appears or disappears makes a base row', async (t) => {
  const { db, w } = writer(t);
  const m = w.map;
  const tick = (ts: number, r: Record<string, bigint>) =>
    w.write({ ts, collectUs: 0, domains: [domain('k', 'vm', 1, [device(m, 'domain', null, 'vm', { domid: 1n }), device(m, 'net', 0, 'vif1.0', r)])] });
  const counts = [
    tick(T0 + 1000, { rx_bytes: 100n, tx_bytes: 1000n }).values,
    tick(T0 + 2000, { rx_bytes: 150n }).values,
    tick(T0 + 3000, { rx_bytes: 170n }).values,
    tick(T0 + 4000, { rx_bytes: 200n, tx_bytes: 1300n }).values,
    tick(T0 + 5000, { rx_bytes: 260n, tx_bytes: 1400n }).values,
  ];
  t.strictSame(counts, [3, 2, 2, 3, 3], 'values returned count the non-NULL columns of every row');
  t.strictSame(
    netRx(db),
    [
      [1n, 2n, null, 100n, 1000n, null],
      [2n, 2n, null, 150n, null, null],
      [3n, 2n, 1000n, 20n, null, null],
      [4n, 2n, null, 200n, 1300n, null],
      [5n, 2n, 1000n, 60n, 100n, null],
    ],
    'tx_bytes went (base row), stayed away (delta), came back (base row)',
  );
});

t.test('crossing a keyframe boundary makes base rows; tick.keyframe numbers the periods', async (t) => {
  const { db, w } = writer(t, 10_000);
  const m = w.map;
  const tick = (ts: number, rx: bigint) =>
    w.write({
      ts,
      collectUs: 0,
      domains: [domain('k', 'vm', 1, [device(m, 'domain', null, 'vm', { domid: 1n }), device(m, 'net', 0, 'vif1.0', { rx_bytes: rx })])],
    });
  tick(T0 + 8000, 100n);
  tick(T0 + 9000, 110n);
  tick(T0 + 10_000, 130n);
  tick(T0 + 11_000, 160n);
  tick(T0 + 25_000, 200n);
  t.strictSame(rows(db, 'SELECT s.tick_id, s.dt_ms, s.rx_bytes, t.keyframe FROM net_sample s JOIN tick t ON t.id = s.tick_id ORDER BY s.tick_id'), [
    [1n, null, 100n, BigInt(KF)],
    [2n, 1000n, 10n, BigInt(KF)],
    [3n, null, 130n, BigInt(KF + 1)],
    [4n, 1000n, 30n, BigInt(KF + 1)],
    [5n, null, 200n, BigInt(KF + 2)],
  ]);
  t.strictSame(db.prepare('SELECT dt_ms FROM domain_sample ORDER BY tick_id').pluck().all(), [null, 1000n, null, 1000n, null], 'the domain row too');
  t.strictSame(
    new HistoryReader(db).query({ domain: 'vm', keys: ['net.0.rx.bytes'], since: T0 + 9500, until: T0 + 30_000, rate: false }).series[0]!.values,
    [130n, 160n, 200n],
    "values read back from the period's base row",
  );
  t.strictSame(
    new HistoryReader(db).query({ domain: 'vm', keys: ['net.0.rx.bytes'], since: T0 + 8500, until: T0 + 9500, rate: false }).series[0]!.values,
    [110n],
    'a range starting after the base row',
  );

  t.equal(KEYFRAME_MS, 600_000, 'the default period is 10 minutes');
  const { db: db2 } = freshDb(t, 'default.db');
  const w2 = new HistoryWriter(db2);
  for (const [i, ts] of [T0 + 8000, T0 + 10_000, T0 + 20_000].entries())
    w2.write({ ts, collectUs: 0, domains: [domain('k', 'vm', 1, [device(w2.map, 'domain', null, 'vm', { cpu_time: BigInt(i) })])] });
  t.strictSame(
    db2.prepare('SELECT dt_ms FROM domain_sample ORDER BY tick_id').pluck().all(),
    [null, 2000n, 10_000n],
    'the default writer has no boundary at 10 s',
  );
});

t.test("readings of 2^63 and more: stored as two's complement, read back exactly", async (t) => {
  const { db, w } = writer(t);
  const m = w.map;
  const TOP = 18446744073709551615n; // 2^64 - 1
  const H = 1n << 63n;
  const tick = (ts: number, r: Record<string, bigint>) =>
    w.write({ ts, collectUs: 0, domains: [domain('k', 'big', 1, [device(m, 'domain', null, 'big', { domid: 1n }), device(m, 'net', 0, 'vif1.0', r)])] });
  tick(T0 + 1000, { rx_bytes: TOP, tx_bytes: H + 5n, rx_pkts: H - 1n, tx_pkts: H });
  tick(T0 + 2000, { rx_bytes: TOP, tx_bytes: H + 105n, rx_pkts: H - 1n, tx_pkts: H + 1n });
  t.strictSame(
    rows(db, 'SELECT dt_ms, rx_bytes, tx_bytes, rx_pkts, tx_pkts FROM net_sample ORDER BY tick_id'),
    [
      [null, -1n, -9223372036854775803n, 9223372036854775807n, -9223372036854775808n],
      [1000n, 0n, 100n, 0n, 1n],
    ],
    'base values >= 2^63 are negative in SQL; changes are small',
  );
  const r = new HistoryReader(db).query({
    domain: 'big',
    keys: ['net.0.rx.bytes', 'net.0.tx.bytes', 'net.0.rx.pkts', 'net.0.tx.pkts'],
    since: T0,
    until: T0 + 9000,
    rate: false,
  });
  t.strictSame(
    r.series.map((s) => s.values),
    [
      [TOP, TOP],
      [H + 5n, H + 105n],
      [H - 1n, H - 1n],
      [H, H + 1n],
    ],
    'HistoryReader gives the u64 readings exactly',
  );
  t.strictSame(
    new HistoryReader(db).query({ domain: 'big', keys: ['net.0.tx.bytes'], since: T0, until: T0 + 9000, rate: true }).series[0]!.values,
    [null, 100],
    'rates from the exact changes',
  );
  t.strictSame(db.prepare('SELECT tx_bytes FROM net_rate').pluck().all(), [100], 'net_rate');
  t.strictSame(
    db.prepare('SELECT rx_bytes, tx_bytes FROM net_value ORDER BY ts').raw().all(),
    [
      [-1n, -9223372036854775803n],
      [-1n, -9223372036854775703n],
    ],
    'plain SQL sees such values as negative (as schema.sql says)',
  );

  // A counter crossing 2^63 within a period: the change is exact and so is the value read back.
  const { db: db2 } = freshDb(t, 'cross.db');
  const w2 = new HistoryWriter(db2, 10_000);
  for (const [i, v] of [H - 10n, H + 10n, H + 30n].entries()) {
    w2.write({
      ts: T0 + 1000 * (i + 1),
      collectUs: 0,
      domains: [domain('k', 'big', 1, [device(w2.map, 'domain', null, 'big', { domid: 1n }), device(w2.map, 'block', 0, 'xvda', { wr_bytes: v })])],
    });
  }
  t.strictSame(
    rows(db2, 'SELECT dt_ms, wr_bytes FROM block_sample ORDER BY tick_id'),
    [
      [null, 9223372036854775798n],
      [null, -9223372036854775798n],
      [1000n, 20n],
    ],
    'passing 2^63 starts a base row (the stored value turns negative there)',
  );
  t.strictSame(
    new HistoryReader(db2).query({ domain: 'big', keys: ['block.0.wr.bytes'], since: T0, until: T0 + 9000, rate: false }).series[0]!.values,
    [H - 10n, H + 10n, H + 30n],
    'exact across 2^63',
  );
  // Without that base row the running sum in block_value overflows and the whole query fails.
  t.strictSame(
    db2.prepare('SELECT wr_bytes FROM block_value ORDER BY ts').pluck().all(),
    [9223372036854775798n, -9223372036854775798n, -9223372036854775778n],
    'block_value still works',
  );
  t.strictSame(db2.prepare('SELECT wr_bytes FROM block_rate ORDER BY ts').pluck().all(), [20], 'block_rate');
});

t.test('a failed tick writes nothing; the next tick is computed against the last committed one', async (t) => {
  const { db, w } = writer(t);
  const m = w.map;
  const vm1 = (rx: bigint) => domain('k-vm1', 'vm1', 1, [device(m, 'domain', null, 'vm1', { domid: 1n }), device(m, 'net', 0, 'vif1.0', { rx_bytes: rx })]);
  const vm2 = (rx: bigint) => domain('k-vm2', 'vm2', 2, [device(m, 'domain', null, 'vm2', { domid: 2n }), device(m, 'net', 0, 'vif2.0', { rx_bytes: rx })]);
  t.equal(w.write({ ts: T0 + 1000, collectUs: 0, domains: [vm1(1000n)] }).tickId, 1);
  t.equal(w.write({ ts: T0 + 2000, collectUs: 0, domains: [vm1(1100n)] }).tickId, 2);

  db.exec("CREATE TEMP TRIGGER fail_net BEFORE INSERT ON main.net_sample BEGIN SELECT RAISE(ABORT, 'injected: disk on fire'); END");
  // vm2 is new in the failing tick: its domain and device rows must go with the tick.
  // vm2 comes first: its domain and device rows are inserted before its net row fails the tick.
  t.throws(() => w.write({ ts: T0 + 3000, collectUs: 0, domains: [vm2(50n), vm1(1300n)] }), { message: 'injected: disk on fire' }, 'the write throws');
  t.equal(db.inTransaction, false, 'no transaction left open');
  t.strictSame(
    rows(db, 'SELECT id, ts FROM tick'),
    [
      [1n, BigInt(T0 + 1000)],
      [2n, BigInt(T0 + 2000)],
    ],
    'no tick row',
  );
  t.strictSame(rows(db, 'SELECT id, name FROM domain'), [[1n, 'vm1']], 'no domain row for vm2');
  t.equal(db.prepare('SELECT count(*) FROM device').pluck().get(), 2n, 'no device rows for vm2');
  t.equal(db.prepare('SELECT count(*) FROM domain_sample').pluck().get(), 2n, 'no sample rows of the failed tick');
  db.exec('DROP TRIGGER temp.fail_net');

  const r = w.write({ ts: T0 + 4000, collectUs: 0, domains: [vm1(1600n), vm2(80n)] });
  t.strictSame(r, { tickId: 3, values: 4, rows: 4 }, 'the next tick is tick 3');
  t.strictSame(
    rows(db, 'SELECT tick_id, device_id, dt_ms, rx_bytes FROM net_sample ORDER BY tick_id, device_id'),
    [
      [1n, 2n, null, 1000n],
      [2n, 2n, 1000n, 100n],
      [3n, 2n, 2000n, 500n],
      [3n, 4n, null, 80n],
    ],
    "vm1: +500 over 2000 ms since tick 2 (the failed tick's 1300 never counted); vm2 starts with a base row",
  );
  t.strictSame(rows(db, 'SELECT * FROM domain ORDER BY id'), [
    [1n, 'k-vm1', 'k-vm1', 'vm1', 'xen'],
    [2n, 'k-vm2', 'k-vm2', 'vm2', 'xen'],
  ]);
  t.strictSame(rows(db, 'SELECT id, domain_id, kind, idx, name FROM device ORDER BY id'), [
    [1n, 1n, 'domain', null, 'vm1'],
    [2n, 1n, 'net', 0n, 'vif1.0'],
    [3n, 2n, 'domain', null, 'vm2'],
    [4n, 2n, 'net', 0n, 'vif2.0'],
  ]);
  t.strictSame(db.pragma('foreign_key_check'), [], 'every row points at a real domain');
  t.strictSame(
    rows(db, 'SELECT s.device_id FROM net_sample s LEFT JOIN device v ON v.id = s.device_id WHERE v.id IS NULL'),
    [],
    'no sample row of an unknown device',
  );
  t.strictSame(db.prepare("SELECT rx_bytes FROM net_rate WHERE device = 'vif1.0' ORDER BY ts").pluck().all(), [100, 250]);
});

t.test('a full database (max_page_count): ticks fail whole, the next good tick continues from the last committed', async (t) => {
  const { db, w } = writer(t);
  const m = w.map;
  const many = (k: bigint) =>
    domain('k-many', 'many', 1, [
      device(m, 'domain', null, 'many', { domid: 1n }),
      ...Array.from({ length: 300 }, (_, i) =>
        device(m, 'net', i, `vif1.${i}`, { rx_bytes: 1_000_000n * BigInt(i + 1) + k * 1_000n * BigInt(i + 1), tx_bytes: 7n * k, rx_pkts: 3n * k }),
      ),
    ]);
  w.write({ ts: T0, collectUs: 0, domains: [many(0n)] });
  const pages = db.pragma('page_count', { simple: true }) as bigint;
  db.pragma(`max_page_count = ${pages + 3n}`);
  let committed = 1;
  let lastTs = T0;
  let lastK = 0n;
  let error: unknown = null;
  for (let i = 1; i < 60 && error === null; i++) {
    try {
      w.write({ ts: T0 + 100 * i, collectUs: 0, domains: [many(BigInt(i))] });
      committed++;
      lastTs = T0 + 100 * i;
      lastK = BigInt(i);
    } catch (e) {
      error = e;
    }
  }
  t.ok(error !== null, `the database filled up after ${committed} ticks`);
  t.match(error, { code: 'SQLITE_FULL', message: 'database or disk is full' });
  t.equal(db.inTransaction, false);
  t.equal(db.prepare('SELECT count(*) FROM tick').pluck().get(), BigInt(committed), 'committed ticks only');
  t.strictSame(partialTicks(db, false), [], 'no partial tick');
  t.equal(db.prepare('SELECT count(*) FROM net_sample').pluck().get(), BigInt(committed * 300), 'every committed tick has all of its rows');
  t.throws(() => w.write({ ts: T0 + 10_000 - 1, collectUs: 0, domains: [many(1000n)] }), { code: 'SQLITE_FULL' }, 'still full');

  db.pragma('max_page_count = 1000000');
  const ts = T0 + 10_000 - 1; // same keyframe period
  const r = w.write({ ts, collectUs: 0, domains: [many(2000n)] });
  t.equal(r.tickId, committed + 1, 'space back: the next tick is written');
  t.strictSame(
    rows(db, 'SELECT dt_ms, rx_bytes, tx_bytes, rx_pkts FROM net_sample s JOIN device v ON v.id = s.device_id WHERE s.tick_id = ? AND v.idx = 4', r.tickId),
    [[BigInt(ts - lastTs), (2000n - lastK) * 5_000n, 7n * (2000n - lastK), 3n * (2000n - lastK)]],
    'changes against the last committed tick, not against the failed ones',
  );
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok');
});
