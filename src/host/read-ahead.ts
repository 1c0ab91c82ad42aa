// Reading on a second core. A tick's reads are one pread per kept file, and a pread costs the same
// on either core, so a worker thread reads the files of the groups (domains) at the end of the
// tick's list into shared memory while the main thread reads and parses from the front. Both
// claim whole groups with an atomic compare-and-swap, so they meet wherever the work balances;
// the main thread then parses what the worker read. The worker only moves bytes: it reports a
// length for a file it read completely in one pread and nothing else, and the main thread reads
// every other file itself through HostFs (errors, files gone, too large, no room, a descriptor
// that changed, a file that may be replaced under its descriptor), so what a tick reports never
// depends on which thread read the file.

import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type * as NodeFs from 'node:fs';
import type * as NodeWorkerThreads from 'node:worker_threads';
import type { KeptFile } from './kept-files.js';

/** A file of a group and the most bytes its reader accepts (one more means "too large"). */
export interface AheadFile {
  file: KeptFile;
  max: number;
}

/** Group states, control words and the "not read" length: one definition, passed to the worker. */
const CODES = {
  FREE: 0,
  MAIN: 1,
  WORKER: 2,
  DONE: 3,
  /** ctl: the tick number asked for; -1 ends the worker. */
  REQUEST: 0,
  /** ctl: the last tick number the worker has finished. */
  ANSWERED: 1,
  /** ctl: non-zero holds the worker once it has claimed a group (tests of the main thread's time-out). */
  HOLD: 2,
  /** ctl: files the worker could not read for want of room in the data buffer, last tick. */
  SHORT: 3,
  NOT_READ: -1,
} as const;
type Codes = typeof CODES;

/** What the worker reads from: group g's files are entries start[g] .. start[g + 1] - 1. */
interface Table {
  start: Int32Array;
  fd: Int32Array;
  max: Int32Array;
  off: Int32Array;
  len: Int32Array;
  state: Int32Array;
  data: Uint8Array;
}

const shared = (n: number) => new Int32Array(new SharedArrayBuffer(Math.max(1, n) * 4));
/** Data buffer bounds: room for what a tick's files hold, grown when the worker ran short. */
const MIN_DATA = 64 * 1024;
const MAX_DATA = 64 * 1024 * 1024;
/**
 * Files the worker reads: kept, whole in one read, and small when the main thread last read them.
 * A larger file stays with the main thread, which parses it straight from its own buffer: the
 * worker's copy would wait in memory until parsed (a KVM host's vCPU sched files are ~4 KB each,
 * 8 MB at 1000 domains), and a file not read yet has no size to go by. So does a file that may be
 * replaced under its descriptor (KeptFile.replaceable): telling needs its path, which the main
 * thread checks before it reads.
 */
const AHEAD_MAX_SIZE = 1024;
const aheadable = (f: KeptFile) => f.fd >= 0 && f.oneRead && !f.replaceable && f.size >= 0 && f.size <= AHEAD_MAX_SIZE;

/**
 * The worker's loop. It runs in the worker from its source text (a worker needs a file or a
 * string, and this keeps it type-checked beside the code that drives it), so it refers to
 * nothing outside itself but its arguments.
 */
