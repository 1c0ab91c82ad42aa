// A Xen domain's plan: blkback's seven statistics files per disk, from the first backend directory
// that has them (libvirt's order), and the domain's vif lines of /proc/net/dev.

import type { Domain } from '../stats/domain.js';
import type { HostFs, KeptFile } from '../host/hostfs.js';
import type { AheadFile } from '../host/read-ahead.js';
import { singleDecimal } from '../parse/fast.js';
import type { DeviceIdentity, DeviceSample } from './rows.js';
import { isActive } from '../stats/states.js';
import { localPath } from '../drivers/common-groups.js';
import { isValidIfname, sharesHostView } from '../drivers/devices.js';
import { xenDeviceNumber } from '../drivers/xen/devnum.js';
import { existingVbdDirs, VBD_FIELDS } from '../drivers/xen/vbd.js';
import { vifBelongsTo } from '../drivers/xen/xen-driver.js';
import { columnPos, DomainPlan, fillInterface, netColumns, perKeyMap, setProduct, type NetColumns, type PlanTick } from './plan.js';
import type { RowMap } from './row-map.js';

/** libvirt reads at most 63 bytes of a statistics file. */
const STAT_FILE_LIMIT = 64;
/** Each blkback field's column; sectors become bytes. */
const COLUMNS: Record<(typeof VBD_FIELDS)[number], [pattern: string, factor: number]> = {
  rd_req: ['block.{i}.rd.reqs', 1],
  rd_sect: ['block.{i}.rd.bytes', 512],
  wr_req: ['block.{i}.wr.reqs', 1],
  wr_sect: ['block.{i}.wr.bytes', 512],
  oo_req: ['block.{i}.errors', 1],
  f_req: ['block.{i}.fl.reqs', 1],
  ds_req: ['extra.block.{i}.discard.reqs', 1],
};

const blockColumns = perKeyMap((map) => ({
  cols: Int32Array.from(VBD_FIELDS, (f) => columnPos(map, 'block', COLUMNS[f][0])),
  factors: Float64Array.from(VBD_FIELDS, (f) => COLUMNS[f][1]),
}));

class XenDomainPlan extends DomainPlan {
  /** Per disk row: the seven files (null: in no backend directory, the field stays unknown). */
  private readonly disks: { files: (KeptFile | null)[] }[];
  private readonly blockCols: Int32Array;
  private readonly blockFactors: Float64Array;
  private readonly ifnames: string[];
  private readonly net: NetColumns;

  constructor(dom: Domain, map: RowMap, disks: { identity: DeviceIdentity; files: (KeptFile | null)[] }[], ifaces: DeviceIdentity[], wrap32: boolean) {
    super(dom, map, [...ifaces, ...disks.map((d) => d.identity)]); // the driver's order: interfaces, then disks
    this.disks = disks;
    ({ cols: this.blockCols, factors: this.blockFactors } = blockColumns(map));
    this.ifnames = ifaces.map((i) => i.name);
    this.net = netColumns(map, true);
    for (const d of this.sample.devices.slice(1)) d.wrap32 = wrap32;
  }

  protected fill(tick: PlanTick, devices: DeviceSample[]): boolean {
    let k = 1;
    const table = this.ifnames.length > 0 ? tick.netDev() : null;
    for (const name of this.ifnames) if (!fillInterface(devices[k++]!, table, name, this.net.cols, this.net.fields)) return false;
    for (const disk of this.disks) {
      const d = devices[k++]!;
      for (let f = 0; f < disk.files.length; f++) {
        const file = disk.files[f]!;
        if (file === null) continue;
        const n = tick.read(file, STAT_FILE_LIMIT);
        if (n < 0) return false;
        const v = singleDecimal(tick.buf, tick.at, tick.at + n);
        if (v < 0) return false;
        setProduct(d, this.blockCols[f]!, v, this.blockFactors[f]!);
      }
    }
    return true;
  }

  files(): AheadFile[] {
    return this.disks.flatMap((d) => d.files.flatMap((file) => (file === null ? [] : [{ file, max: STAT_FILE_LIMIT }])));
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
