// A KVM domain's plan: CPU from the domain's cgroup (v2 cpu.stat or v1 cpuacct; the QEMU process
// when it has none), RSS from /proc/<pid>/stat, each vCPU thread's stat, sched and schedstat, the
// tap lines of /proc/net/dev, /sys/dev/block/MAJ:MIN/{stat,size} of block-backed disks, and
// /proc/<pid>/io — the files the KVM driver reads, in its order.

import type { Domain } from '../domains/inventory.js';
import type { HostFs, KeptFile } from '../host/hostfs.js';
import { asciiKeys, decimalAt, decimalFields, keyedDecimals, pickedDecimals, singleDecimal } from '../parse/fast.js';
import { PROC_IO_KEYS } from '../parse/proc-pid-io.js';
import type { KeyMap } from '../store/key-map.js';
import type { DeviceIdentity, DeviceSample } from '../store/samples.js';
import { isActive } from '../stats/states.js';
import { localPath } from '../drivers/common-groups.js';
import { isValidIfname, sharesHostView } from '../drivers/devices.js';
import type { KvmDriver } from '../drivers/kvm/kvm-driver.js';
import { sysDevBlock } from '../drivers/kvm/block-device.js';
import { DomainPlan, fillInterface, netColumns, readPlain, setProduct, UNREADABLE, type PlanTick } from './plan.js';

const NS_PER_TICK = 10_000_000;
const NS_PER_US = 1000;
const NS_PER_MS = 1_000_000;
const SECTOR = 512;
const PAGE_KIB = 4;
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

class KvmDomainPlan extends DomainPlan {
  private readonly stat: KeptFile;
  private readonly io: KeptFile;
  private readonly cpu: CpuSource;
  private readonly vcpus: Vcpu[];
  private readonly ifaces: { name: string; cols: Int32Array; fields: Int32Array }[];
  private readonly disks: { stat: KeptFile; size: KeptFile }[];
  private readonly c: Record<string, number>;
  private readonly ioCols: Int32Array;
  private readonly scratch = new Float64Array(17);

  constructor(dom: Domain, map: KeyMap, fs: HostFs, pid: number, cpu: CpuSource, vcpus: { id: number; files: Vcpu }[], ifaces: { identity: DeviceIdentity; swapped: boolean }[], disks: { identity: DeviceIdentity; dir: string }[]) {
    super(dom, map, [...vcpus.map((v) => ({ kind: 'vcpu' as const, idx: v.id, name: `vcpu${v.id}` })), ...ifaces.map((i) => i.identity), ...disks.map((d) => d.identity)]);
    this.stat = fs.keep(`/proc/${pid}/stat`);
    this.io = fs.keep(`/proc/${pid}/io`);
    this.cpu = cpu;
    this.vcpus = vcpus.map((v) => v.files);
    this.ifaces = ifaces.map((i) => ({ name: i.identity.name, ...netColumns(this, i.swapped) }));
    this.disks = disks.map((d) => ({ stat: fs.keep(`${d.dir}/stat`), size: fs.keep(`${d.dir}/size`) }));
    const p = (kind: 'domain' | 'vcpu' | 'block', pattern: string) => this.pos(kind, pattern);
    this.c = {
      cpuTime: p('domain', 'cpu.time'), cpuUser: p('domain', 'cpu.user'), cpuSystem: p('domain', 'cpu.system'), rss: p('domain', 'balloon.rss'),
      vState: p('vcpu', 'vcpu.{i}.state'), vTime: p('vcpu', 'vcpu.{i}.time'), vWait: p('vcpu', 'vcpu.{i}.wait'), vDelay: p('vcpu', 'vcpu.{i}.delay'),
      rdReqs: p('block', 'block.{i}.rd.reqs'), rdBytes: p('block', 'block.{i}.rd.bytes'), rdTimes: p('block', 'block.{i}.rd.times'),
      wrReqs: p('block', 'block.{i}.wr.reqs'), wrBytes: p('block', 'block.{i}.wr.bytes'), wrTimes: p('block', 'block.{i}.wr.times'),
      flReqs: p('block', 'block.{i}.fl.reqs'), flTimes: p('block', 'block.{i}.fl.times'), capacity: p('block', 'block.{i}.capacity'), physical: p('block', 'block.{i}.physical'),
    };
    this.ioCols = Int32Array.from(PROC_IO_KEYS, (k) => this.pos('domain', `extra.io.${k}`));
  }

