// The agent's byte-level readers: plain decimals only, -1/false/NaN for anything the careful
// parsers must see, and /proc/net/dev's table kept right across reads whose lines change.
import t from 'tap';
import { asciiKeys, decimalAt, decimalFields, keyedDecimals, pickedDecimals, singleDecimal, TOO_BIG } from '../../src/kernel/bytes.js';
import { NetDevTable } from '../../src/kernel/proc-net-dev.js';
import { NET_DEV_FIELDS, ProcNetDev } from '../../src/kernel/proc-net-dev.js';
import { ParseError } from '../../src/kernel/u64.js';

const b = (s: string) => Buffer.from(s, 'latin1');

t.test('decimalAt and singleDecimal', async (t) => {
  t.equal(decimalAt(b('x12345y'), 1, 6), 12345);
  t.equal(decimalAt(b('9007199254740991'), 0, 16), Number.MAX_SAFE_INTEGER, '2^53 - 1 is exact');
  t.equal(decimalAt(b('9007199254740992'), 0, 16), TOO_BIG, '2^53 is too big');
  t.equal(decimalAt(b('18446744073709551615'), 0, 20), TOO_BIG);
  t.equal(decimalAt(b(''), 0, 0), -1, 'empty');
  t.equal(decimalAt(b('-5'), 0, 2), -1, 'signed');
  t.equal(decimalAt(b('1 2'), 0, 3), -1, 'two tokens');
  t.equal(singleDecimal(b('4711\n'), 0, 5), 4711);
  t.equal(singleDecimal(b('4712'), 0, 4), -1, 'no newline: cut short, its last digits may be missing');
  t.equal(singleDecimal(b('4713\n\n'), 0, 6), -1, 'a second newline');
  t.equal(singleDecimal(b(' 4714\n'), 0, 6), -1, 'leading blank');
  t.equal(singleDecimal(b('\n'), 0, 1), -1, 'empty attribute');
});

t.test('decimalFields', async (t) => {
  const out = new Float64Array(4);
  t.equal(decimalFields(b(' 11\t22  33\n'), 0, 10, out), 3);
  t.strictSame([...out.subarray(0, 3)], [11, 22, 33]);
  t.equal(decimalFields(b('1 2 3 4 5'), 0, 9, out), -1, 'more fields than asked for');
  t.equal(decimalFields(b('1 x 3'), 0, 5, out), -1, 'not a decimal');
  t.equal(decimalFields(b('7 9007199254740993 8'), 0, 20, out), 3);
  t.ok(Number.isNaN(out[1]!), 'past 2^53: NaN in a list');
  t.equal(out[2], 8);
});

t.test('pickedDecimals', async (t) => {
  const out = new Float64Array(2);
  const line = b(' S 1 2 3 44 55 6');
  t.ok(pickedDecimals(line, 0, line.length, Int32Array.of(4, 5), out));
  t.strictSame([...out], [44, 55]);
  t.notOk(pickedDecimals(line, 0, line.length, Int32Array.of(0, 5), out), 'a picked token that is not a decimal');
  t.notOk(pickedDecimals(line, 0, line.length, Int32Array.of(5, 9), out), 'a missing token');
  const wide = b('1 2\u00a03 4');
  t.notOk(pickedDecimals(wide, 0, wide.length, Int32Array.of(3), out), 'a byte past ASCII');
});

t.test('keyedDecimals', async (t) => {
  const keys = asciiKeys(['usage_usec', 'user_usec', 'system_usec']);
  const out = new Float64Array(3);
  const stat = b('usage_usec 301\nuser_usec 202\nsystem_usec 103\nnr_periods 4\n');
  t.ok(keyedDecimals(stat, 0, stat.length, keys, out));
  t.strictSame([...out], [301, 202, 103]);
  const io = b('rchar: 5\nwchar: 6\n');
  t.notOk(keyedDecimals(io, 0, io.length, asciiKeys(['wchar', 'rchar', 'syscr']), out), 'a colon where the format has none: the careful parser reads it');
  t.ok(keyedDecimals(io, 0, io.length, asciiKeys(['wchar', 'rchar', 'syscr']), out, true));
  t.strictSame([out[0], out[1]], [6, 5], '"key: value" lines');
  t.ok(Number.isNaN(out[2]!), 'a key not found is NaN');
  const twice = b('usage_usec 1\nusage_usec 2\n');
  t.notOk(keyedDecimals(twice, 0, twice.length, keys, out), 'a key listed twice');
  const bad = b('usage_usec 1x\n');
  t.notOk(keyedDecimals(bad, 0, bad.length, keys, out), 'a value that is not a decimal');
});

const HEADER =
  'Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs colls carrier compressed\n';
/** A /proc/net/dev line whose 16 values are base, base+1, ... */
const line = (name: string, base: number) => `${name.padStart(6)}: ${Array.from({ length: 16 }, (_, i) => base + i).join(' ')}\n`;

