// Status and definition XML -> DomainDef, on real files from a libvirt 9 / QEMU 7 host and a
// libxl host, and on small inline documents for the rules the real files do not exercise.
import t from 'tap';
import * as fs from 'node:fs';
import { parseDomainXml } from '../../src/domains/domain-def.js';
import type { DomainDef } from '../../src/stats/domain.js';
import { fixture } from '../helpers/cli.js';
import { expectXmlError, plain } from '../helpers/xml-assert.js';

const QEMU = fixture('libvirt9-qemu7-hybrid-cgroup');
const XEN = fixture('xen-4.x-pv-libxl');
const load = (file: string) => parseDomainXml(fs.readFileSync(file, 'utf8'), file);
const F = '/etc/libvirt/qemu/inline.xml';
const dom = (inner: string, attrs = "type='kvm'") => parseDomainXml(`<domain ${attrs}>${inner}</domain>`, F);

t.test('QEMU status XML: lab-busy', async (t) => {
  t.strictSame(plain(load(`${QEMU}/var/run/libvirt/qemu/lab-busy.xml`)), {
    name: 'lab-busy',
    uuid: 'ce73487d-0862-4d64-9db7-9237b01b03e1',
    id: 7,
    hvType: 'qemu',
    state: 1,
    reason: 1,
    pid: 20728,
    vcpuPids: [
      [0, 20736],
      [1, 20737],
    ],
    maxMemoryKiB: 163840n,
    currentMemoryKiB: 163840n,
    vcpuMax: 2,
    vcpuCurrent: 2,
    disks: [
      {
        target: 'vda',
        bus: 'virtio',
        type: 'file',
        device: 'disk',
        source: '/var/lib/libvirt/lab-busy.qcow2',
        driverName: 'qemu',
        driverType: 'qcow2',
        sourceIndex: 2,
        backing: [],
      },
      { target: 'vdb', bus: 'virtio', type: 'block', device: 'disk', source: '/dev/loop2', driverName: 'qemu', driverType: 'raw', sourceIndex: 1, backing: [] },
    ],
    interfaces: [
      { target: 'tapbusy0', managed: 'yes', mac: '52:54:00:a7:85:7f', type: 'ethernet', model: 'virtio' },
      { target: 'tapbusy1', managed: 'yes', mac: '52:54:00:3d:51:7e', type: 'ethernet', model: 'virtio' },
    ],
    live: true,
  });
});

t.test('QEMU status XML: lab-idle', async (t) => {
  t.strictSame(plain(load(`${QEMU}/var/run/libvirt/qemu/lab-idle.xml`)), {
    name: 'lab-idle',
    uuid: '3db605ab-94e1-4cbf-b48f-944f028cec2c',
    id: 8,
    hvType: 'qemu',
    state: 1,
    reason: 1,
    pid: 20748,
    vcpuPids: [[0, 20756]],
    maxMemoryKiB: 98304n,
    currentMemoryKiB: 98304n,
    vcpuMax: 1,
    vcpuCurrent: 1,
    disks: [
      {
        target: 'sda',
        bus: 'sata',
        type: 'file',
        device: 'disk',
        source: '/var/lib/libvirt/lab-idle.qcow2',
        driverName: 'qemu',
        driverType: 'qcow2',
        sourceIndex: 1,
        backing: [],
      },
    ],
    interfaces: [{ target: 'tapidle0', managed: 'yes', mac: '52:54:00:1e:06:f5', type: 'ethernet', model: 'e1000' }],
    live: true,
  });
});

