// `domstat agent --dry-run`: the projection of a configuration's database size, from the host's
// own devices (or --domains of the benchmark's shape) and measured bytes per bucket.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { runCli, fixture } from '../helpers/cli.js';
import { capture, tdir } from '../helpers/store.js';
import { Agent } from '../../src/agent/agent.js';
import { openDatabase } from '../../src/store/db.js';
import { measuredFrom, MEASURED, project, seriesOf } from '../../src/store/projection.js';
import { DEFAULT_RETENTION, formatBytes } from '../../src/store/retention.js';
import { storeStats } from '../../src/store/stats.js';

const TREE = fixture('libvirt9-qemu7-hybrid-cgroup');
/** Size cells of the table: raw, 1m, 1h, total. */
const sizes = (out: string) => [...out.matchAll(/^ (raw ticks.*|1-minute.*|1-hour.*|total.*?) {2,}.* (\d+(?:\.\d)? [KMGT]?i?B)$/gm)].map((m) => m[2]);

t.test('--domains 100 at the defaults: the benchmark figures, and it fits the 4 GiB cap', async (t) => {
  const r = await runCli(['agent', '--dry-run', '--domains', '100', '--db', path.join(tdir(t), 'none.db')]);
  t.equal(r.code, 0, r.err);
  const series = seriesOf({ domain: 100, vcpu: 200, net: 200, block: 200, host: 1 });
  t.match(r.out, `${series} series`);
  const p = project({ series, intervalS: 10, retention: DEFAULT_RETENTION }, MEASURED.at10s);
  t.strictSame(
    sizes(r.out),
    [formatBytes(p.bytes.raw), formatBytes(p.bytes['1m']), formatBytes(p.bytes['1h']), formatBytes(p.total)],
    'each tier and the total',
  );
  t.ok(p.total <= 4 * 2 ** 30, `${formatBytes(p.total)} within 4 GiB`);
  t.match(r.out, /Fits the 4\.0 GiB cap/);
  t.match(r.out, `${MEASURED.at10s.raw.toFixed(2)} B (npm run bench)`);
});

t.test('--cgroup-io --numa: their series come in, and 100 domains no longer fit the 4 GiB cap', async (t) => {
  const r = await runCli(['agent', '--dry-run', '--domains', '100', '--cgroup-io', '--numa', '--db', path.join(tdir(t), 'none.db')]);
  t.equal(r.code, 0, r.err);
  const series = seriesOf({ domain: 100, vcpu: 200, net: 200, block: 200, cgroup_io: 300, numa: 200, host: 1 });
  t.equal(series - seriesOf({ domain: 100, vcpu: 200, net: 200, block: 200, host: 1 }), 2200, '22 series more per domain: 3 host devices × 6, 2 nodes × 2');
  t.match(r.out, `${series} series`);
  t.match(r.out, 'I/O to 3 host devices (its 2 disks and the disk under them), 2 NUMA nodes each');
  const p = project({ series, intervalS: 10, retention: DEFAULT_RETENTION }, MEASURED.at10s);
  t.equal(sizes(r.out)[3], formatBytes(p.total));
  t.ok(p.total > 4 * 2 ** 30, `${formatBytes(p.total)}: past 4 GiB, which is why they are asked for, not sampled by default`);
  t.match(r.out, /Does not fit the 4\.0 GiB cap/);
});

t.test("the host's own devices: the series one agent tick stores", async (t) => {
  const dir = tdir(t);
  const r = await runCli(['agent', '--dry-run', '--root', TREE, '--db', path.join(dir, 'dry.db')]);
  t.equal(r.code, 0, r.err);
  t.notOk(fs.existsSync(path.join(dir, 'dry.db')), 'a dry run creates no database');
  const dbFile = path.join(dir, 'real.db');
  const agent = new Agent({ root: TREE, dbFile, intervalMs: 10_000, quiet: true, io: capture() });
  await agent.open();
  t.match(agent.tick(), { ok: true });
  await agent.close();
  const db = openDatabase(dbFile, { readonly: true });
  const stored = storeStats(db).series;
  db.close();
  t.match(r.out, new RegExp(`^History of the 2 domains under .* now and the host: ${stored} series`), `${stored} series, as the agent stores them`);
});

t.test('a cap the configuration does not fit: what the cap keeps, what it never cuts, the size that fits', async (t) => {
  const r = await runCli(['agent', '--dry-run', '--domains', '1000', '--interval', '1', '--db', path.join(tdir(t), 'none.db')]);
  t.equal(r.code, 0, r.err);
  t.match(
    r.out,
    /Does not fit the 4\.0 GiB cap \(--max-size\): once full, the cap keeps raw ticks \(every 1 s\) 60 minutes instead of 2 days, 1-minute rollups 24 hours instead of 90 days, 1-hour rollups [\d.]+ days instead of 730 days\./,
  );
  t.notMatch(r.out, /Even what/, 'what the cap never cuts fits 4 GiB');
  const total = sizes(r.out)[3]!;
  t.match(r.out, `--max-size ${Math.ceil(Number(total.split(' ')[0]))}G keeps everything configured`);
  const small = await runCli(['agent', '--dry-run', '--root', TREE, '--max-size', '20M', '--db', path.join(tdir(t), 'none.db')]);
  t.match(small.out, /Does not fit the 20\.0 MiB cap .*1-minute rollups [\d.]+ days instead of 90 days\.\n--max-size \d+M keeps everything configured/);
  t.notMatch(small.out, /Even what/, 'the floors fit 20 MiB');
  const tiny = await runCli(['agent', '--dry-run', '--domains', '100', '--max-size', '30M', '--db', path.join(tdir(t), 'none.db')]);
  t.match(tiny.out, /Even what the cap never cuts \(raw ticks 1 hour, minutes 1 day, hours 7 days\) needs [\d.]+ MiB: the database will grow past the cap\./);
});

t.test('a database with an hour of history: its own bytes per bucket', async (t) => {
  const file = path.join(tdir(t), 'v1.db');
  const v1 = new Database(file);
  v1.exec(fs.readFileSync(fixture('store-v1', 'domstat-v1.sql'), 'utf8'));
  v1.close();
  openDatabase(file).close(); // migrated to the current schema
  const db = openDatabase(file, { readonly: true });
  const own = measuredFrom(storeStats(db));
  db.close();
  t.ok(own.raw !== undefined && own['1m'] !== undefined && own['1h'] === undefined, '70 minutes: raw and minutes measured, hours not yet');
  const r = await runCli(['agent', '--dry-run', '--domains', '10', '--db', file]);
  t.match(r.out, `${own.raw!.toFixed(2)} B (${file})`);
  t.match(r.out, `${own['1m']!.toFixed(2)} B (${file})`);
  t.match(r.out, new RegExp(`${MEASURED.at10s['1h'].toFixed(2)} B \\(npm run bench\\)\\s+[\\d.]+ [KMG]iB\\n total`));
});

t.test('--domains without --dry-run is refused', async (t) => {
  const r = await runCli(['agent', '--domains', '3', '--db', path.join(tdir(t), 'x.db')]);
  t.equal(r.code, 1);
  t.equal(r.err, 'error: --domains: only with --dry-run\n');
});

t.test('--keep-minutes under an hour: an hour, as the agent keeps them', async (t) => {
  const r = await runCli(['agent', '--dry-run', '--domains', '10', '--keep-minutes', '10m', '--db', path.join(tdir(t), 'none.db')]);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /^ 1-minute rollups\s+60 minutes\s/m);
});
