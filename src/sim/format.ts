// Kernel file formats, as the kernel prints them (widths from net/core/net-procfs.c,
// block/genhd.c, fs/proc/array.c, kernel/sched/debug.c). Counters are doubles (fractions
// included); they are printed as floor(x), so a growing double prints a non-decreasing integer.

const f = (x: number) => String(Math.floor(x));
const pad = (x: number, w: number) => f(x).padStart(w);

export const NET_DEV_HEADER =
  'Inter-|   Receive                                                |  Transmit\n' +
  ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n';

/** One /proc/net/dev line, host view: "%6s: %7llu %7llu %4llu %4llu %4llu %5llu %10llu %9llu %8llu %7llu %4llu %4llu %4llu %5llu %7llu %10llu". */
export function netDevLine(
  name: string,
  rxBytes: number,
  rxPkts: number,
  rxErrs: number,
  rxDrop: number,
  rxMulticast: number,
  txBytes: number,
  txPkts: number,
  txErrs: number,
  txDrop: number,
): string {
  return (
    `${name.padStart(6)}: ${pad(rxBytes, 7)} ${pad(rxPkts, 7)} ${pad(rxErrs, 4)} ${pad(rxDrop, 4)}    0     0          0 ${pad(rxMulticast, 9)} ` +
    `${pad(txBytes, 8)} ${pad(txPkts, 7)} ${pad(txErrs, 4)} ${pad(txDrop, 4)}    0     0       0          0\n`
  );
}

/** /sys/block/<dev>/stat, 17 fields (kernel 5.5+). */
export function blockStat(v: readonly number[]): string {
  return v.map((x) => pad(x, 8)).join(' ') + '\n';
}

/** A single decimal counter file (sysfs attribute, blkback statistics). */
export const single = (x: number) => f(x) + '\n';

export interface PidStat {
  pid: number;
  comm: string;
  ppid: number;
  pgrp: number;
  minflt: number;
  majflt: number;
  utimeTicks: number;
  stimeTicks: number;
  threads: number;
  starttime: number;
  vsize: number;
  rssPages: number;
  processor: number;
  guestTicks: number;
  flags: number;
}

/** /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat: 52 fields (fs/proc/array.c). */
export function pidStat(s: PidStat): string {
  return (
    `${s.pid} (${s.comm}) S ${s.ppid} ${s.pgrp} ${s.pgrp} 0 -1 ${s.flags} ${f(s.minflt)} 0 ${f(s.majflt)} 0 ${f(s.utimeTicks)} ${f(s.stimeTicks)} 0 0 20 0 ${s.threads} 0 ${s.starttime} ${s.vsize} ${f(s.rssPages)} ` +
    `18446744073709551615 94921458581504 94921464441941 140723666423808 0 0 0 268444224 4096 16451 0 0 0 -1 ${s.processor} 0 0 0 ${f(s.guestTicks)} 0 ` +
    `94921467554040 94921472758192 94921719611392 140723666429072 140723666431537 140723666431537 140723666431964 0\n`
  );
}

/** ns as the sched file's "ms.nnnnnn". */
export function msFrac(ns: number): string {
  const whole = Math.floor(ns);
  const ms = Math.floor(whole / 1e6);
  return `${ms}.${String(whole - ms * 1e6).padStart(6, '0')}`;
}

const sl = (key: string, value: string) => `${key.padEnd(45)}:${value.padStart(21)}\n`;

export interface SchedFile {
  comm: string;
  tid: number;
  threads: number;
  execStartNs: number;
  runNs: number;
  waitNs: number;
  waitMaxNs: number;
  waits: number;
  sleepNs: number;
  migrations: number;
  voluntary: number;
  involuntary: number;
}

