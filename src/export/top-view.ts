// The virt-top-like view: rates between two samples of the bulk stats, rendered as text. Pure
// functions (the terminal's size is passed in), so the screen, batch mode and the CSV log all
// come from the same numbers.

import type { DomainStatsRecord } from '../stats/records.js';
import { STATE_WORDS, type DomainStateValue } from '../stats/states.js';
import { csvRecord, csvText } from './csv.js';
import { fitTable, truncate, type TableColumn } from './fit-table.js';
import { printable } from '../common/printable.js';

/** The host's own figures, as far as its files tell them. */
export interface HostFacts {
  cpus: number;
  /** /proc/meminfo in KiB; null when unreadable. */
  mem: { totalKiB: number; freeKiB: number | null; availableKiB: number | null } | null;
  /** /proc/stat's aggregate cpu line: busy and total USER_HZ ticks since boot; null when unreadable. */
  cpuTicks: { busy: number; total: number } | null;
}

export interface TopSample {
  /** Monotonic ms. */
  at: number;
  records: DomainStatsRecord[];
  host: HostFacts;
}

export interface DomainRow {
  id: number;
  name: string;
  state: string;
  cpuPct: number | null;
  cpuNs: number | null;
  memKiB: number | null;
  memPct: number | null;
  rdBytes: number | null;
  wrBytes: number | null;
  rdReqs: number | null;
  wrReqs: number | null;
  rxBytes: number | null;
  txBytes: number | null;
  /** The VM's cgroup (KVM, domstat's groups): share of time some task waited on CPU, memory, I/O (PSI some), memory held, share of time throttled. */
  psiCpuPct: number | null;
  psiMemPct: number | null;
  psiIoPct: number | null;
  cgMemBytes: number | null;
  throttledPct: number | null;
  devices: { kind: 'net' | 'block'; name: string; a: number | null; b: number | null; c: number | null; d: number | null }[];
}

export type SortKey = 'cpu' | 'mem' | 'time' | 'name' | 'id' | 'rx' | 'tx' | 'rd' | 'wr';
export type Screen = 'domains' | 'net' | 'block' | 'cgroup';

const val = (r: DomainStatsRecord | undefined, k: string): number | null => {
  const p = r?.params.find((x) => x.field === k);
  return p === undefined ? null : typeof p.value === 'bigint' ? Number(p.value) : typeof p.value === 'number' ? p.value : null;
};

/** Per-second rate of a counter between two records; null if either side lacks it or it went down. */
function rate(prev: DomainStatsRecord | undefined, cur: DomainStatsRecord, k: string, secs: number): number | null {
  const a = val(prev, k);
  const b = val(cur, k);
  if (a === null || b === null || b < a || secs <= 0) return null;
  return (b - a) / secs;
}

function sumRates(prev: DomainStatsRecord | undefined, cur: DomainStatsRecord, prefix: string, suffix: string, secs: number): number | null {
  const count = val(cur, `${prefix}.count`) ?? 0;
  let total: number | null = null;
  for (let i = 0; i < count; i++) {
    const r = rate(prev, cur, `${prefix}.${i}.${suffix}`, secs);
    if (r !== null) total = (total ?? 0) + r;
  }
  return total;
}

/** ns per second as a percentage of wall time. */
const share = (nsPerS: number | null) => (nsPerS === null ? null : nsPerS / 1e7);

