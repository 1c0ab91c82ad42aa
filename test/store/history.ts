// Reading the history back: raw values and rates, resampling with --step, the minute and hour
// tiers, keys by index and by device name, errors, CSV, list() and span(); and the `domstat
// history` command on a database written by the agent.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HistoryWriter } from '../../src/store/writer.js';
import type { DomainSample } from '../../src/sample/rows.js';
import { chooseTier, HistoryReader, niceStep, planQuery } from '../../src/store/history.js';
import { HistoryError, HistoryLimitError, UnknownKeyError } from '../../src/store/errors.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { storeStats } from '../../src/store/stats.js';
import { formatBytes } from '../../src/store/retention.js';
import { historyCsv } from '../../src/cli/history.js';
import { Agent } from '../../src/agent/agent.js';
import { runCli } from '../helpers/cli.js';
import { capture, copyTree, device, domain, FakeClocks, freshDb, setNetDev, tdir } from '../helpers/store.js';

const H0 = 1_699_999_200_000; // 2023-11-14T22:00:00Z, the start of an hour

// web: ticks every 10 s for 3 minutes (i = 0..18), then one at H0 + 1 h (i = 360).
//   net.0 (vif3.0) rx_bytes = 1000 i       -> 100 bytes/s throughout
//   net.1 (vif3.1) rx_bytes = 10 i^2       -> (2i - 1) bytes/s over (i-1, i]
//   balloon.rss = 1000 + 6 i (a gauge); balloon.current = 500 until i = 2, then 400 (an attribute)
//   block.0 (xvda) discard_reqs = 3 i, rd_reqs = i^3  -> (3i^2 - 3i + 1) / 10 requests/s
const rx0 = (i: number) => BigInt(1000 * i);
const rx1 = (i: number) => BigInt(10 * i * i);
const balloon = (i: number) => BigInt(1000 + 6 * i);

/** Tick i of a writer ticking every 10 s from H0 (a tick may be left out: its interval spans the gap). */
function tenSecondTicks(w: HistoryWriter): (i: number, domains: DomainSample[]) => void {
  let last: number | null = null;
  return (i, domains) => {
    const ts = H0 + i * 10_000;
    w.write({ ts, mono: ts - H0 + 1, dt: last === null ? null : ts - last, collectUs: 0, domains });
    last = ts;
  };
}

function build(db: Db): void {
  const w = new HistoryWriter(db);
  const m = w.map;
  const write = tenSecondTicks(w);
  const tick = (i: number) =>
    write(i, [
      domain('u-web', 'web', 3, [
        device(m, 'domain', null, 'web', { domid: 3n, cpu_time: BigInt(i) * 1_000_000n, balloon_rss: balloon(i), balloon_current: i < 2 ? 500n : 400n }),
        device(m, 'net', 0, 'vif3.0', { rx_bytes: rx0(i), tx_bytes: 5n }, { path: '00:16:3e:03:00:00' }),
        device(m, 'net', 1, 'vif3.1', { rx_bytes: rx1(i) }),
        device(m, 'block', 0, 'xvda', { discard_reqs: BigInt(3 * i), rd_reqs: BigInt(i * i * i) }),
      ]),
      domain('u-db', 'db', 7, [device(m, 'domain', null, 'db', { domid: 7n })]),
    ]);
  for (let i = 0; i <= 18; i++) tick(i);
  tick(360);
  w.flushOpen();
}

