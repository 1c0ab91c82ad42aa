// Readable names for history series, for chart legends: "vnet0 received" for net.0.rx.bytes on
// vnet0, "CPU" for cpu.time, "vda read requests" for block.0.rd.reqs. Derived from the key and
// the device name the history returns with it; a key without a name here reads as itself, so a
// key added to the map later is still named. Shared by `domstat plot` and the web page (served
// as /js/series-names.js); no imports.

const DOMAIN: Record<string, string> = {
  'cpu.time': 'CPU',
  'cpu.user': 'CPU user',
  'cpu.system': 'CPU system',
  'balloon.current': 'memory (balloon)',
  'balloon.maximum': 'memory maximum',
  'balloon.rss': 'memory resident (RSS)',
  'vcpu.current': 'vCPUs online',
  'vcpu.maximum': 'vCPUs maximum',
  'state.state': 'state',
  'state.reason': 'state reason',
  'extra.domid': 'domain id',
  'extra.io.rchar': 'process read (rchar)',
  'extra.io.wchar': 'process written (wchar)',
  'extra.io.syscr': 'process read calls',
  'extra.io.syscw': 'process write calls',
  'extra.io.read_bytes': 'process read from storage',
  'extra.io.write_bytes': 'process written to storage',
  'extra.io.cancelled_write_bytes': 'process cancelled writes',
  'pressure.cpu.some.time': 'CPU pressure (some waiting)',
  'pressure.cpu.full.time': 'CPU pressure (all stalled)',
  'pressure.memory.some.time': 'memory pressure (some waiting)',
  'pressure.memory.full.time': 'memory pressure (all stalled)',
  'pressure.io.some.time': 'I/O pressure (some waiting)',
  'pressure.io.full.time': 'I/O pressure (all stalled)',
  'cgroup.memory.current': 'memory (cgroup)',
  'cgroup.memory.swap': 'swap (cgroup)',
  'cgroup.memory.events.oom_kill': 'OOM kills',
  'cgroup.cpu.throttled.time': 'CPU throttled',
};

const NET: Record<string, string> = {
  'rx.bytes': 'received',
  'tx.bytes': 'sent',
  'rx.pkts': 'packets received',
  'tx.pkts': 'packets sent',
  'rx.errs': 'receive errors',
  'tx.errs': 'send errors',
  'rx.drop': 'receive drops',
  'tx.drop': 'send drops',
};

const BLOCK: Record<string, string> = {
  'rd.bytes': 'read',
  'wr.bytes': 'written',
  'rd.reqs': 'read requests',
  'wr.reqs': 'write requests',
  'rd.times': 'read time',
  'wr.times': 'write time',
  'fl.reqs': 'flushes',
  'fl.times': 'flush time',
  errors: 'errors',
  allocation: 'allocation',
  capacity: 'capacity',
  physical: 'physical size',
};

const CGROUP_IO: Record<string, string> = {
  'rd.bytes': 'read',
  'wr.bytes': 'written',
  'rd.reqs': 'read requests',
  'wr.reqs': 'write requests',
  'dc.bytes': 'discarded',
  'dc.reqs': 'discard requests',
};

const VCPU: Record<string, string> = { state: 'state', time: 'time', wait: 'wait', delay: 'delay' };

/** host.cpu.user -> "host CPU user", host.mem.available -> "host memory available". */
function hostName(rest: string): string | null {
  const [group, what] = rest.split('.') as [string, string | undefined];
  if (what === undefined) return null;
  const g = { cpu: 'CPU', mem: 'memory', swap: 'swap' }[group];
  return g === undefined ? null : `host ${g} ${what}`;
}

/**
 * A series' name. `device` is the history's device name for it (null for the domain's own keys;
 * several joined by '|' when a key matched more than one).
 */
export function seriesName(key: string, device: string | null): string {
  const own = DOMAIN[key];
  if (own !== undefined) return own;
  if (key.startsWith('host.')) return hostName(key.slice(5)) ?? key;
  // The index position may hold the device's name instead (net.vnet0.rx.bytes; Xen's vif3.0).
  let m = /^net\.(.+)\.((?:rx|tx)\.(?:bytes|pkts|errs|drop))$/.exec(key);
  if (m !== null) return `${device ?? `interface ${m[1]}`} ${NET[m[2]!]}`;
  m = /^block\.(.+)\.((?:rd|wr|fl)\.(?:bytes|reqs|times)|errors|allocation|capacity|physical)$/.exec(key);
  if (m !== null) return `${device ?? `disk ${m[1]}`} ${BLOCK[m[2]!]}`;
  m = /^extra\.block\.(.+)\.discard\.reqs$/.exec(key);
  if (m !== null) return `${device ?? `disk ${m[1]}`} discards`;
  m = /^vcpu\.([0-9]+)\.(state|time|wait|delay)$/.exec(key);
  if (m !== null) return `vCPU ${m[1]} ${VCPU[m[2]!]}`;
  // The cgroup's I/O per host device ("sda read (cgroup)") and memory per NUMA node ("node0 anonymous").
  m = /^cgroup\.io\.(.+)\.(rd|wr|dc)\.(bytes|reqs)$/.exec(key);
  if (m !== null) return `${device ?? `host device ${m[1]}`} ${CGROUP_IO[`${m[2]}.${m[3]}`]} (cgroup)`;
  m = /^cgroup\.numa\.(.+)\.(anon|file)$/.exec(key);
  if (m !== null) return `${device ?? `node entry ${m[1]}`} ${m[2] === 'anon' ? 'anonymous' : 'page cache'}`;
  return device === null ? key : `${key} (${device})`;
}
