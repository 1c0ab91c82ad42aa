// top's table fitted to a terminal width: numbers never cut, names cut first (display columns:
// wide characters count two), then columns dropped in order, then lines cut as a last resort.
import t from 'tap';
import { displayWidth, fitTable, truncate, type TableColumn } from '../../src/export/fit-table.js';

const cols = (names: string[]): TableColumn[] => [
  { head: 'ID', cells: names.map((_, i) => String(i + 1)), align: 'right' },
  { head: 'RXBY/s', cells: names.map(() => '1.5M'), align: 'right', dropOrder: 2 },
  { head: 'TIME', cells: names.map(() => '12:34.56'), align: 'right', dropOrder: 1 },
  { head: 'NAME', cells: names, align: 'left', minWidth: 10 },
];

t.test('truncate: display columns, an ellipsis when cut', async (t) => {
  t.equal(truncate('web-frontend-01', 20), 'web-frontend-01');
  t.equal(truncate('web-frontend-01', 8), 'web-fro…');
  t.equal(truncate('数据库服务器', 7), '数据库…', 'three wide characters (6 columns) and the ellipsis');
  t.equal(displayWidth(truncate('数据库服务器', 6)), 5, 'a wide character that would overflow is left out');
  t.equal(truncate('abc', 0), '');
});

t.test('fitTable: no width, every column at its natural size', async (t) => {
  t.same(fitTable(cols(['alpha', 'a-rather-long-name']), null), [
    'ID  RXBY/s      TIME  NAME',
    ' 1    1.5M  12:34.56  alpha',
    ' 2    1.5M  12:34.56  a-rather-long-name',
  ]);
});

t.test('fitTable: names give way first, then columns in their order', async (t) => {
  // ID 2 + RXBY/s 6 + TIME 8 + three gaps of 2 leave width - 22 for the names (natural 18, least 10).
  const names = ['alpha', 'a-rather-long-name'];
  const at = (w: number) => fitTable(cols(names), w);
  t.same(at(40)[2], ' 2    1.5M  12:34.56  a-rather-long-name', '40: everything whole');
  t.same(at(35)[2], ' 2    1.5M  12:34.56  a-rather-lon…', '35: the name cut to the 13 columns left');
  t.same(
    at(31),
    ['ID  RXBY/s  NAME', ' 1    1.5M  alpha', ' 2    1.5M  a-rather-long-name'],
    '31: 9 left, under the least: TIME goes, the name is whole again',
  );
  t.same(at(25)[2], ' 2    1.5M  a-rather-lon…', '25: the name cut again');
  t.same(at(21), ['ID  NAME', ' 1  alpha', ' 2  a-rather-long-na…'], '21: RXBY/s goes too');
  t.same(at(8), ['ID  NAME', ' 1  alp…', ' 2  a-r…'], '8: narrower than the kept columns: lines cut');
  const keepRx = cols(names).map((c) => (c.head === 'RXBY/s' ? { head: c.head, cells: c.cells, align: c.align } : c));
  t.same(fitTable(keepRx, 22), ['ID  RXBY/s  NAME', ' 1    1.5M  alpha', ' 2    1.5M  a-rather-…'], 'a column without a drop order stays (the sort column)');
});

t.test('fitTable: wide characters measured in columns', async (t) => {
  const lines = fitTable(cols(['数据库服务器-primary', 'web']), 30);
  for (const l of lines) t.ok(displayWidth(l) <= 30, `${JSON.stringify(l)} is ${displayWidth(l)} columns`);
  t.equal(lines[1], ' 1    1.5M  数据库服务器-prim…', 'TIME dropped, the name cut to 18 columns');
});
