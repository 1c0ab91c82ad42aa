// The KVM driver over the four synthetic host trees (fixtures/KVM-FIXTURES.md): every key of
// every record, exactly, with values computed from the fixture formula V(D, F, N) — not from
// the code under test — plus the per-device calls, memory stats, states and bad input.
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { Connection, StatsGroup } from '../../../src/connection/connection.js';
import { StatsFlag } from '../../../src/stats/groups.js';
import { VirErrorCode } from '../../../src/stats/errors.js';
import type { TypedValue } from '../../../src/stats/typed-params.js';
import type { CpuStatsParams } from '../../../src/drivers/driver.js';
import { connect, keysWith, MS_NS, record, tempTree, TICK_NS, US_NS, V } from '../../helpers/kvm.js';

// ---------------------------------------------------------------------------------------------
// What each running domain's record must be (KVM-FIXTURES.md)

interface Spec {
  tree: string;
  name: string;
  D: number;
  state: [number, number];
  /** Where cpu.* comes from: v1 cpuacct (F60), v2 nested libvirt group (F71), v2 own group (F70). */
  cpu: 'v1' | 'v2-nested' | 'v2';
  memory: { current: bigint; maximum: bigint };
  vcpu: { current: number; maximum: number };
  vcpus: { id: number; wait: boolean }[];
  ifaces: { name: string; swapped: boolean }[];
  disks: { name: string; path: string; index: number; block: boolean }[];
}

const SPECS: Spec[] = [
  {
    tree: 'kvm-cgroup1-systemd',
    name: 'alpha',
    D: 1,
    state: [1, 1],
    cpu: 'v1',
    memory: { current: 2097152n, maximum: 4194304n },
    vcpu: { current: 2, maximum: 4 },
    vcpus: [
      { id: 0, wait: true },
      { id: 1, wait: false },
    ],
    ifaces: [
      { name: 'vnet0', swapped: true },
      { name: 'vnet1', swapped: true },
      { name: 'macvtap0', swapped: false },
    ],
    disks: [
      { name: 'vda', path: '/dev/vg0/alpha', index: 2, block: true },
      { name: 'vdb', path: '/var/lib/libvirt/images/alpha-data.qcow2', index: 1, block: false },
    ],
  },
  {
    tree: 'kvm-cgroup1-systemd',
    name: 'beta',
    D: 2,
    state: [1, 1],
    cpu: 'v1',
    memory: { current: 1048576n, maximum: 1048576n },
    vcpu: { current: 1, maximum: 1 },
    vcpus: [{ id: 0, wait: true }],
    ifaces: [{ name: 'vnet2', swapped: true }],
    disks: [{ name: 'vda', path: '/var/lib/libvirt/images/beta.qcow2', index: 1, block: false }],
  },
  {
    tree: 'kvm-cgroup1-systemd',
    name: 'delta',
    D: 4,
    state: [3, 1],
    cpu: 'v1',
    memory: { current: 1572864n, maximum: 3145728n },
    vcpu: { current: 1, maximum: 1 },
    vcpus: [{ id: 0, wait: false }],
    ifaces: [{ name: 'vnet3', swapped: true }],
    disks: [{ name: 'vda', path: '/var/lib/libvirt/images/delta.qcow2', index: 1, block: false }],
  },
  {
    tree: 'kvm-cgroup1-nosystemd',
    name: 'epsilon',
    D: 3,
    state: [1, 1],
    cpu: 'v1',
    memory: { current: 655360n, maximum: 786432n },
    vcpu: { current: 2, maximum: 2 },
    vcpus: [
      { id: 0, wait: false },
      { id: 1, wait: true },
    ],
    ifaces: [{ name: 'vnet0', swapped: true }],
    disks: [{ name: 'vda', path: '/dev/sdb', index: 1, block: true }],
  },
  {
    tree: 'kvm-cgroup2-systemd',
    name: 'zeta',
    D: 5,
    state: [1, 1],
    cpu: 'v2-nested',
    memory: { current: 6291456n, maximum: 8388608n },
    vcpu: { current: 2, maximum: 2 },
    vcpus: [
      { id: 0, wait: true },
      { id: 1, wait: false },
    ],
    ifaces: [{ name: 'vnet0', swapped: true }],
    disks: [{ name: 'vda', path: '/dev/mapper/vg1-zeta', index: 1, block: true }],
  },
  {
    tree: 'kvm-hybrid',
    name: 'theta',
    D: 7,
    state: [1, 1],
    cpu: 'v2',
    memory: { current: 1310720n, maximum: 1310720n },
    vcpu: { current: 1, maximum: 1 },
    vcpus: [{ id: 0, wait: true }],
    ifaces: [{ name: 'vnet0', swapped: true }],
    disks: [{ name: 'vda', path: '/dev/sda', index: 1, block: true }],
  },
];

