// The Xen driver through the library API, against the three Xen fixture trees. Every expected
// number below is taken from fixtures/XEN-FIXTURES.md; byte counts are sectors × 512 computed
// here from the table values, interface counters are written out in the guest's (swapped) view.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture } from '../../helpers/cli.js';
import { Connection, StatsFlag, StatsGroup } from '../../../src/connection/connection.js';
import { type DomainStatsRecord } from '../../../src/stats/records.js';
import { VirError, VirErrorCode, type VirErrorCodeValue } from '../../../src/stats/errors.js';
import type { TypedParam } from '../../../src/stats/typed-params.js';
import type { BlockStats, InterfaceStats } from '../../../src/stats/structs.js';

const TREE1 = 'xen-4.x-pv-libxl';
const TREE2 = 'xen-2.6.18-old-layout';
const TREE3 = 'xen-no-libvirt';

const open = (root: string = fixture(TREE1)) => new Connection({ root });

/** A private copy of a fixture tree that a test may edit. */
function copyTree(t: Test, tree: string): string {
  const dir = t.testdir();
  fs.cpSync(fixture(tree), dir, { recursive: true });
  return dir;
}

function expectVirError(t: Test, fn: () => unknown, code: VirErrorCodeValue, detail: string, what: string): void {
  let caught: unknown;
  try {
    const r = fn();
    const shown = JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(r);
    t.fail(`${what}: expected VirError '${detail}', got ${shown.length > 300 ? `${shown.slice(0, 300)}…` : shown}`);
    return;
  } catch (e) {
    caught = e;
  }
  t.type(caught, VirError, `${what}: throws a VirError`);
  if (!(caught instanceof VirError)) return;
  t.equal(caught.detail, detail, `${what}: error text`);
  t.equal(caught.vir, code, `${what}: error code`);
}

// ---- expected values (XEN-FIXTURES.md) ----

/** Backend statistics rows: rd_req, rd_sect, wr_req, wr_sect, oo_req, f_req, ds_req (null: no file). */
type VbdRow = readonly [number, number, number, number, number, number | null, number | null];
const VBD: Record<string, VbdRow> = {
  // tree 1
  'vbd-3-51712': [3000101, 3000201, 3000301, 3000401, 3000501, 3000601, 3000701],
  'vbd-3-51729': [3010101, 3010201, 3010301, 3010401, 3010501, 3010601, 3010701],
  'vbd-7-268442112': [7000101, 7000201, 7000301, 7000401, 7000501, 7000601, 7000701],
  'vbd-7-2064': [7010101, 7010201, 7010301, 7010401, 7010501, 7010601, 7010701],
  'vbd-12-768': [12000101, 12000201, 12000301, 12000401, 12000501, 12000601, 12000701],
  'tap-12-5632': [12010151, 12010251, 12010351, 12010451, 12010551, 12010651, 12010751],
  // tree 2: no f_req, no ds_req
  'vbd-4-51712': [4000108, 4000208, 4000308, 4000408, 4000508, null, null],
  'vbd-4-51728': [4010108, 4010208, 4010308, 4010408, 4010508, null, null],
  // tree 3
  'vbd-21-51712': [21000104, 21000204, 21000304, 21000404, 21000504, 21000604, 21000704],
  'vbd-21-51728': [21010104, 21010204, 21010304, 21010404, 21010504, 21010604, 21010704],
  'vbd-22-51712': [22000104, 22000204, 22000304, 22000404, 22000504, 22000604, 22000704],
};

const row = (dir: string): VbdRow => {
  const r = VBD[dir];
  if (r === undefined) throw new Error(`no row ${dir}`);
  return r;
};

/** virDomainBlockStats of one backend row: bytes = sectors × 512, errs = oo_req. */
function blockOf(dir: string): BlockStats {
  const r = row(dir);
  return { rd_req: BigInt(r[0]), rd_bytes: BigInt(r[1]) * 512n, wr_req: BigInt(r[2]), wr_bytes: BigInt(r[3]) * 512n, errs: BigInt(r[4]) };
}

function sumBlocks(...dirs: string[]): BlockStats {
  const s: BlockStats = { rd_req: 0n, rd_bytes: 0n, wr_req: 0n, wr_bytes: 0n, errs: 0n };
  for (const d of dirs) {
    const b = blockOf(d);
    s.rd_req += b.rd_req;
    s.rd_bytes += b.rd_bytes;
    s.wr_req += b.wr_req;
    s.wr_bytes += b.wr_bytes;
    s.errs += b.errs;
  }
  return s;
}

const llong = (field: string, value: bigint): TypedParam => ({ field, type: 'llong', value });

/** virDomainBlockStatsFlags in libxl's order; flush_operations = f_req (left out when unknown). */
function flagsOf(...dirs: string[]): TypedParam[] {
  const b = sumBlocks(...dirs);
  const f = dirs.map((d) => row(d)[5]);
  const out = [llong('wr_bytes', b.wr_bytes), llong('wr_operations', b.wr_req), llong('rd_bytes', b.rd_bytes), llong('rd_operations', b.rd_req)];
  if (f.every((x) => x !== null))
    out.push(
      llong(
        'flush_operations',
        f.reduce<bigint>((s, x) => s + BigInt(x!), 0n),
      ),
    );
  out.push(llong('errs', b.errs));
  return out;
}

/** Guest-view interface counters: dom0's TX columns are the guest's rx_*, dom0's RX columns its tx_*. */
const GUEST: Record<string, InterfaceStats> = {
  'vif3.0': {
    rx_bytes: 3000809n,
    rx_packets: 3000810n,
    rx_errs: 3000811n,
    rx_drop: 3000812n,
    tx_bytes: 3000801n,
    tx_packets: 3000802n,
    tx_errs: 3000803n,
    tx_drop: 3000804n,
  },
  'vif3.1': {
    rx_bytes: 3010809n,
    rx_packets: 3010810n,
    rx_errs: 3010811n,
    rx_drop: 3010812n,
    tx_bytes: 3010801n,
    tx_packets: 3010802n,
    tx_errs: 3010803n,
    tx_drop: 3010804n,
  },
  'vif7.0': {
    rx_bytes: 7000809n,
    rx_packets: 7000810n,
    rx_errs: 7000811n,
    rx_drop: 7000812n,
    tx_bytes: 7000801n,
    tx_packets: 7000802n,
    tx_errs: 7000803n,
    tx_drop: 7000804n,
  },
  'vif12.0-emu': {
    rx_bytes: 12000809n,
    rx_packets: 12000810n,
    rx_errs: 12000811n,
    rx_drop: 12000812n,
    tx_bytes: 12000801n,
    tx_packets: 12000802n,
    tx_errs: 12000803n,
    tx_drop: 12000804n,
  },
  // tree 2, old format: the dom0 RX bytes column is the one touching the colon
  'vif4.0': {
    rx_bytes: 4000816n,
    rx_packets: 4000817n,
    rx_errs: 4000818n,
    rx_drop: 4000819n,
    tx_bytes: 104000808n,
    tx_packets: 4000809n,
    tx_errs: 4000810n,
    tx_drop: 4000811n,
  },
  // tree 3
  'vif21.0': {
    rx_bytes: 21000812n,
    rx_packets: 21000813n,
    rx_errs: 21000814n,
    rx_drop: 21000815n,
    tx_bytes: 21000804n,
    tx_packets: 21000805n,
    tx_errs: 21000806n,
    tx_drop: 21000807n,
  },
  'vif22.0': {
    rx_bytes: 22000812n,
    rx_packets: 22000813n,
    rx_errs: 22000814n,
    rx_drop: 22000815n,
    tx_bytes: 22000804n,
    tx_packets: 22000805n,
    tx_errs: 22000806n,
    tx_drop: 22000807n,
  },
  'vif22.1': {
    rx_bytes: 22010812n,
    rx_packets: 22010813n,
    rx_errs: 22010814n,
    rx_drop: 22010815n,
    tx_bytes: 22010804n,
    tx_packets: 22010805n,
    tx_errs: 22010806n,
    tx_drop: 22010807n,
  },
};
const guest = (vif: string): InterfaceStats => {
  const g = GUEST[vif];
  if (g === undefined) throw new Error(`no vif ${vif}`);
  return g;
};

