// Cgroup discovery and the CPU figures read from cgroups, over the four synthetic KVM trees
// (fixtures/KVM-FIXTURES.md): v1 with and without systemd, pure v2 with libvirt's nested group,
// and hybrid like the real capture. Values are computed from the fixture formula V(D, F, N).
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { HostFs } from '../../../src/host/hostfs.js';
import { Connection, StatsGroup } from '../../../src/connection/connection.js';
import { VirErrorCode } from '../../../src/stats/errors.js';
import type { CpuStatsParams } from '../../../src/drivers/driver.js';
import { KvmDriver } from '../../../src/drivers/kvm/kvm-driver.js';
import { cpuacctRoot, detectCgroupMode, domainGroupPath, locateDomainCgroups, nested, v2Root } from '../../../src/drivers/kvm/cgroup.js';
import { fixture } from '../../helpers/cli.js';
import { connect, keysWith, record, tempTree, TICK_NS, US_NS, V } from '../../helpers/kvm.js';

const ALPHA_SCOPE = '/machine.slice/machine-qemu\\x2d1\\x2dalpha.scope';
const ZETA_SCOPE = '/machine.slice/machine-qemu\\x2d5\\x2dzeta.scope';

t.test('detectCgroupMode for each tree', async (t) => {
  const mode = (tree: string) => detectCgroupMode(new HostFs(fixture(tree)));
  t.equal(mode('kvm-cgroup1-systemd'), 'v1');
  t.equal(mode('kvm-cgroup1-nosystemd'), 'v1');
  t.equal(mode('kvm-cgroup2-systemd'), 'v2');
  t.equal(mode('kvm-hybrid'), 'hybrid');
  t.equal(mode('libvirt9-qemu7-hybrid-cgroup'), 'hybrid', 'the real capture');
  t.equal(v2Root('v2'), '/sys/fs/cgroup');
  t.equal(v2Root('hybrid'), '/sys/fs/cgroup/unified');
  t.equal(v2Root('v1'), null);
  // The driver's own view, through a connection.
  for (const [tree, m] of [
    ['kvm-cgroup1-systemd', 'v1'],
    ['kvm-cgroup1-nosystemd', 'v1'],
    ['kvm-cgroup2-systemd', 'v2'],
    ['kvm-hybrid', 'hybrid'],
  ] as const) {
    const conn = connect(tree);
    t.equal(conn.drivers.kvm.name, 'kvm');
    t.equal((conn.drivers.kvm as KvmDriver).cgroupMode(conn.fs), m, `${tree} via the driver`);
  }
  // A tree without /sys/fs/cgroup at all.
  t.equal(detectCgroupMode(new HostFs(t.testdir({ proc: {} }))), 'none');
  t.end();
});

t.test('cpuacct mount point: separate, or co-mounted with cpu', async (t) => {
  t.equal(cpuacctRoot(new HostFs(fixture('kvm-cgroup1-systemd'))), '/sys/fs/cgroup/cpuacct', 'systemd link cpuacct -> cpu,cpuacct');
  t.equal(cpuacctRoot(new HostFs(fixture('kvm-cgroup1-nosystemd'))), '/sys/fs/cgroup/cpuacct');
  t.equal(cpuacctRoot(new HostFs(fixture('kvm-cgroup2-systemd'))), null);
  t.equal(cpuacctRoot(new HostFs(fixture('kvm-hybrid'))), '/sys/fs/cgroup/cpuacct');

  // Without the convenience links only the real "cpu,cpuacct" directory is left.
  const root = tempTree(t, 'kvm-cgroup1-systemd');
  fs.rmSync(path.join(root, 'sys/fs/cgroup/cpuacct'));
  fs.rmSync(path.join(root, 'sys/fs/cgroup/cpu'));
  t.equal(cpuacctRoot(new HostFs(root)), '/sys/fs/cgroup/cpu,cpuacct');
  const conn = new Connection({ root });
  t.equal(record(conn, 'alpha').get('cpu.time'), V(1, 60, 1));
  const r = conn.cpuStats(conn.lookupDomain('alpha'), 0, 1) as CpuStatsParams;
  t.equal(r.cpus[0]!.params[0]!.value, V(1, 60, 11));
  t.end();
});