t.test('HistoryReader on hand-built history', async (t) => {
  const { db } = freshDb(t);
  build(db);
  const r = new HistoryReader(db);

  t.test('raw values and rates', async (t) => {
    const v = r.query({
      domain: 'web',
      keys: ['net.0.rx.bytes', 'net.1.rx.bytes', 'balloon.rss', 'balloon.current'],
      since: H0,
      until: H0 + 50_000,
      rate: false,
    });
    t.equal(v.tier, 'raw');
    t.equal(v.stepS, null);
    t.equal(v.domain, 'web');
    t.strictSame(
      v.times,
      [0, 1, 2, 3, 4, 5].map((i) => H0 + i * 10_000),
    );
    t.strictSame(
      v.series.map((s) => [s.key, s.device, s.unit, s.type]),
      [
        ['net.0.rx.bytes', 'vif3.0', 'bytes', 'counter'],
        ['net.1.rx.bytes', 'vif3.1', 'bytes', 'counter'],
        ['balloon.rss', null, 'KiB', 'gauge'],
        ['balloon.current', null, 'KiB', 'attribute'],
      ],
    );
    t.strictSame(v.series[0]!.values, [0n, 1000n, 2000n, 3000n, 4000n, 5000n]);
    t.strictSame(v.series[1]!.values, [0n, 10n, 40n, 90n, 160n, 250n]);
    t.strictSame(v.series[2]!.values, [1000n, 1006n, 1012n, 1018n, 1024n, 1030n]);
    t.strictSame(v.series[3]!.values, [500n, 500n, 400n, 400n, 400n, 400n], 'an attribute as of each tick');

    const rate = r.query({ domain: 'web', keys: ['net.0.rx.bytes', 'net.1.rx.bytes', 'balloon.rss'], since: H0, until: H0 + 50_000, rate: true });
    t.strictSame(rate.series[0]!.values, [null, 100, 100, 100, 100, 100], 'no rate at first sight');
    t.strictSame(rate.series[1]!.values, [null, 1, 3, 5, 7, 9]);
    t.strictSame(rate.series[2]!.values, [1000n, 1006n, 1012n, 1018n, 1024n, 1030n], 'a gauge stays a value under --rate');
    t.strictSame(
      rate.series.map((s) => s.unit),
      ['bytes/s', 'bytes/s', 'KiB'],
    );

    const mid = r.query({ domain: 'web', keys: ['net.1.rx.bytes'], since: H0 + 35_000, until: H0 + 70_000, rate: false });
    t.strictSame(
      mid.times,
      [4, 5, 6, 7].map((i) => H0 + i * 10_000),
      'a range starting between ticks',
    );
    t.strictSame(mid.series[0]!.values, [160n, 250n, 360n, 490n], 'values rebuilt from the base row before the range');
  });

  t.test('--step resamples: rate = total increase / time; gauges are means; counters the last value', async (t) => {
    const s = r.query({ domain: 'web', keys: ['net.1.rx.bytes', 'balloon.rss'], since: H0, until: H0 + 59_000, stepS: 30, rate: true });
    t.equal(s.tier, 'raw', 'a step under a minute reads raw rows');
    t.equal(s.stepS, 30);
    t.strictSame(s.times, [H0, H0 + 30_000]);
    t.strictSame(s.series[0]!.values, [40 / 20, 210 / 30], 'rates: (10 + 30) / 20 s and (50 + 70 + 90) / 30 s');
    t.strictSame(s.series[1]!.values, [1006, 1024], 'gauge means of 1000, 1006, 1012 and 1018, 1024, 1030');
    const v = r.query({ domain: 'web', keys: ['net.1.rx.bytes'], since: H0, until: H0 + 59_000, stepS: 30, rate: false });
    t.strictSame(v.series[0]!.values, [40n, 250n], 'counter values: the last in each step');
  });

  t.test('the minute and hour tiers, chosen by the step', async (t) => {
    t.equal(chooseTier(3600_000, 59), 'raw');
    t.equal(chooseTier(3600_000, 60), '1m');
    t.equal(chooseTier(3600_000, 3599), 'raw', 'a step that is not whole minutes reads raw ticks');
    t.equal(chooseTier(3600_000, 90), 'raw', '90 s would hold one minute or two by turns');
    t.equal(chooseTier(3600_000, 3540), '1m');
    t.equal(chooseTier(3600_000, 5400), '1m', '90 min: whole minutes, not whole hours');
    t.equal(chooseTier(3600_000, 3600), '1h');
    t.strictSame(
      planQuery(6 * 3600_000, 90, { maxPoints: 1000, maxRead: 1000, series: 1, rawRows: () => 2160 }),
      { tier: '1m', stepS: 120 },
      'when raw ticks are too many to read, the step grows to whole minutes',
    );
    t.strictSame(
      planQuery(7 * 86400_000, 90, { series: 1, rawRows: () => 17_280, rawCovers: () => false }),
      { tier: '1m', stepS: 120 },
      'raw ticks no longer reach back to the start (retention): whole minutes, which do',
    );
    t.strictSame(planQuery(3600_000, 90, { series: 1, rawRows: () => 360, rawCovers: () => true }), { tier: 'raw', stepS: 90 }, 'they do: raw');
    t.equal(chooseTier(2 * 3600_000, undefined), 'raw');
    t.equal(chooseTier(2 * 3600_000 + 1, undefined), '1m');
    t.equal(chooseTier(3 * 86400_000, undefined), '1m');
    t.equal(chooseTier(3 * 86400_000 + 1, undefined), '1h');

    const m = r.query({ domain: 'web', keys: ['net.1.rx.bytes', 'net.0.rx.bytes', 'balloon.rss'], since: H0, until: H0 + 179_000, stepS: 60, rate: true });
    t.equal(m.tier, '1m');
    t.equal(m.stepS, 60);
    t.strictSame(m.times, [H0, H0 + 60_000, H0 + 120_000]);
    // minute 0: changes at i = 1..5 (250 over 50 s); minute 1: i = 6..11 (960 over 60 s); minute 2: i = 12..17 (1680 / 60 s)
    t.strictSame(m.series[0]!.values, [5, 16, 28]);
    t.strictSame(m.series[1]!.values, [100, 100, 100]);
    t.strictSame(m.series[2]!.values, [1015, 1051, 1087], "gauge: the minute's mean, as at a raw step");
    const mv = r.query({ domain: 'web', keys: ['net.1.rx.bytes'], since: H0, until: H0 + 179_000, stepS: 60, rate: false });
    t.strictSame(mv.series[0]!.values, [rx1(5) - rx1(0), rx1(11) - rx1(5), rx1(17) - rx1(11)], "without --rate, a rollup gives each minute's increase");
    t.strictSame(mv.series[0]!.unit, 'bytes per 60s');

    const two = r.query({ domain: 'web', keys: ['net.1.rx.bytes', 'balloon.rss'], since: H0, until: H0 + 179_000, stepS: 120, rate: true });
    t.equal(two.tier, '1m');
    t.strictSame(two.times, [H0, H0 + 120_000]);
    t.strictSame(two.series[0]!.values, [(250 + 960) / 110, 28], 'two minutes resampled: total increase / total seconds');
    t.strictSame(two.series[1]!.values, [(1015 * 50 + 1051 * 60) / 110, 1087], 'gauge means weighted by the time each covered');

    const h = r.query({
      domain: 'web',
      keys: ['net.1.rx.bytes', 'balloon.rss', 'net.1.rx.pkts'],
      since: H0,
      until: H0 + 2 * 3600_000,
      stepS: 3600,
      rate: true,
    });
    t.equal(h.tier, '1h');
    t.strictSame(h.times, [H0, H0 + 3600_000]);
    t.strictSame(
      h.series[0]!.values,
      [3240 / 180, Number(rx1(360) - rx1(18)) / 3420],
      'hour 0: 10 * 18^2 over 180 s; hour 1: the increase since tick 18, over 57 minutes',
    );
    t.strictSame(h.series[1]!.values, [1054, Number(balloon(360))], 'hour 0: mean of 19 samples; hour 1: its one reading');
    t.strictSame(h.series[2]!.values, [null, null], 'a column never read');
    const hv = r.query({ domain: 'web', keys: ['net.1.rx.bytes'], since: H0, until: H0 + 2 * 3600_000, stepS: 3600, rate: false });
    t.strictSame(hv.series[0]!.values, [rx1(18), rx1(360) - rx1(18)]);

    const auto = r.query({ domain: 'web', keys: ['net.0.rx.bytes'], since: H0, until: H0 + 4 * 86400_000, rate: true });
    t.equal(auto.tier, '1h', 'a long span without --step: the hour tier');
    t.equal(auto.stepS, 3600);
  });

  t.test('keys by index and by device name', async (t) => {
    const q = (keys: string[]) => r.query({ domain: 'web', keys, since: H0, until: H0 + 20_000, rate: false });
    const byIdx = q(['net.0.rx.bytes', 'net.1.rx.bytes', 'block.0.rd.reqs', 'extra.block.0.discard.reqs']);
    const byName = q(['net.vif3.0.rx.bytes', 'net.vif3.1.rx.bytes', 'block.xvda.rd.reqs', 'extra.block.xvda.discard.reqs']);
    t.strictSame(
      byName.series.map((s) => s.values),
      byIdx.series.map((s) => s.values),
      'same values by name',
    );
    t.strictSame(
      byName.series.map((s) => s.device),
      ['vif3.0', 'vif3.1', 'xvda', 'xvda'],
    );
    t.strictSame(
      byName.series.map((s) => s.key),
      ['net.vif3.0.rx.bytes', 'net.vif3.1.rx.bytes', 'block.xvda.rd.reqs', 'extra.block.xvda.discard.reqs'],
      'series keep the key as asked',
    );
    t.strictSame(byIdx.series[3]!.values, [0n, 3n, 6n]);
    t.strictSame(q(['cpu.time']).series[0]!.values, [0n, 1_000_000n, 2_000_000n], 'a domain-wide key');
    t.strictSame(
      r.query({ domain: 'u-web', keys: ['net.0.rx.bytes'], since: H0, until: H0 + 10_000, rate: false }).series[0]!.values,
      [0n, 1000n],
      'the domain by uuid',
    );
    t.strictSame(
      r.query({ domain: 'U-WEB', keys: ['net.0.rx.bytes'], since: H0, until: H0 + 10_000, rate: false }).series[0]!.values,
      [0n, 1000n],
      'uuid in capitals',
    );
  });

  t.test('default keys', async (t) => {
    const d = r.query({ domain: 'web', keys: [], since: H0, until: H0 + 10_000, rate: false });
    t.strictSame(
      d.series.map((s) => s.key),
      ['cpu.time', 'balloon.rss', 'block.0.rd.bytes', 'block.0.wr.bytes', 'net.0.rx.bytes', 'net.0.tx.bytes', 'net.1.rx.bytes', 'net.1.tx.bytes'],
    );
    t.strictSame(d.series[2]!.values, [null, null], 'block.0.rd.bytes never read: empty');
  });

  t.test('errors', async (t) => {
    const q =
      (domain: string, keys: string[], extra: { since?: number; until?: number; stepS?: number } = {}) =>
      () =>
        r.query({ domain, keys, since: H0, until: H0 + 60_000, rate: false, ...extra });
    t.throws(q('web', ['net.0.rx.bogus']), new UnknownKeyError('net.0.rx.bogus'));
    t.throws(q('web', ['net.0.rx.bogus']), { name: 'UnknownKeyError', message: "unknown key 'net.0.rx.bogus' (see domstat history --list)" });
    t.throws(q('web', ['net.vif9.0.rx.bogus']), { name: 'UnknownKeyError' }, 'by a device name, but no column');
    t.throws(q('web', ['bogus']), { message: "unknown key 'bogus' (see domstat history --list)" });
    t.throws(
      q('web', ['net.vif9.0.rx.bytes']),
      { message: "no device for key 'net.vif9.0.rx.bytes' in this domain's history" },
      'an interface name the domain never had',
    );
    t.throws(q('web', ['net.5.rx.bytes']), { message: "no device for key 'net.5.rx.bytes' in this domain's history" });
    t.throws(q('db', ['net.0.rx.bytes']), { message: "no device for key 'net.0.rx.bytes' in this domain's history" });
    t.throws(q('nosuch', ['net.0.rx.bytes']), { name: 'UnknownDomainError', message: "no history for domain 'nosuch'" });
    t.throws(q('web', ['net.0.rx.bytes'], { until: H0 - 1 }), { message: '--until is before --since' });
    t.throws(q('web', ['net.0.rx.bytes'], { stepS: 0 }), { message: '--step must be positive' });
    t.throws(q('web', ['net.0.rx.bytes'], { stepS: -5 }), { message: '--step must be positive' });
    const empty = r.query({ domain: 'web', keys: ['net.0.rx.bytes'], since: H0 + 7200_000, until: H0 + 7300_000, rate: false });
    t.strictSame([empty.times, empty.series[0]!.values], [[], []], 'a range with no ticks: no rows');
  });

  t.test('CSV', async (t) => {
    const v = r.query({ domain: 'web', keys: ['net.0.rx.bytes', 'net.vif3.1.rx.bytes', 'balloon.rss'], since: H0, until: H0 + 20_000, rate: false });
    t.equal(
      historyCsv(v),
      'time,net.0.rx.bytes,net.vif3.1.rx.bytes,balloon.rss\n2023-11-14T22:00:00Z,0,0,1000\n2023-11-14T22:00:10Z,1000,10,1006\n2023-11-14T22:00:20Z,2000,40,1012\n',
    );
    const rate = r.query({ domain: 'web', keys: ['net.1.rx.bytes', 'balloon.rss'], since: H0, until: H0 + 59_000, stepS: 30, rate: true });
    t.equal(historyCsv(rate), 'time,net.1.rx.bytes,balloon.rss\n2023-11-14T22:00:00Z,2,1006\n2023-11-14T22:00:30Z,7,1024\n', 'integers without decimals');
    const odd = r.query({ domain: 'web', keys: ['block.0.rd.reqs', 'block.xvda.rd.reqs'], since: H0, until: H0 + 30_000, rate: true });
    t.equal(
      historyCsv(odd),
      'time,block.0.rd.reqs,block.xvda.rd.reqs\n2023-11-14T22:00:00Z,,\n2023-11-14T22:00:10Z,0.100,0.100\n2023-11-14T22:00:20Z,0.700,0.700\n2023-11-14T22:00:30Z,1.900,1.900\n',
      'fractions with three decimals',
    );
    const gap = r.query({ domain: 'web', keys: ['net.0.rx.bytes'], since: H0, until: H0 + 10_000, rate: true });
    t.equal(historyCsv(gap), 'time,net.0.rx.bytes\n2023-11-14T22:00:00Z,\n2023-11-14T22:00:10Z,100\n', 'no value: an empty cell');
  });

  t.test('list() and span()', async (t) => {
    t.strictSame(r.list(), [
      { domain: 'db', uuid: 'u-db', devices: [{ kind: 'domain', idx: null, name: 'db' }], keys: ['extra.domid'] },
      {
        domain: 'web',
        uuid: 'u-web',
        devices: [
          { kind: 'block', idx: 0, name: 'xvda' },
          { kind: 'domain', idx: null, name: 'web' },
          { kind: 'net', idx: 0, name: 'vif3.0' },
          { kind: 'net', idx: 1, name: 'vif3.1' },
        ],
        keys: [
          'block.0.rd.reqs',
          'extra.block.0.discard.reqs',
          'extra.domid',
          'cpu.time',
          'balloon.current',
          'balloon.rss',
          'net.0.rx.bytes',
          'net.0.tx.bytes',
          'net.1.rx.bytes',
        ],
      },
    ]);
    t.strictSame(r.span(), {
      raw: [H0, H0 + 3600_000],
      '1m': [H0, H0 + 3660_000],
      '1h': [H0, H0 + 7200_000],
    });
  });
});

