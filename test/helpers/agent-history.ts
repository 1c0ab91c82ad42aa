// A history database built the way the agent builds it: Agent ticks over a fixture copy, with
// counters bumped by known amounts between ticks and tick times chosen by the test (exact rates).
import * as path from 'node:path';
import type { Test } from 'tap';
import { Agent } from '../../src/agent/agent.js';
import type { Io } from '../../src/common/io.js';
import { FakeClocks } from './store.js';

export interface BuiltHistory {
  dbFile: string;
  /** Unix ms of each tick. */
  times: number[];
  agent: Agent;
  log: string[];
}

export async function buildHistory(
  t: Test,
  root: string,
  opts: { ticks: number; stepMs: number; endMs?: number; bump: (k: number) => void; name?: string },
): Promise<BuiltHistory> {
  // Beside the tree, in its directory (t.testdir() again would wipe that directory).
  const dbFile = path.join(path.dirname(root), opts.name ?? 'history.db');
  const log: string[] = [];
  const io: Io = { out: (s) => void log.push(s), err: (s) => void log.push(s) };
  const end = opts.endMs ?? Date.now();
  const times = Array.from({ length: opts.ticks }, (_, k) => end - (opts.ticks - 1 - k) * opts.stepMs);
  const clocks = new FakeClocks(times[0]!);
  const agent = new Agent({ root, dbFile, intervalMs: opts.stepMs, quiet: true, io, clocks });
  await agent.open();
  let closed = false;
  t.teardown(async () => {
    if (!closed) await agent.close();
  });
  for (let k = 0; k < opts.ticks; k++) {
    if (k > 0) opts.bump(k);
    clocks.to(times[k]!);
    const r = agent.tick();
    if (!r.ok) throw new Error(`tick ${k} not stored: ${log.join('')}`);
  }
  await agent.close();
  closed = true;
  return { dbFile, times, agent, log };
}