t.test('persistent definition: shut off, id -1, no pid, no vCPU threads, no source index', async (t) => {
  t.strictSame(plain(load(`${QEMU}/etc/libvirt/qemu/lab-busy.xml`)), {
    name: 'lab-busy',
    uuid: 'ce73487d-0862-4d64-9db7-9237b01b03e1',
    id: -1,
    hvType: 'qemu',
    state: 5,
    reason: 0,
    vcpuPids: [],
    maxMemoryKiB: 163840n,
    currentMemoryKiB: 163840n,
    vcpuMax: 2,
    vcpuCurrent: 2,
    disks: [
      {
        target: 'vda',
        bus: 'virtio',
        type: 'file',
        device: 'disk',
        source: '/var/lib/libvirt/lab-busy.qcow2',
        driverName: 'qemu',
        driverType: 'qcow2',
        backing: [],
      },
      { target: 'vdb', bus: 'virtio', type: 'block', device: 'disk', source: '/dev/loop2', driverName: 'qemu', driverType: 'raw', backing: [] },
    ],
    interfaces: [
      { target: 'tapbusy0', managed: 'yes', mac: '52:54:00:a7:85:7f', type: 'ethernet', model: 'virtio' },
      { target: 'tapbusy1', managed: 'yes', mac: '52:54:00:3d:51:7e', type: 'ethernet', model: 'virtio' },
    ],
    live: false,
  });
  // A definition that carries an id (hand-written) is still not running.
  const d = parseDomainXml(`<domain type='kvm' id='4'><name>x</name></domain>`, F);
  t.equal(d.id, -1, 'id of a definition is ignored');
  t.equal(d.state, 5);
});

const xenDisk = (target: string, source: string, bus = 'xen') => ({
  target,
  bus,
  type: 'block',
  device: 'disk',
  source,
  driverName: 'phy',
  driverType: 'raw',
  backing: [],
});

t.test('libxl status XML: pid 0 is no pid, no vCPU threads', async (t) => {
  const run = `${XEN}/run/libvirt/libxl`;
  t.strictSame(plain(load(`${run}/web1.xml`)), {
    name: 'web1',
    uuid: '3ef03971-0d42-55d8-9c52-4ca0e5e13c45',
    id: 3,
    hvType: 'xen',
    state: 1,
    reason: 1,
    vcpuPids: [],
    maxMemoryKiB: 1048576n,
    currentMemoryKiB: 786432n,
    vcpuMax: 4,
    vcpuCurrent: 2,
    disks: [xenDisk('xvda', '/dev/vg0/web1-root'), xenDisk('xvdb1', '/dev/vg0/web1-data')],
    interfaces: [
      { target: 'vif3.0', mac: '00:16:3e:03:00:00', type: 'bridge', source: 'xenbr0' },
      { target: 'vif3.1', mac: '00:16:3e:03:00:01', type: 'bridge', source: 'xenbr1' },
    ],
    live: true,
  });
  t.strictSame(plain(load(`${run}/db1.xml`)), {
    name: 'db1',
    uuid: 'a4013c98-d666-5b52-b36c-c948072e533a',
    id: 7,
    hvType: 'xen',
    state: 1,
    reason: 1,
    vcpuPids: [],
    maxMemoryKiB: 2097152n,
    currentMemoryKiB: 2097152n,
    vcpuMax: 2,
    vcpuCurrent: 2,
    disks: [xenDisk('xvdaa', '/dev/vg0/db1-big'), xenDisk('sdb', '/dev/vg0/db1-scsi', 'scsi')],
    interfaces: [{ target: 'vif7.0', mac: '00:16:3e:07:00:00', type: 'bridge', source: 'xenbr0' }],
    live: true,
  });
  t.strictSame(plain(load(`${run}/win1.xml`)), {
    name: 'win1',
    uuid: 'ae03e4ea-6660-52c2-9a31-e3497ef3768a',
    id: 12,
    hvType: 'xen',
    state: 3,
    reason: 1,
    vcpuPids: [],
    maxMemoryKiB: 4194304n,
    currentMemoryKiB: 3145728n,
    vcpuMax: 2,
    vcpuCurrent: 2,
    disks: [
      xenDisk('hda', '/dev/vg0/win1-c', 'ide'),
      { target: 'hdc', bus: 'ide', type: 'file', device: 'disk', source: '/var/lib/xen/images/win1-d.img', driverName: 'tap', driverType: 'aio', backing: [] },
    ],
    interfaces: [{ target: 'vif12.0-emu', mac: '00:16:3e:0c:00:00', type: 'bridge', model: 'e1000', source: 'xenbr0' }],
    live: true,
  });
  t.strictSame(plain(load(`${run}/broken1.xml`)), {
    name: 'broken1',
    uuid: '7d48d4bf-0176-5e70-883b-1d7f7ea8c2d4',
    id: 15,
    hvType: 'xen',
    state: 1,
    reason: 1,
    vcpuPids: [],
    maxMemoryKiB: 524288n,
    currentMemoryKiB: 524288n,
    vcpuMax: 1,
    vcpuCurrent: 1,
    disks: [xenDisk('xvda', '/dev/vg0/broken1')],
    interfaces: [{ target: 'vif15.0', mac: '00:16:3e:0f:00:00', type: 'bridge', source: 'xenbr0' }],
    live: true,
  });
});

