import t from 'tap';
import { ParseError, U64_MAX, parseFixedDecimal, parseSingleU64, parseU64 } from '../../src/kernel/u64.js';

const SRC = '/sys/test/attr';
const notU64 = { name: 'ParseError', code: 'PARSE', source: SRC, message: /^\/sys\/test\/attr: not an unsigned decimal integer/ };
const cut = { name: 'ParseError', code: 'PARSE', source: SRC, message: /^\/sys\/test\/attr: (truncated \(no final newline\)|empty)$/ };
const tooBig = { name: 'ParseError', code: 'PARSE', source: SRC, message: /^\/sys\/test\/attr: value exceeds 2\^64-1/ };
const notDecimal = { name: 'ParseError', code: 'PARSE', source: SRC, message: /^\/sys\/test\/attr: not a decimal number/ };

t.test('U64_MAX is 2^64-1', async (t) => {
  t.equal(U64_MAX, 18446744073709551615n);
});

t.test('ParseError carries code, name, source and a source-prefixed message', async (t) => {
  const e = new ParseError('boom', '/proc/x');
  t.ok(e instanceof Error, 'is an Error');
  t.equal(e.name, 'ParseError');
  t.equal(e.code, 'PARSE');
  t.equal(e.source, '/proc/x');
  t.equal(e.message, '/proc/x: boom');
});

t.test('parseU64 accepts base-10 u64 tokens exactly', async (t) => {
  const cases: [string, string, bigint][] = [
    ['zero', '0', 0n],
    ['one', '1', 1n],
    ['leading zeros', '007', 7n],
    ['2^53 + 1 (beyond Number precision)', '9007199254740993', 9007199254740993n],
    ['2^63 - 1', '9223372036854775807', 9223372036854775807n],
    ['2^63', '9223372036854775808', 9223372036854775808n],
    ['2^64 - 2', '18446744073709551614', 18446744073709551614n],
    ['2^64 - 1', '18446744073709551615', 18446744073709551615n],
  ];
  for (const [name, token, want] of cases) t.equal(parseU64(token, SRC), want, name);
});

t.test('parseU64 rejects anything that is not a plain u64', async (t) => {
  const cases: [string, string][] = [
    ['empty', ''],
    ['leading space', ' 12'],
    ['trailing space', '12 '],
    ['trailing newline', '12\n'],
    ['negative', '-1'],
    ['negative zero', '-0'],
    ['plus sign', '+1'],
    ['hex', '0x10'],
    ['exponent', '1e3'],
    ['fraction', '1.5'],
    ['digit separator', '1_000'],
    ['garbage', 'abc'],
    ['fullwidth digits', '\uff11\uff12'],
    ['absurdly long', '9'.repeat(30)],
  ];
  for (const [name, token] of cases) t.throws(() => parseU64(token, SRC), notU64, name);
});

t.test('parseU64 rejects values above 2^64-1', async (t) => {
  const cases: [string, string][] = [
    ['2^64', '18446744073709551616'],
    ['2^64 + 1000', '18446744073709552616'],
    ['21 digits', '100000000000000000000'],
  ];
  for (const [name, token] of cases) t.throws(() => parseU64(token, SRC), tooBig, name);
});

t.test('parseSingleU64 reads a whole one-value file', async (t) => {
  const cases: [string, string, bigint][] = [
    ['with newline', '12\n', 12n],
    ['zero', '0\n', 0n],
    ['2^63', '9223372036854775808\n', 9223372036854775808n],
    ['2^64 - 1', '18446744073709551615\n', 18446744073709551615n],
  ];
  for (const [name, text, want] of cases) t.equal(parseSingleU64(text, SRC), want, name);
});

t.test('parseSingleU64 rejects bad files', async (t) => {
  const cases: [string, string, typeof notU64][] = [
    ['empty', '', cut],
    ['without newline: cut short', '12', cut],
    ['only a newline', '\n', notU64],
    ['leading space', ' 12\n', notU64],
    ['trailing space', '12 \n', notU64],
    ['two newlines', '12\n\n', notU64],
    ['CRLF', '12\r\n', notU64],
    ['two values', '1 2\n', notU64],
    ['negative', '-1\n', notU64],
    ['hex', '0x10\n', notU64],
    ['garbage', 'max\n', notU64],
    ['2^64', '18446744073709551616\n', tooBig],
  ];
  for (const [name, text, want] of cases) t.throws(() => parseSingleU64(text, SRC), want, name);
});

t.test('parseFixedDecimal scales a decimal to exact integer units', async (t) => {
  const cases: [string, string, number, bigint][] = [
    ['ms with 6 decimals to ns', '123.456789', 6, 123456789n],
    ['smallest unit', '0.000001', 6, 1n],
    ['zero', '0.000000', 6, 0n],
    ['no fraction', '42', 6, 42000000n],
    ['short fraction is padded', '1.5', 6, 1500000n],
    ['leading zeros in fraction kept', '7.000010', 6, 7000010n],
    ['scale 3', '12.345', 3, 12345n],
    ['scale 0', '12', 0, 12n],
    ['2^64 - 1 units', '18446744073709.551615', 6, 18446744073709551615n],
    ['2^63 units', '9223372036854.775808', 6, 9223372036854775808n],
  ];
  for (const [name, token, scale, want] of cases) t.equal(parseFixedDecimal(token, scale, SRC), want, name);
});

t.test('parseFixedDecimal rejects non-decimals', async (t) => {
  const cases: [string, string][] = [
    ['empty', ''],
    ['no integer part', '.5'],
    ['no fraction digits', '1.'],
    ['negative', '-1.000000'],
    ['plus sign', '+1.0'],
    ['two dots', '1.2.3'],
    ['leading space', ' 1.0'],
    ['trailing space', '1.0 '],
    ['comma', '1,5'],
    ['hex', '0x10'],
    ['exponent', '1e3'],
    ['garbage', 'nan'],
  ];
  for (const [name, token] of cases) t.throws(() => parseFixedDecimal(token, 6, SRC), notDecimal, name);
});
