// The agent's clocks. Intervals (a tick's dt, which every rate divides by) come from the monotonic
// clock, which never steps. Tick times come from the wall clock, guarded so they never go back and
// never leap on a transient step:
//   - within TOLERANCE_MS of where the monotonic clock says it should be: the wall clock;
//   - ahead by more (a step forward): the monotonic clock's time, until the wall clock has held its
//     new offset for CONFIRM_MS (then it is believed: a correction, e.g. by NTP);
//   - behind (a step back): never back; the time advances at half the monotonic pace until the
//     wall clock catches up.
// Each step is reported once, and a step forward that comes to be believed is told to the store
// (onBelieved), whose retention ages what came before it by the history's own time. The monotonic
// clock is CLOCK_MONOTONIC (system-wide since boot), so an agent restarted on the same boot
// continues the intervals of the one before — when they are plausible: on one boot the monotonic
// clock never goes back, and it cannot have run further than the wall clock since the last
// stored tick unless one of them was moved. A time namespace or a restored container moves the
// monotonic clock (an interval from it stamped ticks days ahead, and retention then deleted the
// history); a step while the agent was stopped moves the wall clock. Not knowing which, the first
// tick then has no interval and its time is the wall clock's, at least half an interval after the
// last stored tick. Nor can such a restart tell a long stop from a wall clock set ahead (a reboot
// onto a bad hardware clock, before NTP): when the wall clock is more than GAP_STEP_MS past the
// last stored tick, the gap is told to the store as a step forward, so that a clock set days ahead
// deletes nothing; after a real stop of that length, what came before it is kept that much longer.

import * as fs from 'node:fs';

export interface Clocks {
  /** Wall clock, Unix ms. */
  wall(): number;
  /** Monotonic clock, whole ms. */
  mono(): number;
  /** An identity of this boot of the host (the monotonic clock restarts with it); null when unknown. */
  bootId(): string | null;
}

export const systemClocks: Clocks = {
  wall: () => Date.now(),
  mono: () => Number(process.hrtime.bigint() / 1_000_000n),
  bootId: () => {
    try {
      return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim() || null;
    } catch {
      return null;
    }
  },
};

export const TOLERANCE_MS = 2000;
export const CONFIRM_MS = 60_000;
/** A restart's gap past the last stored tick that is told to the store as a step (see above); a reboot is shorter. */
export const GAP_STEP_MS = 10 * 60_000;

export interface TickTime {
  ts: number;
  mono: number;
  /** ms since the previous tick by the monotonic clock; null when there is none on this boot. */
  dt: number | null;
}

export interface LastTick {
  ts: number;
  mono: number;
  /** The boot it was taken on (null: unknown, as in a database made before this was kept). */
  boot: string | null;
}

export class TickClock {
  private last: { ts: number; mono: number } | null;
  private readonly boot: string | null;
  /** A step forward not believed yet: its offset, and since when (monotonic) the wall clock has held it. */
  private ahead: { offset: number; since: number } | null = null;
  /** How far the wall clock was behind the ticks at the last tick, while it is (null: it is not). */
  private behindBy: number | null = null;

  constructor(
    private readonly clocks: Clocks,
    last: LastTick | null,
    private readonly report: (message: string) => void,
    private readonly onBelieved: (step: { at: number; jumpMs: number }) => void = () => {},
    /** The least time between two tick times when no interval can be trusted (half the agent's interval). */
    private readonly minGapMs = 1,
  ) {
    this.boot = clocks.bootId();
    // Intervals continue from the last stored tick only on the same boot (the monotonic clock restarted otherwise).
    const sameBoot = last !== null && last.boot !== null && last.boot === this.boot && last.mono === last.mono;
    this.last = sameBoot && this.plausible(last) ? { ts: last.ts, mono: last.mono } : null;
    if (last !== null && this.last === null) this.lastTs = last.ts;
  }

  /** The monotonic clock's reading now agrees with the last tick's on this boot (see above); said once when not. */
  private plausible(last: LastTick): boolean {
    const ran = this.clocks.mono() - last.mono;
    const wallRan = this.clocks.wall() - last.ts;
    if (ran >= 0 && ran <= wallRan + TOLERANCE_MS) return true;
    this.report(
      `the monotonic clock ${ran < 0 ? `is ${(-ran / 1000).toFixed(1)} s behind` : `ran ${((ran - wallRan) / 1000).toFixed(1)} s further than the wall clock since`} the history's last tick ` +
        '(the wall clock was stepped back, or the monotonic clock moved: a time namespace, a restored container): intervals start afresh',
    );
    return false;
  }