t.test('libxl definition: an interface without <target> has no target', async (t) => {
  t.strictSame(plain(load(`${XEN}/etc/libvirt/libxl/off1.xml`)), {
    name: 'off1',
    uuid: '0ded59be-944a-5991-aa3b-cab59a38b3b0',
    id: -1,
    hvType: 'xen',
    state: 5,
    reason: 0,
    vcpuPids: [],
    maxMemoryKiB: 262144n,
    currentMemoryKiB: 262144n,
    vcpuMax: 1,
    vcpuCurrent: 1,
    disks: [xenDisk('xvda', '/dev/vg0/off1')],
    interfaces: [{ mac: '00:16:3e:ff:00:00', type: 'bridge', source: 'xenbr0' }],
    live: false,
  });
});

t.test('memory: unit attribute, default KiB, rounded up to whole KiB', async (t) => {
  const cases: [string | null, string, bigint][] = [
    [null, '163840', 163840n],
    ['KiB', '1', 1n],
    ['k', '2', 2n],
    ['K', '3', 3n],
    ['kib', '4', 4n],
    ['MiB', '160', 163840n],
    ['M', '1', 1024n],
    ['GiB', '2', 2097152n],
    ['G', '1', 1048576n],
    ['TiB', '1', 1073741824n],
    ['PiB', '1', 1099511627776n],
    ['EiB', '16', 18014398509481984n],
    ['bytes', '1024', 1n],
    ['bytes', '1025', 2n],
    ['bytes', '1', 1n],
    ['bytes', '0', 0n],
    ['b', '2048', 2n],
    ['KB', '1000', 977n], // 1 000 000 bytes = 976.5625 KiB
    ['KB', '1024', 1000n],
    ['MB', '1', 977n],
    ['GB', '1', 976563n], // 976562.5 KiB
    ['TB', '1', 976562500n],
    ['KiB', '9007199254740993', 9007199254740993n], // beyond 2^53: still exact
    ['KiB', '00042', 42n],
  ];
  for (const [unit, value, want] of cases) {
    const u = unit === null ? '' : ` unit='${unit}'`;
    const d = dom(`<name>m</name><memory${u}>${value}</memory><currentMemory${u}>${value}</currentMemory>`);
    t.equal(d.maxMemoryKiB, want, `<memory${u}>${value}</memory>`);
    t.equal(d.currentMemoryKiB, want, `<currentMemory${u}>${value}</currentMemory>`);
  }
  const mixed = dom(`<name>m</name><memory unit='GiB'>2</memory><currentMemory unit='MiB'>1536</currentMemory>`);
  t.equal(mixed.maxMemoryKiB, 2097152n);
  t.equal(mixed.currentMemoryKiB, 1572864n);
  const noCurrent = dom(`<name>m</name><memory unit='MiB'>512</memory>`);
  t.equal(noCurrent.currentMemoryKiB, 524288n, 'currentMemory defaults to memory');
  const none = dom(`<name>m</name>`);
  t.equal(none.maxMemoryKiB, undefined);
  t.equal(none.currentMemoryKiB, undefined);
  t.notOk('maxMemoryKiB' in none, 'no key when there is no <memory>');

  expectXmlError(t, () => dom(`<name>m</name><memory>1.5</memory>`), F, 'bad memory value "1.5"');
  expectXmlError(t, () => dom(`<name>m</name><memory>-1</memory>`), F, 'bad memory value "-1"');
  expectXmlError(t, () => dom(`<name>m</name><memory>1e6</memory>`), F, 'bad memory value "1e6"');
  expectXmlError(t, () => dom(`<name>m</name><memory>0x10</memory>`), F, 'bad memory value "0x10"');
  expectXmlError(t, () => dom(`<name>m</name><memory>${'9'.repeat(21)}</memory>`), F, `bad memory value "${'9'.repeat(21)}"`);
  expectXmlError(t, () => dom(`<name>m</name><memory unit='EiB'>${'9'.repeat(20)}</memory>`), F, `memory value too large: ${'9'.repeat(20)} eib`);
  t.equal(dom(`<name>m</name><memory>18446744073709551615</memory>`).maxMemoryKiB, 18446744073709551615n, '2^64-1 KiB: the largest there is');
  t.equal(dom(`<name>m</name><memory unit='EiB'>16</memory>`).maxMemoryKiB, 16n << 50n, '16 EiB in KiB');
  expectXmlError(t, () => dom(`<name>m</name><memory unit='furlong'>1</memory>`), F, 'unknown memory unit "furlong"');
  expectXmlError(t, () => dom(`<name>m</name><memory unit='KiBs'>1</memory>`), F, 'unknown memory unit "kibs"');
  expectXmlError(t, () => dom(`<name>m</name><memory>1</memory><currentMemory unit='x'>1</currentMemory>`), F, 'unknown memory unit "x"');
});

