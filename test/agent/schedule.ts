// The tick schedule, pure: slots on the monotonic clock, missed slots skipped, never two ticks
// closer than half an interval, and a clock that went back (a faked one) does not stall it.
import t from 'tap';
import { Schedule } from '../../src/agent/schedule.js';

t.test('slots, skips and the half-interval floor', async (t) => {
  const s = new Schedule(1000, 10_000);
  t.strictSame(s.next(10_000, 10_050), { at: 11_000, skipped: 0 }, 'the next slot');
  t.strictSame(s.next(11_000, 13_500), { at: 14_000, skipped: 2 }, 'a tick that ran 2.5 s skips two slots');
  t.strictSame(s.next(13_999, 14_010), { at: 15_000, skipped: 0 }, 'a timer that woke a millisecond early');
  t.strictSame(s.next(14_900, 14_910), { at: 16_000, skipped: 0 }, 'never before half an interval after the last tick');
});

t.test('a clock that went back an hour: the next tick is an interval away, not an hour', async (t) => {
  const s = new Schedule(1000, 3_600_000);
  s.next(3_600_000, 3_600_010);
  s.next(3_601_000, 3_601_010);
  const back = s.next(1_000, 1_010);
  t.strictSame(back, { at: 2_000, skipped: 0 }, 'slots start again from the tick that saw it');
  t.strictSame(s.next(2_000, 2_010), { at: 3_000, skipped: 0 }, 'and go on from there');
});