  protected fill(tick: PlanTick, devices: DeviceSample[]): boolean {
    const fs = tick.fs;
    const c = this.c;
    const s = this.scratch;
    const dom = devices[0]!;
    // The QEMU process: RSS always, CPU too when the domain has no cgroup.
    let n = readPlain(fs, this.stat, 4096);
    if (n < 0 || !procStat(fs.bytes, n, s)) return false;
    const rss = s[2]!;
    if (!this.readCpu(fs, dom, s[0]!, s[1]!)) return false;
    setProduct(dom, c.rss!, rss, PAGE_KIB);
    let k = 1;
    for (const v of this.vcpus) {
      const d = devices[k++]!;
      n = readPlain(fs, v.stat, 4096);
      if (n < 0 || !procStat(fs.bytes, n, s)) return false;
      d.values[c.vState!] = 1;
      setProduct(d, c.vTime!, s[0]! + s[1]!, NS_PER_TICK);
      // No sched or schedstat file (no schedstats in the kernel): no wait or delay, as the driver.
      n = readPlain(fs, v.sched, 64 * 1024);
      if (n === UNREADABLE || (n >= 0 && !waitSumNs(d, c.vWait!, fs.bytes, n))) return false;
      n = readPlain(fs, v.schedstat, 256);
      if (n === UNREADABLE) return false;
      if (n >= 0) {
        if (decimalFields(fs.bytes, 0, n, s) !== 3 || s[1] !== s[1]) return false;
        d.values[c.vDelay!] = s[1]!;
      }
    }
    const table = this.ifaces.length > 0 ? tick.netDev() : null;
    for (const i of this.ifaces) if (!fillInterface(devices[k++]!, table, i.name, i.cols, i.fields)) return false;
    for (const disk of this.disks) {
      const d = devices[k++]!;
      n = readPlain(fs, disk.stat, 4096);
      const fields = n < 0 ? -1 : decimalFields(fs.bytes, 0, n, s);
      if (fields !== 11 && fields !== 15 && fields !== 17) return false;
      if (USED_BLOCK_FIELDS.some((f) => f < fields && s[f] !== s[f])) return false;
      d.values[c.rdReqs!] = s[0]!;
      setProduct(d, c.rdBytes!, s[2]!, SECTOR);
      setProduct(d, c.rdTimes!, s[3]!, NS_PER_MS);
      d.values[c.wrReqs!] = s[4]!;
      setProduct(d, c.wrBytes!, s[6]!, SECTOR);
      setProduct(d, c.wrTimes!, s[7]!, NS_PER_MS);
      if (fields === 17) {
        d.values[c.flReqs!] = s[15]!;
        setProduct(d, c.flTimes!, s[16]!, NS_PER_MS);
      }
      n = readPlain(fs, disk.size, 64);
      if (n === UNREADABLE) return false;
      if (n >= 0) {
        // no size file: capacity unknown, as the driver
        const sectors = singleDecimal(fs.bytes, n);
        if (sectors < 0) return false;
        setProduct(d, c.capacity!, sectors, SECTOR);
        setProduct(d, c.physical!, sectors, SECTOR);
      }
    }
    n = readPlain(fs, this.io, 4096);
    if (n < 0 || !keyedDecimals(fs.bytes, n, IO_KEYS, s.subarray(0, IO_KEYS.length))) return false;
    for (let i = 0; i < this.ioCols.length; i++) {
      if (s[i] !== s[i]) return false;
      dom.values[this.ioCols[i]!] = s[i]!;
    }
    return true;
  }