t.test('NetDevTable across reads', async (t) => {
  const tab = new NetDevTable();
  const load = (body: string) => {
    const buf = b(HEADER + body);
    return tab.load(buf, buf.length);
  };
  const row = (name: string) => {
    const off = tab.offsets.get(name);
    return off === undefined || off < 0 ? off : [...tab.values.subarray(off, off + 16)];
  };
  const seq = (base: number) => Array.from({ length: 16 }, (_, i) => base + i);

  t.ok(load(line('lo', 100) + line('eth0', 200) + line('vif1.0', 300)));
  t.strictSame(row('lo'), seq(100));
  t.strictSame(row('vif1.0'), seq(300));
  const offsets = tab.offsets;

  t.ok(load(line('lo', 110) + line('eth0', 210) + line('vif1.0', 310)), 'same lines, new counters');
  t.equal(tab.offsets, offsets);
  t.strictSame(row('eth0'), seq(210));
  t.strictSame(row('vif1.0'), seq(310));

  t.ok(load(line('lo', 120) + line('vif2.0', 400) + line('vif1.0', 320)), 'a line replaced by another');
  t.equal(row('eth0'), undefined, 'the gone interface is gone');
  t.strictSame(row('vif2.0'), seq(400));
  t.strictSame(row('vif1.0'), seq(320));

  t.ok(load(line('lo', 130) + 'vif2.0: 1 2 3\n' + line('vif1.0', 330)), 'a malformed line');
  t.equal(row('vif2.0'), -1, 'malformed: -1');
  t.strictSame(row('vif1.0'), seq(330));

  t.ok(load(line('lo', 140) + line('vif2.0', 440) + line('vif1.0', 340)), 'and plain again');
  t.strictSame(row('vif2.0'), seq(440));

  t.ok(load(line('lo', 150) + line('vif2.0', 450)), 'a line fewer');
  t.equal(row('vif1.0'), undefined);
  t.strictSame(row('vif2.0'), seq(450));

  t.ok(load(line('lo', 160) + line('vif2.0', 460) + line('vif2.0', 560)), 'a name listed twice');
  t.equal(row('vif2.0'), -1);
  t.strictSame(row('lo'), seq(160));

  t.ok(load(line('lo', 170) + line('tap-a', 9007199254740980)), 'a counter past 2^53');
  t.equal(row('tap-a'), -1, 'the line is left to the careful path (it keeps the value exact, or refuses one past 2^64)');
  t.strictSame(row('lo'), seq(170));
  t.ok(load(line('lo', 170) + line('tap-a', 9007199254740976)), 'counters up to 2^53 - 1');
  t.equal(tab.values[tab.offsets.get('tap-a')! + 15], Number.MAX_SAFE_INTEGER, '2^53 - 1 still exact');

  const none = b('garbage\n');
  t.notOk(tab.load(none, none.length), 'no header: not /proc/net/dev');
});

t.test('a file in the middle of a buffer (the read-ahead thread packs files one after another)', async (t) => {
  // Bytes before and after the range belong to other files and must not be read.
  const before = 'usage_usec 9\n777 ';
  const body = 'usage_usec 301\nuser_usec 202\nsystem_usec 103\n';
  const buf = b(before + body + '4\nuser_usec 5\n');
  const start = before.length;
  const end = start + body.length;
  const out = new Float64Array(3);
  t.ok(keyedDecimals(buf, start, end, asciiKeys(['usage_usec', 'user_usec', 'system_usec']), out));
  t.strictSame([...out], [301, 202, 103], 'only the range counts');
  const attr = b('12\n4711\n99');
  t.equal(singleDecimal(attr, 3, 8), 4711, 'a sysfs attribute between others');
  t.equal(singleDecimal(attr, 3, 3), -1, 'an empty range');
  t.equal(decimalFields(attr, 3, 7, out), 1, 'fields stop at the end of the range');
  t.equal(out[0], 4711);
});

t.test('NetDevTable and ProcNetDev read the same names: one rule for a device listed twice', async (t) => {
  const cases: [what: string, body: string][] = [
    ['padded with spaces', line('vnet0', 100) + line('vnet1', 200)],
    ['the same name twice', line('vnet0', 100) + line('vnet0', 200)],
    ['a tab before the second', line('vnet0', 100) + '\t' + line('vnet0', 200).trimStart()],
    ['a tab before the colon', line('vnet0', 100) + line('vnet0', 200).replace('vnet0:', 'vnet0\t:')],
    ['VT, FF and CR around it', line('vnet0', 100) + '\x0b\x0c' + line('vnet0', 200).replace('vnet0:', 'vnet0\r:')],
    ['a no-break space (0xA0) is part of the name', line('vnet0', 100) + line('\xa0vnet0', 200)],
    ['old kernels: no space after the colon', 'vif4.0:1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n' + line('vif4.0', 200)],
  ];
  for (const [what, body] of cases) {
    const tab = new NetDevTable();
    const buf = b(HEADER + body);
    t.ok(tab.load(buf, buf.length), `${what}: loaded`);
    const careful = new ProcNetDev(HEADER + body);
    t.strictSame([...tab.offsets.keys()].sort(), careful.names().sort(), `${what}: the same names`);
    for (const name of careful.names()) {
      const c = careful.get(name);
      const off = tab.offsets.get(name)!;
      if (c instanceof ParseError) {
        t.equal(off, -1, `${what}: ${JSON.stringify(name)} refused by both (${c.message})`);
        t.match(c.message, /^\/proc\/net\/dev: device .* listed twice$/, `${what}: ${c.message}`);
      } else {
        t.strictSame(
          [...tab.values.subarray(off, off + 16)],
          NET_DEV_FIELDS.map((f) => Number(c![f])),
          `${what}: ${JSON.stringify(name)} the same counters from both`,
        );
      }
    }
  }
});
