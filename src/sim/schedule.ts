// When a running simulator moves its counters. A reader that samples every T seconds sees the
// counters as of the simulator's last update, so its rate is off by at most (update interval +
// the timer's lateness) / T: updating once per T, as the simulator did, made a 1 s reader see 0
// or twice the rate whenever its instants fell near the updates. Updating many times per T keeps
// every reader's rate smooth wherever its instants fall (an error of at most 10 % over 1 s at the
// default 0.1 s, 1 % over 10 s). Each update advances the counters by the time that really
// passed since the previous one, so rates are per second of the clock whatever the timer's
// lateness; updates sit on a fixed grid, and slots missed by a slow update are skipped.
// The clock is the caller's (performance.now() in the CLI, numbers in tests).

import type { SimHost } from './simulate.js';
import { UsageError } from '../common/errors.js';

export class SimSchedule {
  private last: number;
  private slot = 0;

  constructor(
    private readonly sim: Pick<SimHost, 'advance'>,
    readonly intervalMs: number,
    private readonly startMs: number,
  ) {
    if (!(intervalMs > 0)) throw new UsageError('the update interval must be positive');
    this.last = startMs;
  }

  /** When the next update is due. */
  get nextMs(): number {
    return this.startMs + (this.slot + 1) * this.intervalMs;
  }

  /** Advances the counters to `nowMs` if an update is due (or `force`); whether it did. */
  update(nowMs: number, force = false): boolean {
    if (nowMs < this.nextMs && !force) return false;
    if (nowMs > this.last) this.sim.advance((nowMs - this.last) / 1000);
    this.last = Math.max(this.last, nowMs);
    this.slot = Math.max(this.slot, Math.floor((nowMs - this.startMs) / this.intervalMs));
    return true;
  }
}
