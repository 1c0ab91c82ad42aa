// domstat top: (a) batch mode in-process, with counters bumped between the two refreshes by known
// amounts (alpha: vnet0 +100 KiB guest rx, vda +100 KiB and +100 requests read; beta: +0.5 s
// CPU; the host: /proc/stat +400 busy of 1000 ticks), the host summary, the CSV log, names
// that hold newlines and formulas, bad options; (b) the full-screen view in a real terminal
// (tmux): screens, sort keys, q, the terminal left as it was found, and a 60-domain simulated
// host at 160x40, resized to 100x15 and 60x12: header kept, busiest rows first, nothing wider.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { main } from '../../src/cli/main.js';
import { REPO } from '../helpers/cli.js';
import { COL, CounterFile, FieldsFile, NetDev, cpuacctUsage, privateDir, privateTree, rewrite, sleep, waitFor } from '../helpers/moving.js';
import { fixture, runCli } from '../helpers/cli.js';
import { Connection } from '../../src/connection/connection.js';
import { LIBVIRT_GROUPS } from '../../src/stats/groups.js';
import { KEYS_LINE } from '../../src/export/top-view.js';

const NET_BUMP = 102_400; // bytes: vnet0's host-side TX = alpha's guest rx
const DISK_BUMP_SECTORS = 200; // 200·512 = 102 400 bytes read on alpha's vda
const DISK_BUMP_REQS = 100;
const CPU_BUMP_NS = 500_000_000; // beta: 0.5 s of CPU
// The host's /proc/stat between the refreshes: user +300, system +100, idle +500, iowait +100
// ticks: 400 busy of 1000, 40.0 %.
const STAT_BUMP = [300, 0, 100, 500, 100, 0, 0, 0];

interface Tree {
  root: string;
  dir: string;
  memTotalKiB: number;
  bump(): void;
}

function tree(t: Test): Tree {
  const root = privateTree(t, 'kvm-cgroup1-systemd');
  const net = new NetDev(path.join(root, 'proc/net/dev'));
  const disk = new FieldsFile(path.join(root, 'sys/dev/block/253:3/stat'));
  const cpu = new CounterFile(cpuacctUsage(root, 'beta'));
  const memTotalKiB = Number(/^MemTotal:\s+([0-9]+) kB$/m.exec(fs.readFileSync(path.join(root, 'proc/meminfo'), 'utf8'))![1]);
  const statFile = path.join(root, 'proc/stat');
  const stat = fs.readFileSync(statFile, 'latin1');
  const cpuLine = /^cpu +(.*)$/m.exec(stat)!;
  const bumped = cpuLine[1]!
    .split(/\s+/)
    .map((v, i) => String(Number(v) + (STAT_BUMP[i] ?? 0)))
    .join(' ');
  return {
    root,
    dir: path.dirname(root),
    memTotalKiB,
    bump() {
      net.setFromBase('vnet0', COL.TX_BYTES, BigInt(NET_BUMP)).write();
      disk.setFromBase(1, BigInt(DISK_BUMP_REQS)).setFromBase(3, BigInt(DISK_BUMP_SECTORS)).write();
      cpu.setFromBase(BigInt(CPU_BUMP_NS));
      rewrite(statFile, stat.replace(cpuLine[0], `cpu  ${bumped}`));
    },
  };
}

/** Runs top in-process; bumps the counters as soon as the first refresh has been printed. */
async function batch(tr: Tree, args: string[]): Promise<{ code: number; out: string; err: string; screens: string[] }> {
  let out = '';
  let err = '';
  let bumped = false;
  let refresh = 0;
  const code = await main(['top', '-b', '-n', '2', '-d', '1', '--root', tr.root, ...args], {
    now: () => 1000 * refresh++,
    out: (s) => {
      out += s;
      if (!bumped) {
        bumped = true;
        tr.bump();
      }
    },
    err: (s) => void (err += s),
  });
  const screens = out.split(/(?=^domstat top - )/m);
  return { code, out, err, screens };
}

/** "100K" -> 102400: the inverse of top's human(). */
function unhuman(s: string): number {
  const m = /^([0-9.]+)([KMGTP]?)$/.exec(s);
  if (m === null) throw new Error(`not a human number: ${s}`);
  return Number(m[1]) * 1024 ** ' KMGTP'.indexOf(m[2] || ' ');
}

