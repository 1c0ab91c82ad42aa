// Xen virtual block device numbers: libvirt's legacy table (reference §1.1), Xen's canonical
// forms (§1.1a), libvirt's error texts, and the reverse mapping used on libvirt-less hosts.
import t, { type Test } from 'tap';
import { xenDeviceName, xenDeviceNumber } from '../../../src/drivers/xen/devnum.js';
import { VirError, VirErrorCode } from '../../../src/stats/errors.js';

/** Asserts that name is refused with exactly libvirt's detail text, with and without a domain id. */
function rejects(t: Test, name: string, detail: string): void {
  for (const domid of [undefined, 3, 0] as const) {
    const want = domid === undefined ? detail : `${detail} for domain ${domid}`;
    let caught: unknown;
    try {
      const n = domid === undefined ? xenDeviceNumber(name) : xenDeviceNumber(name, domid);
      t.fail(`${name} (domain ${String(domid)}) should be refused, got ${n}`);
      continue;
    } catch (e) {
      caught = e;
    }
    t.type(caught, VirError, `${name}: a VirError`);
    const e = caught as VirError;
    t.equal(e.vir, VirErrorCode.INVALID_ARG, `${name}: VIR_ERR_INVALID_ARG`);
    t.equal(e.detail, want, `${name} (domain ${String(domid)}): libvirt's text`);
    t.equal(e.message, `invalid argument: ${want}`, `${name}: message with virsh's prefix`);
  }
}

const XVD_RANGE = 'invalid path, device names must be in the range xvda[1-15] - xvdiz[1-15]';
const HD_RANGE = 'invalid path, device names must be in the range hda[1-63] - hdt[1-63]';
const SD_RANGE = 'invalid path, device names must be in the range sda[1-15] - sdiv[1-15]';
const UNSUPPORTED = 'unsupported path, use xvdN, hdN, or sdN';

t.test('§1.1 worked values (libvirt tests/statstest.c)', async (t) => {
  t.equal(xenDeviceNumber('xvda'), 51712, 'xvda');
  t.equal(xenDeviceNumber('xvda'), 0xca00, 'xvda = 0xCA00');
  t.equal(xenDeviceNumber('xvda1'), 51713, 'xvda1');
  t.equal(xenDeviceNumber('xvda15'), 51727, 'xvda15');
  t.equal(xenDeviceNumber('xvdb'), 51728, 'xvdb');
  t.equal(xenDeviceNumber('xvdp'), 51952, 'xvdp');
  t.equal(xenDeviceNumber('xvdp15'), 51967, 'xvdp15');
  t.equal(xenDeviceNumber('xvdq'), 268439552, 'xvdq');
  t.equal(xenDeviceNumber('xvdq'), 0x10001000, 'xvdq = 0x10001000');
  t.equal(xenDeviceNumber('xvdz'), 268441856, 'xvdz');
  t.equal(xenDeviceNumber('xvdaa'), 268442112, 'xvdaa');
  t.equal(xenDeviceNumber('xvdiz'), 268501760, 'xvdiz');
  t.equal(xenDeviceNumber('xvdiz15'), 268501775, 'xvdiz15');
  t.equal(xenDeviceNumber('hda'), 768, 'hda');
  t.equal(xenDeviceNumber('hda63'), 831, 'hda63');
  t.equal(xenDeviceNumber('hdb'), 832, 'hdb');
  t.equal(xenDeviceNumber('hdc'), 5632, 'hdc');
  t.equal(xenDeviceNumber('hdd'), 5696, 'hdd');
  t.equal(xenDeviceNumber('hdt'), 23360, 'hdt');
  t.equal(xenDeviceNumber('sda'), 2048, 'sda');
  t.equal(xenDeviceNumber('sda15'), 2063, 'sda15');
  t.equal(xenDeviceNumber('sdp'), 2288, 'sdp');
  t.equal(xenDeviceNumber('sdq'), 16640, 'sdq');
  t.equal(xenDeviceNumber('sdz'), 16784, 'sdz');
  t.equal(xenDeviceNumber('sdaa'), 16800, 'sdaa');
  t.equal(xenDeviceNumber('sdab'), 16816, 'sdab');
  t.equal(xenDeviceNumber('sdba'), 17216, 'sdba');
  t.equal(xenDeviceNumber('sdiv'), 34800, 'sdiv');
});

