import * as fs from 'node:fs';
import t from 'tap';
import { parseSchedWaitSumNs } from '../../src/kernel/proc-pid-sched.js';
import { fixture } from '../helpers/cli.js';

const SRC = '/proc/20728/task/20736/sched';
const bad = (message: RegExp) => ({ name: 'ParseError', code: 'PARSE', source: SRC, message });

// The kernel prints "%-45s:%21Ld.%06ld"; the schedstat keys carry a prefix that changed over time:
// "se.statistics." (3.x-5.15), "se." (2.6/early 3.x) and none (5.16+, struct sched_statistics).
const row = (key: string, value: string) => `${key.padEnd(45)}:${value.padStart(21)}`;
function schedFile(prefix: string, waitSum: string | undefined): string {
  const lines = [
    'CPU 0/KVM (20736, #threads: 7)',
    '-------------------------------------------------------------------',
    row('se.exec_start', '1651199.665435'),
    row('se.vruntime', '2566.576404'),
    row('se.sum_exec_runtime', '3666.356106'),
    row(`${prefix}sum_sleep_runtime`, '1.000001'),
    row(`${prefix}wait_start`, '2.000002'),
    row(`${prefix}wait_max`, '3.000003'),
  ];
  if (waitSum !== undefined) lines.push(row(`${prefix}wait_sum`, waitSum));
  lines.push(row(`${prefix}wait_count`, '4444'), row('nr_switches', '10194'), '');
  return lines.join('\n');
}

t.test('wait_sum in ms becomes exact ns, for every key spelling', async (t) => {
  const cases: [string, string, bigint][] = [
    ['se.statistics.wait_sum (3.x-5.15)', 'se.statistics.', 123456789n],
    ['se.wait_sum (older kernels)', 'se.', 123456789n],
    ['wait_sum (5.16+)', '', 123456789n],
  ];
  for (const [name, prefix, want] of cases) t.equal(parseSchedWaitSumNs(schedFile(prefix, '123.456789'), SRC), want, name);
});

t.test('wait_sum values', async (t) => {
  const cases: [string, string, bigint][] = [
    ['zero', '0.000000', 0n],
    ['one nanosecond', '0.000001', 1n],
    ['sub-ms only', '0.999999', 999999n],
    ['leading zeros in the fraction', '5.000010', 5000010n],
    ['no fraction', '42', 42000000n],
    ['large', '1651199.665435', 1651199665435n],
    ['2^63 ns', '9223372036854.775808', 9223372036854775808n],
    ['2^64-1 ns', '18446744073709.551615', 18446744073709551615n],
  ];
  for (const [name, value, want] of cases) t.equal(parseSchedWaitSumNs(schedFile('se.statistics.', value), SRC), want, name);
});

t.test('layout variations', async (t) => {
  t.equal(parseSchedWaitSumNs('se.wait_sum:5.000000\n', SRC), 5000000n, 'no padding');
  t.throws(() => parseSchedWaitSumNs('se.wait_sum:5.000000', SRC), /truncated \(no final newline\)/, 'cut short: its last digits may be missing');
  t.equal(parseSchedWaitSumNs('x (1, #threads: 1)\nwait_sum : 7.000008  \n', SRC), 7000008n, 'trailing spaces');
});

t.test('a file without wait_sum gives undefined', async (t) => {
  const cases: [string, string][] = [
    ['schedstats off (se.statistics.)', schedFile('se.statistics.', undefined)],
    ['schedstats off (bare keys)', schedFile('', undefined)],
    ['only look-alike keys', 'x (1, #threads: 1)\nse.statistics.wait_summary : 9.000000\nxse.wait_sum : 8.000000\nse.statistics.wait_max : 3.000000\n'],
    ['the captured sched of vCPU thread 20736', fs.readFileSync(fixture('libvirt9-qemu7-hybrid-cgroup', 'proc/20728/task/20736/sched'), 'utf8')],
  ];
  for (const [name, text] of cases) t.equal(parseSchedWaitSumNs(text, SRC), undefined, name);
});

t.test('rejects bad input', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['empty', '', /empty/],
    ['only whitespace', '\n\n', /empty/],
    ['negative', schedFile('se.statistics.', '-1.000000'), /bad wait_sum "-1.000000"/],
    ['hex', schedFile('se.', '0x10'), /bad wait_sum "0x10"/],
    ['two dots', schedFile('', '1.2.3'), /bad wait_sum "1.2.3"/],
    ['garbage', schedFile('se.statistics.', 'abc'), /bad wait_sum "abc"/],
    ['no fraction digits', schedFile('se.statistics.', '1.'), /bad wait_sum "1."/],
    ['no integer digits', schedFile('se.statistics.', '.5'), /bad wait_sum ".5"/],
    ['truncated line (no value)', 'x (1, #threads: 1)\nse.statistics.wait_sum                       :\n', /bad wait_sum ""/],
    ['trailing junk', schedFile('se.statistics.', '1.500000 ms'), /bad wait_sum "1.500000 ms"/],
    ['more than 6 decimals (not exact ns)', schedFile('se.statistics.', '1.1234567'), /bad wait_sum "1.1234567"/],
    ['above 2^64-1 ns', schedFile('se.statistics.', '18446744073709.551616'), /exceeds 2\^64-1/],
    ['far above 2^64-1 ns', schedFile('', '99999999999999999999.000000'), /exceeds 2\^64-1/],
  ];
  for (const [name, text, message] of cases) t.throws(() => parseSchedWaitSumNs(text, SRC), bad(message), name);
});
