// The agent's sampling plan against the drivers: on every fixture tree, the real capture and
// simulated hosts, the plan's rows equal the rows built from the drivers' domstats records, value
// for value (exact readings), with the same devices, names, paths and wrap flags. Domains whose
// files the plan cannot read plainly (fixtures with missing files, values past 2^53, malformed
// lines) are sampled by their driver: the counts below say how many went which way, so neither
// path is left untested. And /metrics rendered from the agent's rebuilt records equals /metrics
// rendered from the drivers' own records.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Connection } from '../../src/connection/connection.js';
import { ALL_GROUPS, Sampler } from '../../src/agent/sampler.js';
import { sampleRecord } from '../../src/export/records.js';
import { type SampleResult } from '../../src/sample/tick.js';
import { openDatabase } from '../../src/store/db.js';
import { readKeyMap, type KeyMap } from '../../src/store/key-map.js';
import { reading, type DomainSample } from '../../src/sample/rows.js';
import { renderMetrics } from '../../src/export/prometheus.js';
import { createSimHost } from '../../src/sim/simulate.js';
import { fixture, runCli } from '../helpers/cli.js';
import { tempTree } from '../helpers/kvm.js';
import { PlanTick } from '../../src/sample/plan.js';
import { hostSample } from '../../src/agent/host-totals.js';
import { IN_PLACE_MARK } from '../../src/host/kept-files.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'domstat-plan-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
const map: KeyMap = (() => {
  const db = openDatabase(path.join(dir, 'map.db'));
  const m = readKeyMap(db);
  db.close();
  return m;
})();

/** A sample as plain data: every device with its exact readings by key. */
function plain(s: DomainSample) {
  return {
    key: s.key,
    name: s.name,
    domid: s.domid,
    devices: s.devices.map((d) => ({
      kind: d.kind,
      idx: d.idx,
      name: d.name,
      path: d.path ?? null,
      wrap32: !!d.wrap32,
      readings: Object.fromEntries(map.columns[d.kind].map((c, i) => [c.col, reading(d, i)?.toString() ?? null]).filter(([, v]) => v !== null)),
    })),
  };
}

interface Both {
  plan: SampleResult;
  driver: SampleResult;
  careful: number;
  total: number;
  /** Reads the read-ahead thread served and reads made on the main thread, in the plan's tick. */
  ahead: number;
  here: number;
}

/**
 * One tick by the plan and one by the drivers. With `ahead`, the plan's tick is its second (the
 * first lays out the read-ahead groups) and reads through the read-ahead thread: 'all' lets the
 * thread read every domain's files first, 'split' lets the two threads meet wherever they do.
 */
async function both(root: string, ahead: 'off' | 'all' | 'split' = 'off'): Promise<Both> {
  const conn = new Connection({ root });
  conn.fs.keepOpen(1000);
  const withPlan = new Sampler(conn, map, ahead === 'off' ? { hostname: 'h' } : { hostname: 'h', readAheadFrom: 0, readAheadFirst: ahead === 'all' });
  if (ahead !== 'off') withPlan.sample(1000);
  const plan = withPlan.sample(1000);
  const driver = new Sampler(new Connection({ root }), map, { hostname: 'h', usePlans: false }).sample(1000);
  await withPlan.close();
  conn.fs.closeAll();
  return { plan, driver, careful: withPlan.careful, total: conn.listAllDomains().length, ahead: withPlan.readsAhead, here: withPlan.readsHere };
}

const TREES: [tree: string, planned: number, careful: number][] = [
  ['xen-4.x-pv-libxl', 3, 2],
  ['xen-2.6.18-old-layout', 1, 0],
  ['xen-no-libvirt', 2, 0],
  ['kvm-cgroup1-systemd', 3, 1],
  ['kvm-cgroup1-nosystemd', 1, 0],
  ['kvm-cgroup2-systemd', 1, 1],
  ['kvm-hybrid', 1, 0],
  // The capture predates the cgroup groups: its unified groups have no PSI files (a problem, through the driver).
  ['libvirt9-qemu7-hybrid-cgroup', 0, 2],
];

