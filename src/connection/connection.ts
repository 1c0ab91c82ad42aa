// The library's entry point, shaped like a libvirt connection: list and look up domains, the
// per-device calls (virDomainInterfaceStats, virDomainBlockStats[Flags], virDomainMemoryStats,
// virDomainGetCPUStats) and the bulk calls (virConnectGetAllDomainStats, virDomainListGetStats).
// Everything is read from files under the root; nothing talks to libvirtd.

import { HostFs } from '../host/hostfs.js';
import type { FileSnapshot } from '../host/file-snapshot.js';
import { readInventory, type Inventory, type InventoryProblem, type ParseCache } from '../domains/inventory.js';
import type { Domain, DriverName } from '../stats/domain.js';
import { CollectContext, type CpuStatsParams, type Driver } from '../drivers/driver.js';
import type { DomainProblem } from '../stats/records.js';
import { XenDriver } from '../drivers/xen/xen-driver.js';
import { KvmDriver, CPU_STATS_MAX_PARAMS } from '../drivers/kvm/kvm-driver.js';
import { argumentUnsupported, invalidArg, NoDomainError, operationUnsupported } from '../stats/errors.js';
import { FILTER_FLAGS, hasFlag, LIBVIRT_GROUPS, StatsFlag, StatsGroup, unknownFlags } from '../stats/groups.js';
import { DomainState, isActive } from '../stats/states.js';
import type { TypedParam } from '../stats/typed-params.js';
import { MEMORY_STAT_NR, type DomainStatsRecord, type MemoryStat } from '../stats/records.js';
import type { BlockStats, InterfaceStats } from '../stats/structs.js';
import { messageOf } from '../common/errors.js';

export interface ConnectionOptions {
  root?: string;
  xmlDir?: string;
  /** A HostFs of the caller's (e.g. one that records what is read); overrides root. */
  fs?: HostFs;
  /** Told of each definition that could not be read, when the inventory is first read (the CLI's warnings). */
  onInventoryProblem?: (p: InventoryProblem) => void;
}

/** Does a domain pass the list filters (groups of alternatives, as virConnectListAllDomains)? */
export function matchesFilters(dom: Domain, flags: number): boolean {
  const f = flags & FILTER_FLAGS;
  const active = isActive(dom.state);
  if (f & (StatsFlag.ACTIVE | StatsFlag.INACTIVE) && !((f & StatsFlag.ACTIVE && active) || (f & StatsFlag.INACTIVE && !active))) return false;
  if (f & (StatsFlag.PERSISTENT | StatsFlag.TRANSIENT) && !((f & StatsFlag.PERSISTENT && dom.persistent) || (f & StatsFlag.TRANSIENT && !dom.persistent)))
    return false;
  const stateBits = StatsFlag.RUNNING | StatsFlag.PAUSED | StatsFlag.SHUTOFF | StatsFlag.OTHER;
  if (f & stateBits) {
    const s = dom.state;
    const bit =
      s === DomainState.RUNNING
        ? StatsFlag.RUNNING
        : s === DomainState.PAUSED
          ? StatsFlag.PAUSED
          : s === DomainState.SHUTOFF
            ? StatsFlag.SHUTOFF
            : StatsFlag.OTHER;
    if (!(f & bit)) return false;
  }
  return true;
}

export class Connection {
  readonly fs: HostFs;
  readonly drivers: Record<DriverName, Driver>;
  private inv?: Inventory;
  /** Problems of the most recent stats collection (fields left out and why). */
  lastProblems: DomainProblem[] = [];

  constructor(readonly options: ConnectionOptions = {}) {
    this.fs = options.fs ?? new HostFs(options.root ?? '/');
    this.drivers = { xen: new XenDriver(), kvm: new KvmDriver() };
  }

  inventory(): Inventory {
    if (this.inv === undefined) {
      this.inv = this.readInventory();
      for (const p of this.inv.problems) this.options.onInventoryProblem?.(p);
    }
    return this.inv;
  }

  /** Reads the definitions again (the agent's watcher; `cache` keeps unchanged files parsed). */
  readInventory(cache?: ParseCache): Inventory {
    return readInventory(this.fs, {
      ...(this.options.xmlDir !== undefined ? { xmlDir: this.options.xmlDir } : {}),
      ...(cache !== undefined ? { cache } : {}),
      enumerate: (fs, looked) => Object.values(this.drivers).flatMap((d) => d.enumerate?.(fs, looked) ?? []),
    });
  }

  /** Use a new inventory (the agent's watcher builds one when definitions change). */
  setInventory(inv: Inventory): void {
    this.inv = inv;
  }

  driverOf(dom: Domain): Driver {
    return this.drivers[dom.driver];
  }

  listAllDomains(flags = 0): Domain[] {
    return this.inventory().domains.filter((d) => matchesFilters(d, flags));
  }

  /** A domain argument, resolved as virsh resolves it. */
  lookupDomain(ref: string): Domain {
    const doms = this.inventory().domains;
    // virsh's order (virshLookupDomainInternal): a running domain's id, then a UUID (36
    // characters), then a name, so a domain named "3" never shadows the domain whose id is 3.
    const id = /^[0-9]+$/.test(ref) && Number(ref) <= 0x7fffffff ? Number(ref) : -1; // a C int, as virsh parses it
    const d =
      (id >= 0 ? doms.find((x) => x.id === id) : undefined) ??
      (ref.length === 36 ? doms.find((x) => x.uuid !== undefined && x.uuid === ref.toLowerCase()) : undefined) ??
      doms.find((x) => x.name === ref);
    if (d === undefined) throw new NoDomainError(ref);
    return d;
  }