// typed-parameter builders for whole records
const int = (field: string, value: number): TypedParam => ({ field, type: 'int', value });
const uint = (field: string, value: number): TypedParam => ({ field, type: 'uint', value });
const ull = (field: string, value: bigint): TypedParam => ({ field, type: 'ullong', value });
const str = (field: string, value: string): TypedParam => ({ field, type: 'string', value });

function netParams(i: number, vif: string, counters = true): TypedParam[] {
  const p = [str(`net.${i}.name`, vif)];
  if (!counters) return p;
  const g = guest(vif);
  return [
    ...p,
    ull(`net.${i}.rx.bytes`, g.rx_bytes),
    ull(`net.${i}.rx.pkts`, g.rx_packets),
    ull(`net.${i}.rx.errs`, g.rx_errs),
    ull(`net.${i}.rx.drop`, g.rx_drop),
    ull(`net.${i}.tx.bytes`, g.tx_bytes),
    ull(`net.${i}.tx.pkts`, g.tx_packets),
    ull(`net.${i}.tx.errs`, g.tx_errs),
    ull(`net.${i}.tx.drop`, g.tx_drop),
  ];
}

function blockParams(k: number, name: string, source: string | null, dir: string | null): TypedParam[] {
  const p = [str(`block.${k}.name`, name)];
  if (source !== null) p.push(str(`block.${k}.path`, source));
  if (dir === null) return p;
  const r = row(dir);
  p.push(
    ull(`block.${k}.rd.reqs`, BigInt(r[0])),
    ull(`block.${k}.rd.bytes`, BigInt(r[1]) * 512n),
    ull(`block.${k}.wr.reqs`, BigInt(r[2])),
    ull(`block.${k}.wr.bytes`, BigInt(r[3]) * 512n),
  );
  if (r[5] !== null) p.push(ull(`block.${k}.fl.reqs`, BigInt(r[5])));
  p.push(ull(`block.${k}.errors`, BigInt(r[4])));
  return p;
}

const head = (state: number, reason: number, cur: number, max: number, vcur: number, vmax: number): TypedParam[] => [
  int('state.state', state),
  int('state.reason', reason),
  ull('balloon.current', BigInt(cur)),
  ull('balloon.maximum', BigInt(max)),
  uint('vcpu.current', vcur),
  uint('vcpu.maximum', vmax),
];

/** Tree 1 records for stats = 0 (every Xen group), in the order they are listed. */
const TREE1_RECORDS: Record<string, TypedParam[]> = {
  web1: [
    ...head(1, 1, 786432, 1048576, 2, 4),
    uint('net.count', 2),
    ...netParams(0, 'vif3.0'),
    ...netParams(1, 'vif3.1'),
    uint('block.count', 2),
    ...blockParams(0, 'xvda', '/dev/vg0/web1-root', 'vbd-3-51712'),
    ...blockParams(1, 'xvdb1', '/dev/vg0/web1-data', 'vbd-3-51729'),
  ],
  db1: [
    ...head(1, 1, 2097152, 2097152, 2, 2),
    uint('net.count', 1),
    ...netParams(0, 'vif7.0'),
    uint('block.count', 2),
    ...blockParams(0, 'xvdaa', '/dev/vg0/db1-big', 'vbd-7-268442112'),
    ...blockParams(1, 'sdb', '/dev/vg0/db1-scsi', 'vbd-7-2064'),
  ],
  win1: [
    ...head(3, 1, 3145728, 4194304, 2, 2),
    uint('net.count', 1),
    ...netParams(0, 'vif12.0-emu'),
    uint('block.count', 2),
    ...blockParams(0, 'hda', '/dev/vg0/win1-c', 'vbd-12-768'),
    ...blockParams(1, 'hdc', '/var/lib/xen/images/win1-d.img', 'tap-12-5632'),
  ],
  broken1: [
    ...head(1, 1, 524288, 524288, 1, 1),
    uint('net.count', 1),
    ...netParams(0, 'vif15.0', false),
    uint('block.count', 1),
    ...blockParams(0, 'xvda', '/dev/vg0/broken1', null),
  ],
  off1: [...head(5, 0, 262144, 262144, 1, 1), uint('block.count', 1), ...blockParams(0, 'xvda', '/dev/vg0/off1', null)],
};

const BROKEN1_PROBLEMS = [
  { domain: 'broken1', key: '7d48d4bf-0176-5e70-883b-1d7f7ea8c2d4', message: 'interface vif15.0: /proc/net/dev: Interface not found' },
  { domain: 'broken1', key: '7d48d4bf-0176-5e70-883b-1d7f7ea8c2d4', message: 'block xvda: Failed to read any block statistics for domain 15' },
];

const names = (records: readonly DomainStatsRecord[]) => records.map((r) => r.domain.name);
const recordOf = (records: readonly DomainStatsRecord[], name: string): TypedParam[] => {
  const r = records.find((x) => x.domain.name === name);
  if (r === undefined) throw new Error(`no record for ${name}`);
  return r.params;
};
const fields = (params: readonly TypedParam[]) => params.map((p) => p.field);

// ---- interface statistics ----

t.test('interfaceStats: tree 1, swapped to the guest view', async (t) => {
  const conn = open();
  const web1 = conn.lookupDomain('web1');
  const byName = conn.interfaceStats(web1, 'vif3.0');
  t.equal(byName.rx_bytes, 3000809n, 'web1 vif3.0 rx_bytes = dom0 TX bytes column');
  t.equal(byName.rx_packets, 3000810n, 'rx_packets = dom0 TX packets');
  t.equal(byName.rx_errs, 3000811n, 'rx_errs = dom0 TX errs');
  t.equal(byName.rx_drop, 3000812n, 'rx_drop = dom0 TX drop');
  t.equal(byName.tx_bytes, 3000801n, 'tx_bytes = dom0 RX bytes column');
  t.equal(byName.tx_packets, 3000802n, 'tx_packets = dom0 RX packets');
  t.equal(byName.tx_errs, 3000803n, 'tx_errs = dom0 RX errs');
  t.equal(byName.tx_drop, 3000804n, 'tx_drop = dom0 RX drop');
  t.same(
    Object.keys(byName).sort(),
    ['rx_bytes', 'rx_drop', 'rx_errs', 'rx_packets', 'tx_bytes', 'tx_drop', 'tx_errs', 'tx_packets'],
    'exactly the eight struct fields',
  );

  t.strictSame(conn.interfaceStats(web1, '00:16:3e:03:00:00'), guest('vif3.0'), 'web1 vif3.0 by MAC');
  t.strictSame(conn.interfaceStats(web1, '00:16:3E:03:00:00'), guest('vif3.0'), 'MAC in upper case');
  t.strictSame(conn.interfaceStats(web1, '0:16:3e:3:0:0'), guest('vif3.0'), 'MAC without leading zeros');
  t.strictSame(conn.interfaceStats(web1, 'vif3.1'), guest('vif3.1'), 'web1 vif3.1 by name');
  t.strictSame(conn.interfaceStats(web1, '00:16:3e:03:00:01'), guest('vif3.1'), 'web1 vif3.1 by MAC');

  const db1 = conn.lookupDomain('db1');
  t.strictSame(conn.interfaceStats(db1, 'vif7.0'), guest('vif7.0'), 'db1 vif7.0');
  t.strictSame(conn.interfaceStats(db1, '00:16:3e:07:00:00'), guest('vif7.0'), 'db1 vif7.0 by MAC');

  const win1 = conn.lookupDomain('win1');
  t.strictSame(conn.interfaceStats(win1, 'vif12.0-emu'), guest('vif12.0-emu'), 'win1 (paused) vif12.0-emu');
  t.strictSame(conn.interfaceStats(win1, '00:16:3e:0c:00:00'), guest('vif12.0-emu'), 'win1 vif12.0-emu by MAC');
});