/**
 * A rate shown for a counter bumped once by `amount` between two refreshes: top's clock is the
 * test's (the samples exactly 1 s apart), so the rate is the amount, within top's rounding (1%).
 */
const rateOf = (t: Test, got: number, amount: number, what: string) => t.ok(Math.abs(got - amount) <= amount * 0.01, `${what}: ${got} is ${amount} per 1 s`);

/** Lines above the table: three of header, then a blank line (batch); the keys line before it on the full screen. */
const BATCH_HEAD = 4;
const SCREEN_HEAD = 5;

/** Table rows of a screen as cells (column heads first). */
function rows(screen: string, head = BATCH_HEAD): string[][] {
  return screen
    .split('\n')
    .slice(head)
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s+/));
}

const HEADER = /^domstat top - \d\d:\d\d:\d\d {2}(\S+) {2}4 CPUs {2}delay 1s {2}sort (\w+)$/;
const STATES = '4 domains: 2 running, 1 paused, 1 shut off, 0 other';
// The fixture's /proc/meminfo: MemTotal 24684084, MemFree 24049776, MemAvailable 24038752 kB:
// 23.5G total (top prints 24G), 22.9G free (23G), used = total - available = 645332 kB (630M);
// guests: alpha 2 GiB + beta 1 GiB + delta (paused) 1.5 GiB; gamma is shut off and holds none.
const HOST_MEM = 'Mem 24G total, 23G free, 630M used, 4.5G by guests';
const HEADS = ['ID', 'S', 'RDBY/s', 'WRBY/s', 'RXBY/s', 'TXBY/s', '%CPU', '%MEM', 'MEM', 'TIME', 'NAME'];

t.test('batch: domains screen sorted by name, rates of the bumped counters', async (t) => {
  const tr = tree(t);
  const r = await batch(tr, ['-o', 'name']);
  t.equal(r.code, 0, `exit 0 ${r.err}`);
  t.equal(r.err, '');
  t.equal(r.screens.length, 2, 'two refreshes');
  const [first, second] = r.screens as [string, string];
  t.match(first.split('\n')[0], HEADER, 'header line');
  t.equal(HEADER.exec(first.split('\n')[0]!)?.[1], os.hostname(), 'host name in the header');
  t.equal(HEADER.exec(second.split('\n')[0]!)?.[2], 'name', 'sort name');
  t.same(first.split('\n').slice(1, 4), [STATES, `Host CPU -  ${HOST_MEM}`, ''], 'domains by state; host memory; no host CPU before a second sample');
  t.equal(second.split('\n')[2], `Host CPU 40.0%  ${HOST_MEM}`, 'host CPU: 400 busy ticks of 1000 between the refreshes');
  t.notOk(r.out.includes('keys:'), 'batch mode prints no keys line');
  t.same(rows(first)[0], HEADS, 'column heads, rates per second');
  // First refresh: no rates yet.
  t.same(
    rows(first)
      .slice(1)
      .map((c) => [c[0], c[4], c[6], c[10]]),
    [
      ['1', '-', '-', 'alpha'],
      ['2', '-', '-', 'beta'],
      ['4', '-', '-', 'delta'],
      ['-', '-', '-', 'gamma'],
    ],
    'first refresh: no rates',
  );

  const body = rows(second).slice(1);
  t.same(
    body.map((c) => c[10]),
    ['alpha', 'beta', 'delta', 'gamma'],
    'sorted by name',
  );
  const memPct = (kib: number) => ((kib / tr.memTotalKiB) * 100).toFixed(1);
  const [alpha, beta, delta, gamma] = body as [string[], string[], string[], string[]];
  t.same(
    [alpha[0], alpha[1], alpha[3], alpha[5], alpha[6], alpha[7], alpha[8], alpha[9]],
    ['1', 'R', '0', '0', '0.0', memPct(2097152), '2.0G', '0:00.00'],
    'alpha: id, state, idle columns, memory, time',
  );
  rateOf(t, unhuman(alpha[4]!), NET_BUMP, `alpha RXBY ${alpha[4]}`);
  rateOf(t, unhuman(alpha[2]!), DISK_BUMP_SECTORS * 512, `alpha RDBY ${alpha[2]}`);
  t.same(
    [beta[0], beta[1], beta[2], beta[3], beta[4], beta[5], beta[7], beta[8], beta[9]],
    ['2', 'R', '-', '-', '0', '0', memPct(1048576), '1.0G', '0:00.50'],
    'beta: no disk counters (qcow2), TIME 0.502 s',
  );
  rateOf(t, Number(beta[6]), 12.5, `beta %CPU ${beta[6]} (0.5 s of 4 CPUs in 1 s)`);
  t.same(delta, ['4', 'P', '-', '-', '0', '0', '0.0', memPct(1572864), '1.5G', '0:00.00', 'delta'], 'delta: paused');
  t.same(gamma, ['-', 'S', '-', '-', '-', '-', '-', memPct(524288), '512M', '-', 'gamma'], 'gamma: shut off, no counters');
});

