// domstat's cgroup groups through the KVM driver: every key from its file on v1, v2 and hybrid
// trees (the goldens hold the full output), and bad input — a missing PSI file, `some` without
// `full`, a truncated memory.stat, an io.stat line for a device that vanished, values of 2^63 and
// more — costing only the keys concerned, with a problem that says why, never another domain's.
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { Connection } from '../../../src/connection/connection.js';
import { StatsGroup } from '../../../src/stats/groups.js';
import { connect, keysWith, record, tempTree, V } from '../../helpers/kvm.js';

const ALL = StatsGroup.PRESSURE | StatsGroup.CGROUP_MEMORY | StatsGroup.CPU_THROTTLE | StatsGroup.CGROUP_IO | StatsGroup.NUMA;
const ZETA = 'sys/fs/cgroup/machine.slice/machine-qemu\\x2d5\\x2dzeta.scope';
const ALPHA_MEM = 'sys/fs/cgroup/memory/machine.slice/machine-qemu\\x2d1\\x2dalpha.scope';
const ALPHA_BLKIO = 'sys/fs/cgroup/blkio/machine.slice/machine-qemu\\x2d1\\x2dalpha.scope';

t.test('values and units on each layout', async (t) => {
  const z = record(connect('kvm-cgroup2-systemd'), 'zeta', ALL);
  t.equal(z.get('pressure.cpu.some.time'), V(5, 80, 1) * 1000n, 'PSI totals: µs → ns');
  t.equal(z.get('pressure.io.full.time'), V(5, 80, 6) * 1000n);
  t.equal(z.get('cgroup.memory.current'), V(5, 81, 1), 'v2 memory.current');
  t.equal(z.get('cgroup.memory.swap'), V(5, 81, 2), 'v2 memory.swap.current');
  t.equal(z.get('cgroup.memory.anon'), V(5, 82, 1));
  t.equal(z.get('cgroup.memory.events.oom_kill'), V(5, 83, 5));
  t.equal(z.get('cgroup.cpu.throttled.time'), V(5, 71, 6) * 1000n, 'v2 throttled_usec → ns, from the cpu.stat CPU time is read from');
  t.equal(z.get('cgroup.io.0.name'), 'dm-5');
  t.equal(z.get('cgroup.io.1.wr.reqs'), V(5, 85, 14));
  t.equal(z.get('cgroup.numa.1.file'), V(5, 86, 12), 'v2 numa_stat in bytes');
  const a = record(connect('kvm-cgroup1-systemd'), 'alpha', ALL);
  t.equal(a.get('cgroup.memory.current'), V(1, 81, 1), 'v1 usage_in_bytes: the same key as v2 memory.current');
  t.equal(a.get('cgroup.memory.rss'), V(1, 82, 32), 'v1 total_rss (not the local rss)');
  t.equal(a.get('cgroup.memory.anon'), undefined, "v1 has no anon: rss is not v2's anon");
  t.equal(a.get('cgroup.cpu.throttled.time'), V(1, 84, 3), 'v1 throttled_time is ns already');
  t.equal(a.get('cgroup.io.0.dc.reqs'), V(1, 85, 6), 'blkio Discard of io_serviced');
  t.equal(a.get('cgroup.numa.0.anon'), (V(1, 86, 1) as bigint) * 4096n, 'v1 numa_stat hierarchical_anon, pages → bytes');
  const h = record(connect('kvm-hybrid'), 'theta', ALL);
  t.equal(h.get('pressure.memory.some.time'), V(7, 80, 3) * 1000n, 'hybrid: PSI from the unified tree');
  t.equal(h.get('cgroup.memory.current'), V(7, 81, 1), 'hybrid: memory from v1');
  t.equal(h.get('cgroup.cpu.periods'), V(7, 84, 1), 'hybrid: throttling from the v1 cpu controller');
  t.equal(record(connect('kvm-hybrid'), 'theta', 0).get('pressure.cpu.some.time'), undefined, 'never in stats = 0');
});

/** Domains' records and the collection's problems. */
function collect(root: string) {
  const conn = new Connection({ root });
  const recs = conn.getAllDomainStats(ALL, 0);
  return {
    recs: new Map(recs.map((r) => [r.domain.name, new Map(r.params.map((p) => [p.field, p.value]))])),
    problems: conn.lastProblems.map((p) => `${p.domain}: ${p.message}`),
  };
}