t.test('domainGroupPath: libvirt placement (strip /emulator, then /libvirt)', async (t) => {
  t.equal(domainGroupPath(`${ZETA_SCOPE}/libvirt/emulator`), ZETA_SCOPE);
  t.equal(domainGroupPath(`${ALPHA_SCOPE}/emulator`), ALPHA_SCOPE);
  t.equal(domainGroupPath('/machine/qemu-3-epsilon.libvirt-qemu/emulator'), '/machine/qemu-3-epsilon.libvirt-qemu');
  t.equal(domainGroupPath('/machine/qemu-7-theta.libvirt-qemu/emulator/'), '/machine/qemu-7-theta.libvirt-qemu');
  t.equal(domainGroupPath('/'), null, "the root group is nobody's");
  t.equal(domainGroupPath('/emulator'), null);
  t.throws(() => domainGroupPath('/machine/../../etc/emulator'), {
    name: 'HostPathError',
    message: `not a plain host path (a '..' component): "/machine/../../etc"`,
  });
  t.end();
});

t.test('locateDomainCgroups from /proc/<pid>/cgroup, per tree', async (t) => {
  // cpuacctStats/v2Stats: where CPU figures are read, the nested libvirt group when there is one.
  const acct = (dir: string) => ({ cpuacct: dir, cpuacctStats: dir });
  // cpu, memory, blkio: the v1 controllers' own groups (domstat's cgroup groups), when the process has them.
  const v1 = (root: string, g: string, blkio = true) => ({
    cpu: `/sys/fs/cgroup/${root}${g}`,
    memory: `/sys/fs/cgroup/memory${g}`,
    ...(blkio ? { blkio: `/sys/fs/cgroup/blkio${g}` } : {}),
  });
  const BETA = '/machine.slice/machine-qemu\\x2d2\\x2dbeta.scope';
  const DELTA = '/machine.slice/machine-qemu\\x2d4\\x2ddelta.scope';
  const EPSILON = '/machine/qemu-3-epsilon.libvirt-qemu';
  const THETA = '/machine/qemu-7-theta.libvirt-qemu';
  const cases = [
    ['kvm-cgroup1-systemd', 4101, { mode: 'v1', ...acct(`/sys/fs/cgroup/cpuacct${ALPHA_SCOPE}`), ...v1('cpu', ALPHA_SCOPE) }],
    ['kvm-cgroup1-systemd', 4201, { mode: 'v1', ...acct(`/sys/fs/cgroup/cpuacct${BETA}`), ...v1('cpu', BETA) }],
    ['kvm-cgroup1-systemd', 4401, { mode: 'v1', ...acct(`/sys/fs/cgroup/cpuacct${DELTA}`), ...v1('cpu', DELTA) }],
    ['kvm-cgroup1-nosystemd', 4301, { mode: 'v1', ...acct(`/sys/fs/cgroup/cpuacct${EPSILON}`), ...v1('cpu', EPSILON, false) }],
    ['kvm-cgroup2-systemd', 4501, { mode: 'v2', v2: `/sys/fs/cgroup${ZETA_SCOPE}`, v2Stats: `/sys/fs/cgroup${ZETA_SCOPE}/libvirt` }],
    ['kvm-hybrid', 4701, { mode: 'hybrid', v2: `/sys/fs/cgroup/unified${THETA}`, v2Stats: `/sys/fs/cgroup/unified${THETA}`, ...v1('cpu', THETA) }],
  ] as const;
  for (const [tree, pid, want] of cases) {
    const hfs = new HostFs(fixture(tree));
    const text = hfs.readText(`/proc/${pid}/cgroup`) as string;
    t.strictSame(locateDomainCgroups(hfs, detectCgroupMode(hfs), text, pid), want, `${tree} pid ${pid}`);
  }
  const v2fs = new HostFs(fixture('kvm-cgroup2-systemd'));
  for (const bad of ['0::/machine.slice/../../../etc/emulator', '0::/machine.slice/./x.scope']) {
    t.throws(
      () => locateDomainCgroups(v2fs, 'v2', bad + '\n', 4501),
      { name: 'CgroupPathError', message: `cgroup path of process 4501 is not a plain path: ${JSON.stringify(bad.slice(3))}` },
      `${bad}: refused in domstat's words`,
    );
  }
  t.throws(() => locateDomainCgroups(v2fs, 'v2', 'garbage\n', 4501), { name: 'ParseError', message: '/proc/4501/cgroup: malformed line "garbage"' });
  const v2 = new HostFs(fixture('kvm-cgroup2-systemd'));
  t.equal(nested(v2, `/sys/fs/cgroup${ZETA_SCOPE}`), `/sys/fs/cgroup${ZETA_SCOPE}/libvirt`, 'the nested group is chosen when it exists');
  const hy = new HostFs(fixture('kvm-hybrid'));
  t.equal(nested(hy, '/sys/fs/cgroup/unified/machine/qemu-7-theta.libvirt-qemu'), '/sys/fs/cgroup/unified/machine/qemu-7-theta.libvirt-qemu');
  t.end();
});

