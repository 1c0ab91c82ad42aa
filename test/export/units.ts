// The chart formatting shared by `domstat plot` and the web page (units.ts, series-names.ts):
// which unit a series reads in, the axis ticks for a range of maxima, dates, and names.
import t from 'tap';
import { axis, formatTime, formatValue, niceStep, presentation, timePattern } from '../../src/export/units.js';
import { seriesName } from '../../src/export/series-names.js';

t.test('presentation: from the history unit and key', async (t) => {
  t.same(presentation('bytes/s', 'net.0.rx.bytes'), { family: 'bytes', scale: 1, unit: 'B/s' });
  t.same(presentation('bytes', 'block.0.capacity'), { family: 'bytes', scale: 1, unit: 'B' });
  t.same(presentation('KiB', 'balloon.current'), { family: 'bytes', scale: 1024, unit: 'B' }, 'KiB gauges read as bytes');
  t.same(presentation('ns/s', 'cpu.time'), { family: 'cores', scale: 1e-9, unit: 'cores' }, 'CPU time per second: cores');
  t.same(presentation('ns/s', 'vcpu.1.time'), { family: 'cores', scale: 1e-9, unit: 'cores' });
  t.same(presentation('ns/s', 'host.cpu.user'), { family: 'cores', scale: 1e-9, unit: 'cores' });
  t.same(presentation('ns/s', 'vcpu.1.wait'), { family: 'seconds', scale: 1e-9, unit: 's/s' }, 'waiting is not a core');
  t.same(presentation('ns/s', 'block.0.rd.times'), { family: 'seconds', scale: 1e-9, unit: 's/s' });
  t.same(presentation('ns', 'cpu.time'), { family: 'seconds', scale: 1e-9, unit: 's' }, 'CPU time itself: seconds');
  t.same(presentation('packets/s', 'net.0.rx.pkts'), { family: 'count', scale: 1, unit: 'packets/s' });
  t.same(presentation('requests', 'block.0.rd.reqs'), { family: 'count', scale: 1, unit: 'requests' });
  t.same(presentation('count/s', 'extra.io.syscr'), { family: 'count', scale: 1, unit: '/s' });
  t.same(presentation('enum', 'state.state'), { family: 'plain', scale: 1, unit: 'enum' });
  t.same(presentation('furlongs/s', 'new.key'), { family: 'plain', scale: 1, unit: 'furlongs/s' }, 'a unit added later reads as itself');
  // Times in other units (cgroup files count µs) read as seconds; only CPU time itself is cores.
  t.same(presentation('us/s', 'cpu.pressure.some'), { family: 'seconds', scale: 1e-6, unit: 's/s' }, 'stall time per second: not cores');
  t.same(presentation('ns/s', 'cpu.throttled'), { family: 'seconds', scale: 1e-9, unit: 's/s' }, 'throttled time: not cores');
  t.same(presentation('ms/s', 'block.0.rd.times'), { family: 'seconds', scale: 1e-3, unit: 's/s' });
  t.same(presentation('us/s', 'cpu.user'), { family: 'cores', scale: 1e-6, unit: 'cores' });
  t.same(presentation('s', 'uptime'), { family: 'seconds', scale: 1, unit: 's' });
});

