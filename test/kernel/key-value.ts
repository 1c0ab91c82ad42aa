import t from 'tap';
import { parseKeyValues } from '../../src/kernel/key-value.js';

const SRC = '/sys/fs/cgroup/x/cpu.stat';
const bad = (message: RegExp) => ({ name: 'ParseError', code: 'PARSE', source: SRC, message });
const KEYS = ['alpha', 'beta', 'gamma'] as const;

t.test('reads every wanted key with its own value', async (t) => {
  t.strictSame(parseKeyValues('alpha 101\nbeta 102\ngamma 103\n', KEYS, SRC), { alpha: 101n, beta: 102n, gamma: 103n });
});

t.test('accepted layouts', async (t) => {
  const cases: [string, string, Partial<Record<(typeof KEYS)[number], bigint>>][] = [
    ['any order', 'gamma 3\nalpha 1\nbeta 2\n', { alpha: 1n, beta: 2n, gamma: 3n }],
    ['unknown keys ignored, even malformed ones', 'nice_usec 9\nalpha 1\nweird a b c\nalphabet 7\n', { alpha: 1n }],
    ['missing keys are absent', 'beta 2\n', { beta: 2n }],
    ['tabs and runs of spaces', 'alpha\t1\nbeta     2\n', { alpha: 1n, beta: 2n }],
    ['blank lines and surrounding whitespace', '\n  alpha 1  \n\n\tbeta 2\n\n', { alpha: 1n, beta: 2n }],
    ['2^63 and 2^64-1 exactly', 'alpha 9223372036854775808\nbeta 18446744073709551615\n', { alpha: 9223372036854775808n, beta: 18446744073709551615n }],
  ];
  for (const [name, text, want] of cases) t.strictSame(parseKeyValues(text, KEYS, SRC), want, name);
});

t.test('a custom separator', async (t) => {
  t.strictSame(parseKeyValues('alpha=11\nbeta = 12\n', KEYS, SRC, /\s*=\s*/), { alpha: 11n, beta: 12n });
});

t.test('rejects bad input', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['empty', '', /empty/],
    ['cut short', 'alpha 1\nbeta 2', /truncated \(no final newline\)/],
    ['no wanted key', 'delta 1\n', /none of alpha, beta, gamma found/],
    ['only blank lines', '\n \n', /none of alpha, beta, gamma found/],
    ['none of the wanted keys', 'delta 1\nepsilon 2\n', /none of alpha, beta, gamma found/],
    ['garbage', 'hello world\n', /none of alpha, beta, gamma found/],
    ['repeated key', 'alpha 1\nbeta 2\nalpha 3\n', /key alpha repeated/],
    ['key without value (truncated)', 'alpha 1\nbeta\n', /malformed line "beta"/],
    ['two values', 'alpha 1 2\n', /malformed line "alpha 1 2"/],
    ['negative', 'alpha -1\n', /not an unsigned decimal integer/],
    ['hex', 'alpha 0x10\n', /not an unsigned decimal integer/],
    ['fraction', 'alpha 1.5\n', /not an unsigned decimal integer/],
    ['above 2^64-1', 'alpha 18446744073709551616\n', /exceeds 2\^64-1/],
    ['bad value after good ones', 'alpha 1\nbeta 2\ngamma x\n', /not an unsigned decimal integer/],
  ];
  for (const [name, text, message] of cases) t.throws(() => parseKeyValues(text, KEYS, SRC), bad(message), name);
});