t.test('vcpu: max from the text, current from the attribute, defaulting to max', async (t) => {
  const two = dom(`<name>v</name><vcpu placement='static' current='2'>8</vcpu>`);
  t.strictSame([two.vcpuMax, two.vcpuCurrent], [8, 2]);
  const three = dom(`<name>v</name><vcpu>3</vcpu>`);
  t.strictSame([three.vcpuMax, three.vcpuCurrent], [3, 3]);
  const none = dom(`<name>v</name>`);
  t.equal(none.vcpuMax, undefined);
  t.equal(none.vcpuCurrent, undefined);
  expectXmlError(t, () => dom(`<name>v</name><vcpu>two</vcpu>`), F, 'bad vcpu count "two"');
  expectXmlError(t, () => dom(`<name>v</name><vcpu current='x'>2</vcpu>`), F, 'bad current vcpu count "x"');
});

/** A status file whose private sections hold <disk>, <interface> and even <domain> elements. */
const STATUS_WITH_DECOYS = `<!--
WARNING: THIS IS AN AUTO-GENERATED FILE.
-->

<domstatus state='running' reason='booted' pid='4242'>
  <vcpus>
    <vcpu id='0' pid='4243'/>
    <vcpu id='2' pid='4245'/>
  </vcpus>
  <qemuCaps>
    <flag name='kvm'/>
    <disk type='file' device='disk'><source file='/caps.img'/><target dev='vdz' bus='virtio'/></disk>
    <interface type='bridge'><mac address='52:54:00:00:00:99'/><target dev='decoy0'/></interface>
    <domain type='kvm' id='99'><name>decoy</name><devices><disk type='file'><target dev='vdx'/></disk></devices></domain>
  </qemuCaps>
  <devices>
    <device alias='virtio-disk0'/>
    <disk type='file'><target dev='vdy'/></disk>
    <interface type='bridge'><target dev='decoy1'/></interface>
  </devices>
  <blockjobs active='yes'>
    <disk dst='vda' type='copy' state='ready' jobflags='0x0'>
      <mirror type='file' format='qcow2'><source file='/mirror.qcow2' index='9'/></mirror>
    </disk>
  </blockjobs>
  <domain type='kvm' id='5'>
    <name>real</name>
    <uuid>CE73487D08624D649DB79237B01B03E1</uuid>
    <devices>
      <disk type='file' device='disk'>
        <driver name='qemu' type='qcow2'/>
        <source file='/img/top.qcow2' index='3'/>
        <backingStore type='file' index='2'>
          <format type='qcow2'/>
          <source file='/img/mid.qcow2'/>
          <backingStore type='block' index='1'>
            <format type='raw'/>
            <source dev='/dev/vg/base'/>
            <backingStore/>
          </backingStore>
        </backingStore>
        <target dev='vda' bus='virtio'/>
      </disk>
      <disk type='network' device='cdrom'>
        <driver name='qemu' type='raw'/>
        <source protocol='nbd' name='export1'><host name='nbd.example' port='10809'/></source>
        <target dev='sda' bus='scsi'/>
        <readonly/>
      </disk>
      <disk type='volume' device='disk'>
        <source pool='default' volume='vol1'/>
        <target dev='vdc'/>
      </disk>
      <disk type='dir' device='floppy'>
        <source dir='/srv/floppy'/>
        <target dev='fda' bus='fdc'/>
      </disk>
      <disk type='file' device='cdrom'>
        <target dev='hdc' bus='ide'/>
      </disk>
      <disk type='file'>
        <source file='/img/legacy.img'/>
        <backingStore type='file'>
          <source file='/img/legacy-base.img' index='7'/>
        </backingStore>
        <target dev='vdd'/>
      </disk>
      <interface type='network'>
        <mac address='52:54:00:AB:CD:EF'/>
        <source network='default' portid='b884cc7e-b347-4a17-9e78-4f672a67794e'/>
        <actual type='bridge'><source bridge='virbr0'/></actual>
        <target dev='vnet0'/>
        <model type='virtio'/>
      </interface>
      <interface type='ethernet'>
        <mac address='52:54:00:00:00:02'/>
        <target dev='macvtap0' managed='no'/>
      </interface>
      <interface type='direct'>
        <source dev='eth0' mode='vepa'/>
        <target dev='macvtap1'/>
      </interface>
      <interface type='vhostuser'>
        <mac address='52:54:00:00:00:03'/>
        <source type='unix' path='/run/vhost0.sock' mode='server'/>
        <model type='virtio'/>
      </interface>
      <interface type='user'>
        <mac address='52:54:00:00:00:04'/>
      </interface>
    </devices>
  </domain>
</domstatus>
`;

