// Names and paths from domain XML can hold any character XML allows: a newline, a C1 control, a
// line separator. No command's line-based output may let one end a line and forge another.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixture, runCli } from '../helpers/cli.js';
import { safeCell } from '../../src/export/virsh-text.js';

const ROOT = fixture('xen-4.x-pv-libxl');
// A shut-off definition (no backend files needed): a name with a newline and a forged header, a
// disk whose path holds a newline and a forged counter line, and an interface name with C1 and U+2028.
const XML = `<domain type="xen">
  <name>evil&#10;Id Name State&#x85;x&#x2028;y</name>
  <uuid>5b2c9f3e-0d6a-4c8e-9f1e-2a7b3c4d5e6f</uuid>
  <memory>262144</memory>
  <devices>
    <disk type="file" device="disk"><source file="/img&#10;  block.0.rd.bytes=0"/><target dev="xvda"/></disk>
    <interface type="bridge"><target dev="vif&#x85;0"/><mac address="00:16:3e:00:00:01"/></interface>
  </devices>
</domain>
`;
const NAME = 'evil\nId Name State\u0085x\u2028y';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'domstat-names-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.writeFileSync(path.join(dir, 'evil.xml'), XML);
const common = ['--root', ROOT, '--xml-dir', dir];
/** Lines that are not whole: a line break of any kind inside what should be one line. */
const BREAKS = /[\n\r\u0085\u2028\u2029]/;

t.test('virsh table encoding: controls, C1, line separators and a backslash before x as \\xNN per byte', async (t) => {
  t.equal(safeCell('a\nb'), 'a\\x0ab');
  t.equal(safeCell('a\u0085b\u2028c'), 'a\\xc2\\x85b\\xe2\\x80\\xa8c');
  t.equal(safeCell('a\\x41 \\n'), 'a\\x5cx41 \\n', 'a backslash before x is escaped, other backslashes are not');
  t.equal(safeCell('ordinary-name_1 é 日本'), 'ordinary-name_1 é 日本', 'printable text unchanged');
});

t.test('domstats: the name and the disk path stay on their lines', async (t) => {
  const r = await runCli(['domstats', NAME, '--state', '--block', ...common]);
  t.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  t.equal(lines[0], "Domain: 'evil\\x0aId Name State\\xc2\\x85x\\xe2\\x80\\xa8y'");
  t.ok(lines.includes('  block.0.path=/img\\x0a  block.0.rd.bytes=0'), 'the path is one encoded line');
  t.notOk(
    lines.some((l) => l === '  block.0.rd.bytes=0'),
    'no forged counter line',
  );
  for (const l of lines) t.notMatch(l, BREAKS, `no line break inside ${JSON.stringify(l)}`);
});

t.test('list, domblklist, domiflist: one row per record', async (t) => {
  const list = await runCli(['list', '--all', ...common]);
  t.equal(list.code, 0, list.err);
  const row = list.out.split('\n').find((l) => l.includes('evil'));
  t.match(row, /^ -\s+evil\\x0aId Name State\\xc2\\x85x\\xe2\\x80\\xa8y\s+shut off$/);
  t.notOk(
    list.out.split('\n').some((l) => l.startsWith('Id Name State')),
    'no forged header row',
  );
  const blk = await runCli(['domblklist', NAME, ...common]);
  t.equal(blk.code, 0, blk.err);
  t.match(blk.out, / xvda\s+\/img\\x0a {2}block\.0\.rd\.bytes=0\n/);
  const ifl = await runCli(['domiflist', NAME, ...common]);
  t.equal(ifl.code, 0, ifl.err);
  t.match(ifl.out, / vif\\xc2\\x850\s/);
  for (const out of [list.out, blk.out, ifl.out]) t.notMatch(out.replace(/\n/g, ''), BREAKS, 'no line break but the rows’ own');
});

t.test('inspect: C escapes for every name and path', async (t) => {
  const r = await runCli(['inspect', path.join(dir, 'evil.xml')]);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /name evil\\nId Name State\\x85x\\u\{2028\}y /);
  t.match(r.out, /source \/img\\n {2}block\.0\.rd\.bytes=0/);
  t.equal(r.out.split('\n').length, 6, 'file, two summary lines, a disk and an interface line, and the end');
});