/** /proc/<pid>/task/<tid>/sched (CONFIG_SCHED_DEBUG + schedstats), a 6.x kernel's layout. */
export function schedFile(s: SchedFile): string {
  const switches = Math.floor(s.voluntary) + Math.floor(s.involuntary);
  return (
    `${s.comm} (${s.tid}, #threads: ${s.threads})\n` +
    '-------------------------------------------------------------------\n' +
    sl('se.exec_start', msFrac(s.execStartNs)) +
    sl('se.vruntime', msFrac(s.runNs * 0.5)) +
    sl('se.sum_exec_runtime', msFrac(s.runNs)) +
    sl('se.nr_migrations', f(s.migrations)) +
    sl('sum_sleep_runtime', msFrac(s.sleepNs)) +
    sl('sum_block_runtime', msFrac(s.sleepNs * 0.001)) +
    sl('wait_start', '0.000000') +
    sl('sleep_start', msFrac(s.execStartNs)) +
    sl('block_start', '0.000000') +
    sl('sleep_max', msFrac(Math.min(s.sleepNs, 25e6))) +
    sl('block_max', msFrac(4e6)) +
    sl('exec_max', msFrac(Math.min(s.runNs, 4e6))) +
    sl('slice_max', msFrac(Math.min(s.runNs, 3e6))) +
    sl('wait_max', msFrac(s.waitMaxNs)) +
    sl('wait_sum', msFrac(s.waitNs)) +
    sl('wait_count', f(s.waits)) +
    sl('iowait_sum', '0.000000') +
    sl('iowait_count', '0') +
    sl('nr_migrations_cold', '0') +
    sl('nr_failed_migrations_affine', '0') +
    sl('nr_failed_migrations_running', f(s.migrations * 0.1)) +
    sl('nr_failed_migrations_hot', f(s.migrations * 0.02)) +
    sl('nr_forced_migrations', '0') +
    sl('nr_wakeups', f(s.voluntary)) +
    sl('nr_wakeups_sync', f(s.voluntary * 0.001)) +
    sl('nr_wakeups_migrate', f(s.migrations)) +
    sl('nr_wakeups_local', f(s.voluntary * 0.6)) +
    sl('nr_wakeups_remote', f(s.voluntary * 0.4)) +
    sl('nr_wakeups_affine', '0') +
    sl('nr_wakeups_affine_attempts', f(s.voluntary * 0.01)) +
    sl('nr_wakeups_passive', '0') +
    sl('nr_wakeups_idle', '0') +
    sl('avg_atom', msFrac(switches > 0 ? s.runNs / switches : 0)) +
    sl('avg_per_cpu', msFrac(s.migrations >= 1 ? s.runNs / s.migrations : s.runNs)) +
    sl('nr_switches', String(switches)) +
    sl('nr_voluntary_switches', f(s.voluntary)) +
    sl('nr_involuntary_switches', f(s.involuntary)) +
    sl('se.load.weight', '1048576') +
    sl('se.avg.load_sum', '879') +
    sl('se.avg.runnable_sum', '901040') +
    sl('se.avg.util_sum', '682856') +
    sl('se.avg.load_avg', '16') +
    sl('se.avg.runnable_avg', '16') +
    sl('se.avg.util_avg', '12') +
    sl('se.avg.last_update_time', f(s.execStartNs)) +
    sl('se.avg.util_est', '16') +
    sl('policy', '0') +
    sl('prio', '120') +
    sl('clock-delta', '71') +
    sl('mm->numa_scan_seq', '0') +
    sl('numa_pages_migrated', '0') +
    sl('numa_preferred_nid', '-1') +
    sl('total_numa_faults', '0') +
    'current_node=0, numa_group_id=0\n' +
    'numa_faults node=0 task_private=0 task_shared=0 group_private=0 group_shared=0\n'
  );
}

/** /proc/<pid>/task/<tid>/schedstat: run ns, run-queue wait ns, timeslices. */
export const schedstat = (runNs: number, waitNs: number, slices: number) => `${f(runNs)} ${f(waitNs)} ${f(slices)}\n`;

/**
 * cgroup v2 cpu.stat (6.x kernel). User and system are separate growing accumulators; `throttle`:
 * a bandwidth limit's periods, throttled periods, throttled µs.
 */
export function cgroupCpuStat(userNs: number, systemNs: number, throttle: readonly [number, number, number] = [0, 0, 0]): string {
  return `usage_usec ${f((userNs + systemNs) / 1000)}\nuser_usec ${f(userNs / 1000)}\nsystem_usec ${f(systemNs / 1000)}\ncore_sched.force_idle_usec 0\nnr_periods ${f(throttle[0])}\nnr_throttled ${f(throttle[1])}\nthrottled_usec ${f(throttle[2])}\nnr_bursts 0\nburst_usec 0\n`;
}

/** A cgroup's {cpu,memory,io}.pressure: some and full totals, µs (the averages are the kernel's derivations; fixed here). */
export const pressure = (someUs: number, fullUs: number) =>
  `some avg10=0.00 avg60=0.00 avg300=0.00 total=${f(someUs)}\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=${f(fullUs)}\n`;

