// The read-ahead thread (src/host/read-ahead.ts): it reads whole groups of kept files into shared
// memory, claimed from the end while the main thread claims from the front; it reports a length
// only for a file it read completely (the rest the main thread reads itself), stops at the groups
// the main thread took, leaves files that were large (or never read) to the main thread, grows
// its buffer when it ran short, and a worker that stops answering costs one wait, never a value.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostFs, type KeptFile } from '../../src/host/hostfs.js';
import { ReadAhead, type AheadFile } from '../../src/host/read-ahead.js';
import { IN_PLACE_MARK } from '../../src/host/kept-files.js';

/**
 * Three domains' files: group g holds /proc/<g>/stat and /proc/<g>/io, with distinct contents. The
 * tree says it is written in place (as the simulator's does) unless inPlace is false: then its
 * descriptors may be replaced, and only the main thread reads them.
 */
function tree(t: Test, extra: Record<string, Record<string, string>> = {}, inPlace = true) {
  const files: Record<string, Record<string, string>> = {};
  for (let g = 0; g < 3; g++) files[String(100 + g)] = { stat: `${100 + g} (vm${g}) S 1 2 3\n`, io: `rchar: ${7000 + g}\nwchar: ${8000 + g}\n` };
  const root = t.testdir({ proc: { ...files, ...extra }, ...(inPlace ? { [IN_PLACE_MARK.slice(1)]: 'in place\n' } : {}) });
  const hfs = new HostFs(root);
  hfs.keepOpen(100);
  const groups: AheadFile[][] = [0, 1, 2].map((g) => [
    { file: hfs.keep(`/proc/${100 + g}/stat`), max: 4096 },
    { file: hfs.keep(`/proc/${100 + g}/io`), max: 4096 },
  ]);
  for (const f of groups.flat()) hfs.readKept(f.file, f.max); // the main thread's first tick: sizes known
  t.teardown(() => hfs.closeAll());
  return { root, hfs, groups };
}

function ahead(t: Test, timeoutMs = 1000): ReadAhead {
  const ra = new ReadAhead(timeoutMs);
  t.teardown(() => ra.close());
  return ra;
}

/** What the worker read for entry e, as text, or null when the main thread must read it. */
function served(ra: ReadAhead, e: number, f: AheadFile): string | null {
  const n = ra.length(e, f.file, f.max);
  return n < 0 ? null : ra.data.toString('latin1', ra.offset(e), ra.offset(e) + n);
}

const content = (root: string, f: KeptFile) => fs.readFileSync(path.join(root, f.path), 'latin1');

t.test('the worker reads every group the main thread leaves it, byte for byte', async (t) => {
  const { root, groups } = tree(t);
  const ra = ahead(t);
  t.notOk(ra.begin(), 'no groups yet: nothing to start');
  ra.setGroups(groups);
  t.equal(ra.groups, 3);
  for (let tick = 0; tick < 3; tick++) {
    fs.writeFileSync(path.join(root, 'proc/101/io'), `rchar: ${9000 + tick}\n`);
    t.ok(ra.begin(), `tick ${tick}: started`);
    t.ok(ra.settle(), `tick ${tick}: the worker finished`);
    for (let g = 0; g < 3; g++) {
      t.equal(ra.stateOf(g), 'done', `group ${g} read by the worker`);
      t.notOk(ra.claim(g), `group ${g} cannot be claimed by the main thread`);
      t.ok(ra.await(g), `group ${g} is there`);
      const [first, past] = ra.entries(g);
      t.equal(past - first, 2);
      groups[g]!.forEach((f, i) => t.equal(served(ra, first + i, f), content(root, f.file), `tick ${tick}: ${f.file.path} as on disk`));
    }
    ra.end();
  }
});

t.test('the main thread claims from the front, the worker from the back; they never share a group', async (t) => {
  const { groups } = tree(t);
  const ra = ahead(t);
  ra.setGroups(groups);
  for (let tick = 0; tick < 20; tick++) {
    t.ok(ra.begin());
    const mine = [0, 1, 2].filter((g) => ra.claim(g));
    // Whatever the split, the main thread's groups are a prefix and the worker's the rest.
    t.strictSame(mine, [0, 1, 2].slice(0, mine.length), `tick ${tick}: main took ${mine.length}`);
    for (let g = mine.length; g < 3; g++) t.ok(ra.await(g), `tick ${tick}: the worker read group ${g}`);
    ra.end();
    for (const g of mine) t.equal(ra.stateOf(g), 'main', `tick ${tick}: group ${g} stayed the main thread's`);
  }
});

