// The simulated load: each domain has a profile (a web server, a database, a batch job, an idle
// guest, a bursty one) and a set of counters that only grow. advance() turns the profile's
// rates at the current time (a slow wave, bursts and per-step jitter) into counter increments,
// keeping the relations a real host has: bytes = sectors * 512, packets ~ bytes / packet size,
// request times ~ requests * latency, thread CPU time = cgroup usage, process I/O ~ disk + tap I/O.
// Counters are kept as doubles far below 2^53, fractions included (files print floor(x)), so a
// counter's growth does not depend on how finely advance() slices the time.

import { Rng } from './rng.js';

export type ProfileKind = 'web' | 'db' | 'batch' | 'idle' | 'bursty';
export const PROFILE_KINDS: readonly ProfileKind[] = ['web', 'db', 'batch', 'idle', 'bursty'];

export interface NicLoad {
  /** Guest's view, bytes per second at activity 1. */
  rxBps: number;
  txBps: number;
  /** Average packet sizes in bytes. */
  rxPkt: number;
  txPkt: number;
}

export interface DiskLoad {
  rdIops: number;
  wrIops: number;
  /** Average request sizes in 512-byte sectors. */
  rdSect: number;
  wrSect: number;
  /** Average service time per request, ms. */
  latMs: number;
  /** Flushes per write request. */
  flushPerWr: number;
  discardIops: number;
  sizeSectors: number;
}

export interface Profile {
  kind: ProfileKind;
  /** Average utilisation of each vCPU (0..1) at activity 1. */
  cpu: number;
  nics: NicLoad[];
  disks: DiskLoad[];
  /** A slow wave over the run: period (s), phase (rad), amplitude (0..1). */
  period: number;
  phase: number;
  amp: number;
  /** Sigma of the per-step log-normal jitter. */
  noise: number;
  memKiB: number;
  /** Part of the memory the guest has touched (QEMU RSS). */
  rssFrac: number;
  /** Seconds the domain has been up when the simulation starts. */
  uptime: number;
}

export class NicCounters {
  rxBytes = 0;
  rxPkts = 0;
  rxErrs = 0;
  rxDrop = 0;
  rxMulticast = 0;
  txBytes = 0;
  txPkts = 0;
  txErrs = 0;
  txDrop = 0;
}

export class DiskCounters {
  rdReq = 0;
  rdMerges = 0;
  rdSect = 0;
  rdMs = 0;
  wrReq = 0;
  wrMerges = 0;
  wrSect = 0;
  wrMs = 0;
  inFlight = 0;
  ioMs = 0;
  queueMs = 0;
  dsReq = 0;
  dsMerges = 0;
  dsSect = 0;
  dsMs = 0;
  flReq = 0;
  flMs = 0;
  /** Xen blkback: requests that found the ring full (oo_req). */
  ooReq = 0;
}

export class VcpuCounters {
  /** Time on a host CPU, ns (schedstat field 1, cgroup usage). */
  runNs = 0;
  /** Time runnable but waiting for a host CPU, ns (schedstat field 2, sched wait_sum). */
  waitNs = 0;
  /** Times scheduled in (schedstat field 3). */
  slices = 0;
  /** Part of runNs in user mode (guest time counts as user). */
  userNs = 0;
  sysNs = 0;
  waits = 0;
  voluntary = 0;
  involuntary = 0;
  migrations = 0;
  waitMaxNs = 0;
}

export class DomainCounters {
  nics = [new NicCounters(), new NicCounters()];
  disks = [new DiskCounters(), new DiskCounters()];
  vcpus = [new VcpuCounters(), new VcpuCounters()];
  /** The emulator (QEMU main and I/O threads). */
  emuUserNs = 0;
  emuSysNs = 0;
  minflt = 0;
  majflt = 0;
  rssKiB = 0;
  rchar = 0;
  wchar = 0;
  syscr = 0;
  syscw = 0;
  readBytes = 0;
  writeBytes = 0;
  cancelledWriteBytes = 0;
}

/** What one step did, summed by the host (its /proc/stat, eth0 and bridge lines). */
export interface StepTotals {
  guestNs: number;
  emuUserNs: number;
  emuSysNs: number;
  rxBytes: number;
  txBytes: number;
  rxPkts: number;
  txPkts: number;
  ioReqs: number;
  slices: number;
}