/** The memory a VM's cgroup holds (the fields its memory.stat files print), bytes and counts. */
export interface CgroupMemory {
  anon: number;
  file: number;
  kernel: number;
  shmem: number;
  fileDirty: number;
  fileWriteback: number;
  /** Swapped out (v2 memory.swap.current, v1 swap). */
  swap: number;
  pgfault: number;
  pgmajfault: number;
  refaultAnon: number;
  refaultFile: number;
}

/** Whole pages, in bytes: the LRU lists and mapped pages count pages. */
const pg = (x: number) => Math.floor(x / 4096) * 4096;

/** v2 memory.stat (a 6.x kernel's keys and order). */
export function memoryStat(m: CgroupMemory): string {
  return (
    `anon ${f(m.anon)}\nfile ${f(m.file)}\nkernel ${f(m.kernel)}\nkernel_stack ${f(m.kernel / 8)}\npagetables ${f(m.anon / 512)}\nsec_pagetables 0\npercpu 0\nsock 0\nvmalloc 0\n` +
    `shmem ${f(m.shmem)}\nzswap 0\nzswapped 0\nfile_mapped ${pg(m.file / 4)}\nfile_dirty ${f(m.fileDirty)}\nfile_writeback ${f(m.fileWriteback)}\nswapcached ${pg(m.swap / 64)}\nanon_thp ${pg(m.anon / 2)}\n` +
    `inactive_anon ${pg(m.anon / 3)}\nactive_anon ${f(m.anon - pg(m.anon / 3))}\ninactive_file ${pg(m.file / 2)}\nactive_file ${f(m.file - pg(m.file / 2))}\nunevictable 0\nslab ${f(m.kernel / 2)}\n` +
    `workingset_refault_anon ${f(m.refaultAnon)}\nworkingset_refault_file ${f(m.refaultFile)}\nworkingset_activate_anon 0\nworkingset_activate_file 0\nworkingset_restore_anon 0\nworkingset_restore_file 0\nworkingset_nodereclaim 0\n` +
    `pgscan 0\npgsteal 0\npgfault ${f(m.pgfault)}\npgmajfault ${f(m.pgmajfault)}\npgrefill 0\npgactivate 0\npgdeactivate 0\npglazyfree 0\npglazyfreed 0\nthp_fault_alloc 0\nthp_collapse_alloc 0\n`
  );
}

export const memoryEvents = (high: number, max: number) => `low 0\nhigh ${f(high)}\nmax ${f(max)}\noom 0\noom_kill 0\noom_group_kill 0\n`;

/** The "no limit" of a v1 memory group (PAGE_COUNTER_MAX pages, printed in bytes). */
const V1_NO_LIMIT = '9223372036854771712';

/**
 * v1 memory.stat (cgroup-v1/memory.rst, a 5.x/6.x kernel): the group's own counters, its limits,
 * then the hierarchy's total_* (a libvirt domain's memory group has no children: the same values).
 */
export function memoryStatV1(m: CgroupMemory): string {
  const own: [string, number][] = [
    ['cache', m.file],
    ['rss', m.anon],
    ['rss_huge', pg(m.anon / 2)],
    ['shmem', m.shmem],
    ['mapped_file', pg(m.file / 4)],
    ['dirty', m.fileDirty],
    ['writeback', m.fileWriteback],
    ['swap', m.swap],
    ['pgpgin', m.pgfault * 1.25],
    ['pgpgout', m.pgfault * 1.2],
    ['pgfault', m.pgfault],
    ['pgmajfault', m.pgmajfault],
    ['inactive_anon', pg(m.anon / 3)],
    ['active_anon', m.anon - pg(m.anon / 3)],
    ['inactive_file', pg(m.file / 2)],
    ['active_file', m.file - pg(m.file / 2)],
    ['unevictable', 0],
  ];
  return (
    own.map(([k, v]) => `${k} ${f(v)}\n`).join('') +
    `hierarchical_memory_limit ${V1_NO_LIMIT}\nhierarchical_memsw_limit ${V1_NO_LIMIT}\n` +
    own.map(([k, v]) => `total_${k} ${f(v)}\n`).join('')
  );
}

export const V1_MEMORY_LIMIT = `${V1_NO_LIMIT}\n`;

/** v1 memory.oom_control (oom_kill since 4.13). */
export const oomControl = (kills: number) => `oom_kill_disable 0\nunder_oom 0\noom_kill ${f(kills)}\n`;

