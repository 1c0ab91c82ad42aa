// Counters that move, for the end-to-end tests of the views and exports: in-place rewrites of a
// fixture copy's /proc/net/dev lines and single-number counter files, steady rates driven by the
// clock, free ports, child processes that are always killed, and polling.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { Test } from 'tap';
import { fixture, REPO } from './cli.js';

export const BIN = path.join(REPO, 'bin', 'domstat.cjs');

/**
 * A memory-backed temp dir when the system has one (/dev/shm), else the system temp dir: for the
 * tens of thousands of small files a simulated 1000-domain host writes, which a disk takes a
 * minute or more to create and remove.
 */
export const MEMORY_TMP = (() => {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return fs.statSync('/dev/shm').isDirectory() ? '/dev/shm' : os.tmpdir();
  } catch {
    return os.tmpdir();
  }
})();

/**
 * A fresh directory of this test's own under the system temp dir, removed at teardown. Unlike
 * t.testdir() (.tap/fixtures/<file>-<test name>), two runs of the same test at the same time do
 * not share it, and asking again does not wipe it. Register it first: teardowns run last-first,
 * so the processes a test starts are stopped before their directory goes.
 */
export function privateDir(t: Test, base = os.tmpdir()): string {
  const dir = fs.mkdtempSync(path.join(base, 'domstat-test-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5 }));
  return dir;
}

/** A private copy of a fixture tree (relative symlinks kept, golden/ left out). */
export function privateTree(t: Test, tree: string): string {
  const root = path.join(privateDir(t), tree);
  fs.cpSync(fixture(tree), root, { recursive: true, verbatimSymlinks: true, filter: (src) => path.basename(src) !== 'golden' });
  return root;
}

/**
 * Rewrites a file in place: same inode (domstat keeps descriptors of kernel files open and
 * re-reads them with pread), and no moment where the file is empty for a reader in another
 * process (no O_TRUNC; a shorter text is cut at the end afterwards).
 */
export function rewrite(file: string, text: string): void {
  const buf = Buffer.from(text, 'latin1');
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, buf, 0, buf.length, 0);
    fs.ftruncateSync(fd, buf.length);
  } finally {
    fs.closeSync(fd);
  }
}

/** Columns of a /proc/net/dev line, 1-based as in KVM-FIXTURES.md (1 rx bytes .. 9 tx bytes ..). */
export const COL = { RX_BYTES: 1, RX_PKTS: 2, TX_BYTES: 9, TX_PKTS: 10 } as const;

/** A /proc/net/dev file whose device lines can be changed and written back in place. */
export class NetDev {
  private readonly lines: string[];
  private readonly index = new Map<string, number>();
  readonly base = new Map<string, bigint[]>();
  private readonly cur = new Map<string, bigint[]>();

  constructor(readonly file: string) {
    this.lines = fs.readFileSync(file, 'latin1').split('\n');
    this.lines.forEach((l, i) => {
      const colon = l.indexOf(':');
      if (i < 2 || colon < 0) return;
      const name = l.slice(0, colon).trim();
      const values = l
        .slice(colon + 1)
        .trim()
        .split(/\s+/)
        .map((x) => BigInt(x));
      this.index.set(name, i);
      this.base.set(name, values);
      this.cur.set(name, [...values]);
    });
  }

  private row(dev: string): bigint[] {
    const r = this.cur.get(dev);
    if (r === undefined) throw new Error(`${this.file}: no line for ${dev}`);
    return r;
  }

  get(dev: string, col: number): bigint {
    return this.row(dev)[col - 1]!;
  }

  set(dev: string, col: number, value: bigint): this {
    this.row(dev)[col - 1] = value;
    return this;
  }

  /** Sets the column to its starting value plus delta. */
  setFromBase(dev: string, col: number, delta: bigint): this {
    return this.set(dev, col, this.base.get(dev)![col - 1]! + delta);
  }

  add(dev: string, col: number, delta: bigint): this {
    return this.set(dev, col, this.get(dev, col) + delta);
  }