const cpuOf = (s: Spec) => {
  const D = s.D;
  if (s.cpu === 'v1') return { time: V(D, 60, 1), user: V(D, 60, 2) * TICK_NS, system: V(D, 60, 3) * TICK_NS };
  const F = s.cpu === 'v2-nested' ? 71 : 70;
  return { time: V(D, F, 1) * US_NS, user: V(D, F, 2) * US_NS, system: V(D, F, 3) * US_NS };
};

/** The full record, in libvirt's group order, built from the fixture formula. */
function expectedRecord(s: Spec, extra: boolean): [string, TypedValue][] {
  const D = s.D;
  const r: [string, TypedValue][] = [
    ['state.state', s.state[0]],
    ['state.reason', s.state[1]],
  ];
  const cpu = cpuOf(s);
  r.push(['cpu.time', cpu.time], ['cpu.user', cpu.user], ['cpu.system', cpu.system]);
  r.push(['balloon.current', s.memory.current], ['balloon.maximum', s.memory.maximum], ['balloon.rss', V(D, 1, 24) * 4n]);
  r.push(['vcpu.current', s.vcpu.current], ['vcpu.maximum', s.vcpu.maximum]);
  for (const v of s.vcpus) {
    r.push([`vcpu.${v.id}.state`, 1]);
    r.push([`vcpu.${v.id}.time`, (V(D, 10 + v.id, 14) + V(D, 10 + v.id, 15)) * TICK_NS]);
    if (v.wait) r.push([`vcpu.${v.id}.wait`, V(D, 30 + v.id, 1) * 1000n]);
    r.push([`vcpu.${v.id}.delay`, V(D, 20 + v.id, 2)]);
  }
  r.push(['net.count', s.ifaces.length]);
  s.ifaces.forEach((n, i) => {
    const col = (k: number) => V(D, 40 + i, k);
    const [rx, tx] = n.swapped ? [9, 1] : [1, 9];
    r.push([`net.${i}.name`, n.name]);
    r.push([`net.${i}.rx.bytes`, col(rx)], [`net.${i}.rx.pkts`, col(rx + 1)], [`net.${i}.rx.errs`, col(rx + 2)], [`net.${i}.rx.drop`, col(rx + 3)]);
    r.push([`net.${i}.tx.bytes`, col(tx)], [`net.${i}.tx.pkts`, col(tx + 1)], [`net.${i}.tx.errs`, col(tx + 2)], [`net.${i}.tx.drop`, col(tx + 3)]);
  });
  r.push(['block.count', s.disks.length]);
  s.disks.forEach((k, i) => {
    r.push([`block.${i}.name`, k.name], [`block.${i}.path`, k.path], [`block.${i}.backingIndex`, k.index]);
    if (!k.block) return;
    const f = (n: number) => V(D, 50 + i, n);
    r.push([`block.${i}.rd.reqs`, f(1)], [`block.${i}.rd.bytes`, f(3) * 512n], [`block.${i}.rd.times`, f(4) * MS_NS]);
    r.push([`block.${i}.wr.reqs`, f(5)], [`block.${i}.wr.bytes`, f(7) * 512n], [`block.${i}.wr.times`, f(8) * MS_NS]);
    r.push([`block.${i}.fl.reqs`, f(16)], [`block.${i}.fl.times`, f(17) * MS_NS]);
    r.push([`block.${i}.capacity`, f(18) * 512n], [`block.${i}.physical`, f(18) * 512n]);
  });
  if (extra) {
    ['rchar', 'wchar', 'syscr', 'syscw', 'read_bytes', 'write_bytes', 'cancelled_write_bytes'].forEach((k, i) => r.push([`extra.io.${k}`, V(D, 2, i + 1)]));
  }
  return r;
}

t.test('every running domain: the whole record, exactly', async (t) => {
  for (const s of SPECS) {
    t.test(`${s.tree} ${s.name}`, async (t) => {
      const conn = connect(s.tree);
      t.strictSame([...record(conn, s.name)], expectedRecord(s, false), 'stats 0: every libvirt group, no extra');
      t.strictSame(conn.lastProblems, [], 'no problems');
      t.strictSame([...record(conn, s.name, 0x7ff | StatsGroup.EXTRA)], expectedRecord(s, true), 'libvirt groups + extra');
      t.strictSame(
        [...record(conn, s.name, StatsGroup.EXTRA)],
        expectedRecord(s, true).filter(([k]) => k.startsWith('extra.')),
        'extra alone',
      );
    });
  }
  t.end();
});

