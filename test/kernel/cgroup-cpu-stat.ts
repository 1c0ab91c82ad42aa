import * as fs from 'node:fs';
import t from 'tap';
import { parseCgroupCpuStat, type CgroupCpuStat } from '../../src/kernel/cgroup-cpu-stat.js';
import { fixture } from '../helpers/cli.js';

const SRC = '/sys/fs/cgroup/machine.slice/cpu.stat';
const bad = (message: RegExp) => ({ name: 'ParseError', code: 'PARSE', source: SRC, message });

t.test('reads usage, user and system with distinct values', async (t) => {
  const text =
    'usage_usec 101\nuser_usec 102\nsystem_usec 103\nnice_usec 104\ncore_sched.force_idle_usec 105\nnr_periods 106\nnr_throttled 107\nthrottled_usec 108\n';
  t.strictSame(parseCgroupCpuStat(text, SRC), { usage_usec: 101n, user_usec: 102n, system_usec: 103n });
});

t.test('accepted variants', async (t) => {
  const cases: [string, string, CgroupCpuStat][] = [
    ['usage only: user and system stay absent', 'usage_usec 5\n', { usage_usec: 5n }],
    ['usage and user only', 'usage_usec 5\nuser_usec 4\n', { usage_usec: 5n, user_usec: 4n }],
    ['usage and system only', 'system_usec 3\nusage_usec 5\n', { usage_usec: 5n, system_usec: 3n }],
    [
      'values between 2^63 and 2^64-1',
      'usage_usec 18446744073709551615\nuser_usec 9223372036854775808\nsystem_usec 9223372036854775807\n',
      { usage_usec: 18446744073709551615n, user_usec: 9223372036854775808n, system_usec: 9223372036854775807n },
    ],
  ];
  for (const [name, text, want] of cases) t.strictSame(parseCgroupCpuStat(text, SRC), want, name);
});

t.test('the captured cpu.stat of qemu-7-lab-busy', async (t) => {
  const file = fixture('libvirt9-qemu7-hybrid-cgroup', 'sys/fs/cgroup/unified/machine/qemu-7-lab-busy.libvirt-qemu/cpu.stat');
  t.strictSame(parseCgroupCpuStat(fs.readFileSync(file, 'utf8'), SRC), { usage_usec: 4435510n, user_usec: 3614444n, system_usec: 821066n });
});

t.test('rejects bad input', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['empty', '', /cpu.stat: empty/],
    ['no final newline: cut short', 'usage_usec 7\nuser_usec 6\nsystem_usec 1', /truncated \(no final newline\)/],
    ['no known key', '\n', /none of usage_usec, user_usec, system_usec found/],
    ['garbage', 'not a cpu.stat\n', /none of usage_usec/],
    ['only unknown keys', 'nice_usec 5\nnr_periods 1\n', /none of usage_usec/],
    ['usage_usec missing', 'user_usec 1\nsystem_usec 2\n', /usage_usec missing/],
    ['truncated line', 'usage_usec\n', /malformed line/],
    ['extra token', 'usage_usec 12 34\n', /malformed line/],
    ['repeated usage_usec', 'usage_usec 1\nusage_usec 2\n', /usage_usec repeated/],
    ['negative', 'usage_usec -1\n', /not an unsigned decimal integer/],
    ['hex', 'usage_usec 0x10\n', /not an unsigned decimal integer/],
    ['above 2^64-1', 'usage_usec 18446744073709551616\n', /exceeds 2\^64-1/],
    ['bad user_usec', 'usage_usec 5\nuser_usec 1.5\n', /not an unsigned decimal integer/],
  ];
  for (const [name, text, message] of cases) t.throws(() => parseCgroupCpuStat(text, SRC), bad(message), name);
});
