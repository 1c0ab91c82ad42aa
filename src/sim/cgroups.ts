// A simulated KVM domain's cgroups, in the layout the host has:
//   v2      systemd's machine.slice scope, libvirt's nested libvirt/{emulator,vcpuN} groups;
//   v1      systemd's scope in each controller's own hierarchy, cpu and cpuacct mounted together
//           (cpu and cpuacct are symlinks to cpu,cpuacct), emulator and vcpuN groups in cpu,cpuacct
//           and cpuset (fixtures/kvm-cgroup1-systemd);
//   hybrid  v1 controllers plus the unified tree (/sys/fs/cgroup/unified) for placement, CPU time
//           and PSI, from libvirt without systemd's machined (machine/qemu-N-name.libvirt-qemu, cpu
//           and cpuacct mounted apart and cpuacct left at the root), as on the lab host and in
//           fixtures/kvm-hybrid.
// Every layout prints one reading of the model (CgroupReading) in its own files and units, so a
// domain's numbers agree between layouts for the same seed and advances.

import type { SimDomain } from './model.js';
import * as F from './format.js';
import type { CounterFile, TreeWriter } from './files.js';

export type SimCgroup = 'v2' | 'v1' | 'hybrid';
export const SIM_CGROUPS: readonly SimCgroup[] = ['v2', 'v1', 'hybrid'];

const PAGE = 4096;
const pages = (x: number) => Math.floor(x / PAGE) * PAGE;
const MiB = 1024 * 1024;

export interface CpuNs {
  user: number;
  sys: number;
}

/** What a domain's cgroup files say at one instant. */
export interface CgroupReading {
  /** The domain's CPU time (vCPU threads and the emulator), its emulator's and each vCPU's. */
  total: CpuNs;
  emulator: CpuNs;
  vcpus: CpuNs[];
  /** CFS bandwidth: periods, throttled periods, throttled µs. */
  throttle: [number, number, number];
  /** cpu, memory, io: some and full stall totals, µs. */
  psi: [number, number][];
  mem: F.CgroupMemory;
  /** v2 memory.current, v1 memory.usage_in_bytes. */
  usage: number;
  /** The highest usage seen (v1 memory.max_usage_in_bytes). */
  peak: number;
  /** Times usage went over memory.high and hit its limit (v2 memory.events high and max, v1 failcnt). */
  high: number;
  max: number;
  io: F.DeviceIo[];
  /** The part of the domain's memory on each NUMA node: anon (guest RAM) and page cache. */
  anonShare: number[];
  fileShare: number[];
}

/** A host block device the domain's cgroup does I/O to: a disk's own (dm-N) or the one under them all. */
export interface IoTarget {
  major: number;
  minor: number;
  /** The domain's disks whose I/O reaches it. */
  disks: readonly number[];
}

/** Part of a guest's RAM the host has swapped out, by profile (idle guests the most). */
const SWAP_SHARE: Record<string, number> = { web: 0.003, db: 0.001, batch: 0.002, idle: 0.02, bursty: 0.008 };

/** One domain's cgroup readings, from the model's counters (no random draws: the layouts cannot change the run). */
export class CgroupModel {
  private peak = 0;
  /** The reading of the last read(). */
  last: CgroupReading;
  /** Where this domain's NUMA memory leans (share of anon on node 0, before its drift). */
  private readonly numaBase: number;

  constructor(
    private readonly sim: SimDomain,
    private readonly id: number,
    private readonly targets: readonly IoTarget[],
    t: number,
  ) {
    this.numaBase = 0.3 + 0.55 * ((id * 0.6180339887) % 1);
    this.last = this.read(t);
  }