t.test('interfaceStats: ownership', async (t) => {
  const conn = open();
  const web1 = conn.lookupDomain('web1');
  const win1 = conn.lookupDomain('win1');
  expectVirError(t, () => conn.interfaceStats(web1, 'vif7.0'), VirErrorCode.INVALID_ARG, "'vif7.0' is not a known interface", "db1's vif asked of web1");
  expectVirError(t, () => conn.interfaceStats(web1, 'xvif3.0'), VirErrorCode.INVALID_ARG, "'xvif3.0' is not a known interface", 'the decoy xvif3.0');
  expectVirError(t, () => conn.interfaceStats(web1, 'if3.0'), VirErrorCode.INVALID_ARG, "'if3.0' is not a known interface", 'a suffix of vif3.0');
  expectVirError(t, () => conn.interfaceStats(web1, 'eth0'), VirErrorCode.INVALID_ARG, "'eth0' is not a known interface", "dom0's eth0");
  expectVirError(
    t,
    () => conn.interfaceStats(web1, '00:16:3e:07:00:00'),
    VirErrorCode.INVALID_ARG,
    "'00:16:3e:07:00:00' is not a known interface",
    "db1's MAC asked of web1",
  );
  expectVirError(t, () => conn.interfaceStats(web1, ''), VirErrorCode.INVALID_ARG, "'' is not a known interface", 'empty device');
  expectVirError(
    t,
    () => conn.interfaceStats(win1, 'vif12.0'),
    VirErrorCode.INVALID_ARG,
    "'vif12.0' is not a known interface",
    "win1's PV vif is not in its XML",
  );
});

t.test('interfaceStats: an invalid Linux ifname in the XML is refused before /proc/net/dev is read', async (t) => {
  const bad = ['../../etc', 'a b', 'vif3.0abcdefghij', '.', '..'];
  t.equal(Buffer.byteLength('vif3.0abcdefghij'), 16, 'the long name has 16 bytes');
  for (const name of bad) {
    t.test(JSON.stringify(name), async (t) => {
      const root = copyTree(t, TREE1);
      const xml = path.join(root, 'run/libvirt/libxl/web1.xml');
      fs.writeFileSync(xml, fs.readFileSync(xml, 'utf8').replace("<target dev='vif3.0'/>", `<target dev='${name}'/>`));
      // a line with exactly that name: if the name reached a lookup it would be found
      const values = Array.from({ length: 16 }, (_, i) => String(777000 + i + 1)).join(' ');
      fs.appendFileSync(path.join(root, 'proc/net/dev'), `${name}: ${values}\n`);
      const conn = open(root);
      t.ok(conn.context().netDev().has(name), 'the planted line is indexed');
      const web1 = conn.lookupDomain('web1');
      t.equal(web1.interfaces[0]?.target, name, 'the XML now names it');
      expectVirError(t, () => conn.interfaceStats(web1, name), VirErrorCode.INVALID_ARG, `'${name}' is not a known interface`, 'by name');
      expectVirError(t, () => conn.interfaceStats(web1, '00:16:3e:03:00:00'), VirErrorCode.INVALID_ARG, `'${name}' is not a known interface`, 'by MAC');
      t.strictSame(conn.interfaceStats(web1, 'vif3.1'), guest('vif3.1'), 'the other interface is unaffected');
      const rec = recordOf(conn.getAllDomainStats(StatsGroup.INTERFACE, 0), 'web1');
      t.strictSame(rec, [uint('net.count', 2), str('net.0.name', name), ...netParams(1, 'vif3.1')], 'domstats keeps the name and leaves the counters out');
    });
  }
  t.test('control: a valid 15-byte name with a planted line is read', async (t) => {
    const name = 'vif3.0-abcdefgh';
    t.equal(Buffer.byteLength(name), 15);
    const root = copyTree(t, TREE1);
    const xml = path.join(root, 'run/libvirt/libxl/web1.xml');
    fs.writeFileSync(xml, fs.readFileSync(xml, 'utf8').replace("<target dev='vif3.0'/>", `<target dev='${name}'/>`));
    const values = Array.from({ length: 16 }, (_, i) => String(777000 + i + 1)).join(' ');
    fs.appendFileSync(path.join(root, 'proc/net/dev'), `${name}: ${values}\n`);
    const conn = open(root);
    t.strictSame(conn.interfaceStats(conn.lookupDomain('web1'), name), {
      rx_bytes: 777009n,
      rx_packets: 777010n,
      rx_errs: 777011n,
      rx_drop: 777012n,
      tx_bytes: 777001n,
      tx_packets: 777002n,
      tx_errs: 777003n,
      tx_drop: 777004n,
    });
  });
});

t.test("interfaceStats: a vif carrying another domain's id in the domain's own XML is refused", async (t) => {
  const root = copyTree(t, TREE1);
  const xml = path.join(root, 'run/libvirt/libxl/web1.xml');
  const text = fs.readFileSync(xml, 'utf8');
  t.ok(text.includes("<target dev='vif3.0'/>"));
  fs.writeFileSync(xml, text.replace("<target dev='vif3.0'/>", "<target dev='vif7.0'/>"));
  const conn = open(root);
  const web1 = conn.lookupDomain('web1');
  t.equal(web1.interfaces[0]?.target, 'vif7.0');
  expectVirError(t, () => conn.interfaceStats(web1, 'vif7.0'), VirErrorCode.INVALID_ARG, "'vif7.0' is not a known interface", 'by name');
  expectVirError(t, () => conn.interfaceStats(web1, '00:16:3e:03:00:00'), VirErrorCode.INVALID_ARG, "'vif7.0' is not a known interface", 'by MAC');
  t.strictSame(conn.interfaceStats(conn.lookupDomain('db1'), 'vif7.0'), guest('vif7.0'), 'db1 still reads its own vif');
  const records = conn.getAllDomainStats(StatsGroup.INTERFACE, 0);
  t.strictSame(
    recordOf(records, 'web1'),
    [uint('net.count', 2), str('net.0.name', 'vif7.0'), ...netParams(1, 'vif3.1')],
    "web1's record does not carry db1's counters",
  );
  t.strictSame(recordOf(records, 'db1'), [uint('net.count', 1), ...netParams(0, 'vif7.0')]);
});

// ---- block statistics ----