t.test('PSI: a missing file, some without full, a file cut short', async (t) => {
  const root = tempTree(t, 'kvm-cgroup2-systemd');
  const z = path.join(root, ZETA);
  fs.rmSync(path.join(z, 'cpu.pressure'));
  fs.writeFileSync(path.join(z, 'memory.pressure'), 'some avg10=0.00 avg60=0.00 avg300=0.00 total=77\n');
  fs.writeFileSync(path.join(z, 'io.pressure'), 'some avg10=0.00 avg60=0.00 avg300=0.00 total=88\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=9');
  const { recs, problems } = collect(root);
  const zeta = recs.get('zeta')!;
  t.strictSame(keysWith(zeta, 'pressure.'), ['pressure.memory.some.time'], 'only what was read whole');
  t.equal(zeta.get('pressure.memory.some.time'), 77000n);
  t.equal(zeta.get('cgroup.memory.current'), V(5, 81, 1), "the other groups' keys stay");
  t.strictSame(
    problems.filter((p) => p.startsWith('zeta')),
    [
      `zeta: pressure: /${ZETA}/cpu.pressure: no such file (a kernel without PSI, or booted psi=0)`,
      `zeta: pressure: pressure.memory.full.time: /${ZETA}/memory.pressure has no "full" line (a kernel before 5.13 for cpu)`,
      `zeta: pressure: /${ZETA}/io.pressure: truncated (no final newline)`,
    ],
  );
});

t.test('memory and io on v1: a truncated memory.stat, a vanished device, 2^63 and more; the other domains unaffected', async (t) => {
  const clean = collect(tempTree(t, 'kvm-cgroup1-systemd'));
  const root = path.join(t.testdir(), 'bad');
  fs.cpSync(tempTree(t, 'kvm-cgroup1-systemd'), root, { recursive: true, verbatimSymlinks: true });
  const stat = fs.readFileSync(path.join(root, ALPHA_MEM, 'memory.stat'), 'utf8');
  fs.writeFileSync(path.join(root, ALPHA_MEM, 'memory.stat'), stat.slice(0, stat.indexOf('total_swap') + 'total_swap 12'.length));
  fs.writeFileSync(path.join(root, ALPHA_MEM, 'memory.failcnt'), '9223372036854775808\n');
  fs.writeFileSync(path.join(root, ALPHA_MEM, 'memory.usage_in_bytes'), '18446744073709551615\n');
  fs.writeFileSync(path.join(root, ALPHA_MEM, 'memory.max_usage_in_bytes'), '9223372036854775807\n');
  fs.rmSync(path.join(root, 'sys/dev/block/8:48/uevent'));
  const io = fs.readFileSync(path.join(root, ALPHA_BLKIO, 'blkio.throttle.io_service_bytes'), 'utf8');
  fs.writeFileSync(path.join(root, ALPHA_BLKIO, 'blkio.throttle.io_service_bytes'), io.replace(/^253:3 Write [0-9]+$/m, '253:3 Write 18446744073709551600'));
  const { recs, problems } = collect(root);
  const alpha = recs.get('alpha')!;
  t.strictSame(
    keysWith(alpha, 'cgroup.memory.'),
    ['cgroup.memory.max_usage', 'cgroup.memory.events.oom_kill'],
    'memory.stat cut short gives nothing; usage and failcnt of 2^63 and more are left out; 2^63-1 stays',
  );
  t.equal(alpha.get('cgroup.memory.max_usage'), 9223372036854775807n);
  t.equal(alpha.get('cgroup.io.1.name'), undefined, 'a vanished device has no name');
  t.equal(alpha.get('cgroup.io.1.dev'), '8:48', '... but its number and counters stay');
  t.equal(alpha.get('cgroup.io.1.rd.bytes'), V(1, 85, 11));
  t.equal(alpha.get('cgroup.io.0.wr.bytes'), undefined);
  t.equal(alpha.get('cgroup.io.0.rd.bytes'), V(1, 85, 1));
  const alphaProblems = problems.filter((p) => p.startsWith('alpha'));
  t.strictSame(alphaProblems, [
    'alpha: cgroup-memory: cgroup.memory.current: 18446744073709551615 is 2^63 or more (a negative count printed unsigned?): left out',
    'alpha: cgroup-memory: cgroup.memory.failcnt: 9223372036854775808 is 2^63 or more (a negative count printed unsigned?): left out',
    `alpha: cgroup-memory: /${ALPHA_MEM}/memory.stat: truncated (no final newline)`,
    'alpha: cgroup-io: cgroup.io.0.wr.bytes: 18446744073709551600 is 2^63 or more (a negative count printed unsigned?): left out',
    'alpha: cgroup-io: cgroup.io.1.name: /sys/dev/block/8:48/uevent: gone (the device was removed): its name is unknown',
  ]);
  // beta's io.stat lists 8:48 too: its name is gone for it as well; everything else is as before.
  for (const name of ['beta', 'delta']) {
    const before = clean.recs.get(name)!;
    const after = recs.get(name)!;
    t.strictSame(
      [...after].filter(([k]) => !k.endsWith('.name')),
      [...before].filter(([k]) => !k.endsWith('.name')),
      `${name}: the same values`,
    );
  }
});

