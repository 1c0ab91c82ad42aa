// The cgroup's per-device groups in the agent (--cgroup-io, --numa): the VM's I/O per host block
// device and its memory per NUMA node are sampled by the plans, stored exactly as the files say,
// exported with Prometheus names, and followed when the kernel lists a new device; without the
// options the agent neither stores nor reads them.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Agent } from '../../src/agent/agent.js';
import { Sampler } from '../../src/agent/sampler.js';
import { Connection } from '../../src/connection/connection.js';
import { readInventory } from '../../src/domains/inventory.js';
import { openDatabase } from '../../src/store/db.js';
import { HistoryWriter } from '../../src/store/writer.js';
import { HistoryReader } from '../../src/store/history.js';
import { exportInputOf } from '../../src/export/records.js';
import { renderMetrics } from '../../src/export/prometheus.js';
import { capture, FakeClocks, rows, tdir } from '../helpers/store.js';
import { privateTree } from '../helpers/moving.js';
import { find, parseExposition, promtoolCheck } from '../helpers/prom.js';

const A = Date.UTC(2026, 11, 7, 10, 0, 0);
const ZETA = 'sys/fs/cgroup/machine.slice/machine-qemu\\x2d5\\x2dzeta.scope';

t.test('v2: stored as the files say, by the plan, exported, and a new host device followed', async (t) => {
  const root = privateTree(t, 'kvm-cgroup2-systemd');
  const conn = new Connection({ root });
  conn.setInventory(readInventory(conn.fs));
  const db = openDatabase(path.join(tdir(t), 'h.db'));
  t.teardown(() => db.close());
  const writer = new HistoryWriter(db);
  const sampler = new Sampler(conn, writer.map, { hostname: 'h' });
  t.teardown(() => sampler.close());
  const tick = (i: number) => {
    const s = sampler.sample(A + i * 10_000);
    writer.write({ ts: A + i * 10_000, mono: A + i * 10_000, dt: i === 0 ? null : 10_000, collectUs: 1, domains: s.samples });
    return s;
  };
  // eta's QEMU process is gone in this tree (its driver says so every tick): zeta is the live one.
  let s = tick(0);
  t.equal(sampler.careful, 1, 'zeta by its plan (eta, whose process is gone, by its driver)');
  t.strictSame(
    s.problems.filter((p) => p.domain === 'zeta'),
    [],
    'no problem for zeta',
  );
  t.strictSame(
    rows(db, 'SELECT domain, device, rd_bytes, wr_bytes, rd_reqs, wr_reqs, dc_bytes, dc_reqs FROM cgroup_io_value ORDER BY domain, device').map((r) =>
      r.map(String),
    ),
    [
      ['zeta', 'dm-5', '5085001', '5085002', '5085003', '5085004', '5085005', '5085006'],
      ['zeta', 'sdd', '5085011', '5085012', '5085013', '5085014', '5085015', '5085016'],
    ],
    "io.stat's six fields per host device, named by the kernel (253:5 is dm-5, 8:48 sdd)",
  );
  t.strictSame(
    rows(db, 'SELECT domain, device, anon, file FROM numa_value ORDER BY domain, device').map((r) => r.map(String)),
    [
      ['zeta', 'node0', '5086001', '5086002'],
      ['zeta', 'node1', '5086011', '5086012'],
    ],
    "memory.numa_stat's anon and file per node, in bytes",
  );
  t.strictSame(
    rows(db, "SELECT idx, name, path FROM device WHERE kind = 'cgroup_io' ORDER BY id").map((r) => r.map(String)),
    [
      ['0', 'dm-5', '253:5'],
      ['1', 'sdd', '8:48'],
    ],
    "devices named by the kernel, MAJ:MIN as their path, indexed in the file's order",
  );

  // The counters move; zeta's cgroup then does its first I/O to another device (8:0, sda).
  const io = path.join(root, ZETA, 'io.stat');
  const dm5 = (k: number) =>
    `253:5 rbytes=${5085001 + k * 10_000} wbytes=${5085002 + k * 100_000} rios=${5085003 + k * 100} wios=5085004 dbytes=5085005 dios=5085006\n`;
  const sdd = '8:48 rbytes=5085011 wbytes=5085012 rios=5085013 wios=5085014 dbytes=5085015 dios=5085016\n';
  fs.writeFileSync(io, dm5(1) + sdd);
  tick(1);
  t.equal(sampler.careful, 1, 'moving counters: still the plan');
  fs.mkdirSync(path.join(root, 'sys/dev/block/8:0'), { recursive: true });
  fs.writeFileSync(path.join(root, 'sys/dev/block/8:0/uevent'), 'MAJOR=8\nMINOR=0\nDEVNAME=sda\nDEVTYPE=disk\n');
  fs.writeFileSync(io, dm5(2) + sdd + '8:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n');
  s = tick(2);
  t.equal(sampler.careful, 2, 'the tick that lists a new device: zeta by its driver');
  t.strictSame(
    s.problems.filter((p) => p.domain === 'zeta'),
    [],
    'and its driver finds nothing wrong',
  );
  fs.writeFileSync(io, dm5(3) + sdd + '8:0 rbytes=12288 wbytes=0 rios=3 wios=0 dbytes=0 dios=0\n');
  s = tick(3);
  t.equal(sampler.careful, 1, 'then a new plan with the three devices');
  t.strictSame(
    rows(db, "SELECT ts, device, rd_bytes, wr_bytes, rd_reqs FROM cgroup_io_rate WHERE domain = 'zeta' AND rd_bytes IS NOT NULL ORDER BY ts, device").map(
      (r) => [Number(r[0]), String(r[1]), ...r.slice(2).map(Number)],
    ),
    [
      [A + 10_000, 'dm-5', 1000, 10_000, 10],
      [A + 10_000, 'sdd', 0, 0, 0],
      [A + 20_000, 'dm-5', 1000, 10_000, 10],
      [A + 20_000, 'sdd', 0, 0, 0],
      [A + 30_000, 'dm-5', 1000, 10_000, 10],
      [A + 30_000, 'sda', 819.2, 0, 0.2],
      [A + 30_000, 'sdd', 0, 0, 0],
    ],
    'rates per tick: every device every tick, sda from its second reading (by plan, driver and new plan alike)',
  );

  // /metrics: the same figures under Prometheus names, and promtool accepts them.
  const text = renderMetrics(exportInputOf({ sample: s, map: sampler.map, storeMs: 1, ticks: 4 }), false);
  const e = parseExposition(text, false);
  t.strictSame(
    find(e, 'domstat_domain_cgroup_io_read_bytes_total', { domain: 'zeta' }).map((x) => [x.labels.device, x.labels.major_minor, x.value]),
    [
      ['dm-5', '253:5', '5115001'],
      ['sdd', '8:48', '5085011'],
      ['sda', '8:0', '12288'],
    ],
    '/metrics: bytes read per host device, named and numbered',
  );
  t.strictSame(
    find(e, 'domstat_domain_memory_numa_bytes', { domain: 'zeta', node: '1' }).map((x) => [x.labels.type, x.value]),
    [
      ['anon', '5086011'],
      ['file', '5086012'],
    ],
    '/metrics: memory per NUMA node and type',
  );
  const check = await promtoolCheck(text);
  t.equal(check.code, 0, `promtool check metrics ${check.out}`);

  // history by device name: cgroup.io.sda.rd.bytes is sda's row
  const reader = new HistoryReader(db);
  const q = reader.query({ domain: 'zeta', keys: ['cgroup.io.sda.rd.bytes', 'cgroup.numa.node1.file'], since: A, until: A + 30_000, rate: false });
  t.strictSame(
    q.series.map((x) => [x.key, x.device, x.values.at(-1)]),
    [
      ['cgroup.io.sda.rd.bytes', 'sda', 12288n],
      ['cgroup.numa.node1.file', 'node1', 5086012n],
    ],
    'history: a host device and a node by name',
  );
});

