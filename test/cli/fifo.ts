// FIFOs where the CLI reads (a tarball can carry them, a user can make them): every command
// answers at once, with the FIFO's file refused in domstat's words and everything else as usual.
// An open that waited for a writer would hang the command, and this test, for good.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fixture, runCli } from '../helpers/cli.js';

/** A copy of the Xen fixture with a FIFO among its definitions, in the test's directory (made once: t.testdir() empties it). */
function treeWithFifos(t: Test) {
  const root = path.join(t.testdir(), 'root');
  fs.cpSync(fixture('xen-4.x-pv-libxl'), root, { recursive: true, verbatimSymlinks: true, filter: (src) => path.basename(src) !== 'golden' });
  execFileSync('mkfifo', [path.join(root, 'run/libvirt/libxl/fifo.xml')]);
  return root;
}

t.test('list, domstats and capture with a FIFO among the definitions', async (t) => {
  const root = treeWithFifos(t);
  const list = await runCli(['list', '--all', '--root', root]);
  t.equal(list.code, 0, 'list');
  t.equal(list.out, (await runCli(['list', '--all', '--root', fixture('xen-4.x-pv-libxl')])).out, 'the same domains as without the FIFO');
  const warning = 'warning: /run/libvirt/libxl/fifo.xml: not a regular file (a FIFO)\n';
  t.equal(list.err, warning, 'and a warning naming the definition it could not read');
  const stats = await runCli(['domstats', 'web1', '--root', root]);
  t.equal(stats.code, 0, 'domstats');
  t.equal(stats.err, warning, 'domstats warns too');
  t.ok(stats.out.includes('block.0.rd.reqs=3000101'));
  const archive = path.join(path.dirname(root), 'host.tar.gz');
  const cap = await runCli(['capture', '--root', root, '-o', archive]);
  t.equal(cap.code, 0, `capture: ${cap.err}`);
  t.match(cap.err, /^wrote .*host\.tar\.gz: \d+ files of 5 domain\(s\)/, 'and the tarball is written');
});

t.test('capture with /proc/stat a FIFO: said, left out, the rest packed', async (t) => {
  const root = treeWithFifos(t);
  execFileSync('mkfifo', [path.join(root, 'proc/stat')]); // the Xen fixture has none
  const archive = path.join(path.dirname(root), 'odd.tar.gz');
  const cap = await runCli(['capture', '--root', root, '-o', archive]);
  t.equal(cap.code, 0, `capture: ${cap.err}`);
  t.match(cap.err, /^warning: \/proc\/stat: not a regular file \(a FIFO\)$/m, 'the FIFO is said');
  t.match(cap.err, /^wrote .*odd\.tar\.gz: \d+ files of 5 domain\(s\)/m, 'and the tarball is written');
  const listed = execFileSync('tar', ['tzf', archive], { encoding: 'utf8' }).split('\n');
  t.notOk(listed.includes('proc/stat'), '/proc/stat is left out');
  t.ok(listed.includes('proc/net/dev'), 'the other host files are packed');
});

t.test('--xml-dir holding a FIFO', async (t) => {
  const base = t.testdir({ xml: { 'a.xml': fs.readFileSync(fixture('xen-4.x-pv-libxl/run/libvirt/libxl/web1.xml'), 'utf8') }, empty: {} });
  const dir = path.join(base, 'xml');
  execFileSync('mkfifo', [path.join(dir, 'b.xml')]);
  const r = await runCli(['domstats', '--xml-dir', dir, '--root', path.join(base, 'empty')]);
  t.equal(r.code, 0);
  t.equal(r.err.split('\n')[0], `warning: ${path.join(dir, 'b.xml')}: not a regular file (a FIFO)`, 'the FIFO is warned of, by its path');
  t.match(r.out, /^Domain: 'web1'/, 'the readable definition is read');
  const inspect = await runCli(['inspect', path.join(dir, 'b.xml'), '--json']);
  t.strictSame(
    JSON.parse(inspect.out),
    [{ file: path.join(dir, 'b.xml'), error: `${path.join(dir, 'b.xml')}: not a regular file (a FIFO)` }],
    'inspect says why it is refused',
  );
});

t.test('domifstat and domstats with /proc/net/dev a FIFO', async (t) => {
  const root = treeWithFifos(t);
  fs.rmSync(path.join(root, 'proc/net/dev'));
  execFileSync('mkfifo', [path.join(root, 'proc/net/dev')]);
  t.strictSame(
    await runCli(['domifstat', 'web1', 'vif3.0', '--root', root]),
    {
      code: 1,
      out: '',
      err:
        'warning: /run/libvirt/libxl/fifo.xml: not a regular file (a FIFO)\n' +
        'error: Failed to get interface stats web1 vif3.0: internal error: /proc/net/dev: not a regular file (a FIFO)\n',
    },
    'domifstat: the FIFO definition warned of, and one error line in domstat words',
  );
  const s = await runCli(['domstats', 'web1', '--root', root]);
  t.equal(s.code, 0, 'domstats');
  t.ok(s.out.includes('block.0.rd.reqs=3000101') && !s.out.includes('net.0.rx.bytes'), 'block counters, no interface counters');
  t.ok(s.err.includes("warning: domain 'web1': interface vif3.0: /proc/net/dev: not a regular file (a FIFO)"), s.err);
});

t.test('capture of a tree where a file it probes is a FIFO (cgroup.controllers)', async (t) => {
  const base = t.testdir();
  const root = path.join(base, 'root');
  fs.cpSync(fixture('kvm-cgroup2-systemd'), root, { recursive: true, verbatimSymlinks: true, filter: (src) => path.basename(src) !== 'golden' });
  fs.rmSync(path.join(root, 'sys/fs/cgroup/cgroup.controllers'));
  execFileSync('mkfifo', [path.join(root, 'sys/fs/cgroup/cgroup.controllers')]);
  const r = await runCli(['capture', '--root', root, '-o', path.join(base, 'host.tar.gz')]);
  t.equal(r.code, 0, `capture: ${r.err}`);
  t.match(r.err, /^wrote .*host\.tar\.gz: \d+ files of 2 domain\(s\)/, 'written, the FIFO left out');
});

t.test("a running domain's status file broken: list still shows its definition, and says why", async (t) => {
  const root = treeWithFifos(t);
  fs.writeFileSync(path.join(root, 'run/libvirt/libxl/web1.xml'), '<domstatus state="running"><domain type="xen"><name>web1</name>');
  const r = await runCli(['list', '--all', '--root', root]);
  t.equal(r.code, 0);
  t.match(r.out, /\n -\s+web1\s+shut off\n/, 'web1 from its persistent definition');
  t.match(r.err, /^warning: \/run\/libvirt\/libxl\/web1\.xml: .+\n/m, 'a warning names the broken status file');
});
