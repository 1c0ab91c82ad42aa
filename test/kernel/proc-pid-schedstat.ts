import * as fs from 'node:fs';
import t from 'tap';
import { parseProcSchedstat, type ProcSchedstat } from '../../src/kernel/proc-pid-schedstat.js';
import { fixture } from '../helpers/cli.js';

const SRC = '/proc/20728/task/20736/schedstat';
const bad = (message: RegExp) => ({ name: 'ParseError', code: 'PARSE', source: SRC, message });

t.test('reads run time, wait time and timeslices in order', async (t) => {
  const cases: [string, string, ProcSchedstat][] = [
    ['distinct values', '101 102 103\n', { runNs: 101n, waitNs: 102n, timeslices: 103n }],
    ['zeros', '0 0 0\n', { runNs: 0n, waitNs: 0n, timeslices: 0n }],
    [
      'values between 2^63 and 2^64-1',
      '18446744073709551615 9223372036854775808 9223372036854775809\n',
      { runNs: 18446744073709551615n, waitNs: 9223372036854775808n, timeslices: 9223372036854775809n },
    ],
  ];
  for (const [name, text, want] of cases) t.strictSame(parseProcSchedstat(text, SRC), want, name);
});

t.test('the captured schedstat of vCPU thread 20736', async (t) => {
  const text = fs.readFileSync(fixture('libvirt9-qemu7-hybrid-cgroup', 'proc/20728/task/20736/schedstat'), 'utf8');
  t.strictSame(parseProcSchedstat(text, SRC), { runNs: 3666356106n, waitNs: 196342503n, timeslices: 10194n });
});

t.test('rejects bad input', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['empty', '', /empty/],
    ['cut short', '7 8 9', /truncated \(no final newline\)/],
    ['only a newline', '\n', /expected 3 fields, found 0/],
    ['truncated', '101 102\n', /expected 3 fields, found 2/],
    ['too many fields', '1 2 3 4\n', /expected 3 fields, found 4/],
    ['garbage', 'no such process\n', /not an unsigned decimal integer/],
    ['negative', '1 -2 3\n', /not an unsigned decimal integer/],
    ['hex', '0x10 2 3\n', /not an unsigned decimal integer/],
    ['fraction', '1.5 2 3\n', /not an unsigned decimal integer/],
    ['above 2^64-1', '1 2 18446744073709551616\n', /exceeds 2\^64-1/],
  ];
  for (const [name, text, message] of cases) t.throws(() => parseProcSchedstat(text, SRC), bad(message), name);
});