/** A value split over NUMA nodes: node i holds share[i] of it (shares sum to 1); whole units, the last node takes the rest. */
function perNode(x: number, share: readonly number[], unit: number): number[] {
  const total = Math.floor(x / unit);
  let left = total;
  return share.map((s, i) => {
    const v = i === share.length - 1 ? left : Math.min(left, Math.floor(total * s));
    left -= v;
    return v * unit;
  });
}

const nodes = (v: readonly number[]) => v.map((x, i) => `N${i}=${f(x)}`).join(' ');

/**
 * v2 memory.numa_stat (bytes per node, a 6.x kernel's keys): anon-like lines follow `anonShare`,
 * page cache lines `fileShare`. Each line's nodes sum to memory.stat's value.
 */
export function memoryNumaStat(m: CgroupMemory, anonShare: readonly number[], fileShare: readonly number[]): string {
  const line = (k: string, x: number, share: readonly number[], unit = 4096) => `${k} ${nodes(perNode(x, share, unit))}\n`;
  return (
    line('anon', m.anon, anonShare) +
    line('file', m.file, fileShare) +
    line('kernel_stack', m.kernel / 8, anonShare, 1) +
    line('pagetables', m.anon / 512, anonShare, 1) +
    line('sec_pagetables', 0, anonShare) +
    line('shmem', m.shmem, fileShare) +
    line('file_mapped', m.file / 4, fileShare) +
    line('file_dirty', m.fileDirty, fileShare) +
    line('file_writeback', m.fileWriteback, fileShare) +
    line('swapcached', m.swap / 64, anonShare) +
    line('anon_thp', m.anon / 2, anonShare) +
    line('file_thp', 0, fileShare) +
    line('shmem_thp', 0, fileShare) +
    line('inactive_anon', pg(m.anon / 3), anonShare) +
    line('active_anon', m.anon - pg(m.anon / 3), anonShare) +
    line('inactive_file', pg(m.file / 2), fileShare) +
    line('active_file', m.file - pg(m.file / 2), fileShare) +
    line('unevictable', 0, anonShare) +
    line('slab_reclaimable', m.kernel / 4, fileShare, 1) +
    line('slab_unreclaimable', m.kernel / 4, anonShare, 1)
  );
}

/** v1 memory.numa_stat (pages per node): the group's own lines, then the hierarchy's (the same for a group without children). */
export function memoryNumaStatV1(m: CgroupMemory, anonShare: readonly number[], fileShare: readonly number[]): string {
  const file = perNode(m.file, fileShare, 4096).map((x) => x / 4096);
  const anon = perNode(m.anon, anonShare, 4096).map((x) => x / 4096);
  const unevictable = anon.map(() => 0);
  const total = anon.map((a, i) => a + file[i]!);
  const lines = (prefix: string) =>
    (
      [
        ['total', total],
        ['file', file],
        ['anon', anon],
        ['unevictable', unevictable],
      ] as const
    )
      .map(([k, v]) => `${prefix}${k}=${f(v.reduce((a, b) => a + b, 0))} ${nodes(v)}\n`)
      .join('');
  return lines('') + lines('hierarchical_');
}

/** A cgroup's I/O to one host block device (what io.stat and v1's blkio.throttle files count). */
export interface DeviceIo {
  major: number;
  minor: number;
  rbytes: number;
  wbytes: number;
  rios: number;
  wios: number;
  dbytes: number;
  dios: number;
}

/** v2 io.stat: a line per device that has seen I/O. */
export const ioStat = (devs: readonly DeviceIo[]) =>
  devs
    .map(
      (d) => `${d.major}:${d.minor} rbytes=${f(d.rbytes)} wbytes=${f(d.wbytes)} rios=${f(d.rios)} wios=${f(d.wios)} dbytes=${f(d.dbytes)} dios=${f(d.dios)}\n`,
    )
    .join('');

/**
 * v1 blkio.throttle.io_service_bytes (`bytes`) or io_serviced: per device Read, Write, Sync, Async,
 * Discard, Total, then the grand Total. Reads and the O_DIRECT writes (and their flushes) are sync,
 * discards are not.
 */