t.test('blockStats / blockStatsFlags: every disk of tree 1', async (t) => {
  const conn = open();
  const cases: [dom: string, disk: string, dirs: string[]][] = [
    ['web1', 'xvda', ['vbd-3-51712']],
    ['web1', 'xvdb1', ['vbd-3-51729']],
    ['web1', '', ['vbd-3-51712', 'vbd-3-51729']],
    ['db1', 'xvdaa', ['vbd-7-268442112']],
    ['db1', 'sdb', ['vbd-7-2064']],
    ['db1', '', ['vbd-7-268442112', 'vbd-7-2064']],
    ['win1', 'hda', ['vbd-12-768']],
    ['win1', 'hdc', ['tap-12-5632']],
    ['win1', '', ['vbd-12-768', 'tap-12-5632']],
  ];
  for (const [name, disk, dirs] of cases) {
    const dom = conn.lookupDomain(name);
    t.strictSame(conn.blockStats(dom, disk), sumBlocks(...dirs), `${name} '${disk}' blockStats`);
    t.strictSame(conn.blockStatsFlags(dom, disk), flagsOf(...dirs), `${name} '${disk}' blockStatsFlags`);
  }
  // spelled out once, so the helpers themselves are checked
  const web1 = conn.lookupDomain('web1');
  t.strictSame(
    conn.blockStats(web1, 'xvda'),
    { rd_req: 3000101n, rd_bytes: 1536102912n, wr_req: 3000301n, wr_bytes: 1536205312n, errs: 3000501n },
    'web1 xvda literally',
  );
  t.strictSame(
    conn.blockStatsFlags(web1, 'xvda'),
    [
      llong('wr_bytes', 1536205312n),
      llong('wr_operations', 3000301n),
      llong('rd_bytes', 1536102912n),
      llong('rd_operations', 3000101n),
      llong('flush_operations', 3000601n),
      llong('errs', 3000501n),
    ],
    'web1 xvda flags literally',
  );
  t.strictSame(
    conn.blockStats(web1, ''),
    { rd_req: 6010202n, rd_bytes: 3077325824n, wr_req: 6010602n, wr_bytes: 3077530624n, errs: 6011002n },
    'web1 sum literally',
  );
  t.strictSame(
    conn.blockStats(conn.lookupDomain('win1'), 'hdc'),
    { rd_req: 12010151n, rd_bytes: 12010251n * 512n, wr_req: 12010351n, wr_bytes: 12010451n * 512n, errs: 12010551n },
    'win1 hdc comes from tap-12-5632',
  );
  // by source path (virDomainDiskByName)
  t.strictSame(conn.blockStats(web1, '/dev/vg0/web1-data'), blockOf('vbd-3-51729'), 'web1 by source path');
  t.strictSame(conn.blockStats(conn.lookupDomain('win1'), '/var/lib/xen/images/win1-d.img'), blockOf('tap-12-5632'), 'win1 hdc by source file');
  // nothing reports ds_req outside the extra group
  const all = conn.blockStatsFlags(web1, '');
  t.notOk(
    all.some((p) => p.value === 3000701n || p.value === 3010701n || p.value === 6011402n),
    'no ds_req in blockStatsFlags',
  );
});

t.test('blockStats: ownership', async (t) => {
  const conn = open();
  const web1 = conn.lookupDomain('web1');
  expectVirError(t, () => conn.blockStats(web1, 'xvdz'), VirErrorCode.INVALID_ARG, 'invalid path: xvdz', 'xvdz is not a disk of web1');
  expectVirError(t, () => conn.blockStatsFlags(web1, 'xvdz'), VirErrorCode.INVALID_ARG, 'invalid path: xvdz', 'xvdz (flags)');
  expectVirError(t, () => conn.blockStats(web1, 'xvdaa'), VirErrorCode.INVALID_ARG, 'invalid path: xvdaa', "db1's disk asked of web1");
  expectVirError(t, () => conn.blockStats(web1, 'xvdb'), VirErrorCode.INVALID_ARG, 'invalid path: xvdb', 'xvdb (web1 has xvdb1)');
  expectVirError(t, () => conn.blockStats(web1, '/dev/xvda'), VirErrorCode.INVALID_ARG, 'invalid path: /dev/xvda', '/dev/xvda is not a source path');
  expectVirError(t, () => conn.blockStats(web1, '/dev/vg0/db1-big'), VirErrorCode.INVALID_ARG, 'invalid path: /dev/vg0/db1-big', "db1's source asked of web1");
  expectVirError(t, () => conn.blockStats(web1, '51712'), VirErrorCode.INVALID_ARG, 'invalid path: 51712', 'a device number is not a target');
});

t.test('the extra group: ds_req as extra.block.N.discard.reqs', async (t) => {
  const conn = open();
  const extra = conn.getAllDomainStats(StatsGroup.EXTRA, 0);
  t.strictSame(names(extra), ['web1', 'db1', 'win1', 'broken1', 'off1']);
  t.strictSame(recordOf(extra, 'web1'), [ull('extra.block.0.discard.reqs', 3000701n), ull('extra.block.1.discard.reqs', 3010701n)]);
  t.strictSame(recordOf(extra, 'db1'), [ull('extra.block.0.discard.reqs', 7000701n), ull('extra.block.1.discard.reqs', 7010701n)]);
  t.strictSame(recordOf(extra, 'win1'), [ull('extra.block.0.discard.reqs', 12000701n), ull('extra.block.1.discard.reqs', 12010751n)]);
  t.strictSame(recordOf(extra, 'broken1'), [], 'broken1: nothing readable');
  t.strictSame(recordOf(extra, 'off1'), [], 'off1: not running');
  const both = recordOf(conn.getAllDomainStats(StatsGroup.BLOCK | StatsGroup.EXTRA, 0), 'web1');
  t.strictSame(
    both,
    [
      uint('block.count', 2),
      ...blockParams(0, 'xvda', '/dev/vg0/web1-root', 'vbd-3-51712'),
      ...blockParams(1, 'xvdb1', '/dev/vg0/web1-data', 'vbd-3-51729'),
      ull('extra.block.0.discard.reqs', 3000701n),
      ull('extra.block.1.discard.reqs', 3010701n),
    ],
    'block, then extra',
  );
  const plain = conn.getAllDomainStats(0, 0);
  t.notOk(
    plain.some((r) => r.params.some((p) => p.field.includes('discard') || p.field.startsWith('extra.'))),
    'stats = 0 has no extra keys',
  );
});

// ---- missing and unreadable files ----

t.test('broken1: missing statistics files', async (t) => {
  const conn = open();
  const broken1 = conn.lookupDomain('broken1');
  const records = conn.getAllDomainStats(0, 0);
  t.strictSame(recordOf(records, 'broken1'), TREE1_RECORDS.broken1, 'names and counts kept, counters left out');
  t.notOk(
    recordOf(records, 'broken1').some((p) => p.type === 'ullong' && p.value === 0n),
    'no counter reported as 0',
  );
  t.strictSame(conn.lastProblems, BROKEN1_PROBLEMS, 'the reasons are recorded');
  expectVirError(
    t,
    () => conn.blockStats(broken1, 'xvda'),
    VirErrorCode.INTERNAL_ERROR,
    'Failed to read any block statistics for domain 15',
    'blockStats xvda',
  );
  expectVirError(t, () => conn.blockStats(broken1, ''), VirErrorCode.INTERNAL_ERROR, 'Failed to read any block statistics for domain 15', 'blockStats sum');
  expectVirError(
    t,
    () => conn.blockStatsFlags(broken1, 'xvda'),
    VirErrorCode.INTERNAL_ERROR,
    'Failed to read any block statistics for domain 15',
    'blockStatsFlags',
  );
  expectVirError(t, () => conn.interfaceStats(broken1, 'vif15.0'), VirErrorCode.INTERNAL_ERROR, '/proc/net/dev: Interface not found', 'interfaceStats');
  expectVirError(
    t,
    () => conn.interfaceStats(broken1, '00:16:3e:0f:00:00'),
    VirErrorCode.INTERNAL_ERROR,
    '/proc/net/dev: Interface not found',
    'interfaceStats by MAC',
  );
});

