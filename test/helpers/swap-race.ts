// A process that swaps two paths with renameat2(RENAME_EXCHANGE) in a loop, for tests of reads
// that race a tree changing under them (a directory and a symlink to outside the root trade
// places atomically, over and over). Node has no renameat2, so python3 calls it through ctypes
// (glibc's wrapper, or the raw syscall on an older libc).
import { spawn, type ChildProcess } from 'node:child_process';

const SCRIPT = `
import ctypes, os, platform, signal, sys
libc = ctypes.CDLL(None, use_errno=True)
a, b = os.fsencode(sys.argv[1]), os.fsencode(sys.argv[2])
AT_FDCWD, RENAME_EXCHANGE = -100, 2
if hasattr(libc, 'renameat2'):
    fn = libc.renameat2
    swap = lambda: fn(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE)
else:
    nr = {'x86_64': 316, 'aarch64': 276}.get(platform.machine())
    if nr is None:
        print('no renameat2 in libc, and no syscall number known for ' + platform.machine(), flush=True)
        sys.exit(2)
    swap = lambda: libc.syscall(nr, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE)
n = 0
def stop(*_):
    sys.stdout.write('%d\\n' % n)
    sys.stdout.flush()
    os._exit(0)
signal.signal(signal.SIGTERM, stop)
if swap() != 0:
    print('renameat2(RENAME_EXCHANGE) failed: ' + os.strerror(ctypes.get_errno()), flush=True)
    sys.exit(2)
n = 1
print('ready', flush=True)
while True:
    swap()
    n += 1
`;

export interface Swapper {
  /** Stops the loop: how many swaps it made. */
  stop(): Promise<number>;
}

/** Starts swapping a and b (after its first swap has succeeded), or says why it cannot. */
export function startSwapper(a: string, b: string): Promise<Swapper | string> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn('python3', ['-c', SCRIPT, a, b], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      resolve(`cannot start python3: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    let out = '';
    let err = '';
    let started = false;
    const exited = new Promise<void>((done) => child.on('close', () => done()));
    child.on('error', (e) => resolve(`cannot start python3 (needed to call renameat2): ${e.message}`));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (started || !out.includes('\n')) return;
      started = true;
      const first = out.slice(0, out.indexOf('\n'));
      out = out.slice(first.length + 1);
      if (first !== 'ready') {
        resolve(`the swapper could not run: ${first}`);
        return;
      }
      resolve({
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
          const n = Number(out.trim());
          if (!Number.isInteger(n)) throw new Error(`swapper ended without its count (stdout ${JSON.stringify(out)}, stderr ${JSON.stringify(err)})`);
          return n;
        },
      });
    });
    void exited.then(() => {
      if (!started) resolve(`the swapper exited before it started: ${(out + err).trim() || 'no output'}`);
    });
  });
}