t.test('batch: sorted by CPU', async (t) => {
  const tr = tree(t);
  const r = await batch(tr, ['-o', 'cpu']);
  t.equal(r.code, 0);
  t.equal(HEADER.exec(r.screens[1]!.split('\n')[0]!)?.[2], 'cpu', 'sort cpu');
  t.same(
    rows(r.screens[1]!)
      .slice(1)
      .map((c) => c[10]),
    ['beta', 'alpha', 'delta', 'gamma'],
    'busiest first, ties by name, no CPU figure last',
  );
});

t.test('batch: sorted by rx', async (t) => {
  const r = await batch(tree(t), ['-o', 'rx']);
  t.equal(HEADER.exec(r.screens[1]!.split('\n')[0]!)?.[2], 'rx', 'sort rx');
  t.same(
    rows(r.screens[1]!)
      .slice(1)
      .map((c) => c[10]),
    ['alpha', 'beta', 'delta', 'gamma'],
    'alpha (receiving) first, idle ones by name, no figure last',
  );
});

t.test('batch: the interface screen lists the right devices', async (t) => {
  const net = await batch(tree(t), ['-o', 'name', '--screen', 'net']);
  t.equal(net.code, 0);
  const n = rows(net.screens[1]!);
  t.same(n[0], ['ID', 'NAME', 'DEVICE', 'RXBY/s', 'TXBY/s', 'RXPK/s', 'TXPK/s'], 'interface columns');
  t.same(
    n.slice(1).map((c) => [c[0], c[1], c[2]]),
    [
      ['1', 'alpha', 'vnet0'],
      ['1', 'alpha', 'vnet1'],
      ['1', 'alpha', 'macvtap0'],
      ['2', 'beta', 'vnet2'],
      ['4', 'delta', 'vnet3'],
    ],
    'one row per interface, XML order',
  );
  rateOf(t, unhuman(n[1]![3]!), NET_BUMP, `vnet0 RXBY ${n[1]![3]}`);
  t.same(
    n.slice(2).map((c) => c.slice(3)),
    Array(4).fill(['0', '0', '0', '0']),
    'the other interfaces are idle',
  );
});

t.test('batch: the disk screen lists the right devices', async (t) => {
  const disk = await batch(tree(t), ['-o', 'name', '--screen', 'block']);
  const d = rows(disk.screens[1]!);
  t.same(d[0], ['ID', 'NAME', 'DEVICE', 'RDBY/s', 'WRBY/s', 'RDRQ/s', 'WRRQ/s'], 'disk columns');
  t.same(
    d.slice(1).map((c) => [c[0], c[1], c[2]]),
    [
      ['1', 'alpha', 'vda'],
      ['1', 'alpha', 'vdb'],
      ['2', 'beta', 'vda'],
      ['4', 'delta', 'vda'],
      ['-', 'gamma', 'vda'],
    ],
    'one row per disk',
  );
  rateOf(t, unhuman(d[1]![3]!), DISK_BUMP_SECTORS * 512, `vda RDBY ${d[1]![3]}`);
  rateOf(t, Number(d[1]![5]), DISK_BUMP_REQS, `vda RDRQ ${d[1]![5]}`);
  t.same([d[1]![4], d[1]![6]], ['0', '0'], 'vda: no writes');
  t.same(
    d.slice(2).map((c) => c.slice(3)),
    Array(4).fill(['-', '-', '-', '-']),
    'file-backed disks have no counters',
  );
});

