import * as fs from 'node:fs';
import t from 'tap';
import { parseCpuacctPercpu, parseCpuacctStat } from '../../src/kernel/cpuacct.js';
import { fixture } from '../helpers/cli.js';

const SRC = '/sys/fs/cgroup/cpuacct/cpuacct.x';
const bad = (message: RegExp) => ({ name: 'ParseError', code: 'PARSE', source: SRC, message });
const capture = (name: string) => fs.readFileSync(fixture('libvirt9-qemu7-hybrid-cgroup', 'sys/fs/cgroup/cpuacct', name), 'utf8');

t.test('cpuacct.stat: user and system ticks', async (t) => {
  const cases: [string, string, ReturnType<typeof parseCpuacctStat>][] = [
    ['kernel order', 'user 101\nsystem 102\n', { user: 101n, system: 102n }],
    ['reversed order', 'system 7\nuser 8\n', { user: 8n, system: 7n }],
    ['unknown keys ignored', 'guest 1\nuser 2\nsystem 3\n', { user: 2n, system: 3n }],
    ['2^64-1 and 2^63', 'user 18446744073709551615\nsystem 9223372036854775808\n', { user: 18446744073709551615n, system: 9223372036854775808n }],
  ];
  for (const [name, text, want] of cases) t.strictSame(parseCpuacctStat(text, SRC), want, name);
});

t.test('cpuacct.stat: the captured file', async (t) => {
  t.strictSame(parseCpuacctStat(capture('cpuacct.stat'), SRC), { user: 24214n, system: 7960n });
});

t.test('cpuacct.stat: rejects bad input', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['empty', '', /empty/],
    ['cut short', 'user 5\nsystem 1', /truncated \(no final newline\)/],
    ['no known key', 'x 1\n', /none of user, system found/],
    ['garbage', 'lorem ipsum\n', /none of user, system found/],
    ['system missing', 'user 1\n', /user or system missing/],
    ['user missing', 'system 1\n', /user or system missing/],
    ['truncated line', 'user 1\nsystem\n', /malformed line/],
    ['repeated user', 'user 1\nuser 2\nsystem 3\n', /user repeated/],
    ['negative', 'user -1\nsystem 2\n', /not an unsigned decimal integer/],
    ['hex', 'user 1\nsystem 0x10\n', /not an unsigned decimal integer/],
    ['above 2^64-1', 'user 18446744073709551616\nsystem 2\n', /exceeds 2\^64-1/],
  ];
  for (const [name, text, message] of cases) t.throws(() => parseCpuacctStat(text, SRC), bad(message), name);
});

t.test('cpuacct.usage_percpu: one value per CPU, in order', async (t) => {
  const cases: [string, string, bigint[]][] = [
    ['four CPUs with a trailing space', '101 102 103 104 \n', [101n, 102n, 103n, 104n]],
    ['single CPU', '5\n', [5n]],
    ['zeros kept', '0 0 9\n', [0n, 0n, 9n]],
    ['values between 2^63 and 2^64-1', '9223372036854775808 18446744073709551615\n', [9223372036854775808n, 18446744073709551615n]],
  ];
  for (const [name, text, want] of cases) t.strictSame(parseCpuacctPercpu(text, SRC), want, name);
});

t.test('cpuacct.usage_percpu: the captured file', async (t) => {
  t.strictSame(parseCpuacctPercpu(capture('cpuacct.usage_percpu'), SRC), [106100658384n, 215649673605n]);
});

t.test('cpuacct.usage_percpu: rejects bad input', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['empty', '', /empty/],
    ['cut short', '1 2 3', /truncated \(no final newline\)/],
    ['no values', '\n', /no per-CPU values/],
    ['only whitespace', ' \n', /no per-CPU values/],
    ['negative', '1 -2\n', /not an unsigned decimal integer/],
    ['hex', '1 0x10\n', /not an unsigned decimal integer/],
    ['garbage', '1 two 3\n', /not an unsigned decimal integer/],
    ['fraction', '1.5 2\n', /not an unsigned decimal integer/],
    ['above 2^64-1', '1 18446744073709551616\n', /exceeds 2\^64-1/],
  ];
  for (const [name, text, message] of cases) t.throws(() => parseCpuacctPercpu(text, SRC), bad(message), name);
});