function readAheadWorker(fs: typeof NodeFs, wt: typeof NodeWorkerThreads): void {
  const { ctl, port, k } = wt.workerData as { ctl: Int32Array; port: MessagePort; k: Codes };
  let t: Table | undefined;
  let seen = 0;
  for (;;) {
    Atomics.wait(ctl, k.REQUEST, seen);
    const request = Atomics.load(ctl, k.REQUEST);
    if (request < 0) return;
    seen = request;
    for (let m = wt.receiveMessageOnPort(port); m !== undefined; m = wt.receiveMessageOnPort(port)) t = m.message as Table;
    if (t !== undefined) {
      const { start, fd, max, off, len, state, data } = t;
      let used = 0;
      let short = 0;
      // Groups from the end, for as long as the main thread has not reached them.
      for (let g = start.length - 2; g >= 0; g--) {
        if (Atomics.compareExchange(state, g, k.FREE, k.WORKER) !== k.FREE) break;
        while (Atomics.load(ctl, k.HOLD) !== 0) Atomics.wait(ctl, k.HOLD, 1, 10);
        for (let e = start[g]!; e < start[g + 1]!; e++) {
          len[e] = k.NOT_READ;
          if (fd[e]! < 0) continue;
          const room = data.length - used;
          if (room <= 0) {
            short++;
            continue;
          }
          const asked = Math.min(max[e]! + 1, room);
          let n: number;
          try {
            n = fs.readSync(fd[e]!, data, used, asked, 0);
          } catch {
            continue; // the main thread reads it again and reports what is wrong
          }
          if (n === asked) {
            if (asked <= max[e]!) short++; // it might have fitted a larger buffer
            continue; // too large, or no room to tell: the main thread reads it
          }
          off[e] = used;
          len[e] = n;
          used += n;
        }
        Atomics.store(state, g, k.DONE);
        Atomics.notify(state, g);
      }
      Atomics.store(ctl, k.SHORT, short);
    }
    Atomics.store(ctl, k.ANSWERED, request);
    Atomics.notify(ctl, k.ANSWERED);
  }
}

export class ReadAhead {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly ctl = shared(4);
  private t: Table | null = null;
  /** The table's data buffer as a Buffer (the parsers search it with Buffer.indexOf). */
  private bytes: Buffer = Buffer.alloc(0);
  private files: KeptFile[] = [];
  private tick = 0;
  /** A tick is in progress with the worker reading. */
  private active = false;
  /** The worker did not answer in time: not asked again until it has. */
  private stalled = false;
  /** Why the worker is gone, once it is (the main thread then reads everything itself). */
  failure: string | null = null;
  private closed = false;
  /** Waits that timed out, since the start. */
  timeouts = 0;