for (const [tree, planned, careful] of TREES) {
  t.test(`${tree}: the plan's rows are the drivers' rows`, async (t) => {
    const r = await both(fixture(tree));
    t.equal(r.total - r.careful, planned, `${planned} domain(s) sampled by the plan`);
    t.equal(r.careful, careful, `${careful} domain(s) handed to their driver`);
    t.strictSame(r.plan.samples.map(plain), r.driver.samples.map(plain), 'same rows, same exact readings');
    t.strictSame(
      r.plan.problems.map((p) => p.domain),
      r.driver.problems.map((p) => p.domain),
      'problems reported for the same domains',
    );
    const render = (s: SampleResult, records: ReturnType<typeof sampleRecord>[]) =>
      renderMetrics({ records, problems: s.problems, ts: 1, collectUs: 1, storeMs: 1, ticks: 1 }, false, 0).replace(/^domstat_scrape_duration_seconds.*$/m, '');
    const driverRecords = new Connection({ root: fixture(tree) }).getAllDomainStats(ALL_GROUPS, 0);
    t.equal(
      render(
        r.plan,
        r.plan.domains.map((d, i) => sampleRecord(d, r.plan.samples[i]!, map)),
      ),
      render(r.driver, driverRecords),
      "/metrics from the rebuilt records equals /metrics from the drivers' records",
    );
  });

  t.test(`${tree}: every file read by the read-ahead thread, the same rows and problems`, async (t) => {
    // A copy that says it is written in place, as the simulator's tree does: the thread leaves
    // files that may be replaced under their descriptors to the main thread.
    const root = tempTree(t, tree);
    fs.writeFileSync(path.join(root, IN_PLACE_MARK), 'in place\n');
    const r = await both(root, 'all');
    t.ok(r.ahead > 0, `${r.ahead} read(s) served by the read-ahead thread, ${r.here} on the main thread`);
    t.equal(r.careful, careful, `${careful} domain(s) handed to their driver, as without it`);
    t.strictSame(r.plan.samples.map(plain), r.driver.samples.map(plain), 'same rows, same exact readings');
    t.strictSame(
      r.plan.problems.map((p) => `${p.domain}: ${p.message}`),
      r.driver.problems.map((p) => `${p.domain}: ${p.message}`),
      'the same problems, word for word',
    );
  });
}

const SIMULATED = [
  ['xen', 'v2'],
  ['kvm', 'v2'],
  ['kvm', 'v1'],
  ['kvm', 'hybrid'],
] as const;
for (const [kind, cgroup] of SIMULATED) {
  const name = kind === 'kvm' ? `kvm (cgroup ${cgroup})` : kind;
  t.test(`simulated ${name} host: every domain by the plan, equal to the drivers over moving counters`, async (t) => {
    const sim = createSimHost({ dir: path.join(dir, `sim-${kind}-${cgroup}`), domains: 12, kind, cgroup, maxOpenFiles: 256 });
    t.teardown(() => sim.close());
    for (let i = 0; i < 3; i++) {
      sim.advance(7);
      for (const ahead of ['off', 'all', 'split'] as const) {
        const r = await both(sim.dir, ahead);
        t.equal(r.careful, 0, `tick ${i}, read-ahead ${ahead}: no domain needed its driver`);
        t.strictSame(r.plan.samples.map(plain), r.driver.samples.map(plain), `tick ${i}, read-ahead ${ahead}: same rows`);
        t.strictSame(r.plan.problems, [], `tick ${i}, read-ahead ${ahead}: no problem`);
        if (kind === 'kvm' && ahead === 'off') {
          // The stored cgroup columns, read by the plan from the layout's own files (pressure: not on v1).
          const psi = cgroup === 'v1' ? [] : ['cpu', 'memory', 'io'].flatMap((x) => [`psi_${x}_some`, `psi_${x}_full`]);
          const want = [...psi, 'mem_current', 'mem_swap', 'mem_events_oom_kill', 'cpu_throttled_time'];
          const rows = r.plan.samples.flatMap((d) => plain(d).devices.filter((x) => x.kind === 'domain'));
          t.equal(rows.length, 12, 'a row per domain');
          t.strictSame(
            rows.map((x) =>
              Object.keys(x.readings)
                .filter((c) => /^(psi|mem|cpu_thr)/.test(c))
                .sort(),
            ),
            rows.map(() => [...want].sort()),
            `tick ${i}: every domain's row has ${want.length} cgroup columns`,
          );
        }
        // Kept files, all plainly readable: with 'all' the thread read every one of them but the
        // KVM vCPU sched files (~3.8 KB, more than it takes), two per domain, in every layout.
        if (ahead === 'all') t.equal(r.here, kind === 'kvm' ? 24 : 0, `tick ${i}: ${r.ahead} reads served by the read-ahead thread, ${r.here} here`);
        if (ahead === 'off') t.equal(r.ahead, 0, `tick ${i}: ${r.here} reads on the main thread`);
      }
    }
  });
}