  interfaceStats(dom: Domain, device: string): InterfaceStats {
    return this.driverOf(dom).interfaceStats(dom, device, this.context());
  }

  blockStats(dom: Domain, path: string): BlockStats {
    return this.driverOf(dom).blockStats(dom, path, this.context());
  }

  blockStatsFlags(dom: Domain, path: string): TypedParam[] {
    return this.driverOf(dom).blockStatsFlags(dom, path, this.context());
  }

  /** virDomainMemoryStats: at most nr tag/value pairs, only what host files know. */
  memoryStats(dom: Domain, nr: number = MEMORY_STAT_NR): MemoryStat[] {
    const drv = this.driverOf(dom);
    if (drv.memoryStats === undefined) throw operationUnsupported(`memory statistics are not available from host files for ${drv.name} domains`);
    return drv.memoryStats(dom, this.context()).slice(0, Math.max(0, Math.min(nr, MEMORY_STAT_NR)));
  }

  /**
   * virDomainGetCPUStats. startCpu -1 with ncpus 1 gives the total; startCpu >= 0 gives per host
   * CPU values. nparams 0 asks how many parameters there are per CPU, and startCpu 0 with ncpus 0
   * asks for the number of host CPUs, as in libvirt.
   */
  cpuStats(dom: Domain, startCpu: number, ncpus: number, nparams = CPU_STATS_MAX_PARAMS): CpuStatsParams | number {
    const drv = this.driverOf(dom);
    if (drv.cpuStats === undefined || drv.maxCpus === undefined)
      throw operationUnsupported(`CPU statistics are not available from host files for ${drv.name} domains`);
    if (nparams < 0 || nparams > CPU_STATS_MAX_PARAMS) throw invalidArg(`nparams must be between 0 and ${CPU_STATS_MAX_PARAMS}`);
    const ctx = this.context();
    if (startCpu === 0 && ncpus === 0 && nparams === 0) return drv.maxCpus(ctx);
    if (startCpu === -1 && ncpus !== 1) throw invalidArg('ncpus must be 1 when start_cpu is -1');
    const r = drv.cpuStats(dom, startCpu, ncpus, ctx);
    if (nparams === 0) return r.cpus[0]?.params.length ?? 0;
    return { cpus: r.cpus.map((c) => ({ cpu: c.cpu, params: c.params.slice(0, nparams) })) };
  }

  getAllDomainStats(stats: number, flags: number): DomainStatsRecord[] {
    return this.collect(this.listAllDomains(flags), stats, flags);
  }

  domainListGetStats(doms: readonly Domain[], stats: number, flags: number): DomainStatsRecord[] {
    return this.collect(
      doms.filter((d) => matchesFilters(d, flags)),
      stats,
      flags,
    );
  }

  /** Groups to collect for a driver: 0 means every libvirt group it supports; ENFORCE rejects the rest. */
  groupsFor(drv: Driver, stats: number, flags: number): number {
    const supported = drv.supportedGroups;
    if (stats === 0) return supported & LIBVIRT_GROUPS;
    const unsupported = stats & ~supported;
    if (unsupported !== 0 && hasFlag(flags, StatsFlag.ENFORCE_STATS)) {
      throw argumentUnsupported(`Stats types bits 0x${unsupported.toString(16)} are not supported by this daemon`);
    }
    return stats & supported;
  }

  private collect(doms: readonly Domain[], stats: number, flags: number): DomainStatsRecord[] {
    const unknown = unknownFlags(flags);
    if (unknown !== 0) throw invalidArg(`unsupported flags (0x${unknown.toString(16)}) in function virConnectGetAllDomainStats`);
    return this.collectWith(this.context(), doms, stats, flags);
  }

  /** Bulk stats within a given collection context (the agent shares one per tick). */
  collectWith(ctx: CollectContext, doms: readonly Domain[], stats: number, flags: number): DomainStatsRecord[] {
    // Check ENFORCE for every involved driver before reading anything.
    const groups = new Map<Driver, number>();
    for (const d of doms) {
      const drv = this.driverOf(d);
      if (!groups.has(drv)) groups.set(drv, this.groupsFor(drv, stats, flags));
    }
    const records: DomainStatsRecord[] = [];
    for (const d of doms) {
      const drv = this.driverOf(d);
      try {
        records.push({ domain: d, params: drv.domainStats(d, groups.get(drv)!, flags, ctx) });
      } catch (e) {
        // One domain's trouble costs that domain's record, never the others'.
        ctx.problem(d, `record skipped: ${messageOf(e)}`);
      }
    }
    this.lastProblems = ctx.problems;
    return records;
  }

  /** A new collection; `netDevFile` shares a snapshot of /proc/net/dev read elsewhere in it (the agent's tick). */
  context(netDevFile?: FileSnapshot): CollectContext {
    return new CollectContext(this.fs, netDevFile);
  }
}

export { StatsGroup, StatsFlag };
