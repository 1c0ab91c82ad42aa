// virsh-compatible text output of the CLI over the four synthetic KVM trees, compared with
// golden files under fixtures/<tree>/golden/ (UPDATE_GOLDEN=1 rewrites them; each golden was
// checked by hand against fixtures/KVM-FIXTURES.md). stderr and exit codes are asserted here.
import t, { type Test } from 'tap';
import { fixture, matchGolden, runCli } from '../helpers/cli.js';

interface TreeSpec {
  tree: string;
  /** Every domain, for domblklist/domiflist. */
  domains: string[];
  /** Running domains whose QEMU process exists: dommemstat, cpu-stats, domifstat. */
  live: { name: string; ifaces: string[]; blockDisk?: string }[];
  /** Per-CPU figures exist (cgroup v1 with cpuacct). */
  perCpu: boolean;
  /** Expected stderr of a plain `domstats` (problems of that collection). */
  domstatsErr: string;
  /** Expected stderr of `domstats` with domstat's five cgroup groups. */
  cgroupErr: string;
}

const TREES: TreeSpec[] = [
  {
    tree: 'kvm-cgroup1-systemd',
    domains: ['alpha', 'beta', 'delta', 'gamma'],
    live: [
      { name: 'alpha', ifaces: ['vnet0', 'vnet1', 'macvtap0'], blockDisk: 'vda' },
      { name: 'beta', ifaces: ['vnet2'] },
      { name: 'delta', ifaces: ['vnet3'] },
    ],
    perCpu: true,
    domstatsErr: '',
    cgroupErr: '',
  },
  {
    tree: 'kvm-cgroup1-nosystemd',
    domains: ['epsilon'],
    live: [{ name: 'epsilon', ifaces: ['vnet0'], blockDisk: 'vda' }],
    perCpu: true,
    domstatsErr: '',
    cgroupErr: '',
  },
  {
    tree: 'kvm-cgroup2-systemd',
    domains: ['zeta', 'eta'],
    live: [{ name: 'zeta', ifaces: ['vnet0'], blockDisk: 'vda' }],
    perCpu: false,
    domstatsErr:
      "warning: domain 'eta': cpu-total: domain is not running (process 4601 is gone)\n" +
      "warning: domain 'eta': balloon: domain is not running (/proc/4601/stat is gone)\n" +
      "warning: domain 'eta': vcpu 0: domain is not running (/proc/4601/task/4610/stat is gone)\n" +
      "warning: domain 'eta': interface vnet1: /proc/net/dev: Interface not found\n" +
      "warning: domain 'eta': block vda: domain is not running (process 4601 is gone)\n",
    cgroupErr: "warning: domain 'eta': cgroup: domain is not running (process 4601 is gone)\n",
  },
  {
    tree: 'kvm-hybrid',
    domains: ['theta'],
    live: [{ name: 'theta', ifaces: ['vnet0'], blockDisk: 'vda' }],
    perCpu: false,
    domstatsErr: '',
    cgroupErr: '',
  },
];

const V2_WARNING =
  "warning: per-CPU statistics are not available: Operation not supported: operation 'getCpuacctPercpuUsage' not supported for backend 'cgroup V2'\n";

