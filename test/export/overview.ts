// The overview (/api/overview's JSON) over a history the agent wrote from a fixture copy whose
// counters moved by known amounts: every domain's current CPU, disk and network rates equal the
// rates the test computes from the increases it made, CPU % uses the host's CPUs counted from
// /proc/stat, each sparkline minute equals both the test's own figure and the <kind>_1m_rate
// view's row for that minute, and state and memory come from the latest tick's records.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { overview, SPARK_MINUTES, type Overview } from '../../src/export/overview.js';
import { exportInputOf } from '../../src/export/records.js';
import type { DomainStatsRecord } from '../../src/stats/records.js';
import { DomainState } from '../../src/stats/states.js';
import { openDatabase } from '../../src/store/db.js';
import { buildHistory } from '../helpers/agent-history.js';
import { COL, CounterFile, FieldsFile, NetDev, cpuacctUsage, privateTree, rewrite } from '../helpers/moving.js';

const STEP_MS = 10_000;
const TICKS = 45; // 7 min 20 s: seven closed minutes with increases
/** Per-second rates in minute m (counted from the first tick's minute): each minute its own. */
const RATES = {
  alphaCpuNs: (m: number) => 250_000_000 + 10_000_000 * m, // 0.25 cores, then 0.26, ...
  betaCpuNs: (m: number) => 600_000_000 - 20_000_000 * m,
  alphaVnet0Rx: (m: number) => 2000 + 100 * m, // guest view: the host line's transmit column
  alphaVnet0Tx: (m: number) => 3000 + 7 * m, // guest view: the host line's receive column
  alphaVnet1Rx: (m: number) => 500 + 3 * m,
  betaVnet2Rx: (m: number) => 7000 + 11 * m,
  alphaRdSectors: (m: number) => 8 + m, // × 512 bytes
  alphaWrSectors: (m: number) => 2 + 2 * m,
};
/** /proc/stat's aggregate line, ticks per second: 2 CPUs (200 ticks/s), 44 of them busy. */
const HOST = { user: 30, nice: 1, system: 9, idle: 150, iowait: 6, irq: 2, softirq: 2, steal: 0 };

/** Rewrites the aggregate cpu line of /proc/stat, the other lines left as they are. */
class ProcStat {
  private readonly lines: string[];
  private readonly base: number[];
  constructor(readonly file: string) {
    this.lines = fs.readFileSync(file, 'latin1').split('\n');
    this.base = this.lines[0]!.split(/\s+/).slice(1).map(Number);
  }
  set(add: number[]): void {
    const v = this.base.map((b, i) => b + (add[i] ?? 0));
    rewrite(this.file, [`cpu  ${v.join(' ')}`, ...this.lines.slice(1)].join('\n'));
  }
}

