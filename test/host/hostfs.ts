// HostFs, the one way domstat reads host files: a tree under --root cannot be left (symlinks,
// absolute or relative, at the end or in the middle of a path, nor a directory swapped for a
// symlink while it reads), '..' is refused, reads are bounded, a file that is gone is a value
// (for every errno that means gone), FIFOs, sockets and device nodes are refused without
// blocking, and kept descriptors read what the file holds now, also after it was replaced.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { FileTooLargeError, Gone, HostFs, HostPathError, HostReadError, isGone, NotRegularFileError, checkHostPath } from '../../src/host/hostfs.js';
import { outcomeOf } from '../../src/host/host-errors.js';
import { IN_PLACE_MARK } from '../../src/host/kept-files.js';
import { startSwapper } from '../helpers/swap-race.js';
import { fixture, runCli } from '../helpers/cli.js';

type Entries = { [name: string]: string | Entries };

const INSIDE = 'inside 111 222\n';
const OUTSIDE = 'OUTSIDE 999 999\n';

/** A root and, beside it, an outside directory holding a file a tree must never reach. */
function jail(t: Test) {
  // A short base: a socket's path must fit in 108 bytes.
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-jail-'));
  t.teardown(() => fs.rmSync(base, { recursive: true, force: true }));
  const tree = (dir: string, entries: Entries) => {
    for (const [name, v] of Object.entries(entries)) {
      if (typeof v === 'string') fs.writeFileSync(path.join(dir, name), v);
      else tree((fs.mkdirSync(path.join(dir, name)), path.join(dir, name)), v);
    }
  };
  tree(base, {
    outside: { secret: OUTSIDE, dir: { 'outside-name': OUTSIDE } },
    root: { etc: { conf: INSIDE }, sys: { real: { stat: INSIDE } }, run: { libvirt: { 'a.xml': '<domain/>' } } },
  });
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  return { base, root, outside, hfs: new HostFs(root), at: (p: string) => path.join(root, p) };
}

const text = (hfs: HostFs, n: number | Gone) => (typeof n === 'number' ? hfs.bytes.toString('latin1', 0, n) : n);
const goneCode = (v: unknown) => (isGone(v) ? v.code : `not gone: ${JSON.stringify(v)}`);

t.test('symlinks that lead out of the root are Gone (EXDEV) for every entry point', async (t) => {
  const { root, outside, hfs, at } = jail(t);
  fs.symlinkSync(path.join(outside, 'secret'), at('etc/absolute')); // absolute, to a file outside
  fs.symlinkSync('../../outside/secret', at('etc/relative')); // relative, climbing out
  fs.symlinkSync(path.join(outside, 'dir'), at('sys/middle')); // a directory link in the middle of a path
  fs.symlinkSync('../../../outside/dir', at('sys/real/up')); // relative, in the middle, from deeper down
  fs.symlinkSync('/etc', at('run/abs-etc')); // a captured tree's absolute link: the analyst's own /etc
  const escapes = ['/etc/absolute', '/etc/relative', '/sys/middle/outside-name', '/sys/real/up/outside-name', '/run/abs-etc/hostname'];
  hfs.keepOpen(100);
  for (const p of escapes) {
    t.equal(goneCode(hfs.readText(p)), 'EXDEV', `${p}: readText`);
    t.equal(goneCode(hfs.readBytes(p)), 'EXDEV', `${p}: readBytes`);
    t.equal(goneCode(hfs.stamp(p)), 'EXDEV', `${p}: stamp`);
    t.equal(goneCode(hfs.realHostPath(p)), 'EXDEV', `${p}: realHostPath`);
    t.equal(goneCode(hfs.blockDeviceNumber(p)), 'EXDEV', `${p}: blockDeviceNumber`);
    t.notOk(hfs.exists(p), `${p}: does not exist`);
    t.notOk(hfs.isDir(p), `${p}: is no directory`);
  }
  for (const d of ['/sys/middle', '/sys/real/up', '/run/abs-etc']) t.equal(goneCode(hfs.readDir(d)), 'EXDEV', `${d}: readDir`);
  const k = hfs.keep('/sys/middle/outside-name');
  t.equal(k.fd, -1, 'an escaping kernel path is not kept');
  t.equal(goneCode(hfs.readKept(k)), 'EXDEV', 'and reads as Gone');
  t.equal(hfs.openCount, 0);

  // Links that stay inside are followed, as a chroot would (var/run -> ../run).
  fs.mkdirSync(at('var'));
  fs.symlinkSync('../run', at('var/run'));
  fs.symlinkSync(at('etc/conf'), at('etc/absolute-inside')); // absolute, into the root's own real path
  t.equal(hfs.readText('/var/run/libvirt/a.xml'), '<domain/>', 'a relative link inside the tree');
  t.equal(hfs.readText('/etc/absolute-inside'), INSIDE, 'an absolute link into the tree');
  t.equal(hfs.realHostPath('/var/run/libvirt'), '/run/libvirt', 'realHostPath strips the root');
  t.equal(hfs.realHostPath('/'), '/');
  t.strictSame(hfs.readDir('/var/run/libvirt'), ['a.xml']);
  // A root reached through a symlink of its own is still the same root.
  const rootLink = `${root}-link`;
  fs.symlinkSync(root, rootLink);
  const viaLink = new HostFs(rootLink);
  t.equal(viaLink.readText('/etc/conf'), INSIDE, 'a root given through a symlink reads its tree');
  t.equal(goneCode(viaLink.readText('/etc/absolute')), 'EXDEV', 'and refuses to be left');
  t.equal(viaLink.realHostPath('/var/run'), '/run');
  hfs.closeAll();
});