export function blkio(devs: readonly DeviceIo[], bytes: boolean): string {
  let out = '';
  let all = 0;
  for (const d of devs) {
    const [r, w, dc] = bytes ? [d.rbytes, d.wbytes, d.dbytes] : [d.rios, d.wios, d.dios];
    const dev = `${d.major}:${d.minor}`;
    const total = Math.floor(r) + Math.floor(w) + Math.floor(dc);
    all += total;
    out += `${dev} Read ${f(r)}\n${dev} Write ${f(w)}\n${dev} Sync ${Math.floor(r) + Math.floor(w)}\n${dev} Async ${f(dc)}\n${dev} Discard ${f(dc)}\n${dev} Total ${total}\n`;
  }
  return `${out}Total ${all}\n`;
}

/** v2 cpu.stat of a group without the cpu controller (the hybrid layout's unified tree): usage only. */
export const cgroupCpuUsage = (userNs: number, systemNs: number) =>
  `usage_usec ${f((userNs + systemNs) / 1000)}\nuser_usec ${f(userNs / 1000)}\nsystem_usec ${f(systemNs / 1000)}\nnice_usec 0\n`;

/** v1 cpu controller's cpu.stat: CFS bandwidth periods, throttled periods and throttled ns (5.14+ adds bursts). */
export const cpuStatV1 = (throttle: readonly [number, number, number]) =>
  `nr_periods ${f(throttle[0])}\nnr_throttled ${f(throttle[1])}\nthrottled_time ${f(throttle[2] * 1000)}\nnr_bursts 0\nburst_time 0\n`;

/** v1 cpuacct.stat: user and system in USER_HZ ticks. */
export const cpuacctStat = (userNs: number, systemNs: number) => `user ${f(userNs / 1e7)}\nsystem ${f(systemNs / 1e7)}\n`;

/**
 * v1 cpuacct.usage_percpu (ns per possible CPU, each followed by a space) and cpuacct.usage, their
 * sum as the kernel makes it: CPU i ran share[i] of the group's time.
 */
export function cpuacctPercpu(ns: number, share: readonly number[]): { percpu: string; usage: string } {
  let text = '';
  let sum = 0;
  for (const s of share) {
    const v = Math.floor(ns * s);
    sum += v;
    text += `${v} `;
  }
  return { percpu: text + '\n', usage: `${sum}\n` };
}

export function procPidIo(v: {
  rchar: number;
  wchar: number;
  syscr: number;
  syscw: number;
  readBytes: number;
  writeBytes: number;
  cancelledWriteBytes: number;
}): string {
  return `rchar: ${f(v.rchar)}\nwchar: ${f(v.wchar)}\nsyscr: ${f(v.syscr)}\nsyscw: ${f(v.syscw)}\nread_bytes: ${f(v.readBytes)}\nwrite_bytes: ${f(v.writeBytes)}\ncancelled_write_bytes: ${f(v.cancelledWriteBytes)}\n`;
}

/** USER_HZ ticks of one CPU line of /proc/stat. */
export interface CpuTicks {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
  guest: number;
  guestNice: number;
}

export function procStat(
  total: CpuTicks,
  weights: readonly number[],
  counters: { intr: number; ctxt: number; btime: number; processes: number; running: number; blocked: number; softirq: number },
): string {
  const line = (name: string, t: CpuTicks, w: number) =>
    `${name} ${f(t.user * w)} ${f(t.nice * w)} ${f(t.system * w)} ${f(t.idle * w)} ${f(t.iowait * w)} ${f(t.irq * w)} ${f(t.softirq * w)} ${f(t.steal * w)} ${f(t.guest * w)} ${f(t.guestNice * w)}\n`;
  let out = line('cpu ', total, 1);
  weights.forEach((w, i) => (out += line(`cpu${i}`, total, w)));
  out += `intr ${f(counters.intr)} 0 9 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n`;
  out += `ctxt ${f(counters.ctxt)}\nbtime ${counters.btime}\nprocesses ${f(counters.processes)}\nprocs_running ${counters.running}\nprocs_blocked ${counters.blocked}\n`;
  const s = counters.softirq;
  out += `softirq ${f(s)} 0 ${f(s * 0.3)} ${f(s * 0.001)} ${f(s * 0.1)} ${f(s * 0.25)} 0 ${f(s * 0.001)} ${f(s * 0.3)} 0 ${f(s * 0.047)}\n`;
  return out;
}

