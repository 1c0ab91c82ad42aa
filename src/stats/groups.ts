// virDomainStatsTypes bits and virConnectGetAllDomainStatsFlags, with libvirt's values, plus
// domstat's own groups (bit 16 on), which hold keys libvirt does not define: "extra" and the VM's
// cgroup figures. stats = 0 asks for every libvirt group a driver supports; domstat's groups are
// only ever returned when asked for by bit, so libvirt's output stays virsh's.

export const StatsGroup = {
  STATE: 1,
  CPU_TOTAL: 2,
  BALLOON: 4,
  VCPU: 8,
  INTERFACE: 16,
  BLOCK: 32,
  PERF: 64,
  IOTHREAD: 128,
  MEMORY: 256,
  DIRTYRATE: 512,
  VM: 1024,
  /** domstat's own keys ("extra.*"), never libvirt's. */
  EXTRA: 1 << 16,
  /** Pressure stall totals of the VM's cgroup ("pressure.*"). */
  PRESSURE: 1 << 17,
  /** The VM's cgroup memory: usage, stat, events ("cgroup.memory.*"). */
  CGROUP_MEMORY: 1 << 18,
  /** CPU bandwidth throttling of the VM's cgroup ("cgroup.cpu.*"). */
  CPU_THROTTLE: 1 << 19,
  /** I/O of the VM's cgroup per host block device ("cgroup.io.*"). */
  CGROUP_IO: 1 << 20,
  /** The VM's cgroup memory per NUMA node ("cgroup.numa.*"). */
  NUMA: 1 << 21,
} as const;

/** domstat's own groups (never part of stats = 0). */
export const DOMSTAT_GROUPS =
  StatsGroup.EXTRA | StatsGroup.PRESSURE | StatsGroup.CGROUP_MEMORY | StatsGroup.CPU_THROTTLE | StatsGroup.CGROUP_IO | StatsGroup.NUMA;

/** The groups in the order their keys appear in a record (libvirt's worker order). */
export const GROUP_ORDER = [
  ['state', StatsGroup.STATE],
  ['cpu-total', StatsGroup.CPU_TOTAL],
  ['balloon', StatsGroup.BALLOON],
  ['vcpu', StatsGroup.VCPU],
  ['interface', StatsGroup.INTERFACE],
  ['block', StatsGroup.BLOCK],
  ['perf', StatsGroup.PERF],
  ['iothread', StatsGroup.IOTHREAD],
  ['memory', StatsGroup.MEMORY],
  ['dirtyrate', StatsGroup.DIRTYRATE],
  ['vm', StatsGroup.VM],
  ['extra', StatsGroup.EXTRA],
  ['pressure', StatsGroup.PRESSURE],
  ['cgroup-memory', StatsGroup.CGROUP_MEMORY],
  ['cpu-throttle', StatsGroup.CPU_THROTTLE],
  ['cgroup-io', StatsGroup.CGROUP_IO],
  ['numa', StatsGroup.NUMA],
] as const;

export const LIBVIRT_GROUPS = 0x7ff;

export const StatsFlag = {
  ACTIVE: 1,
  INACTIVE: 2,
  PERSISTENT: 4,
  TRANSIENT: 8,
  RUNNING: 16,
  PAUSED: 32,
  SHUTOFF: 64,
  OTHER: 128,
  NOWAIT: 1 << 29,
  BACKING: 1 << 30,
  ENFORCE_STATS: 2 ** 31,
} as const;

export const FILTER_FLAGS = 0xff;
const KNOWN_FLAGS = FILTER_FLAGS | StatsFlag.NOWAIT | StatsFlag.BACKING | StatsFlag.ENFORCE_STATS;

/**
 * Bitwise helpers that stay correct for bit 31 (JS bit operators are signed 32-bit, so
 * `ENFORCE_STATS | ACTIVE` is negative: flags are read as the unsigned int libvirt takes).
 */
export const hasFlag = (flags: number, bit: number) => Math.floor((flags >>> 0) / bit) % 2 === 1;
export const unknownFlags = (flags: number) => {
  let rest = flags >>> 0;
  for (const bit of [StatsFlag.ENFORCE_STATS, StatsFlag.BACKING, StatsFlag.NOWAIT]) if (hasFlag(rest, bit)) rest -= bit;
  return rest & ~KNOWN_FLAGS;
};
