// The history writer: increases per tick, base rows (first sight, reset, keyframe), attributes as a
// change log, resets, 32-bit wraps, restarts, values past 2^63 and 2^64, the plain-SQL views, and
// ticks that fail (nothing written, and the next tick computed against the last committed readings).
import t, { type Test } from 'tap';
import { HistoryWriter } from '../../src/store/writer.js';
import { DEFAULT_RETENTION, Retention } from '../../src/store/retention.js';
import { HistoryReader } from '../../src/store/history.js';
import type { DomainSample } from '../../src/sample/rows.js';
import { device, domain, freshDb, orphanDeltas, partialTicks, rows } from '../helpers/store.js';

// 200 s into a 10-minute keyframe period.
const T0 = 1_700_000_000_000;
const PERIOD = 600_000;

const writer = (t: Test, keyframeMs = PERIOD) => {
  const { db, file } = freshDb(t);
  return { db, file, w: new HistoryWriter(db, keyframeMs) };
};

/** Ticks at the given times: the monotonic clock moves with the wall clock. */
function ticker(w: HistoryWriter) {
  let last: number | null = null;
  return (ts: number, domains: DomainSample[], collectUs = 1) => {
    const r = w.write({ ts, mono: ts - T0 + 1000, dt: last === null ? null : ts - last, collectUs, domains });
    last = ts;
    return r;
  };
}

