// A flood of HTTP clients on a thread of its own (so the thread under test does no client work):
// `concurrency` loops, each asking for the next of `paths` over and over until told to stop; then
// it posts how many answers came with each status, and how many requests failed outright.
import { parentPort, workerData } from 'node:worker_threads';

const { base, concurrency, paths } = workerData as { base: string; concurrency: number; paths: string[] };
let stop = false;
const counts: Record<string, number> = {};
parentPort!.once('message', () => (stop = true));

async function loop(k: number): Promise<void> {
  for (let i = k; !stop; i++) {
    try {
      const r = await fetch(base + paths[i % paths.length]!);
      await r.arrayBuffer();
      counts[r.status] = (counts[r.status] ?? 0) + 1;
    } catch {
      counts.failed = (counts.failed ?? 0) + 1;
    }
    if (i === k) parentPort!.postMessage({ started: k });
  }
}

await Promise.all(Array.from({ length: concurrency }, (_, k) => loop(k)));
parentPort!.postMessage({ counts });