t.test('cpu.time/user/system per tree', async (t) => {
  const cases = [
    // v1: cpuacct.usage (ns) and cpuacct.stat (ticks x 1e7)
    ['kvm-cgroup1-systemd', 'alpha', V(1, 60, 1), V(1, 60, 2) * TICK_NS, V(1, 60, 3) * TICK_NS],
    ['kvm-cgroup1-systemd', 'beta', V(2, 60, 1), V(2, 60, 2) * TICK_NS, V(2, 60, 3) * TICK_NS],
    ['kvm-cgroup1-systemd', 'delta', V(4, 60, 1), V(4, 60, 2) * TICK_NS, V(4, 60, 3) * TICK_NS],
    ['kvm-cgroup1-nosystemd', 'epsilon', V(3, 60, 1), V(3, 60, 2) * TICK_NS, V(3, 60, 3) * TICK_NS],
    // v2: the nested libvirt group's cpu.stat (F71), usec x 1000 — not the scope's own (F70)
    ['kvm-cgroup2-systemd', 'zeta', V(5, 71, 1) * US_NS, V(5, 71, 2) * US_NS, V(5, 71, 3) * US_NS],
    // hybrid: the unified group's cpu.stat (F70); cpuacct is not delegated
    ['kvm-hybrid', 'theta', V(7, 70, 1) * US_NS, V(7, 70, 2) * US_NS, V(7, 70, 3) * US_NS],
  ] as const;
  for (const [tree, name, time, user, system] of cases) {
    const conn = connect(tree);
    t.strictSame(
      [...record(conn, name, StatsGroup.CPU_TOTAL)],
      [
        ['cpu.time', time],
        ['cpu.user', user],
        ['cpu.system', system],
      ],
      `${tree} ${name}`,
    );
    t.strictSame(
      (conn.cpuStats(conn.lookupDomain(name), -1, 1) as CpuStatsParams).cpus[0]!.params.map((p) => p.value),
      [time, user, system],
      `${name} cpu-stats total`,
    );
  }
  const z = record(connect('kvm-cgroup2-systemd'), 'zeta', StatsGroup.CPU_TOTAL);
  t.not(z.get('cpu.time'), V(5, 70, 1) * US_NS, "zeta: not the scope's own cpu.stat");
  t.equal(z.get('cpu.time'), 5071001000n);
  const h = record(connect('kvm-hybrid'), 'theta', StatsGroup.CPU_TOTAL);
  t.not(h.get('cpu.time'), V(8, 44, 1), 'theta: not the host-wide root cpuacct.usage');
  t.end();
});