t.test('--csv: header, then one row per domain per refresh', async (t) => {
  const tr = tree(t);
  const csv = path.join(tr.dir, 'top.csv');
  const r = await batch(tr, ['-o', 'name', '--csv', csv]);
  t.equal(r.code, 0);
  const lines = fs.readFileSync(csv, 'utf8').split('\n');
  t.equal(lines.pop(), '', 'ends with a newline');
  t.equal(
    lines[0],
    'Hostname,Time,Physical CPUs,Count,Running,Paused,Shutoff,Total memory (KB),Domain ID,Domain name,CPU (ns),%CPU,Mem (KB),%Mem,Block RDBY,Block WRBY,Block RDRQ,Block WRRQ,Net RXBY,Net TXBY',
    'virt-top header',
  );
  t.equal(lines.length, 1 + 2 * 4, 'header + 4 domains x 2 refreshes');
  const cells = lines.slice(1).map((l) => l.split(','));
  for (const c of cells) {
    t.equal(c.length, 20, 'twenty columns');
    t.same([c[0], c[2], c[3], c[4], c[5], c[6], c[7]], [os.hostname(), '4', '4', '2', '1', '1', String(tr.memTotalKiB)], 'host columns');
    t.ok(!Number.isNaN(Date.parse(c[1]!)), 'ISO time');
  }
  t.same(
    cells.map((c) => c[9]),
    ['alpha', 'beta', 'delta', 'gamma', 'alpha', 'beta', 'delta', 'gamma'],
    'domains per refresh',
  );
  const pctMem = (kib: number) => ((kib / tr.memTotalKiB) * 100).toFixed(2);
  // refresh 1: no rates
  t.same(cells[0]!.slice(8), ['1', 'alpha', '1060001', '', '2097152', pctMem(2097152), '', '', '', '', '', ''], 'alpha, first refresh');
  // refresh 2
  const [a, b, d, g] = cells.slice(4) as [string[], string[], string[], string[]];
  t.same([a[8], a[10], a[11], a[12], a[15], a[17], a[19]], ['1', '1060001', '0.00', '2097152', '0', '0.00', '0'], 'alpha: idle CPU, no writes, no tx');
  rateOf(t, Number(a[14]), DISK_BUMP_SECTORS * 512, `alpha Block RDBY ${a[14]}`);
  rateOf(t, Number(a[16]), DISK_BUMP_REQS, `alpha Block RDRQ ${a[16]}`);
  rateOf(t, Number(a[18]), NET_BUMP, `alpha Net RXBY ${a[18]}`);
  t.same(
    [b[8], b[10], b[12], b[13], b[14], b[15], b[16], b[17], b[18], b[19]],
    ['2', String(2060001 + CPU_BUMP_NS), '1048576', pctMem(1048576), '', '', '', '', '0', '0'],
    'beta: CPU ns after the bump, no disk counters',
  );
  rateOf(t, Number(b[11]), 12.5, `beta %CPU ${b[11]}`);
  // One interval for every rate of a refresh: equal bumps give equal rates, and rx bytes over
  // %CPU is 102400 / 12.5 whatever the interval was.
  t.equal(a[18], a[14], 'Net RXBY = Block RDBY (both 102400 bytes in the same interval)');
  t.ok(
    Math.abs(Number(a[18]) / Number(b[11]) - NET_BUMP / 12.5) < 0.002 * (NET_BUMP / 12.5),
    `RXBY / %CPU = ${Number(a[18]) / Number(b[11])} ~ ${NET_BUMP / 12.5}`,
  );
  t.same(d.slice(8, 12), ['4', 'delta', '4060001', '0.00'], 'delta');
  t.same(g.slice(8), ['-1', 'gamma', '', '', '524288', pctMem(524288), '', '', '', '', '', ''], 'gamma: shut off (id -1), no counters');

  // A second run appends, without a second header.
  const again = await batch(tr, ['--csv', csv]);
  t.equal(again.code, 0);
  const all = fs.readFileSync(csv, 'utf8').trimEnd().split('\n');
  t.equal(all.length, 1 + 4 * 4, 'appended 8 more rows');
  t.equal(all.filter((l) => l.startsWith('Hostname,')).length, 1, 'one header');
});

