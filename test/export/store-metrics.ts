// The domstat_store_* gauges on /metrics: every value equal to what storeStats and tierSpans read
// from the same database (all three tiers holding data), the configuration as given, the tiers the
// cap cut; sizes absent until measured, no cap absent; promtool accepts the exposition.
import t from 'tap';
import { HistoryWriter } from '../../src/store/writer.js';
import { storeStats, tierSpans } from '../../src/store/stats.js';
import { ReadOnlyStore } from '../../src/export/read-store.js';
import { StoreGauges, type StoreConfig } from '../../src/export/store-metrics.js';
import { TickCache } from '../../src/export/tick-cache.js';
import { device, domain, freshDb } from '../helpers/store.js';
import { find, parseExposition, promtoolCheck } from '../helpers/prom.js';

const H0 = 1_699_999_200_000; // the start of an hour
const CONFIG: StoreConfig = { maxBytes: 3 * 1024 ** 3, retentionMs: { raw: 2 * 86_400_000, '1m': 30 * 86_400_000, '1h': 400 * 86_400_000 } };
const TICK = { records: [], problems: [], ts: H0 + 7_300_000, collectUs: 1234, storeMs: 5.5, ticks: 42 };

t.test('store gauges equal storeStats and tierSpans of the database', async (t) => {
  const { db, file } = freshDb(t);
  const w = new HistoryWriter(db);
  let last: number | null = null;
  // Ticks every 10 s for 3 minutes, then two an hour later: raw, minute and hour tiers all hold data.
  for (const ts of [...Array.from({ length: 19 }, (_, i) => H0 + i * 10_000), H0 + 3_600_000, H0 + 3_610_000]) {
    w.write({
      ts,
      mono: ts - H0 + 1,
      dt: last === null ? null : ts - last,
      collectUs: 7,
      domains: [domain('u-web', 'web', 3, [device(w.map, 'domain', null, 'web', { cpu_time: BigInt(ts - H0) * 1000n, balloon_rss: 4096n })])],
    });
    last = ts;
  }
  w.flushOpen();
  const store = new ReadOnlyStore(file);
  t.teardown(() => store.close());
  const gauges = new StoreGauges(() => store.get(), CONFIG);
  gauges.cut = ['raw', '1m'];
  const cache = new TickCache(() => gauges.view());
  cache.update(TICK);
  const read = (c: TickCache) => parseExposition(c.metrics(false)!.toString(), false);

  const early = read(cache);
  t.strictSame(early.problems, []);
  t.same(find(early, 'domstat_store_tier_bytes'), [], 'sizes absent before their first measurement');
  t.same(find(early, 'domstat_store_file_bytes'), []);
  t.equal(find(early, 'domstat_store_tier_buckets', { tier: 'raw' })[0]?.value, '21', 'spans from the first render on');

  const measured = gauges.measure()!;
  const stats = storeStats(db);
  const spans = tierSpans(db);
  cache.update({ ...TICK, ticks: 43 });
  const body = cache.metrics(false)!.toString();
  const e = parseExposition(body, false);
  t.strictSame(e.problems, []);
  const value = (name: string, labels: Record<string, string> = {}) => {
    const s = find(e, name, labels);
    return s.length === 1 ? Number(s[0]!.value) : `${s.length} samples`;
  };
  t.equal(value('domstat_store_file_bytes'), stats.fileBytes, `file: ${stats.fileBytes} bytes`);
  t.equal(value('domstat_store_other_bytes'), stats.otherBytes);
  t.equal(value('domstat_store_max_bytes'), CONFIG.maxBytes);
  t.equal(value('domstat_store_sizes_timestamp_seconds'), measured.measuredAt / 1000);
  t.equal(value('domstat_store_sizes_duration_seconds'), measured.tookMs / 1000);
  for (const tier of ['raw', '1m', '1h'] as const) {
    const s = spans[tier];
    t.ok(s.span !== null && s.buckets > 0, `${tier} holds data`);
    t.equal(value('domstat_store_tier_bytes', { tier }), stats.tiers[tier].bytes, `${tier}: ${stats.tiers[tier].bytes} bytes`);
    t.equal(value('domstat_store_tier_buckets', { tier }), s.buckets, `${tier}: ${s.buckets} buckets`);
    t.equal(value('domstat_store_tier_oldest_timestamp_seconds', { tier }), s.span![0] / 1000);
    t.equal(value('domstat_store_tier_span_seconds', { tier }), (s.span![1] - s.span![0]) / 1000);
    t.equal(value('domstat_store_tier_retention_seconds', { tier }), CONFIG.retentionMs[tier] / 1000);
    t.equal(value('domstat_store_tier_cut_by_size_cap', { tier }), tier === '1h' ? 0 : 1);
  }
  t.strictSame([spans.raw.buckets, spans['1m'].buckets, spans['1h'].buckets], [21, 5, 2], '21 ticks; minutes 0-3 and the one an hour later; two hours');
  t.equal(value('domstat_store_tier_span_seconds', { tier: 'raw' }), 3610, 'raw: from the first tick to the last');
  const check = await promtoolCheck(body);
  t.equal(check.code, 0, `promtool check metrics: ${check.out.trim() || 'no complaints'}`);
  t.strictSame(
    parseExposition(cache.metrics(true)!.toString(), true).problems,
    [],
    'the OpenMetrics text reads back too (promtool checks the text format only)',
  );

  const uncapped = new StoreGauges(() => store.get(), { ...CONFIG, maxBytes: 0 });
  const c2 = new TickCache(() => uncapped.view());
  c2.update(TICK);
  t.same(find(read(c2), 'domstat_store_max_bytes'), [], 'no cap: no domstat_store_max_bytes');
});

t.test('an empty database: buckets 0, no span; no database: no store series', async (t) => {
  const { file } = freshDb(t, 'empty.db');
  const store = new ReadOnlyStore(file);
  t.teardown(() => store.close());
  const cache = new TickCache(() => new StoreGauges(() => store.get(), CONFIG).view());
  cache.update(TICK);
  const e = parseExposition(cache.metrics(false)!.toString(), false);
  t.strictSame(
    find(e, 'domstat_store_tier_buckets').map((s) => [s.labels.tier, s.value]),
    [
      ['raw', '0'],
      ['1m', '0'],
      ['1h', '0'],
    ],
  );
  t.same(find(e, 'domstat_store_tier_oldest_timestamp_seconds'), [], 'an empty tier has no oldest time');
  const none = new ReadOnlyStore(`${file}-missing`);
  const g = new StoreGauges(() => none.get(), CONFIG);
  t.equal(g.measure(), null, 'nothing to measure');
  t.strictSame(g.view().spans, null);
  t.equal(none.problem, `no database at ${file}-missing yet`);
});