t.test('without the nested group (older libvirt), the scope itself is read', async (t) => {
  const root = tempTree(t, 'kvm-cgroup2-systemd');
  const scope = path.join(root, 'sys/fs/cgroup', ZETA_SCOPE);
  fs.rmSync(path.join(scope, 'libvirt'), { recursive: true });
  fs.writeFileSync(path.join(root, 'proc/4501/cgroup'), `0::${ZETA_SCOPE}/emulator\n`);
  const conn = new Connection({ root });
  t.strictSame(
    [...record(conn, 'zeta', StatsGroup.CPU_TOTAL)],
    [
      ['cpu.time', V(5, 70, 1) * US_NS],
      ['cpu.user', V(5, 70, 2) * US_NS],
      ['cpu.system', V(5, 70, 3) * US_NS],
    ],
  );
  t.end();
});

t.test('cpuStats per host CPU on cgroup v1', async (t) => {
  for (const [tree, name, D, vcpus] of [
    ['kvm-cgroup1-systemd', 'alpha', 1, [0, 1]],
    ['kvm-cgroup1-systemd', 'beta', 2, [0]],
    ['kvm-cgroup1-systemd', 'delta', 4, [0]],
    ['kvm-cgroup1-nosystemd', 'epsilon', 3, [0, 1]],
  ] as const) {
    const conn = connect(tree);
    const dom = conn.lookupDomain(name);
    const want = [0, 1, 2, 3].map((c) => ({
      cpu: c,
      params: [
        { field: 'cpu_time', type: 'ullong', value: V(D, 60, 11 + c) },
        { field: 'vcpu_time', type: 'ullong', value: vcpus.reduce((s, n) => s + V(D, 62 + n, 11 + c), 0n) },
      ],
    }));
    t.strictSame(conn.cpuStats(dom, 0, 4), { cpus: want }, `${name}: usage_percpu per CPU, vcpu_time = sum of vcpuN groups (emulator excluded)`);
    t.strictSame(conn.cpuStats(dom, 2, 2), { cpus: want.slice(2) }, `${name} start 2`);
    t.strictSame(conn.cpuStats(dom, 3, 128), { cpus: want.slice(3) }, `${name}: ncpus past the last CPU is cut`);
    t.strictSame(conn.cpuStats(dom, 1, 0), { cpus: [] }, `${name}: ncpus 0`);
    t.strictSame(conn.cpuStats(dom, 0, 2, 1), { cpus: want.slice(0, 2).map((c) => ({ cpu: c.cpu, params: c.params.slice(0, 1) })) }, `${name}: nparams 1`);
  }
  // hand-computed: alpha CPU0 cpu_time 1060011, vcpu_time 1062011 + 1063011
  const conn = connect('kvm-cgroup1-systemd');
  const c0 = (conn.cpuStats(conn.lookupDomain('alpha'), 0, 1) as CpuStatsParams).cpus[0]!;
  t.strictSame(
    c0.params.map((p) => p.value),
    [1060011n, 2125022n],
  );
  t.end();
});

t.test('cpuStats per host CPU on cgroup v2 and hybrid: unsupported, the total still works', async (t) => {
  for (const [tree, name] of [
    ['kvm-cgroup2-systemd', 'zeta'],
    ['kvm-hybrid', 'theta'],
    ['libvirt9-qemu7-hybrid-cgroup', 'lab-busy'],
  ] as const) {
    const conn = connect(tree);
    const dom = conn.lookupDomain(name);
    t.throws(
      () => conn.cpuStats(dom, 0, 4),
      { name: 'VirError', vir: VirErrorCode.OPERATION_UNSUPPORTED, detail: "operation 'getCpuacctPercpuUsage' not supported for backend 'cgroup V2'" },
      `${name} per-CPU`,
    );
    t.throws(() => conn.cpuStats(dom, 0, 1, 0), { name: 'VirError', vir: VirErrorCode.OPERATION_UNSUPPORTED }, `${name} nparams query per-CPU`);
    t.equal(conn.cpuStats(dom, 0, 0, 0), name === 'lab-busy' ? 2 : 4, `${name}: the max-CPU query needs no cgroup (present CPUs)`);
    t.equal((conn.cpuStats(dom, -1, 1) as CpuStatsParams).cpus[0]!.cpu, 'total');
  }
  t.end();
});

