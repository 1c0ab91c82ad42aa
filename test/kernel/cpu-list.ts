import t from 'tap';
import { MAX_CPU_ID, parseCpuList } from '../../src/kernel/cpu-list.js';

const SRC = '/sys/devices/system/cpu/present';
const bad = { name: 'ParseError', code: 'PARSE', source: SRC };

t.test('MAX_CPU_ID', async (t) => {
  t.equal(MAX_CPU_ID, 16383);
});

t.test('parses kernel CPU lists', async (t) => {
  const cases: [string, string, number[]][] = [
    ['only a newline', '\n', []],
    ['single CPU', '0\n', [0]],
    ['single non-zero CPU', '7', [7]],
    ['range', '0-3\n', [0, 1, 2, 3]],
    ['one-element range', '5-5', [5]],
    ['mixed list', '0-3,8,10-11\n', [0, 1, 2, 3, 8, 10, 11]],
    ['highest CPU id', '16383', [16383]],
    ['range up to the highest id', '16381-16383', [16381, 16382, 16383]],
    ['leading zeros', '02-04', [2, 3, 4]],
  ];
  // The kernel ends the file with a newline; the list is what comes before it.
  for (const [name, text, want] of cases) t.strictSame(parseCpuList(text.endsWith('\n') ? text : `${text}\n`, SRC), want, name);
});

t.test('rejects malformed lists', async (t) => {
  const cases: [string, string][] = [
    ['garbage', 'all'],
    ['open range', '0-'],
    ['negative', '-1'],
    ['reversed range', '3-1'],
    ['empty element', '0,,1'],
    ['trailing comma', '0,'],
    ['leading comma', ',0'],
    ['spaces inside range', '0 - 3'],
    ['space after comma', '0, 1'],
    ['above MAX_CPU_ID', '16384'],
    ['range above MAX_CPU_ID', '0-16384'],
    ['six digits', '123456'],
    ['hex', '0x1'],
    ['colon stride', '0-7:2'],
  ];
  for (const [name, text] of cases) t.throws(() => parseCpuList(`${text}\n`, SRC), bad, name);
  t.throws(() => parseCpuList('0-1', SRC), { ...bad, message: /truncated \(no final newline\)/ }, 'cut short: "0-1" may be "0-15"');
  t.throws(() => parseCpuList('', SRC), { ...bad, message: /empty/ }, 'empty (an empty list is a newline)');
});
