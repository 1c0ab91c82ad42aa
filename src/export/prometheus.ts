// Prometheus exposition of the latest tick: the text format 0.0.4, or OpenMetrics 1.0 when the
// scraper asks for it. Names follow Prometheus's conventions (base units, _total for counters)
// and the widely used libvirt exporters where they overlap (libvirt_domain_interface_stats_*,
// libvirt_domain_block_stats_*, libvirt_domain_vcpu_*); static metadata sits in *_info series
// with value 1, and domstat's own keys and self-metrics carry the domstat_ prefix.

import { acceptQ } from './accept.js';
import type { DomainStatsRecord } from '../stats/records.js';
import type { DomainProblem } from '../stats/records.js';
import type { TypedParam } from '../stats/typed-params.js';
import { STATE_WORDS, isActive, type DomainStateValue } from '../stats/states.js';
import { storeFamilies, type StoreView } from './store-metrics.js';

type MetricType = 'counter' | 'gauge' | 'info';

interface Family {
  name: string;
  type: MetricType;
  help: string;
  samples: { labels: Record<string, string>; value: number }[];
}

export interface ExportInput {
  records: readonly DomainStatsRecord[];
  problems: readonly DomainProblem[];
  /** Unix ms of the tick, and its collect time in µs. */
  ts: number;
  collectUs: number;
  storeMs?: number;
  ticks: number;
  /** The history store's spans, sizes and configuration (the domstat_store_* families). */
  store?: StoreView;
}

/** Divisors: nanoseconds to seconds (division keeps 0.68763 from printing as 0.6876300000000001). */
const NS = 1e9;
const KIB = 1024;

/** Per-device keys: domstats suffix -> metric (name without _total), type, help, scale. */
const NET: readonly [string, string, string][] = [
  ['rx.bytes', 'receive_bytes', 'Bytes received by the guest'],
  ['rx.pkts', 'receive_packets', 'Packets received by the guest'],
  ['rx.errs', 'receive_errors', 'Receive errors'],
  ['rx.drop', 'receive_drops', 'Received packets dropped'],
  ['tx.bytes', 'transmit_bytes', 'Bytes sent by the guest'],
  ['tx.pkts', 'transmit_packets', 'Packets sent by the guest'],
  ['tx.errs', 'transmit_errors', 'Transmit errors'],
  ['tx.drop', 'transmit_drops', 'Transmitted packets dropped'],
];
const BLOCK: readonly [string, string, string, number][] = [
  ['rd.reqs', 'read_requests', 'Read requests', 1],
  ['rd.bytes', 'read_bytes', 'Bytes read', 1],
  ['rd.times', 'read_time_seconds', 'Time spent reading', NS],
  ['wr.reqs', 'write_requests', 'Write requests', 1],
  ['wr.bytes', 'write_bytes', 'Bytes written', 1],
  ['wr.times', 'write_time_seconds', 'Time spent writing', NS],
  ['fl.reqs', 'flush_requests', 'Flush requests', 1],
  ['fl.times', 'flush_time_seconds', 'Time spent flushing', NS],
  ['errors', 'errors', "Requests delayed for lack of backend resources (Xen blkback's oo_req)", 1],
];
const BLOCK_GAUGES: readonly [string, string, string][] = [
  ['capacity', 'capacity_bytes', 'Logical size of the disk'],
  ['physical', 'physical_bytes', 'Physical size of the disk'],
  ['allocation', 'allocation_bytes', 'Highest written offset'],
];
const VCPU: readonly [string, string, string][] = [
  ['time', 'time_seconds', 'CPU time of the vCPU thread'],
  ['wait', 'wait_seconds', 'Time the vCPU waited for a host CPU'],
  ['delay', 'delay_seconds', 'Time the vCPU spent in the run queue (steal as seen by the guest)'],
];
const EXTRA_IO: readonly [string, string, string][] = [
  ['rchar', 'read_chars', 'Bytes the QEMU process read through syscalls (/proc/<pid>/io rchar)'],
  ['wchar', 'write_chars', 'Bytes the QEMU process wrote through syscalls (wchar)'],
  ['syscr', 'read_syscalls', 'Read syscalls of the QEMU process (syscr)'],
  ['syscw', 'write_syscalls', 'Write syscalls of the QEMU process (syscw)'],
  ['read_bytes', 'read_bytes', 'Bytes the QEMU process caused to be read from storage (read_bytes)'],
  ['write_bytes', 'write_bytes', 'Bytes the QEMU process caused to be written to storage (write_bytes)'],
  ['cancelled_write_bytes', 'cancelled_write_bytes', 'Bytes whose writeback was cancelled (cancelled_write_bytes)'],
];