t.test('devices come only from domain/devices; private sections before <domain> are ignored', async (t) => {
  const d = parseDomainXml(STATUS_WITH_DECOYS, '/run/libvirt/qemu/real.xml');
  t.equal(d.name, 'real', 'the direct <domain> child, not the one inside <qemuCaps>');
  t.equal(d.id, 5);
  t.equal(d.pid, 4242);
  t.equal(d.uuid, 'ce73487d-0862-4d64-9db7-9237b01b03e1', 'uuid normalised to lower case with dashes');
  t.strictSame(
    [...d.vcpuPids],
    [
      [0, 4243],
      [2, 4245],
    ],
  );
  t.strictSame(
    d.disks.map((k) => k.target),
    ['vda', 'sda', 'vdc', 'fda', 'hdc', 'vdd'],
    'six disks, none of vdz/vdx/vdy or the blockjob mirror',
  );
  t.strictSame(d.disks, [
    {
      target: 'vda',
      bus: 'virtio',
      type: 'file',
      device: 'disk',
      source: '/img/top.qcow2',
      driverName: 'qemu',
      driverType: 'qcow2',
      sourceIndex: 3,
      backing: [
        { type: 'file', source: '/img/mid.qcow2', index: 2 },
        { type: 'block', source: '/dev/vg/base', index: 1 },
      ],
    },
    { target: 'sda', bus: 'scsi', type: 'network', device: 'cdrom', source: 'export1', driverName: 'qemu', driverType: 'raw', backing: [] },
    { target: 'vdc', type: 'volume', device: 'disk', source: 'vol1', backing: [] },
    { target: 'fda', bus: 'fdc', type: 'dir', device: 'floppy', source: '/srv/floppy', backing: [] },
    { target: 'hdc', bus: 'ide', type: 'file', device: 'cdrom', backing: [] },
    // Without index on <backingStore>, an index on the layer's <source> is used.
    { target: 'vdd', type: 'file', device: 'disk', source: '/img/legacy.img', backing: [{ type: 'file', source: '/img/legacy-base.img', index: 7 }] },
  ]);
  t.strictSame(d.interfaces, [
    // Status XML keeps the network name on <source> and the bridge under <actual>.
    { target: 'vnet0', mac: '52:54:00:ab:cd:ef', type: 'network', model: 'virtio', source: 'default' },
    { target: 'macvtap0', managed: 'no', mac: '52:54:00:00:00:02', type: 'ethernet' },
    { target: 'macvtap1', type: 'direct', source: 'eth0' },
    { mac: '52:54:00:00:00:03', type: 'vhostuser', model: 'virtio', source: '/run/vhost0.sock' },
    { mac: '52:54:00:00:00:04', type: 'user' },
  ]);
});