  /** The time of the newest stored tick, when intervals cannot continue from it. */
  private lastTs = -Infinity;

  get bootId(): string | null {
    return this.boot;
  }

  /** The monotonic time of the last stored tick, when it was taken on this boot (null otherwise). */
  get lastMono(): number | null {
    return this.last?.mono ?? null;
  }

  /** The time of a tick taken now. */
  next(): TickTime {
    const wall = this.clocks.wall();
    const mono = this.clocks.mono();
    const last = this.last;
    let ts: number;
    let dt: number | null = null;
    if (last === null || mono <= last.mono) {
      // No interval to go by: the wall clock, but never before a stored tick.
      const floor = Math.max(this.lastTs, last?.ts ?? -Infinity) + Math.max(1, Math.floor(this.minGapMs));
      if (wall < floor && floor > -Infinity) {
        // Said once: the next tick finds the wall clock this far behind already.
        if (this.behindBy === null || floor - wall > this.behindBy + TOLERANCE_MS)
          this.report(`the wall clock is ${((floor - wall) / 1000).toFixed(1)} s behind the history's last tick; tick times continue from that tick`);
        this.behindBy = floor - wall;
      }
      ts = Math.max(wall, floor);
      const gap = wall - this.lastTs;
      if (last === null && this.lastTs > -Infinity && gap > GAP_STEP_MS) {
        this.report(
          `the wall clock is ${(gap / 3_600_000).toFixed(1)} h past the history's last tick: a long stop, or a clock set ahead, which a restart cannot tell apart; ` +
            'the history before it ages by the time the agent ran, so a clock set ahead deletes nothing',
        );
        this.onBelieved({ at: ts, jumpMs: gap });
      }
    } else {
      dt = mono - last.mono;
      const expected = last.ts + dt;
      const offset = wall - expected;
      if (offset > TOLERANCE_MS) {
        if (this.ahead === null || Math.abs(offset - this.ahead.offset) > TOLERANCE_MS) {
          this.report(
            `the wall clock stepped forward ${this.ahead === null ? 'by' : 'again, now'} ${(offset / 1000).toFixed(1)} s${this.ahead === null ? '' : ' ahead of the ticks'}; ` +
              `tick times follow the monotonic clock until the new time holds for ${CONFIRM_MS / 1000} s`,
          );
          this.ahead = { offset, since: mono };
        }
        if (mono - this.ahead.since >= CONFIRM_MS) {
          this.report(`the wall clock has held its step forward for ${CONFIRM_MS / 1000} s: tick times follow it again`);
          this.ahead = null;
          ts = wall;
          this.onBelieved({ at: ts, jumpMs: offset });
        } else ts = expected;
      } else if (offset < -TOLERANCE_MS) {
        this.cameBack();
        // A new step back, or one further back while the last is still being caught up with.
        if (this.behindBy === null || -offset > this.behindBy + TOLERANCE_MS)
          this.report(
            `the wall clock stepped back ${this.behindBy === null ? 'by' : 'again, now'} ${(-offset / 1000).toFixed(1)} s${this.behindBy === null ? '' : ' behind the ticks'}; ` +
              'tick times never go back: they slow down until the wall clock catches up',
          );
        this.behindBy = -offset;
        ts = Math.max(wall, last.ts + Math.max(1, Math.floor(dt / 2)));
      } else {
        this.cameBack();
        this.behindBy = null;
        // Within the tolerance, a small step back (NTP's) still never packs two tick times closer
        // than half their interval.
        ts = Math.max(wall, last.ts + Math.max(1, Math.floor(dt / 2)));
      }
    }
    this.last = { ts, mono };
    return { ts, mono, dt };
  }

  /** A step forward that did not hold is over. */
  private cameBack(): void {
    if (this.ahead !== null) this.report('the wall clock came back from its step forward');
    this.ahead = null;
  }

  /** The stored time of the last tick, after it has been written. */
  get lastTickTs(): number | null {
    return this.last?.ts ?? (this.lastTs > -Infinity ? this.lastTs : null);
  }
}