  read(t: number): CgroupReading {
    const c = this.sim.c;
    const id = this.id;
    const cpu = (v: { userNs: number; sysNs: number }): CpuNs => ({ user: v.userNs, sys: v.sysNs });
    const vcpus = c.vcpus.map(cpu);
    const emulator = { user: c.emuUserNs, sys: c.emuSysNs };
    const total = vcpus.reduce((s, v) => ({ user: s.user + v.user, sys: s.sys + v.sys }), emulator);
    // CPU bandwidth throttling, as a 100 ms period with a quota would count it: periods while the
    // domain ran, throttled when its vCPUs waited (a fiftieth of the waits), 1.5 ms each.
    const waits = c.vcpus.reduce((s, v) => s + v.waits, 0);
    const throttled = Math.floor(waits / 50);
    const throttle: [number, number, number] = [Math.floor(c.vcpus.reduce((s, v) => s + v.runNs, 0) / 1e8), throttled, throttled * 1500];
    // Pressure from the model's waits: CPU = the vCPUs' run-queue wait, memory = major faults, io = disk time.
    const cpuWaitUs = c.vcpus.reduce((s, v) => s + v.waitNs, 0) / 1000;
    const diskUs = c.disks.reduce((s, d) => s + d.rdMs + d.wrMs, 0) * 1000;
    const memUs = c.majflt * 40;
    const psi: [number, number][] = [
      [cpuWaitUs, cpuWaitUs / 4],
      [memUs, memUs / 3],
      [diskUs / 5, diskUs / 20],
    ];
    // Memory: RSS as anon, a page cache of a tenth of it, kernel memory; faults from the process.
    const anon = pages(c.rssKiB * 1024);
    const file = pages(anon / 10);
    const kernel = Math.floor(anon / 64);
    const fileDirty = pages((c.writeBytes % (64 * MiB)) / 16);
    const wave = (period: number) => Math.sin((2 * Math.PI * t) / period + id);
    const mem: F.CgroupMemory = {
      anon,
      file,
      kernel,
      shmem: pages((2 + 0.25 * (id % 8)) * MiB),
      fileDirty,
      fileWriteback: pages(fileDirty / 6),
      swap: pages(anon * (SWAP_SHARE[this.sim.profile.kind] ?? 0) * (1 + 0.25 * wave(900))),
      pgfault: c.minflt + c.majflt,
      pgmajfault: c.majflt,
      refaultAnon: c.majflt / 5,
      refaultFile: c.majflt / 3,
    };
    const usage = anon + file + kernel;
    // QEMU's start touched more than it keeps.
    this.peak = this.peak === 0 ? pages(usage * 1.04) : Math.max(this.peak, usage);
    // NUMA: the memory leans to one node per domain and drifts slowly (automatic NUMA balancing).
    const a = Math.min(0.95, Math.max(0.05, this.numaBase + 0.06 * wave(1800)));
    const b = 1 - 0.6 * a;
    this.last = {
      total,
      emulator,
      vcpus,
      throttle,
      psi,
      mem,
      usage,
      peak: this.peak,
      high: c.majflt / 97,
      max: c.majflt / 997,
      io: this.targets.map((tg) => this.deviceIo(tg)),
      anonShare: [a, 1 - a],
      fileShare: [b, 1 - b],
    };
    return this.last;
  }

  /**
   * What the cgroup counts on a device: bios as issued (requests and the ones merged into them),
   * flushes as writes of no data (empty REQ_PREFLUSH bios are writes), discards apart. A device
   * under several disks (dm-linear remaps each bio to it) counts them all.
   */
  private deviceIo(tg: IoTarget): F.DeviceIo {
    const out: F.DeviceIo = { major: tg.major, minor: tg.minor, rbytes: 0, wbytes: 0, rios: 0, wios: 0, dbytes: 0, dios: 0 };
    for (const n of tg.disks) {
      const d = this.sim.c.disks[n]!;
      out.rbytes += Math.floor(d.rdSect) * 512;
      out.wbytes += Math.floor(d.wrSect) * 512;
      out.rios += Math.floor(d.rdReq + d.rdMerges);
      out.wios += Math.floor(d.wrReq + d.wrMerges + d.flReq);
      out.dbytes += Math.floor(d.dsSect) * 512;
      out.dios += Math.floor(d.dsReq + d.dsMerges);
    }
    return out;
  }
}

