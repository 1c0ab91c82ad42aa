// The installed command's path for one-shot commands: bin/domstat.cjs sends them to
// dist/cli/oneshot.cjs, the build's bundle of src/cli/oneshot.ts (README, "One-shot speed").
// Asserted here: the bundle answers every one-shot command line byte for byte as main() does
// from the ES modules (stdout, stderr, exit status; every fixture tree, every domain, errors,
// help, --version); bin/domstat.cjs sends exactly those lines to it; an installed run loads the
// bundle alone (fast-xml-parser is inside) and none of node's stream or child_process modules;
// it runs from V8's code cache the build made, and never from a cache made for another bundle;
// and output reaches a slow reader through a non-blocking pipe whole.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { REPO, fixture, runCli, type CliResult } from '../helpers/cli.js';
import { COMMANDS } from '../../src/cli/main.js';
import { ONE_SHOT_COMMANDS, isOneShot, type runOneShot } from '../../src/cli/oneshot.js';
import type { Io } from '../../src/common/io.js';

const BIN = path.join(REPO, 'bin/domstat.cjs');
const BUNDLE = path.join(REPO, 'dist/cli/oneshot.cjs');
const { nodeFlags } = createRequire(import.meta.url)('../../scripts/node-flags.cjs') as { nodeFlags: (binFile?: string) => string[] };
const bundle = createRequire(import.meta.url)(BUNDLE) as { runOneShot: typeof runOneShot; isOneShot: typeof isOneShot };

/** The installed command's node flags (bin/domstat.cjs's first line). */
const NODE_FLAGS = nodeFlags();
/** Through env -i: tap's coverage hooks add their own modules to every child's NODE_OPTIONS. */
const CLEAN_ENV = ['-i', `PATH=${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`];

async function runBundle(args: readonly string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const io: Io = { out: (s) => void (out += s), err: (s) => void (err += s) };
  const code = await bundle.runOneShot(args, io);
  return { code, out, err };
}

t.test('bin/domstat.cjs, oneshot.ts and main.ts agree on the one-shot commands', async (t) => {
  const m = /const ONE_SHOT = new Set\(\[([^\]]*)\]\)/.exec(fs.readFileSync(BIN, 'utf8'));
  t.ok(m, 'bin/domstat.cjs names its one-shot commands');
  const inBin = [...m![1]!.matchAll(/'([^']+)'/g)].map((x) => x[1]!);
  t.same(inBin, [...ONE_SHOT_COMMANDS.map(([n]) => n), '--version', '-V'], "bin's list is oneshot.ts's commands and --version");
  for (const name of inBin) {
    t.ok(isOneShot([name, 'x']), `isOneShot: ${name}`);
    t.ok(bundle.isOneShot([name]), `the bundle's isOneShot: ${name}`);
  }
  for (const line of [[], ['--help'], ['help', 'list'], ['agent'], ['history'], ['top'], ['domstat'], ['--root', '/', 'list']])
    t.notOk(isOneShot(line), `not one-shot: ${line.join(' ')}`);
  const order = COMMANDS.map(([n]) => n).filter((n) => ONE_SHOT_COMMANDS.some(([o]) => o === n));
  t.same(
    ONE_SHOT_COMMANDS.map(([n]) => n),
    order,
    "in main.ts's order",
  );
  for (const [name, load] of ONE_SHOT_COMMANDS) t.equal(await load(), await COMMANDS.find(([n]) => n === name)![1](), `${name}: the same maker as main.ts's`);
  t.throws(() => bundle.runOneShot(['agent']), /not a one-shot command line/, 'the bundle refuses other commands');
});

