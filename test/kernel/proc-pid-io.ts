import * as fs from 'node:fs';
import t from 'tap';
import { PROC_IO_FIELDS, PROC_IO_KEYS, parseProcPidIo, type ProcIo } from '../../src/kernel/proc-pid-io.js';
import { fixture } from '../helpers/cli.js';

const SRC = '/proc/20728/io';
const bad = (message: RegExp) => ({ name: 'ParseError', code: 'PARSE', source: SRC, message });

t.test('the seven kernel fields in file order, each its extra.io key', async (t) => {
  const fields = ['rchar', 'wchar', 'syscr', 'syscw', 'read_bytes', 'write_bytes', 'cancelled_write_bytes'];
  t.strictSame([...PROC_IO_FIELDS], fields);
  t.strictSame(
    PROC_IO_KEYS.map((k) => [k.key, k.from, k.factor]),
    fields.map((f) => [`extra.io.${f}`, [f], 1]),
  );
});

t.test('reads all seven fields, each distinct', async (t) => {
  const text = 'rchar: 101\nwchar: 102\nsyscr: 103\nsyscw: 104\nread_bytes: 105\nwrite_bytes: 106\ncancelled_write_bytes: 107\n';
  t.strictSame(parseProcPidIo(text, SRC), {
    rchar: 101n,
    wchar: 102n,
    syscr: 103n,
    syscw: 104n,
    read_bytes: 105n,
    write_bytes: 106n,
    cancelled_write_bytes: 107n,
  });
});

t.test('accepted variants', async (t) => {
  const cases: [string, string, ProcIo][] = [
    ['without task accounting only the char counters', 'rchar: 5\nwchar: 6\nsyscr: 7\nsyscw: 8\n', { rchar: 5n, wchar: 6n, syscr: 7n, syscw: 8n }],
    ['unknown keys ignored', 'rchar: 1\nfuture_field: 99\n', { rchar: 1n }],
    ['2^63 and 2^64-1', 'rchar: 9223372036854775808\nwchar: 18446744073709551615\n', { rchar: 9223372036854775808n, wchar: 18446744073709551615n }],
  ];
  for (const [name, text, want] of cases) t.strictSame(parseProcPidIo(text, SRC), want, name);
});

t.test('the captured /proc/20728/io', async (t) => {
  const text = fs.readFileSync(fixture('libvirt9-qemu7-hybrid-cgroup', 'proc/20728/io'), 'utf8');
  t.strictSame(parseProcPidIo(text, SRC), {
    rchar: 15878017n,
    wchar: 2469103n,
    syscr: 55466n,
    syscw: 201946n,
    read_bytes: 10416640n,
    write_bytes: 946176n,
    cancelled_write_bytes: 0n,
  });
});

t.test('rejects bad input', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['empty', '', /empty/],
    ['cut short', 'rchar: 1\nwchar: 2', /truncated \(no final newline\)/],
    ['no known key', 'x: 1\n', /none of rchar, wchar/],
    ['garbage', 'permission denied\n', /none of rchar, wchar/],
    ['truncated line', 'rchar: 1\nwchar:\n', /malformed line/],
    ['two values', 'rchar: 1 2\n', /malformed line/],
    ['repeated key', 'rchar: 1\nrchar: 2\n', /rchar repeated/],
    ['negative', 'rchar: -1\n', /not an unsigned decimal integer/],
    ['hex', 'rchar: 0x10\n', /not an unsigned decimal integer/],
    ['above 2^64-1', 'read_bytes: 18446744073709551616\n', /exceeds 2\^64-1/],
  ];
  for (const [name, text, message] of cases) t.throws(() => parseProcPidIo(text, SRC), bad(message), name);
});