t.test('an empty database', async (t) => {
  const { db } = freshDb(t);
  const r = new HistoryReader(db);
  t.strictSame(r.list(), []);
  t.strictSame(r.span(), { raw: null, '1m': null, '1h': null });
  t.throws(() => r.query({ domain: 'web', keys: [], since: 0, until: 1, rate: false }), { message: "no history for domain 'web'" });
});

// The command, on a database the agent wrote from a copy of the Xen fixture.
const A = Date.parse('2026-01-05T10:00:00Z');

async function agentDb(t: Test): Promise<string> {
  const root = copyTree(t);
  const dbFile = path.join(tdir(t), 'agent.db');
  const io = capture();
  const clocks = new FakeClocks(A);
  const agent = new Agent({ root, dbFile, intervalMs: 1000, quiet: true, io, clocks });
  await agent.open();
  // web1's vif3.0: the host's tx_bytes field is the guest's rx.bytes (field 9 = base + 8).
  for (let i = 0; i < 4; i++) {
    setNetDev(root, 'vif3.0', 3_000_801n + 1000n * BigInt(i * i));
    clocks.to(A + i * 10_000);
    t.equal(agent.tick().ok, true, `tick ${i}`);
  }
  await agent.close();
  return dbFile;
}

t.test('domstat history on an agent-made database', async (t) => {
  const dbFile = await agentDb(t);
  const range = ['--since', '2026-01-05T09:59:00Z', '--until', '2026-01-05T10:01:00Z'];

  const csv = await runCli(['history', 'web1', 'net.0.rx.bytes', 'net.vif3.1.rx.bytes', 'block.xvda.rd.reqs', '--db', dbFile, ...range, '--format', 'csv']);
  t.strictSame(csv, {
    code: 0,
    err: '',
    out:
      'time,net.0.rx.bytes,net.vif3.1.rx.bytes,block.xvda.rd.reqs\n' +
      '2026-01-05T10:00:00Z,3000809,3010809,3000101\n' +
      '2026-01-05T10:00:10Z,3001809,3010809,3000101\n' +
      '2026-01-05T10:00:20Z,3004809,3010809,3000101\n' +
      '2026-01-05T10:00:30Z,3009809,3010809,3000101\n',
  });

  const rate = await runCli(['history', 'web1', 'net.vif3.0.rx.bytes', '--db', dbFile, ...range, '--format', 'csv', '--rate']);
  t.strictSame(rate, {
    code: 0,
    err: '',
    out: 'time,net.vif3.0.rx.bytes\n2026-01-05T10:00:00Z,\n2026-01-05T10:00:10Z,100\n2026-01-05T10:00:20Z,300\n2026-01-05T10:00:30Z,500\n',
  });

  const twice = await runCli(['history', 'web1', 'net.vif3.0.rx.bytes', 'net.vif3.0.rx.bytes', '--db', dbFile, ...range, '--format', 'csv', '--rate']);
  t.strictSame(twice, rate, 'a key given twice is one column');

  const step = await runCli(['history', 'web1', 'net.0.rx.bytes', '--db', dbFile, ...range, '--format', 'csv', '--rate', '--step', '20s']);
  t.strictSame(step.out, 'time,net.0.rx.bytes\n2026-01-05T10:00:00Z,100\n2026-01-05T10:00:20Z,400\n', '--step 20s: (0 + 1000) / 10 s and (3000 + 5000) / 20 s');

  const json = await runCli(['history', 'web1', 'net.0.rx.bytes', 'balloon.current', '--db', dbFile, ...range, '--format', 'json']);
  t.equal(json.code, 0);
  t.strictSame(JSON.parse(json.out), {
    domain: 'web1',
    tier: 'raw',
    step: null,
    series: [
      { key: 'net.0.rx.bytes', device: 'vif3.0', unit: 'bytes' },
      { key: 'balloon.current', device: null, unit: 'KiB' },
    ],
    rows: [
      { time: '2026-01-05T10:00:00Z', values: [3000809, 786432] },
      { time: '2026-01-05T10:00:10Z', values: [3001809, 786432] },
      { time: '2026-01-05T10:00:20Z', values: [3004809, 786432] },
      { time: '2026-01-05T10:00:30Z', values: [3009809, 786432] },
    ],
  });

  const table = await runCli(['history', 'web1', 'net.0.rx.bytes', '--db', dbFile, ...range, '--rate']);
  t.strictSame(table, {
    code: 0,
    err: '',
    out:
      '# web1: raw tier, rates per second\n' +
      ' time                   net.0.rx.bytes (bytes/s)\n' +
      '--------------------------------------------------\n' +
      ' 2026-01-05T10:00:00Z   \n' +
      ' 2026-01-05T10:00:10Z   100\n' +
      ' 2026-01-05T10:00:20Z   300\n' +
      ' 2026-01-05T10:00:30Z   500\n',
  });

  const host = await runCli(['history', '@host', 'net.vif12.0.rx.bytes', 'net.xvif3.0.tx.bytes', '--db', dbFile, ...range, '--format', 'csv']);
  t.strictSame(
    host.out,
    'time,net.vif12.0.rx.bytes,net.xvif3.0.tx.bytes\n' + ['00', '10', '20', '30'].map((s) => `2026-01-05T10:00:${s}Z,12090801,9050009\n`).join(''),
    "the host's own interfaces, by name",
  );

  const minutes = await runCli(['history', 'web1', 'net.0.rx.bytes', '--db', dbFile, ...range, '--format', 'csv', '--rate', '--step', '1m']);
  t.strictSame(minutes.out, 'time,net.0.rx.bytes\n2026-01-05T10:00:00Z,300\n', '--step 1m reads the minute rollup the agent flushed at shutdown: 9000 / 30 s');

  t.strictSame(await runCli(['history', 'nosuch', '--db', dbFile, ...range]), { code: 1, out: '', err: "error: no history for domain 'nosuch'\n" });
  t.strictSame(await runCli(['history', 'web1', 'net.0.rx.nope', '--db', dbFile, ...range]), {
    code: 1,
    out: '',
    err: "error: unknown key 'net.0.rx.nope' (see domstat history --list)\n",
  });
  t.strictSame(await runCli(['history', '--db', dbFile]), { code: 1, out: '', err: 'error: history needs a domain (or --list)\n' });
  const missing = path.join(tdir(t), 'missing.db');
  t.strictSame(await runCli(['history', 'web1', '--db', missing]), { code: 1, out: '', err: `error: ${missing}: no such database\n` });
  t.notOk(fs.existsSync(missing), 'history does not create a database');

  const recent = await runCli(['history', 'web1', 'net.0.rx.bytes', '--db', dbFile, '--format', 'csv']);
  t.strictSame(recent, { code: 0, err: '', out: 'time,net.0.rx.bytes\n' }, 'the default --since 1h: nothing that recent');
});

