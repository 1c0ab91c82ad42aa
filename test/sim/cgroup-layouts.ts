// The simulator's KVM cgroup layouts (v2, v1, hybrid) through domstat's own Connection: for each,
// `domstats --pressure --cgroup-memory --cpu-throttle --cgroup-io --numa` returns every key the
// README's table lists for that layout and no other, each equal to what the files say when parsed
// here (small parsers of this test's own), with counters that grow and gauges that move between
// two advances, no problem, and libvirt's groups intact. One seed run in the three layouts is one
// simulated activity: every key two layouts share is equal, CPU times to their files' resolution.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSimHost, SIM_CGROUPS, type SimCgroup, type SimDomainInfo, type SimHost } from '../../src/sim/simulate.js';
import { Connection } from '../../src/connection/connection.js';
import { StatsGroup } from '../../src/stats/groups.js';
import { privateDir } from '../helpers/moving.js';

const CGROUP_GROUPS = StatsGroup.PRESSURE | StatsGroup.CGROUP_MEMORY | StatsGroup.CPU_THROTTLE | StatsGroup.CGROUP_IO | StatsGroup.NUMA;
const LIBVIRT_GROUPS = StatsGroup.STATE | StatsGroup.CPU_TOTAL | StatsGroup.BALLOON | StatsGroup.VCPU | StatsGroup.INTERFACE | StatsGroup.BLOCK;
const DOMAINS = 5; // one of each profile: web, db, batch, idle, bursty

// ---- The README's table ("What the VM's cgroup knows"), key by key --------------------------------

const PRESSURE = ['cpu', 'memory', 'io'].flatMap((r) => ['some', 'full'].map((l) => `pressure.${r}.${l}.time`));
const MEMORY_BOTH = ['current', 'swap', 'shmem', 'file_mapped', 'file_dirty', 'file_writeback', 'pgfault', 'pgmajfault', 'events.oom_kill'];
const MEMORY_V2 = ['anon', 'file', 'kernel', 'workingset_refault_anon', 'workingset_refault_file', 'events.low', 'events.high', 'events.max', 'events.oom'];
const MEMORY_V1 = ['rss', 'cache', 'max_usage', 'failcnt'];
const THROTTLE = ['cgroup.cpu.periods', 'cgroup.cpu.throttled', 'cgroup.cpu.throttled.time'];
const IO_DEVICE = ['name', 'dev', 'rd.bytes', 'wr.bytes', 'rd.reqs', 'wr.reqs', 'dc.bytes', 'dc.reqs'];
const NUMA_NODE = ['node', 'anon', 'file'];

/** The keys the README's table lists; the first `attributed` devices also name their disk. */
function readmeKeys(layout: SimCgroup, devices: number, nodes: number, attributed: number): string[] {
  const v1 = layout !== 'v2';
  return [
    ...(layout === 'v1' ? [] : PRESSURE),
    ...[...MEMORY_BOTH, ...(v1 ? MEMORY_V1 : MEMORY_V2)].map((k) => `cgroup.memory.${k}`),
    ...THROTTLE,
    'cgroup.io.count',
    ...Array.from({ length: devices }, (_, i) => [...IO_DEVICE, ...(i < attributed ? ['disk'] : [])].map((k) => `cgroup.io.${i}.${k}`)).flat(),
    'cgroup.numa.count',
    ...Array.from({ length: nodes }, (_, i) => NUMA_NODE.map((k) => `cgroup.numa.${i}.${k}`)).flat(),
  ].sort();
}

/** The table's counters (the rest are gauges, names and counts): stall times, faults, events, throttling, I/O; v1's peak and limit hits. */
const isCounter = (k: string) =>
  k.startsWith('pressure.') ||
  k.startsWith('cgroup.cpu.') ||
  /^cgroup\.io\.\d+\.(rd|wr|dc)\./.test(k) ||
  /^cgroup\.memory\.(pgfault|pgmajfault|workingset_refault_(anon|file)|events\..+|max_usage|failcnt)$/.test(k);

// ---- The files, parsed here -----------------------------------------------------------------------

type Values = Map<string, string>;

