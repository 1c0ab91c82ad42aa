import * as fs from 'node:fs';
import t from 'tap';
import { parseSysBlockStat } from '../../src/kernel/sys-block-stat.js';
import { fixture } from '../helpers/cli.js';

const SRC = '/sys/dev/block/7:2/stat';
const bad = (message: RegExp) => ({ name: 'ParseError', code: 'PARSE', source: SRC, message });
/** The kernel's "%8lu %8lu ..." layout. */
const statText = (v: readonly (number | string)[]) => `${v.map((x) => String(x).padStart(8)).join(' ')}\n`;
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

t.test('17 fields (5.5+, with flush)', async (t) => {
  t.strictSame(parseSysBlockStat(statText(range(101, 17)), SRC), {
    readIos: 101n,
    readMerges: 102n,
    readSectors: 103n,
    readTicksMs: 104n,
    writeIos: 105n,
    writeMerges: 106n,
    writeSectors: 107n,
    writeTicksMs: 108n,
    inFlight: 109n,
    ioTicksMs: 110n,
    timeInQueueMs: 111n,
    discardIos: 112n,
    discardMerges: 113n,
    discardSectors: 114n,
    discardTicksMs: 115n,
    flushIos: 116n,
    flushTicksMs: 117n,
  });
});

t.test('15 fields (4.18+, with discard): no flush fields', async (t) => {
  t.strictSame(parseSysBlockStat(statText(range(201, 15)), SRC), {
    readIos: 201n,
    readMerges: 202n,
    readSectors: 203n,
    readTicksMs: 204n,
    writeIos: 205n,
    writeMerges: 206n,
    writeSectors: 207n,
    writeTicksMs: 208n,
    inFlight: 209n,
    ioTicksMs: 210n,
    timeInQueueMs: 211n,
    discardIos: 212n,
    discardMerges: 213n,
    discardSectors: 214n,
    discardTicksMs: 215n,
  });
});

t.test('11 fields (old kernels): no discard or flush fields', async (t) => {
  t.strictSame(parseSysBlockStat(statText(range(301, 11)), SRC), {
    readIos: 301n,
    readMerges: 302n,
    readSectors: 303n,
    readTicksMs: 304n,
    writeIos: 305n,
    writeMerges: 306n,
    writeSectors: 307n,
    writeTicksMs: 308n,
    inFlight: 309n,
    ioTicksMs: 310n,
    timeInQueueMs: 311n,
  });
});

t.test('single spaces', async (t) => {
  t.strictSame(parseSysBlockStat(range(1, 11).join(' ') + '\n', SRC), {
    readIos: 1n,
    readMerges: 2n,
    readSectors: 3n,
    readTicksMs: 4n,
    writeIos: 5n,
    writeMerges: 6n,
    writeSectors: 7n,
    writeTicksMs: 8n,
    inFlight: 9n,
    ioTicksMs: 10n,
    timeInQueueMs: 11n,
  });
});

t.test('values between 2^63 and 2^64-1 stay exact', async (t) => {
  const v: (number | string)[] = range(1, 11);
  v[2] = '18446744073709551615';
  v[6] = '9223372036854775808';
  const r = parseSysBlockStat(statText(v), SRC);
  t.equal(r.readSectors, 18446744073709551615n, 'readSectors');
  t.equal(r.writeSectors, 9223372036854775808n, 'writeSectors');
  t.equal(r.readTicksMs, 4n, 'neighbour readTicksMs');
  t.equal(r.writeTicksMs, 8n, 'neighbour writeTicksMs');
});

t.test('the captured stat of loop device 7:2', async (t) => {
  const text = fs.readFileSync(fixture('libvirt9-qemu7-hybrid-cgroup', 'sys/dev/block/7:2/stat'), 'utf8');
  t.strictSame(parseSysBlockStat(text, SRC), {
    readIos: 73n,
    readMerges: 0n,
    readSectors: 577n,
    readTicksMs: 3n,
    writeIos: 184n,
    writeMerges: 0n,
    writeSectors: 1472n,
    writeTicksMs: 9n,
    inFlight: 0n,
    ioTicksMs: 16n,
    timeInQueueMs: 13n,
    discardIos: 0n,
    discardMerges: 0n,
    discardSectors: 0n,
    discardTicksMs: 0n,
    flushIos: 0n,
    flushTicksMs: 0n,
  });
});

t.test('rejects bad input', async (t) => {
  const withToken = (i: number, tok: string) => {
    const v: (number | string)[] = range(1, 17);
    v[i] = tok;
    return statText(v);
  };
  const cases: [string, string, RegExp][] = [
    ['empty', '', /empty/],
    ['cut short', range(1, 11).join(' '), /truncated \(no final newline\)/],
    ['only a newline', '\n', /expected 11, 15 or 17 fields, found 0/],
    ['truncated to 10 fields', statText(range(1, 10)), /found 10/],
    ['12 fields', statText(range(1, 12)), /found 12/],
    ['16 fields (truncated 17)', statText(range(1, 16)), /found 16/],
    ['18 fields', statText(range(1, 18)), /found 18/],
    ['garbage', 'no such device\n', /found 3/],
    ['negative', withToken(8, '-1'), /not an unsigned decimal integer/],
    ['hex', withToken(0, '0x10'), /not an unsigned decimal integer/],
    ['fraction', withToken(16, '1.5'), /not an unsigned decimal integer/],
    ['word among numbers', withToken(4, 'abc'), /not an unsigned decimal integer/],
    ['above 2^64-1', withToken(2, '18446744073709551616'), /exceeds 2\^64-1/],
  ];
  for (const [name, text, message] of cases) t.throws(() => parseSysBlockStat(text, SRC), bad(message), name);
});