export const emptyTotals = (): StepTotals => ({ guestNs: 0, emuUserNs: 0, emuSysNs: 0, rxBytes: 0, txBytes: 0, rxPkts: 0, txPkts: 0, ioReqs: 0, slices: 0 });

const GiB_KiB = 1024 * 1024;
const GiB_SECTORS = 2 * 1024 * 1024;

/** A domain's profile: the first five domains show one of each kind, the rest are drawn. */
export function makeProfile(index: number, rng: Rng): Profile {
  const kind: ProfileKind = index < PROFILE_KINDS.length ? PROFILE_KINDS[index]! : drawKind(rng.next());
  const nic = (rx: [number, number], tx: [number, number]): NicLoad => ({
    rxBps: rng.logRange(rx[0], rx[1]),
    txBps: rng.logRange(tx[0], tx[1]),
    rxPkt: rng.range(300, 1200),
    txPkt: rng.range(500, 1450),
  });
  const disk = (rd: [number, number], wr: [number, number], rdKiB: [number, number], wrKiB: [number, number]): DiskLoad => ({
    rdIops: rng.logRange(rd[0], rd[1]),
    wrIops: rng.logRange(wr[0], wr[1]),
    rdSect: Math.round(rng.logRange(rdKiB[0], rdKiB[1])) * 2,
    wrSect: Math.round(rng.logRange(wrKiB[0], wrKiB[1])) * 2,
    latMs: rng.range(0.2, 2.5),
    flushPerWr: rng.range(0.02, 0.15),
    discardIops: rng.range(0, 0.05),
    sizeSectors: rng.pick([10, 20, 40, 80, 100, 200, 500]) * GiB_SECTORS,
  });
  const base = {
    kind,
    period: rng.range(120, 900),
    phase: rng.range(0, 2 * Math.PI),
    uptime: rng.range(2 * 3600, 30 * 86400),
    rssFrac: rng.range(0.3, 0.95),
  };
  switch (kind) {
    case 'web':
      return {
        ...base,
        cpu: rng.range(0.15, 0.5),
        nics: [nic([2e5, 3e6], [1e6, 2e7]), nic([1e4, 3e5], [1e4, 3e5])],
        disks: [disk([2, 30], [5, 40], [4, 64], [4, 32]), disk([0.5, 10], [1, 20], [16, 128], [8, 64])],
        amp: rng.range(0.3, 0.7),
        noise: 0.25,
        memKiB: rng.pick([2, 4, 8]) * GiB_KiB,
      };
    case 'db':
      return {
        ...base,
        cpu: rng.range(0.3, 0.8),
        nics: [nic([1e5, 2e6], [2e5, 5e6]), nic([1e5, 1e6], [1e5, 1e6])],
        disks: [disk([5, 50], [10, 80], [4, 32], [4, 16]), disk([100, 2000], [50, 800], [8, 128], [8, 64])],
        amp: rng.range(0.2, 0.5),
        noise: 0.2,
        memKiB: rng.pick([8, 16, 32]) * GiB_KiB,
      };
    case 'batch':
      return {
        ...base,
        cpu: rng.range(0.85, 0.99),
        nics: [nic([1e3, 5e4], [1e3, 5e4]), nic([100, 2e3], [100, 2e3])],
        disks: [disk([1, 20], [1, 30], [64, 512], [64, 512]), disk([0.1, 5], [1, 20], [128, 1024], [128, 1024])],
        amp: rng.range(0.02, 0.1),
        noise: 0.05,
        memKiB: rng.pick([4, 8, 16]) * GiB_KiB,
      };
    case 'idle':
      return {
        ...base,
        cpu: rng.range(0.003, 0.02),
        nics: [nic([60, 600], [40, 400]), nic([1, 60], [1, 60])],
        disks: [disk([0.01, 0.2], [0.2, 2], [4, 16], [4, 16]), disk([0.001, 0.05], [0.001, 0.1], [4, 64], [4, 64])],
        amp: rng.range(0.1, 0.3),
        noise: 0.6,
        memKiB: rng.pick([0.5, 1, 2]) * GiB_KiB,
        rssFrac: rng.range(0.15, 0.4),
      };
    case 'bursty':
      return {
        ...base,
        cpu: rng.range(0.02, 0.08),
        nics: [nic([5e3, 5e4], [5e3, 5e4]), nic([100, 2e3], [100, 2e3])],
        disks: [disk([0.5, 5], [1, 10], [16, 256], [16, 256]), disk([0.1, 2], [0.1, 5], [64, 512], [64, 512])],
        amp: rng.range(0.1, 0.3),
        noise: 0.4,
        memKiB: rng.pick([1, 2, 4]) * GiB_KiB,
      };
  }
}

