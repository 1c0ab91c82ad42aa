// A KVM domain's plan: CPU from the domain's cgroup (v2 cpu.stat or v1 cpuacct; the QEMU process
// when it has none), RSS from /proc/<pid>/stat, each vCPU thread's stat, sched and schedstat, the
// tap lines of /proc/net/dev, /sys/dev/block/MAJ:MIN/{stat,size} of block-backed disks, and
// /proc/<pid>/io — the files the KVM driver reads, in its order.

import type { Domain } from '../stats/domain.js';
import type { HostFs, KeptFile } from '../host/hostfs.js';
import type { AheadFile } from '../host/read-ahead.js';
import { asciiKeys, decimalAt, decimalFields, keyedDecimals, pickedDecimals, singleDecimal } from '../parse/fast.js';
import { PROC_IO_KEYS } from '../parse/proc-pid-io.js';
import type { DeviceIdentity, DeviceSample } from './rows.js';
import { isActive } from '../stats/states.js';
import { localPath } from '../drivers/common-groups.js';
import { isValidIfname, sharesHostView } from '../drivers/devices.js';
import type { KvmDriver } from '../drivers/kvm/kvm-driver.js';
import { sysDevBlock } from '../drivers/kvm/block-device.js';
import { columnPos, DomainPlan, fillInterface, netColumns, perKeyMap, setProduct, UNREADABLE, type NetColumns, type PlanTick } from './plan.js';
import type { RowMap } from './row-map.js';

const NS_PER_TICK = 10_000_000;
const NS_PER_US = 1000;
const NS_PER_MS = 1_000_000;
const SECTOR = 512;
const PAGE_KIB = 4;
/** The most bytes read of each file (one more is "too large", as the driver's parsers say). */
const LIMIT = { stat: 4096, cpuStat: 64 * 1024, usage: 64, cpuacctStat: 4096, sched: 64 * 1024, schedstat: 256, blockStat: 4096, size: 64, io: 4096 } as const;
/** /proc/<pid>/stat fields 14 (utime), 15 (stime) and 24 (rss) as tokens after "(comm)", from 0 = field 3. */
const STAT_PICKS = Int32Array.of(14 - 3, 15 - 3, 24 - 3);
/** The /sys/block stat fields read: ios, sectors and ticks of reads and writes, flush ios and ticks. */
const USED_BLOCK_FIELDS = [0, 2, 3, 4, 6, 7, 15, 16];
const CPU_STAT_KEYS = asciiKeys(['usage_usec', 'user_usec', 'system_usec']);
const CPUACCT_KEYS = asciiKeys(['user', 'system']);
const IO_KEYS = asciiKeys(PROC_IO_KEYS);
const WAIT_SUM_KEYS = asciiKeys(['se.statistics.wait_sum', 'se.wait_sum', 'wait_sum']);
const WAIT_SUM = Buffer.from('wait_sum', 'latin1');

type CpuSource = { kind: 'v2'; file: KeptFile } | { kind: 'cpuacct'; usage: KeptFile; stat: KeptFile } | { kind: 'proc' };

interface Vcpu {
  stat: KeptFile;
  sched: KeptFile;
  schedstat: KeptFile;
}

/** Column positions, one set per key map (shared by every plan). */
const kvmColumns = perKeyMap((map) => {
  const p = (kind: 'domain' | 'vcpu' | 'block', pattern: string) => columnPos(map, kind, pattern);
  return {
    c: {
      cpuTime: p('domain', 'cpu.time'),
      cpuUser: p('domain', 'cpu.user'),
      cpuSystem: p('domain', 'cpu.system'),
      rss: p('domain', 'balloon.rss'),
      vState: p('vcpu', 'vcpu.{i}.state'),
      vTime: p('vcpu', 'vcpu.{i}.time'),
      vWait: p('vcpu', 'vcpu.{i}.wait'),
      vDelay: p('vcpu', 'vcpu.{i}.delay'),
      rdReqs: p('block', 'block.{i}.rd.reqs'),
      rdBytes: p('block', 'block.{i}.rd.bytes'),
      rdTimes: p('block', 'block.{i}.rd.times'),
      wrReqs: p('block', 'block.{i}.wr.reqs'),
      wrBytes: p('block', 'block.{i}.wr.bytes'),
      wrTimes: p('block', 'block.{i}.wr.times'),
      flReqs: p('block', 'block.{i}.fl.reqs'),
      flTimes: p('block', 'block.{i}.fl.times'),
      capacity: p('block', 'block.{i}.capacity'),
      physical: p('block', 'block.{i}.physical'),
    },
    io: Int32Array.from(PROC_IO_KEYS, (k) => p('domain', `extra.io.${k}`)),
  };
});
type Columns = ReturnType<typeof kvmColumns>['c'];

