// The serving thread (started by serving.ts): the HTTP server, the latest tick as the main thread
// posts it, a read-only connection to the history database for /api/history and for the store's
// sizes, measured every minute here, off the sampling thread. Whatever a request costs, it costs
// this thread, which also runs at a lower scheduling priority than the one that samples.

import * as fs from 'node:fs';
import * as os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { messageOf } from '../common/errors.js';
import { StatsServer, type Listen, type ServerLimits } from './http-server.js';
import { ReadOnlyStore } from './read-store.js';
import { StoreGauges, type StoreConfig, type StoreView } from './store-metrics.js';
import { TickCache } from './tick-cache.js';
import { exportInputOf } from './records.js';
import { TickUnpacker, type TickMessage } from './tick-pack.js';

export interface WorkerConfig {
  listen: Listen;
  dbFile: string;
  allowHosts: string[];
  store: StoreConfig;
  limits?: Partial<ServerLimits>;
  /** How often the store's sizes are measured (dbstat), ms. */
  sizesEveryMs: number;
}

export type ToWorker =
  | TickMessage
  | { type: 'close' }
  | { type: 'refresh-sizes' }
  /** Tests: hold this thread, as a stuck query would, until flag[0] is no longer 0. */
  | { type: 'hold'; flag: Int32Array };
export type FromWorker =
  | { type: 'listening'; host: string; port: number }
  | { type: 'listen-error'; message: string }
  | { type: 'log'; message: string }
  | { type: 'ticked'; ticks: number; renders: number }
  | { type: 'sizes'; at: number }
  | { type: 'closed' };

const port = parentPort!;
const cfg = workerData as WorkerConfig;
const post = (m: FromWorker) => port.postMessage(m);

/**
 * This thread's nice value up by 10 (Linux: setpriority on a thread id sets that thread's alone),
 * so the sampling thread wins a busy CPU. Where it cannot be done, it serves at the same priority.
 */
function lowerPriority(): void {
  try {
    const tid = Number(/task\/([0-9]+)$/.exec(fs.readlinkSync('/proc/thread-self'))?.[1]);
    if (tid > 0) os.setPriority(tid, Math.min(19, os.getPriority(tid) + 10));
  } catch {
    // not Linux, or not allowed: the same priority as the sampler
  }
}
lowerPriority();

const store = new ReadOnlyStore(cfg.dbFile);
const gauges = new StoreGauges(() => store.get(), cfg.store);
let sizesDue = 0;
const unpacker = new TickUnpacker();
const say = (what: string, e: unknown) => post({ type: 'log', message: `store metrics: ${what}${messageOf(e)}` });

/** The store's view for a render; without it when the database cannot be read (said once by the log). */
function view(): StoreView | undefined {
  try {
    return gauges.view();
  } catch (e) {
    say('', e);
    return undefined;
  }
}

const cache = new TickCache(view);

function measureSizes(): void {
  try {
    const s = gauges.measure();
    if (s !== null) post({ type: 'sizes', at: s.measuredAt });
  } catch (e) {
    say('sizes not measured: ', e);
  }
}

const server = new StatsServer({
  tick: cache,
  store,
  allowHosts: cfg.allowHosts,
  hostname: os.hostname(),
  ...(cfg.limits !== undefined ? { limits: cfg.limits } : {}),
  log: (message) => post({ type: 'log', message }),
});

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'tick': {
      const t = unpacker.unpack(m);
      gauges.cut = t.cutTiers;
      store.expect(t.storeFile);
      cache.update(exportInputOf(t));
      post({ type: 'ticked', ticks: t.ticks, renders: cache.renders });
      // Sizes after the requests already waiting: dbstat holds this thread ~1 s per GB.
      if (performance.now() >= sizesDue) {
        sizesDue = performance.now() + cfg.sizesEveryMs;
        setImmediate(measureSizes);
      }
      return;
    }
    case 'refresh-sizes':
      measureSizes();
      return;
    case 'hold':
      Atomics.wait(m.flag, 0, 0);
      return;
    case 'close':
      void server.close().then(() => {
        store.close();
        post({ type: 'closed' });
        port.close();
      });
      return;
  }
});

server.listen(cfg.listen).then(
  (at) => post({ type: 'listening', host: at.host, port: at.port }),
  (e: unknown) => {
    post({ type: 'listen-error', message: messageOf(e) });
    port.close();
  },
);