t.test('cgroup v1 without the cpuacct controller: per-CPU is an error, cpu.* from /proc', async (t) => {
  const root = tempTree(t, 'kvm-cgroup1-nosystemd');
  fs.rmSync(path.join(root, 'sys/fs/cgroup/cpuacct'), { recursive: true });
  const conn = new Connection({ root });
  const dom = conn.lookupDomain('epsilon');
  t.throws(() => conn.cpuStats(dom, 0, 4), { name: 'VirError', vir: VirErrorCode.OPERATION_INVALID, detail: 'cgroup CPUACCT controller is not mounted' });
  t.equal(record(conn, 'epsilon', StatsGroup.CPU_TOTAL).get('cpu.time'), (V(3, 1, 14) + V(3, 1, 15)) * TICK_NS);
  t.end();
});

t.test('bad input: cgroup removed mid-read', async (t) => {
  t.test('v1 (alpha)', async (t) => {
    const root = tempTree(t, 'kvm-cgroup1-systemd');
    const conn = new Connection({ root });
    t.equal(record(conn, 'alpha').get('cpu.time'), V(1, 60, 1), 'first read: groups resolved');
    fs.rmSync(path.join(root, 'sys/fs/cgroup/cpu,cpuacct', ALPHA_SCOPE), { recursive: true });
    const recs = conn.getAllDomainStats(0, 0);
    const a = new Map(recs.find((r) => r.domain.name === 'alpha')!.params.map((p) => [p.field, p.value]));
    t.strictSame(keysWith(a, 'cpu.'), [], 'no cpu.*, and no /proc/<pid>/stat numbers in their place');
    t.equal(a.get('balloon.rss'), V(1, 1, 24) * 4n, 'the rest of the record stays');
    t.equal(a.get('vcpu.0.time'), (V(1, 10, 14) + V(1, 10, 15)) * TICK_NS);
    t.match(conn.lastProblems, [{ domain: 'alpha', message: /^cpu-total: domain is not running \(.*alpha\.scope is gone\)$/ }]);
    t.equal(conn.lastProblems.length, 1, 'beta and delta unaffected');
    const dom = conn.lookupDomain('alpha');
    t.throws(() => conn.cpuStats(dom, -1, 1), { name: 'VirError', vir: VirErrorCode.OPERATION_INVALID });
    t.throws(() => conn.cpuStats(dom, 0, 4), { name: 'VirError', vir: VirErrorCode.OPERATION_INVALID }, 'per-CPU files gone');
    t.equal(record(conn, 'beta').get('cpu.time'), V(2, 60, 1));
  });
  t.test('v2 (zeta, nested group)', async (t) => {
    const root = tempTree(t, 'kvm-cgroup2-systemd');
    const conn = new Connection({ root });
    t.equal(record(conn, 'zeta').get('cpu.time'), V(5, 71, 1) * US_NS);
    fs.rmSync(path.join(root, 'sys/fs/cgroup', ZETA_SCOPE), { recursive: true });
    const z = record(conn, 'zeta');
    t.strictSame(keysWith(z, 'cpu.'), []);
    t.equal(z.get('balloon.rss'), V(5, 1, 24) * 4n);
    t.match(conn.lastProblems, [{ domain: 'zeta', message: /^cpu-total: .*zeta\.scope is gone/ }]);
  });
  t.test('hybrid (theta)', async (t) => {
    const root = tempTree(t, 'kvm-hybrid');
    const conn = new Connection({ root });
    t.equal(record(conn, 'theta').get('cpu.time'), V(7, 70, 1) * US_NS);
    fs.rmSync(path.join(root, 'sys/fs/cgroup/unified/machine/qemu-7-theta.libvirt-qemu'), { recursive: true });
    t.strictSame(keysWith(record(conn, 'theta'), 'cpu.'), []);
    t.match(conn.lastProblems, [{ domain: 'theta', message: /is gone/ }]);
  });
  t.end();
});

