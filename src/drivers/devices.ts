// "Does this device belong to the domain?" — libvirt's lookups (virDomainDiskByName,
// virDomainNetFind) and Linux's interface-name rules. Nothing is read before these pass.

import type { DiskDef, InterfaceDef } from '../stats/domain.js';
import { invalidArg } from '../stats/errors.js';

/** A disk by target name, or by source path when the argument starts with '/' and is unambiguous. */
export function findDisk(disks: readonly DiskDef[], path: string): DiskDef {
  if (path.startsWith('/')) {
    const hits = disks.filter((d) => d.source === path);
    if (hits.length === 1) return hits[0]!;
  } else {
    const hit = disks.find((d) => d.target === path);
    if (hit !== undefined) return hit;
  }
  throw invalidArg(`invalid path: ${path}`);
}

const MAC = /^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/;

function normaliseMac(s: string): string {
  return s
    .split(':')
    .map((b) => b.padStart(2, '0').toLowerCase())
    .join(':');
}

/** An interface by MAC address (when the argument parses as one) or by its host device name. */
export function findInterface(interfaces: readonly InterfaceDef[], device: string): { iface: InterfaceDef; index: number } {
  const byMac = MAC.test(device);
  const mac = byMac ? normaliseMac(device) : '';
  const index = interfaces.findIndex((n) => (byMac ? n.mac === mac : n.target !== undefined && n.target === device));
  if (index < 0) throw invalidArg(`'${device}' is not a known interface`);
  return { iface: interfaces[index]!, index };
}

/** Linux dev_valid_name(): 1..15 bytes, not "." or "..", no '/', ':' or whitespace. */
export function isValidIfname(name: string): boolean {
  if (name === '' || name === '.' || name === '..') return false;
  if (Buffer.byteLength(name, 'utf8') > 15) return false;
  return !/[/:\s\0]/.test(name);
}

/**
 * Whether /proc/net/dev already shows the guest's view for this interface. libvirt swaps rx and
 * tx for tap-like devices (the host end of the link), but not for macvtap (type='direct').
 */
export function sharesHostView(iface: InterfaceDef): boolean {
  return iface.type === 'direct';
}
