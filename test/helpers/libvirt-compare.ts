// Key-by-key comparison of domstat's domstats with libvirt's own, shared by the capture test and
// the lab test. Every libvirt key falls in exactly one class, each with the reason it is there.

export type Records = Map<string, Map<string, string>>;

/** Parses virsh domstats text into domain -> key -> value. */
export function parseVirshDomstats(text: string): Records {
  const out: Records = new Map();
  let cur: Map<string, string> | undefined;
  for (const line of text.split('\n')) {
    const m = /^Domain: '(.*)'$/.exec(line);
    if (m) {
      cur = new Map();
      out.set(m[1]!, cur);
      continue;
    }
    const kv = /^ {2}([^=]+)=(.*)$/.exec(line);
    if (kv && cur) cur.set(kv[1]!, kv[2]!);
  }
  return out;
}

export type KeyClass =
  /** Same source and meaning: must be equal. */
  | 'equal'
  /** A cumulative counter read from the same source a moment apart: libvirt's value may have grown. */
  | 'counter'
  /** A gauge read a moment apart (resident memory): may differ a little either way. */
  | 'gauge'
  /** Host block device counter vs QEMU's own count of the guest's requests: see HOST_BLOCK_REASON. */
  | 'host-block'
  /** libvirt gets it from somewhere domstat does not read; domstat must leave it out. */
  | 'absent';

export const REASONS: Record<KeyClass, string> = {
  equal: 'same source, same moment: equal',
  counter: 'cumulative counter that moved between the two reads: never smaller in the later read',
  gauge: 'resident set size, a gauge that moved between the two reads',
  'host-block':
    "host block device counters (/sys/dev/block/MAJ:MIN/stat) count every request that reached the device, the host's own probing reads included, with ms-granular times; libvirt reports QEMU's own count of the guest's requests",
  absent:
    'libvirt asks QEMU (monitor, guest balloon driver, resctrl, dirty-rate) or fills 0 for what the kernel does not keep (vcpu wait without schedstats): not in host files, so domstat leaves it out rather than invent it',
};

/**
 * The class of one libvirt key for a domain. `hostBlockDisks` are the block.N indices that domstat
 * reads from a host block device; other block counters are QEMU-only (file-backed disks).
 */
export function classify(key: string, hostBlockDisks: ReadonlySet<number>, sizeKnown = true): KeyClass {
  if (/^state\.(state|reason)$/.test(key)) return 'equal';
  if (/^cpu\.(time|user|system)$/.test(key)) return 'counter';
  if (/^cpu\./.test(key)) return 'absent';
  if (/^balloon\.(current|maximum)$/.test(key)) return 'equal';
  if (key === 'balloon.rss') return 'gauge';
  if (/^balloon\./.test(key)) return 'absent';
  if (/^vcpu\.(current|maximum)$/.test(key) || /^vcpu\.[0-9]+\.state$/.test(key)) return 'equal';
  if (/^vcpu\.[0-9]+\.(time|delay)$/.test(key)) return 'counter';
  if (/^vcpu\.[0-9]+\./.test(key)) return 'absent';
  if (key === 'net.count' || /^net\.[0-9]+\.name$/.test(key)) return 'equal';
  if (/^net\.[0-9]+\.(rx|tx)\.(bytes|pkts|errs|drop)$/.test(key)) return 'counter';
  if (key === 'block.count' || /^block\.[0-9]+\.(name|path|backingIndex)$/.test(key)) return 'equal';
  const b = /^block\.([0-9]+)\.(rd\.reqs|rd\.bytes|rd\.times|wr\.reqs|wr\.bytes|wr\.times|fl\.reqs|fl\.times|capacity|physical)$/.exec(key);
  if (b && hostBlockDisks.has(Number(b[1]))) {
    if (b[2] === 'capacity' || b[2] === 'physical') return sizeKnown ? 'equal' : 'absent';
    return 'host-block';
  }
  return 'absent';
}