for (const spec of TREES) {
  const root = ['--root', fixture(spec.tree)];
  const run = async (t: Test, name: string, args: string[], err = '') => {
    const r = await runCli([...args, ...root]);
    t.equal(r.code, 0, `${args.join(' ')}: exit 0`);
    t.equal(r.err, err, `${args.join(' ')}: stderr`);
    matchGolden(t, spec.tree, name, r.out);
  };

  t.test(spec.tree, async (t) => {
    await run(t, 'domstats.txt', ['domstats'], spec.domstatsErr);
    await run(
      t,
      'domstats-extra.txt',
      ['domstats', '--extra'],
      spec.tree === 'kvm-cgroup2-systemd' ? "warning: domain 'eta': extra.io: domain is not running (/proc/4601/io is gone)\n" : '',
    );
    await run(t, 'domstats-cgroup.txt', ['domstats', '--pressure', '--cgroup-memory', '--cpu-throttle', '--cgroup-io', '--numa'], spec.cgroupErr);
    // domstat's groups are never part of stats = 0, nor mixed into libvirt's: the plain output is unchanged
    const both = await runCli(['domstats', '--state', '--cpu-total', '--pressure', ...root]);
    const stateCpu = await runCli(['domstats', '--state', '--cpu-total', ...root]);
    const cgroup = await runCli(['domstats', '--pressure', ...root]);
    t.equal(both.out.replace(/\n {2}pressure\.[^\n]*/g, ''), stateCpu.out, 'libvirt groups are the same with --pressure beside them');
    t.ok(
      cgroup.out.split('\n').every((l) => !l.startsWith('  ') || l.startsWith('  pressure.')),
      '--pressure alone gives pressure keys only',
    );
    await run(t, 'list-all.txt', ['list', '--all']);
    for (const dom of spec.domains) {
      await run(t, `domblklist-details-${dom}.txt`, ['domblklist', dom, '--details']);
      await run(t, `domiflist-${dom}.txt`, ['domiflist', dom]);
    }
    for (const d of spec.live) {
      for (const iface of d.ifaces) await run(t, `domifstat-${d.name}-${iface}.txt`, ['domifstat', d.name, iface]);
      if (d.blockDisk !== undefined) {
        await run(t, `domblkstat-${d.name}-${d.blockDisk}.txt`, ['domblkstat', d.name, d.blockDisk]);
        await run(t, `domblkstat-${d.name}-${d.blockDisk}-human.txt`, ['domblkstat', d.name, d.blockDisk, '--human']);
      }
      await run(t, `dommemstat-${d.name}.txt`, ['dommemstat', d.name]);
      await run(t, `cpu-stats-${d.name}.txt`, ['cpu-stats', d.name], spec.perCpu ? '' : V2_WARNING);
      await run(t, `cpu-stats-${d.name}-total.txt`, ['cpu-stats', d.name, '--total']);
    }
  });
}

t.test('error paths print one line and exit 1', async (t) => {
  const cases: [string, string[], string][] = [
    [
      'kvm-cgroup1-systemd',
      ['domblkstat', 'alpha', 'vdb'],
      "error: Operation not supported: statistics of disk 'vdb' are kept by QEMU: only disks backed by a host block device have host counters\n",
    ],
    [
      'kvm-cgroup1-systemd',
      ['dommemstat', 'gamma'],
      'error: Failed to get memory statistics for domain gamma: Requested operation is not valid: domain is not running\n',
    ],
    [
      'kvm-cgroup1-systemd',
      ['domifstat', 'alpha', 'xvnet0'],
      "error: Failed to get interface stats alpha xvnet0: invalid argument: 'xvnet0' is not a known interface\n",
    ],
    [
      'kvm-cgroup2-systemd',
      ['cpu-stats', 'zeta', '--start', '0'],
      "error: Failed to retrieve CPU statistics for domain 'zeta': Operation not supported: operation 'getCpuacctPercpuUsage' not supported for backend 'cgroup V2'\n",
    ],
    [
      'kvm-cgroup2-systemd',
      ['cpu-stats', 'eta', '--total'],
      "error: Failed to retrieve CPU statistics for domain 'eta': Requested operation is not valid: domain is not running (process 4601 is gone)\n",
    ],
    [
      'kvm-cgroup2-systemd',
      ['domifstat', 'eta', 'vnet1'],
      'error: Failed to get interface stats eta vnet1: internal error: /proc/net/dev: Interface not found\n',
    ],
    [
      'kvm-hybrid',
      ['cpu-stats', 'theta', '--count', '1'],
      "error: Failed to retrieve CPU statistics for domain 'theta': Operation not supported: operation 'getCpuacctPercpuUsage' not supported for backend 'cgroup V2'\n",
    ],
  ];
  for (const [tree, args, err] of cases) {
    const r = await runCli([...args, '--root', fixture(tree)]);
    t.equal(r.code, 1, `${args.join(' ')}: exit 1`);
    t.equal(r.err, err, `${args.join(' ')}: message`);
    t.equal(r.out, '', `${args.join(' ')}: nothing on stdout`);
  }
  t.end();
});