function num(p: TypedParam | undefined): number | undefined {
  if (p === undefined) return undefined;
  return typeof p.value === 'bigint' ? Number(p.value) : typeof p.value === 'number' ? p.value : undefined;
}

class Families {
  private readonly byName = new Map<string, Family>();
  add(name: string, type: MetricType, help: string, labels: Record<string, string>, value: number | undefined): void {
    if (value === undefined || !Number.isFinite(value)) return;
    let f = this.byName.get(name);
    if (f === undefined) {
      f = { name, type, help, samples: [] };
      this.byName.set(name, f);
    }
    f.samples.push({ labels, value });
  }
  all(): Family[] {
    return [...this.byName.values()];
  }
  merge(other: Families): void {
    for (const f of other.all()) for (const s of f.samples) this.add(f.name, f.type, f.help, s.labels, s.value);
  }
}

/**
 * One domain's series; kept separate so a failure here costs this domain only. Returns how many
 * of its devices were left out: a target named twice (libvirt loads such status and config XML
 * without validating it) would give two series one label set, and Prometheus keeps one of them
 * silently, so the second device's series are left out and counted in domstat_domain_errors.
 */
function domainFamilies(fam: Families, r: DomainStatsRecord): number {
  let leftOut = 0;
  const repeated = (seen: Set<string>, dev: string): boolean => {
    if (!seen.has(dev)) {
      seen.add(dev);
      return false;
    }
    leftOut++;
    return true;
  };
  const ifaces = new Set<string>();
  const disks = new Set<string>();
  const d = r.domain;
  const base = { domain: d.name, uuid: d.uuid ?? '' };
  const p = new Map(r.params.map((x) => [x.field, x]));
  const get = (k: string) => num(p.get(k));
  fam.add(
    'libvirt_domain',
    'info',
    'Domain metadata (value 1)',
    { ...base, hypervisor: d.hvType, driver: d.driver, persistent: d.persistent ? 'yes' : 'no' },
    1,
  );
  const state = get('state.state');
  const stateLabels = { ...base, state_desc: state === undefined ? '' : (STATE_WORDS[state as DomainStateValue] ?? '') };
  fam.add('libvirt_domain_state_code', 'gauge', 'virDomainState: 1 running, 3 paused, 5 shut off, ...', stateLabels, state);
  fam.add('libvirt_domain_state_reason_code', 'gauge', 'Reason code for the state (libvirt enums)', base, get('state.reason'));
  fam.add('libvirt_domain_info_cpu_time_seconds', 'counter', 'CPU time used by the domain', base, mul(get('cpu.time'), NS));
  fam.add('libvirt_domain_info_cpu_user_seconds', 'counter', 'User CPU time used by the domain', base, mul(get('cpu.user'), NS));
  fam.add('libvirt_domain_info_cpu_system_seconds', 'counter', 'System CPU time used by the domain', base, mul(get('cpu.system'), NS));
  fam.add('libvirt_domain_info_maximum_memory_bytes', 'gauge', 'Maximum memory (balloon maximum)', base, mul(get('balloon.maximum'), KIB));
  fam.add('libvirt_domain_memory_stats_current_balloon_bytes', 'gauge', 'Current balloon size', base, mul(get('balloon.current'), KIB));
  fam.add('libvirt_domain_memory_stats_rss_bytes', 'gauge', 'Resident set size of the hypervisor process', base, mul(get('balloon.rss'), KIB));
  fam.add('libvirt_domain_info_virtual_cpus', 'gauge', 'Online virtual CPUs', base, get('vcpu.current'));
  fam.add('libvirt_domain_vcpu_maximum', 'gauge', 'Maximum virtual CPUs', base, get('vcpu.maximum'));
  // The same values under the names other libvirt exporters' dashboards query (README, "Names
  // from other libvirt exporters"): one sample per domain each, so they are kept; per-device
  // aliases are not (they would grow every scrape by a third of its disk series).
  fam.add(
    'libvirt_domain_info_memory_usage_bytes',
    'gauge',
    'Current memory of the domain (virDomainInfo.memory; the same value as libvirt_domain_memory_stats_current_balloon_bytes)',
    base,
    mul(get('balloon.current'), KIB),
  );
  fam.add(
    'libvirt_domain_memory_stats_maximum_bytes',
    'gauge',
    'Maximum memory (balloon maximum; the same value as libvirt_domain_info_maximum_memory_bytes)',
    base,
    mul(get('balloon.maximum'), KIB),
  );
  fam.add('libvirt_domain_vcpu_current', 'gauge', 'Online virtual CPUs (the same value as libvirt_domain_info_virtual_cpus)', base, get('vcpu.current'));
  fam.add('libvirt_domain_info_state', 'gauge', 'virDomainState (the same series as libvirt_domain_state_code)', stateLabels, state);
  for (const [k, v] of p) {
    const m = /^vcpu\.([0-9]+)\.(state|time|wait|delay)$/.exec(k);
    if (m === null) continue;
    const labels = { ...base, vcpu: m[1]! };
    if (m[2] === 'state') fam.add('libvirt_domain_vcpu_state', 'gauge', 'virVcpuState: 0 offline, 1 running, 2 blocked', labels, num(v));
    else {
      const [, name, help] = VCPU.find((x) => x[0] === m[2])!;
      fam.add(`libvirt_domain_vcpu_${name}`, 'counter', help, labels, mul(num(v), NS));
    }
  }
  const count = (k: string) => get(k) ?? 0;
  for (let i = 0; i < count('net.count'); i++) {
    const dev = p.get(`net.${i}.name`)?.value;
    if (typeof dev !== 'string' || repeated(ifaces, dev)) continue;
    const labels = { ...base, target_device: dev };
    const iface = d.interfaces[i];
    fam.add(
      'libvirt_domain_interface_stats',
      'info',
      'Interface metadata (value 1)',
      { ...labels, interface_type: iface?.type ?? '', mac_address: iface?.mac ?? '', model_type: iface?.model ?? '', source_bridge: iface?.source ?? '' },
      1,
    );
    for (const [suffix, name, help] of NET)
      fam.add(`libvirt_domain_interface_stats_${name}`, 'counter', `${help} (guest view)`, labels, get(`net.${i}.${suffix}`));
  }
  for (let i = 0; i < count('block.count'); i++) {
    const dev = p.get(`block.${i}.name`)?.value;
    if (typeof dev !== 'string' || repeated(disks, dev)) continue;
    const labels = { ...base, target_device: dev };
    const disk = d.disks.find((x) => x.target === dev);
    fam.add(
      'libvirt_domain_block_stats',
      'info',
      'Disk metadata (value 1)',
      {
        ...labels,
        source_file: String(p.get(`block.${i}.path`)?.value ?? ''),
        disk_type: disk?.type ?? '',
        target_bus: disk?.bus ?? '',
        driver_type: disk?.driverType ?? '',
      },
      1,
    );
    for (const [suffix, name, help, scale] of BLOCK)
      fam.add(`libvirt_domain_block_stats_${name}`, 'counter', help, labels, mul(get(`block.${i}.${suffix}`), scale));
    for (const [suffix, name, help] of BLOCK_GAUGES) fam.add(`libvirt_domain_block_stats_${name}`, 'gauge', help, labels, get(`block.${i}.${suffix}`));
    fam.add(
      'domstat_domain_block_discard_requests',
      'counter',
      "Discard requests (Xen blkback's ds_req; domstat's own)",
      labels,
      get(`extra.block.${i}.discard.reqs`),
    );
  }
  for (const [suffix, name, help] of EXTRA_IO) fam.add(`domstat_domain_io_${name}`, 'counter', `${help}; domstat's own`, base, get(`extra.io.${suffix}`));
  // The VM's cgroup (KVM): pressure stall time in cAdvisor's words (some = waiting, full = stalled),
  // memory as the host has given it, OOM kills, CPU bandwidth throttling.
  for (const r of ['cpu', 'memory', 'io']) {
    fam.add(
      `domstat_domain_pressure_${r}_waiting_seconds`,
      'counter',
      `Time some of the VM's tasks were stalled on ${r} (cgroup ${r}.pressure some total); domstat's own`,
      base,
      mul(get(`pressure.${r}.some.time`), NS),
    );
    fam.add(
      `domstat_domain_pressure_${r}_stalled_seconds`,
      'counter',
      `Time all of the VM's tasks were stalled on ${r} at once (cgroup ${r}.pressure full total); domstat's own`,
      base,
      mul(get(`pressure.${r}.full.time`), NS),
    );
  }
  fam.add(
    'domstat_domain_memory_usage_bytes',
    'gauge',
    "Memory the VM's cgroup holds (v2 memory.current, v1 memory.usage_in_bytes); domstat's own",
    base,
    get('cgroup.memory.current'),
  );
  fam.add(
    'domstat_domain_memory_swap_bytes',
    'gauge',
    "Swap the VM's cgroup uses (v2 memory.swap.current, v1 memory.stat total_swap); domstat's own",
    base,
    get('cgroup.memory.swap'),
  );
  fam.add(
    'domstat_domain_oom_kills',
    'counter',
    "Processes of the VM's cgroup killed by the OOM killer (memory.events oom_kill); domstat's own",
    base,
    get('cgroup.memory.events.oom_kill'),
  );
  fam.add(
    'domstat_domain_cpu_cfs_throttled_seconds',
    'counter',
    "Time the VM's cgroup was throttled by its CPU quota (cpu.stat throttled_usec); domstat's own",
    base,
    mul(get('cgroup.cpu.throttled.time'), NS),
  );
  // Per host block device: I/O issued from the VM's cgroup (what it counts: README, "What the VM's cgroup knows").
  for (let i = 0; i < count('cgroup.io.count'); i++) {
    const dev = p.get(`cgroup.io.${i}.dev`)?.value;
    if (typeof dev !== 'string') continue;
    const name = p.get(`cgroup.io.${i}.name`)?.value;
    const labels = { ...base, device: typeof name === 'string' ? name : dev, major_minor: dev };
    for (const [suffix, name, help] of CGROUP_IO)
      fam.add(
        `domstat_domain_cgroup_io_${name}`,
        'counter',
        `${help} from the VM's cgroup to the host device (io.stat or blkio); domstat's own`,
        labels,
        get(`cgroup.io.${i}.${suffix}`),
      );
  }
  for (let i = 0; i < count('cgroup.numa.count'); i++) {
    const node = get(`cgroup.numa.${i}.node`);
    if (node === undefined) continue;
    for (const type of ['anon', 'file'])
      fam.add(
        'domstat_domain_memory_numa_bytes',
        'gauge',
        "Memory of the VM's cgroup on the NUMA node, anonymous (guest RAM) or page cache (memory.numa_stat); domstat's own",
        { ...base, node: String(node), type },
        get(`cgroup.numa.${i}.${type}`),
      );
  }
  return leftOut;
}