t.test("host totals from the plan's /proc/net/dev table equal the careful parser's", async (t) => {
  const hostRows = (root: string) => {
    const conn = new Connection({ root });
    const names = new Set(conn.listAllDomains().flatMap((d) => d.interfaces.flatMap((i) => (i.target === undefined ? [] : [i.target]))));
    const table = new PlanTick(conn.fs).netDev();
    const careful = hostSample(conn.context(), map, names, 'h', [], null);
    return { table, careful: plain(careful), fromTable: plain(hostSample(conn.context(), map, names, 'h', [], table)) };
  };
  for (const [tree] of TREES) {
    const r = hostRows(fixture(tree));
    t.ok(r.table !== null, `${tree}: the table was read`);
    t.ok(r.careful.devices.length > 1, `${tree}: host interfaces found`);
    t.strictSame(r.fromTable, r.careful, `${tree}: same host rows`);
  }
  // Lines the table cannot take plainly hand the whole host to the careful parser.
  const header =
    'Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs colls carrier compressed\n';
  const line = (name: string, first: string) => `${name}: ${first} ${Array.from({ length: 15 }, (_, i) => String(i + 2)).join(' ')}\n`;
  for (const [what, body] of [
    ['a counter past 2^53', line('eth0', '11') + line('eth1', String(2n ** 60n + 3n))],
    ['a malformed line', line('eth0', '11') + 'eth1: 1 2 3\n'],
    ['a duplicated name', line('eth0', '11') + line('eth0', '12')],
  ] as const) {
    const root = t.testdir({ proc: { net: { dev: header + body } } });
    const r = hostRows(root);
    t.strictSame(r.fromTable, r.careful, `${what}: same rows as the careful parser`);
  }
  const big = hostRows(t.testdir({ proc: { net: { dev: header + line('eth1', String(2n ** 60n + 3n)) } } }));
  t.equal(big.fromTable.devices[1]?.readings.rx_bytes, String(2n ** 60n + 3n), 'the exact value is kept');
});

