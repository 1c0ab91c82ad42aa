// The Xen driver: libvirt's original Xen statistics from dom0's files. Block counters come from
// blkback's sysfs statistics, interface counters from the vifD.N lines of /proc/net/dev (swapped to
// the guest's view); state, balloon and vCPU counts from the definition. CPU time needs the
// hypervisor, which host files do not expose, so cpu-total is not supported.

import type { Domain } from '../../stats/domain.js';
import type { DiskDef } from '../../stats/domain.js';
import { internalError, invalidArg, detailOf } from '../../stats/errors.js';
import { hasFlag, StatsFlag, StatsGroup } from '../../stats/groups.js';
import { isActive } from '../../stats/states.js';
import { ParamList, type TypedParam } from '../../stats/typed-params.js';
import { UNSUPPORTED, type BlockStats, type InterfaceStats } from '../../stats/structs.js';
import { emitBalloonDefinition, emitBlock, emitInterfaces, emitState, emitVcpuCounts, interfaceStatsFor, requireActive } from '../common-groups.js';
import { findDisk } from '../devices.js';
import type { CollectContext, Driver } from '../driver.js';
import { xenDeviceNumber } from './devnum.js';
import { existingVbdDirs, readVbdCounters, type VbdCounters } from './vbd.js';

const SECTOR = 512n;
/** Sectors from which bytes no longer fit in libvirt's signed 64-bit counter (its own limit). */
const SECTOR_LIMIT = 1n << 54n;

/** A vif name carries its domain id: vif<domid>.<handle>[-emu]. */
const VIF = /^vif([0-9]+)\.([0-9]+)(-emu)?$/;

export function vifBelongsTo(domid: number): (ifname: string) => boolean {
  return (ifname) => {
    const m = VIF.exec(ifname);
    return m === null || Number(m[1]) === domid;
  };
}

/** Xen's per-disk result in libvirt's terms: -1 for what could not be read. */
export interface XenBlockCounters extends BlockStats {
  f_req: bigint;
  ds_req: bigint;
}

function toBytes(sectors: bigint | null, which: 'rd' | 'wr', domid: number): bigint {
  if (sectors === null) return UNSUPPORTED;
  if (sectors >= SECTOR_LIMIT) throw internalError(`stats->${which}_bytes would overflow 64 bit counter for domain ${domid}`);
  return sectors * SECTOR;
}

function fromCounters(c: VbdCounters, domid: number): XenBlockCounters {
  const v = (x: bigint | null) => x ?? UNSUPPORTED;
  const r: XenBlockCounters = {
    rd_req: v(c.rd_req),
    rd_bytes: toBytes(c.rd_sect, 'rd', domid),
    wr_req: v(c.wr_req),
    wr_bytes: toBytes(c.wr_sect, 'wr', domid),
    errs: v(c.oo_req),
    f_req: v(c.f_req),
    ds_req: v(c.ds_req),
  };
  if (r.rd_req < 0n && r.rd_bytes < 0n && r.wr_req < 0n && r.wr_bytes < 0n && r.errs < 0n) {
    throw internalError(`Failed to read any block statistics for domain ${domid}`);
  }
  return r;
}

export class XenDriver implements Driver {
  readonly name = 'xen';
  readonly supportedGroups = StatsGroup.STATE | StatsGroup.BALLOON | StatsGroup.VCPU | StatsGroup.INTERFACE | StatsGroup.BLOCK | StatsGroup.EXTRA;
  /** Resolved statistics directories per (domain id, device number): once per inventory. */
  private readonly dirs = new Map<string, string[]>();

  constructor(private readonly resolveOnce = true) {}

  /** One disk's counters; throws libvirt's errors. */
  diskCounters(dom: Domain, disk: DiskDef, ctx: CollectContext): XenBlockCounters {
    const devnum = xenDeviceNumber(disk.target ?? '', dom.id);
    const key = `${dom.id}/${devnum}`;
    let dirs = this.resolveOnce ? this.dirs.get(key) : undefined;
    if (dirs === undefined) {
      dirs = existingVbdDirs(ctx.fs, dom.id, devnum);
      if (this.resolveOnce && dirs.length > 0) this.dirs.set(key, dirs);
    }
    return fromCounters(readVbdCounters(ctx.fs, dirs), dom.id);
  }

