// A Xen domain's plan: blkback's seven statistics files per disk, from the first backend directory
// that has them (libvirt's order), and the domain's vif lines of /proc/net/dev.

import type { HostFs, KeptFile } from '../../host/hostfs.js';
import type { AheadFile } from '../../host/read-ahead.js';
import { NET_DEV_KEYS, netDevKey } from '../../kernel/proc-net-dev.js';
import { readVbdStat, VBD_FIELDS, VBD_KEYS, VBD_STAT } from '../../kernel/xen-vbd.js';
import { DomainPlan, fillInterface, fillKeys, keyColumns, netColumns, type KeyColumns, type PlanTick } from '../../sample/plan.js';
import type { RowMap } from '../../sample/row-map.js';
import type { DeviceIdentity, DeviceSample } from '../../sample/rows.js';
import type { Domain } from '../../stats/domain.js';
import { isActive } from '../../stats/states.js';
import { definitionParams, localPath } from '../common-groups.js';
import { isValidIfname, sharesHostView } from '../devices.js';
import { xenDeviceNumber } from './devnum.js';
import { existingVbdDirs } from './vbd.js';
import { vifBelongsTo } from './vif.js';

/** One statistics file, one value: each field's own key, the value at position 0 of the reader's output. */
const fieldColumns = VBD_FIELDS.map((f) => keyColumns([VBD_KEYS[f]], 'block', { [f]: 0 } as Record<typeof f, number>));
const vifColumns = netColumns(NET_DEV_KEYS.swapped);
const one = new Float64Array(1);

class XenDomainPlan extends DomainPlan {
  /** Per disk row: the seven files (null: in no backend directory, the field stays unknown). */
  private readonly disks: { files: (KeptFile | null)[] }[];
  private readonly fields: KeyColumns[];
  private readonly ifnames: string[];
  private readonly net: KeyColumns;

  constructor(dom: Domain, map: RowMap, disks: { identity: DeviceIdentity; files: (KeptFile | null)[] }[], ifaces: DeviceIdentity[], wrap32: boolean) {
    super(dom, map, [...ifaces, ...disks.map((d) => d.identity)], definitionParams(dom)); // the driver's order: interfaces, then disks
    this.disks = disks;
    this.fields = fieldColumns.map((c) => c(map));
    this.ifnames = ifaces.map((i) => netDevKey(i.name));
    this.net = vifColumns(map);
    for (const d of this.sample.devices.slice(1)) d.wrap32 = wrap32;
  }

  protected fill(tick: PlanTick, devices: DeviceSample[]): boolean {
    let k = 1;
    const table = this.ifnames.length > 0 ? tick.netDev() : null;
    for (const name of this.ifnames) if (!fillInterface(devices[k++]!, table, name, this.net)) return false;
    for (const disk of this.disks) {
      const d = devices[k++]!;
      for (let f = 0; f < disk.files.length; f++) {
        const file = disk.files[f]!;
        if (file === null) continue;
        const n = tick.read(file, VBD_STAT.limit);
        if (n < 0) return false;
        one[0] = readVbdStat(tick.buf, tick.at, tick.at + n);
        if (one[0] < 0 || !fillKeys(d, this.fields[f]!, one)) return false;
      }
    }
    return true;
  }

  files(): AheadFile[] {
    return this.disks.flatMap((d) => d.files.flatMap((file) => (file === null ? [] : [{ file, max: VBD_STAT.limit }])));
  }
}

/**
 * The plan of a running Xen domain, or null when the driver must sample it (not running, a disk
 * without a backend directory, an interface that is not plainly this domain's).
 */
export function xenPlan(dom: Domain, fs: HostFs, map: RowMap, wrap32: boolean): DomainPlan | null {
  if (!isActive(dom.state) || dom.id < 0) return null;
  const disks: { identity: DeviceIdentity; files: (KeptFile | null)[] }[] = [];
  for (const [i, disk] of dom.disks.entries()) {
    if (disk.target === undefined) return null;
    let dirs: string[];
    try {
      dirs = existingVbdDirs(fs, dom.id, xenDeviceNumber(disk.target, dom.id));
    } catch {
      return null;
    }
    if (dirs.length === 0) return null;
    const identity: DeviceIdentity = { kind: 'block', idx: i, name: disk.target };
    const path = localPath(disk);
    if (path !== undefined) identity.path = path;
    // Each field from the first directory that has it, as libvirt reads them.
    const paths = VBD_FIELDS.map((f) => dirs.map((d) => `${d}/${f}`).find((file) => fs.exists(file)));
    if (paths.every((f) => f === undefined)) return null;
    disks.push({ identity, files: paths.map((f) => (f === undefined ? null : fs.keep(f))) });
  }
  const owned = vifBelongsTo(dom.id);
  const ifaces: DeviceIdentity[] = [];
  for (const [i, iface] of dom.interfaces.entries()) {
    const name = iface.target;
    if (name === undefined) continue;
    if (!isValidIfname(name) || !owned(name) || sharesHostView(iface)) return null;
    ifaces.push({ kind: 'net', idx: i, name });
  }
  return new XenDomainPlan(dom, map, disks, ifaces, wrap32);
}
