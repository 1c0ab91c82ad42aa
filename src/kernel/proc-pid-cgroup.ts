// /proc/<pid>/cgroup: "hierarchy-id:controller,list:path" per line; cgroup v2 is "0::path".
// The path may itself contain ':', so a line splits at the first two colons only.
//   4:memory:/machine/qemu-7-lab-busy.libvirt-qemu
//   0::/machine/qemu-7-lab-busy.libvirt-qemu/emulator

import type { FileSpec } from './spec.js';
import { ParseError, requireWhole } from './u64.js';

export const PROC_PID_CGROUP: FileSpec = { path: '/proc/<pid>/cgroup', limit: 64 * 1024 };

export interface ProcCgroupLine {
  hierarchy: number;
  controllers: string[];
  path: string;
}

export function parseProcPidCgroup(text: string, source: string): ProcCgroupLine[] {
  // Cut short, the last path may name a parent group (all VMs' CPU for this one's).
  requireWhole(text, source);
  const out: ProcCgroupLine[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    if (b < 0 || !/^[0-9]+$/.test(line.slice(0, a))) throw new ParseError(`malformed line ${JSON.stringify(line.slice(0, 60))}`, source);
    const path = line.slice(b + 1);
    if (!path.startsWith('/')) throw new ParseError(`relative cgroup path ${JSON.stringify(path.slice(0, 60))}`, source);
    const hierarchy = Number(line.slice(0, a));
    if (!Number.isSafeInteger(hierarchy)) throw new ParseError(`hierarchy id out of range ${JSON.stringify(line.slice(0, Math.min(a, 30)))}`, source);
    const ctl = line.slice(a + 1, b);
    out.push({ hierarchy, controllers: ctl === '' ? [] : ctl.split(','), path });
  }
  if (out.length === 0) throw new ParseError('empty', source);
  return out;
}
