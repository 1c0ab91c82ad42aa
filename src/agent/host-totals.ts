// The host's own totals (/proc/stat, /proc/meminfo, and the interfaces of /proc/net/dev that
// belong to no domain), stored as the pseudo-domain "@host", so a machine without a hypervisor
// still records something useful.

import { isGone } from '../host/hostfs.js';
import type { CollectContext } from '../drivers/driver.js';
import { parseProcMeminfo } from '../parse/proc-meminfo.js';
import { parseProcStatCpu, PROC_STAT_CPU_FIELDS } from '../parse/proc-stat.js';
import { NET_DEV_FIELDS } from '../parse/proc-net-dev.js';
import { ParseError } from '../parse/u64.js';
import type { NetDevTable } from '../parse/fast.js';
import { newDevice, setReading, type DeviceSample, type DomainSample } from '../sample/rows.js';
import { messageOf } from '../common/errors.js';
import type { RowMap } from '../sample/row-map.js';

export const HOST_KEY = '@host';
const NS_PER_TICK = 10_000_000n;
const NET_COLUMNS: Record<string, (typeof NET_DEV_FIELDS)[number]> = {
  rx_bytes: 'rxBytes',
  rx_pkts: 'rxPackets',
  rx_errs: 'rxErrs',
  rx_drop: 'rxDrop',
  tx_bytes: 'txBytes',
  tx_pkts: 'txPackets',
  tx_errs: 'txErrs',
  tx_drop: 'txDrop',
};
/** Where each host interface column sits among a /proc/net/dev line's 16 values. */
const NET_FIELD_INDEX: Record<string, number> = Object.fromEntries(Object.entries(NET_COLUMNS).map(([col, f]) => [col, NET_DEV_FIELDS.indexOf(f)]));
const MEM_COLUMNS = {
  mem_total: 'MemTotal',
  mem_free: 'MemFree',
  mem_available: 'MemAvailable',
  mem_buffers: 'Buffers',
  mem_cached: 'Cached',
  swap_total: 'SwapTotal',
  swap_free: 'SwapFree',
} as const;

/**
 * The host's interfaces from the sampling plan's table of /proc/net/dev (no second read or parse);
 * false, with nothing added, when a line needs the careful parser (malformed, duplicated, 2^53 or more).
 */
function fromTable(table: NetDevTable, map: RowMap, domainIfnames: ReadonlySet<string>, devices: DeviceSample[]): boolean {
  const cols = map.columns.net;
  const fields = Int32Array.from(cols, (c) => NET_FIELD_INDEX[c.col] ?? -1);
  const rows: DeviceSample[] = [];
  let plain = true;
  table.offsets.forEach((off, name) => {
    if (!plain || domainIfnames.has(name)) return;
    const dev = newDevice({ kind: 'net', idx: rows.length, name }, cols.length);
    for (let i = 0; i < fields.length && off >= 0; i++) if (fields[i]! >= 0) dev.values[i] = table.values[off + fields[i]!]!;
    plain = off >= 0 && !dev.values.some((v, i) => fields[i]! >= 0 && v !== v);
    rows.push(dev);
  });
  if (plain) devices.push(...rows);
  return plain;
}

/** The host's totals; `table` is this tick's /proc/net/dev when the sampling plan has read it. */
export function hostSample(
  ctx: CollectContext,
  map: RowMap,
  domainIfnames: ReadonlySet<string>,
  hostname: string,
  problems: string[],
  table: NetDevTable | null = null,
): DomainSample {
  const cols = map.columns.host;
  const host = newDevice({ kind: 'host', idx: null, name: hostname }, cols.length);
  const set = (col: string, v: bigint | undefined) => {
    const i = cols.findIndex((c) => c.col === col);
    if (i >= 0 && v !== undefined) setReading(host, i, v);
  };
  const guard = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      problems.push(`${what}: ${messageOf(e)}`);
    }
  };
  guard('/proc/stat', () => {
    const text = ctx.fs.readText('/proc/stat');
    if (isGone(text)) throw new Error('missing');
    const cpu = parseProcStatCpu(text, '/proc/stat');
    for (const f of PROC_STAT_CPU_FIELDS) set(`cpu_${f}`, cpu[f] * NS_PER_TICK);
  });
  guard('/proc/meminfo', () => {
    const text = ctx.fs.readText('/proc/meminfo');
    if (isGone(text)) throw new Error('missing');
    const mem = parseProcMeminfo(text, '/proc/meminfo');
    for (const [col, key] of Object.entries(MEM_COLUMNS)) set(col, mem[key]);
  });
  const devices: DeviceSample[] = [host];
  if (table !== null && fromTable(table, map, domainIfnames, devices)) return { key: HOST_KEY, name: HOST_KEY, hvType: 'host', domid: 0, devices };
  guard('/proc/net/dev', () => {
    const netCols = map.columns.net;
    const nd = ctx.netDev();
    nd.names()
      .filter((n) => !domainIfnames.has(n))
      .forEach((name, idx) => {
        const line = nd.get(name);
        if (line === undefined) return;
        if (line instanceof ParseError) {
          // Left out, and said, in the words a domain's interface gets ("... listed twice").
          problems.push(`interface ${name}: ${line.message}`);
          return;
        }
        const dev = newDevice({ kind: 'net', idx, name }, netCols.length);
        netCols.forEach((c, i) => setReading(dev, i, line[NET_COLUMNS[c.col]!]));
        devices.push(dev);
      });
  });
  return { key: HOST_KEY, name: HOST_KEY, hvType: 'host', domid: 0, devices };
}