t.test("a cgroup's CPU files gone while the group is there: cpu.* absent, never the QEMU process's own times", async (t) => {
  for (const [layout, name, file] of [
    ['kvm-cgroup2-systemd', 'zeta', `/sys/fs/cgroup${ZETA_SCOPE}/libvirt/cpu.stat`],
    ['kvm-cgroup1-systemd', 'alpha', `/sys/fs/cgroup/cpuacct${ALPHA_SCOPE}/cpuacct.usage`],
  ] as const) {
    const root = tempTree(t, layout);
    fs.rmSync(path.join(root, file));
    const conn = new Connection({ root });
    const d = record(conn, name);
    t.strictSame(keysWith(d, 'cpu.'), [], `${layout}: cpu.* absent`);
    t.ok(d.has('balloon.rss'), `${layout}: the rest stays`);
    t.strictSame(
      conn.lastProblems.map((p) => [p.domain, p.message]),
      [[name, `cpu-total: Failed to open file '${file}': No such file or directory`]],
      `${layout}: said in libvirt's words`,
    );
    t.throws(() => conn.cpuStats(conn.lookupDomain(name), -1, 1), /Failed to open file/, `${layout}: cpu-stats --total says so`);
  }
});

t.test('bad input: garbage cpu.stat / cpuacct files -> field absent, never a wrong number', async (t) => {
  const zetaStat = (root: string) => path.join(root, 'sys/fs/cgroup', ZETA_SCOPE, 'libvirt/cpu.stat');
  for (const [label, text, msg] of [
    ['non-numeric usage_usec', 'usage_usec 12x45\nuser_usec 1\nsystem_usec 2\n', /not an unsigned decimal integer: "12x45"/],
    ['usage_usec missing', 'user_usec 5\nsystem_usec 6\n', /usage_usec missing/],
    ['binary junk', '\u0000\u0001\u0002garbage\n', /none of usage_usec/],
    ['empty file', '', /cpu.stat: empty/],
    ['cut short: its last number may be cut', 'usage_usec 121', /cpu.stat: truncated \(no final newline\)/],
    ['repeated key', 'usage_usec 1\nusage_usec 2\n', /usage_usec repeated/],
    ['negative', 'usage_usec -5\n', /not an unsigned decimal integer/],
    ['above 2^64-1', 'usage_usec 18446744073709551616\n', /exceeds 2\^64-1/],
  ] as const) {
    t.test(label, async (t) => {
      const root = tempTree(t, 'kvm-cgroup2-systemd');
      fs.writeFileSync(zetaStat(root), text);
      const conn = new Connection({ root });
      const z = record(conn, 'zeta');
      t.strictSame(keysWith(z, 'cpu.'), [], 'cpu.* absent (no fallback to the scope or /proc)');
      t.equal(z.get('balloon.rss'), V(5, 1, 24) * 4n, 'the rest stays');
      t.match(conn.lastProblems, [{ domain: 'zeta', message: msg }]);
      t.throws(() => conn.cpuStats(conn.lookupDomain('zeta'), -1, 1), msg);
    });
  }
  t.test('v1: garbage cpuacct.stat / cpuacct.usage', async (t) => {
    const root = tempTree(t, 'kvm-cgroup1-systemd');
    const dir = path.join(root, 'sys/fs/cgroup/cpu,cpuacct', ALPHA_SCOPE);
    fs.writeFileSync(path.join(dir, 'cpuacct.stat'), 'user 12 34\nsystem 5\n');
    fs.writeFileSync(path.join(root, 'sys/fs/cgroup/cpu,cpuacct/machine.slice/machine-qemu\\x2d2\\x2dbeta.scope/cpuacct.usage'), '0x1f\n');
    const conn = new Connection({ root });
    t.strictSame(keysWith(record(conn, 'alpha'), 'cpu.'), []);
    t.strictSame(keysWith(record(conn, 'beta'), 'cpu.'), []);
    t.equal(record(conn, 'delta').get('cpu.time'), V(4, 60, 1));
    conn.getAllDomainStats(StatsGroup.CPU_TOTAL, 0);
    t.match(conn.lastProblems, [
      { domain: 'alpha', message: /malformed line "user 12 34"/ },
      { domain: 'beta', message: /not an unsigned decimal integer: "0x1f"/ },
    ]);
    t.equal(conn.lastProblems.length, 2);
  });
  t.test('v1: garbage usage_percpu', async (t) => {
    const root = tempTree(t, 'kvm-cgroup1-systemd');
    fs.writeFileSync(path.join(root, 'sys/fs/cgroup/cpu,cpuacct', ALPHA_SCOPE, 'vcpu1/cpuacct.usage_percpu'), '1 2 three 4 \n');
    const conn = new Connection({ root });
    t.throws(() => conn.cpuStats(conn.lookupDomain('alpha'), 0, 4), /not an unsigned decimal integer: "three"/);
    t.equal(record(conn, 'alpha').get('cpu.time'), V(1, 60, 1), 'domstats does not read usage_percpu');
  });
  t.end();
});