t.test("cgroup I/O attributed to the domain's only disk on a host disk: block-backed, file-backed, through a partition", async (t) => {
  const root = tempTree(t, 'kvm-cgroup2-systemd');
  // Two file-backed disks besides vda: vdb's image on this machine's own file system, which the test finds by stat.
  const images = path.join(root, 'var/lib/libvirt/images');
  fs.mkdirSync(images, { recursive: true });
  fs.writeFileSync(path.join(images, 'zeta-data.qcow2'), 'image');
  const st = fs.statSync(path.join(images, 'zeta-data.qcow2'), { bigint: true });
  const major = Number(((st.dev >> 8n) & 0xfffn) | ((st.dev >> 32n) & ~0xfffn));
  const minor = Number((st.dev & 0xffn) | ((st.dev >> 12n) & ~0xffn));
  const xml = path.join(root, 'run/libvirt/qemu/zeta.xml');
  const fileDisk = (file: string, target: string) =>
    `      <disk type='file' device='disk'>\n        <driver name='qemu' type='qcow2'/>\n        <source file='${file}'/>\n        <target dev='${target}' bus='virtio'/>\n      </disk>\n`;
  const addDisks = (...disks: string[]) =>
    fs.writeFileSync(
      xml,
      fs.readFileSync(xml, 'utf8').replace("      <controller type='pci' index='0'", disks.join('') + "      <controller type='pci' index='0'"),
    );
  addDisks(fileDisk('/var/lib/libvirt/images/zeta-data.qcow2', 'vdb'));
  const io = path.join(root, ZETA, 'io.stat');
  const dev = `${major}:${minor}`;
  fs.appendFileSync(io, `${dev} rbytes=5085021 wbytes=5085022 rios=5085023 wios=5085024 dbytes=5085025 dios=5085026\n`);
  fs.mkdirSync(path.join(root, `sys/dev/block/${dev}`), { recursive: true });
  fs.writeFileSync(path.join(root, `sys/dev/block/${dev}/uevent`), `MAJOR=${major}\nMINOR=${minor}\nDEVNAME=testfs\nDEVTYPE=disk\n`);
  let z = record(new Connection({ root }), 'zeta', StatsGroup.CGROUP_IO);
  t.strictSame(
    [0, 1, 2].map((i) => [z.get(`cgroup.io.${i}.name`), z.get(`cgroup.io.${i}.disk`)]),
    [
      ['dm-5', 'vda'],
      ['sdd', undefined],
      ['testfs', 'vdb'],
    ],
    "vda's dm-5 (block-backed), vdb's image's file system (file-backed); sdd holds none of zeta's disks",
  );
  t.equal(z.get('cgroup.io.2.wr.bytes'), 5085022n, 'the counters as the file says');

  // The same image's file system seen as a partition: io.stat counts its I/O under the whole disk.
  fs.rmSync(path.join(root, `sys/dev/block/${dev}`), { recursive: true });
  const part = path.join(root, 'sys/devices/virtual/block/pdisk/pdisk1');
  fs.mkdirSync(part, { recursive: true });
  fs.writeFileSync(path.join(part, 'partition'), '1\n');
  fs.writeFileSync(path.join(root, 'sys/devices/virtual/block/pdisk/dev'), '259:77\n');
  fs.mkdirSync(path.join(root, 'sys/dev/block/259:77'), { recursive: true });
  fs.writeFileSync(path.join(root, 'sys/dev/block/259:77/uevent'), 'MAJOR=259\nMINOR=77\nDEVNAME=pdisk\nDEVTYPE=disk\n');
  fs.symlinkSync('../../devices/virtual/block/pdisk/pdisk1', path.join(root, `sys/dev/block/${dev}`));
  fs.writeFileSync(io, fs.readFileSync(io, 'utf8').replace(`${dev} `, '259:77 '));
  z = record(new Connection({ root }), 'zeta', StatsGroup.CGROUP_IO);
  t.strictSame(
    [z.get('cgroup.io.2.name'), z.get('cgroup.io.2.dev'), z.get('cgroup.io.2.disk')],
    ['pdisk', '259:77', 'vdb'],
    "a partition's file system: its disk",
  );

  // Two of zeta's disks on one host disk: whose I/O is whose cannot be told, so neither is named.
  addDisks(fileDisk('/var/lib/libvirt/images/zeta-data.qcow2', 'vdc'));
  z = record(new Connection({ root }), 'zeta', StatsGroup.CGROUP_IO);
  t.strictSame(
    [0, 2].map((i) => z.get(`cgroup.io.${i}.disk`)),
    ['vda', undefined],
    'vdb and vdc share the host disk: not attributed; vda still is',
  );
});