t.test('interface source follows virsh domiflist: the first of bridge|dev|network|name|path in document order', async (t) => {
  const src = (s: string) => dom(`<name>i</name><devices><interface type='network'><source ${s}/></interface></devices>`).interfaces[0]?.source;
  // virsh dumpxml (live, not status) writes the bridge into the same <source> after the network.
  t.equal(src(`network='default' portid='b884cc7e-b347-4a17-9e78-4f672a67794e' bridge='virbr0'`), 'default');
  t.equal(src(`bridge='br0' network='net'`), 'br0');
  t.equal(src(`portgroup='pg' name='n1'`), 'n1');
  t.equal(src(`address='127.0.0.1' port='5555'`), undefined);
});

t.test('backing chains: 200 layers (libvirt maximum) are read whole, with indexes', async (t) => {
  let chain = '<backingStore/>';
  for (let i = 200; i >= 1; i--)
    chain = `<backingStore type='file' index='${i + 1}'><format type='qcow2'/><source file='/img/l${i}.qcow2'/>${chain}</backingStore>`;
  const d = parseDomainXml(
    `<domstatus state='running' reason='booted' pid='1'><domain type='kvm' id='1'><name>deep</name><devices><disk type='file' device='disk'><source file='/img/top.qcow2' index='1'/>${chain}<target dev='vda' bus='virtio'/></disk></devices></domain></domstatus>`,
    F,
  );
  const b = d.disks[0]!.backing;
  t.equal(b.length, 200);
  t.strictSame(b[0], { type: 'file', source: '/img/l1.qcow2', index: 2 });
  t.strictSame(b[199], { type: 'file', source: '/img/l200.qcow2', index: 201 });
  t.ok(
    b.every((l, i) => l.index === i + 2 && l.source === `/img/l${i + 1}.qcow2`),
    'every layer in order',
  );
  expectXmlError(
    t,
    () =>
      dom(
        `<name>b</name><devices><disk type='file'><source file='/a'/><backingStore type='file' index='x'><source file='/b'/></backingStore></disk></devices>`,
      ),
    F,
    'bad backing index "x"',
  );
});