t.test('the first tick stores readings (a base row) and attributes; then increases with rates; the views decode both', async (t) => {
  const { db, w } = writer(t);
  const m = w.map;
  const tick = ticker(w);
  const vm1 = (dom: Record<string, bigint>, net: Record<string, bigint>, blk: Record<string, bigint>) =>
    domain('k-vm1', 'vm1', 5, [
      device(m, 'domain', null, 'vm1', dom),
      device(m, 'net', 0, 'vif5.0', net, { path: '00:16:3e:00:00:05' }),
      device(m, 'block', 0, 'xvda', blk, { path: '/dev/vg0/vm1' }),
    ]);
  const r1 = tick(T0 + 1000, [
    vm1(
      { domid: 5n, state: 1n, reason: 1n, cpu_time: 1_000_000_000n, balloon_current: 1_048_576n, vcpu_current: 2n },
      { rx_bytes: 1000n, tx_bytes: 2000n, rx_pkts: 10n },
      { rd_reqs: 10n, rd_bytes: 4096n, allocation: 1_000_000n, capacity: 10_000_000n },
    ),
  ]);
  t.strictSame(r1, { tickId: 1, values: 13, rows: 3, problems: [] }, 'tick 1: 6 readings and 7 attributes stored, 3 rows');
  const r2 = tick(T0 + 3000, [
    vm1(
      // the attribute balloon_current goes down: a change logged, not a reset
      { domid: 5n, state: 1n, reason: 1n, cpu_time: 1_500_000_000n, balloon_current: 1_000_000n, vcpu_current: 2n },
      { rx_bytes: 1500n, tx_bytes: 2000n, rx_pkts: 15n },
      { rd_reqs: 30n, rd_bytes: 12_288n, allocation: 999_000n, capacity: 10_000_000n },
    ),
  ]);
  t.strictSame(r2, { tickId: 2, values: 8, rows: 3, problems: [] }, 'tick 2: 6 increases (an increase of 0 is a value too), 2 attribute changes');

  t.strictSame(
    rows(db, 'SELECT * FROM tick ORDER BY id'),
    [
      [1n, BigInt(T0 + 1000), null, 2000n, 1n, 1n],
      [2n, BigInt(T0 + 3000), 2000n, 4000n, 1n, 1n],
    ],
    'tick rows: id, ts, dt, mono, collect_us, domains',
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
    rows(db, 'SELECT tick_id, device_id, dt, cpu_time, cpu_user, balloon_rss, io_rchar FROM domain_raw ORDER BY tick_id'),
    [
      [1n, 1n, null, null, null, null, null],
      [2n, 1n, null, 500_000_000n, null, null, null],
    ],
    'domain raw rows: no increase at first sight; then the increase (dt NULL: the tick dt); unknown columns stay NULL',
  );
  t.strictSame(rows(db, 'SELECT tick_id, device_id, cpu_time, cpu_user FROM domain_base'), [[1n, 1n, 1_000_000_000n, null]], 'one base row, at first sight');
  t.strictSame(
    rows(db, 'SELECT tick_id, rx_bytes, tx_bytes, rx_pkts, tx_pkts FROM net_raw ORDER BY tick_id'),
    [
      [1n, null, null, null, null],
      [2n, 500n, 0n, 5n, null],
    ],
    'net raw rows',
  );
  t.strictSame(
    rows(db, 'SELECT tick_id, rd_reqs, rd_bytes, wr_reqs FROM block_raw ORDER BY tick_id'),
    [
      [1n, null, null, null],
      [2n, 20n, 16n, null],
    ],
    'block raw rows: bytes stored as 512-byte sectors',
  );
  t.strictSame(
    rows(db, 'SELECT device_id, col, ts, value FROM attribute ORDER BY device_id, col, ts'),
    [
      [1n, 'balloon_current', BigInt(T0 + 1000), 1_048_576n],
      [1n, 'balloon_current', BigInt(T0 + 3000), 1_000_000n],
      [1n, 'domid', BigInt(T0 + 1000), 5n],
      [1n, 'reason', BigInt(T0 + 1000), 1n],
      [1n, 'state', BigInt(T0 + 1000), 1n],
      [1n, 'vcpu_current', BigInt(T0 + 1000), 2n],
      [3n, 'allocation', BigInt(T0 + 1000), 1_000_000n],
      [3n, 'allocation', BigInt(T0 + 3000), 999_000n],
      [3n, 'capacity', BigInt(T0 + 1000), 10_000_000n],
    ],
    'attributes: one row per change',
  );

  // Plain SQL: rates at every tick after the first, readings decoded from the base row.
  t.strictSame(
    db.prepare('SELECT ts, domain, device, idx, dt_ms, rx_bytes, tx_bytes, rx_pkts, rx_errs FROM net_rate ORDER BY ts').raw().all(),
    [
      [BigInt(T0 + 1000), 'vm1', 'vif5.0', 0n, null, null, null, null, null],
      [BigInt(T0 + 3000), 'vm1', 'vif5.0', 0n, 2000n, 250, 0, 2.5, null],
    ],
    'net_rate',
  );
  t.strictSame(
    db.prepare('SELECT ts, device, cpu_time FROM domain_rate WHERE cpu_time IS NOT NULL').raw().all(),
    [[BigInt(T0 + 3000), 'vm1', 250_000_000]],
    'domain_rate: ns per second',
  );
  t.strictSame(db.prepare('SELECT rd_reqs, rd_bytes FROM block_rate WHERE rd_reqs IS NOT NULL').raw().all(), [[10, 4096]], 'block_rate in bytes per second');
  t.strictSame(
    db.prepare('SELECT ts, device, cpu_time FROM domain_value ORDER BY ts').raw().all(),
    [
      [BigInt(T0 + 1000), 'vm1', 1_000_000_000n],
      [BigInt(T0 + 3000), 'vm1', 1_500_000_000n],
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
  t.strictSame(db.prepare('SELECT rd_bytes FROM block_value ORDER BY ts').raw().all(), [[4096n], [12_288n]], 'block_value in bytes');
  t.strictSame(
    db.prepare("SELECT ts, domain, device, key, value FROM attribute_log WHERE key LIKE 'block%' ORDER BY key, ts").raw().all(),
    [
      [BigInt(T0 + 1000), 'vm1', 'xvda', 'block.0.allocation', 1_000_000n],
      [BigInt(T0 + 3000), 'vm1', 'xvda', 'block.0.allocation', 999_000n],
      [BigInt(T0 + 1000), 'vm1', 'xvda', 'block.0.capacity', 10_000_000n],
    ],
    'attribute_log names the key',
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
    'HistoryReader reconstructs the readings and the attributes as of each tick',
  );
  t.strictSame(orphanDeltas(db), {});
});

t.test('a counter that goes down is a reset of that counter only: no increase for it, a base row, never a negative rate', async (t) => {
  const { db, w } = writer(t);
  const m = w.map;
  const tick = ticker(w);
  const net = (rx: bigint, tx: bigint, pkts: bigint) => [domain('k', 'vm', 3, [device(m, 'net', 0, 'vif3.0', { rx_bytes: rx, tx_bytes: tx, rx_pkts: pkts })])];
  tick(T0, net(1000n, 5000n, 10n));
  tick(T0 + 1000, net(1500n, 5100n, 12n));
  tick(T0 + 2000, net(200n, 5300n, 13n)); // rx went down: a reset
  tick(T0 + 3000, net(700n, 5400n, 14n));
  t.strictSame(
    rows(db, 'SELECT tick_id, rx_bytes, tx_bytes, rx_pkts FROM net_raw ORDER BY tick_id'),
    [
      [1n, null, null, null],
      [2n, 500n, 100n, 2n],
      [3n, null, 200n, 1n],
      [4n, 500n, 100n, 1n],
    ],
    'the other counters keep their increases at the reset',
  );
  t.strictSame(
    rows(db, 'SELECT tick_id, rx_bytes, tx_bytes, rx_pkts FROM net_base ORDER BY tick_id'),
    [
      [1n, 1000n, 5000n, 10n],
      [3n, 200n, 5300n, 13n],
    ],
    'a base row at the reset',
  );
  const rates = db.prepare('SELECT rx_bytes, tx_bytes FROM net_rate ORDER BY ts').raw().all();
  t.strictSame(
    rates,
    [
      [null, null],
      [500, 100],
      [null, 200],
      [500, 100],
    ],
    'no negative rate, no spike',
  );
  t.strictSame(db.prepare('SELECT rx_bytes FROM net_value ORDER BY ts').pluck().all(), [1000n, 1500n, 200n, 700n], 'readings decode across the reset');
});

t.test('a counter near 2^63 does not stop the _value view (SQLite sum() would overflow): other devices stay exact', async (t) => {
  const { db, w } = writer(t);
  const m = w.map;
  const tick = ticker(w);
  const NEAR = 9_223_372_036_854_775_803n; // 2^63 - 5
  const net = (big: bigint, small: bigint) => [
    domain('k1', 'vm1', 3, [device(m, 'net', 0, 'vif3.0', { rx_bytes: big })]),
    domain('k2', 'vm2', 4, [device(m, 'net', 0, 'vif4.0', { rx_bytes: small })]),
  ];
  tick(T0, net(NEAR, 1000n));
  tick(T0 + 1000, net(NEAR + 10n, 1500n)); // past 2^63 - 1: the running sum of its increases overflows
  tick(T0 + 2000, net(NEAR + 20n, 2100n));
  const values = db.prepare('SELECT domain, rx_bytes FROM net_value ORDER BY domain, ts').raw().all() as [string, bigint | number][];
  t.strictSame(
    values.filter(([d]) => d === 'vm2').map(([, v]) => v),
    [1000n, 1500n, 2100n],
    'vm2: exact integers',
  );
  const big = values.filter(([d]) => d === 'vm1').map(([, v]) => v);
  t.equal(big.length, 3, 'vm1: three readings');
  t.ok(
    big.every((v, i) => typeof v === 'number' && Math.abs(v - Number(NEAR + 10n * BigInt(i))) <= 2048),
    `vm1: approximate readings (REAL past 2^62, as plain SQL arithmetic on such values is): ${big.join(' ')}`,
  );
  const reader = new HistoryReader(db);
  const q = reader.query({ domain: 'vm1', keys: ['net.0.rx.bytes'], since: T0, until: T0 + 2000, rate: false });
  t.strictSame(q.series[0]!.values, [NEAR, NEAR + 10n, NEAR + 20n], 'and domstat history reads them exactly');
});

t.test('32-bit wraps: unwrapped with wrap32, a reset without it', async (t) => {
  const { db, w } = writer(t);
  const m = w.map;
  const tick = ticker(w);
  const near = 4_294_967_000n;
  const net = (rx: bigint, wrap32: boolean) => [domain('k', 'vm', 3, [device(m, 'net', 0, 'vif3.0', { rx_bytes: rx }, { wrap32 })])];
  tick(T0, net(near, true));
  tick(T0 + 1000, net(704n, true)); // passed 2^32: +1000
  t.strictSame(db.prepare('SELECT rx_bytes FROM net_raw ORDER BY tick_id').pluck().all(), [null, 1000n], 'unwrapped');
});

t.test("32-bit sector counters (blkback's rd_sect) wrap at 2^32 sectors: their bytes are unwrapped too", async (t) => {
  const { db, w } = writer(t);
  const tick = ticker(w);
  const SECTOR = 512n;
  const disk = (reqs: bigint, sectors: bigint) => [
    domain('k', 'vm', 3, [device(w.map, 'block', 0, 'xvda', { rd_reqs: reqs, rd_bytes: sectors * SECTOR }, { wrap32: true })]),
  ];
  tick(T0, disk(4_294_967_290n, 4_294_967_000n));
  tick(T0 + 1000, disk(1n, 704n)); // both passed 2^32: +7 requests, +1000 sectors
  t.strictSame(
    db.prepare('SELECT rd_reqs, rd_bytes FROM block_raw ORDER BY tick_id').raw().all(),
    [
      [null, null],
      [7n, 1000n],
    ],
    'the wrap tick holds its 7 requests and 1000 sectors',
  );
  t.equal(db.prepare('SELECT count(*) FROM block_base').pluck().get(), 1n, 'no new base row: not a reset');
  t.strictSame(db.prepare('SELECT rd_bytes FROM block_rate ORDER BY ts').pluck().all().slice(-1), [512000], '512 000 B/s at the wrap');
});

t.test('without wrap32 a counter going down near 2^32 is a reset', async (t) => {
  const near = 4_294_967_000n;
  const b = writer(t);
  const tickB = ticker(b.w);
  const netB = (rx: bigint) => [domain('k', 'vm', 3, [device(b.w.map, 'net', 0, 'vif3.0', { rx_bytes: rx })])];
  tickB(T0, netB(near));
  tickB(T0 + 1000, netB(704n));
  t.strictSame(b.db.prepare('SELECT rx_bytes FROM net_raw ORDER BY tick_id').pluck().all(), [null, null], 'without wrap32 a decrease is a reset');
  t.equal(b.db.prepare('SELECT count(*) FROM net_base').pluck().get(), 2n);
});

t.test('a domain that restarts with a new id starts every device again: no increases, base rows', async (t) => {
  const { db, w } = writer(t);
  const m = w.map;
  const tick = ticker(w);
  const vm = (domid: number, cpu: bigint, rx: bigint) =>
    domain('k', 'vm', domid, [device(m, 'domain', null, 'vm', { domid: BigInt(domid), cpu_time: cpu }), device(m, 'net', 0, 'vnet0', { rx_bytes: rx })]);
  tick(T0, [vm(7, 5_000_000n, 900n)]);
  tick(T0 + 1000, [vm(7, 6_000_000n, 1000n)]);
  // Restarted, and its counters already grew past the old readings: still no increase across it.
  tick(T0 + 2000, [vm(8, 9_000_000n, 5000n)]);
  tick(T0 + 3000, [vm(8, 9_500_000n, 5100n)]);
  t.strictSame(db.prepare('SELECT cpu_time FROM domain_raw ORDER BY tick_id').pluck().all(), [null, 1_000_000n, null, 500_000n]);
  t.strictSame(db.prepare('SELECT rx_bytes FROM net_raw ORDER BY tick_id').pluck().all(), [null, 100n, null, 100n]);
  t.strictSame(db.prepare('SELECT tick_id FROM net_base ORDER BY tick_id').pluck().all(), [1n, 3n]);
  t.strictSame(db.prepare("SELECT ts, value FROM attribute_log WHERE key = 'extra.domid' ORDER BY ts").raw().all(), [
    [BigInt(T0), 7n],
    [BigInt(T0 + 2000), 8n],
  ]);
});

t.test('a column that appears or disappears makes a base row; the others keep their increases', async (t) => {
  const { db, w } = writer(t);
  const m = w.map;
  const tick = ticker(w);
  const net = (r: Record<string, bigint>) => [domain('k', 'vm', 3, [device(m, 'net', 0, 'vif3.0', r)])];
  tick(T0, net({ rx_bytes: 100n }));
  tick(T0 + 1000, net({ rx_bytes: 150n, tx_bytes: 7n }));
  tick(T0 + 2000, net({ rx_bytes: 170n, tx_bytes: 9n }));
  tick(T0 + 3000, net({ rx_bytes: 175n }));
  t.strictSame(rows(db, 'SELECT tick_id, rx_bytes, tx_bytes FROM net_raw ORDER BY tick_id'), [
    [1n, null, null],
    [2n, 50n, null],
    [3n, 20n, 2n],
    [4n, 5n, null],
  ]);
  t.strictSame(db.prepare('SELECT tick_id FROM net_base ORDER BY tick_id').pluck().all(), [1n, 2n, 4n]);
  t.strictSame(db.prepare('SELECT tx_bytes FROM net_value ORDER BY ts').pluck().all(), [null, 7n, 9n, null]);
});

t.test('a keyframe period starts with base rows, and the tick that starts it still has its increases and rates', async (t) => {
  const { db, w } = writer(t, 10_000);
  const m = w.map;
  const tick = ticker(w);
  const start = Math.ceil(T0 / 10_000) * 10_000;
  for (let k = 0; k < 25; k++) tick(start + 2000 + k * 1000, [domain('k', 'vm', 3, [device(m, 'net', 0, 'vif3.0', { rx_bytes: 1000n + 10n * BigInt(k) })])]);
  const bases = db.prepare('SELECT t.ts FROM net_base b JOIN tick t ON t.id = b.tick_id ORDER BY t.ts').pluck().all();
  t.strictSame(bases, [BigInt(start + 2000), BigInt(start + 10_000), BigInt(start + 20_000)], 'a base row at first sight and at each period start');
  const rates = db.prepare('SELECT rx_bytes FROM net_rate ORDER BY ts').pluck().all();
  t.equal(rates[0], null, 'no rate at first sight');
  t.strictSame(rates.slice(1), Array(24).fill(10), 'every later tick has its rate, period starts included');
  t.strictSame(
    db.prepare('SELECT rx_bytes FROM net_value ORDER BY ts').pluck().all(),
    Array.from({ length: 25 }, (_, k) => 1000n + 10n * BigInt(k)),
  );
});

t.test('a device that misses ticks: its next row says how long since its previous one', async (t) => {
  const { db, w } = writer(t);
  const m = w.map;
  const tick = ticker(w);
  const host = (ts: number) => domain('@host', '@host', 0, [device(m, 'host', null, 'h', { cpu_user: BigInt(ts - T0) * 10_000_000n })]);
  const vm = (rx: bigint) => domain('k', 'vm', 3, [device(m, 'net', 0, 'vif3.0', { rx_bytes: rx })]);
  tick(T0, [vm(100n), host(T0)]);
  tick(T0 + 1000, [vm(200n), host(T0 + 1000)]);
  tick(T0 + 2000, [host(T0 + 2000)]); // vm not sampled
  tick(T0 + 3000, [host(T0 + 3000)]);
  tick(T0 + 4000, [vm(500n), host(T0 + 4000)]);
  t.strictSame(rows(db, 'SELECT tick_id, dt, rx_bytes FROM net_raw ORDER BY tick_id'), [
    [1n, null, null],
    [2n, null, 100n],
    [5n, 3000n, 300n],
  ]);
  t.strictSame(db.prepare('SELECT dt_ms, rx_bytes FROM net_rate WHERE rx_bytes IS NOT NULL ORDER BY ts').raw().all(), [
    [1000n, 100],
    [3000n, 100],
  ]);
});

t.test('readings of 2^63 and more, and attributes past 2^64: stored exactly as text, read back exactly', async (t) => {
  const { db, w } = writer(t);
  const m = w.map;
  const tick = ticker(w);
  const big = (1n << 63n) + 5n;
  const huge = (1n << 70n) + 3n; // a <memory> of a zettabyte: more than SQLite's integers hold
  const vm = (rx: bigint) =>
    domain('k', 'vm', 3, [
      device(m, 'domain', null, 'vm', { balloon_maximum: huge, balloon_current: (1n << 53n) + 1n }),
      device(m, 'net', 0, 'vif3.0', { rx_bytes: rx }),
    ]);
  tick(T0, [vm(big)]);
  tick(T0 + 1000, [vm(big + 1000n)]);
  tick(T0 + 2000, [vm(big + 3000n)]);
  t.strictSame(rows(db, 'SELECT rx_bytes FROM net_base'), [[big.toString()]], 'the reading as decimal text');
  t.strictSame(db.prepare('SELECT rx_bytes FROM net_raw ORDER BY tick_id').pluck().all(), [null, 1000n, 2000n], 'increases as integers');
  const r = new HistoryReader(db).query({
    domain: 'vm',
    keys: ['net.0.rx.bytes', 'balloon.maximum', 'balloon.current'],
    since: T0,
    until: T0 + 5000,
    rate: false,
  });
  t.strictSame(r.series[0]!.values, [big, big + 1000n, big + 3000n], 'readings exact');
  t.strictSame(r.series[1]!.values, [huge, huge, huge], '<memory> past 2^64 exact');
  t.strictSame(r.series[2]!.values, [(1n << 53n) + 1n, (1n << 53n) + 1n, (1n << 53n) + 1n], '2^53 + 1 exact, not ...992');
  const rate = new HistoryReader(db).query({ domain: 'vm', keys: ['net.0.rx.bytes'], since: T0, until: T0 + 5000, rate: true });
  t.strictSame(rate.series[0]!.values, [null, 1000, 2000]);
});

t.test('a reading that is not a whole multiple of its column scale is not stored, and says why', async (t) => {
  const { db, w } = writer(t);
  const m = w.map;
  const tick = ticker(w);
  const blk = (bytes: bigint) => [domain('k', 'vm', 3, [device(m, 'block', 0, 'vda', { rd_bytes: bytes, rd_reqs: 1n })])];
  tick(T0, blk(1024n));
  const r = tick(T0 + 1000, blk(1100n));
  t.strictSame(r.problems, ['block vda block.{i}.rd.bytes: 1100 is not a whole multiple of 512 bytes; not stored']);
  t.strictSame(rows(db, 'SELECT rd_bytes, rd_reqs FROM block_raw ORDER BY tick_id'), [
    [null, null],
    [null, 0n],
  ]);
});

t.test('a failed tick writes nothing; the next tick is computed against the last committed one', async (t) => {
  const { db, w } = writer(t);
  const m = w.map;
  const tick = ticker(w);
  const net = (rx: bigint) => [domain('k', 'vm', 3, [device(m, 'net', 0, 'vif3.0', { rx_bytes: rx })])];
  tick(T0, net(100n));
  tick(T0 + 1000, net(200n));
  // A trigger makes the next tick's raw insert fail, as a full disk would.
  db.exec("CREATE TEMP TRIGGER fail BEFORE INSERT ON net_raw BEGIN SELECT raise(ABORT, 'disk full'); END");
  t.throws(() => tick(T0 + 2000, net(350n)), /disk full/);
  t.equal(db.prepare('SELECT count(*) FROM tick').pluck().get(), 2n, 'the failed tick left no tick row');
  db.exec('DROP TRIGGER fail');
  tick(T0 + 3000, net(500n));
  t.strictSame(
    rows(db, 'SELECT t.ts, t.dt, r.rx_bytes FROM net_raw r JOIN tick t ON t.id = r.tick_id ORDER BY t.ts'),
    [
      [BigInt(T0), null, null],
      [BigInt(T0 + 1000), 1000n, 100n],
      [BigInt(T0 + 3000), 2000n, 300n],
    ],
    'the increase after the failure counts from the last committed reading, over the time since it',
  );
  t.strictSame(orphanDeltas(db), {});
});

t.test('a failed tick that added devices: their ids, taken again by devices of another kind, start clean', async (t) => {
  const { db, w } = writer(t);
  const m = w.map;
  const tick = ticker(w);
  const old = (k: bigint) => domain('k', 'vm', 3, [device(m, 'net', 0, 'vif3.0', { rx_bytes: 100n * k })]);
  tick(T0, [old(1n)]);
  // A VM starts while the disk is full: its vCPU's device row is inserted, then the tick fails.
  db.exec("CREATE TEMP TRIGGER fail BEFORE INSERT ON vcpu_raw BEGIN SELECT raise(ABORT, 'disk full'); END");
  t.throws(() => tick(T0 + 1000, [old(2n), domain('n', 'new', 9, [device(m, 'vcpu', 0, 'vcpu0', { time: 5000n })])]), /disk full/);
  db.exec('DROP TRIGGER fail');
  // Space again, and the new VM shows a NIC instead: SQLite hands out the rolled-back id again.
  const nic = (k: bigint) => domain('n', 'new', 9, [device(m, 'net', 0, 'vnet2', { rx_bytes: 7000n * k, tx_bytes: 11n * k })]);
  tick(T0 + 2000, [old(3n), nic(1n)]);
  tick(T0 + 3000, [old(4n), nic(2n)]);
  tick(T0 + 4000, [old(5n), nic(3n)]);
  t.strictSame(
    rows(
      db,
      "SELECT t.ts, r.rx_bytes, r.tx_bytes FROM net_raw r JOIN tick t ON t.id = r.tick_id JOIN device v ON v.id = r.device_id WHERE v.name = 'vnet2' ORDER BY t.ts",
    ),
    [
      [BigInt(T0 + 2000), null, null],
      [BigInt(T0 + 3000), 7000n, 11n],
      [BigInt(T0 + 4000), 7000n, 11n],
    ],
    "the NIC's rows are NIC rows, from its own readings",
  );
  t.equal(db.prepare("SELECT count(*) FROM vcpu_raw r JOIN device v ON v.id = r.device_id WHERE v.name = 'vnet2'").pluck().get(), 0n, 'none in another kind');
  t.strictSame(
    rows(
      db,
      "SELECT t.ts, r.rx_bytes FROM net_raw r JOIN tick t ON t.id = r.tick_id JOIN device v ON v.id = r.device_id WHERE v.name = 'vif3.0' ORDER BY t.ts",
    ),
    [
      [BigInt(T0), null],
      [BigInt(T0 + 2000), 200n],
      [BigInt(T0 + 3000), 100n],
      [BigInt(T0 + 4000), 100n],
    ],
    'the other devices go on from their own last readings',
  );
  t.strictSame(orphanDeltas(db), {});
});

t.test('a full database: ticks fail whole, the next good tick continues from the last committed', async (t) => {
  const { db, w } = writer(t);
  const m = w.map;
  const tick = ticker(w);
  const vm = (k: number) => [
    domain('k', 'vm', 3, [
      device(m, 'domain', null, 'vm', { cpu_time: BigInt(k) * 1000n }),
      ...Array.from({ length: 40 }, (_, i) => device(m, 'net', i, `vnet${i}`, { rx_bytes: BigInt(1000 * k + i), tx_bytes: BigInt(7 * k), rx_pkts: BigInt(k) })),
    ]),
  ];
  tick(T0, vm(0));
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as bigint}`);
  let failed = 0;
  let k = 1;
  for (; k < 200 && failed === 0; k++) {
    try {
      tick(T0 + k * 1000, vm(k));
    } catch (e) {
      t.match(String(e), /full/);
      failed++;
    }
  }
  t.equal(failed, 1, 'a tick failed once the file was full');
  t.strictSame(partialTicks(db, false), [], 'no tick is stored in part');
  db.pragma('max_page_count = 1073741823');
  tick(T0 + k * 1000, vm(k));
  t.strictSame(orphanDeltas(db), {}, 'every increase follows from the last stored tick');
  const lastTwo = db.prepare('SELECT rx_bytes FROM net_raw WHERE device_id = 2 ORDER BY tick_id DESC LIMIT 1').pluck().get();
  t.equal(lastTwo, 2000n, 'the increase spans the failed tick');
});

t.test('restarts inside an hour and inside a minute (one right after a reset): every rollup as if there had been none', async (t) => {
  const a = writer(t);
  const b = freshDb(t, 'restarted.db');
  let wb = new HistoryWriter(b.db, PERIOD);
  const at = (i: number) => T0 + i * 10_000;
  const write = (w: HistoryWriter, i: number, cpu: bigint, rss: bigint) =>
    w.write({
      ts: at(i),
      mono: at(i) - T0 + 1000,
      dt: i === 0 ? null : 10_000,
      collectUs: 1,
      domains: [domain('k', 'vm', 3, [device(w.map, 'domain', null, 'vm', { cpu_time: cpu, balloon_rss: rss })])],
    });
  const restarts = new Set([100, 250, 399, 402, 500]); // 399: 20 s after the reset, in its minute
  const taken: [ts: number, rss: number][] = [];
  let cpu = 5_000_000_000n;
  for (let i = 0; i < 720; i++) {
    cpu = i === 397 ? 10_000_000n : cpu + 10_000_000n * BigInt(1 + (i % 7)); // a reset at tick 397
    const rss = BigInt(100_000 + ((i * 7919) % 5003)); // a gauge that moves every tick
    taken.push([at(i), Number(rss)]);
    if (restarts.has(i)) {
      wb = new HistoryWriter(b.db, PERIOD); // the one before was killed: nothing of its memory survives
      wb.recover();
    }
    write(a.w, i, cpu, rss);
    write(wb, i, cpu, rss);
  }
  for (const table of ['domain_1m_block', 'domain_1h_block', 'cover_1m', 'cover_1h']) {
    const all = (db: typeof a.db) => rows(db, `SELECT * FROM ${table} ORDER BY 1, 2`);
    t.strictSame(all(b.db), all(a.db), `${table}: the same rows`);
  }
  t.ok((rows(a.db, 'SELECT * FROM domain_1h_block') as unknown[]).length > 0, 'closed hours to compare');
  // And an hour's gauge mean is the mean of the readings taken in it.
  const [bucket, mean] = rows(
    a.db,
    'SELECT bucket, balloon_rss_mean FROM domain_1h WHERE balloon_rss_mean IS NOT NULL ORDER BY bucket LIMIT 1 OFFSET 1',
  )[0] as [bigint, bigint];
  const inHour = taken.filter(([ts]) => ts >= Number(bucket) * 1000 && ts < (Number(bucket) + 3600) * 1000).map(([, v]) => v);
  t.equal(inHour.length, 360, 'a whole hour of readings');
  t.equal(Number(mean), Math.round(inHour.reduce((s, x) => s + x, 0) / inHour.length), "the hour's mean of its readings");
});

t.test('an attribute of 2^54 KiB given as a plain double is logged once, not every tick', async (t) => {
  const { db, w } = writer(t);
  const tick = ticker(w);
  const dev = () => {
    const d = device(w.map, 'domain', null, 'vm', { cpu_time: 1n });
    const pos = w.map.columns.domain.findIndex((c) => c.col === 'balloon_maximum');
    d.values[pos] = 2 ** 54; // exactly representable: a plan may carry it without a bigint
    return d;
  };
  for (let i = 0; i < 3; i++) tick(T0 + i * 1000, [domain('k', 'vm', 3, [dev()])]);
  t.strictSame(rows(db, "SELECT value FROM attribute WHERE col = 'balloon_maximum'"), [[18014398509481984n]], 'one row, exact');
});

t.test('a restart between two retention steps (a minute of raw rows half deleted): the open hour as if there had been none', async (t) => {
  const a = writer(t);
  const b = freshDb(t, 'restarted.db');
  let wb = new HistoryWriter(b.db, PERIOD);
  const H = Math.ceil(T0 / 3_600_000) * 3_600_000; // an hour's start
  // 90 interfaces: a keyframe period at 1 s holds more raw rows than one retention step deletes.
  const write = (w: HistoryWriter, i: number) =>
    w.write({
      ts: H + i * 1000,
      mono: i * 1000 + 1000,
      dt: i === 0 ? null : 1000,
      collectUs: 1,
      domains: [
        domain('k', 'vm', 3, [
          device(w.map, 'domain', null, 'vm', { cpu_time: BigInt(1_000_000 * i), balloon_rss: BigInt(50_000 + ((i * 7919) % 5003)) }),
          ...Array.from({ length: 90 }, (_, n) => device(w.map, 'net', n, `vif3.${n}`, { rx_bytes: BigInt(1000 * i + n) })),
        ]),
      ],
    });
  for (let i = 0; i < 3600 + 120; i++) {
    if (i === 45 * 60) {
      // One step of retention with raw kept 20 minutes, then the agent dies before the next.
      const deleted = new Retention(b.db, { ...DEFAULT_RETENTION, rawMs: 20 * 60_000 }, { keyframeMs: PERIOD }).step(H + i * 1000 - 1000);
      t.ok(deleted > 0, `the step deleted ${deleted} rows`);
      wb = new HistoryWriter(b.db, PERIOD);
      wb.recover();
    }
    write(a.w, i);
    write(wb, i);
  }
  for (const table of ['net_1h_block', 'cover_1h']) {
    const all = (db: typeof a.db) => rows(db, `SELECT * FROM ${table} ORDER BY 1, 2`);
    t.strictSame(all(b.db), all(a.db), `${table}: the same rows`);
  }
  // Every counter's hour too. (A gauge's minutes whose raw rows are all gone come from their slots,
  // each mean one reading: the hour's mean is then near, not equal; see ARCHITECTURE.md.)
  const counters = (db: typeof a.db) => rows(db, 'SELECT block, device_id, gap_0, cpu_time_0, cpu_time_peak_0 FROM domain_1h_block ORDER BY 1, 2');
  t.strictSame(counters(b.db), counters(a.db), "the domain's CPU time for the hour");
});