/** Tree 1 copy with web1 xvda's wr_req replaced (null: deleted). */
function withWrReq(t: Test, content: string | null): Connection {
  const root = copyTree(t, TREE1);
  const file = path.join(root, 'sys/bus/xen-backend/devices/vbd-3-51712/statistics/wr_req');
  t.equal(fs.readFileSync(file, 'utf8'), '3000301\n', 'the original file');
  if (content === null) fs.rmSync(file);
  else fs.writeFileSync(file, content);
  return open(root);
}

for (const [label, content] of [
  ['deleted', null],
  ['garbage "12abc"', '12abc\n'],
  ['empty', ''],
  ['two newlines', '3000301\n\n'],
  ['leading space', ' 3000301\n'],
  ['negative', '-3000301\n'],
  ['hexadecimal', '0x2dc7fd\n'],
] as const) {
  t.test(`one unreadable field (wr_req ${label}): -1, never 0`, async (t) => {
    const conn = withWrReq(t, content);
    const web1 = conn.lookupDomain('web1');
    const x = blockOf('vbd-3-51712');
    t.strictSame(conn.blockStats(web1, 'xvda'), { ...x, wr_req: -1n }, 'wr_req = -1, the others exact');
    t.strictSame(
      conn.blockStatsFlags(web1, 'xvda'),
      [
        llong('wr_bytes', x.wr_bytes),
        llong('rd_bytes', x.rd_bytes),
        llong('rd_operations', x.rd_req),
        llong('flush_operations', 3000601n),
        llong('errs', x.errs),
      ],
      'wr_operations left out',
    );
    t.strictSame(conn.blockStats(web1, ''), { ...sumBlocks('vbd-3-51712', 'vbd-3-51729'), wr_req: -1n }, 'the sum of a known and an unknown is unknown');
    t.strictSame(conn.blockStats(web1, 'xvdb1'), blockOf('vbd-3-51729'), 'the other disk is exact');
    const rec = recordOf(conn.getAllDomainStats(StatsGroup.BLOCK, 0), 'web1');
    t.strictSame(
      rec,
      [
        uint('block.count', 2),
        ...blockParams(0, 'xvda', '/dev/vg0/web1-root', 'vbd-3-51712').filter((p) => p.field !== 'block.0.wr.reqs'),
        ...blockParams(1, 'xvdb1', '/dev/vg0/web1-data', 'vbd-3-51729'),
      ],
      'domstats leaves block.0.wr.reqs out',
    );
    t.notOk(
      rec.some((p) => p.field === 'block.0.wr.reqs'),
      'no block.0.wr.reqs key',
    );
  });
}

t.test('each field from the first place it can be read', async (t) => {
  const root = copyTree(t, TREE1);
  const modern = path.join(root, 'sys/bus/xen-backend/devices/vbd-3-51712/statistics');
  const old = path.join(root, 'sys/devices/xen-backend/vbd-3-51712/statistics');
  fs.mkdirSync(old, { recursive: true });
  fs.rmSync(path.join(modern, 'wr_req'));
  fs.writeFileSync(path.join(modern, 'rd_req'), 'junk\n');
  for (const [f, v] of [
    ['rd_req', '111'],
    ['wr_req', '222'],
    ['oo_req', '333'],
  ])
    fs.writeFileSync(path.join(old, f!), `${v}\n`);
  const conn = open(root);
  t.strictSame(
    conn.blockStats(conn.lookupDomain('web1'), 'xvda'),
    { rd_req: 111n, rd_bytes: 3000201n * 512n, wr_req: 222n, wr_bytes: 3000401n * 512n, errs: 3000501n },
    'rd_req and wr_req from the old layout, oo_req from the modern one',
  );
});

t.test('a disk target with no Xen device number', async (t) => {
  const root = copyTree(t, TREE1);
  const xml = path.join(root, 'run/libvirt/libxl/web1.xml');
  fs.writeFileSync(xml, fs.readFileSync(xml, 'utf8').replace("<target dev='xvdb1' bus='xen'/>", "<target dev='vdb' bus='virtio'/>"));
  const conn = open(root);
  const web1 = conn.lookupDomain('web1');
  expectVirError(t, () => conn.blockStats(web1, 'vdb'), VirErrorCode.INVALID_ARG, 'unsupported path, use xvdN, hdN, or sdN for domain 3', 'blockStats vdb');
  expectVirError(t, () => conn.blockStats(web1, ''), VirErrorCode.INVALID_ARG, 'unsupported path, use xvdN, hdN, or sdN for domain 3', 'the sum fails too');
  t.strictSame(conn.blockStats(web1, 'xvda'), blockOf('vbd-3-51712'), 'the other disk still reads');
  const rec = recordOf(conn.getAllDomainStats(StatsGroup.BLOCK, 0), 'web1');
  t.strictSame(
    rec,
    [uint('block.count', 2), ...blockParams(0, 'xvda', '/dev/vg0/web1-root', 'vbd-3-51712'), ...blockParams(1, 'vdb', '/dev/vg0/web1-data', null)],
    'domstats keeps name and path',
  );
  t.strictSame(conn.lastProblems, [
    { domain: 'web1', key: '3ef03971-0d42-55d8-9c52-4ca0e5e13c45', message: 'block vdb: unsupported path, use xvdN, hdN, or sdN for domain 3' },
    BROKEN1_PROBLEMS[1],
  ]);
});

t.test('sectors whose bytes overflow 64 bits', async (t) => {
  const root = copyTree(t, TREE1);
  const dir = path.join(root, 'sys/bus/xen-backend/devices/vbd-3-51712/statistics');
  fs.writeFileSync(path.join(dir, 'wr_sect'), `${2n ** 60n}\n`);
  const conn = open(root);
  const web1 = conn.lookupDomain('web1');
  expectVirError(
    t,
    () => conn.blockStats(web1, 'xvda'),
    VirErrorCode.INTERNAL_ERROR,
    'stats->wr_bytes would overflow 64 bit counter for domain 3',
    'wr_sect = 2^60',
  );
  t.strictSame(conn.blockStats(web1, 'xvdb1'), blockOf('vbd-3-51729'), 'the other disk still reads');
  fs.writeFileSync(path.join(dir, 'wr_sect'), '3000401\n');
  fs.writeFileSync(path.join(dir, 'rd_sect'), '18446744073709551615\n');
  expectVirError(
    t,
    () => open(root).blockStats(web1, 'xvda'),
    VirErrorCode.INTERNAL_ERROR,
    'stats->rd_bytes would overflow 64 bit counter for domain 3',
    'rd_sect = 2^64-1',
  );
});