t.test('hand-computed values (independent of the formula helper)', async (t) => {
  const a = record(connect('kvm-cgroup1-systemd'), 'alpha');
  // cpuacct.usage 1060001 ns; cpuacct.stat user 1060002 / system 1060003 ticks x 10,000,000
  t.equal(a.get('cpu.time'), 1060001n);
  t.equal(a.get('cpu.user'), 10600020000000n);
  t.equal(a.get('cpu.system'), 10600030000000n);
  // rss 1001024 pages x 4 KiB
  t.equal(a.get('balloon.rss'), 4004096n);
  // vcpu0: utime 1010014 + stime 1010015 ticks; wait_sum "1030.001000" ms; schedstat field 2
  t.equal(a.get('vcpu.0.time'), 20200290000000n);
  t.equal(a.get('vcpu.0.wait'), 1030001000n);
  t.equal(a.get('vcpu.0.delay'), 1020002n);
  t.notOk(a.has('vcpu.1.wait'), 'no wait_sum line: vcpu.1.wait absent, not 0');
  // vnet0 (tap): guest rx = host tx column 9
  t.equal(a.get('net.0.rx.bytes'), 1040009n);
  t.equal(a.get('net.0.tx.bytes'), 1040001n);
  // macvtap0 (type='direct'): not swapped
  t.equal(a.get('net.2.rx.bytes'), 1042001n);
  t.equal(a.get('net.2.tx.bytes'), 1042009n);
  // dm-3: read sectors 1050003 x 512, read ms 1050004 x 1e6, size 1050018 x 512
  t.equal(a.get('block.0.rd.bytes'), 537601536n);
  t.equal(a.get('block.0.rd.times'), 1050004000000n);
  t.equal(a.get('block.0.capacity'), 537609216n);
  t.equal(a.get('block.0.physical'), 537609216n);
  t.strictSame(keysWith(a, 'block.1.'), ['block.1.name', 'block.1.path', 'block.1.backingIndex'], 'file-backed disk: no counters');

  const z = record(connect('kvm-cgroup2-systemd'), 'zeta');
  // nested libvirt/cpu.stat usage_usec 5071001 (the scope's own says 5070001)
  t.equal(z.get('cpu.time'), 5071001000n);
  t.equal(z.get('cpu.user'), 5071002000n);
  t.equal(z.get('cpu.system'), 5071003000n);
  // "wait_sum" (kernel >= 5.16 spelling) 5030.001000 ms
  t.equal(z.get('vcpu.0.wait'), 5030001000n);

  const h = record(connect('kvm-hybrid'), 'theta');
  t.equal(h.get('cpu.time'), 7070001000n, 'hybrid: unified cpu.stat');
  t.equal(h.get('block.0.rd.reqs'), 7050001n, 'sda 8:0, not the 18:0 decoy (8043001)');
  t.end();
});

t.test('record order, states and inactive domains', async (t) => {
  const conn = connect('kvm-cgroup1-systemd');
  const recs = conn.getAllDomainStats(0, 0);
  t.strictSame(
    recs.map((r) => r.domain.name),
    ['alpha', 'beta', 'delta', 'gamma'],
    'running/paused by id, then inactive by name',
  );
  t.strictSame(conn.lastProblems, []);
  t.strictSame(
    conn.listAllDomains().map((d) => [d.name, d.id, d.state, d.reason, d.persistent]),
    [
      ['alpha', 1, 1, 1, true],
      ['beta', 2, 1, 1, false],
      ['delta', 4, 3, 1, true],
      ['gamma', -1, 5, 0, true],
    ],
  );

  const d = record(conn, 'delta');
  t.equal(d.get('state.state'), 3, 'paused');
  t.equal(d.get('state.reason'), 1, "reason 'user'");
  t.equal(d.get('cpu.time'), V(4, 60, 1), 'a paused domain still has counters');

  const g = record(conn, 'gamma', 0x7ff | StatsGroup.EXTRA);
  t.strictSame(
    [...g],
    [
      ['state.state', 5],
      ['state.reason', 0],
      ['balloon.current', 524288n],
      ['balloon.maximum', 524288n],
      ['vcpu.current', 2],
      ['vcpu.maximum', 2],
      ['block.count', 1],
      ['block.0.name', 'vda'],
      ['block.0.path', '/var/lib/libvirt/images/gamma.qcow2'],
    ],
    'shut off: definition values only, no counters, no net group',
  );

  t.strictSame(
    conn.getAllDomainStats(StatsGroup.STATE, StatsFlag.PAUSED).map((r) => r.domain.name),
    ['delta'],
  );
  t.strictSame(
    conn.getAllDomainStats(StatsGroup.STATE, StatsFlag.SHUTOFF).map((r) => r.domain.name),
    ['gamma'],
  );
  t.strictSame(
    conn.getAllDomainStats(StatsGroup.STATE, StatsFlag.TRANSIENT).map((r) => r.domain.name),
    ['beta'],
  );
  t.end();
});

