// A tick's way to the serving thread: packed, cloned as postMessage clones it (its readings'
// buffer transferred), unpacked: the same samples, records and exposition on the other side;
// definitions sent the first tick they appear in and forgotten on both sides when gone; shapes
// sent only when they change; readings of 2^53 and more exact; messages that do not fit refused.
import t from 'tap';
import { Connection } from '../../src/connection/connection.js';
import { readInventory } from '../../src/domains/inventory.js';
import { readKeyMap } from '../../src/store/key-map.js';
import type { DomainSample } from '../../src/sample/rows.js';
import { TickMessageError, TickPacker, TickUnpacker, type TickData, type TickMessage } from '../../src/export/tick-pack.js';
import { exportInputOf, sampleRecord } from '../../src/export/records.js';
import { renderMetrics } from '../../src/export/prometheus.js';
import { device, domain, freshDb, XEN } from '../helpers/store.js';

const inv = readInventory(new Connection({ root: XEN }).fs);
const [web1, db1, win1] = ['web1', 'db1', 'win1'].map((n) => inv.domains.find((d) => d.name === n)!);

/** What postMessage does to a message: a structured clone, the transferred buffers moved. */
const post = (p: { message: TickMessage; transfer: ArrayBuffer[] }) => structuredClone(p.message, { transfer: p.transfer });

/** Samples as plain data (views into one buffer compare equal to arrays of their own). */
const plain = (ss: readonly DomainSample[]) =>
  ss.map((s) => ({ ...s, devices: s.devices.map((d) => ({ ...d, values: Array.from(d.values), big: d.big === undefined ? null : [...d.big] })) }));

