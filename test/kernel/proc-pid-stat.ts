import * as fs from 'node:fs';
import t from 'tap';
import { parseProcPidStat, type ProcPidStat } from '../../src/kernel/proc-pid-stat.js';
import { fixture } from '../helpers/cli.js';

const SRC = '/proc/123/stat';
const bad = (message: RegExp) => ({ name: 'ParseError', code: 'PARSE', source: SRC, message });

/** A stat line with `count` fields: 1 = pid, 2 = (comm), 3 = state, field n >= 4 = 1000 + n unless overridden. */
function statLine(comm: string, count = 52, overrides: Record<number, string> = {}): string {
  const f: string[] = [];
  for (let n = 1; n <= count; n++) f.push(overrides[n] ?? (n === 1 ? '123' : n === 2 ? `(${comm})` : n === 3 ? 'S' : String(1000 + n)));
  return `${f.join(' ')}\n`;
}
const SYNTH: ProcPidStat = { utimeTicks: 1014n, stimeTicks: 1015n, rssPages: 1024n, processor: 1039 };

t.test('reads fields 14, 15, 24 and 39 whatever the comm holds', async (t) => {
  const cases: [string, string][] = [
    ['plain comm', 'qemu-kvm'],
    ['comm with a space and slash', 'CPU 0/KVM'],
    ['comm with spaces and parentheses: "123 (a) b (c)) S ..."', 'a) b (c)'],
    ['comm that looks like fields', '1 2 3) 4'],
    ['empty comm', ''],
    ['comm is ")"', ')'],
    ['comm is "("', '('],
    ['comm is ") S 9 9"', ') S 9 9'],
  ];
  for (const [name, comm] of cases) t.strictSame(parseProcPidStat(statLine(comm), SRC), SYNTH, name);
  t.equal(statLine('a) b (c)').slice(0, 20), '123 (a) b (c)) S 100', 'the tricky line is as intended');
});

t.test('field 39 (processor)', async (t) => {
  const cases: [string, string, ProcPidStat][] = [
    ['present as the last field', statLine('x', 39), SYNTH],
    ['absent on old kernels (38 fields)', statLine('x', 38), { utimeTicks: 1014n, stimeTicks: 1015n, rssPages: 1024n }],
    ['CPU 0', statLine('x', 52, { 39: '0' }), { ...SYNTH, processor: 0 }],
  ];
  for (const [name, text, want] of cases) t.strictSame(parseProcPidStat(text, SRC), want, name);
});

t.test('u64 fields between 2^63 and 2^64-1 stay exact', async (t) => {
  const text = statLine('x', 52, { 14: '18446744073709551615', 15: '9223372036854775808', 24: '9223372036854775809' });
  t.strictSame(parseProcPidStat(text, SRC), {
    utimeTicks: 18446744073709551615n,
    stimeTicks: 9223372036854775808n,
    rssPages: 9223372036854775809n,
    processor: 1039,
  });
});

t.test('the captured stat files of qemu 20728', async (t) => {
  const read = (p: string) => fs.readFileSync(fixture('libvirt9-qemu7-hybrid-cgroup', p), 'utf8');
  t.strictSame(
    parseProcPidStat(read('proc/20728/stat'), SRC),
    { utimeTicks: 353n, stimeTicks: 81n, rssPages: 58503n, processor: 0 },
    'process (qemu-system-x86)',
  );
  t.strictSame(
    parseProcPidStat(read('proc/20728/task/20736/stat'), SRC),
    { utimeTicks: 319n, stimeTicks: 47n, rssPages: 58503n, processor: 1 },
    'vCPU thread (CPU 0/TCG)',
  );
});

t.test('rejects bad input', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['empty', '', /empty/],
    ['cut short', statLine('x').trimEnd(), /truncated \(no final newline\)/],
    ['garbage', 'garbage\n', /no \(comm\) field/],
    ['truncated inside comm', '123 (qemu-sys\n', /no \(comm\) field/],
    ['")" without "("', '123 x) S 1 2 3\n', /no \(comm\) field/],
    ['truncated inside a comm holding ")"', '123 (a) b (c\n', /truncated: field 14 missing/],
    ['truncated right after comm', '123 (x)\n', /truncated: field 14 missing/],
    ['truncated before utime', statLine('x', 13), /truncated: field 14 missing/],
    ['truncated before stime', statLine('x', 14), /truncated: field 15 missing/],
    ['truncated before rss', statLine('x', 23), /truncated: field 24 missing/],
    ['negative utime', statLine('x', 52, { 14: '-1' }), /not an unsigned decimal integer/],
    ['hex stime', statLine('x', 52, { 15: '0x10' }), /not an unsigned decimal integer/],
    ['fractional utime', statLine('x', 52, { 14: '1.5' }), /not an unsigned decimal integer/],
    ['rss above 2^64-1', statLine('x', 52, { 24: '18446744073709551616' }), /exceeds 2\^64-1/],
  ];
  for (const [name, text, message] of cases) t.throws(() => parseProcPidStat(text, SRC), bad(message), name);
});
