// The cgroup files of domstat's own groups (pressure, cgroup memory, CPU throttling, cgroup I/O,
// NUMA) and /sys/dev/block/MAJ:MIN/uevent: every field a distinct value, and bad input refused
// with a clear message.
import t, { type Test } from 'tap';
import { parseCgroupPressure } from '../../src/kernel/cgroup-pressure.js';
import { parseMemoryEvents, parseMemorySingle, parseMemoryStat, parseOomControl, V1_STAT_FIELDS, V2_STAT_FIELDS } from '../../src/kernel/cgroup-memory.js';
import { CPU_THROTTLE_V1_FIELDS, CPU_THROTTLE_V2_FIELDS, parseCpuThrottle } from '../../src/kernel/cgroup-cpu-stat.js';
import { blkioAsIoStat, parseBlkio, parseIoStat } from '../../src/kernel/cgroup-io.js';
import { parseNumaStat } from '../../src/kernel/cgroup-numa.js';
import { parseBlockUevent } from '../../src/kernel/sys-dev-block-uevent.js';

const S = 'src';
const refused = (t: Test, fn: () => unknown, message: RegExp, name: string) => t.throws(fn, { name: 'ParseError', code: 'PARSE', message }, name);

t.test('*.pressure', async (t) => {
  const text = 'some avg10=1.50 avg60=0.75 avg300=0.10 total=1001\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=1002\n';
  t.strictSame(parseCgroupPressure(text, S), { some: 1001n, full: 1002n });
  t.strictSame(parseCgroupPressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=7\n', S), { some: 7n }, 'some without full: full is missing');
  t.strictSame(
    parseCgroupPressure('full total=2\nsome total=18446744073709551615\nnew total=3\n', S),
    { some: 18446744073709551615n, full: 2n },
    'any order, other lines skipped',
  );
  refused(t, () => parseCgroupPressure('', S), /src: empty/, 'empty');
  refused(t, () => parseCgroupPressure('some avg10=0.00 total=12\nfull avg10=0.00 total=1', S), /truncated/, 'cut short');
  refused(t, () => parseCgroupPressure('full total=1\n', S), /no "some" line/, 'no some');
  refused(t, () => parseCgroupPressure('some total=1\nsome total=2\n', S), /"some" line repeated/, 'repeated');
  refused(t, () => parseCgroupPressure('some avg10=0.00\n', S), /has no total/, 'no total');
  refused(t, () => parseCgroupPressure('some total=1 total=2\n', S), /more than one total/, 'two totals');
  refused(t, () => parseCgroupPressure('some total=18446744073709551616\n', S), /exceeds 2\^64-1/, 'past u64');
  refused(t, () => parseCgroupPressure('some total=-1\n', S), /not an unsigned decimal/, 'negative');
});

t.test('memory.stat v2 and v1, memory.events, memory.oom_control, one-number files', async (t) => {
  const v2 = V2_STAT_FIELDS.map((f, i) => `${f} ${101 + i}\n`).join('') + 'kernel_stack 999\n';
  t.strictSame(parseMemoryStat(v2, V2_STAT_FIELDS, S), Object.fromEntries(V2_STAT_FIELDS.map((f, i) => [f, BigInt(101 + i)])));
  t.strictSame(parseMemoryStat('anon 5\nfile 6\n', V2_STAT_FIELDS, S), { anon: 5n, file: 6n }, 'an older kernel: fewer keys, the rest absent');
  const v1 = V1_STAT_FIELDS.map((f, i) => `${f.slice('total_'.length)} ${i + 1}\n`).join('') + V1_STAT_FIELDS.map((f, i) => `${f} ${201 + i}\n`).join('');
  t.strictSame(parseMemoryStat(v1, V1_STAT_FIELDS, S), Object.fromEntries(V1_STAT_FIELDS.map((f, i) => [f, BigInt(201 + i)])), 'v1 reads total_* only');
  refused(t, () => parseMemoryStat('anon 5\nfile 6', V2_STAT_FIELDS, S), /truncated \(no final newline\)/, 'a memory.stat cut short');
  refused(t, () => parseMemoryStat('anon 5\nanon 6\n', V2_STAT_FIELDS, S), /key anon repeated/, 'repeated');
  refused(t, () => parseMemoryStat('anon x\n', V2_STAT_FIELDS, S), /not an unsigned decimal/, 'garbage');
  t.strictSame(parseMemoryEvents('low 1\nhigh 2\nmax 3\noom 4\noom_kill 5\noom_group_kill 6\n', S), { low: 1n, high: 2n, max: 3n, oom: 4n, oom_kill: 5n });
  t.strictSame(parseOomControl('oom_kill_disable 0\nunder_oom 1\noom_kill 9\n', S), { oom_kill: 9n });
  refused(t, () => parseOomControl('oom_kill_disable 0\nunder_oom 1\n', S), /none of oom_kill found/, 'a kernel before 4.13 has no oom_kill');
  t.strictSame(parseMemorySingle('123456789\n', S), { value: 123456789n });
  refused(t, () => parseMemorySingle('max\n', S), /not an unsigned decimal/, 'memory.max-like text');
});

t.test('cpu.stat throttling', async (t) => {
  const v2 = 'usage_usec 1\nuser_usec 2\nsystem_usec 3\nnr_periods 11\nnr_throttled 12\nthrottled_usec 13\nnr_bursts 14\nburst_usec 15\n';
  t.strictSame(parseCpuThrottle(v2, CPU_THROTTLE_V2_FIELDS, S), { nr_periods: 11n, nr_throttled: 12n, throttled_usec: 13n });
  t.strictSame(parseCpuThrottle('usage_usec 1\nuser_usec 2\nsystem_usec 3\n', CPU_THROTTLE_V2_FIELDS, S), {}, 'no cpu controller: none');
  t.strictSame(parseCpuThrottle('nr_periods 21\nnr_throttled 22\nthrottled_time 23\n', CPU_THROTTLE_V1_FIELDS, S), {
    nr_periods: 21n,
    nr_throttled: 22n,
    throttled_time: 23n,
  });
  refused(t, () => parseCpuThrottle('nr_periods 1 2\n', CPU_THROTTLE_V1_FIELDS, S), /malformed line/, 'malformed');
});

t.test('io.stat and blkio.throttle', async (t) => {
  const io = '8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=5 dios=6\n253:3 rbytes=11 wbytes=12 rios=13 wios=14 dbytes=15 dios=16 cost.usage=9\n';
  t.strictSame(parseIoStat(io, S), [
    { major: 8, minor: 0, fields: { rbytes: 1n, wbytes: 2n, rios: 3n, wios: 4n, dbytes: 5n, dios: 6n } },
    { major: 253, minor: 3, fields: { rbytes: 11n, wbytes: 12n, rios: 13n, wios: 14n, dbytes: 15n, dios: 16n } },
  ]);
  t.strictSame(parseIoStat('', S), [], 'no I/O yet: no devices');
  t.strictSame(parseIoStat('8:0 rbytes=1 wbytes=2\n', S), [{ major: 8, minor: 0, fields: { rbytes: 1n, wbytes: 2n } }], 'an older kernel: no discards');
  refused(t, () => parseIoStat('8:0 rbytes=1 wbytes=2', S), /truncated/, 'cut short');
  refused(t, () => parseIoStat('8:0 rbytes=1\n8:0 rbytes=2\n', S), /device 8:0 repeated/, 'device repeated');
  refused(t, () => parseIoStat('sda rbytes=1\n', S), /not a MAJ:MIN device/, 'not a device');
  refused(t, () => parseIoStat('8:0 rbytes\n', S), /not a key=value pair/, 'no value');
  const bytes =
    '8:0 Read 101\n8:0 Write 102\n8:0 Sync 103\n8:0 Async 104\n8:0 Discard 105\n8:0 Total 106\n8:16 Read 111\n8:16 Write 112\n8:16 Total 113\nTotal 200\n';
  const ios = '8:0 Read 121\n8:0 Write 122\n8:0 Sync 123\n8:0 Async 124\n8:0 Discard 125\n8:0 Total 126\nTotal 300\n';
  t.strictSame(blkioAsIoStat(bytes, ios, 'b', 'i'), [
    { major: 8, minor: 0, fields: { rbytes: 101n, wbytes: 102n, dbytes: 105n, rios: 121n, wios: 122n, dios: 125n } },
    { major: 8, minor: 16, fields: { rbytes: 111n, wbytes: 112n } },
  ]);
  t.strictSame(blkioAsIoStat('Total 0\n', 'Total 0\n', 'b', 'i'), [], 'no I/O (the lab host): no devices');
  refused(t, () => parseBlkio('8:0 Read 1\n', S), /no grand Total line/, 'cut before the total');
  refused(t, () => parseBlkio('8:0 Fly 1\nTotal 1\n', S), /unknown operation "Fly"/, 'unknown operation');
  refused(t, () => parseBlkio('8:0 Read 1\n8:0 Read 2\nTotal 1\n', S), /8:0 Read repeated/, 'repeated');
});

t.test('memory.numa_stat', async (t) => {
  const v2 = 'anon N0=4096 N1=8192\nfile N0=12288 N1=16384\nkernel_stack N0=1 N1=2\n';
  t.strictSame(parseNumaStat(v2, false, S), [
    { node: 0, fields: { anon: 4096n, file: 12288n } },
    { node: 1, fields: { anon: 8192n, file: 16384n } },
  ]);
  const v1 =
    'total=9 N0=5 N2=4\nfile=1 N0=1 N2=0\nanon=8 N0=4 N2=4\nhierarchical_total=90 N0=50 N2=40\nhierarchical_file=31 N0=11 N2=20\nhierarchical_anon=59 N0=39 N2=20\n';
  t.strictSame(parseNumaStat(v1, true, S), [
    { node: 0, fields: { file: 11n, anon: 39n } },
    { node: 2, fields: { file: 20n, anon: 20n } },
  ]);
  refused(t, () => parseNumaStat('anon N0=1\nfile N0=2', false, S), /truncated/, 'cut short');
  refused(t, () => parseNumaStat('anon N0=1 X\n', false, S), /not a node value/, 'garbage');
  refused(t, () => parseNumaStat('kernel N0=1\n', false, S), /none of anon, file found/, 'nothing wanted');
});

t.test('/sys/dev/block/MAJ:MIN/uevent', async (t) => {
  t.equal(parseBlockUevent('MAJOR=253\nMINOR=3\nDEVNAME=dm-3\nDEVTYPE=disk\nDISKSEQ=9\n', S), 'dm-3');
  t.equal(parseBlockUevent('MAJOR=104\nMINOR=0\nDEVNAME=cciss/c0d0\n', S), 'cciss/c0d0');
  refused(t, () => parseBlockUevent('MAJOR=8\nMINOR=0\n', S), /no DEVNAME line/, 'no name');
  refused(t, () => parseBlockUevent('DEVNAME=../../etc\n', S), /not a device name/, 'a path');
  refused(t, () => parseBlockUevent('DEVNAME=a b\n', S), /not a device name/, 'a blank');
  refused(t, () => parseBlockUevent('MAJOR=253\nMINOR=3\nDEVNAME=dm-3', S), /truncated \(no final newline\)/, 'cut short: dm-3 may be dm-31');
});
