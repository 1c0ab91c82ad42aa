import * as fs from 'node:fs';
import t, { type Test } from 'tap';
import { NET_DEV_FIELDS, ProcNetDev, type ProcNetDevLine } from '../../src/kernel/proc-net-dev.js';
import { ParseError } from '../../src/kernel/u64.js';
import { fixture } from '../helpers/cli.js';

const H1 = 'Inter-|   Receive                                                |  Transmit';
const H2 = ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed';
/** A device line in the kernel's "%6s:%8llu %7llu ..." layout. */
const dev = (name: string, values: readonly (number | bigint | string)[]) => `${name.padStart(6)}: ${values.map((v) => String(v).padStart(7)).join(' ')}`;
const file = (...lines: string[]) => `${[H1, H2, ...lines].join('\n')}\n`;
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

/** Written out by name, so a swapped entry in NET_DEV_FIELDS fails too. */
function counters(v: readonly bigint[]): ProcNetDevLine {
  const [
    rxBytes,
    rxPackets,
    rxErrs,
    rxDrop,
    rxFifo,
    rxFrame,
    rxCompressed,
    rxMulticast,
    txBytes,
    txPackets,
    txErrs,
    txDrop,
    txFifo,
    txColls,
    txCarrier,
    txCompressed,
  ] = v as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  return {
    rxBytes,
    rxPackets,
    rxErrs,
    rxDrop,
    rxFifo,
    rxFrame,
    rxCompressed,
    rxMulticast,
    txBytes,
    txPackets,
    txErrs,
    txDrop,
    txFifo,
    txColls,
    txCarrier,
    txCompressed,
  };
}
const big = (from: number) => range(from, 16).map(BigInt);

/** Asserts that `got` is a ParseError whose message matches. */
function isParseError(t: Test, got: unknown, message: RegExp, name: string, source = '/proc/net/dev') {
  t.ok(got instanceof ParseError, `${name}: is a ParseError`);
  t.match(got, { code: 'PARSE', source, message }, `${name}: message`);
}

t.test('NET_DEV_FIELDS follows the kernel column order', async (t) => {
  t.strictSame(
    [...NET_DEV_FIELDS],
    [
      'rxBytes',
      'rxPackets',
      'rxErrs',
      'rxDrop',
      'rxFifo',
      'rxFrame',
      'rxCompressed',
      'rxMulticast',
      'txBytes',
      'txPackets',
      'txErrs',
      'txDrop',
      'txFifo',
      'txColls',
      'txCarrier',
      'txCompressed',
    ],
  );
});

t.test('every one of the 16 counters lands in its own field', async (t) => {
  const p = new ProcNetDev(file(dev('eth0', range(101, 16)), dev('vif1.0', range(201, 16))));
  t.strictSame(p.names(), ['eth0', 'vif1.0'], 'names in file order');
  t.strictSame(p.get('eth0'), counters(big(101)), 'eth0');
  t.strictSame(p.get('vif1.0'), counters(big(201)), 'vif1.0');
  t.equal(p.has('eth0'), true, 'has eth0');
  t.equal(p.source, '/proc/net/dev', 'default source');
});

t.test('old format without a space after the colon', async (t) => {
  const p = new ProcNetDev(
    file(
      'vif4.0:123456789     2    3    4    5     6          7         8 987654321      10   11   12   13    14      15         16',
      dev('lo', range(301, 16)),
    ),
  );
  t.strictSame(p.names(), ['vif4.0', 'lo']);
  t.strictSame(p.get('vif4.0'), counters([123456789n, ...big(2).slice(0, 7), 987654321n, ...big(10).slice(0, 7)]), 'vif4.0');
  t.strictSame(p.get('lo'), counters(big(301)), 'lo still parses');
});

t.test('lookup is by exact name', async (t) => {
  const p = new ProcNetDev(file(dev('xvif3.0', range(1, 16)), dev('vif3.00', range(21, 16)), dev('eth0', range(41, 16))));
  const cases: [string, string, ProcNetDevLine | undefined][] = [
    ['"vif3.0" does not match "xvif3.0" or "vif3.00"', 'vif3.0', undefined],
    ['"xvif3.0" itself', 'xvif3.0', counters(big(1))],
    ['"vif3.00" itself', 'vif3.00', counters(big(21))],
    ['prefix "eth" does not match "eth0"', 'eth', undefined],
    ['"eth0 " with a space does not match', 'eth0 ', undefined],
    ['case matters', 'ETH0', undefined],
  ];
  for (const [name, ask, want] of cases) {
    t.strictSame(p.get(ask), want, name);
    t.equal(p.has(ask), want !== undefined, `${name} (has)`);
  }
});

t.test('values between 2^63 and 2^64-1 stay exact', async (t) => {
  const v: (number | string)[] = range(1, 16);
  v[0] = '18446744073709551615';
  v[8] = '9223372036854775808';
  v[15] = '18446744073709551614';
  const p = new ProcNetDev(file(dev('eth0', v)));
  t.strictSame(p.get('eth0'), counters([18446744073709551615n, ...big(2).slice(0, 7), 9223372036854775808n, ...big(10).slice(0, 6), 18446744073709551614n]));
});