/** "key value" lines. */
function keyValues(text: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(\d+)$/.exec(line);
    if (m !== null) out.set(m[1]!, BigInt(m[2]!));
  }
  return out;
}

/** "name N0=a N1=b" (v2) or "name=total N0=a N1=b" (v1) lines: name -> per node. */
function numaLines(text: string): Map<string, bigint[]> {
  const out = new Map<string, bigint[]>();
  for (const line of text.trim().split('\n')) {
    const [head, ...nodes] = line.split(' ');
    out.set(
      head!.replace(/=.*/, ''),
      nodes.map((n) => BigInt(n.split('=')[1]!)),
    );
  }
  return out;
}

/** The domain's group path in a layout, written out here (not asked of the simulator). */
function groupOf(layout: SimCgroup, d: SimDomainInfo): string {
  return layout === 'hybrid'
    ? `machine/qemu-${d.id}-${d.name}.libvirt-qemu`
    : `machine.slice/machine-qemu\\x2d${d.id}\\x2d${d.name.replace(/-/g, '\\x2d')}.scope`;
}

/** Every key of domstat's cgroup groups for one domain, from its files. */
/** The domain's disk whose block device a host device is (each simulated disk is a logical volume of its own). */
function diskOn(d: SimDomainInfo, dev: string, found: (target: string) => void): void {
  const k = d.diskDirs.indexOf(`/sys/dev/block/${dev}`);
  if (k >= 0) found(d.disks[k]!);
}

