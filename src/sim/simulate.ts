// A simulated Xen or KVM host: a complete host tree under a directory (libvirt status XML, the
// xen-backend statistics or the QEMU processes, cgroups in a v2, v1 or hybrid layout (cgroups.ts)
// and block devices, /proc/net/dev, /proc/stat, /proc/meminfo) whose counters advance while it
// runs. Point domstat at it with --root DIR. Usable without the CLI:
//
//   const sim = createSimHost({ dir: '/tmp/host', domains: 100, kind: 'kvm', cgroup: 'v1' });
//   sim.advance(1);   // one second of load
//   sim.close();
//
// Counter files are rewritten in place (see files.ts), so an agent that keeps descriptors open
// sees every update, and the tree says so (IN_PLACE_MARK): domstat then reads its kept
// descriptors without checking each time that the file was not replaced. Everything is deterministic for a given seed and sequence of advance() calls.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { Rng, hash32 } from './rng.js';
import { makeProfile, SimDomain, emptyTotals, type Profile, type ProfileKind, type StepTotals } from './model.js';
import { openFileLimit, TreeWriter, type CounterFile } from './files.js';
import * as F from './format.js';
import { CgroupModel, DomainCgroupFiles, HostCgroupFiles, SIM_CGROUPS, type HostCgroupCpu, type IoTarget, type SimCgroup } from './cgroups.js';
import { IN_PLACE_MARK } from '../host/kept-files.js';
import { UsageError } from '../common/errors.js';

export type SimKind = 'xen' | 'kvm';
export type { SimCgroup } from './cgroups.js';
export { SIM_CGROUPS } from './cgroups.js';

export interface SimOptions {
  /** The host root to create (must not exist, be empty, or hold an earlier simulated tree). */
  dir: string;
  domains: number;
  kind: SimKind;
  seed?: number;
  /** Descriptors kept open for in-place updates (default: most of the process's limit, at most 16384). */
  maxOpenFiles?: number;
  /** Wall-clock start, Unix ms (for /proc/stat btime); default now. */
  startMs?: number;
  /**
   * Every domain at its profile's average rates: no slow wave, no bursts, no noise. For tests
   * that check the rates a reader sees against the profile (load()).
   */
  steady?: boolean;
  /**
   * A KVM host's cgroup layout (default v2): 'v2' (systemd, libvirt's nested groups), 'v1'
   * (systemd, cpu and cpuacct mounted together) or 'hybrid' (v1 controllers and the unified tree,
   * libvirt without systemd, as on the lab host). Every layout prints the same simulated activity.
   */
  cgroup?: SimCgroup;
}

export interface SimDomainInfo {
  name: string;
  uuid: string;
  id: number;
  profile: ProfileKind;
  /** QEMU process id (KVM). */
  pid?: number;
  vcpuTids?: number[];
  /** Host-side interface names, in XML order. */
  interfaces: string[];
  /** Disk targets, in XML order. */
  disks: string[];
  /** Backend statistics directories (Xen) or /sys/dev/block/MAJ:MIN directories (KVM), host paths. */
  diskDirs: string[];
}

export interface SimHost {
  readonly dir: string;
  readonly kind: SimKind;
  /** The cgroup layout (KVM; 'v2' for Xen, which writes none). */
  readonly cgroup: SimCgroup;
  readonly domains: readonly SimDomainInfo[];
  /** Host CPUs (KVM host) or dom0 vCPUs (Xen). */
  readonly hostCpus: number;
  /** Counter files updated by advance(). */
  readonly counterFiles: number;
  readonly openFiles: number;
  /** Simulated seconds since the start. */
  readonly time: number;
  /** Advances every counter by `seconds` of load and rewrites the files that changed. */
  advance(seconds: number): void;
  /** A domain's load profile (its rates at activity 1), by name. */
  load(name: string): Profile;
  /** Closes the descriptors (the tree stays). */
  close(): void;
}

export const MARKER = '.domstat-sim.json';
const TOP_DIRS = ['proc', 'sys', 'run', 'etc', 'dev', 'var'];
const IN_PLACE_NAME = IN_PLACE_MARK.slice(1);
const DM_MAJOR = 253;
/** The volume group's physical volume, under every domain's disks (sda). */
const PV = { major: 8, minor: 0, name: 'sda' } as const;
const XVD_BASE = 202 << 8; // xvda = 51712, xvdb = 51728

export function simName(i: number, total: number): string {
  return `sim-${String(i).padStart(Math.max(4, String(total).length), '0')}`;
}