  constructor(readonly timeoutMs = 1000) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(`(${readAheadWorker.toString()})(require('node:fs'), require('node:worker_threads'))`, {
      eval: true,
      workerData: { ctl: this.ctl, port: port2, k: CODES },
      transferList: [port2],
    });
    // The worker never holds the process open; an agent that is done simply exits.
    this.worker.unref();
    this.worker.on('error', (e: Error) => (this.failure ??= `read-ahead thread failed: ${e.message}`));
    this.worker.on('exit', (code: number) => {
      if (!this.closed) this.failure ??= `read-ahead thread exited (${code})`;
    });
  }

  /** The groups of the coming ticks, in the order the main thread will take them. */
  setGroups(groups: readonly (readonly AheadFile[])[]): void {
    const entries = groups.reduce((n, g) => n + g.length, 0);
    const start = shared(groups.length + 1);
    const max = shared(entries);
    this.files = [];
    let e = 0;
    groups.forEach((g, i) => {
      start[i] = e;
      for (const f of g) {
        this.files.push(f.file);
        max[e++] = f.max;
      }
    });
    start[groups.length] = e;
    // Room for what the files it reads held at their last read, half as much again, and 64 KiB.
    const held = this.files.reduce((n, f) => n + (aheadable(f) ? f.size : 0), 0);
    const bytes = Math.min(MAX_DATA, MIN_DATA + Math.ceil(held * 1.5));
    this.post({
      start,
      fd: shared(entries),
      max,
      off: shared(entries),
      len: shared(entries),
      state: shared(groups.length),
      data: new Uint8Array(new SharedArrayBuffer(bytes)),
    });
  }

  private post(t: Table): void {
    this.t = t;
    this.bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.length);
    this.port.postMessage(t);
  }

  get groups(): number {
    return this.t === null ? 0 : this.t.start.length - 1;
  }

  /** The data buffer the worker reads into (see offset()). */
  get data(): Buffer {
    return this.bytes;
  }

  /**
   * Starts a tick's read-ahead; false when the worker cannot take part (gone, or still busy with
   * a tick it did not finish in time), and then every group is read by the main thread.
   */
  begin(): boolean {
    const t = this.t;
    if (t === null || this.failure !== null || this.closed) return false;
    if (Atomics.load(this.ctl, CODES.ANSWERED) !== this.tick) return false;
    this.stalled = false;
    if (Atomics.load(this.ctl, CODES.SHORT) > 0 && t.data.length < MAX_DATA) {
      this.post({ ...t, data: new Uint8Array(new SharedArrayBuffer(Math.min(MAX_DATA, t.data.length * 2))) });
      Atomics.store(this.ctl, CODES.SHORT, 0);
    }
    const { fd, state } = this.t!;
    // Descriptors as they are now: one closed since (the file went away) is not read.
    for (let e = 0; e < this.files.length; e++) {
      const f = this.files[e]!;
      fd[e] = aheadable(f) ? f.fd : -1;
    }
    state.fill(CODES.FREE);
    this.active = true;
    Atomics.store(this.ctl, CODES.REQUEST, ++this.tick);
    Atomics.notify(this.ctl, CODES.REQUEST);
    return true;
  }

  /** Group g for the main thread to read (true), or false: the worker has it (see await()). */
  claim(g: number): boolean {
    return !this.active || Atomics.compareExchange(this.t!.state, g, CODES.FREE, CODES.MAIN) === CODES.FREE;
  }

  /** Waits for the worker to finish group g: true when its reads are there to use. */
  await(g: number): boolean {
    if (!this.active) return false;
    const state = this.t!.state;
    for (;;) {
      const s = Atomics.load(state, g);
      if (s === CODES.DONE) return true;
      if (s !== CODES.WORKER || this.stalled) return false;
      if (Atomics.wait(state, g, CODES.WORKER, this.timeoutMs) === 'timed-out') {
        this.stalled = true;
        this.timeouts++;
        return false;
      }
    }
  }

  /** The first and past-the-last entries of group g. */
  entries(g: number): [number, number] {
    const start = this.t!.start;
    return [start[g]!, start[g + 1]!];
  }

  /**
   * The length of what the worker read for entry e, when it is `file` read with the same limit
   * through the descriptor the file still has; -1: the main thread reads it itself.
   */
  length(e: number, file: KeptFile, max: number): number {
    const t = this.t!;
    const n = t.len[e]!;
    return n >= 0 && this.files[e] === file && t.max[e] === max && t.fd[e] === file.fd ? n : -1;
  }

  /** Where entry e's bytes start in data. */
  offset(e: number): number {
    return this.t!.off[e]!;
  }

  /** Ends the tick: no group is left for the worker, and it is waited for (one group at most). */
  end(): void {
    if (!this.active) return;
    this.active = false;
    const state = this.t!.state;
    for (let g = 0; g < state.length; g++) Atomics.compareExchange(state, g, CODES.FREE, CODES.MAIN);
    if (!this.stalled && !this.answered()) {
      this.stalled = true;
      this.timeouts++;
    }
  }

  /** Waits for the worker to finish the tick; false on time-out. */
  private answered(): boolean {
    for (;;) {
      const answered = Atomics.load(this.ctl, CODES.ANSWERED);
      if (answered === this.tick) return true;
      if (Atomics.wait(this.ctl, CODES.ANSWERED, answered, this.timeoutMs) === 'timed-out') return false;
    }
  }

  /**
   * Waits until the worker has finished the tick, which lets it read every group the main thread
   * has not claimed (tests read every file through the worker this way); false on time-out.
   */
  settle(): boolean {
    return this.active && this.answered();
  }

  /** Whether the worker has finished every tick it was asked for (tests wait for this rather than sleep). */
  get idle(): boolean {
    return Atomics.load(this.ctl, CODES.ANSWERED) === this.tick;
  }

  /** Who has group g this tick (tests). */
  stateOf(g: number): 'free' | 'main' | 'worker' | 'done' {
    return (['free', 'main', 'worker', 'done'] as const)[Atomics.load(this.t!.state, g)]!;
  }

  /** For tests: hold the worker on the next group it claims (true), or let it go on (false). */
  hold(on: boolean): void {
    Atomics.store(this.ctl, CODES.HOLD, on ? 1 : 0);
    Atomics.notify(this.ctl, CODES.HOLD);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctl, CODES.REQUEST, -1);
    Atomics.notify(this.ctl, CODES.REQUEST);
    this.hold(false);
    this.port.close();
    await this.worker.terminate();
  }
}