t.test('formatValue: one value with its own prefix, three significant digits or fewer', async (t) => {
  const cases: [number | null, string, string, string][] = [
    [0, 'bytes/s', 'net.0.rx.bytes', '0 B/s'],
    [512, 'bytes/s', 'net.0.rx.bytes', '512 B/s'],
    [1023, 'bytes/s', 'net.0.rx.bytes', '1023 B/s'],
    [1536, 'bytes/s', 'net.0.rx.bytes', '1.50 KiB/s'],
    [51_200, 'bytes/s', 'net.0.rx.bytes', '50.0 KiB/s'],
    [123.4 * 1024 ** 2, 'bytes', 'block.0.capacity', '123 MiB'],
    [4004096 * 1024, 'bytes', 'balloon.rss', '3.82 GiB'],
    [0.5, 'bytes/s', 'net.0.rx.bytes', '0.500 B/s'],
    [1234, 'packets/s', 'net.0.rx.pkts', '1.23k packets/s'],
    [42, 'requests/s', 'block.0.rd.reqs', '42.0 requests/s'],
    [2.5e6, 'count/s', 'extra.io.syscr', '2.50M/s'],
    [0.253e9, 'ns/s', 'cpu.time', '0.253 cores'],
    [0.0042e9, 'ns/s', 'vcpu.0.wait', '0.00420 s/s'],
    [12e9, 'ns/s', 'cpu.time', '12.0 cores'],
    [-1536, 'bytes', 'x', '-1.50 KiB'],
    [null, 'bytes/s', 'net.0.rx.bytes', ''],
    [NaN, 'bytes/s', 'net.0.rx.bytes', ''],
  ];
  for (const [v, unit, key, text] of cases) {
    const p = presentation(unit, key);
    t.equal(formatValue(v === null ? null : v * p.scale, p), text, `${v} ${unit} (${key})`);
  }
});

t.test('niceStep: 1, 2 or 5 times a power of ten', async (t) => {
  t.same([0.07, 0.1, 0.11, 0.39, 1, 1.5, 2.01, 4.9, 7, 10, 333].map(niceStep), [0.1, 0.1, 0.2, 0.5, 1, 2, 5, 5, 10, 10, 500]);
});

t.test('axis: binary byte units, SI counts, cores; top tick at or above the maximum', async (t) => {
  const B = presentation('bytes/s', 'net.0.rx.bytes');
  const cases: [number, string[], number][] = [
    [0, ['0 B/s', '1 B/s'], 1],
    [7, ['0 B/s', '2 B/s', '4 B/s', '6 B/s', '8 B/s'], 1],
    [900, ['0 B/s', '200 B/s', '400 B/s', '600 B/s', '800 B/s', '1000 B/s'], 1],
    [1000, ['0 B/s', '200 B/s', '400 B/s', '600 B/s', '800 B/s', '1000 B/s'], 1],
    // 1010 B/s would need a 1200 B/s top tick: read in KiB/s instead.
    [1010, ['0.0 KiB/s', '0.2 KiB/s', '0.4 KiB/s', '0.6 KiB/s', '0.8 KiB/s', '1.0 KiB/s'], 1024],
    [2000, ['0.0 KiB/s', '0.5 KiB/s', '1.0 KiB/s', '1.5 KiB/s', '2.0 KiB/s'], 1024],
    [51_200, ['0 KiB/s', '10 KiB/s', '20 KiB/s', '30 KiB/s', '40 KiB/s', '50 KiB/s'], 1024],
    [3 * 1024 ** 3, ['0 GiB/s', '1 GiB/s', '2 GiB/s', '3 GiB/s'], 1024 ** 3],
    // Past the largest unit the numbers grow: 1 EiB/s reads in PiB/s.
    [2 ** 60, ['0 PiB/s', '500 PiB/s', '1000 PiB/s', '1500 PiB/s'], 1024 ** 5],
  ];
  for (const [max, labels, divisor] of cases) {
    const a = axis(max, B);
    t.same(a.labels, labels, `${max} B/s`);
    t.equal(a.divisor, divisor, `${max} B/s: divisor`);
    t.ok(a.ticks[a.ticks.length - 1]! >= max, `${max} B/s: the top tick covers it`);
    t.same(
      a.ticks.map((x) => Number((x / a.divisor).toPrecision(12))),
      a.labels.map((l) => Number(l.split(' ')[0])),
      `${max} B/s: tick positions are the labels' numbers in the unit`,
    );
  }
  t.same(axis(1500, presentation('packets/s', 'net.0.rx.pkts')).labels, ['0.0k packets/s', '0.5k packets/s', '1.0k packets/s', '1.5k packets/s']);
  t.same(axis(42, presentation('requests/s', 'block.0.rd.reqs')).labels, [
    '0 requests/s',
    '10 requests/s',
    '20 requests/s',
    '30 requests/s',
    '40 requests/s',
    '50 requests/s',
  ]);
  t.same(axis(2.4e6, presentation('count/s', 'extra.io.syscr')).labels, ['0.0M/s', '0.5M/s', '1.0M/s', '1.5M/s', '2.0M/s', '2.5M/s']);
  t.same(axis(0.245, presentation('ns/s', 'cpu.time')).labels, ['0.00 cores', '0.05 cores', '0.10 cores', '0.15 cores', '0.20 cores', '0.25 cores']);
  t.same(axis(12, presentation('ns/s', 'cpu.time')).labels, ['0 cores', '5 cores', '10 cores', '15 cores'], 'cores never take prefixes');
  t.same(axis(NaN, B).labels, ['0 B/s', '1 B/s'], 'no finite value: a unit axis');
});