t.test('states and reasons from <domstatus>', async (t) => {
  const st = (state: string, reason?: string) =>
    parseDomainXml(
      `<domstatus state='${state}'${reason === undefined ? '' : ` reason='${reason}'`} pid='1'><domain type='kvm' id='1'><name>s</name></domain></domstatus>`,
      F,
    );
  const cases: [string, string | undefined, number, number][] = [
    ['nostate', 'unknown', 0, 0],
    ['running', 'booted', 1, 1],
    ['running', 'migrated', 1, 2],
    ['running', 'post-copy failed', 1, 11],
    ['running', 'nonsense', 1, 0],
    ['running', undefined, 1, 0],
    ['blocked', 'unknown', 2, 0],
    ['paused', 'user', 3, 1],
    ['paused', 'migration', 3, 2],
    ['paused', 'starting up', 3, 11],
    ['paused', 'api error', 3, 14],
    ['shutdown', 'user', 4, 1],
    ['shutoff', 'destroyed', 5, 2],
    ['shutoff', 'daemon', 5, 8],
    ['crashed', 'panicked', 6, 1],
    ['pmsuspended', 'unknown', 7, 0],
  ];
  for (const [state, reason, n, r] of cases) {
    const d = st(state, reason);
    t.strictSame([d.state, d.reason], [n, r], `${state}/${reason}`);
  }
  expectXmlError(t, () => st('bogus'), F, 'unknown domain state "bogus"');
  expectXmlError(t, () => st('constructor'), F, 'unknown domain state "constructor"');
  expectXmlError(
    t,
    () => parseDomainXml(`<domstatus pid='1'><domain type='kvm' id='1'><name>s</name></domain></domstatus>`, F),
    F,
    'unknown domain state undefined',
  );
});

t.test('entities decode in names and attributes', async (t) => {
  const d = dom(
    `<name>a&amp;b&#x41;&#66;&lt;&gt;&quot;&apos;</name><devices><disk type='file' device='disk'><source file='/img/a&amp;b&#x20;c.qcow2'/><target dev='v&#100;a' bus='virtio'/></disk><interface type='bridge'><mac address='52:54:00:&#x41;A:00:01'/><source bridge='br&apos;0'/><target dev='tap&amp;0'/></interface></devices>`,
  );
  t.equal(d.name, `a&bAB<>"'`);
  t.equal(d.disks[0]!.source, '/img/a&b c.qcow2');
  t.equal(d.disks[0]!.target, 'vda');
  t.equal(d.interfaces[0]!.mac, '52:54:00:aa:00:01');
  t.equal(d.interfaces[0]!.source, "br'0");
  t.equal(d.interfaces[0]!.target, 'tap&0');
  t.equal(dom(`<name>a&amp;b</name>`).name, 'a&b');
  t.equal(dom(`<name>&#x41;</name>`).name, 'A');
  t.equal(dom(`<name>&amp;lt;</name>`).name, '&lt;', 'decoded once, not twice');
  expectXmlError(t, () => dom(`<name>&foo;</name>`), F, 'undefined entity &foo;');
  expectXmlError(t, () => dom(`<name>n</name><devices><disk><target dev='&bar;'/></disk></devices>`), F, 'undefined entity &bar;', 'in an attribute');
  expectXmlError(t, () => dom(`<name>n&#27;[2J</name>`), F, 'bad character reference &#27;', 'an ESC by reference');
});