t.test('interfaceStats: tap swapped, macvtap not, ownership checked', async (t) => {
  const conn = connect('kvm-cgroup1-systemd');
  const alpha = conn.lookupDomain('alpha');
  t.strictSame(conn.interfaceStats(alpha, 'vnet1'), {
    rx_bytes: V(1, 41, 9),
    rx_packets: V(1, 41, 10),
    rx_errs: V(1, 41, 11),
    rx_drop: V(1, 41, 12),
    tx_bytes: V(1, 41, 1),
    tx_packets: V(1, 41, 2),
    tx_errs: V(1, 41, 3),
    tx_drop: V(1, 41, 4),
  });
  const mv = {
    rx_bytes: V(1, 42, 1),
    rx_packets: V(1, 42, 2),
    rx_errs: V(1, 42, 3),
    rx_drop: V(1, 42, 4),
    tx_bytes: V(1, 42, 9),
    tx_packets: V(1, 42, 10),
    tx_errs: V(1, 42, 11),
    tx_drop: V(1, 42, 12),
  };
  t.strictSame(conn.interfaceStats(alpha, 'macvtap0'), mv);
  t.strictSame(conn.interfaceStats(alpha, '52:54:00:01:00:02'), mv, 'by MAC address');
  t.throws(
    () => conn.interfaceStats(alpha, 'xvnet0'),
    { name: 'VirError', vir: VirErrorCode.INVALID_ARG, detail: "'xvnet0' is not a known interface" },
    "decoy line is nobody's",
  );
  t.throws(() => conn.interfaceStats(alpha, 'vnet2'), { name: 'VirError', vir: VirErrorCode.INVALID_ARG }, "beta's interface");
  t.throws(() => conn.interfaceStats(conn.lookupDomain('gamma'), 'vnet0'), {
    name: 'VirError',
    vir: VirErrorCode.OPERATION_INVALID,
    detail: 'domain is not running',
  });
  t.end();
});

t.test('blockStats/blockStatsFlags: host block device only', async (t) => {
  for (const [tree, name, D, src] of [
    ['kvm-cgroup1-systemd', 'alpha', 1, '/dev/vg0/alpha'],
    ['kvm-cgroup1-nosystemd', 'epsilon', 3, '/dev/sdb'],
    ['kvm-cgroup2-systemd', 'zeta', 5, '/dev/mapper/vg1-zeta'],
    ['kvm-hybrid', 'theta', 7, '/dev/sda'],
  ] as const) {
    const conn = connect(tree);
    const dom = conn.lookupDomain(name);
    const f = (n: number) => V(D, 50, n);
    const legacy = { rd_req: f(1), rd_bytes: f(3) * 512n, wr_req: f(5), wr_bytes: f(7) * 512n, errs: -1n };
    t.strictSame(conn.blockStats(dom, 'vda'), legacy, `${name} vda`);
    t.strictSame(conn.blockStats(dom, src), legacy, `${name} by source path`);
    t.strictSame(
      conn.blockStatsFlags(dom, 'vda').map((p) => [p.field, p.type, p.value]),
      [
        ['wr_bytes', 'llong', f(7) * 512n],
        ['wr_operations', 'llong', f(5)],
        ['rd_bytes', 'llong', f(3) * 512n],
        ['rd_operations', 'llong', f(1)],
        ['flush_operations', 'llong', f(16)],
        ['wr_total_times', 'llong', f(8) * MS_NS],
        ['rd_total_times', 'llong', f(4) * MS_NS],
        ['flush_total_times', 'llong', f(17) * MS_NS],
      ],
      `${name} typed, QEMU order`,
    );
  }
  const conn = connect('kvm-cgroup1-systemd');
  const alpha = conn.lookupDomain('alpha');
  t.throws(() => conn.blockStats(alpha, 'vdb'), { name: 'VirError', vir: VirErrorCode.OPERATION_UNSUPPORTED }, "file-backed disk: counters are QEMU's");
  t.throws(() => conn.blockStats(alpha, 'vdc'), { name: 'VirError', vir: VirErrorCode.INVALID_ARG, detail: 'invalid path: vdc' });
  t.throws(() => conn.blockStats(conn.lookupDomain('gamma'), 'vda'), { name: 'VirError', vir: VirErrorCode.OPERATION_INVALID });
  t.end();
});