t.test('batch: bad options', async (t) => {
  const tr = tree(t);
  const cases: [string[], string][] = [
    [['-n', '0'], 'error: --iterations must be from 1 to 1000000000, got 0\n'],
    [['-n', '1.5'], "error: --iterations must be an integer, got '1.5'\n"],
    [['-d', '0'], "error: --delay must be more than 0 seconds and at most a day (e.g. 3, 0.5, 500ms), got '0'\n"],
    [['-d', '0ms'], "error: --delay must be more than 0 seconds and at most a day (e.g. 3, 0.5, 500ms), got '0ms'\n"],
    [['-d', '-1'], "error: --delay must be more than 0 seconds and at most a day (e.g. 3, 0.5, 500ms), got '-1'\n"],
    [['-d', 'abc'], "error: --delay must be more than 0 seconds and at most a day (e.g. 3, 0.5, 500ms), got 'abc'\n"],
    [['-d', '2d'], "error: --delay must be more than 0 seconds and at most a day (e.g. 3, 0.5, 500ms), got '2d'\n"],
    [['--rows', '0'], 'error: --rows must be from 1 to 1000000000, got 0\n'],
    [['--rows', 'x'], "error: --rows must be an integer, got 'x'\n"],
  ];
  for (const [args, err] of cases) {
    let e = '';
    let out = '';
    const code = await main(['top', '-b', '--root', tr.root, ...args], { out: (s) => void (out += s), err: (s) => void (e += s) });
    t.equal(code, 1, `${args.join(' ')}: exit 1`);
    t.equal(e, err, err.trim());
    t.equal(out, '', 'nothing printed');
  }
  let e = '';
  t.equal(await main(['top', '-b', '-o', 'bogus', '--root', tr.root], { out: () => {}, err: (s) => void (e += s) }), 1, 'unknown sort key: exit 1');
  t.match(e, /option '-o, --sort <key>' argument 'bogus' is invalid/);
});

t.test('batch: --rows keeps the first rows by the sort and says how many were left out', async (t) => {
  const r = await batch(tree(t), ['-o', 'name', '--rows', '2']);
  t.equal(r.code, 0);
  for (const screen of r.screens) {
    const lines = screen.trimEnd().split('\n');
    t.same(
      rows(screen)
        .slice(1, 3)
        .map((c) => c[10]),
      ['alpha', 'beta'],
      'the first two by name',
    );
    t.equal(lines.length, BATCH_HEAD + 1 + 2 + 1, 'header, column heads, two rows, the count line');
    t.equal(lines[lines.length - 1], '… 2 more domains (4 in all)');
  }
  const all = await batch(tree(t), ['--screen', 'net', '-o', 'rx', '--rows', '1']);
  t.same(
    rows(all.screens[1]!)
      .slice(1)
      .map((c) => c.slice(0, 3)),
    [
      ['1', 'alpha', 'vnet0'],
      ['…', '4', 'more'],
    ],
    'interfaces sorted by their own rx: vnet0, the one receiving, first',
  );
});

t.test("batch on a Xen dom0: its files are dom0's, so no %MEM and the summary says dom0", async (t) => {
  let out = '';
  const code = await main(['top', '-b', '-n', '1', '-o', 'name', '--root', fixture('xen-4.x-pv-libxl')], { out: (s) => void (out += s), err: () => {} });
  t.equal(code, 0);
  const lines = out.split('\n');
  t.equal(lines[1], '5 domains: 3 running, 1 paused, 1 shut off, 0 other');
  t.match(lines[2], /^dom0 CPU - {2}Mem /, 'dom0, not the host');
  t.same(
    rows(out)
      .slice(1)
      .map((c) => [c[10], c[7], c[8]]),
    [
      ['broken1', '-', '512M'],
      ['db1', '-', '2.0G'],
      ['off1', '-', '256M'],
      ['web1', '-', '768M'],
      ['win1', '-', '3.0G'],
    ],
    "memory shown, no share of dom0's memory",
  );
});

t.test('names holding newlines, terminal controls and formulas stay on their line', async (t) => {
  const tr = tree(t);
  // XML allows a newline (&#10;) and C1 controls (U+009B is the 8-bit CSI) in a domain's name.
  const evil = '=HYPERLINK(1)&#10;line2&#x9b;31m';
  for (const f of ['run/libvirt/qemu/alpha.xml', 'etc/libvirt/qemu/alpha.xml']) {
    const file = path.join(tr.root, f);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('<name>alpha</name>', `<name>${evil}</name>`));
  }
  const csv = path.join(tr.dir, 'names.csv');
  const r = await batch(tr, ['-o', 'name', '--csv', csv]);
  t.equal(r.code, 0, r.err);
  t.equal(r.screens.length, 2);
  for (const screen of r.screens) {
    const lines = screen.trimEnd().split('\n');
    t.equal(lines.length, BATCH_HEAD + 1 + 4, 'one line per domain');
    t.match(lines[BATCH_HEAD + 1], /^ 1 {2}R .* =HYPERLINK\(1\)\\nline2\\x9b31m$/, 'the name with its controls escaped');
  }
  t.notOk(/[\x80-\x9f]/.test(r.out), 'no C1 control reaches the output');
  const records = fs.readFileSync(csv, 'utf8').trimEnd().split('\n');
  t.equal(records.length, 1 + 2 * 4, 'one CSV line per domain and refresh');
  t.equal(records[1]!.split(',')[9], "'=HYPERLINK(1)\\nline2\\x9b31m", 'CSV: the formula neutralised by a quote, the newline escaped');
});