function fromFiles(sim: SimHost, layout: SimCgroup, d: SimDomainInfo): Values {
  const read = (rel: string) => fs.readFileSync(path.join(sim.dir, rel), 'latin1');
  const g = groupOf(layout, d);
  const out: Values = new Map();
  const set = (key: string, v: bigint | number | string) => out.set(key, String(v));
  const v2 = layout === 'v2' ? `sys/fs/cgroup/${g}` : null;
  const psiDir = layout === 'v1' ? null : layout === 'v2' ? v2! : `sys/fs/cgroup/unified/${g}`;
  if (psiDir !== null) {
    for (const r of ['cpu', 'memory', 'io']) {
      const text = read(`${psiDir}/${r}.pressure`);
      for (const l of ['some', 'full']) set(`pressure.${r}.${l}.time`, BigInt(new RegExp(`^${l} .* total=(\\d+)$`, 'm').exec(text)![1]!) * 1000n);
    }
  }
  const memKey = (k: string) => `cgroup.memory.${k}`;
  if (v2 !== null) {
    set(memKey('current'), BigInt(read(`${v2}/memory.current`).trim()));
    set(memKey('swap'), BigInt(read(`${v2}/memory.swap.current`).trim()));
    const stat = keyValues(read(`${v2}/memory.stat`));
    for (const k of ['anon', 'file', 'kernel', 'shmem', 'file_mapped', 'file_dirty', 'file_writeback', 'pgfault', 'pgmajfault']) set(memKey(k), stat.get(k)!);
    for (const k of ['workingset_refault_anon', 'workingset_refault_file']) set(memKey(k), stat.get(k)!);
    const events = keyValues(read(`${v2}/memory.events`));
    for (const k of ['low', 'high', 'max', 'oom', 'oom_kill']) set(memKey(`events.${k}`), events.get(k)!);
    // Throttling from the cpu.stat CPU time is read from: libvirt's nested group.
    const cpu = keyValues(read(`${v2}/libvirt/cpu.stat`));
    set('cgroup.cpu.periods', cpu.get('nr_periods')!);
    set('cgroup.cpu.throttled', cpu.get('nr_throttled')!);
    set('cgroup.cpu.throttled.time', cpu.get('throttled_usec')! * 1000n);
    const io = read(`${v2}/io.stat`).trim().split('\n');
    set('cgroup.io.count', io.length);
    io.forEach((line, i) => {
      const [dev, ...pairs] = line.split(' ');
      const f = new Map(pairs.map((p) => p.split('=') as [string, string]));
      set(`cgroup.io.${i}.dev`, dev!);
      set(`cgroup.io.${i}.name`, /^DEVNAME=(.*)$/m.exec(read(`sys/dev/block/${dev}/uevent`))![1]!);
      diskOn(d, dev!, (target) => set(`cgroup.io.${i}.disk`, target));
      for (const [k, field] of [
        ['rd.bytes', 'rbytes'],
        ['wr.bytes', 'wbytes'],
        ['rd.reqs', 'rios'],
        ['wr.reqs', 'wios'],
        ['dc.bytes', 'dbytes'],
        ['dc.reqs', 'dios'],
      ] as const)
        set(`cgroup.io.${i}.${k}`, f.get(field)!);
    });
    const numa = numaLines(read(`${v2}/memory.numa_stat`));
    set('cgroup.numa.count', numa.get('anon')!.length);
    numa.get('anon')!.forEach((_, n) => {
      set(`cgroup.numa.${n}.node`, n);
      set(`cgroup.numa.${n}.anon`, numa.get('anon')![n]!);
      set(`cgroup.numa.${n}.file`, numa.get('file')![n]!);
    });
    return out;
  }
  const mem = `sys/fs/cgroup/memory/${g}`;
  set(memKey('current'), BigInt(read(`${mem}/memory.usage_in_bytes`).trim()));
  set(memKey('max_usage'), BigInt(read(`${mem}/memory.max_usage_in_bytes`).trim()));
  set(memKey('failcnt'), BigInt(read(`${mem}/memory.failcnt`).trim()));
  const stat = keyValues(read(`${mem}/memory.stat`));
  for (const [k, field] of [
    ['rss', 'total_rss'],
    ['cache', 'total_cache'],
    ['swap', 'total_swap'],
    ['shmem', 'total_shmem'],
    ['file_mapped', 'total_mapped_file'],
    ['file_dirty', 'total_dirty'],
    ['file_writeback', 'total_writeback'],
    ['pgfault', 'total_pgfault'],
    ['pgmajfault', 'total_pgmajfault'],
  ])
    set(memKey(k!), stat.get(field!)!);
  set(memKey('events.oom_kill'), keyValues(read(`${mem}/memory.oom_control`)).get('oom_kill')!);
  const cpu = keyValues(read(`sys/fs/cgroup/${layout === 'v1' ? 'cpu,cpuacct' : 'cpu'}/${g}/cpu.stat`));
  set('cgroup.cpu.periods', cpu.get('nr_periods')!);
  set('cgroup.cpu.throttled', cpu.get('nr_throttled')!);
  set('cgroup.cpu.throttled.time', cpu.get('throttled_time')!);
  const blkio = (file: string) => {
    const ops = new Map<string, Map<string, string>>();
    for (const line of read(`sys/fs/cgroup/blkio/${g}/${file}`).trim().split('\n')) {
      const [dev, op, v] = line.split(' ');
      if (v === undefined) continue; // the grand Total
      if (!ops.has(dev!)) ops.set(dev!, new Map());
      ops.get(dev!)!.set(op!, v);
    }
    return ops;
  };
  const bytes = blkio('blkio.throttle.io_service_bytes');
  const ios = blkio('blkio.throttle.io_serviced');
  set('cgroup.io.count', bytes.size);
  [...bytes.keys()].forEach((dev, i) => {
    set(`cgroup.io.${i}.dev`, dev);
    set(`cgroup.io.${i}.name`, /^DEVNAME=(.*)$/m.exec(read(`sys/dev/block/${dev}/uevent`))![1]!);
    diskOn(d, dev, (target) => set(`cgroup.io.${i}.disk`, target));
    set(`cgroup.io.${i}.rd.bytes`, bytes.get(dev)!.get('Read')!);
    set(`cgroup.io.${i}.wr.bytes`, bytes.get(dev)!.get('Write')!);
    set(`cgroup.io.${i}.rd.reqs`, ios.get(dev)!.get('Read')!);
    set(`cgroup.io.${i}.wr.reqs`, ios.get(dev)!.get('Write')!);
    set(`cgroup.io.${i}.dc.bytes`, bytes.get(dev)!.get('Discard')!);
    set(`cgroup.io.${i}.dc.reqs`, ios.get(dev)!.get('Discard')!);
  });
  const numa = numaLines(read(`${mem}/memory.numa_stat`));
  set('cgroup.numa.count', numa.get('hierarchical_anon')!.length);
  numa.get('hierarchical_anon')!.forEach((_, n) => {
    set(`cgroup.numa.${n}.node`, n);
    set(`cgroup.numa.${n}.anon`, numa.get('hierarchical_anon')![n]! * 4096n);
    set(`cgroup.numa.${n}.file`, numa.get('hierarchical_file')![n]! * 4096n);
  });
  return out;
}