t.test('domstat history --list', async (t) => {
  const dbFile = await agentDb(t);
  const list = await runCli(['history', '--list', '--db', dbFile]);
  t.equal(list.code, 0);
  t.equal(list.err, '');
  const out = list.out.split('\n');
  const db = openDatabase(dbFile, { readonly: true });
  const stats = storeStats(db);
  db.close();
  const size = (t: 'raw' | '1m' | '1h') => formatBytes(stats.tiers[t].bytes);
  t.strictSame(
    out.slice(2, 7).map((l) => l.trim().split(/ {2,}/)),
    [
      ['raw', '2026-01-05T10:00:00Z .. 2026-01-05T10:00:30Z', '30 seconds', '4', size('raw')],
      ['1-minute', '2026-01-05T10:00:00Z .. 2026-01-05T10:01:00Z', '60 seconds', '1', size('1m')],
      ['1-hour', '2026-01-05T10:00:00Z .. 2026-01-05T11:00:00Z', '60 minutes', '1', size('1h')],
      ['other', 'domains, devices, attributes, free pages', formatBytes(stats.otherBytes)],
      ['file', formatBytes(stats.fileBytes)],
    ],
    "each tier's span, length, buckets and the bytes of its pages (dbstat)",
  );
  t.equal(
    stats.tiers.raw.bytes + stats.tiers['1m'].bytes + stats.tiers['1h'].bytes + stats.otherBytes,
    fs.statSync(dbFile).size,
    'the parts add up to the file',
  );
  const web1 = out.indexOf('web1 (3ef03971-0d42-55d8-9c52-4ca0e5e13c45)');
  t.ok(web1 > 0, 'web1 with its uuid');
  t.equal(out[web1 + 1], '  devices: block.0=xvda block.1=xvdb1 domain net.0=vif3.0 net.1=vif3.1');
  t.equal(
    out[web1 + 2],
    '  keys: block.0.rd.reqs block.0.rd.bytes block.0.wr.reqs block.0.wr.bytes block.0.fl.reqs block.0.errors extra.block.0.discard.reqs ' +
      'block.1.rd.reqs block.1.rd.bytes block.1.wr.reqs block.1.wr.bytes block.1.fl.reqs block.1.errors extra.block.1.discard.reqs ' +
      'extra.domid state.state state.reason balloon.current balloon.maximum vcpu.current vcpu.maximum ' +
      'net.0.rx.bytes net.0.rx.pkts net.0.rx.errs net.0.rx.drop net.0.tx.bytes net.0.tx.pkts net.0.tx.errs net.0.tx.drop ' +
      'net.1.rx.bytes net.1.rx.pkts net.1.rx.errs net.1.rx.drop net.1.tx.bytes net.1.tx.pkts net.1.tx.errs net.1.tx.drop',
  );
  t.ok(out.includes('@host'), 'the host');
  t.ok(out.includes('off1 (0ded59be-944a-5991-aa3b-cab59a38b3b0)'), 'a defined, stopped domain too');

  const json = await runCli(['history', '--list', '--db', dbFile, '--format', 'json']);
  const j = JSON.parse(json.out) as {
    span: Record<string, string[] | null>;
    tiers: Record<string, { buckets: number; bytes: number }>;
    domains: { domain: string; uuid: string | null; devices: unknown[]; keys: string[] }[];
  };
  t.strictSame(j.span, {
    raw: ['2026-01-05T10:00:00Z', '2026-01-05T10:00:30Z'],
    '1m': ['2026-01-05T10:00:00Z', '2026-01-05T10:01:00Z'],
    '1h': ['2026-01-05T10:00:00Z', '2026-01-05T11:00:00Z'],
  });
  t.strictSame(j.tiers, {
    raw: { buckets: 4, bytes: stats.tiers.raw.bytes },
    '1m': { buckets: 1, bytes: stats.tiers['1m'].bytes },
    '1h': { buckets: 1, bytes: stats.tiers['1h'].bytes },
  });
  t.strictSame(
    j.domains.map((d) => d.domain),
    ['@host', 'broken1', 'db1', 'off1', 'web1', 'win1'],
  );
  t.strictSame(
    j.domains.find((d) => d.domain === 'broken1'),
    {
      domain: 'broken1',
      uuid: '7d48d4bf-0176-5e70-883b-1d7f7ea8c2d4',
      devices: [{ kind: 'domain', idx: null, name: 'broken1' }],
      keys: ['extra.domid', 'state.state', 'state.reason', 'balloon.current', 'balloon.maximum', 'vcpu.current', 'vcpu.maximum'],
    },
    'broken1: no interface or disk rows (their stats are missing)',
  );
});

