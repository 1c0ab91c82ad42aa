// The Xen driver: libvirt's original Xen statistics from dom0's files. Block counters come from
// blkback's sysfs statistics, interface counters from the vifD.N lines of /proc/net/dev (swapped to
// the guest's view); state, balloon and vCPU counts from the definition. CPU time needs the
// hypervisor, which host files do not expose, so cpu-total is not supported. For the agent it
// also plans running domains (xen-plan.ts), knows that 2.6.18-era dom0s keep 32-bit counters, and
// enumerates a dom0 without libvirt from its backend devices (enumerate.ts).

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
import { BACKEND_DIRS, existingVbdDirs, MODERN_BACKEND_DIR, OLD_BACKEND_DIR, readVbdCounters, type VbdCounters } from './vbd.js';
import { VBD_KEYS, type VbdField } from '../../kernel/xen-vbd.js';
import { exactKey, keyAt } from '../../kernel/spec.js';
import type { HostFs } from '../../host/hostfs.js';
import type { RowMap } from '../../sample/row-map.js';
import type { DomainPlan } from '../../sample/plan.js';
import { xenPlan } from './xen-plan.js';
import { vifBelongsTo } from './vif.js';
import { backendDomains } from './enumerate.js';

/** Sectors from which bytes no longer fit in libvirt's signed 64-bit counter (its own limit). */
const SECTOR_LIMIT = 1n << 54n;

/** The block group's keys in libvirt's order, and where each value sits in XenBlockCounters. */
const BLOCK_GROUP: readonly [VbdField, keyof XenBlockCounters][] = [
  ['rd_req', 'rd_req'],
  ['rd_sect', 'rd_bytes'],
  ['wr_req', 'wr_req'],
  ['wr_sect', 'wr_bytes'],
  ['f_req', 'f_req'],
  ['oo_req', 'errs'],
];

/** Xen's per-disk result in libvirt's terms: -1 for what could not be read. */
export interface XenBlockCounters extends BlockStats {
  f_req: bigint;
  ds_req: bigint;
}

function fromCounters(c: VbdCounters, domid: number): XenBlockCounters {
  const v = (f: VbdField) => {
    const x = c[f];
    if (x === null) return UNSUPPORTED;
    if ((f === 'rd_sect' || f === 'wr_sect') && x >= SECTOR_LIMIT)
      throw internalError(`stats->${f.slice(0, 2)}_bytes would overflow 64 bit counter for domain ${domid}`);
    return exactKey(VBD_KEYS[f], { [f]: x })!;
  };
  const r: XenBlockCounters = {
    rd_req: v('rd_req'),
    rd_bytes: v('rd_sect'),
    wr_req: v('wr_req'),
    wr_bytes: v('wr_sect'),
    errs: v('oo_req'),
    f_req: v('f_req'),
    ds_req: v('ds_req'),
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

  /** One disk's counters; throws libvirt's errors. Files that are there but do not read are said in `problems`. */
  diskCounters(dom: Domain, disk: DiskDef, ctx: CollectContext, problems?: string[]): XenBlockCounters {
    const devnum = xenDeviceNumber(disk.target ?? '', dom.id);
    const key = `${dom.id}/${devnum}`;
    let dirs = this.resolveOnce ? this.dirs.get(key) : undefined;
    if (dirs === undefined) {
      dirs = existingVbdDirs(ctx.fs, dom.id, devnum);
      if (this.resolveOnce && dirs.length > 0) this.dirs.set(key, dirs);
    }
    return fromCounters(readVbdCounters(ctx.fs, dirs, problems), dom.id);
  }

  /** Forget resolved directories (the inventory changed). */
  reset(): void {
    this.dirs.clear();
    this.narrow = undefined;
  }

  private narrow: boolean | undefined = undefined;

  /** Old (2.6.18-era) dom0s, with only the old backend directory, keep 32-bit counters. */
  wrap32(fs: HostFs): boolean {
    return (this.narrow ??= fs.isDir(OLD_BACKEND_DIR) && !fs.isDir(MODERN_BACKEND_DIR));
  }

  plan(dom: Domain, fs: HostFs, map: RowMap): DomainPlan | null {
    return xenPlan(dom, fs, map, this.wrap32(fs));
  }

  enumerate(fs: HostFs, looked: string[]): Domain[] {
    return backendDomains(fs, BACKEND_DIRS, looked);
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
        for (const [f, v] of BLOCK_GROUP) p.ullong(keyAt(VBD_KEYS[f].key, k), c[v]);
      });
    }
    if (groups & StatsGroup.EXTRA) {
      counters.forEach((c, i) => {
        if (c !== null && c !== undefined) p.ullong(keyAt(VBD_KEYS.ds_req.key, i), c.ds_req);
      });
    }
    return p.params;
  }

  private tryCounters(dom: Domain, disk: DiskDef, ctx: CollectContext): XenBlockCounters | null {
    const problems: string[] = [];
    try {
      return this.diskCounters(dom, disk, ctx, problems);
    } catch (e) {
      // a disk without readable counters keeps its name and path
      ctx.problem(dom, `block ${disk.target ?? ''}: ${detailOf(e)}`);
      return null;
    } finally {
      for (const m of problems) ctx.problem(dom, `block ${disk.target ?? ''}: ${m}`);
    }
  }
}