t.test('inactive off1', async (t) => {
  const conn = open();
  const off1 = conn.lookupDomain('off1');
  t.equal(off1.id, -1, 'no id');
  expectVirError(t, () => conn.blockStats(off1, 'xvda'), VirErrorCode.OPERATION_INVALID, 'domain is not running', 'blockStats');
  expectVirError(t, () => conn.blockStats(off1, ''), VirErrorCode.OPERATION_INVALID, 'domain is not running', 'blockStats sum');
  expectVirError(t, () => conn.blockStatsFlags(off1, 'xvda'), VirErrorCode.OPERATION_INVALID, 'domain is not running', 'blockStatsFlags');
  expectVirError(t, () => conn.blockStats(off1, 'xvdz'), VirErrorCode.OPERATION_INVALID, 'domain is not running', 'not running comes before the disk lookup');
  expectVirError(t, () => conn.interfaceStats(off1, '00:16:3e:ff:00:00'), VirErrorCode.OPERATION_INVALID, 'domain is not running', 'interfaceStats by MAC');
  expectVirError(t, () => conn.interfaceStats(off1, 'vif3.0'), VirErrorCode.OPERATION_INVALID, 'domain is not running', 'interfaceStats by name');
});

// ---- the other two trees ----

t.test('tree 2: old layout', async (t) => {
  const conn = open(fixture(TREE2));
  t.strictSame(
    conn.listAllDomains().map((d) => [d.name, d.id, d.state, d.persistent]),
    [['legacy1', 4, 1, false]],
  );
  const dom = conn.lookupDomain('legacy1');
  t.strictSame(conn.blockStats(dom, 'xvda'), blockOf('vbd-4-51712'), 'xvda from sys/devices/xen-backend');
  t.strictSame(
    conn.blockStats(dom, 'xvda'),
    { rd_req: 4000108n, rd_bytes: 2048106496n, wr_req: 4000308n, wr_bytes: 2048208896n, errs: 4000508n },
    'xvda literally',
  );
  t.strictSame(conn.blockStats(dom, 'xvdb'), blockOf('vbd-4-51728'), 'xvdb');
  t.strictSame(conn.blockStats(dom, ''), sumBlocks('vbd-4-51712', 'vbd-4-51728'), 'sum');
  for (const disk of ['xvda', 'xvdb', ''] as const) {
    const p = conn.blockStatsFlags(dom, disk);
    t.strictSame(fields(p), ['wr_bytes', 'wr_operations', 'rd_bytes', 'rd_operations', 'errs'], `'${disk}': no flush_operations without f_req`);
  }
  t.strictSame(conn.blockStatsFlags(dom, 'xvdb'), flagsOf('vbd-4-51728'));
  const s = conn.interfaceStats(dom, 'vif4.0');
  t.equal(s.tx_bytes, 104000808n, 'old format: the number touching the colon is dom0 RX bytes = guest tx_bytes');
  t.strictSame(s, guest('vif4.0'), 'all eight fields');
  t.strictSame(conn.interfaceStats(dom, '00:16:3e:04:00:00'), guest('vif4.0'), 'by MAC');
  const records = conn.getAllDomainStats(0, 0);
  t.strictSame(records.length, 1);
  t.strictSame(
    recordOf(records, 'legacy1'),
    [
      ...head(1, 1, 393216, 524288, 1, 1),
      uint('net.count', 1),
      ...netParams(0, 'vif4.0'),
      uint('block.count', 2),
      ...blockParams(0, 'xvda', '/dev/vg0/legacy1', 'vbd-4-51712'),
      ...blockParams(1, 'xvdb', '/dev/vg0/legacy1-swap', 'vbd-4-51728'),
    ],
    'the whole record, without fl.reqs',
  );
  t.notOk(
    records[0]!.params.some((p) => p.field.endsWith('.fl.reqs')),
    'no fl.reqs key',
  );
  t.strictSame(recordOf(conn.getAllDomainStats(StatsGroup.EXTRA, 0), 'legacy1'), [], 'no ds_req, no extra keys');
  t.strictSame(conn.lastProblems, []);
});

t.test('tree 3: no libvirt', async (t) => {
  const conn = open(fixture(TREE3));
  const doms = conn.listAllDomains();
  t.strictSame(
    doms.map((d) => d.name),
    ['Domain-21', 'Domain-22'],
  );
  t.strictSame(
    doms.map((d) => d.id),
    [21, 22],
  );
  t.strictSame(
    doms.map((d) => d.disks.map((k) => k.target)),
    [['xvda', 'xvdb'], ['xvda']],
    'disks named from device numbers',
  );
  t.strictSame(
    doms.map((d) => d.interfaces.map((n) => n.target)),
    [['vif21.0'], ['vif22.0', 'vif22.1']],
  );
  const d21 = conn.lookupDomain('Domain-21');
  const d22 = conn.lookupDomain('22');
  t.equal(d22.name, 'Domain-22', 'lookup by id');
  t.strictSame(conn.blockStats(d21, 'xvda'), blockOf('vbd-21-51712'));
  t.strictSame(conn.blockStats(d21, 'xvdb'), blockOf('vbd-21-51728'));
  t.strictSame(conn.blockStats(d21, ''), sumBlocks('vbd-21-51712', 'vbd-21-51728'));
  t.strictSame(conn.blockStats(d22, 'xvda'), blockOf('vbd-22-51712'));
  t.strictSame(
    conn.blockStats(d22, 'xvda'),
    { rd_req: 22000104n, rd_bytes: 11264104448n, wr_req: 22000304n, wr_bytes: 11264206848n, errs: 22000504n },
    'Domain-22 xvda literally',
  );
  t.strictSame(conn.blockStatsFlags(d21, 'xvdb'), flagsOf('vbd-21-51728'));
  t.strictSame(conn.blockStatsFlags(d22, ''), flagsOf('vbd-22-51712'));
  expectVirError(t, () => conn.blockStats(d22, 'xvdb'), VirErrorCode.INVALID_ARG, 'invalid path: xvdb', "Domain-21's xvdb asked of Domain-22");
  t.strictSame(conn.interfaceStats(d21, 'vif21.0'), guest('vif21.0'));
  t.strictSame(conn.interfaceStats(d22, 'vif22.0'), guest('vif22.0'));
  t.strictSame(conn.interfaceStats(d22, 'vif22.1'), guest('vif22.1'));
  expectVirError(
    t,
    () => conn.interfaceStats(d22, 'vif21.0'),
    VirErrorCode.INVALID_ARG,
    "'vif21.0' is not a known interface",
    "Domain-21's vif asked of Domain-22",
  );
  const records = conn.getAllDomainStats(0, 0);
  t.strictSame(names(records), ['Domain-21', 'Domain-22']);
  t.strictSame(recordOf(records, 'Domain-21'), [
    int('state.state', 1),
    int('state.reason', 0),
    uint('net.count', 1),
    ...netParams(0, 'vif21.0'),
    uint('block.count', 2),
    ...blockParams(0, 'xvda', null, 'vbd-21-51712'),
    ...blockParams(1, 'xvdb', null, 'vbd-21-51728'),
  ]);
  t.strictSame(recordOf(records, 'Domain-22'), [
    int('state.state', 1),
    int('state.reason', 0),
    uint('net.count', 2),
    ...netParams(0, 'vif22.0'),
    ...netParams(1, 'vif22.1'),
    uint('block.count', 1),
    ...blockParams(0, 'xvda', null, 'vbd-22-51712'),
  ]);
  t.strictSame(recordOf(conn.getAllDomainStats(StatsGroup.EXTRA, 0), 'Domain-21'), [
    ull('extra.block.0.discard.reqs', 21000704n),
    ull('extra.block.1.discard.reqs', 21010704n),
  ]);
  t.strictSame(names(conn.getAllDomainStats(StatsGroup.STATE, StatsFlag.TRANSIENT)), ['Domain-21', 'Domain-22'], 'no definition: transient');
  t.strictSame(names(conn.getAllDomainStats(StatsGroup.STATE, StatsFlag.PERSISTENT)), []);
});