/** systemd's unit-name escaping, as in machine-qemu\x2d1\x2dsim\x2d0001.scope. */
export const systemdEscape = (s: string) => s.replace(/[^A-Za-z0-9:_.]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

export interface CgroupDomain {
  id: number;
  name: string;
  pid: number;
  /** The vCPU threads, by vCPU. */
  tids: readonly number[];
  /** The part of the domain's CPU time each host CPU ran (sums to 1). */
  cpuShare: readonly number[];
  hostCpus: number;
}

/** The domain's group path below each hierarchy's root (no leading slash). */
export function domainGroup(layout: SimCgroup, d: { id: number; name: string }): string {
  return layout === 'hybrid' ? `machine/qemu-${d.id}-${d.name}.libvirt-qemu` : `machine.slice/machine-${systemdEscape(`qemu-${d.id}-${d.name}`)}.scope`;
}

const V1_STATIC = { notify: 'notify_on_release', clone: 'cgroup.clone_children' } as const;

/** One domain's cgroup files in one layout, each counter with the text it prints of a reading. */
export class DomainCgroupFiles {
  /** The QEMU process's /proc/<pid>/cgroup. */
  readonly procCgroup: string;
  private readonly counters: { files: CounterFile[]; texts: (r: CgroupReading) => string[] }[] = [];

  constructor(
    private readonly w: TreeWriter,
    layout: SimCgroup,
    d: CgroupDomain,
    r: CgroupReading,
  ) {
    const g = domainGroup(layout, d);
    if (layout === 'v2') {
      this.procCgroup = `0::/${g}/libvirt/emulator\n`;
      this.v2(`sys/fs/cgroup/${g}`, d, r);
    } else if (layout === 'v1') {
      this.procCgroup =
        `11:blkio:/${g}\n10:devices:/${g}\n9:pids:/${g}\n8:memory:/${g}\n7:freezer:/${g}\n6:perf_event:/${g}\n` +
        `5:cpuset:/${g}/emulator\n4:net_cls,net_prio:/${g}\n3:cpu,cpuacct:/${g}/emulator\n2:hugetlb:/${g}\n1:name=systemd:/${g}\n`;
      this.v1Cpu(`sys/fs/cgroup/cpu,cpuacct/${g}`, d, r, true);
      this.v1Memory(`sys/fs/cgroup/memory/${g}`, d, r);
      this.v1Blkio(`sys/fs/cgroup/blkio/${g}`, d, r);
      this.v1Cpuset(`sys/fs/cgroup/cpuset/${g}`, d);
      for (const c of ['devices', 'freezer', 'pids', 'perf_event', 'hugetlb', 'net_cls,net_prio', 'systemd']) this.v1Tasks(`sys/fs/cgroup/${c}/${g}`, d);
    } else {
      this.procCgroup =
        `9:name=systemd:/\n8:pids:/\n7:blkio:/${g}\n6:freezer:/${g}\n5:devices:/\n4:memory:/${g}\n` +
        `3:cpuset:/${g}/emulator\n2:cpuacct:/\n1:cpu:/${g}/emulator\n0::/${g}/emulator\n`;
      this.unified(`sys/fs/cgroup/unified/${g}`, d, r);
      this.v1Cpu(`sys/fs/cgroup/cpu/${g}`, d, r, false);
      this.v1Memory(`sys/fs/cgroup/memory/${g}`, d, r);
      this.v1Blkio(`sys/fs/cgroup/blkio/${g}`, d, r);
      this.v1Cpuset(`sys/fs/cgroup/cpuset/${g}`, d);
      this.v1Tasks(`sys/fs/cgroup/freezer/${g}`, d);
    }
  }

  /** Rewrites every counter file from a new reading (unchanged texts are skipped by the writer). */
  update(r: CgroupReading): void {
    for (const c of this.counters) {
      const texts = c.texts(r);
      c.files.forEach((f, i) => this.w.update(f, texts[i]!));
    }
  }

  private counter(rel: string, text: (r: CgroupReading) => string, r: CgroupReading): void {
    this.counters.push({ files: [this.w.counter(rel, text(r))], texts: (x) => [text(x)] });
  }

  /** Files whose texts come from one computation (cpuacct.usage is the sum of cpuacct.usage_percpu). */
  private counters2(rels: [string, string], texts: (r: CgroupReading) => [string, string], r: CgroupReading): void {
    const first = texts(r);
    this.counters.push({ files: rels.map((rel, i) => this.w.counter(rel, first[i]!)), texts });
  }

  private emulatorThreads(d: CgroupDomain): string {
    return `${d.pid}\n${d.pid + 1}\n${d.pid + 2}\n`;
  }

  /** cgroup v2: the scope, libvirt's nested group holding the threads, emulator and vCPU groups (threaded). */
  private v2(cgd: string, d: CgroupDomain, r: CgroupReading): void {
    const w = this.w;
    w.static(`${cgd}/cgroup.controllers`, 'cpuset cpu io memory pids\n');
    w.static(`${cgd}/cgroup.subtree_control`, 'cpuset cpu io memory pids\n');
    w.static(`${cgd}/cgroup.type`, 'domain\n');
    w.static(`${cgd}/cgroup.procs`, '');
    w.static(`${cgd}/libvirt/cgroup.controllers`, 'cpuset cpu io memory pids\n');
    w.static(`${cgd}/libvirt/cgroup.subtree_control`, 'cpuset cpu\n');
    w.static(`${cgd}/libvirt/cgroup.type`, 'domain threaded\n');
    w.static(`${cgd}/libvirt/cgroup.procs`, `${d.pid}\n`);
    w.static(`${cgd}/libvirt/emulator/cgroup.threads`, this.emulatorThreads(d));
    w.static(`${cgd}/libvirt/emulator/cgroup.type`, 'threaded\n');
    // The quota the throttling counts against (libvirt's <global_quota>).
    w.static(`${cgd}/cpu.max`, '190000 100000\n');
    const cpuStat = (x: CgroupReading) => F.cgroupCpuStat(x.total.user, x.total.sys, x.throttle);
    this.counter(`${cgd}/cpu.stat`, cpuStat, r);
    this.counter(`${cgd}/libvirt/cpu.stat`, cpuStat, r);
    this.psi(cgd, r);
    this.counter(`${cgd}/memory.current`, (x) => F.single(x.usage), r);
    this.counter(`${cgd}/memory.stat`, (x) => F.memoryStat(x.mem), r);
    this.counter(`${cgd}/memory.events`, (x) => F.memoryEvents(x.high, x.max), r);
    w.static(`${cgd}/memory.max`, 'max\n');
    this.counter(`${cgd}/memory.swap.current`, (x) => F.single(x.mem.swap), r);
    this.counter(`${cgd}/memory.numa_stat`, (x) => F.memoryNumaStat(x.mem, x.anonShare, x.fileShare), r);
    this.counter(`${cgd}/io.stat`, (x) => F.ioStat(x.io), r);
    this.counter(`${cgd}/libvirt/emulator/cpu.stat`, (x) => F.cgroupCpuStat(x.emulator.user, x.emulator.sys), r);
    d.tids.forEach((tid, k) => {
      w.static(`${cgd}/libvirt/vcpu${k}/cgroup.threads`, `${tid}\n`);
      w.static(`${cgd}/libvirt/vcpu${k}/cgroup.type`, 'threaded\n');
      this.counter(`${cgd}/libvirt/vcpu${k}/cpu.stat`, (x) => F.cgroupCpuStat(x.vcpus[k]!.user, x.vcpus[k]!.sys), r);
    });
  }

  private psi(dir: string, r: CgroupReading): void {
    ['cpu', 'memory', 'io'].forEach((res, i) => this.counter(`${dir}/${res}.pressure`, (x) => F.pressure(x.psi[i]![0], x.psi[i]![1]), r));
  }

  /** The hybrid layout's unified group: no controllers, the threads' placement, CPU usage and PSI. */
  private unified(dir: string, d: CgroupDomain, r: CgroupReading): void {
    const w = this.w;
    w.static(`${dir}/cgroup.controllers`, '');
    w.static(`${dir}/cgroup.subtree_control`, '');
    w.static(`${dir}/cgroup.type`, 'domain threaded\n');
    w.static(`${dir}/cgroup.procs`, `${d.pid}\n`);
    this.counter(`${dir}/cpu.stat`, (x) => F.cgroupCpuUsage(x.total.user, x.total.sys), r);
    this.psi(dir, r);
    w.static(`${dir}/emulator/cgroup.type`, 'threaded\n');
    w.static(`${dir}/emulator/cgroup.threads`, this.emulatorThreads(d));
    this.counter(`${dir}/emulator/cpu.stat`, (x) => F.cgroupCpuUsage(x.emulator.user, x.emulator.sys), r);
    d.tids.forEach((tid, k) => {
      w.static(`${dir}/vcpu${k}/cgroup.type`, 'threaded\n');
      w.static(`${dir}/vcpu${k}/cgroup.threads`, `${tid}\n`);
      this.counter(`${dir}/vcpu${k}/cpu.stat`, (x) => F.cgroupCpuUsage(x.vcpus[k]!.user, x.vcpus[k]!.sys), r);
    });
  }

  /** A v1 group's tasks and cgroup.procs (and the flags every v1 group has). */
  private v1Group(dir: string, tasks: string, procs: string): void {
    this.w.static(`${dir}/tasks`, tasks);
    this.w.static(`${dir}/cgroup.procs`, procs);
    this.w.static(`${dir}/${V1_STATIC.notify}`, '0\n');
    this.w.static(`${dir}/${V1_STATIC.clone}`, '0\n');
  }

  private allThreads(d: CgroupDomain): string {
    return this.emulatorThreads(d) + d.tids.map((t) => `${t}\n`).join('');
  }

  /** A controller that holds the whole domain in its group (devices, freezer, pids, ...). */
  private v1Tasks(dir: string, d: CgroupDomain): void {
    this.v1Group(dir, this.allThreads(d), `${d.pid}\n`);
  }

  /**
   * The cpu controller's groups (with cpuacct's files when `cpuacct` is mounted with it): the
   * scope's bandwidth quota and throttling, the emulator's and each vCPU's groups holding the threads.
   */
  private v1Cpu(dir: string, d: CgroupDomain, r: CgroupReading, cpuacct: boolean): void {
    const w = this.w;
    const groups: [string, (x: CgroupReading) => CpuNs, string, string][] = [
      [dir, (x) => x.total, '', ''],
      [`${dir}/emulator`, (x) => x.emulator, this.emulatorThreads(d), `${d.pid}\n`],
      ...d.tids.map((tid, k): [string, (x: CgroupReading) => CpuNs, string, string] => [`${dir}/vcpu${k}`, (x) => x.vcpus[k]!, `${tid}\n`, `${d.pid}\n`]),
    ];
    for (const [g, of, tasks, procs] of groups) {
      this.v1Group(g, tasks, procs);
      w.static(`${g}/cpu.shares`, '1024\n');
      w.static(`${g}/cpu.cfs_period_us`, '100000\n');
      // The quota the throttling counts against is the scope's (libvirt's <global_quota>).
      w.static(`${g}/cpu.cfs_quota_us`, g === dir ? '190000\n' : '-1\n');
      if (g === dir) this.counter(`${g}/cpu.stat`, (x) => F.cpuStatV1(x.throttle), r);
      else w.static(`${g}/cpu.stat`, F.cpuStatV1([0, 0, 0]));
      if (!cpuacct) continue;
      this.counters2(
        [`${g}/cpuacct.usage`, `${g}/cpuacct.usage_percpu`],
        (x) => {
          const c = of(x);
          const p = F.cpuacctPercpu(c.user + c.sys, d.cpuShare);
          return [p.usage, p.percpu];
        },
        r,
      );
      this.counter(
        `${g}/cpuacct.stat`,
        (x) => {
          const c = of(x);
          return F.cpuacctStat(c.user, c.sys);
        },
        r,
      );
    }
  }

  /** The memory controller's group: usage, its peak and limit hits, memory.stat, NUMA, OOM. */
  private v1Memory(dir: string, d: CgroupDomain, r: CgroupReading): void {
    const w = this.w;
    this.v1Tasks(dir, d);
    w.static(`${dir}/memory.limit_in_bytes`, F.V1_MEMORY_LIMIT);
    w.static(`${dir}/memory.use_hierarchy`, '1\n');
    this.counter(`${dir}/memory.usage_in_bytes`, (x) => F.single(x.usage), r);
    this.counter(`${dir}/memory.max_usage_in_bytes`, (x) => F.single(x.peak), r);
    this.counter(`${dir}/memory.failcnt`, (x) => F.single(x.max), r);
    this.counter(`${dir}/memory.stat`, (x) => F.memoryStatV1(x.mem), r);
    this.counter(`${dir}/memory.numa_stat`, (x) => F.memoryNumaStatV1(x.mem, x.anonShare, x.fileShare), r);
    w.static(`${dir}/memory.oom_control`, F.oomControl(0));
  }

  private v1Blkio(dir: string, d: CgroupDomain, r: CgroupReading): void {
    this.v1Tasks(dir, d);
    this.counter(`${dir}/blkio.throttle.io_service_bytes`, (x) => F.blkio(x.io, true), r);
    this.counter(`${dir}/blkio.throttle.io_serviced`, (x) => F.blkio(x.io, false), r);
  }

  /** cpuset: libvirt's emulator and vCPU groups, as in cpu's. */
  private v1Cpuset(dir: string, d: CgroupDomain): void {
    const cpus = `0-${d.hostCpus - 1}\n`;
    const groups: [string, string, string][] = [
      [dir, '', ''],
      [`${dir}/emulator`, this.emulatorThreads(d), `${d.pid}\n`],
      ...d.tids.map((tid, k): [string, string, string] => [`${dir}/vcpu${k}`, `${tid}\n`, `${d.pid}\n`]),
    ];
    for (const [g, tasks, procs] of groups) {
      this.v1Group(g, tasks, procs);
      this.w.static(`${g}/cpuset.cpus`, cpus);
      this.w.static(`${g}/cpuset.mems`, '0-1\n');
    }
  }
}

/** CPU time of the host's root group and of machine.slice (or machine), ns. */
export interface HostCgroupCpu {
  root: CpuNs;
  slice: CpuNs;
}

/** The host's own cgroup files: the hierarchies' roots, /proc/cgroups, and the root's and the VMs' slice's CPU time. */
export class HostCgroupFiles {
  private readonly counters: { files: CounterFile[]; texts: (c: HostCgroupCpu) => string[] }[] = [];

  constructor(
    private readonly w: TreeWriter,
    layout: SimCgroup,
    domains: number,
    share: readonly number[],
    c: HostCgroupCpu,
  ) {
    const counter = (rels: string[], texts: (c: HostCgroupCpu) => string[]) => {
      const first = texts(c);
      this.counters.push({ files: rels.map((rel, i) => w.counter(rel, first[i]!)), texts });
    };
    /** cpuacct's usage, per-CPU usage and stat of a group. */
    const cpuacct = (dir: string, of: (c: HostCgroupCpu) => CpuNs) =>
      counter([`${dir}/cpuacct.usage`, `${dir}/cpuacct.usage_percpu`, `${dir}/cpuacct.stat`], (x) => {
        const t = of(x);
        const p = F.cpuacctPercpu(t.user + t.sys, share);
        return [p.usage, p.percpu, F.cpuacctStat(t.user, t.sys)];
      });
    const cgroups = (rows: [string, number, number][]) =>
      w.static('proc/cgroups', '#subsys_name\thierarchy\tnum_cgroups\tenabled\n' + rows.map(([c, h, n]) => `${c}\t${h}\t${n}\t1\n`).join(''));
    const n = domains;
    if (layout === 'v2') {
      w.static('sys/fs/cgroup/cgroup.controllers', 'cpuset cpu io memory hugetlb pids rdma misc\n');
      w.static('sys/fs/cgroup/cgroup.subtree_control', 'cpuset cpu io memory pids\n');
      w.static('sys/fs/cgroup/machine.slice/cgroup.controllers', 'cpuset cpu io memory pids\n');
      w.static('sys/fs/cgroup/machine.slice/cgroup.subtree_control', 'cpuset cpu io memory pids\n');
      counter(['sys/fs/cgroup/cpu.stat'], (x) => [F.cgroupCpuStat(x.root.user, x.root.sys)]);
      counter(['sys/fs/cgroup/machine.slice/cpu.stat'], (x) => [F.cgroupCpuStat(x.slice.user, x.slice.sys)]);
      cgroups(
        ['cpuset', 'cpu', 'cpuacct', 'blkio', 'memory', 'devices', 'freezer', 'net_cls', 'perf_event', 'net_prio', 'hugetlb', 'pids', 'rdma', 'misc'].map(
          (c) => [c, 0, n * 5 + 40],
        ),
      );
    } else if (layout === 'v1') {
      const dirs = ['blkio', 'cpu,cpuacct', 'cpuset', 'devices', 'freezer', 'hugetlb', 'memory', 'net_cls,net_prio', 'perf_event', 'pids', 'systemd'];
      for (const d of dirs) w.static(`sys/fs/cgroup/${d}/cgroup.procs`, '1\n');
      w.symlink('sys/fs/cgroup/cpu', 'cpu,cpuacct');
      w.symlink('sys/fs/cgroup/cpuacct', 'cpu,cpuacct');
      w.symlink('sys/fs/cgroup/net_cls', 'net_cls,net_prio');
      w.symlink('sys/fs/cgroup/net_prio', 'net_cls,net_prio');
      w.static('sys/fs/cgroup/cpu,cpuacct/cgroup.sane_behavior', '0\n');
      cpuacct('sys/fs/cgroup/cpu,cpuacct', (x) => x.root);
      cpuacct('sys/fs/cgroup/cpu,cpuacct/machine.slice', (x) => x.slice);
      // Groups: the root, machine.slice, each scope (cpu and cpuset also its emulator and 2 vCPUs).
      cgroups([
        ['cpuset', 5, 4 * n + 2],
        ['cpu', 3, 4 * n + 40],
        ['cpuacct', 3, 4 * n + 40],
        ['blkio', 11, n + 40],
        ['memory', 8, n + 60],
        ['devices', 10, n + 40],
        ['freezer', 7, n + 2],
        ['net_cls', 4, n + 2],
        ['perf_event', 6, n + 2],
        ['net_prio', 4, n + 2],
        ['hugetlb', 2, n + 2],
        ['pids', 9, n + 45],
      ]);
    } else {
      for (const d of ['blkio', 'cpu', 'cpuacct', 'cpuset', 'devices', 'freezer', 'memory', 'pids', 'systemd'])
        w.static(`sys/fs/cgroup/${d}/cgroup.procs`, '1\n');
      w.static('sys/fs/cgroup/cpuacct/cgroup.sane_behavior', '0\n');
      cpuacct('sys/fs/cgroup/cpuacct', (x) => x.root);
      w.static('sys/fs/cgroup/unified/cgroup.controllers', '');
      w.static('sys/fs/cgroup/unified/cgroup.subtree_control', '');
      w.mkdir('sys/fs/cgroup/unified/machine');
      // libvirt without systemd: machine/ and each domain's group (cpu and cpuset also emulator and vCPUs); cpuacct, devices and pids stay at the root.
      cgroups([
        ['cpuset', 3, 4 * n + 2],
        ['cpu', 1, 4 * n + 2],
        ['cpuacct', 2, 1],
        ['blkio', 7, n + 2],
        ['memory', 4, n + 2],
        ['devices', 5, 1],
        ['freezer', 6, n + 2],
        ['net_cls', 0, 4 * n + 2],
        ['perf_event', 0, 4 * n + 2],
        ['net_prio', 0, 4 * n + 2],
        ['hugetlb', 0, 4 * n + 2],
        ['pids', 8, 1],
      ]);
    }
  }

  update(c: HostCgroupCpu): void {
    for (const k of this.counters) {
      const texts = k.texts(c);
      k.files.forEach((f, i) => this.w.update(f, texts[i]!));
    }
  }
}