/** A stable uuid per kind and name (v4 layout, hash-derived). */
export function simUuid(kind: SimKind, name: string): string {
  const h = createHash('sha1').update(`domstat-sim:${kind}:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Refuses to write into a directory that is neither new, empty, nor an earlier simulated tree. */
function prepareDir(dir: string): void {
  const abs = path.resolve(dir);
  if (abs === path.parse(abs).root) throw new UsageError(`refusing to simulate a host at ${abs}`);
  if (!fs.existsSync(abs)) {
    fs.mkdirSync(abs, { recursive: true });
    return;
  }
  if (!fs.statSync(abs).isDirectory()) throw new UsageError(`${abs} is not a directory`);
  const entries = fs.readdirSync(abs);
  if (entries.length === 0) return;
  if (!entries.includes(MARKER)) throw new UsageError(`${abs} is not empty and holds no simulated host (${MARKER}); choose a new directory`);
  for (const e of entries) if (TOP_DIRS.includes(e) || e === MARKER || e === IN_PLACE_NAME) fs.rmSync(path.join(abs, e), { recursive: true, force: true });
}

interface XenFiles {
  stats: CounterFile[][]; // per disk, the 7 statistics files
}

interface KvmFiles {
  pidStat: CounterFile;
  pidIo: CounterFile;
  taskStat: CounterFile[];
  taskSched: CounterFile[];
  taskSchedstat: CounterFile[];
  blockStat: CounterFile[];
  /** The domain's cgroups: what they say, and their files in the host's layout. */
  cgroup: CgroupModel;
  cgroupFiles: DomainCgroupFiles;
}

interface Dom {
  info: SimDomainInfo;
  sim: SimDomain;
  xen?: XenFiles;
  kvm?: KvmFiles;
}

class Host implements SimHost {
  readonly dir: string;
  readonly kind: SimKind;
  readonly cgroup: SimCgroup;
  readonly hostCpus: number;
  private readonly w: TreeWriter;
  private readonly rng: Rng;
  private readonly steady: boolean;
  private readonly doms: Dom[] = [];
  private t = 0;
  /** Seconds the host had been up at the start. */
  private readonly hostUptime: number;
  private readonly btime: number;
  private readonly cpu: F.CpuTicks = { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0, guest: 0, guestNice: 0 };
  private readonly cpuWeights: number[];
  private readonly misc = { intr: 0, ctxt: 0, processes: 0, softirq: 0 };
  private readonly net = { loB: 0, loP: 0, ethRxB: 0, ethRxP: 0, ethTxB: 0, ethTxP: 0, brRxB: 0, brRxP: 0, brTxB: 0, brTxP: 0 };
  private readonly mem: { total: number; hostUsed: number; cached: number; buffers: number };
  private readonly files: { stat: CounterFile; meminfo: CounterFile; netDev: CounterFile; cgroups?: HostCgroupFiles };
  private readonly cg = { userNs: 0, sysNs: 0 };

  constructor(opts: SimOptions) {
    if (!Number.isInteger(opts.domains) || opts.domains < 1 || opts.domains > 100_000) throw new UsageError('domains must be an integer from 1 to 100000');
    this.dir = path.resolve(opts.dir);
    this.kind = opts.kind;
    this.cgroup = opts.cgroup ?? 'v2';
    if (!SIM_CGROUPS.includes(this.cgroup)) throw new UsageError(`cgroup layout must be one of ${SIM_CGROUPS.join(', ')}`);
    if (opts.kind === 'xen' && this.cgroup !== 'v2') throw new UsageError('a cgroup layout is for a KVM host (Xen domains have no cgroups)');
    this.steady = opts.steady ?? false;
    const seed = opts.seed ?? 1;
    this.rng = new Rng(hash32(`${opts.kind}:${seed}`));
    prepareDir(this.dir);
    const limit = openFileLimit();
    const maxOpen = opts.maxOpenFiles ?? Math.max(0, Math.min(16384, (limit ?? 1024) - 1024));
    this.w = new TreeWriter(this.dir, maxOpen);
    const n = opts.domains;

    // Profiles first: the host's size follows its guests.
    const profiles = Array.from({ length: n }, (_, i) => makeProfile(i, new Rng(hash32(`${opts.kind}:${seed}:${i}`))));
    this.hostCpus = opts.kind === 'kvm' ? Math.min(256, Math.max(4, 2 ** Math.ceil(Math.log2((n * 2) / 4)))) : n <= 10 ? 2 : n <= 100 ? 4 : 8;
    const demand = profiles.reduce((s, p) => s + 2 * p.cpu * 1.2, 0);
    const cpuScale = opts.kind === 'kvm' ? Math.min(1, (0.85 * this.hostCpus) / demand) : 1;
    this.hostUptime = Math.ceil(Math.max(...profiles.map((p) => p.uptime)) + 86400);
    this.btime = Math.floor((opts.startMs ?? Date.now()) / 1000) - this.hostUptime;
    this.cpuWeights = Array.from({ length: this.hostCpus }, (_, i) => 1 + 0.2 * Math.sin(i * 1.7));
    const wsum = this.cpuWeights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < this.cpuWeights.length; i++) this.cpuWeights[i]! /= wsum;

    const totalGuestMem = profiles.reduce((s, p) => s + p.memKiB, 0);
    this.mem =
      opts.kind === 'kvm'
        ? {
            total: Math.ceil((totalGuestMem * 1.15 + 8 * 1048576) / (64 * 1048576)) * 64 * 1048576 - 262144,
            hostUsed: 2.5 * 1048576,
            cached: 6 * 1048576,
            buffers: 180000,
          }
        : { total: 4 * 1048576 - 98304, hostUsed: 600 * 1024, cached: 900 * 1024, buffers: 60000 };

    const marker = { kind: opts.kind, ...(opts.kind === 'kvm' ? { cgroup: this.cgroup } : {}), domains: n, seed };
    this.w.static(MARKER, JSON.stringify({ ...marker, created: new Date(opts.startMs ?? Date.now()).toISOString() }, null, 2) + '\n');
    this.w.static(IN_PLACE_NAME, 'Counter files in this tree are rewritten in place, never replaced: domstat reads its kept descriptors unchecked.\n');
    const cpuList = `0-${this.hostCpus - 1}\n`;
    for (const f of ['present', 'online', 'possible']) this.w.static(`sys/devices/system/cpu/${f}`, cpuList);
    // A KVM host of two NUMA nodes (the cgroups' memory.numa_stat).
    if (opts.kind === 'kvm') for (const f of ['online', 'possible', 'has_memory']) this.w.static(`sys/devices/system/node/${f}`, '0-1\n');

    for (let i = 0; i < n; i++) {
      const sim = new SimDomain(i, profiles[i]!, cpuScale);
      sim.boot(new Rng(hash32(`boot:${opts.kind}:${seed}:${i}`)));
      const name = simName(i + 1, n);
      const info: SimDomainInfo = { name, uuid: simUuid(opts.kind, name), id: i + 1, profile: profiles[i]!.kind, interfaces: [], disks: [], diskDirs: [] };
      const dom: Dom = { info, sim };
      if (opts.kind === 'xen') this.createXen(dom);
      else this.createKvm(dom);
      this.doms.push(dom);
    }
    this.bootHost();
    this.files = {
      stat: this.w.counter('proc/stat', this.statText()),
      meminfo: this.w.counter('proc/meminfo', this.meminfoText()),
      netDev: this.w.counter('proc/net/dev', this.netDevText()),
    };
    if (opts.kind === 'xen') {
      this.w.static('proc/xen/capabilities', 'control_d\n');
    } else {
      this.files.cgroups = new HostCgroupFiles(this.w, this.cgroup, n, this.cpuWeights, this.hostCgroupCpu());
      this.writePhysicalVolume();
    }
  }

  get domains(): readonly SimDomainInfo[] {
    return this.doms.map((d) => d.info);
  }

  get counterFiles(): number {
    return this.w.fileCount;
  }

  get openFiles(): number {
    return this.w.openCount;
  }

  get time(): number {
    return this.t;
  }

  load(name: string): Profile {
    const d = this.doms.find((x) => x.info.name === name);
    if (d === undefined) throw new UsageError(`no simulated domain ${name}`);
    return d.sim.profile;
  }

  // ---- Xen ----------------------------------------------------------------------------------

  private createXen(dom: Dom): void {
    const { info, sim } = dom;
    const p = sim.profile;
    const d = info.id;
    const hex2 = (x: number) => (x & 0xff).toString(16).padStart(2, '0');
    const disksXml: string[] = [];
    const stats: CounterFile[][] = [];
    ['xvda', 'xvdb'].forEach((target, n) => {
      const devnum = XVD_BASE | (n << 4);
      const minor = 2 * (d - 1) + n;
      const source = `/dev/vgsim/${info.name}-${n === 0 ? 'root' : 'data'}`;
      disksXml.push(
        `      <disk type='block' device='disk'>\n        <driver name='phy' type='raw'/>\n        <source dev='${source}'/>\n        <target dev='${target}' bus='xen'/>\n      </disk>\n`,
      );
      const dir = `sys/bus/xen-backend/devices/vbd-${d}-${devnum}`;
      this.w.static(`${dir}/physical_device`, `fd:${minor.toString(16)}\n`);
      this.w.static(`${dir}/nodename`, `backend/vbd/${d}/${devnum}\n`);
      this.w.static(`${dir}/state`, 'Connected\n');
      this.w.static(`${dir}/mode`, 'w\n');
      this.w.static(`${dir}/devtype`, 'vbd\n');
      const texts = this.xenStatTexts(sim, n);
      stats.push(
        ['rd_req', 'rd_sect', 'wr_req', 'wr_sect', 'oo_req', 'f_req', 'ds_req'].map((field, k) => this.w.counter(`${dir}/statistics/${field}`, texts[k]!)),
      );
      info.disks.push(target);
      info.diskDirs.push(`/${dir}/statistics`);
    });
    const nicsXml: string[] = [];
    for (let n = 0; n < 2; n++) {
      const ifname = `vif${d}.${n}`;
      nicsXml.push(
        `      <interface type='bridge'>\n        <mac address='00:16:3e:${hex2(d >> 8)}:${hex2(d)}:${hex2(n)}'/>\n        <source bridge='xenbr${n}'/>\n        <script path='vif-bridge'/>\n        <target dev='${ifname}'/>\n      </interface>\n`,
      );
      const dir = `sys/bus/xen-backend/devices/vif-${d}-${n}`;
      this.w.static(`${dir}/state`, 'Connected\n');
      this.w.static(`${dir}/nodename`, `backend/vif/${d}/${n}\n`);
      info.interfaces.push(ifname);
    }
    const body = (id: string) =>
      `  <domain type='xen'${id}>\n    <name>${info.name}</name>\n    <uuid>${info.uuid}</uuid>\n    <memory unit='KiB'>${p.memKiB}</memory>\n    <currentMemory unit='KiB'>${p.memKiB}</currentMemory>\n` +
      `    <vcpu placement='static'>2</vcpu>\n    <os>\n      <type arch='x86_64' machine='xenpv'>linux</type>\n      <kernel>/var/lib/xen/pvgrub64.bin</kernel>\n    </os>\n` +
      `    <clock offset='utc' adjustment='reset'/>\n    <on_poweroff>destroy</on_poweroff>\n    <on_reboot>restart</on_reboot>\n    <on_crash>restart</on_crash>\n` +
      `    <devices>\n${disksXml.join('')}${nicsXml.join('')}      <console type='pty'>\n        <target type='xen' port='0'/>\n      </console>\n    </devices>\n  </domain>\n`;
    const warning = `<!--\nWARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE\nOVERWRITTEN AND LOST. Changes to this xml configuration should be made using:\n  virsh edit ${info.name}\nor other application using the libvirt API.\n-->\n\n`;
    this.w.static(`run/libvirt/libxl/${info.name}.xml`, `${warning}<domstatus state='running' reason='booted' pid='0'>\n${body(` id='${d}'`)}</domstatus>\n`);
    this.w.static(`etc/libvirt/libxl/${info.name}.xml`, warning + body('').replace(/^ {2}/gm, ''));
    dom.xen = { stats };
  }

  private xenStatTexts(sim: SimDomain, n: number): string[] {
    const c = sim.c.disks[n]!;
    return [c.rdReq, c.rdSect, c.wrReq, c.wrSect, c.ooReq, c.flReq, c.dsReq].map(F.single);
  }

  // ---- KVM ----------------------------------------------------------------------------------

  private kvmPid(dom: Dom): number {
    return 3000 + 8 * dom.info.id;
  }

  private createKvm(dom: Dom): void {
    const { info, sim } = dom;
    const p = sim.profile;
    const id = info.id;
    const pid = this.kvmPid(dom);
    const tids = [pid + 5, pid + 6];
    info.pid = pid;
    info.vcpuTids = tids;
    const hex2 = (x: number) => (x & 0xff).toString(16).padStart(2, '0');
    const disksXml: string[] = [];
    const blockStat: CounterFile[] = [];
    ['vda', 'vdb'].forEach((target, n) => {
      const minor = 2 * (id - 1) + n;
      const kname = `dm-${minor}`;
      const source = `/dev/vgsim/${info.name}-${n}`;
      disksXml.push(
        `      <disk type='block' device='disk'>\n        <driver name='qemu' type='raw' cache='none' io='native' discard='unmap'/>\n        <source dev='${source}' index='${2 - n}'/>\n        <backingStore/>\n` +
          `        <target dev='${target}' bus='virtio'/>\n        <alias name='virtio-disk${n}'/>\n        <address type='pci' domain='0x0000' bus='0x0${4 + n}' slot='0x00' function='0x0'/>\n      </disk>\n`,
      );
      this.w.static(`dev/${kname}`, '');
      this.w.symlink(`dev/vgsim/${info.name}-${n}`, `../${kname}`);
      const sysdir = `sys/devices/virtual/block/${kname}`;
      this.w.static(`${sysdir}/dev`, `${DM_MAJOR}:${minor}\n`);
      this.w.static(`${sysdir}/uevent`, `MAJOR=${DM_MAJOR}\nMINOR=${minor}\nDEVNAME=${kname}\nDEVTYPE=disk\nDISKSEQ=${minor + 2}\n`);
      this.w.static(`${sysdir}/size`, F.single(p.disks[n]!.sizeSectors));
      this.w.static(`${sysdir}/ro`, '0\n');
      this.w.static(`${sysdir}/dm/name`, `vgsim-${info.name.replace(/-/g, '--')}--${n}\n`);
      blockStat.push(this.w.counter(`${sysdir}/stat`, this.blockStatText(sim, n)));
      this.w.symlink(`sys/class/block/${kname}`, `../../devices/virtual/block/${kname}`);
      this.w.symlink(`sys/dev/block/${DM_MAJOR}:${minor}`, `../../devices/virtual/block/${kname}`);
      info.disks.push(target);
      info.diskDirs.push(`/sys/dev/block/${DM_MAJOR}:${minor}`);
    });
    const nicsXml: string[] = [];
    for (let n = 0; n < 2; n++) {
      const ifname = `vnet${2 * (id - 1) + n}`;
      const mac = `52:54:00:${hex2(id >> 8)}:${hex2(id)}:${hex2(n)}`;
      const src = n === 0 ? `<source bridge='br0'/>` : `<source network='default' portid='${simUuid('kvm', `${info.name}-port${n}`)}' bridge='virbr0'/>`;
      nicsXml.push(
        `      <interface type='${n === 0 ? 'bridge' : 'network'}'>\n        <mac address='${mac}'/>\n        ${src}\n        <target dev='${ifname}'/>\n        <model type='virtio'/>\n` +
          `        <alias name='net${n}'/>\n        <address type='pci' domain='0x0000' bus='0x0${1 + n}' slot='0x00' function='0x0'/>\n      </interface>\n`,
      );
      info.interfaces.push(ifname);
    }
    const body = (live: boolean) =>
      `  <domain type='kvm'${live ? ` id='${id}'` : ''}>\n    <name>${info.name}</name>\n    <uuid>${info.uuid}</uuid>\n    <memory unit='KiB'>${p.memKiB}</memory>\n    <currentMemory unit='KiB'>${p.memKiB}</currentMemory>\n` +
      `    <vcpu placement='static'>2</vcpu>\n    <resource>\n      <partition>/machine</partition>\n    </resource>\n` +
      `    <os>\n      <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>\n      <boot dev='hd'/>\n    </os>\n    <features>\n      <acpi/>\n      <apic/>\n    </features>\n` +
      `    <cpu mode='host-passthrough' check='none' migratable='on'/>\n    <clock offset='utc'>\n      <timer name='rtc' tickpolicy='catchup'/>\n    </clock>\n` +
      `    <on_poweroff>destroy</on_poweroff>\n    <on_reboot>restart</on_reboot>\n    <on_crash>destroy</on_crash>\n` +
      `    <devices>\n      <emulator>/usr/bin/qemu-system-x86_64</emulator>\n${disksXml.join('')}${nicsXml.join('')}` +
      `      <serial type='pty'>\n        <target type='isa-serial' port='0'>\n          <model name='isa-serial'/>\n        </target>\n        <alias name='serial0'/>\n      </serial>\n` +
      `      <memballoon model='virtio'>\n        <stats period='5'/>\n        <alias name='balloon0'/>\n      </memballoon>\n    </devices>\n  </domain>\n`;
    const warning = `<!--\nWARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE\nOVERWRITTEN AND LOST. Changes to this xml configuration should be made using:\n  virsh edit ${info.name}\nor other application using the libvirt API.\n-->\n\n`;
    const status =
      `${warning}<domstatus state='running' reason='booted' pid='${pid}'>\n  <taint flag='high-privileges'/>\n` +
      `  <monitor path='/var/lib/libvirt/qemu/domain-${id}-${info.name}/monitor.sock' type='unix'/>\n  <namespaces>\n    <mount/>\n  </namespaces>\n` +
      `  <vcpus>\n${tids.map((t, k) => `    <vcpu id='${k}' pid='${t}'/>\n`).join('')}  </vcpus>\n` +
      `  <qemuCaps>\n    <flag name='kvm'/>\n    <flag name='blockdev'/>\n    <flag name='query-stats'/>\n    <version>7002000</version>\n    <kvmVersion>0</kvmVersion>\n    <arch>x86_64</arch>\n  </qemuCaps>\n` +
      `  <libDir path='/var/lib/libvirt/qemu/domain-${id}-${info.name}'/>\n  <chardevStdioLogd/>\n  <blockjobs active='no'/>\n  <agentTimeout>-2</agentTimeout>\n` +
      `${body(true)}</domstatus>\n`;
    this.w.static(`run/libvirt/qemu/${info.name}.xml`, status);
    this.w.static(`etc/libvirt/qemu/${info.name}.xml`, warning + body(false).replace(/^ {2}/gm, ''));

    // The QEMU process and its vCPU threads.
    // Its cgroups, in the host's layout; /proc/<pid>/cgroup says where.
    const minor0 = 2 * (id - 1);
    const io: IoTarget[] = [
      { major: DM_MAJOR, minor: minor0, disks: [0] },
      { major: DM_MAJOR, minor: minor0 + 1, disks: [1] },
      { major: PV.major, minor: PV.minor, disks: [0, 1] },
    ];
    const cgroup = new CgroupModel(sim, id, io, this.t);
    const n = this.hostCpus;
    const cgroupFiles = new DomainCgroupFiles(
      this.w,
      this.cgroup,
      { id, name: info.name, pid, tids, hostCpus: n, cpuShare: this.cpuWeights.map((_, i) => this.cpuWeights[(i + id) % n]!) },
      cgroup.last,
    );
    this.w.static(`proc/${pid}/cgroup`, cgroupFiles.procCgroup);
    this.w.static(
      `proc/${pid}/status`,
      F.procStatus(pid, pid - 1, 7, Math.round(p.memKiB * 1.3 + 1_400_000), Math.round(sim.c.rssKiB), `0-${this.hostCpus - 1}`),
    );
    this.w.static(
      `proc/${pid}/cmdline`,
      `/usr/bin/qemu-system-x86_64\0-name\0guest=${info.name},debug-threads=on\0-S\0-machine\0pc-q35-7.2,usb=off\0-m\0${Math.round(p.memKiB / 1024)}\0`,
    );
    const pidStat = this.w.counter(`proc/${pid}/stat`, this.pidStatText(dom));
    const pidIo = this.w.counter(`proc/${pid}/io`, F.procPidIo(sim.c));
    const taskStat: CounterFile[] = [];
    const taskSched: CounterFile[] = [];
    const taskSchedstat: CounterFile[] = [];
    tids.forEach((tid, k) => {
      taskStat.push(this.w.counter(`proc/${pid}/task/${tid}/stat`, this.taskStatText(dom, k)));
      taskSched.push(this.w.counter(`proc/${pid}/task/${tid}/sched`, this.schedText(dom, k)));
      const v = sim.c.vcpus[k]!;
      taskSchedstat.push(this.w.counter(`proc/${pid}/task/${tid}/schedstat`, F.schedstat(v.runNs, v.waitNs, v.slices)));
    });

    const files: KvmFiles = {
      pidStat,
      pidIo,
      taskStat,
      taskSched,
      taskSchedstat,
      blockStat,
      cgroup,
      cgroupFiles,
    };
    dom.kvm = files;
  }

  /** The physical volume under the volume group of every domain's disks (its I/O is in each domain's io.stat). */
  private writePhysicalVolume(): void {
    const dir = 'sys/devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda';
    const sectors = this.doms.reduce((s, d) => s + d.sim.profile.disks.reduce((t, x) => t + x.sizeSectors, 0), 0);
    this.w.static(`${dir}/dev`, `${PV.major}:${PV.minor}\n`);
    this.w.static(`${dir}/uevent`, `MAJOR=${PV.major}\nMINOR=${PV.minor}\nDEVNAME=${PV.name}\nDEVTYPE=disk\nDISKSEQ=1\n`);
    this.w.static(`${dir}/size`, F.single(Math.ceil((sectors * 1.1) / 2048) * 2048));
    this.w.static(`${dir}/ro`, '0\n');
    this.w.symlink(`sys/class/block/${PV.name}`, `../../${dir.slice('sys/'.length)}`);
    this.w.symlink(`sys/dev/block/${PV.major}:${PV.minor}`, `../../${dir.slice('sys/'.length)}`);
    this.w.static(`dev/${PV.name}`, '');
  }

  /** The domain's CPU as its cgroup counts it: vCPU threads plus the emulator. */
  private domCpu(sim: SimDomain): [number, number] {
    const c = sim.c;
    return [c.vcpus[0]!.userNs + c.vcpus[1]!.userNs + c.emuUserNs, c.vcpus[0]!.sysNs + c.vcpus[1]!.sysNs + c.emuSysNs];
  }

  private blockStatText(sim: SimDomain, n: number): string {
    const c = sim.c.disks[n]!;
    return F.blockStat([
      c.rdReq,
      c.rdMerges,
      c.rdSect,
      c.rdMs,
      c.wrReq,
      c.wrMerges,
      c.wrSect,
      c.wrMs,
      c.inFlight,
      c.ioMs,
      c.queueMs,
      c.dsReq,
      c.dsMerges,
      c.dsSect,
      c.dsMs,
      c.flReq,
      c.flMs,
    ]);
  }

  private pidStatText(dom: Dom): string {
    const c = dom.sim.c;
    const p = dom.sim.profile;
    const pid = this.kvmPid(dom);
    const [u, s] = this.domCpu(dom.sim);
    return F.pidStat({
      pid,
      comm: 'qemu-system-x86',
      ppid: 1,
      pgrp: pid - 1,
      minflt: c.minflt,
      majflt: c.majflt,
      utimeTicks: u / 1e7,
      stimeTicks: s / 1e7,
      threads: 7,
      starttime: Math.floor((this.hostUptime - p.uptime) * 100),
      vsize: Math.round(p.memKiB * 1.3 + 1_400_000) * 1024,
      rssPages: c.rssKiB / 4,
      processor: dom.info.id % this.hostCpus,
      guestTicks: (c.vcpus[0]!.userNs + c.vcpus[1]!.userNs) / 1e7,
      flags: 138412416,
    });
  }

  private taskStatText(dom: Dom, k: number): string {
    const v = dom.sim.c.vcpus[k]!;
    const pid = this.kvmPid(dom);
    return F.pidStat({
      pid: pid + 5 + k,
      comm: `CPU ${k}/KVM`,
      ppid: 1,
      pgrp: pid - 1,
      minflt: dom.sim.c.minflt * 0.1,
      majflt: 0,
      utimeTicks: v.userNs / 1e7,
      stimeTicks: v.sysNs / 1e7,
      threads: 7,
      starttime: Math.floor((this.hostUptime - dom.sim.profile.uptime) * 100) + 5,
      vsize: Math.round(dom.sim.profile.memKiB * 1.3 + 1_400_000) * 1024,
      rssPages: dom.sim.c.rssKiB / 4,
      processor: (dom.info.id * 2 + k) % this.hostCpus,
      guestTicks: v.userNs / 1e7,
      flags: 138412224,
    });
  }

  private schedText(dom: Dom, k: number): string {
    const v = dom.sim.c.vcpus[k]!;
    const now = (this.hostUptime + this.t) * 1e9;
    return F.schedFile({
      comm: `CPU ${k}/KVM`,
      tid: this.kvmPid(dom) + 5 + k,
      threads: 7,
      execStartNs: now - 1e6 * (1 + (dom.info.id % 5)),
      runNs: v.runNs,
      waitNs: v.waitNs,
      waitMaxNs: v.waitMaxNs,
      waits: v.waits,
      sleepNs: Math.max(0, (dom.sim.profile.uptime + this.t) * 1e9 - v.runNs - v.waitNs),
      migrations: v.migrations,
      voluntary: v.voluntary,
      involuntary: v.involuntary,
    });
  }

  /** The root group's CPU time (the whole host: guests, plus host processes outside the VMs' slice) and the slice's. */
  private hostCgroupCpu(): HostCgroupCpu {
    return {
      root: { user: this.cpu.user * 1e7, sys: (this.cpu.system + this.cpu.irq + this.cpu.softirq) * 1e7 },
      slice: { user: this.cg.userNs, sys: this.cg.sysNs },
    };
  }

  // ---- The host ------------------------------------------------------------------------------

  /** Host counters since boot: the guests' share plus the host's own. */
  private bootHost(): void {
    const tot = emptyTotals();
    for (const d of this.doms) {
      const c = d.sim.c;
      for (const v of c.vcpus) tot.guestNs += v.runNs;
      tot.emuUserNs += c.emuUserNs;
      tot.emuSysNs += c.emuSysNs;
      for (const nic of c.nics) {
        tot.rxBytes += nic.rxBytes;
        tot.txBytes += nic.txBytes;
        tot.rxPkts += nic.rxPkts;
        tot.txPkts += nic.txPkts;
      }
      for (const disk of c.disks) tot.ioReqs += disk.rdReq + disk.wrReq;
      for (const v of c.vcpus) tot.slices += v.slices;
    }
    this.stepHost(tot, this.hostUptime, true);
  }

  private stepHost(tot: StepTotals, dt: number, smooth = false): void {
    const cap = this.hostCpus * dt * 100; // ticks available
    const j = (s: number) => (smooth ? 1 : this.rng.jitter(s));
    const cpu = this.cpu;
    let busy = 0;
    const add = (k: keyof F.CpuTicks, ticks: number) => {
      cpu[k] += ticks;
      if (k !== 'guest' && k !== 'guestNice') busy += ticks;
    };
    if (this.kind === 'kvm') {
      const guest = tot.guestNs / 1e7;
      add('user', guest + tot.emuUserNs / 1e7 + 0.01 * cap * j(0.3));
      cpu.guest += guest;
      add('system', tot.emuSysNs / 1e7 + 0.005 * cap * j(0.3));
      this.cg.userNs += tot.guestNs * 0.93 + tot.emuUserNs;
      this.cg.sysNs += tot.guestNs * 0.07 + tot.emuSysNs;
    } else {
      // dom0: the backends (netback, blkback) work per packet and per request.
      add('user', 0.01 * cap * j(0.3));
      add('system', ((tot.rxPkts + tot.txPkts) * 2e-6 + tot.ioReqs * 8e-6) * 100 + 0.005 * cap * j(0.3));
    }
    add('softirq', (tot.rxPkts + tot.txPkts) * 1e-6 * 100);
    add('irq', (tot.ioReqs * 2e-6 + 0.0005 * dt) * 100);
    add('iowait', 0.002 * cap * j(0.5));
    add('steal', 0);
    cpu.idle += Math.max(0, cap - busy);
    this.misc.ctxt += tot.slices + 2000 * dt * this.hostCpus;
    this.misc.intr += tot.rxPkts * 0.1 + tot.txPkts * 0.1 + tot.ioReqs + 1000 * dt * this.hostCpus;
    this.misc.softirq += (tot.rxPkts + tot.txPkts) * 0.2 + 300 * dt * this.hostCpus;
    this.misc.processes += smooth ? 0.05 * dt : this.rng.poisson(0.05 * dt);
    // External traffic crosses eth0; the bridges and lo carry only the host's own.
    const n = this.net;
    n.ethRxB += tot.rxBytes + 800 * dt;
    n.ethRxP += tot.rxPkts + 4 * dt;
    n.ethTxB += tot.txBytes + 600 * dt;
    n.ethTxP += tot.txPkts + 3 * dt;
    n.loB += 2000 * dt * j(0.5);
    n.loP += 20 * dt;
    n.brRxB += 120 * dt;
    n.brRxP += 1.5 * dt;
    n.brTxB += 90 * dt;
    n.brTxP += 1 * dt;
  }

  private statText(): string {
    return F.procStat(this.cpu, this.cpuWeights, {
      intr: this.misc.intr,
      ctxt: this.misc.ctxt,
      btime: this.btime,
      processes: this.misc.processes + 20000,
      running: 1 + (Math.floor(this.t) % 3),
      blocked: 0,
      softirq: this.misc.softirq,
    });
  }

  private meminfoText(): string {
    const m = this.mem;
    const guests = this.kind === 'kvm' ? this.doms.reduce((s, d) => s + d.sim.c.rssKiB, 0) : 0;
    const anon = guests + m.hostUsed + 20000 * Math.sin(this.t / 30);
    const cached = m.cached + 50000 * Math.sin(this.t / 90);
    const free = Math.max(65536, m.total - anon - cached - m.buffers - 400000);
    // The guests' swapped-out memory (their cgroups' swap), and the host's own 1 MiB.
    const swapTotal = 8 * 1048576;
    const swapped = this.doms.reduce((s, d) => s + (d.kvm === undefined ? 0 : d.kvm.cgroup.last.mem.swap / 1024), 1024);
    return F.meminfo({
      total: m.total,
      free,
      available: free + cached * 0.8 + m.buffers,
      buffers: m.buffers,
      cached,
      swapTotal,
      swapFree: Math.max(0, swapTotal - swapped),
      anon,
    });
  }

  private netDevText(): string {
    const n = this.net;
    const bridges = this.kind === 'xen' ? ['xenbr0', 'xenbr1'] : ['br0', 'virbr0'];
    let out = F.NET_DEV_HEADER;
    out += F.netDevLine('lo', n.loB, n.loP, 0, 0, 0, n.loB, n.loP, 0, 0);
    out += F.netDevLine('eth0', n.ethRxB, n.ethRxP, 0, n.ethRxP * 1e-6, n.ethRxP * 1e-4, n.ethTxB, n.ethTxP, 0, 0);
    for (const b of bridges) out += F.netDevLine(b, n.brRxB, n.brRxP, 0, 0, n.brRxP * 0.1, n.brTxB, n.brTxP, 0, 0);
    for (const d of this.doms) {
      d.sim.c.nics.forEach((c, k) => {
        // Host view: what the guest sends the host receives.
        out += F.netDevLine(d.info.interfaces[k]!, c.txBytes, c.txPkts, c.txErrs, c.txDrop, 0, c.rxBytes, c.rxPkts, c.rxErrs, c.rxDrop);
      });
    }
    return out;
  }

  // ---- Advancing -----------------------------------------------------------------------------

  advance(seconds: number): void {
    if (!(seconds > 0) || !Number.isFinite(seconds)) return;
    this.t += seconds;
    const tot = emptyTotals();
    for (const d of this.doms) d.sim.step(this.rng, this.t, seconds, tot, this.steady);
    this.stepHost(tot, seconds, this.steady);
    const w = this.w;
    for (const d of this.doms) {
      if (d.xen !== undefined) {
        d.xen.stats.forEach((files, n) => {
          const texts = this.xenStatTexts(d.sim, n);
          files.forEach((f, k) => w.update(f, texts[k]!));
        });
      }
      const k = d.kvm;
      if (k !== undefined) {
        const c = d.sim.c;
        w.update(k.pidStat, this.pidStatText(d));
        w.update(k.pidIo, F.procPidIo(c));
        for (let v = 0; v < 2; v++) {
          const vc = c.vcpus[v]!;
          w.update(k.taskStat[v]!, this.taskStatText(d, v));
          w.update(k.taskSched[v]!, this.schedText(d, v));
          w.update(k.taskSchedstat[v]!, F.schedstat(vc.runNs, vc.waitNs, vc.slices));
        }
        k.cgroupFiles.update(k.cgroup.read(this.t));
        k.blockStat.forEach((f, n) => w.update(f, this.blockStatText(d.sim, n)));
      }
    }
    w.update(this.files.netDev, this.netDevText());
    w.update(this.files.stat, this.statText());
    w.update(this.files.meminfo, this.meminfoText());
    this.files.cgroups?.update(this.hostCgroupCpu());
  }

  close(): void {
    this.w.close();
  }
}

export function createSimHost(opts: SimOptions): SimHost {
  return new Host(opts);
}