// ---- (b) a real terminal ------------------------------------------------------------------

const TMUX_SOCKET = `domstat-test-${process.pid}`;
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', TMUX_SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8', env: { ...process.env, TMUX: '' } });
const pane = () => tmux('capture-pane', '-p', '-t', 'top');
const paneFlags = () => tmux('display-message', '-p', '-t', 'top', '#{alternate_on} #{cursor_flag}').trim();
const killTmux = () => {
  try {
    tmux('kill-server');
  } catch {
    // already gone
  }
};
/** Shell lines that print the terminal's canonical-mode and echo flags, one 'MODE x' line each. */
const SHOW_MODES = "stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)$' | sed 's/^/MODE /'";
/** A word for sh: single-quoted. */
const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

t.test('full screen in tmux: screens, sort keys, q restores the terminal', async (t) => {
  const tr = tree(t);
  t.teardown(killTmux);
  // After top exits, the shell reports its status and the terminal modes, then idles.
  const script = `${shq(process.execPath)} ${shq(path.join(REPO, 'bin/domstat.cjs'))} top --root ${shq(tr.root)} -d 1; echo "EXIT=$?"; ${SHOW_MODES}; sleep 60`;
  tmux('new-session', '-d', '-s', 'top', '-x', '160', '-y', '40', `sh -c ${shq(script)}`);

  const first = await waitFor('the first screen', 10_000, () => {
    const p = pane();
    return /^domstat top - /m.test(p) && /gamma\s*$/m.test(p) ? p : undefined;
  });
  const lines = first.split('\n');
  t.match(lines[0], /^domstat top - \d\d:\d\d:\d\d {2}\S+ {2}4 CPUs {2}delay 1s {2}sort cpu$/, 'header line on top');
  t.equal(lines[1], STATES, 'domains by state');
  t.match(lines[2], /^Host CPU (-|[0-9]+\.[0-9]%) {2}Mem 24G total, 23G free, 630M used, 4\.5G by guests$/, 'host summary');
  t.equal(lines[3], KEYS_LINE, 'the keys line on the full screen');
  t.same(lines[5]!.trim().split(/\s+/), HEADS, 'column heads');
  t.same(
    rows(first, SCREEN_HEAD)
      .slice(1)
      .map((c) => c[c.length - 1]),
    ['alpha', 'beta', 'delta', 'gamma'],
    'domain rows visible',
  );
  t.equal(paneFlags(), '1 0', 'alternate screen on, cursor hidden');

  tmux('send-keys', '-t', 'top', '2');
  const ifs = await waitFor('the interface screen', 5000, () => {
    const p = pane();
    return /^ID\s+NAME\s+DEVICE\s+RXBY\/s/m.test(p) ? p : undefined;
  });
  t.same(
    rows(ifs, SCREEN_HEAD)
      .slice(1)
      .map((c) => c[2]),
    ['vnet0', 'vnet1', 'macvtap0', 'vnet2', 'vnet3'],
    'key 2: DEVICE column with the tap names',
  );

  tmux('send-keys', '-t', 'top', '3');
  const disks = await waitFor('the disk screen', 5000, () => {
    const p = pane();
    return /^ID\s+NAME\s+DEVICE\s+RDBY\/s\s+WRBY\/s\s+RDRQ\/s\s+WRRQ\/s$/m.test(p) ? p : undefined;
  });
  t.same(
    rows(disks, SCREEN_HEAD)
      .slice(1)
      .map((c) => `${c[1]}/${c[2]}`),
    ['alpha/vda', 'alpha/vdb', 'beta/vda', 'delta/vda', 'gamma/vda'],
    'key 3: disks',
  );

  tmux('send-keys', '-t', 'top', '1');
  tmux('send-keys', '-t', 'top', 'N');
  const byName = await waitFor('sort name', 5000, () => {
    const p = pane();
    return /sort name$/m.test(p.split('\n')[0]!) && /^ID\s+S\s+RDBY\/s/m.test(p) ? p : undefined;
  });
  t.match(byName.split('\n')[0], / {2}sort name$/, 'N: "sort name" in the header');
  t.same(
    rows(byName, SCREEN_HEAD)
      .slice(1)
      .map((c) => c[c.length - 1]),
    ['alpha', 'beta', 'delta', 'gamma'],
    'back on the domains screen (key 1)',
  );
  tmux('send-keys', '-t', 'top', 'M');
  await waitFor('sort mem', 5000, () => / {2}sort mem$/.test(pane().split('\n')[0]!));
  t.pass('M: "sort mem" in the header');

  const quitAt = Date.now();
  tmux('send-keys', '-t', 'top', 'q');
  const after = await waitFor('top to exit', 5000, () => {
    const p = pane();
    return /^MODE /m.test(p) ? p : undefined;
  });
  t.ok(Date.now() - quitAt < 3000, `exited ${Date.now() - quitAt} ms after q`);
  t.match(after, /^EXIT=0$/m, 'exit status 0');
  t.notMatch(after, /domstat top - /, 'the alternate screen is gone: the shell screen is back');
  const modes = after
    .split('\n')
    .filter((l) => l.startsWith('MODE '))
    .map((l) => l.slice(5));
  t.same(modes.sort(), ['echo', 'icanon'], 'canonical mode and echo are back (raw mode undone)');
  await sleep(100);
  t.equal(paneFlags(), '0 1', 'alternate screen off, cursor visible');
});