t.test("'..', '.' and relative paths are refused before anything is read", async (t) => {
  const { hfs } = jail(t);
  for (const [p, why] of [
    ['/etc/../../outside/secret', "a '..' component"],
    ['/etc/./conf', "a '.' component"],
    ['etc/conf', 'not absolute'],
    ['/etc/conf\0', 'a NUL byte'],
  ] as const) {
    t.throws(
      () => checkHostPath(p),
      { name: 'HostPathError', message: `not a plain host path (${why}): ${JSON.stringify(p)}` },
      `${JSON.stringify(p)}: ${why}`,
    );
    t.throws(() => hfs.readText(p), HostPathError, `${JSON.stringify(p)}: readText refuses it`);
    t.throws(() => hfs.readDir(p), HostPathError, `${JSON.stringify(p)}: readDir refuses it`);
    t.notOk(hfs.exists(p), `${JSON.stringify(p)}: does not exist`);
  }
});

t.test('size caps: exactly the limit is read, one byte more is FileTooLargeError', async (t) => {
  const { hfs, at } = jail(t);
  fs.mkdirSync(at('proc/7'), { recursive: true });
  for (const [p, size] of [
    ['/etc/small', 64],
    ['/etc/big', 300_000], // past the 64 KiB buffer: it grows
    ['/proc/7/stat', 100], // a one-read kernel file
  ] as const) {
    fs.writeFileSync(at(p), 'x'.repeat(size));
    t.equal(hfs.readBytes(p, size), size, `${p}: ${size} bytes with a limit of ${size}`);
    t.equal(hfs.readText(p, size), 'x'.repeat(size), `${p}: all of it`);
    t.throws(() => hfs.readBytes(p, size - 1), { name: 'FileTooLargeError', message: `${p}: file larger than ${size - 1} bytes` }, `${p}: limit ${size - 1}`);
    fs.appendFileSync(at(p), 'y');
    t.throws(() => hfs.readText(p, size), FileTooLargeError, `${p}: grown to ${size + 1} bytes, refused`);
  }
  hfs.keepOpen(10);
  const k = hfs.keep('/proc/7/stat');
  t.ok(k.fd >= 0);
  t.throws(() => hfs.readKept(k, 100), { name: 'FileTooLargeError', message: '/proc/7/stat: file larger than 100 bytes' }, 'a kept file too');
  t.equal(hfs.readKept(k, 101), 101, 'and read by path with a limit it fits');
  hfs.closeAll();
});

