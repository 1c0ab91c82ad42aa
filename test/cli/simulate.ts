// One simulator per tree: a second one on a tree that a simulator is updating is refused (it would
// rewrite the tree under the first, which would go on writing into files no longer there).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { BIN, privateDir, spawnChild, waitFor } from '../helpers/moving.js';

t.test('a second simulate on a tree being updated is refused; once the first stops, it runs', async (t) => {
  const dir = path.join(privateDir(t), 'host');
  const first = spawnChild(t, process.execPath, [BIN, 'simulate', '--xen', '--domains', '2', '--out', dir, '--interval', '0.5']);
  await waitFor('the first simulator to run', 20_000, () => {
    if (first.proc.exitCode !== null) throw new Error(`simulate exited: ${first.stderr()}`);
    return /updating every/.test(first.stdout()) ? true : undefined;
  });
  const marker = fs.readFileSync(path.join(dir, '.domstat-sim.json'), 'utf8');
  const second = await runCli(['simulate', '--kvm', '--domains', '1', '--out', dir, '--once']);
  t.strictSame(
    second,
    { code: 1, out: '', err: `error: another domstat simulate is writing ${dir} (it holds ${dir}.lock); stop it first\n` },
    'refused, saying why',
  );
  t.equal(fs.readFileSync(path.join(dir, '.domstat-sim.json'), 'utf8'), marker, 'the tree is untouched');
  first.proc.kill('SIGTERM');
  await first.exited;
  const third = await runCli(['simulate', '--kvm', '--domains', '1', '--out', dir, '--once']);
  t.equal(third.code, 0, `runs once the first has stopped: ${third.err}`);
  t.match(third.out, /^simulated KVM/);
});

t.test('--out in directories that do not exist yet: made, with the lock beside the tree', async (t) => {
  const dir = path.join(privateDir(t), 'nx', 'a', 'sim');
  const r = await runCli(['simulate', '--kvm', '--domains', '1', '--out', dir, '--once']);
  t.equal(r.code, 0, r.err);
  t.ok(fs.existsSync(path.join(dir, '.domstat-sim.json')) && fs.existsSync(`${dir}.lock`));
});