t.test('a malformed line is an error for that device only', async (t) => {
  const withToken = (i: number, tok: string) => {
    const v: (number | string)[] = range(501, 16);
    v[i] = tok;
    return v;
  };
  const cases: [string, string, RegExp][] = [
    ['15 fields', dev('bad0', range(501, 15)), /device bad0: expected 16 counters, found 15$/],
    ['17 fields', dev('bad0', range(501, 17)), /device bad0: expected 16 counters, found 17$/],
    ['truncated line', 'bad0:  501  502', /device bad0: expected 16 counters, found 2$/],
    ['no counters at all', 'bad0:', /device bad0: expected 16 counters, found 1$/],
    ['negative', dev('bad0', withToken(3, '-1')), /device bad0: not an unsigned decimal integer: "-1"/],
    ['hex', dev('bad0', withToken(9, '0x10')), /device bad0: not an unsigned decimal integer: "0x10"/],
    ['garbage', dev('bad0', withToken(15, 'n/a')), /device bad0: not an unsigned decimal integer: "n\/a"/],
    ['above 2^64-1', dev('bad0', withToken(0, '18446744073709551616')), /device bad0: value exceeds 2\^64-1: 18446744073709551616/],
  ];
  for (const [name, line, message] of cases) {
    const p = new ProcNetDev(file(dev('lo', range(1, 16)), line, dev('eth0', range(101, 16))));
    t.equal(p.has('bad0'), true, `${name}: listed`);
    isParseError(t, p.get('bad0'), message, name);
    t.strictSame(p.get('lo'), counters(big(1)), `${name}: device before still parses`);
    t.strictSame(p.get('eth0'), counters(big(101)), `${name}: device after still parses`);
  }
});

t.test('errors carry the given source', async (t) => {
  const p = new ProcNetDev(file(dev('bad0', range(1, 15))), '/proc/20728/net/dev');
  t.equal(p.source, '/proc/20728/net/dev');
  isParseError(t, p.get('bad0'), /^\/proc\/20728\/net\/dev: device bad0: expected 16 counters, found 15$/, 'custom source', '/proc/20728/net/dev');
});

t.test('a device listed twice is an error', async (t) => {
  const cases: [string, string[]][] = [
    ['identical lines', [dev('vif1.0', range(1, 16)), dev('eth0', range(101, 16)), dev('vif1.0', range(1, 16))]],
    ['different lines', [dev('vif1.0', range(1, 16)), dev('eth0', range(101, 16)), dev('vif1.0', range(201, 16))]],
    ['old and new format', ['vif1.0:1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16', dev('eth0', range(101, 16)), dev('vif1.0', range(201, 16))]],
  ];
  for (const [name, lines] of cases) {
    const p = new ProcNetDev(file(...lines));
    isParseError(t, p.get('vif1.0'), /device vif1\.0 listed twice/, name);
    t.strictSame(p.names(), ['vif1.0', 'eth0'], `${name}: names lists it once`);
    t.strictSame(p.get('eth0'), counters(big(101)), `${name}: other device still parses`);
  }
});

t.test('unlisted devices and repeated lookups', async (t) => {
  const p = new ProcNetDev(file(dev('eth0', range(1, 16)), dev('bad0', range(1, 3)), ''));
  t.equal(p.get('eth1'), undefined, 'unlisted device');
  t.equal(p.has('eth1'), false, 'has unlisted');
  const first = p.get('eth0');
  t.equal(p.get('eth0'), first, 'the same parsed object is returned again');
  const err = p.get('bad0');
  t.equal(p.get('bad0'), err, 'the same error is returned again');
  t.strictSame(p.names(), ['eth0', 'bad0'], 'blank trailing line ignored');
});

t.test('header lines only: no devices', async (t) => {
  const p = new ProcNetDev(`${H1}\n${H2}\n`);
  t.strictSame(p.names(), []);
  t.equal(p.get('lo'), undefined);
});

t.test('missing header lines throw', async (t) => {
  const bad = { name: 'ParseError', code: 'PARSE', source: '/proc/net/dev', message: /missing the two header lines/ };
  const cases: [string, string][] = [
    ['empty', ''],
    ['only a newline', '\n'],
    ['garbage', 'garbage\n'],
    ['no header at all', `${dev('lo', range(1, 16))}\n${dev('eth0', range(101, 16))}\n`],
    ['second header line missing', `${H1}\n${dev('lo', range(1, 16))}\n`],
    ['first header line missing', `${H2}\n${dev('lo', range(1, 16))}\n`],
    ['first header line only', `${H1}\n`],
  ];
  for (const [name, text] of cases) t.throws(() => new ProcNetDev(text), bad, name);
});

t.test('the captured /proc/net/dev', async (t) => {
  const p = new ProcNetDev(fs.readFileSync(fixture('libvirt9-qemu7-hybrid-cgroup', 'proc/net/dev'), 'utf8'));
  t.strictSame(p.names(), ['lo', 'ifb0', 'ifb1', 'eth0', 'tapbusy0', 'tapbusy1', 'tapidle0'], 'names');
  const z = 0n;
  const cases: [string, ProcNetDevLine][] = [
    ['lo', counters([3193n, 29n, z, z, z, z, z, z, 3193n, 29n, z, z, z, z, z, z])],
    ['ifb0', counters(Array<bigint>(16).fill(z))],
    ['ifb1', counters(Array<bigint>(16).fill(z))],
    ['eth0', counters([221893387n, 7188n, z, z, z, z, z, z, 654023n, 5060n, z, z, z, z, z, z])],
    ['tapbusy0', counters([1650n, 31n, z, z, z, z, z, z, 726n, 9n, z, z, z, z, z, z])],
    ['tapbusy1', counters([1830n, 33n, z, z, z, z, z, z, 726n, 9n, z, z, z, z, z, z])],
    ['tapidle0', counters([z, z, z, z, z, z, z, z, 90n, 1n, z, z, z, z, z, z])],
  ];
  for (const [name, want] of cases) t.strictSame(p.get(name), want, name);
  t.equal(p.get('tapbusy'), undefined, 'prefix of tapbusy0 is not a device');
});
