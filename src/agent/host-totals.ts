// The host's own totals (/proc/stat, /proc/meminfo, and the interfaces of /proc/net/dev that
// belong to no domain), stored as the pseudo-domain "@host", so a machine without a hypervisor
// still records something useful.

import { isGone } from '../host/hostfs.js';
import type { CollectContext } from '../drivers/driver.js';
import { MEMINFO_KEYS, parseProcMeminfo, PROC_MEMINFO } from '../kernel/proc-meminfo.js';
import { parseProcStatCpu, PROC_STAT, PROC_STAT_KEYS } from '../kernel/proc-stat.js';
import { NET_DEV_KEYS, type NetDevTable } from '../kernel/proc-net-dev.js';
import { exactKey, type KeyFrom } from '../kernel/spec.js';
import { ParseError } from '../kernel/u64.js';
import type { RowMap } from '../sample/row-map.js';
import { fillKeys, netColumns } from '../sample/plan.js';
import { HOST_KEY, newDevice, setReading, type DeviceSample, type DomainSample } from '../sample/rows.js';
import { messageOf } from '../common/errors.js';

const hostNet = netColumns(NET_DEV_KEYS.host);

/**
 * The host's interfaces from the sampling plan's table of /proc/net/dev (no second read or parse);
 * false, with nothing added, when a line needs the careful parser (malformed, duplicated, 2^53 or more).
 */
function fromTable(table: NetDevTable, map: RowMap, domainIfnames: ReadonlySet<string>, devices: DeviceSample[]): boolean {
  const cols = hostNet(map);
  const rows: DeviceSample[] = [];
  let plain = true;
  table.offsets.forEach((off, name) => {
    if (!plain || domainIfnames.has(name)) return;
    const dev = newDevice({ kind: 'net', idx: rows.length, name }, map.columns.net.length);
    plain = off >= 0 && fillKeys(dev, cols, table.values, off);
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
  const host = newDevice({ kind: 'host', idx: null, name: hostname }, map.columns.host.length);
  /** Each key's exact value into its column of `dev` (a key the map does not have is not stored). */
  const set = <F extends string>(dev: DeviceSample, keys: readonly KeyFrom<F>[], fields: Partial<Record<F, bigint>>) => {
    for (const k of keys) {
      const pos = map.byPattern.get(k.key)?.pos;
      const v = exactKey(k, fields);
      if (pos !== undefined && v !== undefined) setReading(dev, pos, v);
    }
  };
  const guard = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      problems.push(`${what}: ${messageOf(e)}`);
    }
  };
  for (const [spec, read] of [
    [PROC_STAT, (text: string) => set(host, PROC_STAT_KEYS, parseProcStatCpu(text, PROC_STAT.path))],
    [PROC_MEMINFO, (text: string) => set(host, MEMINFO_KEYS, parseProcMeminfo(text, PROC_MEMINFO.path))],
  ] as const) {
    guard(spec.path, () => {
      const text = ctx.fs.readText(spec.path, spec.limit);
      if (isGone(text)) problems.push(`${spec.path}: missing`);
      else read(text);
    });
  }
  const devices: DeviceSample[] = [host];
  if (table !== null && fromTable(table, map, domainIfnames, devices)) return { key: HOST_KEY, name: HOST_KEY, hvType: 'host', domid: 0, devices };
  guard('/proc/net/dev', () => {
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
        const dev = newDevice({ kind: 'net', idx, name }, map.columns.net.length);
        set(dev, NET_DEV_KEYS.host, line);
        devices.push(dev);
      });
  });
  return { key: HOST_KEY, name: HOST_KEY, hvType: 'host', domid: 0, devices };
}
