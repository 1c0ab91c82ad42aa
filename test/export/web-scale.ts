/// <reference lib="dom" />
// The web page at 1000 domains (a simulated Xen host, two minutes of history on virtual clocks,
// served in-process), in Chromium: every row is there with the overview's figures, search by name
// and by uuid narrows the table to exactly the matching rows as each character is typed, sorting
// orders all 1000, and a Xen domain's charts are its families. No timing here: `npm run bench`
// section (h) measures the load and the search.
import t from 'tap';
import { StatsServer } from '../../src/export/http-server.js';
import { ReadOnlyStore } from '../../src/export/read-store.js';
import { servedFrom } from '../helpers/served.js';
import { exportInputOf } from '../../src/export/records.js';
import { openDatabase } from '../../src/store/db.js';
import { formatValue, presentation } from '../../src/export/units.js';
import type { Overview } from '../../src/export/overview.js';
import { openPage, readCharts } from '../helpers/browser.js';
import { simHistory } from '../helpers/sim-history.js';
import type { Page } from 'playwright-core';

const N = 1000;

const shownRows = (page: Page) =>
  page.$$eval('#rows .row', (trs) => trs.filter((tr) => getComputedStyle(tr).display !== 'none').map((tr) => (tr as HTMLElement).dataset.name ?? ''));
/** Waits until the table says it shows n rows (set once a filter has been applied). */
const shown = (page: Page, n: number) =>
  page.waitForFunction((want) => document.getElementById('domains')?.dataset.shown === String(want), n, { timeout: 30_000 });

t.test(`web page with ${N} domains`, async (t) => {
  const h = await simHistory(t, { kind: 'xen', domains: N, ticks: 14, stepMs: 10_000 });
  const last = h.times[h.times.length - 1]!;
  const server = new StatsServer({ tick: servedFrom(() => exportInputOf(h.agent.latest!)), store: new ReadOnlyStore(h.dbFile) });
  const at = await server.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => server.close());
  const base = `http://127.0.0.1:${at.port}`;
  const db = openDatabase(h.dbFile, { readonly: true });
  t.teardown(() => db.close());
  const names = h.sim.domains.map((d) => d.name);
  const o = (await (await fetch(`${base}/api/overview`)).json()) as Overview;
  t.equal(o.domains.length, N, `/api/overview: ${N} domains`);

  const { page, problems } = await openPage(t, h.dir);
  await page.goto(`${base}/`);
  await shown(page, N);
  t.equal(await page.textContent('#count'), `${N} domains`);
  const B = presentation('bytes/s', 'x');
  const cells = await page.$$eval('#rows .row', (trs) =>
    trs.map((tr) => [
      (tr as HTMLElement).dataset.name ?? '',
      tr.querySelector('[role="cell"][data-col="disk"]')?.textContent ?? '',
      tr.querySelector('[role="cell"][data-col="net"]')?.textContent ?? '',
    ]),
  );
  const want = new Map(o.domains.map((d) => [d.name, [d.name, formatValue(d.disk, B), formatValue(d.net, B)]]));
  t.same(
    cells.filter((c) => JSON.stringify(c) !== JSON.stringify(want.get(c[0]!))),
    [],
    `all ${N} rows show the overview's disk and network figures`,
  );
  // One domain's figure against the raw rows (Xen: no CPU without the hypervisor).
  const d777 = names[776]!;
  const disk = db.prepare('SELECT sum(rd_bytes + wr_bytes) FROM block_rate WHERE domain = ? AND ts = ?').pluck().get(d777, last) as number;
  t.equal(cells.find((c) => c[0] === d777)?.[1], formatValue(disk, B), `${d777}'s disk: the raw rows' rate, ${formatValue(disk, B)}`);

  // Search as you type: every character narrows the table to exactly the matching rows.
  const typed: [string, number][] = [];
  for (const ch of 'sim-09') {
    await page.type('#search', ch);
    const q = await page.inputValue('#search');
    const n = names.filter((x) => x.includes(q)).length;
    await shown(page, n);
    typed.push([q, n]);
  }
  t.same(
    typed,
    [
      ['s', N],
      ['si', N],
      ['sim', N],
      ['sim-', N],
      ['sim-0', 999],
      ['sim-09', 100],
    ],
    'each character: the matching count',
  );
  t.same(
    (await shownRows(page)).sort(),
    names.filter((x) => x.startsWith('sim-09')),
    'sim-0900 to sim-0999',
  );
  const uuid = h.sim.domains[776]!.uuid;
  await page.fill('#search', uuid.slice(-12));
  await shown(page, 1);
  t.same(await shownRows(page), [d777], `by uuid: ${d777}`);
  await page.fill('#search', '');
  await shown(page, N);
  t.pass('cleared: all rows');

  await page.click('#head [data-sort="name"]');
  const byName = await shownRows(page);
  t.same([byName.length, byName[0], byName[N - 1]], [N, 'sim-0001', 'sim-1000'], 'sorted by name: all of them');
  await page.click('#head [data-sort="disk"]');
  const byDisk = await shownRows(page);
  const disks = new Map(o.domains.map((d) => [d.name, d.disk ?? -1]));
  t.ok(
    byDisk.every((n, i) => i === 0 || disks.get(byDisk[i - 1]!)! >= disks.get(n)!),
    'sorted by disk: largest first, all of them',
  );

  // A Xen domain's charts.
  await page.click(`#rows .row[data-name="${d777}"] a`);
  await page.waitForFunction((want) => document.getElementById('charts')?.dataset.loaded === want, `#domain=${d777}&range=15m`, { timeout: 30_000 });
  t.same(
    (await readCharts(page)).map((c) => c.title),
    ['Memory', 'Network bytes (guest view)', 'Network packets', 'Network errors and drops', 'Disk bytes', 'Disk requests (IOPS)', 'Disk errors'],
    'a Xen domain: no CPU or vCPU times (they need the hypervisor); disk errors (blkback oo_req)',
  );
  t.same(problems, [], 'no console errors, page errors or failed requests');
});