t.test('the fixture disks', async (t) => {
  t.equal(xenDeviceNumber('xvdb1'), 51729, 'web1 xvdb1');
  t.equal(xenDeviceNumber('sdb'), 2064, 'db1 sdb');
  t.equal(xenDeviceNumber('xvdaa', 7), 268442112, 'db1 xvdaa with a domain id');
});

t.test('§1.1a Xen canonical forms', async (t) => {
  t.equal(xenDeviceNumber('51712'), 51712, 'decimal number used verbatim');
  t.equal(xenDeviceNumber('0xca00'), 51712, 'hexadecimal 0xca00');
  t.equal(xenDeviceNumber('0xCA00'), 51712, 'hexadecimal digits in upper case');
  t.equal(xenDeviceNumber('0145000'), 51712, 'octal 0145000');
  t.equal(xenDeviceNumber('0'), 0, 'plain 0');
  t.equal(xenDeviceNumber('268442112'), 268442112, 'an extended number verbatim');
  t.equal(xenDeviceNumber('2147483647'), 2147483647, 'INT_MAX is accepted');
  t.equal(xenDeviceNumber('d0p0'), 51712, 'd0p0 = xvda');
  t.equal(xenDeviceNumber('d1p1'), 51729, 'd1p1 = xvdb1');
  t.equal(xenDeviceNumber('d15p15'), 51967, 'd15p15 = xvdp15');
  t.equal(xenDeviceNumber('d16p0'), 268439552, 'd16p0 = xvdq (extended)');
  t.equal(xenDeviceNumber('d536p37'), 268572709, 'd536p37 = (1<<28)|(536<<8)|37');
  t.equal(xenDeviceNumber('d536p37'), (1 << 28) | (536 << 8) | 37, 'd536p37 by the formula');
  t.equal(xenDeviceNumber('xvdtq37'), 268572709, 'xvdtq37');
  t.equal(xenDeviceNumber('xvdtq37'), xenDeviceNumber('d536p37'), 'xvdtq37 == d536p37');
  t.equal(xenDeviceNumber('xvda16'), 268435472, 'xvda16: partition > 15 takes the extended form');
  t.equal(xenDeviceNumber('xvda0'), 51712, 'xvda0 == xvda');
  t.equal(xenDeviceNumber('xvda0'), xenDeviceNumber('xvda'), 'partition 0 is the whole disk');
  t.equal(xenDeviceNumber('xvdiz16'), 268501776, 'xvdiz16 accepted (extended)');
  t.equal(xenDeviceNumber('xvda255'), 268435711, 'partition 255 is the largest');
  t.equal(xenDeviceNumber('xvdb100'), (1 << 28) | (1 << 8) | 100, 'xvdb100');
  t.equal(xenDeviceNumber('xvdzz255'), 268615167, 'xvdzz255 = (1<<28)|(701<<8)|255');
  t.equal(xenDeviceNumber('xvdja'), (1 << 28) | (260 << 8), "xvdja: disk 260 is beyond libvirt's table but Xen accepts it");
  t.equal(xenDeviceNumber('hda0'), 768, 'hda0 == hda');
  t.equal(xenDeviceNumber('sda0'), 2048, 'sda0 == sda');
  t.equal(xenDeviceNumber('ioemu:hda'), 768, 'the ioemu: prefix is dropped');
});