t.test('a disk on 8:0 reads /sys/dev/block/8:0, never 18:0 (nor blkio files)', async (t) => {
  const conn = connect('kvm-hybrid');
  const theta = conn.lookupDomain('theta');
  const ops = conn.blockStatsFlags(theta, 'vda').find((p) => p.field === 'rd_operations')?.value;
  t.equal(ops, V(7, 50, 1));
  t.not(ops, V(8, 43, 1), 'not the 18:0 decoy');
  const decoy = new Set<bigint>();
  for (let n = 1; n <= 18; n++) for (const m of [1n, 512n, MS_NS]) decoy.add(V(8, 43, n) * m);
  const r = record(conn, 'theta', StatsGroup.BLOCK);
  t.equal(r.get('block.0.rd.reqs'), V(7, 50, 1));
  t.equal(r.get('block.0.capacity'), V(7, 50, 18) * 512n);
  t.strictSame(
    [...r].filter(([, v]) => typeof v === 'bigint' && decoy.has(v)),
    [],
    'no 18:0 value anywhere',
  );

  // Without 8:0 in the tree the disk has no counters; 18:0 does not stand in.
  const root = tempTree(t, 'kvm-hybrid');
  fs.rmSync(path.join(root, 'sys/dev/block/8:0'), { recursive: true });
  const c2 = new Connection({ root });
  const r2 = record(c2, 'theta', StatsGroup.BLOCK);
  t.strictSame(
    [...r2],
    [
      ['block.count', 1],
      ['block.0.name', 'vda'],
      ['block.0.path', '/dev/sda'],
      ['block.0.backingIndex', 1],
    ],
  );
  t.throws(() => c2.blockStats(c2.lookupDomain('theta'), 'vda'), { name: 'VirError', vir: VirErrorCode.OPERATION_UNSUPPORTED });
  t.end();
});

t.test('block device resolution follows the symlink inside the tree', async (t) => {
  // /dev/vg0/alpha -> ../dm-3 -> sys/class/block/dm-3/dev = 253:3. Break the link target's name.
  const root = tempTree(t, 'kvm-cgroup1-systemd');
  t.equal(fs.readlinkSync(path.join(root, 'dev/vg0/alpha')), '../dm-3', 'the copy keeps the relative link');
  fs.rmSync(path.join(root, 'sys/class/block/dm-3'), { recursive: true });
  const conn = new Connection({ root });
  t.notOk(record(conn, 'alpha', StatsGroup.BLOCK).has('block.0.rd.reqs'), 'no sysfs name -> no device -> no counters');
  t.end();
});

t.test('memoryStats: actual (6) and rss (7), at most nr', async (t) => {
  for (const s of SPECS) {
    const conn = connect(s.tree);
    const dom = conn.lookupDomain(s.name);
    const all = [
      { tag: 6, val: s.memory.current },
      { tag: 7, val: V(s.D, 1, 24) * 4n },
    ];
    t.strictSame(conn.memoryStats(dom), all, `${s.name}`);
    t.strictSame(conn.memoryStats(dom, 2), all);
    t.strictSame(conn.memoryStats(dom, 1), all.slice(0, 1), `${s.name} nr 1`);
    t.strictSame(conn.memoryStats(dom, 0), [], `${s.name} nr 0`);
  }
  const conn = connect('kvm-cgroup1-systemd');
  t.throws(() => conn.memoryStats(conn.lookupDomain('gamma')), { name: 'VirError', vir: VirErrorCode.OPERATION_INVALID, detail: 'domain is not running' });
  t.end();
});

