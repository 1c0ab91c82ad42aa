// A Xen dom0 without libvirt: its domains are what the backend devices say (vbd-D-N, tap-D-N,
// vif-D-N under the xen-backend directories), named Domain-D, running, with those disks and vifs.

import { HostFs, isGone } from '../../host/hostfs.js';
import type { Domain } from '../../stats/domain.js';
import { DomainState } from '../../stats/states.js';
import { xenDeviceName, xenDeviceNumber } from './devnum.js';

const BACKEND_ENTRY = /^(vbd|tap|vif)-([0-9]{1,9})-([0-9]{1,10})$/;

/** Domains seen only as backend devices under `dirs`: a dom0 without libvirt. */
export function backendDomains(fs: HostFs, dirs: readonly string[], looked: string[]): Domain[] {
  const doms = new Map<number, Domain>();
  for (const dir of dirs) {
    looked.push(dir);
    const entries = fs.readDir(dir);
    if (isGone(entries)) continue;
    for (const entry of entries.sort()) {
      const m = BACKEND_ENTRY.exec(entry);
      if (m === null) continue;
      const domid = Number(m[2]);
      const dev = Number(m[3]);
      let d = doms.get(domid);
      if (d === undefined) {
        const name = `Domain-${domid}`;
        d = {
          name,
          id: domid,
          hvType: 'xen',
          state: DomainState.RUNNING,
          reason: 0,
          vcpuPids: new Map(),
          disks: [],
          interfaces: [],
          live: true,
          driver: 'xen',
          persistent: false,
          file: dir,
          key: name,
        };
        doms.set(domid, d);
      }
      if (m[1] === 'vif') {
        const target = `vif${domid}.${dev}`;
        if (!d.interfaces.some((i) => i.target === target)) d.interfaces.push({ target, type: 'bridge' });
      } else {
        const target = xenDeviceName(dev);
        if (target !== null && !d.disks.some((k) => k.target === target)) d.disks.push({ target, device: 'disk', type: 'block', bus: 'xen', backing: [] });
      }
    }
  }
  for (const d of doms.values()) {
    d.disks.sort((a, b) => xenDeviceNumber(a.target!) - xenDeviceNumber(b.target!));
  }
  return [...doms.values()];
}
