// Kept descriptors (HostFs.keep / readKept), the agent's per-tick reads: a kept file re-reads
// fresh content at offset 0, closeAll() leaves no holder with a descriptor number the process may
// reuse for another file, and files that cannot be kept are read by path with the usual errors.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostFs, isGone } from '../../src/host/hostfs.js';

function tree(t: Test) {
  const root = t.testdir({
    sys: { block: { vda: { stat: '111 222\n', size: '333\n' } } },
    proc: { stat: 'cpu  1 2 3\n' },
    etc: { conf: 'x\n' },
  });
  const hfs = new HostFs(root);
  return { root, hfs, text: (n: unknown) => (typeof n === 'number' ? hfs.bytes.toString('latin1', 0, n) : n) };
}

t.test('a kept file is read through its descriptor and sees new content', async (t) => {
  const { root, hfs, text } = tree(t);
  hfs.keepOpen(10);
  const k = hfs.keep('/sys/block/vda/stat');
  t.ok(k.fd >= 0, 'a descriptor was opened');
  t.equal(hfs.openCount, 1);
  t.equal(hfs.keep('/sys/block/vda/stat'), k, 'the same file is kept once');
  t.equal(text(hfs.readKept(k, 64)), '111 222\n');
  fs.writeFileSync(path.join(root, 'sys/block/vda/stat'), '444 555\n');
  t.equal(text(hfs.readKept(k, 64)), '444 555\n', 'pread at offset 0: fresh content');
  t.equal(text(hfs.readBytes('/sys/block/vda/stat', 64)), '444 555\n', 'readBytes uses the same descriptor');
  t.equal(hfs.openCount, 1);
  hfs.closeAll();
});

t.test('closeAll(): holders read by path afterwards, never through a closed descriptor number', async (t) => {
  const { root, hfs, text } = tree(t);
  hfs.keepOpen(10);
  const k = hfs.keep('/sys/block/vda/size');
  const fd = k.fd;
  hfs.closeAll();
  t.equal(k.fd, -1, 'the holder sees the descriptor is gone');
  t.equal(hfs.openCount, 0);
  // The number is free now; a new open may get it for another file.
  const other = fs.openSync(path.join(root, 'etc/conf'), 'r');
  t.teardown(() => fs.closeSync(other));
  t.equal(text(hfs.readKept(k, 64)), '333\n', `read by path (descriptor ${fd} now ${other === fd ? 'belongs to another file' : 'closed'})`);
});

t.test('files that cannot be kept are read by path; missing files are Gone', async (t) => {
  const { hfs, text } = tree(t);
  hfs.keepOpen(1);
  const first = hfs.keep('/proc/stat');
  const second = hfs.keep('/sys/block/vda/size');
  t.ok(first.fd >= 0);
  t.equal(second.fd, -1, 'past the budget: no descriptor');
  t.equal(text(hfs.readKept(second, 64)), '333\n');
  const notKernel = hfs.keep('/etc/conf');
  t.equal(notKernel.fd, -1, 'only /proc and /sys files are kept');
  t.equal(text(hfs.readKept(notKernel, 64)), 'x\n');
  const missing = hfs.keep('/sys/block/vdb/stat');
  t.equal(missing.fd, -1);
  const r = hfs.readKept(missing, 64);
  t.ok(isGone(r), 'a missing file reads as Gone');
  t.equal(hfs.openCount, 1);
  hfs.closeAll();
});

t.test('without keepOpen() nothing is kept', async (t) => {
  const { hfs, text } = tree(t);
  const k = hfs.keep('/proc/stat');
  t.equal(k.fd, -1);
  t.equal(text(hfs.readKept(k, 64)), 'cpu  1 2 3\n');
  t.equal(hfs.openCount, 0);
});