t.test('round trip, first tick and the next', async (t) => {
  const { db } = freshDb(t);
  const map = readKeyMap(db);
  const host = (n: number) => domain('@host', '@host', -1, [device(map, 'host', null, '@host', { mem_available: BigInt(8_000_000 + n) })], undefined);
  const webSample = (n: number) =>
    domain('3ef03971-0d42-55d8-9c52-4ca0e5e13c45', 'web1', 3, [
      device(map, 'domain', null, 'web1', { cpu_time: BigInt(1_000_000 * n + 7), balloon_rss: 4096n }),
      device(map, 'net', 0, 'vif3.0', { rx_bytes: BigInt(3000 + n), tx_bytes: 2n ** 60n + BigInt(n) }),
      device(map, 'block', 0, 'xvda', { rd_reqs: BigInt(50 + n) }, { path: '/dev/vg0/web1-root' }),
    ]);
  const dbSample = (n: number) => domain('u-db1', 'db1', 5, [device(map, 'domain', null, 'db1', { cpu_time: BigInt(2_000_000 * n + 11) })]);
  const tick = (n: number, domains = [web1!, db1!], samples = [webSample(n), dbSample(n)]): TickData => ({
    sample: {
      ts: 1_700_000_000_000 + 1000 * n,
      collectUs: 300 + n,
      domains,
      samples: [...samples, host(n)],
      problems: [{ domain: 'db1', key: 'c0ffee00-0000-4000-8000-0000000000d1', message: `problem ${n}` }],
    },
    map,
    storeMs: 1.5 + n,
    ticks: n,
    cutTiers: n > 2 ? ['raw'] : [],
    storeFile: n > 1 ? { dev: 2049, ino: 7_000_000 + n } : null,
  });
  const packer = new TickPacker();
  const unpacker = new TickUnpacker();

  const t1 = tick(1);
  const p1 = packer.pack(t1);
  t.strictSame(
    p1.message.newDomains.map(([id, d]) => [id, d.name]),
    [
      [1, 'web1'],
      [2, 'db1'],
    ],
    'the first tick sends both definitions',
  );
  t.not(p1.message.shape, null, 'and the shape');
  t.not(p1.message.columns, null, "and the row map's columns");
  const m1 = post(p1);
  t.equal(p1.message.values.byteLength, 0, 'the readings were transferred, not copied: the sender has none left');
  const u1 = unpacker.unpack(m1);
  t.strictSame(plain(u1.sample.samples), plain(t1.sample.samples), 'the same samples');
  t.same(u1.sample.domains, t1.sample.domains, 'the same definitions');
  const figures = (d: TickData) => [d.sample.ts, d.sample.collectUs, d.storeMs, d.ticks, d.sample.problems, d.cutTiers, d.storeFile];
  t.strictSame(figures(u1), figures(t1));
  t.equal(u1.sample.samples[0]!.devices[1]!.big?.get(map.byPattern.get('net.{i}.tx.bytes')!.pos), 2n ** 60n + 1n, 'a reading of 2^60 + 1, exact');
  const records = (d: TickData) => d.sample.domains.map((x, i) => sampleRecord(x, d.sample.samples[i]!, d.map));
  t.same(records(u1), records(t1), 'the same records, by the row map that came with them');
  t.equal(
    renderMetrics(exportInputOf(u1), false, 0).replace(/^domstat_scrape.*$/m, ''),
    renderMetrics(exportInputOf(t1), false, 0).replace(/^domstat_scrape.*$/m, ''),
  );

  const t2 = tick(2);
  const p2 = packer.pack(t2);
  t.strictSame(
    [p2.message.newDomains, p2.message.shape, p2.message.columns],
    [[], null, null],
    'the next tick: no definitions, no shape, no columns, readings only',
  );
  t.strictSame(plain(unpacker.unpack(post(p2)).sample.samples), plain(t2.sample.samples), 'its readings');

  // db1 gone, win1 new, web1 with a new disk: a new shape, win1's definition alone.
  const web3 = webSample(3);
  web3.devices.push(device(map, 'block', 1, 'xvdb1', { rd_reqs: 9n }));
  const t3 = tick(3, [web1!, win1!], [web3, domain('u-win1', 'win1', 9, [device(map, 'domain', null, 'win1', { cpu_time: 3n })])]);
  const p3 = packer.pack(t3);
  t.strictSame(
    p3.message.newDomains.map(([id, d]) => [id, d.name]),
    [[3, 'win1']],
    'a new domain: its definition',
  );
  t.not(p3.message.shape, null, 'a new shape');
  const u3 = unpacker.unpack(post(p3));
  t.strictSame(plain(u3.sample.samples), plain(t3.sample.samples));
  t.strictSame(
    u3.sample.domains.map((d) => d.name),
    ['web1', 'win1'],
  );
  t.strictSame(u3.cutTiers, ['raw']);

  const t4 = tick(4);
  const p4 = packer.pack(t4);
  t.strictSame(
    p4.message.newDomains.map(([id, d]) => [id, d.name]),
    [[4, 'db1']],
    'db1 back: sent again (both sides forgot it), under a new id',
  );
  t.strictSame(plain(unpacker.unpack(post(p4)).sample.samples), plain(t4.sample.samples));
});

t.test('messages that do not fit what came before are refused', async (t) => {
  const { db } = freshDb(t);
  const map = readKeyMap(db);
  const tick: TickData = {
    sample: { ts: 1, collectUs: 2, domains: [web1!], samples: [domain('k', 'web1', 3, [device(map, 'domain', null, 'web1', { cpu_time: 5n })])], problems: [] },
    map,
    storeMs: 3,
    ticks: 4,
    cutTiers: [],
    storeFile: null,
  };
  const m = post(new TickPacker().pack(tick));
  t.throws(() => new TickUnpacker().unpack({ ...m, newDomains: [] }), new TickMessageError('a tick names domain 1, never sent'));
  t.throws(() => new TickUnpacker().unpack({ ...m, shape: null }), new TickMessageError('a tick came without the shape of its samples'));
  t.throws(() => new TickUnpacker().unpack({ ...m, columns: null }), new TickMessageError('a tick came without the columns of its rows'));
  t.throws(() => new TickUnpacker().unpack({ ...m, values: new Float64Array(3) }), {
    message: /^internal error: serving: a tick's readings \(3\) do not fit its shape \(\d+\)$/,
  });
  t.throws(() => new TickUnpacker().unpack({ ...m, big: [[100_000, 1n]] }), new TickMessageError('an exact reading at 100000 lies outside the readings'));
});