t.test('bounded queries: duplicate keys, points, rows read, deadline', async (t) => {
  const { db } = freshDb(t);
  build(db);
  const r = new HistoryReader(db);
  const base = { domain: 'web', since: H0, until: H0 + 180_000, rate: true };

  const dup = r.query({ ...base, keys: ['net.1.rx.bytes', 'net.1.rx.bytes', 'balloon.rss', 'net.1.rx.bytes', 'balloon.rss'] });
  const once = r.query({ ...base, keys: ['net.1.rx.bytes', 'balloon.rss'] });
  t.strictSame(
    dup.series.map((s) => s.key),
    ['net.1.rx.bytes', 'balloon.rss'],
    'the same key asked three times is one series',
  );
  t.strictSame(dup, once, 'and the result is that of each key asked once');

  const every = r.query({ ...base, keys: ['net.1.rx.bytes'], maxPoints: 100 });
  t.equal(every.stepS, null, '19 ticks fit 100 points: every tick');
  t.equal(every.times.length, 19);
  const ten = r.query({ ...base, keys: ['net.1.rx.bytes', 'balloon.rss'], maxPoints: 10 });
  t.strictSame([ten.tier, ten.stepS], ['raw', 30], '180 s in 10 points: 18 s, rounded up to 30 s');
  t.strictSame(
    ten.times,
    [0, 1, 2, 3, 4, 5, 6].map((k) => H0 + k * 30_000),
  );
  t.strictSame(ten, r.query({ ...base, keys: ['net.1.rx.bytes', 'balloon.rss'], stepS: 30 }), 'the same as asking for 30 s steps');
  const tiny = r.query({ ...base, keys: ['net.1.rx.bytes'], stepS: 0.001, maxPoints: 10 });
  t.equal(tiny.stepS, 30, 'a step of 1 ms grows to span ÷ points');
  const five = r.query({ ...base, keys: ['net.1.rx.bytes'], maxPoints: 5 });
  t.strictSame([five.tier, five.stepS], ['1m', 60], '180 s in 5 points: 36 s, rounded up to a minute: the minute tier');
  t.ok(five.times.length <= 5, `${five.times.length} rows`);
  t.strictSame(five.series[0]!.values.slice(0, 3), [5, 16, 28], 'the minute rollups (as in the tier test above)');

  const budget = r.query({ ...base, keys: ['net.1.rx.bytes', 'net.0.rx.bytes'], stepS: 10, maxRead: 30 });
  t.strictSame([budget.tier, budget.stepS], ['1m', 60], '19 raw ticks × 2 series is more than 30 rows: the minute tier');
  t.strictSame(r.query({ ...base, keys: ['net.1.rx.bytes'], stepS: 10, maxRead: 30 }).tier, 'raw', 'one series: 19 rows fit');

  t.throws(
    () => r.query({ ...base, keys: ['net.1.rx.bytes'], deadline: performance.now() - 1 }),
    { name: 'HistoryLimitError', message: 'the query took too long: ask for fewer keys, a shorter span or a larger step' },
    'past its deadline: a HistoryLimitError',
  );
  t.ok(new HistoryLimitError('x') instanceof HistoryError, 'a HistoryError too');
});