/** The domain's CPU time (cpu.time, cpu.user, cpu.system) from the file each layout keeps it in, ns. */
function cpuFromFiles(sim: SimHost, layout: SimCgroup, d: SimDomainInfo): Values {
  const read = (rel: string) => fs.readFileSync(path.join(sim.dir, rel), 'latin1');
  const g = groupOf(layout, d);
  if (layout === 'v1') {
    const dir = `sys/fs/cgroup/cpuacct/${g}`; // a symlink to cpu,cpuacct
    const stat = keyValues(read(`${dir}/cpuacct.stat`));
    const percpu = read(`${dir}/cpuacct.usage_percpu`).trim().split(' ').map(BigInt);
    const usage = BigInt(read(`${dir}/cpuacct.usage`).trim());
    if (usage !== percpu.reduce((a, b) => a + b, 0n)) throw new Error(`${dir}: cpuacct.usage is not the sum of cpuacct.usage_percpu`);
    return new Map([
      ['cpu.time', String(usage)],
      ['cpu.user', String(stat.get('user')! * 10_000_000n)],
      ['cpu.system', String(stat.get('system')! * 10_000_000n)],
    ]);
  }
  const stat = keyValues(read(layout === 'v2' ? `sys/fs/cgroup/${g}/libvirt/cpu.stat` : `sys/fs/cgroup/unified/${g}/cpu.stat`));
  return new Map([
    ['cpu.time', String(stat.get('usage_usec')! * 1000n)],
    ['cpu.user', String(stat.get('user_usec')! * 1000n)],
    ['cpu.system', String(stat.get('system_usec')! * 1000n)],
  ]);
}

// ---- Runs -------------------------------------------------------------------------------------

interface Reading {
  cgroup: Map<string, Values>;
  libvirt: Map<string, Values>;
  files: Map<string, Values>;
  cpuFiles: Map<string, Values>;
  problems: string[];
}

function readAll(sim: SimHost, layout: SimCgroup): Reading {
  const conn = new Connection({ root: sim.dir });
  const asValues = (stats: number) => {
    const recs = conn.getAllDomainStats(stats, 0);
    return new Map(recs.map((r) => [r.domain.name, new Map(r.params.map((p) => [p.field, String(p.value)]))]));
  };
  const cgroup = asValues(CGROUP_GROUPS);
  const problems = conn.lastProblems.map((p) => `${p.domain}: ${p.message}`);
  const libvirt = asValues(LIBVIRT_GROUPS);
  problems.push(...conn.lastProblems.map((p) => `${p.domain}: ${p.message}`));
  return {
    cgroup,
    libvirt,
    files: new Map(sim.domains.map((d) => [d.name, fromFiles(sim, layout, d)])),
    cpuFiles: new Map(sim.domains.map((d) => [d.name, cpuFromFiles(sim, layout, d)])),
    problems,
  };
}

/** A host of each layout from one seed, read after one advance and again after another minute. */
const runs = new Map<SimCgroup, { sim: SimHost; before: Reading; after: Reading }>();
{
  for (const layout of SIM_CGROUPS) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `domstat-sim-${layout}-`));
    const sim = createSimHost({ dir: path.join(dir, 'host'), domains: DOMAINS, kind: 'kvm', cgroup: layout, seed: 3, startMs: Date.UTC(2026, 11, 7) });
    t.teardown(() => {
      sim.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    sim.advance(1);
    const before = readAll(sim, layout);
    for (let i = 0; i < 60; i++) sim.advance(1);
    runs.set(layout, { sim, before, after: readAll(sim, layout) });
  }
}

