// The package a user installs. `npm pack` of a clean copy of the sources (its prepare script
// builds dist/) gives a tarball with the compiled code, the schema, the web page and deploy/, and
// none of the fixtures or tests; `npm install -g` of that tarball into a fresh prefix (the README's
// command: better-sqlite3's native build allowed) gives a domstat that runs: --version, a one-shot
// command (from the one-shot bundle), and the agent until its first tick is stored and served,
// then a clean stop on SIGTERM.
// Slow by nature (better-sqlite3 compiles from source: about a minute).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { spawn, spawnSync } from 'node:child_process';
import * as tar from 'tar';
import { REPO, fixture } from '../helpers/cli.js';
import { privateDir, spawnChild, waitFor } from '../helpers/moving.js';

const { nodeFlags } = createRequire(import.meta.url)('../../scripts/node-flags.cjs') as { nodeFlags: (binFile?: string) => string[] };

t.setTimeout(15 * 60_000);

const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { name: string; version: string; files: string[] };
const unit = fs.readFileSync(path.join(REPO, 'deploy', 'domstat.service'), 'utf8');

/** The environment a user's shell would have: none of npm's or tap's variables from `npm test`. */
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && !/^TAP/.test(k) && k !== 'NODE_OPTIONS' && k !== 'NODE_V8_COVERAGE'),
);

/** Runs a command to completion (asynchronously, so tap's own timers keep running). */
function run(cmd: string, args: readonly string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (b: Buffer) => void (out += b.toString()));
    p.stderr.on('data', (b: Buffer) => void (out += b.toString()));
    p.once('error', reject);
    p.once('close', (code) => resolve({ code, out }));
  });
}