t.test('planQuery: the tier from span ÷ points and the rows a tier would read', async (t) => {
  const H = 3600_000;
  const rawRows = (n: number) => () => n;
  t.strictSame(planQuery(47 * H, 0.001, { series: 12, rawRows: rawRows(169_200) }), { tier: 'raw', stepS: 0.001 }, 'unbounded (the CLI): the step asked');
  t.strictSame(
    planQuery(47 * H, 0.001, { maxPoints: 1000, maxRead: 100_000, series: 12, rawRows: rawRows(169_200) }),
    { tier: '1m', stepS: 300 },
    '47 h at 1 ms, bounded: 169 s per point, 5-minute steps from the minute tier',
  );
  t.strictSame(planQuery(2 * H, undefined, { maxPoints: 1000, maxRead: 100_000, series: 12, rawRows: rawRows(7200) }), { tier: 'raw', stepS: 10 });
  t.strictSame(
    planQuery(2 * H, undefined, { maxPoints: 1000, maxRead: 100_000, series: 16, rawRows: rawRows(7200) }),
    { tier: '1m', stepS: 60 },
    '16 series of 7200 raw rows are more than 100 000: minutes',
  );
  t.strictSame(
    planQuery(30 * 24 * H, 60, { maxPoints: 1000, maxRead: 100_000, series: 4, rawRows: rawRows(0) }),
    { tier: '1h', stepS: 3600 },
    '30 days in 1000 points: 43 min per point, and 43 200 minutes × 4 series are too many: hours',
  );
  t.strictSame(planQuery(15 * 60_000, undefined, { maxPoints: 1000, series: 3, rawRows: rawRows(900) }), { tier: 'raw', stepS: null }, 'every tick fits');
  t.strictSame([0.5, 1, 1.1, 7.2, 59, 61, 3601, 86401].map(niceStep), [1, 1, 2, 10, 60, 120, 7200, 172800]);
});

