// A simulated host's history, written the way the agent writes it, on virtual clocks: the agent
// ticks every stepMs of simulated time while the simulator advances by the same, so half an hour
// of history takes a few seconds and is the same at every run.
import * as path from 'node:path';
import type { Test } from 'tap';
import { createSimHost, type SimHost, type SimKind } from '../../src/sim/simulate.js';
import { buildHistory, type BuiltHistory } from './agent-history.js';
import { MEMORY_TMP, privateDir } from './moving.js';

export async function simHistory(
  t: Test,
  opts: { kind: SimKind; domains: number; ticks: number; stepMs: number; endMs?: number },
): Promise<BuiltHistory & { sim: SimHost; dir: string }> {
  const dir = privateDir(t, MEMORY_TMP); // the simulated host's files: in memory where possible
  const sim = createSimHost({ dir: path.join(dir, 'host'), domains: opts.domains, kind: opts.kind, maxOpenFiles: 256 });
  t.teardown(() => sim.close());
  const h = await buildHistory(t, sim.dir, {
    ticks: opts.ticks,
    stepMs: opts.stepMs,
    ...(opts.endMs === undefined ? {} : { endMs: opts.endMs }),
    bump: () => sim.advance(opts.stepMs / 1000),
  });
  return { ...h, sim, dir };
}