  private readCpu(fs: HostFs, dom: DeviceSample, utime: number, stime: number): boolean {
    const c = this.c;
    const s = this.scratch;
    const src = this.cpu;
    if (src.kind === 'proc') {
      setProduct(dom, c.cpuTime!, utime + stime, NS_PER_TICK);
      setProduct(dom, c.cpuUser!, utime, NS_PER_TICK);
      setProduct(dom, c.cpuSystem!, stime, NS_PER_TICK);
      return true;
    }
    if (src.kind === 'v2') {
      const n = readPlain(fs, src.file, 64 * 1024);
      if (n < 0 || !keyedDecimals(fs.bytes, n, CPU_STAT_KEYS, s.subarray(0, 3)) || s[0] !== s[0] || s[1] !== s[1] || s[2] !== s[2]) return false;
      setProduct(dom, c.cpuTime!, s[0]!, NS_PER_US);
      setProduct(dom, c.cpuUser!, s[1]!, NS_PER_US);
      setProduct(dom, c.cpuSystem!, s[2]!, NS_PER_US);
      return true;
    }
    let n = readPlain(fs, src.usage, 64);
    const usage = n < 0 ? -1 : singleDecimal(fs.bytes, n);
    if (usage < 0) return false;
    n = readPlain(fs, src.stat, 4096);
    if (n < 0 || !keyedDecimals(fs.bytes, n, CPUACCT_KEYS, s.subarray(0, 2)) || s[0] !== s[0] || s[1] !== s[1]) return false;
    dom.values[c.cpuTime!] = usage;
    setProduct(dom, c.cpuUser!, s[0]!, NS_PER_TICK);
    setProduct(dom, c.cpuSystem!, s[1]!, NS_PER_TICK);
    return true;
  }
}

/** utime, stime and rss of a /proc/<pid>/stat (fields counted after the last ')'). */
function procStat(buf: Buffer, n: number, out: Float64Array): boolean {
  const close = buf.lastIndexOf(0x29 /* ) */, n - 1);
  const open = buf.indexOf(0x28 /* ( */);
  return close > 0 && open >= 0 && open < close && pickedDecimals(buf, close + 1, n, STAT_PICKS, out) && out[0] === out[0] && out[1] === out[1] && out[2] === out[2];
}

/**
 * vcpu.N.wait from the sched file: the first wait_sum line, "ms.frac" with up to six decimals, in
 * ns; no such line leaves it absent (no schedstats). False for anything the careful parser must see.
 */
function waitSumNs(d: DeviceSample, pos: number, buf: Buffer, n: number): boolean {
  let i = 0;
  while (i < n && buf[i]! <= 0x20) i++;
  if (i === n) return false; // empty: the careful parser's error
  // The line is found by searching for "wait_sum" (a native search), not by walking every line.
  for (let at = buf.indexOf(WAIT_SUM, 0); at >= 0 && at + WAIT_SUM.length <= n; at = buf.indexOf(WAIT_SUM, at + 1)) {
    const k = at + WAIT_SUM.length;
    const lineStart = at === 0 ? 0 : buf.lastIndexOf(0x0a, at - 1) + 1;
    if (!(k === n || buf[k] === 0x20 || buf[k] === 0x09 || buf[k] === 0x3a || buf[k] === 0x0a) || !isWaitSumKey(buf, lineStart, k)) continue;
    let eol = buf.indexOf(0x0a, k);
    if (eol < 0 || eol > n) eol = n;
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
export function kvmPlan(dom: Domain, fs: HostFs, map: KeyMap, driver: KvmDriver): DomainPlan | null {
  if (!isActive(dom.state) || dom.pid === undefined) return null;
  const pid = dom.pid;
  let resolved;
  try {
    resolved = driver.resolve(dom, fs);
  } catch {
    return null;
  }
  const cg = resolved.cgroups;
  let cpu: CpuSource;
  if (cg?.v2 !== undefined) cpu = { kind: 'v2', file: fs.keep(`${cg.v2Stats ?? cg.v2}/cpu.stat`) };
  else if (cg?.cpuacct !== undefined) {
    const dir = cg.cpuacctStats ?? cg.cpuacct;
    cpu = { kind: 'cpuacct', usage: fs.keep(`${dir}/cpuacct.usage`), stat: fs.keep(`${dir}/cpuacct.stat`) };
  } else cpu = { kind: 'proc' };
  const vcpus = [...dom.vcpuPids].sort((a, b) => a[0] - b[0]).map(([id, tid]) => ({ id, files: { stat: fs.keep(`/proc/${pid}/task/${tid}/stat`), sched: fs.keep(`/proc/${pid}/task/${tid}/sched`), schedstat: fs.keep(`/proc/${pid}/task/${tid}/schedstat`) } }));
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