function drawKind(u: number): ProfileKind {
  // 15% web, 10% db, 10% batch, 45% idle, 20% bursty
  return u < 0.15 ? 'web' : u < 0.25 ? 'db' : u < 0.35 ? 'batch' : u < 0.8 ? 'idle' : 'bursty';
}

export class SimDomain {
  readonly c = new DomainCounters();
  /** Bursty domains: whether a burst is on, and its strength. */
  private burst = false;
  private burstLevel = 1;

  constructor(
    readonly index: number,
    readonly profile: Profile,
    /** Multiplier on CPU demand so the guests fit the host (KVM). */
    readonly cpuScale: number,
  ) {}

  /** Activity at time t (s): the slow wave, times the burst state. */
  private activity(t: number): number {
    const p = this.profile;
    const wave = 1 + p.amp * Math.sin((2 * Math.PI * t) / p.period + p.phase);
    return wave * (this.burst ? this.burstLevel : 1);
  }

  /** Counters as they stand after `uptime` seconds at the average rates. */
  boot(rng: Rng): void {
    const saved = this.burst;
    this.burst = false;
    this.step(rng, 0, this.profile.uptime, null, true);
    this.burst = saved;
    this.c.rssKiB = this.rssTarget() * rng.range(0.97, 1.03);
  }

  private rssTarget(): number {
    // Guest memory touched, plus QEMU's own ~60-200 MiB.
    return this.profile.memKiB * this.profile.rssFrac + 60 * 1024 + (this.index % 7) * 20 * 1024;
  }