t.test('npm pack, npm install -g of the tarball, and the installed domstat', async (t) => {
  const dir = privateDir(t);

  // A clean copy of what the package is built from, as a fresh clone has it (no dist/).
  const src = path.join(dir, 'src');
  const inputs = [
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'README.md',
    'src',
    'scripts',
    'fixtures', // the build trains the one-shot bundle's code cache on two trees (scripts/code-cache.cjs)
    ...pkg.files.filter((f) => !f.startsWith('!') && f !== 'dist/'),
  ];
  for (const f of inputs) fs.cpSync(path.join(REPO, f), path.join(src, f), { recursive: true });
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(src, 'node_modules'));
  const packDir = path.join(dir, 'pack');
  fs.mkdirSync(packDir);
  const packed = await run('npm', ['pack', '--pack-destination', packDir], src);
  t.equal(packed.code, 0, `npm pack exits 0 ${packed.code === 0 ? '' : packed.out}`);
  const tarball = path.join(packDir, `${pkg.name}-${pkg.version}.tgz`);
  t.ok(fs.existsSync(tarball), `${path.basename(tarball)} written`);

  const entries: string[] = [];
  await tar.t({ file: tarball, onReadEntry: (e) => void entries.push(e.path) });
  for (const f of [
    'bin/domstat.cjs',
    'dist/cli/main.js',
    'bin/oneshot-loader.cjs',
    'dist/cli/oneshot.cjs',
    'dist/cli/oneshot.cache',
    'dist/index.js',
    'dist/store/db.js',
    'schema.sql',
    'src/export/web-page.html',
    'deploy/domstat.service',
    'deploy/grafana/domstat.json',
    'deploy/prometheus/domstat-rules.yml',
    'README.md',
    'package.json',
  ])
    t.ok(entries.includes(`package/${f}`), `the tarball holds ${f}`);
  t.same(
    entries.filter((e) => /^package\/(fixtures|test|bench|test-lab|scripts)\//.test(e) || /\.(ts|map)$/.test(e.replace(/\.d\.ts$/, '')) || e.includes('\\')),
    [],
    'no fixtures, tests, TypeScript sources, source maps or backslashes',
  );

  // npm install -g into a prefix of its own, as the README says.
  const prefix = path.join(dir, 'prefix');
  const installed = await run(
    'npm',
    ['install', '-g', '--prefix', prefix, '--allow-scripts=better-sqlite3', '--prefer-offline', '--no-audit', '--no-fund', tarball],
    dir,
  );
  t.equal(installed.code, 0, `npm install -g exits 0 ${installed.code === 0 ? '' : installed.out}`);
  const bin = path.join(prefix, 'bin', 'domstat');
  t.equal(fs.realpathSync(bin), path.join(prefix, 'lib', 'node_modules', 'domstat', 'bin', 'domstat.cjs'), 'bin/domstat is the package command');
  // The unit's ExecStart is that command under npm's usual global prefix, /usr/local.
  const exec = /^ExecStart=(\S+)/m.exec(unit)?.[1];
  t.equal(exec, '/usr/local/bin/domstat', 'the unit runs <prefix>/bin/domstat with prefix /usr/local');

  const version = spawnSync(bin, ['--version'], { env, encoding: 'utf8' });
  t.equal(version.status, 0, `domstat --version exits 0 ${version.stderr}`);
  t.equal(version.stdout, `${pkg.version}\n`, `domstat --version prints ${pkg.version}`);
  const list = spawnSync(bin, ['list', '--root', fixture('xen-no-libvirt')], { env, encoding: 'utf8' });
  t.equal(list.status, 0, `domstat list exits 0 ${list.stderr}`);
  t.match(list.stdout, /Domain-21\s+running/, 'a one-shot command reads a tree');
  // ... from the installed bundle alone (README, "One-shot speed"): a probe preloaded through
  // NODE_OPTIONS reports the files node required (through env -i: tap's coverage hooks add their
  // own modules to every child's NODE_OPTIONS).
  const probe = path.join(dir, 'probe.cjs');
  const report = path.join(dir, 'loaded.json');
  fs.writeFileSync(
    probe,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify(Object.keys(require.cache))));\n`,
  );
  const clean = ['-i', `PATH=${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`, `NODE_OPTIONS=--require ${probe}`];
  const probed = spawnSync('/usr/bin/env', [...clean, bin, 'list', '--root', fixture('xen-no-libvirt')], { encoding: 'utf8' });
  t.equal(probed.stdout, list.stdout, `the same output with the probe ${probed.stderr}`);
  const pkgDir = path.join(prefix, 'lib', 'node_modules', 'domstat');
  t.same(
    (JSON.parse(fs.readFileSync(report, 'utf8')) as string[]).filter((f) => f !== probe).map((f) => path.relative(pkgDir, fs.realpathSync(f))),
    ['bin/domstat.cjs', 'bin/oneshot-loader.cjs'],
    'the installed one-shot command runs from the bundle in the tarball (which the loader runs)',
  );
  const flags = nodeFlags(bin);
  const cached = spawnSync(
    '/usr/bin/env',
    [
      ...clean.slice(0, 2),
      process.execPath,
      ...flags,
      '-e',
      `process.stdout.write(String(require('${pkgDir}/bin/oneshot-loader.cjs').loadOneShot().cacheUsed))`,
    ],
    { encoding: 'utf8' },
  );
  t.equal(cached.stdout, 'true', `and with the code cache in the tarball ${cached.stderr}`);

  // The agent, started through the command's own first line (its node flags), until the first
  // tick is stored and served; then SIGTERM.
  const db = path.join(dir, 'agent.db');
  const agent = spawnChild(t, bin, ['agent', '--root', fixture('kvm-cgroup1-systemd'), '--db', db, '--interval', '1', '--listen', '127.0.0.1:0', '--quiet'], {
    env,
  });
  const port = await waitFor('the installed agent to listen', 30_000, () => {
    if (agent.proc.exitCode !== null) throw new Error(`agent exited: ${agent.stderr()}`);
    const m = /serving http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(agent.stderr());
    return m === null ? undefined : Number(m[1]);
  });
  const base = `http://127.0.0.1:${port}`;
  const metrics = await waitFor('the first tick on /metrics', 30_000, async () => {
    const r = await fetch(`${base}/metrics`);
    return r.status === 200 ? r.text() : undefined;
  });
  t.match(metrics, /^domstat_ticks_total [1-9]/m, 'a tick sampled and served');
  t.match(metrics, /^libvirt_domains_number 3$/m, "the fixture's three active domains");
  const page = await fetch(`${base}/`);
  t.equal(page.status, 200, 'the web page is served from the installed package');
  t.match(await page.text(), /<html/i, 'and it is HTML');
  t.equal((await fetch(`${base}/uplot.min.js`)).status, 200, 'uPlot from the installed dependencies');

  agent.proc.kill('SIGTERM');
  const code = await Promise.race([agent.exited, new Promise((r) => setTimeout(() => r('still running after 15 s'), 15_000))]);
  t.equal(code, 0, 'the agent exits 0 on SIGTERM');
  const ticks = spawnSync('sqlite3', [db, 'SELECT count(*) FROM tick'], { encoding: 'utf8' });
  t.equal(ticks.status, 0, `sqlite3 reads the database ${ticks.stderr}`);
  t.ok(Number(ticks.stdout) >= 1, `the database holds ${ticks.stdout.trim()} tick(s)`);
});