  /** Forget resolved directories (the inventory changed). */
  reset(): void {
    this.dirs.clear();
  }

  private blockTotals(dom: Domain, path: string, ctx: CollectContext): XenBlockCounters {
    requireActive(dom);
    if (path !== '') return this.diskCounters(dom, findDisk(dom.disks, path), ctx);
    // The empty path sums every disk; an unknown part stays unknown.
    const sum: XenBlockCounters = { rd_req: 0n, rd_bytes: 0n, wr_req: 0n, wr_bytes: 0n, errs: 0n, f_req: 0n, ds_req: 0n };
    if (dom.disks.length === 0) throw invalidArg('invalid path: ');
    for (const disk of dom.disks) {
      const c = this.diskCounters(dom, disk, ctx);
      for (const k of Object.keys(sum) as (keyof XenBlockCounters)[]) {
        sum[k] = sum[k] < 0n || c[k] < 0n ? UNSUPPORTED : sum[k] + c[k];
      }
    }
    return sum;
  }

  blockStats(dom: Domain, path: string, ctx: CollectContext): BlockStats {
    const c = this.blockTotals(dom, path, ctx);
    return { rd_req: c.rd_req, rd_bytes: c.rd_bytes, wr_req: c.wr_req, wr_bytes: c.wr_bytes, errs: c.errs };
  }

  /** libxl's typed names and order; -1 fields are left out. */
  blockStatsFlags(dom: Domain, path: string, ctx: CollectContext): TypedParam[] {
    const c = this.blockTotals(dom, path, ctx);
    const p = new ParamList();
    p.llong('wr_bytes', c.wr_bytes);
    p.llong('wr_operations', c.wr_req);
    p.llong('rd_bytes', c.rd_bytes);
    p.llong('rd_operations', c.rd_req);
    p.llong('flush_operations', c.f_req);
    p.llong('errs', c.errs);
    return p.params;
  }

  interfaceStats(dom: Domain, device: string, ctx: CollectContext): InterfaceStats {
    return interfaceStatsFor(dom, device, ctx, vifBelongsTo(dom.id));
  }

  domainStats(dom: Domain, groups: number, flags: number, ctx: CollectContext): TypedParam[] {
    const p = new ParamList();
    if (groups & StatsGroup.STATE) emitState(p, dom);
    if (groups & StatsGroup.BALLOON) emitBalloonDefinition(p, dom);
    if (groups & StatsGroup.VCPU) emitVcpuCounts(p, dom);
    if (groups & StatsGroup.INTERFACE) emitInterfaces(p, dom, ctx, vifBelongsTo(dom.id));
    const counters = groups & (StatsGroup.BLOCK | StatsGroup.EXTRA) && isActive(dom.state) ? dom.disks.map((d) => this.tryCounters(dom, d, ctx)) : [];
    if (groups & StatsGroup.BLOCK) {
      emitBlock(p, dom, hasFlag(flags, StatsFlag.BACKING), (_disk, i, k) => {
        const c = counters[i];
        if (c === undefined || c === null) return;
        p.ullong(`block.${k}.rd.reqs`, c.rd_req);
        p.ullong(`block.${k}.rd.bytes`, c.rd_bytes);
        p.ullong(`block.${k}.wr.reqs`, c.wr_req);
        p.ullong(`block.${k}.wr.bytes`, c.wr_bytes);
        p.ullong(`block.${k}.fl.reqs`, c.f_req);
        p.ullong(`block.${k}.errors`, c.errs);
      });
    }
    if (groups & StatsGroup.EXTRA) {
      counters.forEach((c, i) => {
        if (c !== null && c !== undefined) p.ullong(`extra.block.${i}.discard.reqs`, c.ds_req);
      });
    }
    return p.params;
  }

  private tryCounters(dom: Domain, disk: DiskDef, ctx: CollectContext): XenBlockCounters | null {
    try {
      return this.diskCounters(dom, disk, ctx);
    } catch (e) {
      // a disk without readable counters keeps its name and path
      ctx.problem(dom, `block ${disk.target ?? ''}: ${detailOf(e)}`);
      return null;
    }
  }
}
