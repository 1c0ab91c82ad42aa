// The text-cell rules of every CSV domstat writes, and the escaping of names on line-based
// output: formula injection neutralised, a record always one line, quoting per RFC 4180.
import t from 'tap';
import { csvRecord, csvText } from '../../src/export/csv.js';
import { printable } from '../../src/common/printable.js';
import { historyCsv } from '../../src/cli/history.js';

t.test('printable: control characters escaped, everything else kept', async (t) => {
  t.equal(printable('web1'), 'web1');
  t.equal(printable('a\nb\rc\td'), 'a\\nb\\rc\\td');
  t.equal(printable('\x1b]0;pwned\x07'), '\\x1b]0;pwned\\x07', 'OSC title change: no ESC, no BEL');
  t.equal(printable('x\x00\x7f\x85\x9b'), 'x\\x00\\x7f\\x85\\x9b', 'NUL, DEL, NEL, CSI (C1)');
  t.equal(printable('a\u2028b\u2029c'), 'a\\u{2028}b\\u{2029}c', 'Unicode line separators');
  t.equal(printable('abc\u202edcba'), 'abc\\u{202e}dcba', 'bidi override');
  t.equal(printable('数据库-01 ✓ back\\slash'), '数据库-01 ✓ back\\slash', 'non-ASCII text and backslashes as they are');
});

t.test('csvText: formula injection, quoting, one line per record', async (t) => {
  const cases: [string, string][] = [
    ['web1', 'web1'],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['+1+2', "'+1+2"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['a=1', 'a=1'],
    ['web,prod', '"web,prod"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', 'two\\nlines'],
    ['\tTAB', '\\tTAB'],
    ['\r=x', '\\r=x'],
    ["'quoted", "'quoted"],
    ['', ''],
  ];
  for (const [name, cell] of cases) t.equal(csvText(name), cell, JSON.stringify(name));
  t.equal(csvRecord(['a', csvText('b\nc'), '3']), 'a,b\\nc,3\n');
});

t.test('history CSV: key cells go through the rule, numbers as they are', async (t) => {
  const csv = historyCsv({
    domain: 'x',
    tier: 'raw',
    stepS: null,
    times: [Date.UTC(2026, 11, 7, 14, 5, 9), Date.UTC(2026, 11, 7, 14, 5, 10)],
    series: [
      { key: 'net.0.rx.bytes', device: 'vnet0', unit: 'bytes/s', type: 'counter', values: [null, 1234.5] },
      { key: '=cmd|x', device: null, unit: 'bytes', type: 'gauge', values: [5n, 6n] },
      { key: 'net.a,b\n.rx.bytes', device: 'a,b\n', unit: 'bytes', type: 'counter', values: [1, 2] },
    ],
  });
  t.equal(csv, 'time,net.0.rx.bytes,\'=cmd|x,"net.a,b\\n.rx.bytes"\n2026-12-07T14:05:09Z,,5,1\n2026-12-07T14:05:10Z,1234.500,6,2\n');
});
