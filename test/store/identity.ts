// The rollups' promise, held over hours of ticks: for every counter and every minute and hour
// bucket, the stored sum is the increase measured between the readings at the bucket's edges —
// across keyframe periods, minute and hour closes, counter resets, domain restarts (new id),
// 32-bit wraps, devices missing ticks, agent restarts (clean and killed mid-minute) and a host
// reboot. The expected sums come from a reference model of the readings fed in, independent of
// the writer's code.
import t from 'tap';
import { HistoryWriter } from '../../src/store/writer.js';
import type { Db } from '../../src/store/db.js';
import type { Kind } from '../../src/sample/row-map.js';
import type { DomainSample } from '../../src/sample/rows.js';
import { device, domain, freshDb } from '../helpers/store.js';

const T0 = Date.UTC(2026, 10, 30, 22, 52, 7); // crosses midnight and several hours
const TWO_32 = 1n << 32n;

/** A deterministic random source (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface SimCounter {
  col: string;
  /** Readings are multiples of this (the column's scale). */
  unit: bigint;
  total: bigint;
}

interface SimDevice {
  key: string;
  kind: Kind;
  idx: number | null;
  name: string;
  counters: SimCounter[];
  wrap32: boolean;
  /** The reference model: the last reading fed and the tick it was fed at. */
  last: Map<string, bigint>;
  lastTick: number;
  lastDomid: number;
  run: number;
}

const random = rng(20261207);
const pick = (n: number) => Math.floor(random() * n);

const devices: SimDevice[] = [];
function add(key: string, kind: Kind, idx: number | null, name: string, counters: [string, bigint][], wrap32 = false): SimDevice {
  const d: SimDevice = {
    key,
    kind,
    idx,
    name,
    counters: counters.map(([col, unit]) => ({ col, unit, total: BigInt(pick(1_000_000)) * unit })),
    wrap32,
    last: new Map(),
    lastTick: -1,
    lastDomid: NaN,
    run: -1,
  };
  devices.push(d);
  return d;
}
for (const dom of ['alpha', 'beta']) {
  add(dom, 'domain', null, dom, [
    ['cpu_time', 1n],
    ['cpu_user', 1000n],
    ['io_rchar', 1n],
  ]);
  add(dom, 'vcpu', 0, 'vcpu0', [
    ['time', 10_000_000n],
    ['wait', 1n],
  ]);
  for (const i of [0, 1])
    add(dom, 'net', i, `vnet${i}`, [
      ['rx_bytes', 1n],
      ['tx_bytes', 1n],
      ['rx_drop', 1n],
    ]);
  add(dom, 'block', 0, 'vda', [
    ['rd_bytes', 512n],
    ['wr_reqs', 1n],
    ['rd_times', 1_000_000n],
  ]);
}
// A Xen vif of an old dom0: 32-bit counters that wrap.
const old = add('gamma', 'net', 0, 'vif9.0', [['rx_bytes', 1n]], true);
old.counters[0]!.total = TWO_32 - 50_000n;

interface Expected {
  sum: bigint | null;
  /** The bucket's increases are the whole change between its edge readings (no reset, restart or first reading). */
  whole: boolean;
  from: bigint | null;
  to: bigint | null;
}
const expected = { '1m': new Map<string, Expected>(), '1h': new Map<string, Expected>() };