t.test('every errno that means gone is a Gone value', async (t) => {
  const { hfs, at } = jail(t);
  t.equal(goneCode(hfs.readText('/etc/missing')), 'ENOENT', 'ENOENT: a missing file');
  t.equal(goneCode(hfs.readText('/etc/conf/below')), 'ENOTDIR', 'ENOTDIR: a path through a file');
  t.equal(goneCode(hfs.readDir('/etc/conf')), 'ENOTDIR', 'ENOTDIR: a file listed as a directory');
  t.equal(goneCode(hfs.stamp('/etc/missing')), 'ENOENT');
  t.equal(goneCode(hfs.realHostPath('/etc/missing')), 'ENOENT');

  // ESRCH: a kept /proc/<pid> file of the live host whose process has exited.
  const live = new HostFs('/');
  live.keepOpen(10);
  t.teardown(() => live.closeAll());
  const child = spawn('sleep', ['1000']);
  const pid = child.pid!;
  const exited = new Promise((done) => child.on('exit', done));
  const stat = live.keep(`/proc/${pid}/stat`);
  t.ok(stat.fd >= 0, 'the live process file is kept');
  t.match(text(live, live.readKept(stat)), new RegExp(`^${pid} \\(sleep\\) `), 'and read');
  child.kill('SIGKILL');
  await exited;
  t.equal(goneCode(live.readKept(stat)), 'ESRCH', 'ESRCH: its process exited');
  t.equal(stat.fd, -1, 'the descriptor is closed and forgotten');
  t.equal(goneCode(live.readKept(stat)), 'ENOENT', 'then read by path: ENOENT');

  // ENODEV: a kept sysfs attribute of a network device that was removed (needs CAP_NET_ADMIN).
  const ifname = `dsgone${process.pid % 10000}`;
  let made = true;
  try {
    execFileSync('ip', ['link', 'add', ifname, 'type', 'ifb'], { stdio: 'pipe' });
  } catch (e) {
    made = false;
    t.comment(`ENODEV from a real device is not tested here: cannot create a network device (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  }
  if (made) {
    const rx = live.keep(`/sys/class/net/${ifname}/statistics/rx_bytes`);
    t.equal(text(live, live.readKept(rx)), '0\n', 'a device counter is kept and read');
    execFileSync('ip', ['link', 'del', ifname]);
    t.equal(goneCode(live.readKept(rx)), 'ENODEV', 'ENODEV: its device was removed');
  }

  // ENXIO: what the kernel answers to opening a socket; HostFs never opens one (see below), so
  // the classification is checked with the kernel's own error.
  const sock = at('run/s.sock');
  const server = net.createServer().listen(sock);
  await new Promise((done) => server.once('listening', done));
  t.teardown(() => server.close());
  let enxio: unknown;
  try {
    fs.openSync(sock, 'r');
  } catch (e) {
    enxio = e;
  }
  t.equal((enxio as { code?: string }).code, 'ENXIO', 'the kernel refuses to open a socket with ENXIO');
  t.equal(goneCode(outcomeOf('/run/s.sock', enxio)), 'ENXIO', 'ENXIO: Gone');
  t.equal(outcomeOf('/x', enxio).path, '/x', 'with the host path');
});

t.test('errors that are not gone read in domstat words, with the host path only', async (t) => {
  const { root, hfs, at } = jail(t);
  fs.symlinkSync('loop', at('etc/loop'));
  const err = t.throws(() => hfs.readText('/etc/loop')) as HostReadError;
  t.equal(err.name, 'HostReadError');
  t.equal(err.message, '/etc/loop: too many symbolic links encountered (ELOOP)');
  t.equal(err.errno, 'ELOOP');
  t.notOk(err.message.includes(root), 'the real path under --root is not in the message');
});

t.test('FIFOs, sockets, device nodes and directories are refused without blocking', async (t) => {
  const { root, hfs, at } = jail(t);
  // Without O_PATH first, opening this FIFO for reading would wait for a writer forever (and the
  // test would time out): every call below returns at once.
  execFileSync('mkfifo', [at('run/libvirt/b.xml')]);
  const sock = at('run/libvirt/c.xml');
  const server = net.createServer().listen(sock);
  await new Promise((done) => server.once('listening', done));
  t.teardown(() => server.close());
  const nodes: [file: string, kind: string][] = [
    ['/run/libvirt/b.xml', 'a FIFO'],
    ['/run/libvirt/c.xml', 'a socket'],
    ['/run/libvirt', 'a directory'],
  ];
  try {
    execFileSync('mknod', [at('run/null'), 'c', '1', '3'], { stdio: 'pipe' }); // /dev/null's numbers
    execFileSync('mknod', [at('run/loop0'), 'b', '7', '0'], { stdio: 'pipe' });
    nodes.push(['/run/null', 'a character device'], ['/run/loop0', 'a block device']);
  } catch (e) {
    t.comment(`device nodes are not tested here: mknod failed (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); it needs CAP_MKNOD`);
  }
  for (const [p, kind] of nodes) {
    const e = t.throws(() => hfs.readText(p)) as NotRegularFileError;
    t.equal(e.name, 'NotRegularFileError', `${p}: refused`);
    t.equal(e.message, `${p}: not a regular file (${kind})`, `${p}: ${kind}, in domstat's words`);
    t.equal(e.kind, kind);
    t.notOk(e.message.includes(root), 'no real path in the message');
    t.ok(hfs.exists(p), `${p}: exists() stats it without opening`);
    t.equal(typeof hfs.stamp(p), 'string', `${p}: stamp() too`);
  }
  t.notOk(hfs.isDir('/run/libvirt/b.xml'), 'a FIFO is no directory');
  t.equal(goneCode(hfs.readDir('/run/libvirt/b.xml')), 'ENOTDIR', 'and is not listed as one');
  if (nodes.length > 3) t.strictSame(hfs.blockDeviceNumber('/run/loop0'), { major: 7, minor: 0 }, 'a block device node gives its number (stat only)');
  // Kept: a FIFO where a kernel file should be is not kept, and its read is the error.
  fs.mkdirSync(at('proc/9'), { recursive: true });
  execFileSync('mkfifo', [at('proc/9/stat')]);
  hfs.keepOpen(10);
  const k = hfs.keep('/proc/9/stat');
  t.equal(k.fd, -1, 'a FIFO is not kept');
  t.throws(() => hfs.readKept(k), { name: 'NotRegularFileError', message: '/proc/9/stat: not a regular file (a FIFO)' });
  // The live host (root '/') refuses them the same way.
  const live = new HostFs('/');
  t.throws(() => live.readText(at('run/libvirt/b.xml')), { name: 'NotRegularFileError', message: `${at('run/libvirt/b.xml')}: not a regular file (a FIFO)` });
  t.throws(() => live.readText(sock), NotRegularFileError);
  t.ok(live.exists(at('run/libvirt/b.xml')), 'live exists() of a FIFO');
  t.notOk(live.exists(at('run/libvirt/missing')), 'live exists() of nothing');
  hfs.closeAll();
});

t.test('kept descriptors read what the file holds now: in place, renamed over, deleted and created again', async (t) => {
  const { hfs, at } = jail(t);
  fs.mkdirSync(at('proc/5'), { recursive: true });
  const file = at('proc/5/stat');
  fs.writeFileSync(file, 'first\n');
  hfs.keepOpen(10);
  const k = hfs.keep('/proc/5/stat');
  t.ok(k.fd >= 0 && k.replaceable, 'kept, and checked (a tree that does not say it writes in place)');
  t.equal(text(hfs, hfs.readKept(k)), 'first\n');
  const fd0 = k.fd;

  fs.writeFileSync(file, 'in place\n'); // same inode: pread at offset 0 sees it
  t.equal(text(hfs, hfs.readKept(k)), 'in place\n', 'rewritten in place');
  t.equal(k.fd, fd0, 'through the same descriptor');

  fs.writeFileSync(`${file}.new`, 'renamed over\n');
  fs.renameSync(`${file}.new`, file);
  t.equal(text(hfs, hfs.readKept(k)), 'renamed over\n', 'a new file renamed over it is read from the next read');
  const fd1 = k.fd;
  t.not(fd1, fd0, 'through a new descriptor');
  t.equal(hfs.openCount, 1, 'the old one closed');

  fs.rmSync(file);
  fs.writeFileSync(file, 'created again\n');
  t.equal(text(hfs, hfs.readKept(k)), 'created again\n', 'deleted and created again');
  t.equal(text(hfs, hfs.readBytes('/proc/5/stat')), 'created again\n', 'readBytes by path uses the same kept file');
  t.equal(hfs.openCount, 1);

  fs.rmSync(file);
  t.equal(goneCode(hfs.readKept(k)), 'ENOENT', 'deleted: Gone');
  t.equal(hfs.openCount, 0, 'and forgotten');
  fs.writeFileSync(file, 'back\n');
  t.equal(text(hfs, hfs.readKept(k)), 'back\n', 'created again later: read by path (and kept anew)');
  t.equal(hfs.openCount, 1);

  fs.rmSync(file);
  execFileSync('mkfifo', [file]);
  t.throws(() => hfs.readKept(hfs.keep('/proc/5/stat')), { name: 'NotRegularFileError' }, 'replaced by a FIFO: refused, without blocking');
  hfs.closeAll();
});

t.test('a file replaced while the old one keeps another name (a backup hard link, a directory moved aside) is read fresh', async (t) => {
  const { hfs, at, outside } = jail(t);
  fs.mkdirSync(at('sys/vbd/statistics'), { recursive: true });
  const file = at('sys/vbd/statistics/rd_req');
  fs.writeFileSync(file, '3000101\n');
  hfs.keepOpen(10);
  const k = hfs.keep('/sys/vbd/statistics/rd_req');
  t.equal(text(hfs, hfs.readKept(k)), '3000101\n');

  fs.linkSync(file, at('backup-rd_req')); // cp -al, rsnapshot: the old inode stays linked
  fs.writeFileSync(`${file}.new`, '4000000000\n');
  fs.renameSync(`${file}.new`, file);
  t.equal(text(hfs, hfs.readKept(k)), '4000000000\n', 'renamed over a file that is still linked elsewhere');
  t.equal(text(hfs, hfs.readKept(k)), '4000000000\n', 'and again, through the new descriptor');
  t.equal(fs.readFileSync(at('backup-rd_req'), 'utf8'), '3000101\n', 'the backup keeps the old content');

  fs.cpSync(at('sys/vbd/statistics'), at('sys/vbd/statistics.new'), { recursive: true });
  fs.writeFileSync(at('sys/vbd/statistics.new/rd_req'), '6000000000\n');
  fs.renameSync(at('sys/vbd/statistics'), at('sys/vbd/statistics.old'));
  fs.renameSync(at('sys/vbd/statistics.new'), at('sys/vbd/statistics'));
  t.equal(text(hfs, hfs.readKept(k)), '6000000000\n', 'its directory moved aside and a new one put in its place');
  t.equal(hfs.openCount, 1, 'one descriptor kept, the old ones closed');

  fs.rmSync(at('sys/vbd/statistics'), { recursive: true });
  fs.mkdirSync(path.join(outside, 'vbd'));
  fs.writeFileSync(path.join(outside, 'vbd/rd_req'), OUTSIDE);
  fs.symlinkSync(path.join(outside, 'vbd'), at('sys/vbd/statistics'));
  t.equal(goneCode(hfs.readKept(k)), 'EXDEV', 'its directory swapped for a symlink out of the root: Gone, nothing read from outside');
  hfs.closeAll();
});

t.test(`a tree that says it writes in place (${IN_PLACE_MARK}) is read without the check`, async (t) => {
  const { hfs, at } = jail(t);
  fs.writeFileSync(at(IN_PLACE_MARK.slice(1)), 'in place\n');
  fs.mkdirSync(at('proc/5'), { recursive: true });
  fs.writeFileSync(at('proc/5/stat'), 'first\n');
  hfs.keepOpen(10);
  const k = hfs.keep('/proc/5/stat');
  t.equal(k.replaceable, false, 'not checked');
  fs.writeFileSync(at('proc/5/stat'), 'second\n');
  t.equal(text(hfs, hfs.readKept(k)), 'second\n', 'in-place writes are seen');
  fs.writeFileSync(at('proc/5/stat.new'), 'renamed\n');
  fs.renameSync(at('proc/5/stat.new'), at('proc/5/stat'));
  t.equal(text(hfs, hfs.readKept(k)), 'second\n', 'a file renamed over it is not: the tree said it would not do that');
  t.equal(new HostFs('/').keep('/proc/self/stat').replaceable, false, 'nor on the live host (not kept at all without a budget)');
  const live = new HostFs('/');
  live.keepOpen(1);
  t.equal(live.keep('/proc/self/stat').replaceable, false, 'live /proc and /sys descriptors are never checked');
  live.closeAll();
  hfs.closeAll();
});

t.test('raced: a directory swapped with a symlink to outside (renameat2 RENAME_EXCHANGE) never leads out', async (t) => {
  const { hfs, at, outside } = jail(t);
  // /sys/real is a directory inside; /sys/swap a symlink to the outside directory. They trade
  // places atomically in a loop while /sys/real/stat is read through every entry point.
  fs.writeFileSync(path.join(outside, 'dir', 'stat'), OUTSIDE);
  fs.writeFileSync(at('sys/real/only-inside'), INSIDE);
  fs.symlinkSync(path.join(outside, 'dir'), at('sys/swap'));
  const swapper = await startSwapper(at('sys/real'), at('sys/swap'));
  if (typeof swapper === 'string') {
    await t.test(`not run: ${swapper}`, { skip: swapper }, async () => {});
    return;
  }
  const N = 3000;
  const seen = { inside: 0, refused: 0, listedInside: 0, listRefused: 0, keptInside: 0, keptRefused: 0 };
  const escapes: string[] = [];
  let naiveEscapes = 0;
  const keeper = new HostFs(path.dirname(at('sys')));
  try {
    for (let i = 0; i < N; i++) {
      const r = hfs.readText('/sys/real/stat');
      if (r === INSIDE) seen.inside++;
      else if (isGone(r) && r.code === 'EXDEV') seen.refused++;
      else escapes.push(`readText: ${JSON.stringify(r)}`);
      const names = hfs.readDir('/sys/real');
      if (Array.isArray(names) && names.includes('only-inside')) seen.listedInside++;
      else if (isGone(names) && names.code === 'EXDEV') seen.listRefused++;
      else escapes.push(`readDir: ${JSON.stringify(names)}`);
      const real = hfs.realHostPath('/sys/real/stat');
      if (real !== '/sys/real/stat' && real !== '/sys/swap/stat' && !(isGone(real) && real.code === 'EXDEV'))
        escapes.push(`realHostPath: ${JSON.stringify(real)}`);
      // A descriptor kept now, read now and at the next iteration.
      keeper.keepOpen(1);
      const k = keeper.keep('/sys/real/stat');
      const kr = keeper.readKept(k);
      const kt = text(keeper, kr);
      if (kt === INSIDE) seen.keptInside++;
      else if (isGone(kt) && kt.code === 'EXDEV') seen.keptRefused++;
      else escapes.push(`keep+readKept: ${JSON.stringify(kt)}`);
      keeper.closeAll();
      // The check-then-open that domstat did before (realpath, then open the path): counted, not asserted.
      try {
        const resolved = fs.realpathSync.native(at('sys/real/stat'));
        if (resolved.startsWith(path.dirname(at('sys')) + '/') && fs.readFileSync(at('sys/real/stat'), 'latin1') === OUTSIDE) naiveEscapes++;
      } catch {
        // a swap between its steps
      }
    }
  } finally {
    const swaps = await swapper.stop();
    t.comment(
      `${swaps} swaps during ${N} rounds: readText ${seen.inside} inside / ${seen.refused} refused, readDir ${seen.listedInside} / ${seen.listRefused}, ` +
        `keep ${seen.keptInside} / ${seen.keptRefused}; the old check-then-open read the outside file ${naiveEscapes} times`,
    );
    t.ok(swaps >= 1, 'the tree was swapped while it was read');
  }
  t.strictSame(escapes, [], `not one of ${N * 4} reads, listings, resolutions and kept reads reached outside the root`);
  t.equal(seen.inside + seen.refused, N, 'every read was the inside file or refused');
});

t.test('raced, as the issue found it: domblkstat and cpu-stats never show an outside file', async (t) => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-race-'));
  t.teardown(() => fs.rmSync(base, { recursive: true, force: true }));
  const copy = (tree: string) => {
    const root = path.join(base, tree);
    fs.cpSync(fixture(tree), root, { recursive: true, verbatimSymlinks: true, filter: (src) => path.basename(src) !== 'golden' });
    return root;
  };
  const outside = path.join(base, 'outside');
  fs.mkdirSync(outside);
  // Numbers and bytes that appear nowhere in the fixtures.
  for (const f of ['rd_req', 'rd_sect', 'wr_req', 'wr_sect', 'oo_req', 'f_req', 'ds_req']) fs.writeFileSync(path.join(outside, f), '987654321\n');
  fs.writeFileSync(path.join(outside, 'cpu.stat'), 'OUTSIDE-SECRET 1\nusage_usec 987654321\nuser_usec 987654321\nsystem_usec 987654321\n');
  const xen = copy('xen-4.x-pv-libxl');
  const vbd = path.join(xen, 'sys/bus/xen-backend/devices/vbd-3-51712');
  fs.symlinkSync(outside, path.join(vbd, 'swap'));
  const kvm = copy('kvm-cgroup2-systemd');
  const scope = path.join(kvm, 'sys/fs/cgroup/machine.slice/machine-qemu\\x2d5\\x2dzeta.scope');
  fs.symlinkSync(outside, path.join(scope, 'swap'));
  const N = 300;
  for (const [what, args, dir] of [
    ['domblkstat web1 xvda', ['domblkstat', 'web1', 'xvda', '--root', xen], path.join(vbd, 'statistics')],
    ['cpu-stats zeta --total', ['cpu-stats', 'zeta', '--total', '--root', kvm], path.join(scope, 'libvirt')],
  ] as const) {
    const swapper = await startSwapper(dir, path.join(path.dirname(dir), 'swap'));
    if (typeof swapper === 'string') {
      await t.test(`not run: ${swapper}`, { skip: swapper }, async () => {});
      return;
    }
    const outcomes = new Map<string, number>();
    let escapes = 0;
    try {
      for (let i = 0; i < N; i++) {
        const r = await runCli([...args]);
        const text = r.out + r.err;
        // rd_req/wr_req, rd_sect x 512, usage_usec as seconds, the first bytes of the file.
        if (/987654321|505679012352|987\.654321|OUTSIDE/.test(text)) escapes++;
        const key = r.code === 0 ? 'answered' : r.err.split(':').slice(0, 2).join(':');
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }
    } finally {
      const swaps = await swapper.stop();
      t.comment(`${what}: ${swaps} swaps during ${N} runs: ${[...outcomes].map(([k, n]) => `${n} ${k}`).join(', ')}`);
    }
    t.equal(escapes, 0, `${what}: not one of ${N} runs showed the outside file's numbers or bytes`);
  }
});
