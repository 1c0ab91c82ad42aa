// The virt-top-like view: rates between two samples of the bulk stats, rendered as text. Pure
// functions, so the screen, batch mode and the CSV log all come from the same numbers.

import type { DomainStatsRecord } from '../stats/connection.js';
import { STATE_WORDS, type DomainStateValue } from '../stats/states.js';

export interface TopSample {
  /** Monotonic ms. */
  at: number;
  records: DomainStatsRecord[];
  hostCpus: number;
  hostMemKiB: number | null;
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
  devices: { kind: 'net' | 'block'; name: string; a: number | null; b: number | null; c: number | null; d: number | null }[];
}

export type SortKey = 'cpu' | 'mem' | 'time' | 'name' | 'id' | 'rx' | 'tx' | 'rd' | 'wr';
export type Screen = 'domains' | 'net' | 'block';

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

export function domainRows(prev: TopSample | null, cur: TopSample): DomainRow[] {
  const secs = prev === null ? 0 : (cur.at - prev.at) / 1000;
  const before = new Map(prev?.records.map((r) => [r.domain.key, r]) ?? []);
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
      cpuPct: cpuRate === null ? null : (cpuRate / 1e9 / Math.max(1, cur.hostCpus)) * 100,
      cpuNs: val(r, 'cpu.time'),
      memKiB: mem,
      memPct: mem === null || cur.hostMemKiB === null ? null : (mem / cur.hostMemKiB) * 100,
      rdBytes: sumRates(p, r, 'block', 'rd.bytes', secs),
      wrBytes: sumRates(p, r, 'block', 'wr.bytes', secs),
      rdReqs: sumRates(p, r, 'block', 'rd.reqs', secs),
      wrReqs: sumRates(p, r, 'block', 'wr.reqs', secs),
      rxBytes: sumRates(p, r, 'net', 'rx.bytes', secs),
      txBytes: sumRates(p, r, 'net', 'tx.bytes', secs),
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

function cpuTime(ns: number | null): string {
  if (ns === null) return '-';
  const s = Math.floor(ns / 1e9);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}.${String(Math.floor((ns % 1e9) / 1e7)).padStart(2, '0')}`;
}

function table(head: string[], rows: string[][], leftAlign: ReadonlySet<number>): string[] {
  const w = head.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, j) => (leftAlign.has(j) ? c.padEnd(w[j]!) : c.padStart(w[j]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)];
}

export interface ViewState {
  screen: Screen;
  sort: SortKey;
  delayS: number;
}

export function renderTop(prev: TopSample | null, cur: TopSample, view: ViewState, hostname: string, now: Date): string {
  const rows = sortRows(domainRows(prev, cur), view.sort);
  const running = rows.filter((r) => r.state === 'running').length;
  const out: string[] = [];
  out.push(
    `domstat top - ${now.toISOString().slice(11, 19)}  ${hostname}  ${rows.length} domains, ${running} running  ${cur.hostCpus} CPUs  delay ${view.delayS}s  sort ${view.sort}`,
  );
  out.push(`keys: 1 domains  2 interfaces  3 disks  P cpu  M mem  T time  N name  I id  R rx  X tx  D disk rd  W disk wr  q quit`);
  out.push('');
  if (view.screen === 'domains') {
    out.push(
      ...table(
        ['ID', 'S', 'RDBY', 'WRBY', 'RXBY', 'TXBY', '%CPU', '%MEM', 'MEM', 'TIME', 'NAME'],
        rows.map((r) => [
          r.id >= 0 ? String(r.id) : '-',
          r.state.slice(0, 1).toUpperCase(),
          human(r.rdBytes),
          human(r.wrBytes),
          human(r.rxBytes),
          human(r.txBytes),
          pct(r.cpuPct),
          pct(r.memPct),
          r.memKiB === null ? '-' : human(r.memKiB * 1024),
          cpuTime(r.cpuNs),
          r.name,
        ]),
        new Set([10]),
      ),
    );
  } else {
    const kind = view.screen === 'net' ? 'net' : 'block';
    const head = kind === 'net' ? ['ID', 'NAME', 'DEVICE', 'RXBY', 'TXBY', 'RXPK', 'TXPK'] : ['ID', 'NAME', 'DEVICE', 'RDBY', 'WRBY', 'RDRQ', 'WRRQ'];
    out.push(
      ...table(
        head,
        rows.flatMap((r) =>
          r.devices.filter((d) => d.kind === kind).map((d) => [r.id >= 0 ? String(r.id) : '-', r.name, d.name, human(d.a), human(d.b), human(d.c), human(d.d)]),
        ),
        new Set([1, 2]),
      ),
    );
  }
  return out.join('\n') + '\n';
}

/** virt-top's --csv layout: host columns, then per domain a fixed group of columns. */
export function csvHeader(): string {
  return 'Hostname,Time,Physical CPUs,Count,Running,Paused,Shutoff,Total memory (KB),Domain ID,Domain name,CPU (ns),%CPU,Mem (KB),%Mem,Block RDBY,Block WRBY,Block RDRQ,Block WRRQ,Net RXBY,Net TXBY\n';
}

const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const n = (v: number | null, digits = 0) => (v === null ? '' : digits === 0 ? String(Math.round(v)) : v.toFixed(digits));

/** One row per domain per refresh (the host columns repeated), rates per second. */
export function csvRows(prev: TopSample | null, cur: TopSample, hostname: string, now: Date): string {
  const rows = domainRows(prev, cur);
  const count = (s: string) => rows.filter((r) => r.state === s).length;
  const host = [
    q(hostname),
    now.toISOString(),
    String(cur.hostCpus),
    String(rows.length),
    String(count('running')),
    String(count('paused')),
    String(count('shut off')),
    n(cur.hostMemKiB),
  ];
  return rows
    .map((r) =>
      [
        ...host,
        String(r.id),
        q(r.name),
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
      ].join(','),
    )
    .map((l) => l + '\n')
    .join('');
}