// ---- the bulk API ----

const GROUP_OF: [RegExp, number, TypedParam['type']][] = [
  [/^state\.(state|reason)$/, 0, 'int'],
  [/^balloon\.(current|maximum)$/, 1, 'ullong'],
  [/^vcpu\.(current|maximum)$/, 2, 'uint'],
  [/^net\.count$/, 3, 'uint'],
  [/^net\.[0-9]+\.name$/, 3, 'string'],
  [/^net\.[0-9]+\.(rx|tx)\.(bytes|pkts|errs|drop)$/, 3, 'ullong'],
  [/^block\.count$/, 4, 'uint'],
  [/^block\.[0-9]+\.(name|path)$/, 4, 'string'],
  [/^block\.[0-9]+\.(rd\.reqs|rd\.bytes|wr\.reqs|wr\.bytes|fl\.reqs|errors)$/, 4, 'ullong'],
];

t.test('getAllDomainStats(0): the Xen groups, in order, with their types', async (t) => {
  const conn = open();
  const records = conn.getAllDomainStats(0, 0);
  t.strictSame(names(records), ['web1', 'db1', 'win1', 'broken1', 'off1']);
  for (const r of records) {
    let last = 0;
    for (const p of r.params) {
      const hit = GROUP_OF.find(([re]) => re.test(p.field));
      if (hit === undefined) {
        t.fail(`${r.domain.name}: unexpected key ${p.field}`);
        continue;
      }
      const [, group, type] = hit;
      if (group < last) t.fail(`${r.domain.name}: ${p.field} after a later group`);
      last = group;
      t.equal(p.type, type, `${r.domain.name} ${p.field} is ${type}`);
      t.equal(typeof p.value, type === 'string' ? 'string' : type === 'ullong' ? 'bigint' : 'number', `${r.domain.name} ${p.field} value type`);
    }
    t.strictSame(r.params, TREE1_RECORDS[r.domain.name], `${r.domain.name}: the whole record`);
  }
  t.strictSame(
    fields(recordOf(records, 'web1')).map((f) => f.split('.')[0]),
    [
      'state',
      'state',
      'balloon',
      'balloon',
      'vcpu',
      'vcpu',
      'net',
      ...Array(9).fill('net'),
      ...Array(9).fill('net'),
      'block',
      ...Array(8).fill('block'),
      ...Array(8).fill('block'),
    ],
    'web1 key order: state, balloon, vcpu, net, block',
  );
  t.strictSame(conn.lastProblems, BROKEN1_PROBLEMS);
  const explicit = conn.getAllDomainStats(StatsGroup.STATE | StatsGroup.BALLOON | StatsGroup.VCPU | StatsGroup.INTERFACE | StatsGroup.BLOCK, 0);
  t.strictSame(explicit, records, 'the same as asking for the five groups by bit');
});

t.test('single groups', async (t) => {
  const conn = open();
  t.strictSame(recordOf(conn.getAllDomainStats(StatsGroup.STATE, 0), 'win1'), [int('state.state', 3), int('state.reason', 1)], 'win1 paused by the user');
  t.strictSame(recordOf(conn.getAllDomainStats(StatsGroup.BALLOON, 0), 'web1'), [ull('balloon.current', 786432n), ull('balloon.maximum', 1048576n)]);
  t.strictSame(recordOf(conn.getAllDomainStats(StatsGroup.VCPU, 0), 'web1'), [uint('vcpu.current', 2), uint('vcpu.maximum', 4)]);
  t.strictSame(recordOf(conn.getAllDomainStats(StatsGroup.INTERFACE, 0), 'off1'), [], 'no net group for an inactive domain');
  t.strictSame(recordOf(conn.getAllDomainStats(StatsGroup.BLOCK, 0), 'off1'), [
    uint('block.count', 1),
    str('block.0.name', 'xvda'),
    str('block.0.path', '/dev/vg0/off1'),
  ]);
  t.strictSame(
    recordOf(conn.getAllDomainStats(StatsGroup.BLOCK | StatsGroup.STATE, 0), 'db1'),
    [
      int('state.state', 1),
      int('state.reason', 1),
      uint('block.count', 2),
      ...blockParams(0, 'xvdaa', '/dev/vg0/db1-big', 'vbd-7-268442112'),
      ...blockParams(1, 'sdb', '/dev/vg0/db1-scsi', 'vbd-7-2064'),
    ],
    'groups in record order whatever the bits',
  );
});

t.test('ENFORCE_STATS and unsupported groups', async (t) => {
  const conn = open();
  expectVirError(
    t,
    () => conn.getAllDomainStats(StatsGroup.CPU_TOTAL, StatsFlag.ENFORCE_STATS),
    VirErrorCode.ARGUMENT_UNSUPPORTED,
    'Stats types bits 0x2 are not supported by this daemon',
    'cpu-total',
  );
  expectVirError(
    t,
    () => conn.getAllDomainStats(StatsGroup.STATE | StatsGroup.CPU_TOTAL | StatsGroup.BLOCK, StatsFlag.ENFORCE_STATS),
    VirErrorCode.ARGUMENT_UNSUPPORTED,
    'Stats types bits 0x2 are not supported by this daemon',
    'state+cpu-total+block',
  );
  expectVirError(
    t,
    () => conn.getAllDomainStats(StatsGroup.CPU_TOTAL | StatsGroup.PERF, StatsFlag.ENFORCE_STATS),
    VirErrorCode.ARGUMENT_UNSUPPORTED,
    'Stats types bits 0x42 are not supported by this daemon',
    'cpu-total+perf',
  );
  expectVirError(
    t,
    () => conn.domainListGetStats([conn.lookupDomain('web1')], StatsGroup.CPU_TOTAL, StatsFlag.ENFORCE_STATS),
    VirErrorCode.ARGUMENT_UNSUPPORTED,
    'Stats types bits 0x2 are not supported by this daemon',
    'domainListGetStats',
  );
  // `|` with bit 31 gives a negative JS number; libvirt's flags are an unsigned int
  expectVirError(
    t,
    () => conn.getAllDomainStats(StatsGroup.CPU_TOTAL, StatsFlag.ENFORCE_STATS | StatsFlag.ACTIVE),
    VirErrorCode.ARGUMENT_UNSUPPORTED,
    'Stats types bits 0x2 are not supported by this daemon',
    'ENFORCE | ACTIVE',
  );
  expectVirError(
    t,
    () => conn.getAllDomainStats(StatsGroup.CPU_TOTAL, StatsFlag.ENFORCE_STATS + StatsFlag.ACTIVE),
    VirErrorCode.ARGUMENT_UNSUPPORTED,
    'Stats types bits 0x2 are not supported by this daemon',
    'ENFORCE + ACTIVE',
  );
  expectVirError(
    t,
    () => conn.getAllDomainStats(StatsGroup.CPU_TOTAL, StatsFlag.ENFORCE_STATS | StatsFlag.BACKING),
    VirErrorCode.ARGUMENT_UNSUPPORTED,
    'Stats types bits 0x2 are not supported by this daemon',
    'ENFORCE | BACKING',
  );
  t.strictSame(
    conn.getAllDomainStats(StatsGroup.STATE, StatsFlag.ENFORCE_STATS).map((r) => r.params),
    [
      [int('state.state', 1), int('state.reason', 1)],
      [int('state.state', 1), int('state.reason', 1)],
      [int('state.state', 3), int('state.reason', 1)],
      [int('state.state', 1), int('state.reason', 1)],
      [int('state.state', 5), int('state.reason', 0)],
    ],
    'ENFORCE with a supported group',
  );
  t.strictSame(conn.getAllDomainStats(0, StatsFlag.ENFORCE_STATS), conn.getAllDomainStats(0, 0), 'ENFORCE with stats = 0');
  const dropped = conn.getAllDomainStats(StatsGroup.STATE | StatsGroup.CPU_TOTAL, 0);
  t.strictSame(recordOf(dropped, 'web1'), [int('state.state', 1), int('state.reason', 1)], 'without ENFORCE the cpu-total bit is dropped');
  const only = conn.getAllDomainStats(StatsGroup.CPU_TOTAL, 0);
  t.strictSame(names(only), ['web1', 'db1', 'win1', 'broken1', 'off1'], 'one record per domain');
  t.strictSame(
    only.map((r) => r.params),
    [[], [], [], [], []],
    'and nothing in them',
  );
});