t.test('the /dev/ prefix', async (t) => {
  t.equal(xenDeviceNumber('/dev/xvda'), 51712, '/dev/xvda');
  t.equal(xenDeviceNumber('/dev/xvda1'), 51713, '/dev/xvda1');
  t.equal(xenDeviceNumber('/dev/xvdaa'), 268442112, '/dev/xvdaa');
  t.equal(xenDeviceNumber('/dev/hdc'), 5632, '/dev/hdc');
  t.equal(xenDeviceNumber('/dev/sdiv'), 34800, '/dev/sdiv');
  t.equal(xenDeviceNumber('/dev/d536p37'), 268572709, '/dev/d536p37');
  rejects(t, '/dev/xvda01', XVD_RANGE);
  rejects(t, '/dev/foo', UNSUPPORTED);
  rejects(t, '/dev/', UNSUPPORTED);
});

t.test("§1.1 rejections with libvirt's error text", async (t) => {
  rejects(t, 'xvda01', XVD_RANGE);
  rejects(t, 'hda64', HD_RANGE);
  rejects(t, 'hdu', HD_RANGE);
  rejects(t, 'sdix', SD_RANGE);
  rejects(t, 'xvd', XVD_RANGE);
  rejects(t, 'hd', HD_RANGE);
  rejects(t, 'sd', SD_RANGE);
  rejects(t, 'xvd1', XVD_RANGE);
  rejects(t, 'foo', UNSUPPORTED);
  rejects(t, 'sda16', SD_RANGE);
});

t.test('canonical limits', async (t) => {
  rejects(t, 'xvda256', XVD_RANGE);
  rejects(t, 'xvda1000', XVD_RANGE);
  rejects(t, 'xvda00', XVD_RANGE);
  rejects(t, 'd0p01', UNSUPPORTED);
  rejects(t, 'd00p0', UNSUPPORTED);
  rejects(t, 'd1048576p0', UNSUPPORTED);
  rejects(t, '2147483648', UNSUPPORTED);
  rejects(t, '0x80000000', UNSUPPORTED);
  rejects(t, '08', UNSUPPORTED);
  rejects(t, '-1', UNSUPPORTED);
  rejects(t, '', UNSUPPORTED);
  rejects(t, 'XVDA', UNSUPPORTED);
  rejects(t, 'vda', UNSUPPORTED);
  t.equal(xenDeviceNumber('d1048575p0'), (1 << 28) | (1048575 << 8), 'the largest disk index (2^20-1)');
});

t.test('xenDeviceName', async (t) => {
  const names: [number, string][] = [
    [51712, 'xvda'],
    [51713, 'xvda1'],
    [51727, 'xvda15'],
    [51728, 'xvdb'],
    [51729, 'xvdb1'],
    [51952, 'xvdp'],
    [51967, 'xvdp15'],
    [268439552, 'xvdq'],
    [268441856, 'xvdz'],
    [268442112, 'xvdaa'],
    [268501760, 'xvdiz'],
    [268501775, 'xvdiz15'],
    [268501776, 'xvdiz16'],
    [268435472, 'xvda16'],
    [268435711, 'xvda255'],
    [268572709, 'xvdtq37'],
    [268615167, 'xvdzz255'],
    [768, 'hda'],
    [831, 'hda63'],
    [832, 'hdb'],
    [5632, 'hdc'],
    [5696, 'hdd'],
    [2048, 'sda'],
    [2063, 'sda15'],
    [2064, 'sdb'],
    [2288, 'sdp'],
  ];
  for (const [n, name] of names) {
    t.equal(xenDeviceName(n), name, `${n} -> ${name}`);
    t.equal(xenDeviceNumber(name), n, `${name} -> ${n} (round trip)`);
  }
  t.equal(xenDeviceName(-1), null, 'negative');
  t.equal(xenDeviceName(1.5), null, 'not an integer');
  t.equal(xenDeviceName(2 ** 29), null, '2<<28 and up are reserved');
  t.equal(xenDeviceName(2 ** 31), null, 'above INT_MAX');
  t.equal(xenDeviceName(16640), null, 'sdq (SCSI major 65) has no canonical name');
  t.equal(xenDeviceName(23360), null, 'hdt (IDE major 91) has no canonical name');
});