t.test('a name that several domains have had (a VM defined again, new uuid) reads as one history; a uuid reads its own', async (t) => {
  const { db } = freshDb(t);
  const w = new HistoryWriter(db);
  const write = tenSecondTicks(w);
  const tick = (i: number, uuid: string, rss: bigint) => write(i, [domain(uuid, 'vm', 3, [device(w.map, 'domain', null, 'vm', { balloon_rss: rss })])]);
  for (let i = 0; i < 3; i++) tick(i, 'uuid-old', 100n + BigInt(i));
  for (let i = 3; i < 6; i++) tick(i, 'uuid-new', 200n + BigInt(i));
  const r = new HistoryReader(db);
  const values = (ref: string) =>
    r.query({ domain: ref, keys: ['balloon.rss'], since: H0, until: H0 + 60_000, rate: false }).series[0]!.values.filter((v) => v !== null);
  t.strictSame(values('vm'), [100n, 101n, 102n, 203n, 204n, 205n], 'by name: both domains, in time order');
  t.strictSame(values('uuid-old'), [100n, 101n, 102n], 'by uuid: that one');
  t.strictSame(values('uuid-new'), [203n, 204n, 205n]);
  t.throws(() => r.domainIds('nothing'), { message: "no history for domain 'nothing'" });
});