t.test('every minute and hour sum equals the increase between the readings at its edges', async (t) => {
  const { db, file } = freshDb(t);
  let w = new HistoryWriter(db);
  const domids: Record<string, number> = { alpha: 11, beta: 12, gamma: 9 };
  let ts = T0;
  let prevTs: number | null = null;
  let run = 0;
  const events: string[] = [];
  const TICKS = 1300;
  for (let k = 0; k < TICKS; k++) {
    // ~10 s apart with jitter; one long gap (the agent down for 4 minutes).
    ts += k === 700 ? 240_000 : 9000 + pick(2001);
    const reboot = k === 1000;
    if (reboot) {
      run++;
      events.push(`reboot at tick ${k}`);
    }
    if (k === 500) {
      domids.beta = 112; // beta restarts with a new id; its counters start from zero
      for (const d of devices) if (d.key === 'beta') for (const c of d.counters) c.total = BigInt(pick(50)) * c.unit;
      events.push(`beta restarted at tick ${k}`);
    }
    const doms = new Map<string, DomainSample>();
    for (const d of devices) {
      // beta's second disk... beta's vnet1 is missing for a stretch of ticks.
      if (d.key === 'beta' && d.name === 'vnet1' && k >= 300 && k < 340) continue;
      for (const c of d.counters) {
        const r = random();
        if (r < 0.002 && !d.wrap32)
          c.total = BigInt(pick(100)) * c.unit; // a counter reset
        else if (r > 0.1) c.total += BigInt(pick(5_000_000)) * c.unit;
      }
      if (d.wrap32) d.counters[0]!.total += 1000n;
      const readings = Object.fromEntries(d.counters.map((c) => [c.col, d.wrap32 ? c.total % TWO_32 : c.total]));
      const sample = device(w.map, d.kind, d.idx, d.name, readings, { wrap32: d.wrap32 });
      let dom = doms.get(d.key);
      if (dom === undefined) doms.set(d.key, (dom = domain(d.key, d.key, domids[d.key]!, [])));
      dom.devices.push(sample);
      // The reference model: an increase when the reading continues the device's previous one.
      const continues = d.lastTick >= 0 && d.run === run && d.lastDomid === domids[d.key];
      for (const c of d.counters) {
        const reading = c.total;
        const prev = d.last.get(c.col);
        let inc: bigint | null = null;
        if (continues && prev !== undefined) {
          const diff = reading - prev;
          inc = diff >= 0n ? diff : null; // a reset: nothing measured
        }
        for (const tier of ['1m', '1h'] as const) {
          const size = tier === '1m' ? 60_000 : 3_600_000;
          const b = `${d.key}/${d.kind}/${d.idx}/${c.col}/${Math.floor(ts / size) * (size / 1000)}`;
          const e = expected[tier].get(b) ?? { sum: null, whole: true, from: prev ?? null, to: null };
          if (!expected[tier].has(b)) expected[tier].set(b, e);
          if (inc === null) e.whole = false;
          else e.sum = (e.sum ?? 0n) + inc;
          e.to = reading;
        }
        d.last.set(c.col, reading);
      }
      d.lastTick = k;
      d.lastDomid = domids[d.key]!;
      d.run = run;
    }
    w.write({ ts, mono: ts + run * 1e12, dt: prevTs === null || reboot ? null : ts - prevTs, collectUs: 1, domains: [...doms.values()] });
    prevTs = ts;
    // Agent restarts: a clean one (open buckets written, then rebuilt) and kills (nothing written).
    if (k % 337 === 200) {
      w.flushOpen();
      w = new HistoryWriter(db);
      w.recover();
      events.push(`clean restart after tick ${k}`);
    } else if (k % 211 === 100) {
      w = new HistoryWriter(db);
      w.recover();
      events.push(`killed after tick ${k}`);
    }
  }
  w.flushOpen();
  t.ok(events.length >= 8, `disturbances: ${events.join('; ')}`);

  const checked = { '1m': 0, '1h': 0, whole: 0, increases: 0n };
  const mismatches: string[] = [];
  for (const tier of ['1m', '1h'] as const) {
    const stored = storedSums(db, tier);
    for (const [b, e] of expected[tier]) {
      const got = stored.get(b);
      const want = e.sum;
      if ((got ?? null) !== want) mismatches.push(`${tier} ${b}: stored ${got ?? null}, expected ${want}`);
      checked[tier]++;
      if (e.whole && e.from !== null && e.to !== null) {
        checked.whole++;
        if (want !== e.to - e.from) mismatches.push(`${tier} ${b}: the model's own sum ${want} is not ${e.to} - ${e.from}`);
      }
      checked.increases += want ?? 0n;
    }
    for (const b of stored.keys()) if (!expected[tier].has(b)) mismatches.push(`${tier} ${b}: stored but never sampled`);
  }
  t.strictSame(mismatches.slice(0, 20), [], `${checked['1m']} minute and ${checked['1h']} hour sums exact`);
  t.ok(checked.whole > 3000, `${checked.whole} buckets without a reset checked against end - start readings`);
  t.ok(checked['1h'] >= 4 * 20, 'several hours of every series');
  t.ok(checked.increases > 0n);
  void file;
});

/** Every stored rollup sum, keyed like the model's buckets. */
function storedSums(db: Db, tier: '1m' | '1h'): Map<string, bigint | null> {
  const out = new Map<string, bigint | null>();
  for (const kind of ['domain', 'vcpu', 'net', 'block'] as Kind[]) {
    const cols = [...new Set(devices.filter((d) => d.kind === kind).flatMap((d) => d.counters.map((c) => c.col)))];
    const rows = db
      .prepare(
        `SELECT d.key AS key, v.idx AS idx, r.bucket AS bucket, ${cols.map((c) => `r.${c}_sum AS ${c}`).join(', ')} FROM ${kind}_${tier} r JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id`,
      )
      .all() as Record<string, unknown>[];
    for (const r of rows) {
      const dev = devices.find((d) => d.key === r.key && d.kind === kind && d.idx === (r.idx === null ? null : Number(r.idx)))!;
      for (const c of dev.counters) out.set(`${dev.key}/${kind}/${dev.idx}/${c.col}/${r.bucket}`, r[c.col] === null ? null : BigInt(r[c.col] as bigint));
    }
  }
  return out;
}