t.test('counters above 2^63 are exact', async (t) => {
  const BIG = 18446744073709551000n;
  t.test('v1 cpuacct.usage and usage_percpu', async (t) => {
    const root = tempTree(t, 'kvm-cgroup1-systemd');
    const dir = path.join(root, 'sys/fs/cgroup/cpu,cpuacct', ALPHA_SCOPE);
    fs.writeFileSync(path.join(dir, 'cpuacct.usage'), `${BIG}\n`);
    fs.writeFileSync(path.join(dir, 'cpuacct.usage_percpu'), `${BIG} 9223372036854775808 18446744073709551615 0 \n`);
    fs.writeFileSync(path.join(dir, 'cpuacct.stat'), 'user 1844674407370\nsystem 922337203686\n');
    const conn = new Connection({ root });
    const a = record(conn, 'alpha', StatsGroup.CPU_TOTAL);
    t.equal(a.get('cpu.time'), BIG);
    t.equal(a.get('cpu.user'), 1844674407370n * TICK_NS);
    t.equal(a.get('cpu.system'), 922337203686n * TICK_NS);
    const per = conn.cpuStats(conn.lookupDomain('alpha'), 0, 4) as CpuStatsParams;
    t.strictSame(
      per.cpus.map((c) => c.params[0]!.value),
      [BIG, 9223372036854775808n, 18446744073709551615n, 0n],
    );
    const out = (conn.cpuStats(conn.lookupDomain('alpha'), -1, 1) as CpuStatsParams).cpus[0]!.params[0]!;
    t.strictSame(out, { field: 'cpu_time', type: 'ullong', value: BIG });
  });
  t.test('v2 usage_usec x 1000', async (t) => {
    const root = tempTree(t, 'kvm-cgroup2-systemd');
    fs.writeFileSync(
      path.join(root, 'sys/fs/cgroup', ZETA_SCOPE, 'libvirt/cpu.stat'),
      'usage_usec 18446744073709551\nuser_usec 9223372036854775\nsystem_usec 0\n',
    );
    const z = record(new Connection({ root }), 'zeta', StatsGroup.CPU_TOTAL);
    t.strictSame(
      [...z],
      [
        ['cpu.time', BIG],
        ['cpu.user', 9223372036854775000n],
        ['cpu.system', 0n],
      ],
    );
  });
  t.test('block and net counters', async (t) => {
    const root = tempTree(t, 'kvm-cgroup1-systemd');
    fs.writeFileSync(path.join(root, 'sys/dev/block/253:3/stat'), `${BIG} 0 36028797018963967 0 0 0 0 0 0 0 0\n`);
    const p = path.join(root, 'proc/net/dev');
    fs.writeFileSync(p, fs.readFileSync(p, 'latin1').replace(/^ vnet0: \S+/m, ` vnet0: ${BIG}`));
    const a = record(new Connection({ root }), 'alpha', StatsGroup.BLOCK | StatsGroup.INTERFACE);
    t.equal(a.get('block.0.rd.reqs'), BIG);
    t.equal(a.get('block.0.rd.bytes'), 36028797018963967n * 512n);
    t.notOk(a.has('block.0.fl.reqs'), '11-field stat (old kernel): no flush counters');
    t.equal(a.get('net.0.tx.bytes'), BIG, 'host rx column is the guest tx');
  });
  t.end();
});