t.test('list filters', async (t) => {
  const conn = open();
  const cases: [number, string[]][] = [
    [0, ['web1', 'db1', 'win1', 'broken1', 'off1']],
    [StatsFlag.ACTIVE, ['web1', 'db1', 'win1', 'broken1']],
    [StatsFlag.INACTIVE, ['off1']],
    [StatsFlag.ACTIVE | StatsFlag.INACTIVE, ['web1', 'db1', 'win1', 'broken1', 'off1']],
    [StatsFlag.RUNNING, ['web1', 'db1', 'broken1']],
    [StatsFlag.PAUSED, ['win1']],
    [StatsFlag.SHUTOFF, ['off1']],
    [StatsFlag.OTHER, []],
    [StatsFlag.RUNNING | StatsFlag.PAUSED, ['web1', 'db1', 'win1', 'broken1']],
    [StatsFlag.PERSISTENT, ['web1', 'db1', 'off1']],
    [StatsFlag.TRANSIENT, ['win1', 'broken1']],
    [StatsFlag.PERSISTENT | StatsFlag.TRANSIENT, ['web1', 'db1', 'win1', 'broken1', 'off1']],
    [StatsFlag.ACTIVE | StatsFlag.PERSISTENT, ['web1', 'db1']],
    [StatsFlag.INACTIVE | StatsFlag.TRANSIENT, []],
    [StatsFlag.RUNNING | StatsFlag.TRANSIENT, ['broken1']],
  ];
  for (const [flags, want] of cases) {
    t.strictSame(names(conn.getAllDomainStats(StatsGroup.STATE, flags)), want, `getAllDomainStats flags 0x${flags.toString(16)}`);
    t.strictSame(
      conn.listAllDomains(flags).map((d) => d.name),
      want,
      `listAllDomains flags 0x${flags.toString(16)}`,
    );
  }
});

t.test('domainListGetStats', async (t) => {
  const conn = open();
  const db1 = conn.lookupDomain('db1');
  const off1 = conn.lookupDomain('off1');
  const win1 = conn.lookupDomain('win1');
  const r = conn.domainListGetStats([off1, db1], StatsGroup.STATE | StatsGroup.BLOCK, 0);
  t.strictSame(names(r), ['off1', 'db1'], 'the order asked for');
  t.strictSame(r[0]!.params, [int('state.state', 5), int('state.reason', 0), uint('block.count', 1), ...blockParams(0, 'xvda', '/dev/vg0/off1', null)]);
  t.strictSame(r[1]!.params, [
    int('state.state', 1),
    int('state.reason', 1),
    uint('block.count', 2),
    ...blockParams(0, 'xvdaa', '/dev/vg0/db1-big', 'vbd-7-268442112'),
    ...blockParams(1, 'sdb', '/dev/vg0/db1-scsi', 'vbd-7-2064'),
  ]);
  t.strictSame(
    conn.domainListGetStats([win1], 0, 0).map((x) => x.params),
    [TREE1_RECORDS.win1],
    'win1 with every group',
  );
  t.strictSame(names(conn.domainListGetStats([off1, db1, win1], StatsGroup.STATE, StatsFlag.ACTIVE)), ['db1', 'win1'], 'filter flags apply to the list');
  t.strictSame(conn.domainListGetStats([], 0, 0), [], 'an empty list');
  t.strictSame(conn.lastProblems, []);
});

t.test('BACKING does not break Xen', async (t) => {
  const conn = open();
  const plain = conn.getAllDomainStats(0, 0);
  const backing = conn.getAllDomainStats(0, StatsFlag.BACKING);
  t.strictSame(
    backing.map((r) => r.params),
    plain.map((r) => r.params),
    'identical records',
  );
  t.strictSame(recordOf(backing, 'web1'), TREE1_RECORDS.web1);
  t.strictSame(
    conn.domainListGetStats([conn.lookupDomain('db1')], StatsGroup.BLOCK, StatsFlag.BACKING | StatsFlag.ENFORCE_STATS).map((r) => r.params),
    [TREE1_RECORDS.db1!.filter((p) => p.field.startsWith('block.'))],
  );
});

t.test('BACKING lists backing layers of a Xen disk', async (t) => {
  const root = copyTree(t, TREE1);
  const xml = path.join(root, 'run/libvirt/libxl/web1.xml');
  const text = fs.readFileSync(xml, 'utf8');
  const top = "<source dev='/dev/vg0/web1-root'/>";
  t.ok(text.includes(top));
  fs.writeFileSync(
    xml,
    text.replace(
      top,
      `${top}\n        <backingStore type='file'><format type='raw'/><source file='/var/lib/xen/images/base.img'/><backingStore/></backingStore>`,
    ),
  );
  const conn = open(root);
  const disks = [...blockParams(0, 'xvda', '/dev/vg0/web1-root', 'vbd-3-51712'), ...blockParams(1, 'xvdb1', '/dev/vg0/web1-data', 'vbd-3-51729')];
  t.strictSame(recordOf(conn.getAllDomainStats(StatsGroup.BLOCK, 0), 'web1'), [uint('block.count', 2), ...disks], 'without BACKING: the top images');
  const layered = [
    uint('block.count', 3),
    ...blockParams(0, 'xvda', '/dev/vg0/web1-root', 'vbd-3-51712'),
    str('block.1.name', 'xvda'),
    str('block.1.path', '/var/lib/xen/images/base.img'),
    ...blockParams(2, 'xvdb1', '/dev/vg0/web1-data', 'vbd-3-51729'),
  ];
  t.strictSame(
    recordOf(conn.getAllDomainStats(StatsGroup.BLOCK, StatsFlag.BACKING), 'web1'),
    layered,
    'with BACKING: the layer is listed, later disks renumbered',
  );
  t.strictSame(
    recordOf(conn.getAllDomainStats(StatsGroup.BLOCK, StatsFlag.BACKING | StatsFlag.ENFORCE_STATS), 'web1'),
    layered,
    'BACKING | ENFORCE (bit 31) keeps BACKING',
  );
  t.strictSame(
    recordOf(conn.getAllDomainStats(StatsGroup.BLOCK | StatsGroup.EXTRA, StatsFlag.BACKING), 'web1'),
    [...layered, ull('extra.block.0.discard.reqs', 3000701n), ull('extra.block.1.discard.reqs', 3010701n)],
    'extra keys stay indexed by disk',
  );
  t.strictSame(conn.blockStats(conn.lookupDomain('web1'), 'xvda'), blockOf('vbd-3-51712'), 'blockStats unaffected');
});