t.test('bad input the agent and the CLI refuse alike: an interface listed twice, a cgroup path with ..', async (t) => {
  const messages = (s: SampleResult) => s.problems.map((p) => `${p.domain}: ${p.message}`);
  /** Both paths, with and without the read-ahead thread: the same rows and problems, and these among them. */
  const alike = async (t: Test, root: string, want: string[]) => {
    for (const ahead of ['off', 'all'] as const) {
      const r = await both(root, ahead);
      t.strictSame(r.plan.samples.map(plain), r.driver.samples.map(plain), `read-ahead ${ahead}: the plan's rows are the drivers' rows`);
      t.strictSame(messages(r.plan), messages(r.driver), `read-ahead ${ahead}: the same problems, word for word`);
      for (const m of want) t.ok(messages(r.plan).includes(m), `read-ahead ${ahead}: ${m}`, { found: messages(r.plan) });
    }
    return (await both(root)).plan;
  };

  t.test("alpha's vnet1 a second time, behind a tab the kernel never writes; the host's eth0 twice", async (t) => {
    const root = tempTree(t, 'kvm-cgroup1-systemd');
    const line = (name: string, base: number) => `${name}: ${Array.from({ length: 16 }, (_, i) => base + i).join(' ')}\n`;
    fs.appendFileSync(path.join(root, 'proc/net/dev'), '\t' + line('vnet1', 900) + line('  eth0', 800));
    const plan = await alike(t, root, [
      'alpha: interface vnet1: /proc/net/dev: device vnet1 listed twice',
      '@host: interface eth0: /proc/net/dev: device eth0 listed twice',
    ]);
    const alpha = plain(plan.samples.find((s) => s.name === 'alpha')!);
    t.strictSame(
      alpha.devices.filter((d) => d.kind === 'net' && Object.keys(d.readings).length > 0).map((d) => d.name),
      ['vnet0', 'macvtap0'],
      'neither vnet1 line is taken: readings for vnet0 and macvtap0 only',
    );
    const host = plain(plan.samples.find((s) => s.key === '@host')!);
    t.notOk(
      host.devices.some((d) => d.name === 'eth0'),
      'nor either eth0 line',
    );
    t.ok(
      host.devices.some((d) => d.name === 'virbr0'),
      "the host's other interfaces are kept",
    );
    t.strictSame(
      await runCli(['domifstat', 'alpha', 'vnet1', '--root', root]),
      { code: 1, out: '', err: 'error: Failed to get interface stats alpha vnet1: internal error: /proc/net/dev: device vnet1 listed twice\n' },
      'the CLI: the same words',
    );
  });

  t.test("zeta's QEMU process in a group named with '..'", async (t) => {
    const root = tempTree(t, 'kvm-cgroup2-systemd');
    fs.writeFileSync(path.join(root, 'proc/4501/cgroup'), '0::/machine.slice/../../../etc/emulator\n');
    const plan = await alike(t, root, ['zeta: cpu-total: cgroup path of process 4501 is not a plain path: "/machine.slice/../../../etc/emulator"']);
    const zeta = plain(plan.samples.find((s) => s.name === 'zeta')!);
    t.ok(
      zeta.devices.some((d) => d.kind === 'block' && d.readings.rd_reqs !== undefined),
      "zeta's block counters are there",
    );
    t.equal(zeta.devices[0]!.readings.cpu_time, undefined, 'its CPU time is not');
  });

  t.test('a u64 of pages or microseconds whose value in KiB or ns is past 2^64-1: refused, never shown', async (t) => {
    const root = tempTree(t, 'kvm-cgroup2-systemd');
    const U64_MAX = '18446744073709551615';
    const statFile = path.join(root, 'proc/4501/stat');
    const stat = fs.readFileSync(statFile, 'utf8').split(' ');
    stat[23] = U64_MAX; // rss, in pages
    fs.writeFileSync(statFile, stat.join(' '));
    const cpuStat = path.join(root, 'sys/fs/cgroup/machine.slice/machine-qemu\\x2d5\\x2dzeta.scope/libvirt/cpu.stat'); // the domain's group
    fs.writeFileSync(cpuStat, fs.readFileSync(cpuStat, 'utf8').replace(/^usage_usec .*$/m, `usage_usec ${U64_MAX}`));
    const plan = await alike(t, root, [
      `zeta: cpu-total: cpu.time: ${U64_MAX} × 1000 is past 2^64-1`,
      `zeta: balloon: balloon.rss: ${U64_MAX} × 4 is past 2^64-1`,
    ]);
    const zeta = plain(plan.samples.find((s) => s.name === 'zeta')!);
    t.equal(zeta.devices[0]!.readings.cpu_time, undefined, 'no CPU time');
    t.equal(zeta.devices[0]!.readings.balloon_rss, undefined, 'no RSS');
    t.ok(
      zeta.devices.some((d) => d.kind === 'block' && d.readings.rd_reqs !== undefined),
      'the rest of the domain is there',
    );
    t.strictSame(
      await runCli(['dommemstat', 'zeta', '--root', root]),
      { code: 1, out: '', err: `error: Failed to get memory statistics for domain zeta: balloon.rss: ${U64_MAX} × 4 is past 2^64-1\n` },
      'dommemstat refuses it',
    );
    const cpu = await runCli(['cpu-stats', 'zeta', '--total', '--root', root]);
    t.equal(cpu.code, 1);
    t.match(cpu.err, `cpu.time: ${U64_MAX} × 1000 is past 2^64-1`, 'cpu-stats refuses it');
  });
});