export function domainRows(prev: TopSample | null, cur: TopSample): DomainRow[] {
  const secs = prev === null ? 0 : (cur.at - prev.at) / 1000;
  const before = new Map(prev?.records.map((r) => [r.domain.key, r]) ?? []);
  const memKiB = cur.host.mem?.totalKiB ?? null;
  return cur.records.map((r) => {
    // A restarted domain (new id) starts its counters again: no rate across the restart.
    const p0 = before.get(r.domain.key);
    const p = p0 !== undefined && p0.domain.id === r.domain.id ? p0 : undefined;
    const cpuRate = rate(p, r, 'cpu.time', secs);
    const mem = val(r, 'balloon.current');
    const devices: DomainRow['devices'] = [];
    for (let i = 0; i < (val(r, 'net.count') ?? 0); i++) {
      const name = r.params.find((x) => x.field === `net.${i}.name`)?.value;
      if (typeof name === 'string')
        devices.push({
          kind: 'net',
          name,
          a: rate(p, r, `net.${i}.rx.bytes`, secs),
          b: rate(p, r, `net.${i}.tx.bytes`, secs),
          c: rate(p, r, `net.${i}.rx.pkts`, secs),
          d: rate(p, r, `net.${i}.tx.pkts`, secs),
        });
    }
    for (let i = 0; i < (val(r, 'block.count') ?? 0); i++) {
      const name = r.params.find((x) => x.field === `block.${i}.name`)?.value;
      if (typeof name === 'string')
        devices.push({
          kind: 'block',
          name,
          a: rate(p, r, `block.${i}.rd.bytes`, secs),
          b: rate(p, r, `block.${i}.wr.bytes`, secs),
          c: rate(p, r, `block.${i}.rd.reqs`, secs),
          d: rate(p, r, `block.${i}.wr.reqs`, secs),
        });
    }
    return {
      id: r.domain.id,
      name: r.domain.name,
      state: STATE_WORDS[r.domain.state as DomainStateValue] ?? '',
      // virt-top's %CPU: 100% means every host CPU fully used.
      cpuPct: cpuRate === null ? null : (cpuRate / 1e9 / Math.max(1, cur.host.cpus)) * 100,
      cpuNs: val(r, 'cpu.time'),
      memKiB: mem,
      // A Xen dom0's /proc/meminfo is dom0's memory, not the machine's (that needs the hypervisor).
      memPct: mem === null || memKiB === null || r.domain.driver === 'xen' ? null : (mem / memKiB) * 100,
      rdBytes: sumRates(p, r, 'block', 'rd.bytes', secs),
      wrBytes: sumRates(p, r, 'block', 'wr.bytes', secs),
      rdReqs: sumRates(p, r, 'block', 'rd.reqs', secs),
      wrReqs: sumRates(p, r, 'block', 'wr.reqs', secs),
      rxBytes: sumRates(p, r, 'net', 'rx.bytes', secs),
      txBytes: sumRates(p, r, 'net', 'tx.bytes', secs),
      psiCpuPct: share(rate(p, r, 'pressure.cpu.some.time', secs)),
      psiMemPct: share(rate(p, r, 'pressure.memory.some.time', secs)),
      psiIoPct: share(rate(p, r, 'pressure.io.some.time', secs)),
      cgMemBytes: val(r, 'cgroup.memory.current'),
      throttledPct: share(rate(p, r, 'cgroup.cpu.throttled.time', secs)),
      devices,
    };
  });
}

