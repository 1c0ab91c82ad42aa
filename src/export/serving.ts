// The HTTP side on a thread of its own (serve-worker.ts), as the agent's main thread sees it: start
// it (resolves once it listens), post each tick once, close it. The main thread's whole share of
// serving is packing a tick (tick-pack.ts): no request is ever parsed, rendered or answered on the
// thread that samples, so none can delay a tick.
//
// The thread's heap is capped: a bug or a flood that outgrows it ends the thread, not the agent,
// which says so once and starts it again (after 1 s, then up to a minute apart).

import { Worker } from 'node:worker_threads';
import { messageOf } from '../common/errors.js';
import { ServeError, type Listen, type ServerLimits } from './http-server.js';
import type { StoreConfig } from './store-metrics.js';
import { TickPacker, type TickData } from './tick-pack.js';
import type { FromWorker, ToWorker, WorkerConfig } from './serve-worker.js';

export interface ServingOptions {
  listen: Listen;
  dbFile: string;
  allowHosts: readonly string[];
  store: StoreConfig;
  limits?: Partial<ServerLimits>;
  /** How often the store's sizes are measured; default a minute. */
  sizesEveryMs?: number;
  /** The serving thread's V8 old-generation cap, MB. */
  heapMb?: number;
  /** Messages for the agent's log (each distinct one is said once by the agent's log). */
  log: (message: string) => void;
  /** Called with every message from the thread (tests watch ticks and sizes arrive). */
  onMessage?: (m: FromWorker) => void;
}

const WORKER = new URL('./serve-worker.js', import.meta.url);

export class ServingThread {
  private worker: Worker | null = null;
  private packer = new TickPacker();
  private closing = false;
  private restartMs = 1000;
  private restartTimer: NodeJS.Timeout | null = null;
  address: Listen;

  private constructor(private readonly opts: ServingOptions) {
    this.address = opts.listen;
  }

  /** Starts the thread; resolves with the address it listens on, rejects with why it cannot. */
  static async start(opts: ServingOptions): Promise<ServingThread> {
    const s = new ServingThread(opts);
    s.address = await s.spawn(opts.listen);
    return s;
  }

  private spawn(listen: Listen): Promise<Listen> {
    const cfg: WorkerConfig = {
      listen,
      dbFile: this.opts.dbFile,
      allowHosts: [...this.opts.allowHosts],
      store: this.opts.store,
      sizesEveryMs: this.opts.sizesEveryMs ?? 60_000,
      ...(this.opts.limits !== undefined ? { limits: this.opts.limits } : {}),
    };
    const w = new Worker(WORKER, { workerData: cfg, resourceLimits: { maxOldGenerationSizeMb: this.opts.heapMb ?? 192 } });
    this.worker = w;
    this.packer = new TickPacker();
    return new Promise<Listen>((resolve, reject) => {
      let listening = false;
      w.on('message', (m: FromWorker) => {
        this.opts.onMessage?.(m);
        if (m.type === 'listening') {
          listening = true;
          this.restartMs = 1000;
          resolve({ host: m.host, port: m.port });
        } else if (m.type === 'listen-error') reject(new ServeError(m.message));
        else if (m.type === 'log') this.opts.log(m.message);
      });
      w.on('error', (e) => {
        if (!listening) reject(new ServeError(`serving thread: ${e.message}`));
        else if (!this.closing) this.opts.log(`http: the serving thread failed (${e.message}); starting it again`);
      });
      w.on('exit', () => {
        if (this.worker === w) this.worker = null;
        if (!listening) reject(new ServeError('serving thread: ended before it listened'));
        else if (!this.closing) this.restartLater();
      });
    });
  }

  private restartLater(): void {
    if (this.restartTimer !== null) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.closing) return;
      this.spawn(this.address).then(
        () => this.opts.log('http: serving again'),
        (e: unknown) => {
          this.opts.log(`http: the serving thread could not start again: ${messageOf(e)}`);
          this.restartMs = Math.min(60_000, this.restartMs * 2);
          this.restartLater();
        },
      );
    }, this.restartMs);
    this.restartTimer.unref();
  }

  /** One tick to the serving thread: one message, its readings transferred. Dropped while the thread restarts. */
  post(t: TickData): void {
    const w = this.worker;
    if (w === null) return;
    const { message, transfer } = this.packer.pack(t);
    w.postMessage(message satisfies ToWorker, transfer);
  }

  /** Tests: hold the serving thread (a stuck query) until flag[0] is set. */
  hold(flag: Int32Array): void {
    this.worker?.postMessage({ type: 'hold', flag } satisfies ToWorker);
  }

  /** Measure the store's sizes now (tests; the thread does it every sizesEveryMs on its own). */
  refreshSizes(): void {
    this.worker?.postMessage({ type: 'refresh-sizes' } satisfies ToWorker);
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    const w = this.worker;
    if (w === null) return;
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.postMessage({ type: 'close' } satisfies ToWorker);
    // A thread stuck in a query is not waited for past a few seconds.
    const t = setTimeout(() => void w.terminate(), 5000);
    await exited;
    clearTimeout(t);
  }
}
