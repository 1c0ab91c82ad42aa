// Groups every driver fills the same way: state, the definition's balloon and vCPU counts, the
// interface group over /proc/net/dev, and the skeleton of the block group.

import type { Domain } from '../stats/domain.js';
import type { DiskDef, InterfaceDef } from '../stats/domain.js';
import { isActive } from '../stats/states.js';
import { ParamList } from '../stats/typed-params.js';
import type { InterfaceStats } from '../stats/structs.js';
import { NET_DEV_KEYS, netDevKey, type NetDevField, type ProcNetDevLine } from '../kernel/proc-net-dev.js';
import { exactKey, keyAt, type KeyFrom } from '../kernel/spec.js';
import type { TypedParam } from '../stats/typed-params.js';
import { internalError, invalidArg, operationInvalid, detailOf } from '../stats/errors.js';
import { findInterface, isValidIfname, sharesHostView } from './devices.js';
import type { CollectContext } from './driver.js';
import { ParseError } from '../kernel/u64.js';

export function emitState(p: ParamList, dom: Domain): void {
  p.int('state.state', dom.state);
  p.int('state.reason', dom.reason);
}

export function emitBalloonDefinition(p: ParamList, dom: Domain): void {
  p.ullong('balloon.current', dom.currentMemoryKiB);
  p.ullong('balloon.maximum', dom.maxMemoryKiB);
}

export function emitVcpuCounts(p: ParamList, dom: Domain): void {
  p.uint('vcpu.current', dom.vcpuCurrent);
  p.uint('vcpu.maximum', dom.vcpuMax);
}

/** What the definition alone says (state, balloon, vCPU counts): the part of a plan's row that no file gives. */
export function definitionParams(dom: Domain): TypedParam[] {
  const p = new ParamList();
  emitState(p, dom);
  emitBalloonDefinition(p, dom);
  emitVcpuCounts(p, dom);
  return p.params;
}

/** Keys from a file's exact fields, each as an unsigned 64-bit parameter ("{i}" is `index`); a key whose field is missing is left out. */
export function emitKeys<F extends string>(p: ParamList, keys: readonly KeyFrom<F>[], fields: Partial<Record<F, bigint>>, index?: number): void {
  for (const k of keys) p.ullong(index === undefined ? k.key : keyAt(k.key, index), exactKey(k, fields));
}

export function requireActive(dom: Domain): void {
  if (!isActive(dom.state)) throw operationInvalid('domain is not running');
}

/**
 * An interface's /proc/net/dev line and the keys it gives in the guest's view. `owned` lets a
 * driver add its own ownership rule (Xen: a vif must carry this domain's id) before anything is read.
 */
function interfaceLine(iface: InterfaceDef, ctx: CollectContext, owned: (ifname: string) => boolean): { line: ProcNetDevLine; keys: KeyFrom<NetDevField>[] } {
  const ifname = iface.target;
  if (ifname === undefined || !isValidIfname(ifname) || !owned(ifname)) {
    throw invalidArg(`'${ifname ?? ''}' is not a known interface`);
  }
  const line = ctx.netDev().get(netDevKey(ifname));
  if (line === undefined) throw internalError('/proc/net/dev: Interface not found');
  if (line instanceof ParseError) throw internalError(line.message);
  return { line, keys: NET_DEV_KEYS[sharesHostView(iface) ? 'host' : 'swapped'] };
}

/** An interface's counters as libvirt's struct (its fields in the order of the keys). */
export function readInterface(iface: InterfaceDef, ctx: CollectContext, owned: (ifname: string) => boolean = () => true): InterfaceStats {
  const { line, keys } = interfaceLine(iface, ctx, owned);
  const v = keys.map((k) => exactKey(k, line)!);
  return { rx_bytes: v[0]!, rx_packets: v[1]!, rx_errs: v[2]!, rx_drop: v[3]!, tx_bytes: v[4]!, tx_packets: v[5]!, tx_errs: v[6]!, tx_drop: v[7]! };
}

/** virDomainInterfaceStats: the device must be one of this running domain's interfaces. */
export function interfaceStatsFor(dom: Domain, device: string, ctx: CollectContext, owned?: (ifname: string) => boolean): InterfaceStats {
  requireActive(dom);
  return readInterface(findInterface(dom.interfaces, device).iface, ctx, owned);
}

/** net.count, then per interface with a host device: its name and, when readable, its counters. */
export function emitInterfaces(p: ParamList, dom: Domain, ctx: CollectContext, owned: (ifname: string) => boolean = () => true): void {
  if (!isActive(dom.state)) return;
  p.uint('net.count', dom.interfaces.length);
  dom.interfaces.forEach((iface, i) => {
    if (iface.target === undefined) return;
    p.string(`net.${i}.name`, iface.target);
    let got: ReturnType<typeof interfaceLine>;
    try {
      got = interfaceLine(iface, ctx, owned);
    } catch (e) {
      // libvirt skips an interface it cannot read and keeps the record
      ctx.problem(dom, `interface ${iface.target}: ${detailOf(e)}`);
      return;
    }
    emitKeys(p, got.keys, got.line, i);
  });
}

/**
 * The block group's skeleton, shared by the drivers: block.count, then per disk its name, path and
 * backingIndex followed by whatever counters `counters(disk, i, k)` adds for entry k; with BACKING,
 * each backing-chain layer as an entry of its own (names and paths only: host files keep no
 * per-layer counters).
 */
export function emitBlock(p: ParamList, dom: Domain, backing: boolean, counters: (disk: DiskDef, i: number, k: number) => void): void {
  p.uint('block.count', dom.disks.length + (backing ? dom.disks.reduce((n, d) => n + d.backing.length, 0) : 0));
  let k = 0;
  dom.disks.forEach((disk, i) => {
    p.string(`block.${k}.name`, disk.target);
    p.string(`block.${k}.path`, localPath(disk));
    p.uint(`block.${k}.backingIndex`, disk.sourceIndex);
    counters(disk, i, k);
    k++;
    if (!backing) return;
    for (const layer of disk.backing) {
      p.string(`block.${k}.name`, disk.target);
      p.string(`block.${k}.path`, layer.source);
      p.uint(`block.${k}.backingIndex`, layer.index);
      k++;
    }
  });
}

/** Local sources only, as libvirt prints block.N.path (file, block device, directory). */
export function localPath(disk: DiskDef): string | undefined {
  return disk.type === 'file' || disk.type === 'block' || disk.type === 'dir' || disk.type === undefined ? disk.source : undefined;
}