t.test("a domain named '@host' reads its own history by name; '@host' reads the host only when no domain has that name", async (t) => {
  const { db } = freshDb(t);
  const w = new HistoryWriter(db);
  const write = tenSecondTicks(w);
  const host = (k: number) => {
    const h = domain('@host', '@host', 0, [device(w.map, 'host', null, 'h', { cpu_user: BigInt(k) * 10_000_000n })]);
    delete h.uuid; // the agent's host row has none
    return h;
  };
  const guest = (k: number) =>
    domain('0badc0de-0000-4000-8000-000000000001', '@host', 7, [device(w.map, 'domain', null, '@host', { balloon_rss: 500n + BigInt(k) })]);
  for (let i = 0; i < 3; i++) write(i, [host(i)]);
  const r = new HistoryReader(db);
  const hostId = r.domainIds('@host');
  t.equal(hostId.length, 1, 'no domain is named @host yet: the host');
  for (let i = 3; i < 6; i++) write(i, [host(i), guest(i)]);
  const ids = r.domainIds('@host');
  t.equal(ids.length, 1);
  t.not(ids[0], hostId[0], 'now the domain of that name, not the host');
  const rss = r.query({ domain: '@host', keys: ['balloon.rss'], since: H0, until: H0 + 60_000, rate: false }).series[0]!.values.filter((v) => v !== null);
  t.strictSame(rss, [503n, 504n, 505n], "the domain's own values");
  t.strictSame(r.domainIds('0BADC0DE-0000-4000-8000-000000000001'), ids, 'and by its uuid, in any case');
});