t.test('cpuStats: total, queries and argument checks', async (t) => {
  const conn = connect('kvm-cgroup1-systemd');
  const alpha = conn.lookupDomain('alpha');
  t.strictSame(conn.cpuStats(alpha, -1, 1), {
    cpus: [
      {
        cpu: 'total',
        params: [
          { field: 'cpu_time', type: 'ullong', value: 1060001n },
          { field: 'user_time', type: 'ullong', value: 10600020000000n },
          { field: 'system_time', type: 'ullong', value: 10600030000000n },
        ],
      },
    ],
  });
  t.equal(conn.cpuStats(alpha, 0, 0, 0), 4, 'max-CPU query: present 0-3');
  t.equal(conn.cpuStats(alpha, -1, 1, 0), 3, 'nparams query, total');
  t.equal(conn.cpuStats(alpha, 0, 1, 0), 2, 'nparams query, per CPU (cpu_time, vcpu_time)');
  t.strictSame(
    (conn.cpuStats(alpha, -1, 1, 1) as CpuStatsParams).cpus[0]!.params.map((p) => p.field),
    ['cpu_time'],
    'nparams 1',
  );
  t.throws(() => conn.cpuStats(alpha, -1, 2), { name: 'VirError', vir: VirErrorCode.INVALID_ARG, detail: 'ncpus must be 1 when start_cpu is -1' });
  t.throws(() => conn.cpuStats(alpha, 0, 129), { name: 'VirError', vir: VirErrorCode.INVALID_ARG, detail: 'ncpus must be between 0 and 128' });
  t.throws(() => conn.cpuStats(alpha, 0, 1, 17), { name: 'VirError', vir: VirErrorCode.INVALID_ARG, detail: 'nparams must be between 0 and 16' });
  t.throws(() => conn.cpuStats(alpha, -1, 1, 17), { name: 'VirError', vir: VirErrorCode.INVALID_ARG, detail: 'nparams must be between 0 and 16' });
  t.throws(() => conn.cpuStats(alpha, -2, 1), { name: 'VirError', vir: VirErrorCode.INVALID_ARG });
  t.throws(() => conn.cpuStats(alpha, 4, 1), { name: 'VirError', vir: VirErrorCode.INVALID_ARG, detail: 'start_cpu 4 larger than maximum of 3' });
  t.throws(() => conn.cpuStats(conn.lookupDomain('gamma'), -1, 1), { name: 'VirError', vir: VirErrorCode.OPERATION_INVALID, detail: 'domain is not running' });
  // The max-CPU query needs no running domain (it is about the host).
  t.equal(conn.cpuStats(conn.lookupDomain('gamma'), 0, 0, 0), 4);
  t.end();
});

t.test('vCPU sched/schedstat files: missing data is absent, never 0', async (t) => {
  const root = tempTree(t, 'kvm-cgroup1-systemd');
  fs.rmSync(path.join(root, 'proc/4101/task/4110/sched'));
  fs.rmSync(path.join(root, 'proc/4101/task/4111/schedstat'));
  const conn = new Connection({ root });
  const r = record(conn, 'alpha', StatsGroup.VCPU);
  t.strictSame(
    [...r],
    [
      ['vcpu.current', 2],
      ['vcpu.maximum', 4],
      ['vcpu.0.state', 1],
      ['vcpu.0.time', (V(1, 10, 14) + V(1, 10, 15)) * TICK_NS],
      ['vcpu.0.delay', V(1, 20, 2)],
      ['vcpu.1.state', 1],
      ['vcpu.1.time', (V(1, 11, 14) + V(1, 11, 15)) * TICK_NS],
    ],
  );
  t.strictSame(conn.lastProblems, []);
  t.end();
});

