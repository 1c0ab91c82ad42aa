// domstat capture: the tarball of the files domstat read, secrets stripped, becomes a tree that
// every command reads back with --root and gets the same answers from.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tar from 'tar';
import { fixture, runCli } from '../helpers/cli.js';
import { privateDir, privateTree } from '../helpers/moving.js';
import { stripSecrets } from '../../src/cli/capture.js';

/** Every file under dir (symlinks listed, not followed), relative paths. */
function walk(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const p = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...walk(dir, p));
    else out.push(p);
  }
  return out.sort();
}

function insertBefore(file: string, marker: string, text: string): void {
  const xml = fs.readFileSync(file, 'utf8');
  const i = xml.indexOf(marker);
  if (i < 0) throw new Error(`${file}: no ${marker}`);
  fs.writeFileSync(file, xml.slice(0, i) + text + xml.slice(i));
}

/** capture --root tree, then unpack with the tar package; returns the unpacked directory. */
async function roundTrip(t: Test, tree: string, dir: string): Promise<{ un: string; err: string }> {
  const archive = path.join(dir, `${path.basename(tree)}.tar.gz`);
  const r = await runCli(['capture', '--root', tree, '-o', archive]);
  t.equal(r.code, 0, `capture exit 0 ${r.err}`);
  t.equal(r.out, '', 'nothing on stdout');
  const un = path.join(dir, `${path.basename(tree)}-unpacked`);
  fs.mkdirSync(un);
  await tar.x({ file: archive, cwd: un });
  return { un, err: r.err };
}

t.test('KVM: secrets stripped, and the unpacked tree answers like the original', async (t) => {
  const copy = privateTree(t, 'kvm-cgroup1-systemd');
  const dir = path.dirname(copy);
  // Graphics passwords in the status XML (single quotes), in the definition (double quotes
  // around a value that holds a single quote) and in beta's status XML.
  insertBefore(
    path.join(copy, 'run/libvirt/qemu/alpha.xml'),
    '      <serial',
    "      <graphics type='vnc' port='5900' autoport='yes' listen='127.0.0.1' passwd='secret123'/>\n",
  );
  insertBefore(path.join(copy, 'etc/libvirt/qemu/alpha.xml'), '  </devices>', '    <graphics type="spice" autoport="yes" passwd="it\'s-secret123"/>\n');
  insertBefore(path.join(copy, 'run/libvirt/qemu/beta.xml'), '    </devices>', "      <graphics type='vnc' port='5901' passwd='a\"secret123'/>\n");
  const before = await runCli(['domstats', '--root', copy]);
  t.equal(before.code, 0);
  t.match(before.out, /block\.0\.rd\.bytes=537601536/, "the copy reads alpha's block device");

  const { un, err } = await roundTrip(t, copy, dir);
  t.equal(
    err,
    `wrote ${path.join(dir, 'kvm-cgroup1-systemd.tar.gz')}: 76 files of 4 domain(s); unpack it and use --root DIR with any command\n`,
    'says what it packed',
  );

  const files = walk(un);
  t.ok(files.includes(path.join('run', 'libvirt', 'qemu', 'alpha.xml')), 'status XML packed');
  t.ok(files.includes(path.join('proc', 'net', 'dev')), 'proc/net/dev packed');
  t.ok(files.includes(path.join('expected', 'captured-at.txt')), 'capture time recorded');
  const leaks = files.filter((f) => !fs.lstatSync(path.join(un, f)).isSymbolicLink() && fs.readFileSync(path.join(un, f), 'latin1').includes('secret123'));
  t.same(leaks, [], 'no file holds secret123');
  t.notOk(fs.readFileSync(path.join(dir, 'kvm-cgroup1-systemd.tar.gz')).includes('secret123'), 'nor does the archive (gzip of text that lacks it)');
  const alphaXml = fs.readFileSync(path.join(un, 'run/libvirt/qemu/alpha.xml'), 'utf8');
  t.ok(alphaXml.includes("<graphics type='vnc' port='5900' autoport='yes' listen='127.0.0.1'/>"), 'the graphics element stays, without passwd');
  t.ok(
    fs.readFileSync(path.join(un, 'etc/libvirt/qemu/alpha.xml'), 'utf8').includes('<graphics type="spice" autoport="yes"/>'),
    'a double-quoted value with a quote inside is stripped whole',
  );
  t.ok(
    fs.readFileSync(path.join(un, 'run/libvirt/qemu/beta.xml'), 'utf8').includes("<graphics type='vnc' port='5901'/>"),
    'a single-quoted value with a double quote inside is stripped whole',
  );
  // Block devices travel as a relative link to an empty placeholder plus the kernel name's dev file.
  t.equal(fs.readlinkSync(path.join(un, 'dev/vg0/alpha')), '../dm-3', 'dev/vg0/alpha -> ../dm-3 kept');
  t.equal(fs.readFileSync(path.join(un, 'dev/dm-3'), 'utf8'), '', 'empty placeholder for the device node');
  t.equal(fs.readFileSync(path.join(un, 'sys/class/block/dm-3/dev'), 'utf8'), '253:3\n', 'kernel name -> MAJ:MIN');

  const after = await runCli(['domstats', '--root', un]);
  t.equal(after.code, 0);
  t.equal(after.out, before.out, 'domstats --root <unpacked> prints exactly what it printed for the copy');
  t.equal(after.err, before.err, 'same warnings');
  t.equal(fs.readFileSync(path.join(un, 'expected/domstat-domstats.txt'), 'utf8'), before.out, 'expected/domstat-domstats.txt matches');
  for (const args of [
    ['domstats', '--extra'],
    ['list', '--all'],
    ['domifstat', 'alpha', 'vnet0'],
    ['domblkstat', 'alpha', 'vda'],
    ['dommemstat', 'alpha'],
    ['cpu-stats', 'alpha'],
  ]) {
    const a = await runCli([...args, '--root', copy]);
    const b = await runCli([...args, '--root', un]);
    t.same(b, a, `${args.join(' ')}: same output, errors and status`);
  }
});