const CGROUP_IO: readonly (readonly [suffix: string, name: string, help: string])[] = [
  ['rd.bytes', 'read_bytes', 'Bytes read'],
  ['wr.bytes', 'written_bytes', 'Bytes written'],
  ['rd.reqs', 'read_requests', 'Read requests'],
  ['wr.reqs', 'write_requests', 'Write requests'],
  ['dc.bytes', 'discarded_bytes', 'Bytes discarded'],
  ['dc.reqs', 'discard_requests', 'Discard requests'],
];

const mul = (v: number | undefined, s: number) => (v === undefined ? undefined : s === NS ? v / NS : v * s);

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function renderMetrics(input: ExportInput, openMetrics: boolean, renderStart = performance.now()): string {
  const fam = new Families();
  const errors = new Map<string, number>();
  // By identity: a shut-off definition may share a running domain's name (an old copy in --xml-dir).
  for (const p of input.problems) errors.set(p.key, (errors.get(p.key) ?? 0) + 1);
  for (const r of input.records) {
    try {
      // Into a scratch set first: a domain that fails halfway leaves none of its series behind.
      const own = new Families();
      const leftOut = domainFamilies(own, r);
      fam.merge(own);
      if (leftOut > 0) errors.set(r.domain.key, (errors.get(r.domain.key) ?? 0) + leftOut);
    } catch {
      // one bad domain never fails the scrape: it shows up in domstat_domain_errors instead
      errors.set(r.domain.key, (errors.get(r.domain.key) ?? 0) + 1);
    }
  }
  fam.add('domstat_domains', 'gauge', 'Domains sampled in the latest tick', {}, input.records.length);
  // kumina's libvirt_exporter (Debian's prometheus-libvirt-exporter) counts active domains
  // (virConnectListDomains); inovex's counts every domain listed.
  fam.add(
    'libvirt_domains_number',
    'gauge',
    'Active domains (running, paused, ...: not shut off) in the latest tick',
    {},
    input.records.filter((r) => isActive(r.domain.state)).length,
  );
  fam.add('libvirt_domains', 'gauge', 'Domains sampled in the latest tick, active or not (the same value as domstat_domains)', {}, input.records.length);
  for (const r of input.records)
    fam.add(
      'domstat_domain_errors',
      'gauge',
      'Values that could not be read for the domain in the latest tick',
      { domain: r.domain.name, uuid: r.domain.uuid ?? '' },
      errors.get(r.domain.key) ?? 0,
    );
  fam.add('domstat_ticks', 'counter', 'Ticks sampled since the agent started', {}, input.ticks);
  fam.add('domstat_last_tick_timestamp_seconds', 'gauge', 'When the latest tick was sampled', {}, input.ts / 1000);
  fam.add('domstat_tick_collect_seconds', 'gauge', 'Time the latest tick spent reading and parsing host files', {}, input.collectUs / 1e6);
  if (input.storeMs !== undefined) fam.add('domstat_tick_store_seconds', 'gauge', 'Time the latest tick spent writing the history', {}, input.storeMs / 1000);
  if (input.store !== undefined) storeFamilies((...a) => fam.add(...a), input.store);
  const families = fam.all();
  const lines: string[] = [];
  const emit = (f: Family) => {
    // Text format names the family by its sample name (x_total); OpenMetrics by the bare name.
    const sampleName = f.type === 'counter' ? `${f.name}_total` : f.type === 'info' ? `${f.name}_info` : f.name;
    const metaName = openMetrics ? f.name : sampleName;
    const type = f.type === 'info' ? (openMetrics ? 'info' : 'gauge') : f.type;
    lines.push(`# HELP ${metaName} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    lines.push(`# TYPE ${metaName} ${type}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      lines.push(`${sampleName}${labels ? `{${labels}}` : ''} ${s.value}`);
    }
  };
  families.forEach(emit);
  const scrape: Family = {
    name: 'domstat_scrape_duration_seconds',
    type: 'gauge',
    help: "Time taken to render the latest tick's exposition (rendered once per tick, then served as it is)",
    samples: [{ labels: {}, value: (performance.now() - renderStart) / 1000 }],
  };
  emit(scrape);
  if (openMetrics) lines.push('# EOF');
  return lines.join('\n') + '\n';
}

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/**
 * Whether an Accept header prefers OpenMetrics to the text format: its q-value (media types in any
 * case) above 0 and at least that of text/plain or a wildcard; ties go to OpenMetrics, which a
 * scraper that names it asks for first.
 */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  const om = acceptQ(accept, ['application/openmetrics-text']);
  return om > 0 && om >= acceptQ(accept, ['text/plain', 'text/*', '*/*']);
}
