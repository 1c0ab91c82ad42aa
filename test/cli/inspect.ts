// `domstat inspect FILE...`: what domstat reads from domain XML, as text or one JSON array.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture, runCli } from '../helpers/cli.js';

const BUSY = fixture('libvirt9-qemu7-hybrid-cgroup', 'var/run/libvirt/qemu/lab-busy.xml');
const BUSY_DEF = fixture('libvirt9-qemu7-hybrid-cgroup', 'etc/libvirt/qemu/lab-busy.xml');
const WEB1 = fixture('xen-4.x-pv-libxl', 'run/libvirt/libxl/web1.xml');
const WIN1 = fixture('xen-4.x-pv-libxl', 'run/libvirt/libxl/win1.xml');

const busyDisks = [
  { target: 'vda', bus: 'virtio', type: 'file', device: 'disk', source: '/var/lib/libvirt/lab-busy.qcow2', driverName: 'qemu', driverType: 'qcow2' },
  { target: 'vdb', bus: 'virtio', type: 'block', device: 'disk', source: '/dev/loop2', driverName: 'qemu', driverType: 'raw' },
];
const busyInterfaces = [
  { target: 'tapbusy0', mac: '52:54:00:a7:85:7f', type: 'ethernet', model: 'virtio' },
  { target: 'tapbusy1', mac: '52:54:00:3d:51:7e', type: 'ethernet', model: 'virtio' },
];

const busyJson = (file: string) => ({
  file,
  domain: {
    name: 'lab-busy',
    uuid: 'ce73487d-0862-4d64-9db7-9237b01b03e1',
    id: 7,
    type: 'qemu',
    state: 1,
    reason: 1,
    pid: 20728,
    memory: 163840,
    currentMemory: 163840,
    vcpus: 2,
    currentVcpus: 2,
    vcpuThreads: { '0': 20736, '1': 20737 },
    disks: busyDisks,
    interfaces: busyInterfaces,
  },
});

const web1Json = (file: string) => ({
  file,
  domain: {
    name: 'web1',
    uuid: '3ef03971-0d42-55d8-9c52-4ca0e5e13c45',
    id: 3,
    type: 'xen',
    state: 1,
    reason: 1,
    pid: null,
    memory: 1048576,
    currentMemory: 786432,
    vcpus: 4,
    currentVcpus: 2,
    vcpuThreads: {},
    disks: [
      { target: 'xvda', bus: 'xen', type: 'block', device: 'disk', source: '/dev/vg0/web1-root', driverName: 'phy', driverType: 'raw' },
      { target: 'xvdb1', bus: 'xen', type: 'block', device: 'disk', source: '/dev/vg0/web1-data', driverName: 'phy', driverType: 'raw' },
    ],
    interfaces: [
      { target: 'vif3.0', mac: '00:16:3e:03:00:00', type: 'bridge', model: null },
      { target: 'vif3.1', mac: '00:16:3e:03:00:01', type: 'bridge', model: null },
    ],
  },
});

t.test('--json: one array, one object per file in argument order; exit 1 when one failed', async (t) => {
  const dir = t.testdir({ 'bad.xml': `<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><domain type='kvm'><name>&x;</name></domain>` });
  const bad = path.join(dir, 'bad.xml');
  const missing = path.join(dir, 'missing.xml');
  const r = await runCli(['inspect', WEB1, bad, BUSY, missing, '--json']);
  t.equal(r.code, 1, 'exit code 1: a file failed');
  t.equal(r.err, '');
  const out: unknown = JSON.parse(r.out);
  t.ok(Array.isArray(out), 'stdout is one JSON array');
  t.strictSame(out, [
    web1Json(WEB1),
    { file: bad, error: `${bad}: DOCTYPE and entity declarations are not allowed` },
    busyJson(BUSY),
    { file: missing, error: `${missing}: no such file` },
  ]);
});

t.test('--json: exit 0 when every file parsed; file is echoed as given (relative)', async (t) => {
  const rel = path.relative(process.cwd(), BUSY);
  t.notOk(path.isAbsolute(rel));
  const r = await runCli(['inspect', rel, '--json']);
  t.equal(r.code, 0);
  t.equal(r.err, '');
  t.strictSame(JSON.parse(r.out), [busyJson(rel)]);
});

