// Times and durations on the command line and in the HTTP API: a duration ago, now, or an ISO 8601
// date; anything else is refused (Date.parse alone reads "12" as December 2001, "100" as the year 100).
import t from 'tap';
import { parseTime, timeRange } from '../../src/common/time.js';

const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);

t.test('durations ago, now, ISO 8601 dates', async (t) => {
  t.equal(parseTime('now', '--since', NOW), NOW);
  t.equal(parseTime('1h', '--since', NOW), NOW - 3_600_000);
  t.equal(parseTime('90s', '--since', NOW), NOW - 90_000);
  t.equal(parseTime('2026-11-22', '--since', NOW), Date.UTC(2026, 10, 22));
  t.equal(parseTime('2026-11-22T10:00:00Z', '--since', NOW), Date.UTC(2026, 10, 22, 10));
  t.equal(parseTime('2026-11-22T10:00:00.123+01:00', '--since', NOW), Date.UTC(2026, 10, 22, 9, 0, 0, 123));
});

t.test('bare numbers and other text are not times', async (t) => {
  for (const s of [
    '0',
    '12',
    '60',
    '100',
    '3600',
    '12.5',
    'x 1',
    '1700000000',
    'yesterday',
    '2026',
    '22/11/2026',
    '',
    '2026-02-30',
    '2026-13-01',
    '2026-11-22T24:00:00Z',
    '2026-11-22T10:60',
  ])
    t.throws(
      () => parseTime(s, '--since', NOW),
      { name: 'UsageError', message: `--since: not a time: '${s}' (e.g. 1h, 2026-11-22T10:00:00Z)` },
      JSON.stringify(s),
    );
});

t.test('spans of more than a century are refused, as times ago and as steps', async (t) => {
  t.equal(parseTime('100y', '--since', NOW), NOW - 100 * 365 * 86_400_000, 'a century ago is a time');
  for (const s of ['101y', '36501d', '99999999999999999999999d'])
    t.throws(() => parseTime(s, 'since', NOW), { name: 'UsageError', message: `since: '${s}' is longer than 100 years` }, s);
  t.throws(() => timeRange('1h', undefined, '1000000d', NOW, { since: 'since', until: 'until', step: 'step' }), {
    name: 'UsageError',
    message: "step: '1000000d' is longer than 100 years",
  });
  t.same(timeRange('1h', 'now', '1d', NOW), { since: NOW - 3_600_000, until: NOW, stepS: 86_400 });
});

t.test('a date-time without a zone is UTC, as a date alone is and as domstat prints times, whatever TZ says', async (t) => {
  const tz = process.env.TZ;
  process.env.TZ = 'America/New_York';
  t.teardown(() => {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  });
  t.equal(new Date(2026, 11, 7).getTimezoneOffset(), 300, 'the test runs 5 h behind UTC');
  t.equal(parseTime('2026-12-07', '--since', NOW), Date.UTC(2026, 11, 7));
  t.equal(parseTime('2026-12-07T20:58:10', '--since', NOW), Date.UTC(2026, 11, 7, 20, 58, 10));
  t.equal(parseTime('2026-12-07 20:58', '--since', NOW), Date.UTC(2026, 11, 7, 20, 58));
  t.equal(parseTime('2026-12-07T20:58:10.5', '--since', NOW), Date.UTC(2026, 11, 7, 20, 58, 10, 500));
  t.equal(parseTime('2026-12-07T20:58:10-05:00', '--since', NOW), Date.UTC(2026, 11, 8, 1, 58, 10), 'a zone given is kept');
  t.equal(parseTime('2026-12-07T20:58-0500', '--since', NOW), Date.UTC(2026, 11, 8, 1, 58), 'and one without its colon');
  t.equal(parseTime('2026-12-07T20:58:10+0100', '--since', NOW), Date.UTC(2026, 11, 7, 19, 58, 10));
});