t.test('v1 (blkio) through the plan as through the driver, pages × 4096 for NUMA', async (t) => {
  const root = privateTree(t, 'kvm-cgroup1-systemd');
  const conn = new Connection({ root });
  conn.setInventory(readInventory(conn.fs));
  const db = openDatabase(path.join(tdir(t), 'h.db'));
  t.teardown(() => db.close());
  const map = new HistoryWriter(db).map;
  const byPlan = new Sampler(conn, map, { hostname: 'h' });
  const byDriver = new Sampler(conn, map, { hostname: 'h', usePlans: false });
  t.teardown(async () => {
    await byPlan.close();
    await byDriver.close();
  });
  const a = byPlan.sample(A);
  const b = byDriver.sample(A);
  t.equal(byPlan.careful, 1, 'every running domain by its plan (gamma, shut off, has none)');
  const kinds = (x: typeof a) =>
    x.samples.flatMap((d) =>
      d.devices.filter((v) => v.kind === 'cgroup_io' || v.kind === 'numa').map((v) => [d.name, v.kind, v.idx, v.name, v.path, [...v.values]]),
    );
  t.ok(kinds(a).length >= 4, `${kinds(a).length} cgroup I/O and NUMA rows`);
  t.strictSame(kinds(a), kinds(b), 'the plan reads what the driver reads');
});

t.test('without --cgroup-io and --numa the agent neither stores nor reads them', async (t) => {
  const root = privateTree(t, 'kvm-cgroup2-systemd');
  const dbFile = path.join(tdir(t), 'default.db');
  const agent = new Agent({ root, dbFile, intervalMs: 10_000, quiet: true, io: capture(), clocks: new FakeClocks(A) });
  await agent.open();
  // A malformed io.stat would be the driver's problem if the agent read it.
  fs.writeFileSync(path.join(root, ZETA, 'io.stat'), 'garbage\n');
  t.match(agent.tick(), { ok: true }, 'the tick is stored');
  await agent.close();
  const db = openDatabase(dbFile, { readonly: true });
  t.teardown(() => db.close());
  t.strictSame(rows(db, "SELECT count(*) FROM device WHERE kind IN ('cgroup_io', 'numa')"), [[0n]], 'no cgroup I/O device or NUMA node stored');
  t.ok(Number(rows(db, 'SELECT count(*) FROM domain_raw')[0]![0]) > 0, 'the domains are stored');
  t.strictSame(
    agent.latest?.sample.problems.filter((p) => p.domain === 'zeta'),
    [],
    'the file is not read',
  );
});
