// A domain's sample as a domstats record (what /metrics and the web page read): the readings under
// their keys, with the names, paths and counts the drivers put beside them. Built only when asked
// for (a scrape, on the serving thread), never on the tick's path. Here rather than in the agent so
// the serving side can build records from the plain data it is posted.

import type { DomainStatsRecord } from '../stats/connection.js';
import type { Domain } from '../domains/inventory.js';
import type { KeyMap } from '../store/key-map.js';
import type { DomainSample } from '../store/samples.js';
import { isActive } from '../stats/states.js';
import { localPath } from '../drivers/common-groups.js';

const VCPU_ORDER = ['state', 'time', 'wait', 'delay'];

export function sampleRecord(dom: Domain, s: DomainSample, map: KeyMap): DomainStatsRecord {
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