t.test('no length for what the worker could not read plainly: the main thread reads it', async (t) => {
  const { root, hfs, groups } = tree(t, { '200': { stat: 'exactly ', big: 'small\n', large: 'x'.repeat(2000), io: 'never read\n' } });
  const exact = { file: hfs.keep('/proc/200/stat'), max: 8 };
  const tooLarge = { file: hfs.keep('/proc/200/big'), max: 16 };
  const large = { file: hfs.keep('/proc/200/large'), max: 4096 };
  const dir = { file: { ...hfs.keep('/proc/200/stat'), fd: fs.openSync(path.join(root, 'proc/200'), 'r') }, max: 4096 }; // a directory: pread fails with EISDIR
  t.teardown(() => fs.closeSync(dir.file.fd));
  for (const f of [exact, tooLarge, large]) hfs.readKept(f.file, f.max);
  fs.writeFileSync(path.join(root, 'proc/200/big'), 'now larger than 16 bytes\n');
  dir.file.size = 0; // as if read before: the worker tries it
  const neverRead = { file: hfs.keep('/proc/200/io'), max: 4096 };
  const notKept = { file: new HostFs(root).keep('/proc/200/stat'), max: 64 }; // no descriptor
  t.equal(notKept.file.fd, -1);
  const nonOneRead: AheadFile = { file: { ...groups[0]![0]!.file, oneRead: false }, max: 4096 };
  const list = [exact, tooLarge, large, dir, neverRead, notKept, nonOneRead];
  const ra = ahead(t);
  ra.setGroups([...groups, list]);
  t.ok(ra.begin());
  t.ok(ra.settle());
  const [first] = ra.entries(3);
  t.equal(served(ra, first, exact), 'exactly ', 'a file of exactly its limit is read');
  t.equal(served(ra, first + 1, tooLarge), null, 'a file grown past its limit: the main thread reads it (and reports it)');
  t.equal(served(ra, first + 2, large), null, 'a file of more than 1 KiB at its last read stays with the main thread');
  t.equal(served(ra, first + 3, dir), null, 'a read that failed: the main thread reads it (and reports it)');
  t.equal(served(ra, first + 4, neverRead), null, 'a file the main thread has not read yet');
  t.equal(served(ra, first + 5, notKept), null, 'a file without a descriptor');
  t.equal(served(ra, first + 6, nonOneRead), null, 'a file that needs more than one read');
  t.equal(served(ra, first, { file: exact.file, max: 9 }), null, 'asked with another limit');
  t.equal(served(ra, first, tooLarge), null, 'asked for another file');
  ra.end();
  // A descriptor closed after the worker read it (the file went away mid-tick) is not trusted.
  t.ok(ra.begin());
  t.ok(ra.settle());
  const [g0] = ra.entries(0);
  t.equal(served(ra, g0, groups[0]![0]!), content(root, groups[0]![0]!.file));
  hfs.closeAll();
  t.equal(served(ra, g0, groups[0]![0]!), null, 'its descriptor is gone: the main thread reads it by path');
  ra.end();
  t.ok(ra.begin());
  t.ok(ra.settle());
  t.equal(served(ra, g0, groups[0]![0]!), null, 'and the worker no longer reads it');
  ra.end();
});

t.test('files that may be replaced under their descriptors are left to the main thread, which reads the new file', async (t) => {
  const { root, hfs, groups } = tree(t, {}, false);
  t.ok(groups[1]![0]!.file.replaceable, 'a tree under --root that does not say it writes in place: descriptors are checked');
  const ra = ahead(t);
  ra.setGroups(groups);
  const file = path.join(root, 'proc/101/stat');
  fs.linkSync(file, path.join(root, 'backup-of-101-stat')); // the old file stays linked
  fs.writeFileSync(`${file}.new`, '101 (renamed) R 9 9 9\n');
  fs.renameSync(`${file}.new`, file);
  for (let tick = 0; tick < 2; tick++) {
    t.ok(ra.begin());
    t.ok(ra.settle());
    for (let g = 0; g < 3; g++) {
      const [first] = ra.entries(g);
      groups[g]!.forEach((f, i) => t.equal(served(ra, first + i, f), null, `tick ${tick}: the worker leaves ${f.file.path} to the main thread`));
    }
    const n = hfs.readKept(groups[1]![0]!.file, 4096);
    t.equal(typeof n === 'number' ? hfs.bytes.toString('latin1', 0, n) : n, '101 (renamed) R 9 9 9\n', `tick ${tick}: the main thread reads the new file`);
    ra.end();
  }
});