t.test('full screen in tmux: 60 domains fitted to 160x40, then resized to 100x15 and 60x12', async (t) => {
  const dir = privateDir(t);
  const host = path.join(dir, 'host');
  const sim = await runCli(['simulate', '--once', '--kvm', '--domains', '60', '--out', host]);
  t.equal(sim.code, 0, `simulated host written ${sim.err}`);
  // The busiest by CPU time, worked out without top: the drivers' cpu.time of each domain (a
  // simulated tree written --once stands still, so the order holds while top runs).
  const byTime = new Connection({ root: host })
    .getAllDomainStats(LIBVIRT_GROUPS, 0)
    .map((r) => ({ name: r.domain.name, ns: Number(r.params.find((p) => p.field === 'cpu.time')!.value) }))
    .sort((a, b) => b.ns - a.ns || (a.name < b.name ? -1 : 1))
    .map((x) => x.name);
  t.equal(byTime.length, 60);
  t.teardown(killTmux);
  const cmd = `${shq(process.execPath)} ${shq(path.join(REPO, 'bin/domstat.cjs'))} top --root ${shq(host)} -d 1 -o time; sleep 60`;
  tmux('new-session', '-d', '-s', 'top', '-x', '160', '-y', '40', `sh -c ${shq(cmd)}`);
  // -J joins a line the terminal wrapped: a line wider than the terminal would show as one.
  const joined = () => tmux('capture-pane', '-p', '-J', '-t', 'top').replace(/\n+$/, '');

  const fits = async (columns: number, height: number, what: string, heads: string[]) => {
    const shown = height - SCREEN_HEAD - 2; // below the header and the heads, above the count line
    const total = what === 'domains' ? 60 : 120;
    const count = `… ${total - shown} more ${what} (${total} in all)`;
    const p = await waitFor(`${what} at ${columns}x${height}`, 10_000, () => {
      const s = joined();
      return s.endsWith(count) ? s : undefined;
    });
    const lines = p.split('\n');
    t.equal(lines.length, height, `${columns}x${height}: every row used, none more`);
    t.match(lines[0], /^domstat top - \d\d:\d\d:\d\d {2}/, `${columns}x${height}: the header on the first row`);
    t.match(lines[1], /^60 domains: 60 running, 0 paused, 0 shut off, 0 other/, `${columns}x${height}: domains by state`);
    t.match(lines[2], /^Host CPU /, `${columns}x${height}: host summary`);
    t.same(lines[5]!.trim().split(/\s+/), heads, `${columns}x${height}: column heads`);
    const widest = Math.max(...lines.map((l) => [...l].length));
    t.ok(widest <= columns, `${columns}x${height}: no line wider than the terminal (widest ${widest})`);
    return rows(p, SCREEN_HEAD).slice(1, 1 + shown);
  };

  const all = ['ID', 'S', 'RDBY/s', 'WRBY/s', 'RXBY/s', 'TXBY/s', '%CPU', '%MEM', 'MEM', 'TIME', 'NAME'];
  const big = await fits(160, 40, 'domains', all);
  t.same(
    big.map((c) => c[c.length - 1]),
    byTime.slice(0, 33),
    '160x40: the 33 busiest by CPU time, in order',
  );

  tmux('resize-window', '-t', 'top', '-x', '100', '-y', '15');
  const mid = await fits(100, 15, 'domains', all);
  t.same(
    mid.map((c) => c[c.length - 1]),
    byTime.slice(0, 8),
    '100x15: the 8 busiest, every column still there',
  );

  tmux('resize-window', '-t', 'top', '-x', '60', '-y', '12');
  // Too narrow for every column: MEM, then %MEM, then TXBY/s go; TIME, the sort column, stays.
  const small = await fits(60, 12, 'domains', ['ID', 'S', 'RDBY/s', 'WRBY/s', 'RXBY/s', '%CPU', 'TIME', 'NAME']);
  t.same(
    small.map((c) => c[c.length - 1]),
    byTime.slice(0, 5),
    '60x12: the 5 busiest',
  );

  tmux('send-keys', '-t', 'top', '2');
  const nets = await fits(60, 12, 'interfaces', ['ID', 'NAME', 'DEVICE', 'RXBY/s', 'TXBY/s', 'RXPK/s', 'TXPK/s']);
  t.same(
    nets.map((c) => c[1]),
    [byTime[0], byTime[0], byTime[1], byTime[1], byTime[2]],
    'interfaces: two per domain, the busiest domains first',
  );

  tmux('resize-window', '-t', 'top', '-x', '160', '-y', '40');
  const wide = await fits(160, 40, 'interfaces', ['ID', 'NAME', 'DEVICE', 'RXBY/s', 'TXBY/s', 'RXPK/s', 'TXPK/s']);
  t.equal(wide.length, 33, 'back to 160x40: 33 interface rows');
  tmux('send-keys', '-t', 'top', 'q');
  await waitFor('top to exit', 5000, () => !joined().includes('domstat top - '));
  t.pass('q quits');
});