/** Every tree's domains (from `list --all` itself), and command lines for each. */
async function commandLines(): Promise<string[][]> {
  const lines: string[][] = [['--version'], ['-V'], ['domstats', '--help'], ['list', '--bogus'], ['cpu-stats'], ['domstats', '--list-active', 'x']];
  const trees = fs.readdirSync(path.join(REPO, 'fixtures'), { withFileTypes: true }).filter((d) => d.isDirectory() && fs.existsSync(fixture(d.name, 'golden')));
  for (const { name: tree } of trees) {
    const root = ['--root', fixture(tree)];
    const list = await runCli(['list', '--all', '--json', ...root]);
    const doms = (JSON.parse(list.out) as { name: string }[]).map((d) => d.name);
    lines.push(['list', ...root], ['list', '--all', ...root], ['list', '--inactive', '--json', ...root]);
    lines.push(
      ['domstats', ...root],
      ['domstats', '--extra', '--backing', ...root],
      ['domstats', '--json', '--list-running', ...root],
      ['domstats', 'nosuch', ...root],
    );
    for (const dom of doms) {
      lines.push(['domstats', dom, '--block', '--interface', ...root], ['domblklist', dom, '--details', ...root], ['domiflist', dom, ...root]);
      lines.push(['domblkstat', dom, ...root], ['domblkstat', dom, 'xvdz', '--human', ...root], ['domifstat', dom, 'vnet0', ...root]);
      lines.push(
        ['dommemstat', dom, ...root],
        ['cpu-stats', dom, ...root],
        ['cpu-stats', dom, '--total', '--json', ...root],
        ['cpu-stats', dom, '--count', 'x', ...root],
      );
    }
    const xml = fs.readdirSync(fixture(tree), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.xml'));
    if (xml.length > 0) lines.push(['inspect', ...xml.map((f) => fixture(tree, f))], ['inspect', '--json', fixture(tree, xml[0]!)]);
  }
  return lines;
}

t.test('the bundle answers as the ES modules do, byte for byte', async (t) => {
  const lines = await commandLines();
  t.ok(lines.length > 150, `${lines.length} command lines`);
  let differ = 0;
  for (const args of lines) {
    const want = await runCli(args);
    const got = await runBundle(args);
    if (got.code !== want.code || got.out !== want.out || got.err !== want.err) {
      differ++;
      t.same(got, want, args.join(' '));
    }
  }
  t.equal(differ, 0, 'no command line differs');
});

t.test('the installed command loads the bundle alone, and none of node stream modules', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'domstat-oneshot-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const probe = path.join(dir, 'probe.cjs');
  const report = path.join(dir, 'loaded.json');
  fs.writeFileSync(
    probe,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify({ files: Object.keys(require.cache), builtins: process.moduleLoadList })));\n`,
  );
  const args = ['domstats', '--root', fixture('libvirt9-qemu7-hybrid-cgroup')];
  const env = [...CLEAN_ENV, `NODE_OPTIONS=--require ${probe}`];
  const r = spawnSync('/usr/bin/env', [...env, BIN, ...args], { encoding: 'utf8' });
  const want = await runCli(args);
  t.same({ code: r.status, out: r.stdout, err: r.stderr }, want, 'the same output as main()');
  const loaded = JSON.parse(fs.readFileSync(report, 'utf8')) as { files: string[]; builtins: string[] };
  t.same(
    loaded.files.filter((f) => f !== probe).map((f) => path.relative(REPO, f)),
    ['bin/domstat.cjs', 'bin/oneshot-loader.cjs'],
    'bin and the loader, which runs the bundle (fast-xml-parser inside) as a vm.Script',
  );
  // (internal/streams/utils comes with node's fs, at every start.)
  const streams = loaded.builtins.filter((m) => /^NativeModule (stream|net|tty|child_process|internal\/streams\/(?!utils$))/.test(m));
  t.same(streams, [], "none of node's stream, net or child_process modules");
  const version = spawnSync(BIN, ['--version'], { encoding: 'utf8' });
  t.same({ code: version.status, out: version.stdout, err: version.stderr }, await runCli(['--version']), '--version');
  const help = spawnSync(BIN, ['--help'], { encoding: 'utf8' });
  t.same({ code: help.status, out: help.stdout, err: help.stderr }, await runCli(['--help']), '--help (every command, from the ES modules)');
});

/** Whether bin/oneshot-loader.cjs in `dir` loads its bundle from the cache, in a node with these flags. */
function cacheUsed(dir: string, flags: readonly string[]): boolean {
  const probe = `process.stdout.write(String(require(${JSON.stringify(path.join(dir, 'bin/oneshot-loader.cjs'))}).loadOneShot().cacheUsed))`;
  const r = spawnSync('/usr/bin/env', [...CLEAN_ENV, process.execPath, ...flags, '-e', probe], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout === 'true';
}

t.test('the bundle runs from its code cache, and never from one made for another bundle', async (t) => {
  t.ok(cacheUsed(REPO, NODE_FLAGS), "with bin/domstat.cjs's flags, the build's cache is used");
  t.notOk(cacheUsed(REPO, []), 'under other V8 flags V8 refuses it (and the bundle is compiled afresh)');

  // A copy of the installed files, to tamper with.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'domstat-cache-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const f of ['package.json', 'bin/domstat.cjs', 'bin/oneshot-loader.cjs', 'dist/cli/oneshot.cjs', 'dist/cli/oneshot.cache']) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(REPO, f), path.join(dir, f));
  }
  const args = ['domstats', '--root', fixture('libvirt9-qemu7-hybrid-cgroup')];
  const run = () => spawnSync('/usr/bin/env', [...CLEAN_ENV, path.join(dir, 'bin/domstat.cjs'), ...args], { encoding: 'utf8', timeout: 30_000 });
  const want = await runCli(args);
  t.same(pick(run()), want, 'the copy answers as main() does');
  t.ok(cacheUsed(dir, NODE_FLAGS), "and from the build's cache");

  // The bundle edited in place to the same length (a hot fix with sed), its cache left behind:
  // V8's own check (the length) would pass, and run the old bytecode of the functions the cache
  // holds. The cache's copy of the bundle differs, so the loader compiles the bundle afresh.
  const bundle = path.join(dir, 'dist/cli/oneshot.cjs');
  const code = fs.readFileSync(bundle, 'utf8');
  t.ok(code.includes('"state.state"'), 'the bundle names state.state');
  const edited = code.replace('"state.state"', '"state.STATE"');
  t.equal(edited.length, code.length, 'edited to the same length');
  fs.writeFileSync(bundle, edited);
  t.notOk(cacheUsed(dir, NODE_FLAGS), 'the old cache is not used for the edited bundle');
  t.same(pick(run()), { ...want, out: want.out.replaceAll('state.state=', 'state.STATE=') }, 'which runs its own code');
  fs.writeFileSync(bundle, code);

  const cache = path.join(dir, 'dist/cli/oneshot.cache');
  const good = fs.readFileSync(cache);
  const v8Data = good.indexOf('\n') + 1 + fs.statSync(bundle).size;
  for (const [what, bytes] of [
    ['cut short', good.subarray(0, good.length >> 1)],
    // Its copy of the bundle is whole: V8 refuses it by its checksum (--verify-snapshot-checksum).
    ['with its data garbled', good.map((b, i) => (i >= v8Data + 80 && i % 7 === 0 ? b ^ 0x55 : b))],
    ['that is empty', Buffer.alloc(0)],
  ] as const) {
    fs.writeFileSync(cache, bytes);
    t.notOk(cacheUsed(dir, NODE_FLAGS), `a cache ${what} is not used`);
    t.same(pick(run()), want, `and the command answers as before (cache ${what})`);
  }
  fs.rmSync(cache);
  t.notOk(cacheUsed(dir, NODE_FLAGS), 'no cache: not used');
  t.same(pick(run()), want, 'and the command answers as before (no cache)');
  // Neither is read, and a FIFO does not block the command (spawnSync's timeout would end it).
  for (const [what, make] of [
    ['a FIFO', () => spawnSync('mkfifo', [cache])],
    ['a directory', () => fs.mkdirSync(cache)],
  ] as const) {
    make();
    t.notOk(cacheUsed(dir, NODE_FLAGS), `${what} in its place is not used`);
    t.same(pick(run()), want, `and the command answers as before (${what})`);
    fs.rmSync(cache, { recursive: true });
  }

  // A bundle that cannot be read is said in one line, and a FIFO in its place does not block.
  fs.renameSync(bundle, `${bundle}.kept`);
  spawnSync('mkfifo', [bundle]);
  t.same(pick(run()), { code: 1, out: '', err: `error: cannot load domstat: ${bundle}: not a regular file\n` }, 'a FIFO in place of the bundle');
  fs.rmSync(bundle);
  t.same(pick(run()), { code: 1, out: '', err: `error: cannot load domstat: ENOENT: no such file or directory, open '${bundle}'\n` }, 'no bundle');
  fs.renameSync(`${bundle}.kept`, bundle);
});

function pick(r: { status: number | null; stdout: string; stderr: string }): CliResult {
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

t.test('output that cannot be written: one line when the disk is full, nothing when the reader went away', async (t) => {
  const file = fixture('libvirt9-qemu7-hybrid-cgroup', 'var/run/libvirt/qemu/lab-busy.xml');
  const many = ['inspect', ...Array<string>(300).fill(file)]; // ~190 kB: more than a pipe holds
  // `| head -c 1`: the reader closes its end after one byte; domstat's later writes get EPIPE.
  const script = 'f=$(mktemp); "$@" 2>"$f" | head -c 1 >/dev/null; s=${PIPESTATUS[0]}; cat "$f" >&2; rm -f "$f"; exit $s';
  const headed = spawnSync('bash', ['-c', script, 'bash', BIN, ...many], { encoding: 'utf8', timeout: 30_000 });
  t.same({ code: headed.status, err: headed.stderr }, { code: 0, err: '' }, '`inspect … | head -c 1`: exit 0, nothing on stderr (no stack)');
  if (!fs.existsSync('/dev/full')) {
    await t.test('not run: this system has no /dev/full', { skip: true }, async () => {});
    return;
  }
  const full = fs.openSync('/dev/full', 'w');
  t.teardown(() => fs.closeSync(full));
  const ENOSPC = 'error: cannot write to standard output: ENOSPC: no space left on device, write\n';
  for (const args of [['domstats', '--root', fixture('libvirt9-qemu7-hybrid-cgroup')], many, ['--help']]) {
    const r = spawnSync(BIN, args, { stdio: ['ignore', full, 'pipe'], encoding: 'utf8', timeout: 30_000 });
    t.same({ code: r.status, err: r.stderr }, { code: 1, err: ENOSPC }, `${args[0]} > /dev/full: one line, exit 1`);
  }
});

t.test('a slow reader on a non-blocking pipe gets every byte, in order', async (t) => {
  // 300 status XML files: ~190 kB of output, three times what a pipe holds. The reader sets its
  // pipe's write end O_NONBLOCK (as a parent sharing the descriptor may) and reads only after
  // 0.5 s: write(2) fails with EAGAIN, and the rest goes through node's stream.
  const file = fixture('libvirt9-qemu7-hybrid-cgroup', 'var/run/libvirt/qemu/lab-busy.xml');
  const args = ['inspect', ...Array<string>(300).fill(file)];
  const reader = [
    'import os, subprocess, sys, time',
    'r, w = os.pipe()',
    'os.set_blocking(w, False)',
    'p = subprocess.Popen(sys.argv[1:], stdout=w)',
    'os.close(w)',
    'time.sleep(0.5)',
    'data = b"".join(iter(lambda: os.read(r, 65536), b""))',
    'sys.stdout.buffer.write(data)',
    'sys.exit(p.wait())',
  ].join('\n');
  const r = spawnSync('python3', ['-c', reader, BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.error !== undefined) {
    await t.test(`not run: python3 is not available here (${r.error.message})`, { skip: true }, async () => {});
    return;
  }
  const want = await runCli(args);
  t.ok(want.out.length > 3 * 65536, `${want.out.length} bytes`);
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, want.out, 'every byte, in order');
});