  /** Advances every counter by dt seconds ending at time t. */
  step(rng: Rng, t: number, dt: number, totals: StepTotals | null, smooth = false): void {
    if (dt <= 0) return;
    const p = this.profile;
    const c = this.c;
    if (p.kind === 'bursty' && !smooth) {
      // Bursts of ~40 s every ~4 min, each 5-20x the quiet level.
      if (this.burst ? rng.next() < dt / 40 : rng.next() < dt / 240) {
        this.burst = !this.burst;
        this.burstLevel = rng.range(5, 20);
      }
    }
    const a = smooth ? 1 : this.activity(t - dt / 2);
    const j = (s: number) => (smooth ? 1 : rng.jitter(s));
    const count = (mean: number) => (smooth ? mean : rng.poisson(mean));

    // Network (guest's view).
    let pkts = 0;
    let rxB = 0;
    let txB = 0;
    let rxP = 0;
    let txP = 0;
    p.nics.forEach((load, i) => {
      const n = c.nics[i]!;
      const ja = a * j(p.noise);
      const rx = load.rxBps * ja * dt;
      const tx = load.txBps * ja * j(0.1) * dt;
      const rxp = rx / (load.rxPkt * j(0.05));
      const txp = tx / (load.txPkt * j(0.05));
      n.rxBytes += rx;
      n.txBytes += tx;
      n.rxPkts += rxp;
      n.txPkts += txp;
      n.rxDrop += count(rxp * 2e-6);
      n.txDrop += count(txp * 1e-7);
      n.rxErrs += count(rxp * 1e-8);
      n.rxMulticast += count(0.05 * dt);
      pkts += rxp + txp;
      rxB += rx;
      txB += tx;
      rxP += rxp;
      txP += txp;
    });

    // Disks.
    let reqs = 0;
    let rdBytes = 0;
    let wrBytes = 0;
    let rdReqs = 0;
    let wrReqs = 0;
    p.disks.forEach((load, i) => {
      const d = c.disks[i]!;
      const ja = a * j(p.noise);
      const rd = load.rdIops * ja * dt;
      const wr = load.wrIops * ja * j(0.15) * dt;
      // Fractional sectors accumulate (files print whole ones): rounding each step would lose
      // or inflate a slow disk's bytes when steps are short.
      const rdSect = rd * load.rdSect * j(0.1);
      const wrSect = wr * load.wrSect * j(0.1);
      const lat = load.latMs * j(0.2);
      const rdMs = rd * lat;
      const wrMs = wr * lat * 1.3;
      const fl = wr * load.flushPerWr;
      d.rdReq += rd;
      d.wrReq += wr;
      d.rdMerges += rd * 0.08;
      d.wrMerges += wr * 0.2;
      d.rdSect += rdSect;
      d.wrSect += wrSect;
      d.rdMs += rdMs;
      d.wrMs += wrMs;
      d.flReq += fl;
      d.flMs += fl * lat * 0.5;
      const ds = count(load.discardIops * dt);
      d.dsReq += ds;
      d.dsMerges += ds * 0.1;
      d.dsSect += ds * 2048;
      d.dsMs += ds * lat * 2;
      d.ooReq += count((rd + wr) * 1e-5);
      const busyMs = rdMs + wrMs + fl * lat * 0.5;
      d.queueMs += busyMs;
      d.ioMs += Math.min(dt * 1000, busyMs * 0.8);
      // Little's law: requests in flight = arrival rate * service time.
      d.inFlight = smooth ? 0 : rng.poisson(((rd + wr) / dt) * (lat / 1000));
      reqs += rd + wr;
      rdBytes += rdSect * 512;
      wrBytes += wrSect * 512;
      rdReqs += rd;
      wrReqs += wr;
    });

    // vCPUs.
    let guestNs = 0;
    let slices = 0;
    c.vcpus.forEach((v, i) => {
      const util = Math.min(1, p.cpu * a * j(p.noise * 0.5) * (i === 0 ? 1.1 : 0.9) * this.cpuScale);
      const run = util * dt * 1e9;
      // Wait grows with load: more contention on a busier host.
      const wait = run * (0.01 + 0.08 * util) * j(0.3);
      const sliceNs = 1e6 + 3e6 * util;
      const n = run / sliceNs + 50 * dt;
      v.runNs += run;
      v.userNs += run * 0.93;
      v.sysNs += run * 0.07;
      v.waitNs += wait;
      v.slices += n;
      v.waits += n * (0.2 + util);
      v.voluntary += n * (1 - util * 0.6);
      v.involuntary += n * util * 0.6;
      v.migrations += n * 0.01;
      if (!smooth) v.waitMaxNs = Math.max(v.waitMaxNs, (wait / Math.max(1, n)) * rng.range(2, 20));
      guestNs += run;
      slices += n;
    });

    // The emulator: a little on its own, plus work per packet and per request.
    const emu = (0.002 * dt + 3e-6 * pkts + 12e-6 * reqs) * 1e9 * j(0.1);
    c.emuUserNs += emu * 0.35;
    c.emuSysNs += emu * 0.65;
    c.minflt += count(20 * dt + reqs * 0.01);
    c.majflt += count(0.001 * dt);
    if (!smooth) {
      const target = this.rssTarget();
      c.rssKiB += (target - c.rssKiB) * 0.05 + target * 0.001 * rng.normal();
    }
    // QEMU reads and writes the disks (O_DIRECT: counted in read_bytes/write_bytes) and the tap.
    c.rchar += rdBytes + txB + 64 * dt;
    c.wchar += wrBytes + rxB + 64 * dt;
    c.syscr += rdReqs + txP / 4 + 2 * dt;
    c.syscw += wrReqs + rxP / 4 + 2 * dt;
    c.readBytes += rdBytes;
    c.writeBytes += wrBytes;

    if (totals !== null) {
      totals.guestNs += guestNs;
      totals.emuUserNs += emu * 0.35;
      totals.emuSysNs += emu * 0.65;
      totals.rxBytes += rxB;
      totals.txBytes += txB;
      totals.rxPkts += rxP;
      totals.txPkts += txP;
      totals.ioReqs += reqs;
      totals.slices += slices;
    }
  }
}