t.test('an interface named with UTF-8 bytes (the kernel allows vné): found by the plan, the driver and the CLI', async (t) => {
  const root = tempTree(t, 'kvm-cgroup2-systemd');
  const xml = path.join(root, 'run/libvirt/qemu/zeta.xml');
  fs.writeFileSync(xml, fs.readFileSync(xml, 'utf8').replace("<target dev='vnet0'/>", "<target dev='vné'/>"));
  // /proc/net/dev holds the name's bytes (c3 a9 for é), right-aligned as the kernel prints them.
  const dev = path.join(root, 'proc/net/dev');
  const bytes = fs.readFileSync(dev);
  const at = bytes.indexOf(' vnet0:');
  t.ok(at > 0, 'the fixture lists vnet0');
  fs.writeFileSync(dev, Buffer.concat([bytes.subarray(0, at), Buffer.from('  vn\u00e9:', 'utf8'), bytes.subarray(at + ' vnet0:'.length)]));
  const r = await both(root);
  t.strictSame(r.plan.samples.map(plain), r.driver.samples.map(plain), 'same rows, same exact readings');
  const zeta = r.plan.samples.map(plain).find((d) => d.name === 'zeta');
  const net = zeta?.devices.find((d) => d.kind === 'net' && d.name === 'vné');
  t.equal(net?.readings['rx_bytes'], '5040009', "vné's counters (the guest's view: the line's tx bytes)");
  t.same(
    r.plan.problems.filter((p) => p.domain === 'zeta'),
    [],
    'no problem for zeta',
  );
  const cli = await runCli(['domifstat', 'zeta', 'vné', '--root', root]);
  t.same(
    cli,
    {
      code: 0,
      out: 'vné rx_bytes 5040009\nvné rx_packets 5040010\nvné rx_errs 5040011\nvné rx_drop 5040012\nvné tx_bytes 5040001\nvné tx_packets 5040002\nvné tx_errs 5040003\nvné tx_drop 5040004\n\n',
      err: '',
    },
    'domifstat zeta vné',
  );
});