t.test('every fixture tree survives the round trip', async (t) => {
  const trees = [
    'kvm-cgroup1-nosystemd',
    'kvm-cgroup2-systemd',
    'kvm-hybrid',
    'xen-4.x-pv-libxl',
    'xen-2.6.18-old-layout',
    'xen-no-libvirt',
    'libvirt9-qemu7-hybrid-cgroup',
  ];
  const dir = privateDir(t);
  for (const tree of trees) {
    const copy = path.join(dir, tree);
    fs.cpSync(fixture(tree), copy, { recursive: true, verbatimSymlinks: true, filter: (src) => !['golden', 'expected'].includes(path.basename(src)) });
    const { un } = await roundTrip(t, copy, dir);
    for (const args of [
      ['domstats'],
      ['domstats', '--extra'],
      ['domstats', '--pressure', '--cgroup-memory', '--cpu-throttle', '--cgroup-io', '--numa'],
      ['list', '--all'],
    ]) {
      const a = await runCli([...args, '--root', copy]);
      const b = await runCli([...args, '--root', un]);
      t.same(b, a, `${tree}: ${args.join(' ')} reads the same from the unpacked capture`);
    }
  }
});

t.test('stripSecrets', async (t) => {
  t.equal(stripSecrets("<graphics type='vnc' passwd='x1' port='5900'/>"), "<graphics type='vnc' port='5900'/>");
  t.equal(stripSecrets('<graphics type="vnc" passwd="it\'s" port="1"/>'), '<graphics type="vnc" port="1"/>');
  t.equal(stripSecrets("<auth passphrase = 'p' secret='s' key='k' password='w'/>"), '<auth/>');
  t.equal(stripSecrets("<source pool='p' volume='v'/>"), "<source pool='p' volume='v'/>", 'other attributes stay');
  t.equal(stripSecrets("<disk keyboard='x'/>"), "<disk keyboard='x'/>", 'a longer name that starts with key stays');
  t.equal(
    stripSecrets("<source protocol='https' name='/i.qcow2'><cookies><cookie name='s'>COOKIESECRET123</cookie><cookie name='t'>x=y</cookie></cookies></source>"),
    "<source protocol='https' name='/i.qcow2'><cookies><cookie name='s'></cookie><cookie name='t'></cookie></cookies></source>",
    "a disk's cookies lose their values, keep their names",
  );
  t.equal(
    stripSecrets(
      "<qemu:commandline><qemu:arg value='-object'/><qemu:arg value=\"secret,id=s0,data=CMDLINESECRET3\"/><qemu:env name='TOKEN' value='ENVSECRET'/></qemu:commandline>",
    ),
    "<qemu:commandline><qemu:arg/><qemu:arg/><qemu:env name='TOKEN'/></qemu:commandline>",
    'hypervisor pass-through arguments and environment values are dropped',
  );
  t.equal(stripSecrets("<interface><model value='x'/></interface>"), "<interface><model value='x'/></interface>", 'value= elsewhere stays');
});