/** /proc/meminfo with the keys of a 6.x kernel; values in KiB. */
export function meminfo(m: {
  total: number;
  free: number;
  available: number;
  buffers: number;
  cached: number;
  swapTotal: number;
  swapFree: number;
  anon: number;
}): string {
  const rows: [string, number][] = [
    ['MemTotal', m.total],
    ['MemFree', m.free],
    ['MemAvailable', m.available],
    ['Buffers', m.buffers],
    ['Cached', m.cached],
    ['SwapCached', 0],
    ['Active', m.anon * 0.6 + m.cached * 0.5],
    ['Inactive', m.anon * 0.4 + m.cached * 0.5],
    ['Active(anon)', m.anon * 0.6],
    ['Inactive(anon)', m.anon * 0.4],
    ['Active(file)', m.cached * 0.5],
    ['Inactive(file)', m.cached * 0.5],
    ['Unevictable', 10504],
    ['Mlocked', 9504],
    ['SwapTotal', m.swapTotal],
    ['SwapFree', m.swapFree],
    ['Zswap', 0],
    ['Zswapped', 0],
    ['Dirty', 256],
    ['Writeback', 0],
    ['AnonPages', m.anon],
    ['Mapped', 46280],
    ['Shmem', 64872],
    ['KReclaimable', 96052],
    ['Slab', 139216],
    ['SReclaimable', 96052],
    ['SUnreclaim', 43164],
    ['KernelStack', 1888],
    ['PageTables', 3544 + m.anon / 512],
    ['SecPageTables', 0],
    ['NFS_Unstable', 0],
    ['Bounce', 0],
    ['WritebackTmp', 0],
    ['CommitLimit', m.total / 2 + m.swapTotal],
    ['Committed_AS', m.anon * 1.1],
    ['VmallocTotal', 34359738367],
    ['VmallocUsed', 14796],
    ['VmallocChunk', 0],
    ['Percpu', 976],
    ['AnonHugePages', m.anon * 0.7],
    ['ShmemHugePages', 0],
    ['ShmemPmdMapped', 0],
    ['FileHugePages', 0],
    ['FilePmdMapped', 0],
    ['Balloon', 0],
  ];
  let out = '';
  for (const [k, v] of rows) out += `${(k + ':').padEnd(16)}${pad(v, 8)} kB\n`;
  out +=
    'HugePages_Total:       0\nHugePages_Free:        0\nHugePages_Rsvd:        0\nHugePages_Surp:        0\nHugepagesize:       2048 kB\nHugetlb:               0 kB\n';
  out += `DirectMap4k:     ${pad(28672, 8)} kB\nDirectMap2M:     ${pad(2068480, 8)} kB\nDirectMap1G:     ${pad(Math.max(0, m.total - 2097152), 8)} kB\n`;
  return out;
}

/** /proc/<pid>/status of a QEMU process (written once; VmRSS is the start value). */
export function procStatus(pid: number, pgrp: number, threads: number, vmSizeKiB: number, rssKiB: number, cpus: string): string {
  const kb = (x: number) => `${pad(x, 8)} kB`;
  return (
    `Name:\tqemu-system-x86\nUmask:\t0002\nState:\tS (sleeping)\nTgid:\t${pid}\nNgid:\t0\nPid:\t${pid}\nPPid:\t1\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\nGroups:\t0 \n` +
    `NStgid:\t${pid}\nNSpid:\t${pid}\nNSpgid:\t${pgrp}\nNSsid:\t${pgrp}\nKthread:\t0\nVmPeak:\t${kb(vmSizeKiB)}\nVmSize:\t${kb(vmSizeKiB)}\nVmLck:\t${kb(0)}\nVmPin:\t${kb(0)}\n` +
    `VmHWM:\t${kb(rssKiB)}\nVmRSS:\t${kb(rssKiB)}\nRssAnon:\t${kb(rssKiB - 24128)}\nRssFile:\t${kb(24128)}\nRssShmem:\t${kb(0)}\nVmData:\t${kb(1407992)}\nVmStk:\t${kb(132)}\n` +
    `VmExe:\t${kb(5724)}\nVmLib:\t${kb(14608)}\nVmPTE:\t${kb(808)}\nVmSwap:\t${kb(0)}\nHugetlbPages:\t${kb(0)}\nCoreDumping:\t0\nTHP_enabled:\t1\nThreads:\t${threads}\n` +
    `SigQ:\t0/96365\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\nSigBlk:\t0000000010002240\nSigIgn:\t0000000000001000\nSigCgt:\t0000000100004043\n` +
    `Cpus_allowed_list:\t${cpus}\nMems_allowed_list:\t0-1\nvoluntary_ctxt_switches:\t11106\nnonvoluntary_ctxt_switches:\t397\n`
  );
}
