// domstat capture: packs the files domstat reads on this host (or under --root) into a tarball,
// rooted like /, so a user can attach a real host to a bug report and it becomes a fixture that
// every command reads back with --root once unpacked. Secrets are stripped from domain XML.

import { Command } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hostOptions, type HostOptions } from './common.js';
import type { Io } from '../common/io.js';
import { RecordingHostFs } from '../host/recording-fs.js';
import { Connection } from '../connection/connection.js';
import { isGone, type HostFs } from '../host/hostfs.js';
import { HostReadError } from '../host/host-errors.js';
import { printable } from '../common/printable.js';
import { ALL_GROUPS } from '../agent/sampler.js';
import { CGROUP_ROOT } from '../drivers/kvm/cgroup.js';
import { formatDomstats } from '../export/virsh-text.js';
import { isActive } from '../stats/states.js';

/** Attributes that hold secrets in libvirt XML (graphics passwords and the like). */
// A value may hold the other quote character (passwd="it's"): it ends at its own quote only.
const SECRET_ATTR = /\s(passwd|password|passphrase|key|secret)\s*=\s*(?:'[^']*'|"[^"]*")/gi;
/** A network disk's HTTP cookies (libvirt prints them only in its secure format, as passwords). */
const COOKIE = /(<cookie\b[^>]*>)[^<]*(<\/cookie\s*>)/gi;
/** Extra command-line arguments and environment of a hypervisor namespace (qemu:arg, qemu:env,
 * lxc:, bhyve:): people pass secrets there (`-object secret,data=...`), and domstat reads none. */
const PASSTHROUGH = /<[\w.-]+:(?:arg|env)\b[^>]*>/gi;
const VALUE_ATTR = /\svalue\s*=\s*(?:'[^']*'|"[^"]*")/gi;

export function stripSecrets(xml: string): string {
  return xml
    .replace(SECRET_ATTR, '')
    .replace(COOKIE, '$1$2')
    .replace(PASSTHROUGH, (tag) => tag.replace(VALUE_ATTR, ''));
}

const STATFS_NAMES: Record<number, string> = { 0x63677270: 'cgroup2fs', 0x01021994: 'tmpfs', 0x27e0eb: 'cgroupfs' };

export function captureCommand(io: Io): Command {
  return hostOptions(new Command('capture').description('pack the files domstat reads into a tarball (secrets stripped) for bug reports and fixtures'), false)
    .requiredOption('-o, --output <file>', 'the tarball to write, e.g. host.tar.gz')
    .action(async (opts: HostOptions & { output: string }) => {
      const rfs = new RecordingHostFs(opts.root);
      const conn = new Connection({ ...(opts.xmlDir !== undefined ? { xmlDir: opts.xmlDir } : {}), fs: rfs });
      // Everything the CLI and the agent read: inventory, every group, per-CPU figures, memory, host totals.
      const doms = conn.listAllDomains();
      // First what `domstat domstats` shows (kept as expected output), then domstat's own keys.
      const records = conn.getAllDomainStats(0, 0);
      conn.getAllDomainStats(ALL_GROUPS, 0);
      for (const d of doms.filter((x) => isActive(x.state))) {
        for (const call of [() => conn.cpuStats(d, 0, 128), () => conn.memoryStats(d)]) {
          try {
            call();
          } catch {
            // unsupported here: the capture still shows why
          }
        }
      }
      // The agent's host totals read these too.
      // One that cannot be read (a FIFO, say) is left out and said, as the commands above say theirs.
      for (const p of ['/proc/stat', '/proc/meminfo', '/proc/net/dev']) {
        try {
          rfs.readText(p);
        } catch (e) {
          if (!(e instanceof HostReadError)) throw e;
          io.err(`warning: ${printable(e.message)}\n`);
        }
      }
      for (const p of [`${CGROUP_ROOT}/cgroup.controllers`, `${CGROUP_ROOT}/unified/cgroup.controllers`, '/sys/devices/system/cpu/present']) rfs.exists(p);

      const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'domstat-capture-'));
      try {
        for (const d of rfs.dirs) fs.mkdirSync(path.join(stage, d), { recursive: true });
        // Subdirectories known by name only stay, empty: a Xen dom0 without libvirt has its
        // domains' vifs only as vif-D-N backend entries, with nothing inside that domstat reads.
        for (const [dir, names] of [...rfs.listings]) {
          for (const name of names) {
            const p = path.posix.join(dir, name);
            if (rfs.isDir(p)) fs.mkdirSync(path.join(stage, p), { recursive: true });
          }
        }
        let files = 0;
        for (const [f, text] of rfs.files) {
          fs.mkdirSync(path.join(stage, path.dirname(f)), { recursive: true });
          fs.writeFileSync(path.join(stage, f), f.endsWith('.xml') ? stripSecrets(Buffer.from(text, 'latin1').toString('utf8')) : Buffer.from(text, 'latin1'));
          files++;
        }
        // Block device sources: device nodes cannot travel in a tree, their kernel names can.
        // (Also under --root: a tree's own links, e.g. dev/vg0/alpha -> ../dm-3, are re-created.)
        for (const d of doms) {
          for (const disk of d.disks) {
            if (disk.type !== 'block' || disk.source === undefined) continue;
            addDeviceLink(stage, rfs, disk.source);
          }
        }
        const exp = path.join(stage, 'expected');
        fs.mkdirSync(exp, { recursive: true });
        fs.writeFileSync(path.join(exp, 'captured-at.txt'), `${new Date().toISOString()}\n`);
        fs.writeFileSync(path.join(exp, 'domstat-domstats.txt'), formatDomstats(records) + '\n');
        if (rfs.live) {
          const types = [CGROUP_ROOT, `${CGROUP_ROOT}/unified`].map((p) => [p, rfs.statfsType(p)] as const).filter(([, t]) => !isGone(t));
          fs.writeFileSync(
            path.join(exp, 'statfs-types.txt'),
            types.map(([p, t]) => `${p} ${STATFS_NAMES[t as number] ?? (t as number).toString(16)}\n`).join(''),
          );
        }
        const tar = await import('tar'); // loaded only here: the agent never needs it
        await tar.create({ gzip: true, file: opts.output, cwd: stage, portable: true }, fs.readdirSync(stage));
        io.err(`wrote ${opts.output}: ${files} files of ${doms.length} domain(s); unpack it and use --root DIR with any command\n`);
      } finally {
        fs.rmSync(stage, { recursive: true, force: true });
      }
    });
}

/** /dev/vg/lv -> ../dm-3 as a relative link to an empty placeholder, plus sys/class/block/dm-3/dev. */
function addDeviceLink(stage: string, hfs: HostFs, source: string): void {
  let real: string;
  let dev: string;
  try {
    const r = hfs.realHostPath(source);
    if (isGone(r)) return;
    real = r;
    const text = hfs.readText(`/sys/class/block/${path.basename(real)}/dev`, 64);
    if (isGone(text)) return;
    dev = text;
  } catch {
    return;
  }
  const devFile = `/sys/class/block/${path.basename(real)}/dev`;
  fs.mkdirSync(path.join(stage, path.dirname(devFile)), { recursive: true });
  fs.writeFileSync(path.join(stage, devFile), dev, 'latin1');
  fs.mkdirSync(path.join(stage, path.dirname(real)), { recursive: true });
  if (!fs.existsSync(path.join(stage, real))) fs.writeFileSync(path.join(stage, real), '');
  // Two disks (or domains) can share a source: the link is made once.
  const link = path.join(stage, source);
  if (source !== real && !isLink(link)) {
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.relative(path.dirname(source), real), link);
  }
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