t.test('bad input: the QEMU process of eta no longer exists', async (t) => {
  const conn = connect('kvm-cgroup2-systemd');
  const recs = conn.getAllDomainStats(0, 0);
  t.strictSame(
    recs.map((r) => r.domain.name),
    ['zeta', 'eta'],
    'both records kept',
  );
  const eta = new Map(recs[1]!.params.map((p) => [p.field, p.value]));
  t.strictSame(
    [...eta],
    [
      ['state.state', 1],
      ['state.reason', 1],
      ['balloon.current', 917504n],
      ['balloon.maximum', 917504n],
      ['vcpu.current', 1],
      ['vcpu.maximum', 1],
      ['net.count', 1],
      ['net.0.name', 'vnet1'],
      ['block.count', 1],
      ['block.0.name', 'vda'],
      ['block.0.path', '/var/lib/libvirt/images/eta.qcow2'],
      ['block.0.backingIndex', 1],
    ],
    'no cpu.*, balloon.rss, vcpu.0.* or net counters',
  );
  t.notOk([...eta.values()].includes(V(6, 71, 1) * US_NS), "eta's stale cgroup (found by name only) is not read");
  const zetaSpec = SPECS.find((s) => s.name === 'zeta')!;
  t.strictSame(
    recs[0]!.params.map((p) => [p.field, p.value]),
    expectedRecord(zetaSpec, false),
    'zeta is complete',
  );
  const problems = conn.lastProblems.map((p) => `${p.domain}: ${p.message}`);
  t.strictSame(problems, [
    'eta: cpu-total: domain is not running (process 4601 is gone)',
    'eta: balloon: domain is not running (/proc/4601/stat is gone)',
    'eta: vcpu 0: domain is not running (/proc/4601/task/4610/stat is gone)',
    'eta: interface vnet1: /proc/net/dev: Interface not found',
    'eta: block vda: domain is not running (process 4601 is gone)',
  ]);
  const dom = conn.lookupDomain('eta');
  t.throws(() => conn.memoryStats(dom), { name: 'VirError', vir: VirErrorCode.OPERATION_INVALID });
  t.throws(() => conn.cpuStats(dom, -1, 1), { name: 'VirError', vir: VirErrorCode.OPERATION_INVALID });
  t.throws(() => conn.interfaceStats(dom, 'vnet1'), { name: 'VirError', vir: VirErrorCode.INTERNAL_ERROR, detail: '/proc/net/dev: Interface not found' });
  // extra.io too
  const ex = record(conn, 'eta', StatsGroup.EXTRA);
  t.equal(ex.size, 0, 'no extra.io for a vanished process');
  t.match(conn.lastProblems, [{ domain: 'eta', message: /extra\.io: domain is not running/ }]);
  t.end();
});

t.test('bad input: a QEMU process that vanishes in a temp copy', async (t) => {
  // zeta's pid removed: zeta loses its process-backed fields, eta is unchanged, nothing throws.
  const root = tempTree(t, 'kvm-cgroup2-systemd');
  fs.rmSync(path.join(root, 'proc/4501'), { recursive: true });
  const conn = new Connection({ root });
  const z = record(conn, 'zeta');
  t.strictSame(keysWith(z, 'cpu.'), []);
  t.notOk(z.has('balloon.rss'));
  t.strictSame(keysWith(z, 'vcpu.'), ['vcpu.current', 'vcpu.maximum']);
  t.strictSame(keysWith(z, 'block.0.'), ['block.0.name', 'block.0.path', 'block.0.backingIndex']);
  t.equal(z.get('net.0.rx.bytes'), V(5, 40, 9), 'the tap device is still listed in /proc/net/dev');
  t.ok(conn.lastProblems.length > 0 && conn.lastProblems.every((p) => p.domain === 'zeta'));
  t.end();
});

t.test('bad input: truncated /proc/<pid>/stat', async (t) => {
  const root = tempTree(t, 'kvm-cgroup1-systemd');
  const statFile = path.join(root, 'proc/4101/stat');
  fs.writeFileSync(statFile, fs.readFileSync(statFile, 'latin1').split(' ').slice(0, 20).join(' ') + '\n');
  fs.writeFileSync(path.join(root, 'proc/4101/task/4111/stat'), '4111 (CPU 1/KVM) S 1 4010 4010 0 -1 138412224 1011010 0 1011012 0 10110\n');
  const conn = new Connection({ root });
  const a = record(conn, 'alpha');
  t.notOk(a.has('balloon.rss'), 'rss absent');
  t.equal(a.get('cpu.time'), V(1, 60, 1), 'cpu.* still from the cgroup');
  t.ok(a.has('vcpu.0.time'));
  t.strictSame(keysWith(a, 'vcpu.1.'), [], 'vcpu 1 left out entirely');
  t.match(conn.lastProblems, [
    { domain: 'alpha', message: /^balloon: .*proc\/4101\/stat: truncated: field 24 missing/ },
    { domain: 'alpha', message: /^vcpu 1: .*truncated: field 15 missing/ },
  ]);
  t.equal(conn.lastProblems.length, 2);
  t.strictSame([...record(conn, 'beta')], expectedRecord(SPECS[1]!, false), 'beta complete');
  t.throws(() => conn.memoryStats(conn.lookupDomain('alpha')), /truncated/);

  // A domain with no cgroup takes cpu.* from /proc/<pid>/stat: truncated there, cpu.* is absent.
  fs.writeFileSync(path.join(root, 'proc/4201/cgroup'), '1:name=systemd:/\n');
  fs.writeFileSync(path.join(root, 'proc/4201/stat'), '4201 (qemu-system-x86) S 1 4001 4001 0 -1 138412416 2001010 0 2001012 0 2001014\n');
  const c2 = new Connection({ root });
  const b = record(c2, 'beta');
  t.strictSame(keysWith(b, 'cpu.'), [], 'no wrong number: cpu.* absent');
  t.notOk(b.has('balloon.rss'));
  t.match(
    c2.lastProblems.filter((p) => p.domain === 'beta'),
    [{ message: /^cpu-total: .*truncated: field 15 missing/ }, { message: /^balloon: / }],
  );
  t.end();
});