t.test('the default layout is v2, and a layout is for KVM only', async (t) => {
  const sim = createSimHost({ dir: path.join(privateDir(t), 'host'), domains: 1, kind: 'kvm' });
  t.teardown(() => sim.close());
  t.equal(sim.cgroup, 'v2');
  t.ok(fs.existsSync(path.join(sim.dir, 'sys/fs/cgroup/cgroup.controllers')), 'a cgroup v2 root');
  t.throws(() => createSimHost({ dir: path.join(privateDir(t), 'x'), domains: 1, kind: 'xen', cgroup: 'v1' }), /for a KVM host/);
});

for (const layout of SIM_CGROUPS) {
  t.test(`${layout}: every key of the README's table for the layout, equal to the files, moving`, async (t) => {
    const { sim, before, after } = runs.get(layout)!;
    t.strictSame(before.problems, [], 'no problem at the first reading');
    t.strictSame(after.problems, [], 'nor at the second');
    for (const d of sim.domains) {
      for (const [when, r] of [
        ['first', before],
        ['second', after],
      ] as const) {
        const got = r.cgroup.get(d.name)!;
        t.strictSame(
          [...got.keys()].sort(),
          readmeKeys(layout, 3, 2, 2),
          `${d.name} (${d.profile}), ${when} reading: the table's keys, three devices (the two disks' named after them), two nodes`,
        );
        t.strictSame(Object.fromEntries(got), Object.fromEntries(r.files.get(d.name)!), `${d.name}, ${when} reading: each value is the files'`);
      }
      const a = before.cgroup.get(d.name)!;
      const b = after.cgroup.get(d.name)!;
      const n = (m: Values, k: string) => BigInt(m.get(k)!);
      t.strictSame(
        [b.get('cgroup.io.0.name'), b.get('cgroup.io.1.name'), b.get('cgroup.io.2.name')],
        [`dm-${2 * (d.id - 1)}`, `dm-${2 * (d.id - 1) + 1}`, 'sda'],
        `${d.name}: its two disks' devices, then the physical volume under them`,
      );
      // Counters never go back; those the model moves every second grow in a minute, on every
      // profile (the idle one's second disk and discards may not: those only do not go back).
      const counters = [...a.keys()].filter(isCounter);
      const back = counters.filter((k) => n(b, k) < n(a, k));
      t.strictSame(back, [], `${d.name}: no counter went back (${counters.length} counters)`);
      const growing = [
        ...(layout === 'v1' ? [] : ['pressure.cpu.some.time', 'pressure.cpu.full.time', 'pressure.io.some.time', 'pressure.io.full.time']),
        'cgroup.memory.pgfault',
        ...THROTTLE,
        ...['0', '2'].flatMap((i) => ['rd.bytes', 'wr.bytes', 'rd.reqs', 'wr.reqs'].map((k) => `cgroup.io.${i}.${k}`)),
      ];
      t.strictSame(
        growing.filter((k) => !(n(b, k) > n(a, k))),
        [],
        `${d.name}: pressure, faults, throttling and the first disk's and the volume's I/O grew`,
      );
      const gauges = [
        'cgroup.memory.current',
        'cgroup.memory.swap',
        layout === 'v2' ? 'cgroup.memory.anon' : 'cgroup.memory.rss',
        'cgroup.numa.0.anon',
        'cgroup.numa.1.anon',
      ];
      t.strictSame(
        gauges.filter((k) => a.get(k) === b.get(k)),
        [],
        `${d.name}: memory, swap and each node's share moved`,
      );
      // The I/O of the volume is its disks' own; a node's memory sums to the group's.
      for (const k of ['rd.bytes', 'wr.bytes', 'rd.reqs', 'wr.reqs', 'dc.bytes', 'dc.reqs'])
        t.equal(n(b, `cgroup.io.2.${k}`), n(b, `cgroup.io.0.${k}`) + n(b, `cgroup.io.1.${k}`), `${d.name}: the volume's ${k} is its two disks'`);
      t.equal(
        n(b, 'cgroup.numa.0.anon') + n(b, 'cgroup.numa.1.anon'),
        n(b, layout === 'v2' ? 'cgroup.memory.anon' : 'cgroup.memory.rss'),
        `${d.name}: the nodes' anon is the group's`,
      );
      // Every field its own value (as the fixtures' are): no two keys of any size print one number.
      const big = [...b].filter(([k, v]) => /^\d+$/.test(v) && BigInt(v) >= 1000n && !k.endsWith('.dev'));
      const seen = new Map<string, string>();
      const same = big.flatMap(([k, v]) => (seen.has(v) ? [`${seen.get(v)} = ${k}`] : (seen.set(v, k), [])));
      t.strictSame(same, [], `${d.name}: ${big.length} values of 1000 or more, all different`);
    }
  });

  t.test(`${layout}: libvirt's groups stay whole; CPU time from the layout's own file`, async (t) => {
    const { sim, after } = runs.get(layout)!;
    for (const d of sim.domains) {
      const r = after.libvirt.get(d.name)!;
      for (const k of [
        'state.state',
        'cpu.time',
        'cpu.user',
        'cpu.system',
        'balloon.current',
        'balloon.maximum',
        'balloon.rss',
        'vcpu.current',
        'vcpu.0.time',
        'vcpu.1.delay',
      ])
        t.ok(r.has(k), `${d.name}: ${k}`);
      t.equal(r.get('net.count'), '2', `${d.name}: two interfaces`);
      t.equal(r.get('block.count'), '2', `${d.name}: two disks`);
      t.strictSame(
        ['cpu.time', 'cpu.user', 'cpu.system'].map((k) => r.get(k)),
        ['cpu.time', 'cpu.user', 'cpu.system'].map((k) => after.cpuFiles.get(d.name)!.get(k)),
        `${d.name}: ${layout === 'v1' ? 'cpuacct.usage and cpuacct.stat' : layout === 'v2' ? "libvirt's nested cpu.stat" : "the unified group's cpu.stat"}`,
      );
    }
  });
}

