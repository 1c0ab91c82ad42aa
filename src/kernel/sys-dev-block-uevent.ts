// /sys/dev/block/MAJ:MIN/uevent: "MAJOR=8\nMINOR=0\nDEVNAME=sda\nDEVTYPE=disk\n" — a host block
// device's kernel name (for the devices a cgroup's io.stat lists by number).

import type { FileSpec } from './spec.js';
import { ParseError, requireWhole } from './u64.js';

export const BLOCK_UEVENT: FileSpec = { path: '/sys/dev/block/<maj>:<min>/uevent', limit: 4096 };
/** A kernel block device name as /dev has it ("sda", "dm-3", "cciss/c0d0"); it is shown, never used as a path. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._+:/-]{0,63}$/;

export function parseBlockUevent(text: string, source: string): string {
  requireWhole(text, source); // a name cut short is another device's
  for (const line of text.split('\n')) {
    if (!line.startsWith('DEVNAME=')) continue;
    const name = line.slice('DEVNAME='.length);
    if (!NAME.test(name) || name.includes('..')) throw new ParseError(`not a device name: ${JSON.stringify(name.slice(0, 40))}`, source);
    return name;
  }
  throw new ParseError('no DEVNAME line', source);
}