t.test('a buffer too small for the files is grown until they fit', async (t) => {
  // 200 files (one-read kind: /proc/<pid>/stat) of 200 bytes when last read, of 1000 now.
  const dirs: Record<string, Record<string, string>> = {};
  for (let i = 0; i < 200; i++) dirs[String(i + 1)] = { stat: String(i % 10).repeat(200) };
  const root = t.testdir({ proc: dirs, [IN_PLACE_MARK.slice(1)]: 'in place\n' });
  const hfs = new HostFs(root);
  hfs.keepOpen(1000);
  t.teardown(() => hfs.closeAll());
  const list = Object.keys(dirs).map((d) => ({ file: hfs.keep(`/proc/${d}/stat`), max: 4096 }));
  for (const f of list) t.equal(hfs.readKept(f.file, f.max), 200); // sizes seen: 40 000 bytes
  for (const d of Object.keys(dirs)) fs.writeFileSync(path.join(root, 'proc', d, 'stat'), 'y'.repeat(1000)); // now 200 000
  const ra = ahead(t);
  ra.setGroups(list.map((f) => [f]));
  const servedCount = () => list.filter((f, g) => ra.await(g) && served(ra, ra.entries(g)[0], f) === 'y'.repeat(1000)).length;
  const counts: number[] = [];
  for (let tick = 0; tick < 6; tick++) {
    t.ok(ra.begin());
    t.ok(ra.settle());
    counts.push(servedCount());
    ra.end();
  }
  t.ok(counts[0]! < 200, `first tick: ${counts[0]} of 200 fitted`);
  t.equal(counts.at(-1), 200, `after growing (${counts.join(', ')}), all 200 fit`);
});

t.test('a worker that does not answer costs one wait, then the main thread reads alone until it does', async (t) => {
  const { groups } = tree(t);
  const ra = ahead(t, 50);
  ra.setGroups(groups);
  ra.hold(true); // the worker will stop on the first group it claims (the last one)
  t.ok(ra.begin());
  while (ra.stateOf(2) !== 'worker') await new Promise((r) => setTimeout(r, 1));
  t.ok(ra.claim(0) && ra.claim(1), 'the main thread takes the others');
  t.notOk(ra.claim(2), 'the worker has the last group');
  const t0 = performance.now();
  t.notOk(ra.await(2), 'waiting for it times out');
  const waited = performance.now() - t0;
  t.ok(waited >= 45, `after the time-out (${waited.toFixed(0)} ms)`);
  t.equal(ra.timeouts, 1);
  t.notOk(ra.await(2), 'no second wait in the same tick');
  ra.end();
  t.equal(ra.timeouts, 1, 'end() does not wait for a stalled worker');
  t.notOk(ra.begin(), 'not started while the worker is still busy');
  t.ok(ra.claim(0) && ra.claim(2), "without a tick, every group is the main thread's");
  ra.hold(false);
  const until = Date.now() + 5000;
  while (!ra.begin() && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  t.ok(ra.settle(), 'once it answered, it reads again');
  t.equal(ra.stateOf(0), 'done');
  ra.end();
});

t.test('a closed or failed worker is never waited for', async (t) => {
  const { groups } = tree(t);
  const ra = new ReadAhead(1000);
  ra.setGroups(groups);
  await ra.close();
  t.notOk(ra.begin(), 'closed: not started');
  t.equal(ra.failure, null, 'closing is not a failure');
  await ra.close(); // twice is fine
  const dying = ahead(t);
  dying.setGroups(groups);
  await (dying as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
  await new Promise((r) => setTimeout(r, 20));
  t.match(dying.failure, /^read-ahead thread exited/, `failure recorded: ${dying.failure}`);
  t.notOk(dying.begin(), 'a dead worker is not started');
});
