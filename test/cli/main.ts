// The command line's wiring: --version is package.json's, --help lists every command, and a
// one-shot command loads only what it needs (better-sqlite3, a native module that the agent and
// history need, is not loaded by `domstat list` or `domstat domstats`).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { REPO, fixture, runCli } from '../helpers/cli.js';

const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
const loaded = () => Object.keys(createRequire(import.meta.url).cache);
const loads = (name: string) => loaded().some((f) => f.includes(`${path.sep}node_modules${path.sep}${name}${path.sep}`));

t.test('one-shot commands do not load the store', async (t) => {
  const list = await runCli(['list', '--root', fixture('libvirt9-qemu7-hybrid-cgroup')]);
  t.equal(list.code, 0, list.err);
  t.match(list.out, /lab-busy\s+running/, 'list works');
  const stats = await runCli(['domstats', '--root', fixture('libvirt9-qemu7-hybrid-cgroup')]);
  t.equal(stats.code, 0, stats.err);
  t.match(stats.out, /^Domain: 'lab-idle'$/m, 'domstats works');
  t.ok(loads('fast-xml-parser'), 'fast-xml-parser was loaded (the check sees CommonJS modules)');
  t.notOk(loads('better-sqlite3'), 'better-sqlite3 was not loaded');
});

t.test('--version, -V and --help', async (t) => {
  for (const flag of ['--version', '-V']) {
    const r = await runCli([flag]);
    t.equal(r.code, 0, `${flag} exits 0`);
    t.equal(r.out, `${pkg.version}\n`, `${flag} prints package.json's version`);
  }
  const help = await runCli(['--help']);
  t.equal(help.code, 0, '--help exits 0');
  const commands = [...help.out.slice(help.out.indexOf('Commands:')).matchAll(/^ {2}([a-z-]+)\b/gm)].map((m) => m[1]);
  t.same(
    commands,
    [
      'list',
      'domstats',
      'domifstat',
      'domblkstat',
      'domblklist',
      'domiflist',
      'dommemstat',
      'cpu-stats',
      'inspect',
      'agent',
      'history',
      'simulate',
      'top',
      'plot',
      'capture',
      'help',
    ],
    'every command, in order',
  );
  const typo = await runCli(['domstat']);
  t.equal(typo.code, 1, 'an unknown command exits 1');
  t.match(typo.err, /unknown command 'domstat'[\s\S]*Did you mean domstats\?/, 'with a suggestion from every command');
});