t.test('times: ISO-style UTC, seconds only for short ranges', async (t) => {
  const ms = Date.UTC(2026, 11, 7, 14, 5, 9, 700);
  t.equal(formatTime(ms), '2026-12-07 14:05');
  t.equal(formatTime(ms, timePattern(9 * 60_000)), '2026-12-07 14:05:09');
  t.equal(formatTime(ms, timePattern(10 * 60_000)), '2026-12-07 14:05');
  t.equal(formatTime(Date.UTC(1999, 0, 2, 3, 4, 5)), '1999-01-02 03:04');
});

t.test('seriesName: readable names from the key and device', async (t) => {
  const cases: [string, string | null, string][] = [
    ['cpu.time', null, 'CPU'],
    ['cpu.user', null, 'CPU user'],
    ['balloon.rss', null, 'memory resident (RSS)'],
    ['balloon.current', null, 'memory (balloon)'],
    ['net.0.rx.bytes', 'vnet0', 'vnet0 received'],
    ['net.0.tx.bytes', 'vnet0', 'vnet0 sent'],
    ['net.1.rx.pkts', 'vif3.1', 'vif3.1 packets received'],
    ['net.vif3.0.tx.drop', 'vif3.0', 'vif3.0 send drops'],
    ['net.2.rx.errs', null, 'interface 2 receive errors'],
    ['block.0.rd.bytes', 'vda', 'vda read'],
    ['block.1.wr.bytes', 'xvdb', 'xvdb written'],
    ['block.0.wr.reqs', 'vda', 'vda write requests'],
    ['block.0.fl.times', 'vda', 'vda flush time'],
    ['block.0.capacity', 'sda', 'sda capacity'],
    ['extra.block.0.discard.reqs', 'xvda', 'xvda discards'],
    ['vcpu.1.wait', null, 'vCPU 1 wait'],
    ['extra.io.read_bytes', null, 'process read from storage'],
    ['host.cpu.iowait', null, 'host CPU iowait'],
    ['host.mem.available', null, 'host memory available'],
    ['host.swap.free', null, 'host swap free'],
    ['cgroup.io.0.wr.bytes', 'sda', 'sda written (cgroup)'],
    ['cgroup.io.1.dc.reqs', '253:3', '253:3 discard requests (cgroup)'],
    ['cgroup.io.2.rd.reqs', null, 'host device 2 read requests (cgroup)'],
    ['cgroup.numa.0.anon', 'node0', 'node0 anonymous'],
    ['cgroup.numa.1.file', 'node1', 'node1 page cache'],
    ['net.0.rx.bytes', 'eth0', 'eth0 received'],
    ['some.new.key', null, 'some.new.key'],
    ['net.0.rx.newthing', 'vnet0', 'net.0.rx.newthing (vnet0)'],
  ];
  for (const [key, dev, name] of cases) t.equal(seriesName(key, dev), name, `${key}${dev === null ? '' : ` on ${dev}`}`);
});
