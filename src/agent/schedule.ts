// When ticks happen: on slots start + k * interval of the monotonic clock (no drift). A tick that
// overruns skips the slots it missed rather than bunching them, and two ticks are never closer than
// half an interval, even when a timer wakes early. A clock that went back (CLOCK_MONOTONIC never
// does; a faked one, e.g. under faketime, can) starts the slots again from the tick that saw it,
// rather than waiting for slots that lie ahead by however far it went back. Pure: the caller
// passes the clock's readings.

export class Schedule {
  private slot = 0;
  private lastStart = -Infinity;

  constructor(
    readonly intervalMs: number,
    private start: number,
  ) {}

  /** The monotonic time a slot is due. */
  at(slot: number): number {
    return this.start + slot * this.intervalMs;
  }

  /**
   * A tick started at `startedAt` and ended at `now`: when the next one is due, and how many slots
   * were skipped because the tick ran past them.
   */
  next(startedAt: number, now: number): { at: number; skipped: number } {
    if (startedAt < this.lastStart || this.at(this.slot) > startedAt + this.intervalMs) {
      this.start = startedAt;
      this.slot = 0;
    }
    this.lastStart = startedAt;
    let next = this.slot + 1;
    let skipped = 0;
    // Slots that passed while this tick ran are skipped, not caught up.
    while (this.at(next) <= now) {
      next++;
      skipped++;
    }
    this.slot = next;
    const at = Math.max(this.at(next), this.lastStart + this.intervalMs / 2);
    return { at, skipped };
  }
}