/** Parsed fields of the file at hand (plans fill one at a time, on one thread). */
const scratch = new Float64Array(17);

class KvmDomainPlan extends DomainPlan {
  private readonly stat: KeptFile;
  private readonly io: KeptFile;
  private readonly cpu: CpuSource;
  private readonly vcpus: Vcpu[];
  private readonly ifaces: { name: string; net: NetColumns }[];
  private readonly disks: { stat: KeptFile; size: KeptFile }[];
  private readonly c: Columns;
  private readonly ioCols: Int32Array;

  constructor(
    dom: Domain,
    map: RowMap,
    fs: HostFs,
    pid: number,
    cpu: CpuSource,
    vcpus: { id: number; files: Vcpu }[],
    ifaces: { identity: DeviceIdentity; swapped: boolean }[],
    disks: { identity: DeviceIdentity; dir: string }[],
  ) {
    super(dom, map, [
      ...vcpus.map((v) => ({ kind: 'vcpu' as const, idx: v.id, name: `vcpu${v.id}` })),
      ...ifaces.map((i) => i.identity),
      ...disks.map((d) => d.identity),
    ]);
    this.stat = fs.keep(`/proc/${pid}/stat`);
    this.io = fs.keep(`/proc/${pid}/io`);
    this.cpu = cpu;
    this.vcpus = vcpus.map((v) => v.files);
    this.ifaces = ifaces.map((i) => ({ name: i.identity.name, net: netColumns(map, i.swapped) }));
    this.disks = disks.map((d) => ({ stat: fs.keep(`${d.dir}/stat`), size: fs.keep(`${d.dir}/size`) }));
    ({ c: this.c, io: this.ioCols } = kvmColumns(map));
  }

  protected fill(tick: PlanTick, devices: DeviceSample[]): boolean {
    const c = this.c;
    const s = scratch;
    const dom = devices[0]!;
    // The QEMU process: RSS always, CPU too when the domain has no cgroup.
    let n = tick.read(this.stat, LIMIT.stat);
    if (n < 0 || !procStat(tick.buf, tick.at, tick.at + n, s)) return false;
    const rss = s[2]!;
    if (!this.readCpu(tick, dom, s[0]!, s[1]!)) return false;
    setProduct(dom, c.rss, rss, PAGE_KIB);
    let k = 1;
    for (const v of this.vcpus) {
      const d = devices[k++]!;
      n = tick.read(v.stat, LIMIT.stat);
      if (n < 0 || !procStat(tick.buf, tick.at, tick.at + n, s)) return false;
      d.values[c.vState] = 1;
      setProduct(d, c.vTime, s[0]! + s[1]!, NS_PER_TICK);
      // No sched or schedstat file (no schedstats in the kernel): no wait or delay, as the driver.
      n = tick.read(v.sched, LIMIT.sched);
      if (n === UNREADABLE || (n >= 0 && !waitSumNs(d, c.vWait, tick.buf, tick.at, tick.at + n))) return false;
      n = tick.read(v.schedstat, LIMIT.schedstat);
      if (n === UNREADABLE) return false;
      if (n >= 0) {
        if (decimalFields(tick.buf, tick.at, tick.at + n, s) !== 3 || s[1] !== s[1]) return false;
        d.values[c.vDelay] = s[1]!;
      }
    }
    const table = this.ifaces.length > 0 ? tick.netDev() : null;
    for (const i of this.ifaces) if (!fillInterface(devices[k++]!, table, i.name, i.net.cols, i.net.fields)) return false;
    for (const disk of this.disks) {
      const d = devices[k++]!;
      n = tick.read(disk.stat, LIMIT.blockStat);
      const fields = n < 0 ? -1 : decimalFields(tick.buf, tick.at, tick.at + n, s);
      if (fields !== 11 && fields !== 15 && fields !== 17) return false;
      if (USED_BLOCK_FIELDS.some((f) => f < fields && s[f] !== s[f])) return false;
      d.values[c.rdReqs] = s[0]!;
      setProduct(d, c.rdBytes, s[2]!, SECTOR);
      setProduct(d, c.rdTimes, s[3]!, NS_PER_MS);
      d.values[c.wrReqs] = s[4]!;
      setProduct(d, c.wrBytes, s[6]!, SECTOR);
      setProduct(d, c.wrTimes, s[7]!, NS_PER_MS);
      if (fields === 17) {
        d.values[c.flReqs] = s[15]!;
        setProduct(d, c.flTimes, s[16]!, NS_PER_MS);
      }
      n = tick.read(disk.size, LIMIT.size);
      if (n === UNREADABLE) return false;
      if (n >= 0) {
        // no size file: capacity unknown, as the driver
        const sectors = singleDecimal(tick.buf, tick.at, tick.at + n);
        if (sectors < 0) return false;
        setProduct(d, c.capacity, sectors, SECTOR);
        setProduct(d, c.physical, sectors, SECTOR);
      }
    }
    n = tick.read(this.io, LIMIT.io);
    if (n < 0 || !keyedDecimals(tick.buf, tick.at, tick.at + n, IO_KEYS, s.subarray(0, IO_KEYS.length))) return false;
    for (let i = 0; i < this.ioCols.length; i++) {
      if (s[i] !== s[i]) return false;
      dom.values[this.ioCols[i]!] = s[i]!;
    }
    return true;
  }