t.test("bad input: a cgroup path with '..' costs the CPU figures only, said in domstat's words", async (t) => {
  const root = tempTree(t, 'kvm-cgroup2-systemd');
  const zetaSpec = SPECS.find((s) => s.name === 'zeta')!;
  const complete = new Map(expectedRecord(zetaSpec, false));
  for (const [cgroup, problem] of [
    ['0::/machine.slice/../../../etc/emulator\n', 'cgroup path of process 4501 is not a plain path: "/machine.slice/../../../etc/emulator"'],
    ['0::/machine.slice/./zeta.scope\n', 'cgroup path of process 4501 is not a plain path: "/machine.slice/./zeta.scope"'],
    ['not a cgroup line\n', '/proc/4501/cgroup: malformed line "not a cgroup line"'],
  ] as const) {
    fs.writeFileSync(path.join(root, 'proc/4501/cgroup'), cgroup);
    const conn = new Connection({ root });
    const z = record(conn, 'zeta');
    t.strictSame(keysWith(z, 'cpu.'), [], `${JSON.stringify(cgroup)}: no cpu.*`);
    t.strictSame(
      [...z],
      [...complete].filter(([k]) => !k.startsWith('cpu.')),
      'everything else as in the complete record: block counters from /sys/dev/block, RSS and vCPUs from /proc',
    );
    t.ok(z.has('block.0.rd.reqs') && z.has('balloon.rss') && z.has('vcpu.0.time'), 'block, balloon.rss and vCPU times are there');
    t.strictSame(
      conn.lastProblems.map((p) => `${p.domain}: ${p.message}`),
      [`zeta: cpu-total: ${problem}`],
      'one problem',
    );
    const dom = conn.lookupDomain('zeta');
    t.throws(() => conn.cpuStats(dom, -1, 1), { name: 'VirError', vir: VirErrorCode.INTERNAL_ERROR, detail: problem }, 'cpu-stats --total: the problem');
    t.throws(() => conn.cpuStats(dom, 0, 1), { name: 'VirError', vir: VirErrorCode.INTERNAL_ERROR, detail: problem }, 'per-CPU: the problem');
    t.equal(conn.blockStats(dom, 'vda').rd_req, V(5, 50, 1), 'domblkstat is unaffected');
  }
});

t.test('a domain without a cgroup reads /proc/<pid>/stat for cpu.*', async (t) => {
  const root = tempTree(t, 'kvm-cgroup1-systemd');
  fs.writeFileSync(path.join(root, 'proc/4201/cgroup'), '1:name=systemd:/\n3:cpu,cpuacct:/\n');
  const b = record(new Connection({ root }), 'beta', StatsGroup.CPU_TOTAL);
  t.strictSame(
    [...b],
    [
      ['cpu.time', (V(2, 1, 14) + V(2, 1, 15)) * TICK_NS],
      ['cpu.user', V(2, 1, 14) * TICK_NS],
      ['cpu.system', V(2, 1, 15) * TICK_NS],
    ],
    'libvirt qemuDomainGetStatsCpuProc',
  );
  t.end();
});

t.test('bad input: /proc/net/dev line damage costs that interface only', async (t) => {
  const root = tempTree(t, 'kvm-cgroup1-systemd');
  const p = path.join(root, 'proc/net/dev');
  const text = fs.readFileSync(p, 'latin1').replace(/^ vnet1: .*$/m, ' vnet1: 1 2 3');
  fs.writeFileSync(p, text);
  const conn = new Connection({ root });
  const a = record(conn, 'alpha', StatsGroup.INTERFACE);
  t.strictSame(keysWith(a, 'net.1.'), ['net.1.name']);
  t.equal(a.get('net.0.rx.bytes'), V(1, 40, 9));
  t.equal(a.get('net.2.rx.bytes'), V(1, 42, 1));
  t.match(conn.lastProblems, [{ domain: 'alpha', message: /interface vnet1: .*expected 16 counters, found 3/ }]);
  t.end();
});