  text(): string {
    const out = [...this.lines];
    for (const [name, i] of this.index) {
      // The kernel's layout: the name right-aligned in 6 columns, each counter after a space.
      out[i] = `${name.padStart(6)}: ${this.cur
        .get(name)!
        .map((v) => String(v).padStart(8))
        .join(' ')}`;
    }
    return out.join('\n');
  }

  write(): void {
    rewrite(this.file, this.text());
  }
}

/** A file holding one counter (cpuacct.usage, a vbd statistics file), rewritten in place. */
export class CounterFile {
  readonly base: bigint;
  constructor(readonly file: string) {
    this.base = BigInt(fs.readFileSync(file, 'latin1').trim());
  }
  /** Zero-padded to a fixed width, so the file never shrinks while it is rewritten. */
  write(value: bigint): void {
    rewrite(this.file, `${String(value).padStart(20, '0')}\n`);
  }
  setFromBase(delta: bigint): void {
    this.write(this.base + delta);
  }
}

/** A one-line file of counters (/sys/dev/block/MAJ:MIN/stat), fields 1-based, rewritten in place. */
export class FieldsFile {
  readonly base: bigint[];
  private readonly cur: bigint[];
  constructor(readonly file: string) {
    this.base = fs
      .readFileSync(file, 'latin1')
      .trim()
      .split(/\s+/)
      .map((x) => BigInt(x));
    this.cur = [...this.base];
  }
  setFromBase(field: number, delta: bigint): this {
    this.cur[field - 1] = this.base[field - 1]! + delta;
    return this;
  }
  write(): void {
    rewrite(this.file, `${this.cur.map((v) => String(v).padStart(8)).join(' ')}\n`);
  }
}

/**
 * Calls update(elapsed seconds) now and every periodMs until teardown: counters computed from
 * the elapsed time advance at an exact average rate whatever the timer jitter.
 */
export function steady(t: Test, periodMs: number, update: (elapsedS: number) => void): { stop(): void; error(): unknown } {
  const t0 = performance.now();
  let failure: unknown;
  const stop = () => clearInterval(h);
  const tick = () => {
    try {
      update((performance.now() - t0) / 1000);
    } catch (e) {
      // Reported by error(), not thrown from a timer (at teardown the tree may already be gone).
      failure ??= e;
      stop();
    }
  };
  const h = setInterval(tick, periodMs);
  tick();
  t.teardown(stop);
  return { stop, error: () => failure };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A TCP port nobody listens on right now (bound and released on 127.0.0.1). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Polls until fn returns a value other than undefined/false, or throws after timeoutMs. */
export async function waitFor<T>(what: string, timeoutMs: number, fn: () => T | undefined | false | Promise<T | undefined | false>, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`);
    await sleep(everyMs);
  }
}

export interface Child {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
}

/** Spawns a process that is killed (TERM, then KILL) at teardown, even when the test fails. */
export function spawnChild(t: Test, cmd: string, args: readonly string[], opts: SpawnOptions = {}): Child {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (b: Buffer) => void (out += b.toString()));
  proc.stderr?.on('data', (b: Buffer) => void (err += b.toString()));
  const exited = new Promise<number | string>((resolve) => {
    proc.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    proc.once('error', (e) => {
      err += String(e);
      resolve('spawn error');
    });
  });
  t.teardown(async () => {
    if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) return;
    proc.kill('SIGTERM');
    const done = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
    if (!done) {
      proc.kill('SIGKILL');
      await exited;
    }
  });
  return { proc, stdout: () => out, stderr: () => err, exited };
}

/** kvm-cgroup1-systemd's domain groups (cpu and cpuacct co-mounted), for CPU bumps. */
export const V1_SCOPES = {
  alpha: 'machine-qemu\\x2d1\\x2dalpha.scope',
  beta: 'machine-qemu\\x2d2\\x2dbeta.scope',
  delta: 'machine-qemu\\x2d4\\x2ddelta.scope',
} as const;
export const cpuacctUsage = (root: string, dom: keyof typeof V1_SCOPES) =>
  path.join(root, 'sys/fs/cgroup/cpu,cpuacct/machine.slice', V1_SCOPES[dom], 'cpuacct.usage');