  private readCpu(tick: PlanTick, dom: DeviceSample, utime: number, stime: number): boolean {
    const c = this.c;
    const s = scratch;
    const src = this.cpu;
    if (src.kind === 'proc') {
      setProduct(dom, c.cpuTime, utime + stime, NS_PER_TICK);
      setProduct(dom, c.cpuUser, utime, NS_PER_TICK);
      setProduct(dom, c.cpuSystem, stime, NS_PER_TICK);
      return true;
    }
    if (src.kind === 'v2') {
      const n = tick.read(src.file, LIMIT.cpuStat);
      if (n < 0 || !keyedDecimals(tick.buf, tick.at, tick.at + n, CPU_STAT_KEYS, s.subarray(0, 3)) || s[0] !== s[0] || s[1] !== s[1] || s[2] !== s[2])
        return false;
      setProduct(dom, c.cpuTime, s[0]!, NS_PER_US);
      setProduct(dom, c.cpuUser, s[1]!, NS_PER_US);
      setProduct(dom, c.cpuSystem, s[2]!, NS_PER_US);
      return true;
    }
    let n = tick.read(src.usage, LIMIT.usage);
    const usage = n < 0 ? -1 : singleDecimal(tick.buf, tick.at, tick.at + n);
    if (usage < 0) return false;
    n = tick.read(src.stat, LIMIT.cpuacctStat);
    if (n < 0 || !keyedDecimals(tick.buf, tick.at, tick.at + n, CPUACCT_KEYS, s.subarray(0, 2)) || s[0] !== s[0] || s[1] !== s[1]) return false;
    dom.values[c.cpuTime] = usage;
    setProduct(dom, c.cpuUser, s[0]!, NS_PER_TICK);
    setProduct(dom, c.cpuSystem, s[1]!, NS_PER_TICK);
    return true;
  }

  files(): AheadFile[] {
    const src = this.cpu;
    const cpu: AheadFile[] =
      src.kind === 'v2'
        ? [{ file: src.file, max: LIMIT.cpuStat }]
        : src.kind === 'cpuacct'
          ? [
              { file: src.usage, max: LIMIT.usage },
              { file: src.stat, max: LIMIT.cpuacctStat },
            ]
          : [];
    return [
      { file: this.stat, max: LIMIT.stat },
      ...cpu,
      ...this.vcpus.flatMap((v) => [
        { file: v.stat, max: LIMIT.stat },
        { file: v.sched, max: LIMIT.sched },
        { file: v.schedstat, max: LIMIT.schedstat },
      ]),
      ...this.disks.flatMap((d) => [
        { file: d.stat, max: LIMIT.blockStat },
        { file: d.size, max: LIMIT.size },
      ]),
      { file: this.io, max: LIMIT.io },
    ];
  }
}

/** utime, stime and rss of a /proc/<pid>/stat in buf[start, end) (fields counted after the last ')'). */
function procStat(buf: Buffer, start: number, end: number, out: Float64Array): boolean {
  if (end <= start) return false;
  const close = buf.lastIndexOf(0x29 /* ) */, end - 1);
  const open = buf.indexOf(0x28 /* ( */, start);
  return open >= 0 && open < close && pickedDecimals(buf, close + 1, end, STAT_PICKS, out) && out[0] === out[0] && out[1] === out[1] && out[2] === out[2];
}

/**
 * vcpu.N.wait from the sched file: the first wait_sum line, "ms.frac" with up to six decimals, in
 * ns; no such line leaves it absent (no schedstats). False for anything the careful parser must see.
 */
