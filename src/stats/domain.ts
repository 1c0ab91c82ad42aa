// A domain as libvirt describes it: what its definition (or live status) says, and how domstat
// knows it (its driver, where the definition came from, its identity across restarts). The
// vocabulary every layer shares; domains/ builds these from libvirt's XML files.

import type { DomainStateValue } from './states.js';

export interface DiskDef {
  /** <target dev>, e.g. "vda", "xvda1". */
  target?: string;
  bus?: string;
  /** <disk type>: file, block, network, volume, dir. */
  type?: string;
  /** <disk device>: disk, cdrom, floppy, lun. */
  device: string;
  /** Local path (file/dev/dir) or network name. */
  source?: string;
  driverName?: string;
  driverType?: string;
  /** <source index='N'> in status XML: libvirt's backingIndex. */
  sourceIndex?: number;
  /** The <backingStore> chain below the top image, outermost first. */
  backing: BackingLayer[];
}

export interface BackingLayer {
  type?: string;
  source?: string;
  index?: number;
}

export interface InterfaceDef {
  /** <target dev>: the host-side device name (vnet0, vif5.0). */
  target?: string;
  mac?: string;
  type?: string;
  model?: string;
  /** <source bridge|dev|network|name|path>, whichever comes first (virsh domiflist's rule). */
  source?: string;
  /** <target managed='no'>: matters for the ethernet/macvtap host-view rule. */
  managed?: string;
}

export interface DomainDef {
  name: string;
  uuid?: string;
  /** Domain id when running, -1 otherwise (libvirt's convention). */
  id: number;
  /** <domain type>: xen, kvm, qemu, ... */
  hvType: string;
  state: DomainStateValue;
  reason: number;
  /** Hypervisor process id (QEMU); 0/absent for libxl. */
  pid?: number;
  /** vCPU id -> host thread id, from status XML. */
  vcpuPids: ReadonlyMap<number, number>;
  maxMemoryKiB?: bigint;
  currentMemoryKiB?: bigint;
  vcpuMax?: number;
  vcpuCurrent?: number;
  disks: DiskDef[];
  interfaces: InterfaceDef[];
  /** True when this came from live status XML. */
  live: boolean;
}

export type DriverName = 'xen' | 'kvm';

export interface Domain extends DomainDef {
  driver: DriverName;
  persistent: boolean;
  /** Where the definition came from (host path, or the xml-dir path). */
  file: string;
  /** A stable identity across restarts: the uuid, or the name when there is none. */
  key: string;
}