t.test('overview: current rates, CPU %, sparklines and states of every domain', async (t) => {
  const root = privateTree(t, 'kvm-cgroup1-systemd');
  const net = new NetDev(path.join(root, 'proc/net/dev'));
  const cpuA = new CounterFile(cpuacctUsage(root, 'alpha'));
  const cpuB = new CounterFile(cpuacctUsage(root, 'beta'));
  const disk = new FieldsFile(path.join(root, 'sys/dev/block/253:3/stat'));
  const stat = new ProcStat(path.join(root, 'proc/stat'));

  // Tick times: every 10 s, ending within two minutes before now; counters advance by
  // rate(minute of the tick) × 10 s. The first tick is at :55, alone in its minute: a minute with
  // no increase (the views give it a row whose rates are null), whatever the time the test runs.
  const first = (Math.floor(Date.now() / 60_000) - Math.ceil(((TICKS - 1) * STEP_MS) / 60_000) - 1) * 60_000 + 55_000;
  const end = first + (TICKS - 1) * STEP_MS;
  const times = Array.from({ length: TICKS }, (_, k) => end - (TICKS - 1 - k) * STEP_MS);
  const minute0 = Math.floor(times[0]! / 60_000);
  const m = (k: number) => Math.floor(times[k]! / 60_000) - minute0;
  const totals = new Map<string, bigint>();
  const add = (name: string, perS: number) => {
    const v = (totals.get(name) ?? 0n) + BigInt(Math.round((perS * STEP_MS) / 1000));
    totals.set(name, v);
    return v;
  };
  const host = new Map<string, number>();
  const h = await buildHistory(t, root, {
    ticks: TICKS,
    stepMs: STEP_MS,
    endMs: end,
    bump: (k) => {
      const mk = m(k);
      cpuA.setFromBase(add('cpuA', RATES.alphaCpuNs(mk)));
      cpuB.setFromBase(add('cpuB', RATES.betaCpuNs(mk)));
      net
        .setFromBase('vnet0', COL.TX_BYTES, add('a0rx', RATES.alphaVnet0Rx(mk)))
        .setFromBase('vnet0', COL.RX_BYTES, add('a0tx', RATES.alphaVnet0Tx(mk)))
        .setFromBase('vnet1', COL.TX_BYTES, add('a1rx', RATES.alphaVnet1Rx(mk)))
        .setFromBase('vnet2', COL.TX_BYTES, add('b2rx', RATES.betaVnet2Rx(mk)))
        .write();
      disk
        .setFromBase(3, add('rd', RATES.alphaRdSectors(mk)))
        .setFromBase(7, add('wr', RATES.alphaWrSectors(mk)))
        .write();
      for (const [f, perS] of Object.entries(HOST)) host.set(f, (host.get(f) ?? 0) + (perS * STEP_MS) / 1000);
      stat.set(Object.keys(HOST).map((f) => host.get(f)!));
    },
  });
  t.same(h.times, times, 'the ticks at the chosen times');

  const db = openDatabase(h.dbFile, { readonly: true });
  t.teardown(() => db.close());
  const o: Overview = overview(db, exportInputOf(h.agent.latest!));
  const last = TICKS - 1;
  t.equal(o.ts, times[last], 'the newest tick');
  t.equal(o.currentSince, times[last]! - 10_000, 'current figures: the last 10 s');
  t.same(o.host, { cpus: 2, busyPct: 22 }, 'host: 2 CPUs (200 ticks/s), 44 of 200 busy');

  const by = new Map(o.domains.map((d) => [d.name, d]));
  t.same(
    o.domains.map((d) => [d.name, d.uuid, d.id, d.state, d.stateWord, d.vcpus, d.memBytes, d.rssBytes]),
    [
      ['alpha', '1a1a1a1a-0001-4000-8000-000000000001', 1, 1, 'running', 2, 2097152 * 1024, 4004096 * 1024],
      ['beta', '2b2b2b2b-0002-4000-8000-000000000002', 2, 1, 'running', 1, 1048576 * 1024, 8004096 * 1024],
      ['delta', '4d4d4d4d-0004-4000-8000-000000000004', 4, 3, 'paused', 1, 1572864 * 1024, 16004096 * 1024],
      ['gamma', '3c3c3c3c-0003-4000-8000-00000000000c', -1, 5, 'shut off', 2, 524288 * 1024, null],
    ],
    "the latest tick's domains: names, uuids, ids, states, vCPUs, memory",
  );

  // The current stretch is the last tick alone (ticks are 10 s apart): its rates are the last bumps'.
  const ml = m(last);
  const alpha = by.get('alpha')!;
  const beta = by.get('beta')!;
  const close = (got: number | null, want: number, what: string) =>
    t.ok(got !== null && Math.abs(got - want) <= Math.abs(want) * 1e-9, `${what}: ${got} = ${want}`);
  close(alpha.cpuCores, RATES.alphaCpuNs(ml) / 1e9, 'alpha CPU, cores');
  close(alpha.cpuPct, (RATES.alphaCpuNs(ml) / 1e9 / 2) * 100, 'alpha CPU % of the 2 host CPUs');
  close(beta.cpuCores, RATES.betaCpuNs(ml) / 1e9, 'beta CPU, cores');
  close(alpha.netRx, RATES.alphaVnet0Rx(ml) + RATES.alphaVnet1Rx(ml), 'alpha received, both interfaces (guest view)');
  close(alpha.netTx, RATES.alphaVnet0Tx(ml), 'alpha sent');
  close(alpha.net, RATES.alphaVnet0Rx(ml) + RATES.alphaVnet1Rx(ml) + RATES.alphaVnet0Tx(ml), 'alpha network, rx + tx');
  close(alpha.diskRd, RATES.alphaRdSectors(ml) * 512, 'alpha disk read');
  close(alpha.diskWr, RATES.alphaWrSectors(ml) * 512, 'alpha disk written');
  close(alpha.disk, (RATES.alphaRdSectors(ml) + RATES.alphaWrSectors(ml)) * 512, 'alpha disk, read + written');
  close(beta.netRx, RATES.betaVnet2Rx(ml), 'beta received');
  t.equal(beta.netTx, 0, 'beta sent nothing');
  t.equal(beta.disk, null, "beta's disk is file-backed: no host counters");
  const delta = by.get('delta')!;
  t.same([delta.cpuCores, delta.net], [0, 0], 'delta (paused): its counters stood still');
  const gamma = by.get('gamma')!;
  t.same([gamma.cpuCores, gamma.cpuPct, gamma.disk, gamma.net], [null, null, null, null], 'gamma (shut off): no rates');

  // Sparklines: the 30 minutes up to the last closed one; the minutes with ticks have figures.
  t.equal(o.sparkTimes.length, SPARK_MINUTES);
  t.equal(o.sparkTimes[SPARK_MINUTES - 1], (Math.floor(times[last]! / 60_000) - 1) * 60_000, 'the newest point is the last closed minute');
  const expected = (rate: (m: number) => number, scale: number) =>
    o.sparkTimes.map((ms) => {
      // A minute's figure: the increases of its ticks over the time they cover. The first tick
      // has no increase; a minute whose ticks all lie before the first increase has none.
      const ks = times.map((ts, k) => (Math.floor(ts / 60_000) * 60_000 === ms && k > 0 ? k : -1)).filter((k) => k > 0);
      return ks.length === 0 ? null : Number(((rate(m(ks[0]!)) * scale) as number).toPrecision(4));
    });
  const closed = o.sparkTimes.filter((ms) => ms >= Math.floor(times[1]! / 60_000) * 60_000).length;
  t.equal(closed, 7, `${closed} closed minutes with increases (the first tick is alone in the minute before them)`);
  t.same(alpha.spark.cpu, expected(RATES.alphaCpuNs, 1e-9), 'alpha CPU per minute, cores');
  t.same(beta.spark.cpu, expected(RATES.betaCpuNs, 1e-9), 'beta CPU per minute');
  t.same(
    alpha.spark.net,
    expected((mm) => RATES.alphaVnet0Rx(mm) + RATES.alphaVnet0Tx(mm) + RATES.alphaVnet1Rx(mm), 1),
    'alpha network per minute',
  );
  t.same(
    alpha.spark.disk,
    expected((mm) => RATES.alphaRdSectors(mm) + RATES.alphaWrSectors(mm), 512),
    'alpha disk per minute',
  );
  t.same(
    alpha.spark.rss,
    o.sparkTimes.map((ms) => (ms >= Math.floor(times[0]! / 60_000) * 60_000 ? Number((4004096 * 1024).toPrecision(4)) : null)),
    'alpha RSS per minute (it never changed; four significant digits)',
  );
  t.same(gamma.spark.cpu, new Array(SPARK_MINUTES).fill(null), 'gamma: no sparkline');

  // The same minutes through the public views.
  const view = (sql: string, dom: string) =>
    new Map(
      (db.prepare(sql).raw().all(dom) as [bigint | number, number | null][]).map(([ts, v]) => [Number(ts), v === null ? null : Number(v.toPrecision(4))]),
    );
  const fromView = (rows: Map<number, number | null>) => o.sparkTimes.map((ms) => rows.get(ms) ?? null);
  t.same(alpha.spark.cpu, fromView(view('SELECT ts, cpu_time / 1e9 FROM domain_1m_rate WHERE domain = ?', 'alpha')), 'CPU: the domain_1m_rate view');
  t.same(
    alpha.spark.net,
    fromView(view('SELECT ts, sum(rx_bytes + tx_bytes) FROM net_1m_rate WHERE domain = ? GROUP BY ts', 'alpha')),
    'network: the net_1m_rate view',
  );
  t.same(
    alpha.spark.disk,
    fromView(view('SELECT ts, sum(rd_bytes + wr_bytes) FROM block_1m_rate WHERE domain = ? GROUP BY ts', 'alpha')),
    'disk: the block_1m_rate view',
  );
  // And the current figures through the raw rate view.
  const raw = db.prepare('SELECT cpu_time FROM domain_rate WHERE domain = ? AND ts = ?').pluck().get('alpha', times[last]) as number;
  close(alpha.cpuCores, raw / 1e9, 'alpha CPU: the domain_rate view at the last tick');

  // A shut-off definition named alpha (an old copy in --xml-dir, another uuid) has no figures of
  // the running alpha's: domains are told apart by identity, not name.
  const input = exportInputOf(h.agent.latest!);
  const uuid = '99999999-8888-4777-8666-555555555555';
  const namesake: DomainStatsRecord = { domain: { ...alpha0(input.records).domain, uuid, key: uuid, state: DomainState.SHUTOFF, id: -1 }, params: [] };
  const o2 = overview(db, { ...input, records: [...input.records, namesake] });
  const twin = o2.domains.find((d) => d.uuid === uuid)!;
  t.same(
    [twin.name, twin.cpuCores, twin.net, twin.disk, twin.spark.cpu, twin.spark.net],
    ['alpha', null, null, null, new Array(SPARK_MINUTES).fill(null), new Array(SPARK_MINUTES).fill(null)],
    "the namesake has none of alpha's rates or sparklines",
  );
  t.same(
    o2.domains.find((d) => d.uuid === alpha.uuid),
    alpha,
    'and the running alpha keeps its own',
  );
});

const alpha0 = (records: readonly DomainStatsRecord[]) => records.find((r) => r.domain.name === 'alpha')!;

t.test('overview: no history yet, and no records', async (t) => {
  const root = privateTree(t, 'kvm-cgroup1-systemd');
  const h = await buildHistory(t, root, { ticks: 1, stepMs: 1000, bump: () => {} });
  const db = openDatabase(h.dbFile, { readonly: true });
  t.teardown(() => db.close());
  const o = overview(db, null);
  t.same([o.domains, o.host], [[], { cpus: null, busyPct: null }], 'no records: no domains; one tick: no rates for the host');
  const first = overview(db, exportInputOf(h.agent.latest!));
  t.same(
    first.domains.map((d) => [d.name, d.cpuCores, d.net, d.spark.cpu.filter((v) => v !== null).length]),
    [
      ['alpha', null, null, 0],
      ['beta', null, null, 0],
      ['delta', null, null, 0],
      ['gamma', null, null, 0],
    ],
    'the first tick: domains, no rates (a rate needs two ticks), no closed minute',
  );
});