t.test('identity fields: name, type, uuid and id are validated', async (t) => {
  expectXmlError(t, () => dom(`<uuid>ce73487d-0862-4d64-9db7-9237b01b03e1</uuid>`), F, 'domain has no <name>');
  expectXmlError(t, () => dom(`<name></name>`), F, 'domain has no <name>');
  expectXmlError(t, () => dom(`<name>a</name>`, ''), F, '<domain> has no type attribute');
  expectXmlError(t, () => dom(`<name>a</name><uuid>not-a-uuid</uuid>`), F, 'bad uuid "not-a-uuid"');
  expectXmlError(t, () => dom(`<name>a</name><uuid></uuid>`), F, 'bad uuid ""');
  expectXmlError(t, () => dom(`<name>a</name><uuid>ce73487d-0862-4d64-9db7-9237b01b03e</uuid>`), F, 'bad uuid "ce73487d-0862-4d64-9db7-9237b01b03e"');
  expectXmlError(t, () => dom(`<name>a</name><uuid>ce73487d-0862-4d64-9db7-9237b01b03eg</uuid>`), F, 'bad uuid "ce73487d-0862-4d64-9db7-9237b01b03eg"');
  t.equal(dom(`<name>a</name><uuid>CE73487D-0862-4D64-9DB7-9237B01B03E1</uuid>`).uuid, 'ce73487d-0862-4d64-9db7-9237b01b03e1');
  t.notOk('uuid' in dom(`<name>a</name>`), 'no uuid key without <uuid>');

  const live = (domAttrs: string, rootAttrs = "state='running' pid='10'") =>
    parseDomainXml(`<domstatus ${rootAttrs}><domain type='kvm' ${domAttrs}><name>a</name></domain></domstatus>`, F);
  t.equal(live(`id='2147483647'`).id, 2147483647, 'largest id');
  t.equal(live(``).id, -1, 'no id attribute');
  expectXmlError(t, () => live(`id='99999999999'`), F, 'bad domain id "99999999999"');
  expectXmlError(t, () => live(`id='2147483648'`), F, 'domain id out of range: 2147483648');
  expectXmlError(t, () => live(`id='-2'`), F, 'domain id out of range: -2');
  expectXmlError(t, () => live(`id='1.0'`), F, 'bad domain id "1.0"');
  expectXmlError(t, () => live(`id='1'`, `state='running' pid='-1'`), F, 'pid out of range: -1');
  expectXmlError(t, () => live(`id='1'`, `state='running' pid='12x'`), F, 'bad pid "12x"');
  t.notOk('pid' in live(`id='1'`, `state='running' pid='0'`), "pid='0' is no pid");
  t.notOk('pid' in live(`id='1'`, `state='running'`), 'no pid attribute');
  expectXmlError(
    t,
    () =>
      parseDomainXml(
        `<domstatus state='running' pid='1'><vcpus><vcpu id='0' pid='x'/></vcpus><domain type='kvm' id='1'><name>a</name></domain></domstatus>`,
        F,
      ),
    F,
    'bad vcpu pid "x"',
  );
  expectXmlError(t, () => parseDomainXml(`<domstatus state='running' pid='1'/>`, F), F, '<domstatus> without a <domain> element');
});

t.test('root element: exactly one <domain> or <domstatus>', async (t) => {
  expectXmlError(
    t,
    () => parseDomainXml(`<network><name>default</name></network>`, F),
    F,
    'expected one <domain> or <domstatus> root element, found <network>',
  );
  expectXmlError(t, () => parseDomainXml(`<?xml version='1.0'?><!-- only a comment -->`, F), F, 'malformed XML at line 1: Start tag expected.');
  expectXmlError(t, () => parseDomainXml(`\n\n`, F), F, 'not XML: no root element');
  expectXmlError(
    t,
    () => parseDomainXml(`<domain type='kvm'><name>a</name></domain><domain type='kvm'><name>b</name></domain>`, F),
    F,
    'malformed XML at line 1: Multiple possible root nodes found.',
  );
});

t.test('vcpuPids is a Map keyed by vCPU id', async (t) => {
  const d: DomainDef = load(`${QEMU}/var/run/libvirt/qemu/lab-busy.xml`);
  t.ok(d.vcpuPids instanceof Map);
  t.equal(d.vcpuPids.get(1), 20737);
  t.equal(d.vcpuPids.get(2), undefined);
});