t.test('vCPU wait from sched files of every layout: the plan reads what the driver reads', async (t) => {
  const sim = createSimHost({ dir: path.join(dir, 'sim-sched'), domains: 1, kind: 'kvm', maxOpenFiles: 64 });
  t.teardown(() => sim.close());
  sim.advance(3);
  const sched = fs
    .readdirSync(path.join(sim.dir, 'proc'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('/sched'))
    .map((f) => path.join(sim.dir, 'proc', f));
  t.ok(sched.length >= 2, 'the domain has vCPU sched files');
  const row = (key: string, value: string) => `${key.padEnd(45)}:${value.padStart(21)}\n`;
  const layouts: [what: string, body: string, careful: boolean, waitNs: string | null][] = [
    [
      'old kernels: se.statistics.wait_sum after iowait_sum',
      'vcpu (1, #threads: 1)\n' + row('se.statistics.iowait_sum', '5.000000') + row('se.statistics.wait_sum', '1234.567890'),
      false,
      '1234567890',
    ],
    ['se.wait_sum', row('se.exec_start', '1.5') + row('se.wait_sum', '77.5'), false, '77500000'],
    [
      '"wait_sum" in a value and in a longer key first',
      row('nr_wait_sum_x', '3') + row('comment', 'wait_sum') + row('wait_sum', '42.000001'),
      false,
      '42000001',
    ],
    ['no wait_sum (no schedstats)', row('se.exec_start', '1.5') + row('nr_switches', '9'), false, null],
    ['wait_sum on the last line, cut short (no final newline)', row('nr_switches', '9') + 'wait_sum : 8.25', true, null],
    ['wait_sum on the last line', row('nr_switches', '9') + 'wait_sum : 8.25\n', false, '8250000'],
    ['a malformed value', row('wait_sum', '12.3.4'), true, null],
  ];
  for (const [what, body, careful, waitNs] of layouts) {
    fs.writeFileSync(sched[0]!, body);
    // Read here (the bytes at the start of HostFs's buffer) and by the read-ahead thread (the
    // bytes somewhere in its shared buffer, after other files' bytes).
    for (const ahead of ['off', 'all'] as const) {
      const how = `${what} (read-ahead ${ahead})`;
      const r = await both(sim.dir, ahead);
      t.equal(r.careful, careful ? 1 : 0, `${how}: ${careful ? 'the driver' : 'the plan'} reads it`);
      t.strictSame(r.plan.samples.map(plain), r.driver.samples.map(plain), `${how}: same rows`);
      if (!careful) {
        const waits = plain(r.plan.samples[0]!)
          .devices.filter((d) => d.kind === 'vcpu')
          .map((d) => d.readings.wait ?? null);
        t.ok(waits.includes(waitNs), `${how}: vCPU wait ${waitNs ?? 'absent'} (${waits.join(', ')})`);
      }
    }
  }
});

t.test('a read-ahead thread that stops answering, or dies, costs a wait and a message, never a value', async (t) => {
  const sim = createSimHost({ dir: path.join(dir, 'sim-stall'), domains: 12, kind: 'kvm', maxOpenFiles: 256 });
  t.teardown(() => sim.close());
  const conn = new Connection({ root: sim.dir });
  conn.fs.keepOpen(1000);
  // Only the held thread below ever makes the main thread wait this long, however loaded the machine.
  const sampler = new Sampler(conn, map, { hostname: 'h', readAheadFrom: 0, readAheadFirst: true, readAheadTimeoutMs: 2000 });
  /** Waits (at most 20 s) for something the worker thread does in its own time. */
  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 2000 && !cond(); i++) await new Promise((res) => setTimeout(res, 10));
    return cond();
  };
  t.teardown(() => sampler.close());
  const driverRows = () => new Sampler(new Connection({ root: sim.dir }), map, { hostname: 'h', usePlans: false }).sample(1000).samples.map(plain);
  const hostMessages = (r: SampleResult) => r.problems.filter((p) => p.domain === '@host').map((p) => p.message);
  sampler.sample(1000); // lays out the groups
  const ra = sampler.readAhead!;
  t.ok(ra !== null, 'the sampler started a read-ahead thread');
  // The thread boots in the background: the stall below is made only once it has served a tick.
  let warm = 0;
  while (sampler.readsAhead === 0 && warm++ < 500) sampler.sample(1000);
  t.ok(sampler.readsAhead > 0, `the thread is up (after ${warm} tick(s))`);

  ra.hold(true); // it stops on the first group it claims
  let r = sampler.sample(1000);
  t.strictSame(r.samples.map(plain), driverRows(), 'stalled: the main thread read the held group; same rows');
  t.strictSame(hostMessages(r), ['read-ahead thread did not answer within 2000 ms: the main thread read its domains'], 'said once');
  r = sampler.sample(1000);
  t.equal(sampler.readsAhead, 0, 'while it is still busy, it is not asked');
  t.strictSame(hostMessages(r), [], 'and nothing more is said');
  t.strictSame(r.samples.map(plain), driverRows(), 'same rows');
  ra.hold(false);
  t.ok(await until(() => ra.idle), 'released, it finishes the tick it held');
  r = sampler.sample(1000);
  t.ok(sampler.readsAhead > 0, `answering again: ${sampler.readsAhead} reads served`);
  t.strictSame(r.samples.map(plain), driverRows(), 'same rows');

  await (ra as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
  t.ok(await until(() => ra.failure !== null), 'its exit is noticed');
  sim.advance(3);
  r = sampler.sample(1000);
  t.match(hostMessages(r), [/^read-ahead thread exited \(\d+\); reading on the main thread from now on$/], 'a dead thread is said once');
  t.equal(sampler.readAhead, null, 'and dropped');
  t.strictSame(r.samples.map(plain), driverRows(), 'same rows');
  r = sampler.sample(1000);
  t.strictSame(hostMessages(r), [], 'nothing more is said');
  t.equal(sampler.readsAhead, 0, 'the main thread reads alone');
});
