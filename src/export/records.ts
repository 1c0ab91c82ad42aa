// A tick's rows back as domstats records, for the exporter and the web page: built only when a
// scrape or a page asks for them (never on the tick's path), once per tick.

import type { Domain } from '../stats/domain.js';
import type { DomainStatsRecord } from '../stats/records.js';
import { isActive } from '../stats/states.js';
import { localPath } from '../drivers/common-groups.js';
import type { RowMap } from '../sample/row-map.js';
import type { DomainSample } from '../sample/rows.js';
import type { TickOutcome } from '../sample/tick.js';
import type { ExportInput } from './prometheus.js';

const VCPU_ORDER = ['state', 'time', 'wait', 'delay'];

/**
 * A domain's sample as a domstats record (what the exporter and the web page read): the readings
 * under their keys, with the names, paths and counts the drivers put beside them. Built only when
 * asked for (a scrape), never on the tick's path.
 */
export function sampleRecord(dom: Domain, s: DomainSample, map: RowMap): DomainStatsRecord {
  const params: DomainStatsRecord['params'] = [];
  for (const dev of s.devices) {
    const cols = map.columns[dev.kind].map((c, i) => ({ c, i }));
    // the drivers' order within a vCPU (the exporter lists families in the order it meets them)
    if (dev.kind === 'vcpu') cols.sort((a, b) => VCPU_ORDER.indexOf(a.c.col) - VCPU_ORDER.indexOf(b.c.col));
    for (const { c, i } of cols) {
      const v = dev.values[i]!;
      if (v !== v || c.key === 'extra.domid') continue;
      const value = dev.big?.get(i) ?? BigInt(v);
      params.push({ field: dev.idx === null ? c.key : c.key.replace('{i}', String(dev.idx)), type: 'ullong', value });
    }
  }
  // The cgroup's host devices and NUMA nodes, named as the driver names them.
  const io = s.devices.filter((d) => d.kind === 'cgroup_io' && d.idx !== null);
  if (io.length > 0) params.push({ field: 'cgroup.io.count', type: 'uint', value: io.length });
  for (const d of io) {
    if (d.name !== d.path) params.push({ field: `cgroup.io.${d.idx}.name`, type: 'string', value: d.name });
    if (d.path !== undefined) params.push({ field: `cgroup.io.${d.idx}.dev`, type: 'string', value: d.path });
  }
  const nodes = s.devices.filter((d) => d.kind === 'numa' && d.idx !== null);
  if (nodes.length > 0) params.push({ field: 'cgroup.numa.count', type: 'uint', value: nodes.length });
  for (const d of nodes) params.push({ field: `cgroup.numa.${d.idx}.node`, type: 'uint', value: Number(d.name.slice('node'.length)) });
  if (isActive(dom.state)) {
    params.push({ field: 'net.count', type: 'uint', value: dom.interfaces.length });
    dom.interfaces.forEach((iface, i) => {
      if (iface.target !== undefined) params.push({ field: `net.${i}.name`, type: 'string', value: iface.target });
    });
  }
  params.push({ field: 'block.count', type: 'uint', value: dom.disks.length });
  dom.disks.forEach((disk, i) => {
    if (disk.target !== undefined) params.push({ field: `block.${i}.name`, type: 'string', value: disk.target });
    const path = localPath(disk);
    if (path !== undefined) params.push({ field: `block.${i}.path`, type: 'string', value: path });
  });
  return { domain: dom, params };
}

const inputs = new WeakMap<TickOutcome, ExportInput>();

/** The exporter's view of a published tick; its records are built at the first ask and kept with the tick. */
export function exportInputOf(t: TickOutcome): ExportInput {
  let input = inputs.get(t);
  if (input === undefined) {
    const { sample: s, map } = t;
    let records: DomainStatsRecord[] | undefined;
    input = {
      get records() {
        return (records ??= s.domains.map((d, i) => sampleRecord(d, s.samples[i]!, map)));
      },
      problems: s.problems,
      ts: s.ts,
      collectUs: s.collectUs,
      storeMs: t.storeMs,
      ticks: t.ticks,
    };
    inputs.set(t, input);
  }
  return input;
}