t.test('one seed, one activity: the layouts agree on every key they share', async (t) => {
  const [v2, v1, hybrid] = SIM_CGROUPS.map((l) => runs.get(l)!.after);
  for (const d of runs.get('v2')!.sim.domains) {
    const shared = (a: Values, b: Values) => [...a.keys()].filter((k) => b.has(k));
    for (const [name, x, y] of [
      ['v2 and v1', v2!, v1!],
      ['v2 and hybrid', v2!, hybrid!],
      ['v1 and hybrid', v1!, hybrid!],
    ] as const) {
      const a = x.cgroup.get(d.name)!;
      const b = y.cgroup.get(d.name)!;
      const keys = shared(a, b);
      t.strictSame(
        keys.filter((k) => a.get(k) !== b.get(k)),
        [],
        `${d.name}, ${name}: ${keys.length} shared cgroup keys equal`,
      );
    }
    const cpu = ['cpu.time', 'cpu.user', 'cpu.system'];
    const libvirt = (r: Reading) => new Map([...r.libvirt.get(d.name)!].filter(([k]) => !cpu.includes(k)));
    t.strictSame(Object.fromEntries(libvirt(v1!)), Object.fromEntries(libvirt(v2!)), `${d.name}: v1's libvirt keys but CPU time are v2's`);
    t.strictSame(Object.fromEntries(libvirt(hybrid!)), Object.fromEntries(libvirt(v2!)), `${d.name}: and hybrid's`);
    t.strictSame(
      cpu.map((k) => hybrid!.libvirt.get(d.name)!.get(k)),
      cpu.map((k) => v2!.libvirt.get(d.name)!.get(k)),
      `${d.name}: hybrid's CPU time (the unified cpu.stat) is v2's`,
    );
    // v1: cpuacct.usage in ns (per-CPU sums), cpuacct.stat in ticks; v2 in µs.
    const ns = (r: Reading, k: string) => BigInt(r.libvirt.get(d.name)!.get(k)!);
    const hostCpus = BigInt(runs.get('v1')!.sim.hostCpus);
    const time = ns(v1!, 'cpu.time') - ns(v2!, 'cpu.time');
    t.ok(time > -hostCpus && time < 1000n, `${d.name}: v1's cpu.time is v2's within a µs (${time} ns)`);
    for (const k of ['cpu.user', 'cpu.system']) {
      const diff = ns(v2!, k) - ns(v1!, k);
      t.ok(diff >= 0n && diff < 10_000_000n, `${d.name}: v1's ${k} is v2's within a tick (${diff} ns)`);
    }
  }
});