t.test('full screen in tmux: SIGTERM and SIGHUP restore the terminal, then end top by that signal', async (t) => {
  const tr = tree(t);
  t.teardown(killTmux);
  for (const [sig, status] of [
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    const pidFile = path.join(tr.root, `top-${sig}.pid`);
    // top in the foreground (an inner shell writes its own pid, then becomes top), then its status and the terminal modes.
    const top = `echo $$ > ${shq(pidFile)}; exec ${shq(process.execPath)} ${shq(path.join(REPO, 'bin/domstat.cjs'))} top --root ${shq(tr.root)} -d 1`;
    // Without tap's NODE_OPTIONS: its process-info hook catches signals and exits 0 itself.
    const script = `env -u NODE_OPTIONS sh -c ${shq(top)}; echo "EXIT=$?"; ${SHOW_MODES}; sleep 60`;
    tmux('new-session', '-d', '-s', 'top', '-x', '120', '-y', '30', `sh -c ${shq(script)}`);
    await waitFor('the first screen', 10_000, () => (/gamma\s*$/m.test(pane()) ? true : undefined));
    t.equal(paneFlags(), '1 0', `${sig}: alternate screen on, cursor hidden`);
    process.kill(Number(fs.readFileSync(pidFile, 'utf8')), sig);
    const after = await waitFor('top to end', 10_000, () => {
      const p = pane();
      return /^MODE /m.test(p) ? p : undefined;
    });
    t.match(after, new RegExp(`^EXIT=${status}$`, 'm'), `${sig}: top ended by the signal (status ${status})`);
    t.same(
      after
        .split('\n')
        .filter((l) => l.startsWith('MODE '))
        .map((l) => l.slice(5))
        .sort(),
      ['echo', 'icanon'],
      `${sig}: canonical mode and echo are back`,
    );
    await waitFor('the cursor', 5000, () => (paneFlags() === '0 1' ? true : undefined));
    t.pass(`${sig}: alternate screen off, cursor visible`);
    tmux('kill-session', '-t', 'top');
  }
});