const SORTERS: Record<SortKey, (a: DomainRow, b: DomainRow) => number> = {
  cpu: (a, b) => (b.cpuPct ?? -1) - (a.cpuPct ?? -1),
  mem: (a, b) => (b.memKiB ?? -1) - (a.memKiB ?? -1),
  time: (a, b) => (b.cpuNs ?? -1) - (a.cpuNs ?? -1),
  name: (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  id: (a, b) => (a.id < 0 ? 1e9 : a.id) - (b.id < 0 ? 1e9 : b.id),
  rx: (a, b) => (b.rxBytes ?? -1) - (a.rxBytes ?? -1),
  tx: (a, b) => (b.txBytes ?? -1) - (a.txBytes ?? -1),
  rd: (a, b) => (b.rdBytes ?? -1) - (a.rdBytes ?? -1),
  wr: (a, b) => (b.wrBytes ?? -1) - (a.wrBytes ?? -1),
};

export function sortRows(rows: DomainRow[], key: SortKey): DomainRow[] {
  return [...rows].sort((a, b) => SORTERS[key](a, b) || SORTERS.name(a, b));
}

/** 1536 -> "1.5K", human sizes the way top prints them. */
export function human(v: number | null): string {
  if (v === null) return '-';
  const units = ['', 'K', 'M', 'G', 'T', 'P'];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? String(Math.round(v)) : `${v.toFixed(v < 10 ? 1 : 0)}${units[i]}`;
}

const pct = (v: number | null) => (v === null ? '-' : v.toFixed(1));
const percent = (v: number | null) => (v === null ? '-' : `${v.toFixed(1)}%`);

function cpuTime(ns: number | null): string {
  if (ns === null) return '-';
  const s = Math.floor(ns / 1e9);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}.${String(Math.floor((ns % 1e9) / 1e7)).padStart(2, '0')}`;
}

export interface ViewState {
  screen: Screen;
  sort: SortKey;
  delayS: number;
}

export interface Layout {
  /** The terminal's size; null: no limit (batch mode): every row, every column. */
  size: { columns: number; rows: number } | null;
  /** Show the keys help line (the full screen; batch mode reads no keys). */
  keys: boolean;
  /** At most this many table rows (--rows); null: as many as fit. */
  maxRows: number | null;
}

export const KEYS_LINE = 'keys: 1 domains 2 net 3 disks 4 cgroup  sort: P cpu M mem T time N name I id R rx X tx D rd W wr  q quit';

/** Domain counts by state, as the summary line and the CSV log give them. */
function stateCounts(rows: readonly DomainRow[]): { running: number; paused: number; shutoff: number; other: number } {
  const c = { running: 0, paused: 0, shutoff: 0, other: 0 };
  for (const r of rows) {
    if (r.state === 'running') c.running++;
    else if (r.state === 'paused') c.paused++;
    else if (r.state === 'shut off') c.shutoff++;
    else c.other++;
  }
  return c;
}

/** Host CPU busy between two samples, % of all CPUs (iowait, idle and steal are not busy). */
function hostCpuPct(prev: TopSample | null, cur: TopSample): number | null {
  const a = prev?.host.cpuTicks ?? null;
  const b = cur.host.cpuTicks;
  if (a === null || b === null || !(b.total > a.total) || b.busy < a.busy) return null;
  return ((b.busy - a.busy) / (b.total - a.total)) * 100;
}

/** The header: what, when, where, the domains by state, and the host's CPU and memory (virt-top's summary). */
function headerLines(prev: TopSample | null, cur: TopSample, rows: readonly DomainRow[], view: ViewState, hostname: string, now: Date): string[] {
  const c = stateCounts(rows);
  const mem = cur.host.mem;
  const kib = (v: number | null) => (v === null ? '-' : human(v * 1024));
  const guests = rows.reduce((s, r) => s + (r.id >= 0 && r.memKiB !== null ? r.memKiB : 0), 0);
  const used = mem === null ? null : mem.totalKiB - (mem.availableKiB ?? mem.freeKiB ?? mem.totalKiB);
  // On Xen the files are dom0's: its own vCPUs and memory, not the machine's.
  const host = cur.records.length > 0 && cur.records.every((r) => r.domain.driver === 'xen') ? 'dom0' : 'Host';
  return [
    `domstat top - ${now.toISOString().slice(11, 19)}  ${printable(hostname)}  ${cur.host.cpus} CPUs  delay ${view.delayS}s  sort ${view.sort}`,
    `${rows.length} domains: ${c.running} running, ${c.paused} paused, ${c.shutoff} shut off, ${c.other} other`,
    `${host} CPU ${percent(hostCpuPct(prev, cur))}  Mem ${kib(mem?.totalKiB ?? null)} total, ${kib(mem?.freeKiB ?? null)} free, ${kib(used)} used, ${kib(guests)} by guests`,
  ];
}

/** Which column each sort key orders by: it is never dropped for width. */
const SORT_HEAD: Record<SortKey, string> = {
  cpu: '%CPU',
  mem: 'MEM',
  time: 'TIME',
  name: 'NAME',
  id: 'ID',
  rx: 'RXBY/s',
  tx: 'TXBY/s',
  rd: 'RDBY/s',
  wr: 'WRBY/s',
};

const id = (r: DomainRow) => (r.id >= 0 ? String(r.id) : '-');

/** A right-aligned column of the domains' rows, dropped in `dropOrder` when the terminal is narrow. */
const rightColumn =
  (rows: readonly DomainRow[]) =>
  (head: string, cell: (r: DomainRow) => string, dropOrder?: number): TableColumn => ({
    head,
    cells: rows.map(cell),
    align: 'right',
    ...(dropOrder === undefined ? {} : { dropOrder }),
  });

function domainColumns(rows: readonly DomainRow[]): TableColumn[] {
  const col = rightColumn(rows);
  return [
    col('ID', id, 9),
    { ...col('S', (r) => r.state.slice(0, 1).toUpperCase(), 8), align: 'left' },
    col('RDBY/s', (r) => human(r.rdBytes), 7),
    col('WRBY/s', (r) => human(r.wrBytes), 6),
    col('RXBY/s', (r) => human(r.rxBytes), 5),
    col('TXBY/s', (r) => human(r.txBytes), 4),
    col('%CPU', (r) => pct(r.cpuPct)),
    col('%MEM', (r) => pct(r.memPct), 3),
    col('MEM', (r) => (r.memKiB === null ? '-' : human(r.memKiB * 1024)), 2),
    col('TIME', (r) => cpuTime(r.cpuNs), 1),
    { head: 'NAME', cells: rows.map((r) => printable(r.name)), align: 'left', minWidth: 10 },
  ];
}

/** The cgroup screen: pressure (share of wall time some of the VM's tasks waited), cgroup memory, throttling. */
function cgroupColumns(rows: readonly DomainRow[]): TableColumn[] {
  const col = rightColumn(rows);
  return [
    col('ID', id, 5),
    { ...col('S', (r) => r.state.slice(0, 1).toUpperCase(), 4), align: 'left' },
    col('%CPU', (r) => pct(r.cpuPct), 3),
    col('CPUPSI', (r) => pct(r.psiCpuPct)),
    col('MEMPSI', (r) => pct(r.psiMemPct)),
    col('IOPSI', (r) => pct(r.psiIoPct)),
    col('%THR', (r) => pct(r.throttledPct), 1),
    col('CGMEM', (r) => (r.cgMemBytes === null ? '-' : human(r.cgMemBytes)), 2),
    { head: 'NAME', cells: rows.map((r) => printable(r.name)), align: 'left', minWidth: 10 },
  ];
}

interface DeviceRow {
  dom: DomainRow;
  dev: DomainRow['devices'][number];
}

/** The sort keys that are a device screen's own columns (a: bytes in, b: bytes out). */
const DEVICE_SORT: Record<'net' | 'block', Partial<Record<SortKey, 'a' | 'b'>>> = { net: { rx: 'a', tx: 'b' }, block: { rd: 'a', wr: 'b' } };

/** Device rows of one kind: by the device's own figure when the sort key is one of its columns, else in domain order. */
function deviceRows(rows: readonly DomainRow[], kind: 'net' | 'block', sort: SortKey): DeviceRow[] {
  const out = rows.flatMap((dom) => dom.devices.filter((d) => d.kind === kind).map((dev) => ({ dom, dev })));
  const field = DEVICE_SORT[kind][sort];
  if (field === undefined) return out;
  // A stable sort: equal figures keep domain order.
  return out.sort((x, y) => (y.dev[field] ?? -1) - (x.dev[field] ?? -1));
}

function deviceColumns(rows: readonly DeviceRow[], kind: 'net' | 'block'): TableColumn[] {
  const heads = kind === 'net' ? ['RXBY/s', 'TXBY/s', 'RXPK/s', 'TXPK/s'] : ['RDBY/s', 'WRBY/s', 'RDRQ/s', 'WRRQ/s'];
  const num = (head: string, v: (d: DeviceRow['dev']) => number | null, dropOrder?: number): TableColumn => ({
    head,
    cells: rows.map((r) => human(v(r.dev))),
    align: 'right',
    ...(dropOrder === undefined ? {} : { dropOrder }),
  });
  return [
    { head: 'ID', cells: rows.map((r) => id(r.dom)), align: 'right', dropOrder: 3 },
    { head: 'NAME', cells: rows.map((r) => printable(r.dom.name)), align: 'left', minWidth: 10 },
    { head: 'DEVICE', cells: rows.map((r) => printable(r.dev.name)), align: 'left', minWidth: 8 },
    num(heads[0]!, (d) => d.a),
    num(heads[1]!, (d) => d.b),
    num(heads[2]!, (d) => d.c, 2),
    num(heads[3]!, (d) => d.d, 1),
  ];
}

/**
 * One screen as lines. With a size, it fits: the header always shows, then the column heads and
 * as many rows as the height leaves (sorted, so the busiest stay), and a last line saying how
 * many were left out; no line is wider than the terminal (fit-table.ts says what gives way).
 */
export function renderTop(prev: TopSample | null, cur: TopSample, view: ViewState, hostname: string, now: Date, layout: Layout): string[] {
  const rows = sortRows(domainRows(prev, cur), view.sort);
  const head = headerLines(prev, cur, rows, view, hostname, now);
  if (layout.keys) head.push(KEYS_LINE);
  head.push('');
  const kind = view.screen === 'net' ? 'net' : 'block';
  const perDomain = view.screen === 'domains' || view.screen === 'cgroup';
  const devices = perDomain ? [] : deviceRows(rows, kind, view.sort);
  const total = perDomain ? rows.length : devices.length;
  // Room for table rows below the header and the column heads.
  const room = layout.size === null ? Infinity : Math.max(0, layout.size.rows - head.length - 1);
  const cap = Math.min(layout.maxRows ?? Infinity, room);
  // When some are left out, one row's place says how many.
  const shown = total <= cap ? total : Math.max(0, Math.min(layout.maxRows ?? Infinity, room - 1));
  const what = perDomain ? 'domains' : view.screen === 'net' ? 'interfaces' : 'disks';
  const columns =
    view.screen === 'domains'
      ? domainColumns(rows.slice(0, shown))
      : view.screen === 'cgroup'
        ? cgroupColumns(rows.slice(0, shown))
        : deviceColumns(devices.slice(0, shown), kind);
  const sortHead = SORT_HEAD[view.sort];
  for (const c of columns) if (c.head === sortHead) delete c.dropOrder;
  const width = layout.size?.columns ?? null;
  const lines = [...head.map((l) => (width === null ? l : truncate(l, width))), ...fitTable(columns, width)];
  if (shown < total) lines.push(truncate(`… ${total - shown} more ${what} (${total} in all)`, width ?? Infinity));
  return layout.size === null ? lines : lines.slice(0, layout.size.rows);
}

/** virt-top's --csv layout: host columns, then per domain a fixed group of columns. */
export function csvHeader(): string {
  return 'Hostname,Time,Physical CPUs,Count,Running,Paused,Shutoff,Total memory (KB),Domain ID,Domain name,CPU (ns),%CPU,Mem (KB),%Mem,Block RDBY,Block WRBY,Block RDRQ,Block WRRQ,Net RXBY,Net TXBY\n';
}

const n = (v: number | null, digits = 0) => (v === null ? '' : digits === 0 ? String(Math.round(v)) : v.toFixed(digits));

/** One row per domain per refresh (the host columns repeated), rates per second; names as csv.ts says. */
export function csvRows(prev: TopSample | null, cur: TopSample, hostname: string, now: Date): string {
  const rows = domainRows(prev, cur);
  const c = stateCounts(rows);
  const host = [
    csvText(hostname),
    now.toISOString(),
    String(cur.host.cpus),
    String(rows.length),
    String(c.running),
    String(c.paused),
    String(c.shutoff),
    n(cur.host.mem?.totalKiB ?? null),
  ];
  return rows
    .map((r) =>
      csvRecord([
        ...host,
        String(r.id),
        csvText(r.name),
        n(r.cpuNs),
        n(r.cpuPct, 2),
        n(r.memKiB),
        n(r.memPct, 2),
        n(r.rdBytes),
        n(r.wrBytes),
        n(r.rdReqs, 2),
        n(r.wrReqs, 2),
        n(r.rxBytes),
        n(r.txBytes),
      ]),
    )
    .join('');
}