t.test('--json: a persistent definition is shut off with id -1 and no pid', async (t) => {
  const r = await runCli(['inspect', BUSY_DEF, '--json']);
  t.equal(r.code, 0);
  t.strictSame(JSON.parse(r.out), [
    {
      file: BUSY_DEF,
      domain: { ...busyJson(BUSY_DEF).domain, id: -1, state: 5, reason: 0, pid: null, vcpuThreads: {} },
    },
  ]);
});

t.test('--json: UTF-8 names and paths come through intact', async (t) => {
  const dir = t.testdir({
    'utf8.xml': `<domstatus state='paused' reason='user' pid='77'><domain type='kvm' id='4'><name>café-日本</name><devices><disk type='file' device='disk'><source file='/img/größe.qcow2'/><target dev='vda' bus='virtio'/></disk></devices></domain></domstatus>`,
  });
  const file = path.join(dir, 'utf8.xml');
  const r = await runCli(['inspect', file, '--json']);
  t.equal(r.code, 0);
  const [res] = JSON.parse(r.out) as [{ domain: { name: string; state: number; reason: number; disks: { source: string }[] } }];
  t.equal(res.domain.name, 'café-日本');
  t.equal(res.domain.disks[0]?.source, '/img/größe.qcow2');
  t.strictSame([res.domain.state, res.domain.reason], [3, 1]);
});

t.test('text mode: name, ids, every disk and interface; errors as a line under the file', async (t) => {
  const r = await runCli(['inspect', BUSY, WIN1]);
  t.equal(r.code, 0);
  t.equal(r.err, '');
  t.equal(
    r.out,
    `${BUSY}
  name lab-busy  uuid ce73487d-0862-4d64-9db7-9237b01b03e1  id 7  type qemu  state running (booted)  pid 20728
  memory 163840 KiB  currentMemory 163840 KiB  vcpus 2  current 2  vcpu threads 2
  disk target vda  bus virtio  type file  device disk  source /var/lib/libvirt/lab-busy.qcow2  driver qemu  format qcow2
  disk target vdb  bus virtio  type block  device disk  source /dev/loop2  driver qemu  format raw
  interface target tapbusy0  mac 52:54:00:a7:85:7f  type ethernet  model virtio
  interface target tapbusy1  mac 52:54:00:3d:51:7e  type ethernet  model virtio

${WIN1}
  name win1  uuid ae03e4ea-6660-52c2-9a31-e3497ef3768a  id 12  type xen  state paused (user)
  memory 4194304 KiB  currentMemory 3145728 KiB  vcpus 2  current 2
  disk target hda  bus ide  type block  device disk  source /dev/vg0/win1-c  driver phy  format raw
  disk target hdc  bus ide  type file  device disk  source /var/lib/xen/images/win1-d.img  driver tap  format aio
  interface target vif12.0-emu  mac 00:16:3e:0c:00:00  type bridge  model e1000
`,
  );

  const dir = t.testdir({ 'two-roots.xml': `<domain type='kvm'><name>a</name></domain>\n<domain type='kvm'><name>b</name></domain>\n` });
  const bad = path.join(dir, 'two-roots.xml');
  const e = await runCli(['inspect', bad]);
  t.equal(e.code, 1);
  t.equal(e.out, `${bad}\n  error: ${bad}: malformed XML at line 2: Multiple possible root nodes found.\n`);
});

t.test('a directory or binary file is an error for that file only', async (t) => {
  const dir = t.testdir();
  const png = path.join(dir, 'png.xml');
  fs.writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));
  const r = await runCli(['inspect', png, dir, WEB1, '--json']);
  t.equal(r.code, 1);
  const out = JSON.parse(r.out) as { file: string; error?: string }[];
  t.equal(out.length, 3);
  t.strictSame(out[0], { file: png, error: `${png}: not XML: contains binary data (not UTF-8)` });
  t.strictSame(out[1], { file: dir, error: `${dir}: not a regular file (a directory)` });
  t.strictSame(out[2], web1Json(WEB1));
});
