// Kernel CPU lists (/sys/devices/system/cpu/present, cpuset.cpus): "0-3,8,10-11".

import type { FileSpec } from './spec.js';
import { ParseError, requireWhole } from './u64.js';

/** The host's present CPUs (libvirt sizes per-CPU results by them). */
export const CPU_PRESENT: FileSpec = { path: '/sys/devices/system/cpu/present', limit: 4096 };

export const MAX_CPU_ID = 16383;

export function parseCpuList(text: string, source: string): number[] {
  requireWhole(text, source); // "0-1" may be "0-15" cut short; an empty list is "\n"
  const s = text.trim();
  if (s === '') return [];
  const cpus: number[] = [];
  for (const part of s.split(',')) {
    const m = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(part);
    if (m === null) throw new ParseError(`bad CPU list element ${JSON.stringify(part.slice(0, 20))}`, source);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b > MAX_CPU_ID) throw new ParseError(`bad CPU range ${part}`, source);
    for (let c = a; c <= b; c++) cpus.push(c);
  }
  return cpus;
}