function waitSumNs(d: DeviceSample, pos: number, buf: Buffer, start: number, end: number): boolean {
  let i = start;
  while (i < end && buf[i]! <= 0x20) i++;
  if (i === end) return false; // empty: the careful parser's error
  // The line is found by searching for "wait_sum" (a native search), not by walking every line.
  for (let at = buf.indexOf(WAIT_SUM, start); at >= 0 && at + WAIT_SUM.length <= end; at = buf.indexOf(WAIT_SUM, at + 1)) {
    const k = at + WAIT_SUM.length;
    const lineStart = at === start ? start : Math.max(start, buf.lastIndexOf(0x0a, at - 1) + 1);
    if (!(k === end || buf[k] === 0x20 || buf[k] === 0x09 || buf[k] === 0x3a || buf[k] === 0x0a) || !isWaitSumKey(buf, lineStart, k)) continue;
    let eol = buf.indexOf(0x0a, k);
    if (eol < 0 || eol > end) eol = end;
    let v = k;
    while (v < eol && (buf[v] === 0x20 || buf[v] === 0x09)) v++;
    if (buf[v] !== 0x3a) return false;
    v++;
    while (v < eol && buf[v] === 0x20) v++;
    let e = eol;
    while (e > v && buf[e - 1] === 0x20) e--;
    const dot = buf.indexOf(0x2e, v);
    const intEnd = dot >= 0 && dot < e ? dot : e;
    const ms = decimalAt(buf, v, intEnd);
    const fracLen = e - intEnd - 1;
    const frac = intEnd === e ? 0 : fracLen >= 1 && fracLen <= 6 ? decimalAt(buf, intEnd + 1, e) * 10 ** (6 - fracLen) : -1;
    if (ms < 0 || frac < 0 || ms > 9_000_000_000) return false;
    d.values[pos] = ms * NS_PER_MS + frac;
    return true;
  }
  return true;
}

function isWaitSumKey(buf: Buffer, start: number, end: number): boolean {
  for (const key of WAIT_SUM_KEYS) {
    if (key.length !== end - start) continue;
    let i = 0;
    while (i < key.length && buf[start + i] === key[i]) i++;
    if (i === key.length) return true;
  }
  return false;
}

/** The plan of a running KVM domain, or null when the driver must sample it. */
export function kvmPlan(dom: Domain, fs: HostFs, map: RowMap, driver: KvmDriver): DomainPlan | null {
  if (!isActive(dom.state) || dom.pid === undefined) return null;
  const pid = dom.pid;
  let resolved;
  try {
    resolved = driver.resolve(dom, fs);
  } catch {
    return null;
  }
  if (resolved.cgroupProblem !== undefined) return null; // the driver reports it, every tick
  const cg = resolved.cgroups;
  let cpu: CpuSource;
  if (cg?.v2 !== undefined) cpu = { kind: 'v2', file: fs.keep(`${cg.v2Stats ?? cg.v2}/cpu.stat`) };
  else if (cg?.cpuacct !== undefined) {
    const dir = cg.cpuacctStats ?? cg.cpuacct;
    cpu = { kind: 'cpuacct', usage: fs.keep(`${dir}/cpuacct.usage`), stat: fs.keep(`${dir}/cpuacct.stat`) };
  } else cpu = { kind: 'proc' };
  const vcpus = [...dom.vcpuPids]
    .sort((a, b) => a[0] - b[0])
    .map(([id, tid]) => ({
      id,
      files: {
        stat: fs.keep(`/proc/${pid}/task/${tid}/stat`),
        sched: fs.keep(`/proc/${pid}/task/${tid}/sched`),
        schedstat: fs.keep(`/proc/${pid}/task/${tid}/schedstat`),
      },
    }));
  const ifaces: { identity: DeviceIdentity; swapped: boolean }[] = [];
  for (const [i, iface] of dom.interfaces.entries()) {
    const name = iface.target;
    if (name === undefined) continue;
    if (!isValidIfname(name)) return null;
    ifaces.push({ identity: { kind: 'net', idx: i, name }, swapped: !sharesHostView(iface) });
  }
  const disks: { identity: DeviceIdentity; dir: string }[] = [];
  for (const [i, disk] of dom.disks.entries()) {
    const dev = resolved.blockDevs[i];
    if (dev === null || dev === undefined) continue;
    if (disk.target === undefined) return null;
    const identity: DeviceIdentity = { kind: 'block', idx: i, name: disk.target };
    const path = localPath(disk);
    if (path !== undefined) identity.path = path;
    disks.push({ identity, dir: sysDevBlock(dev) });
  }
  return new KvmDomainPlan(dom, map, fs, pid, cpu, vcpus, ifaces, disks);
}
