// Per-device commands: domifstat, domblkstat, domblklist, domiflist, dommemstat.

import { Command } from 'commander';
import { connect, hostOptions, type HostOptions } from './common.js';
import { printJson } from './io.js';
import { type Io } from '../common/io.js';
import { DomstatError, UsageError } from '../common/errors.js';
import { formatDomblkstat, formatDomifstat, formatTable } from '../export/virsh-text.js';
import { MEMORY_STAT_NAMES } from '../stats/records.js';

/**
 * virsh puts its own line before libvirt's error; domstat prints both on one line, for libvirt's
 * errors and its own (a host file unreadable, refused or malformed) alike.
 */
function failing<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof DomstatError && !(e instanceof UsageError)) throw new UsageError(`${what}: ${e.message}`);
    throw e;
  }
}

export function domifstatCommand(io: Io): Command {
  return hostOptions(new Command('domifstat').description("network interface statistics of a domain, in the guest's view (virsh domifstat)"))
    .argument('<domain>')
    .argument('<interface>', 'host device name (vif5.0, vnet0) or MAC address')
    .action((domain: string, iface: string, opts: HostOptions) => {
      const conn = connect(opts, io);
      const dom = conn.lookupDomain(domain);
      const s = failing(`Failed to get interface stats ${domain} ${iface}`, () => conn.interfaceStats(dom, iface));
      if (opts.json) printJson(io, { domain: dom.name, interface: iface, ...s });
      else io.out(formatDomifstat(iface, s) + '\n');
    });
}

export function domblkstatCommand(io: Io): Command {
  return hostOptions(new Command('domblkstat').description('block device statistics of a domain (virsh domblkstat); no device sums all disks'))
    .argument('<domain>')
    .argument('[device]', 'disk target (xvda, vdb) or source path', '')
    .option('--human', "virsh's human-readable labels")
    .action((domain: string, device: string, opts: HostOptions & { human?: boolean }) => {
      const conn = connect(opts, io);
      const dom = conn.lookupDomain(domain);
      const params = conn.blockStatsFlags(dom, device);
      if (opts.json) printJson(io, { domain: dom.name, device, stats: Object.fromEntries(params.map((p) => [p.field, p.value])) });
      else io.out(formatDomblkstat(device, params, !!opts.human) + '\n');
    });
}

export function domblklistCommand(io: Io): Command {
  return hostOptions(new Command('domblklist').description("a domain's disks (virsh domblklist)"))
    .argument('<domain>')
    .option('--details', 'also the disk type and device')
    .action((domain: string, opts: HostOptions & { details?: boolean }) => {
      const dom = connect(opts, io).lookupDomain(domain);
      if (opts.json) {
        printJson(
          io,
          dom.disks.map((d) => ({ type: d.type ?? null, device: d.device, target: d.target ?? null, source: d.source ?? null })),
        );
        return;
      }
      if (dom.disks.some((d) => d.target === undefined)) throw new UsageError('unable to query block list');
      const rows = dom.disks.map((d) => (opts.details ? [d.type ?? '-', d.device, d.target!, d.source ?? '-'] : [d.target!, d.source ?? '-']));
      io.out(formatTable(opts.details ? ['Type', 'Device', 'Target', 'Source'] : ['Target', 'Source'], rows) + '\n');
    });
}

export function domiflistCommand(io: Io): Command {
  return hostOptions(new Command('domiflist').description("a domain's network interfaces (virsh domiflist)"))
    .argument('<domain>')
    .action((domain: string, opts: HostOptions) => {
      const dom = connect(opts, io).lookupDomain(domain);
      if (opts.json) {
        printJson(
          io,
          dom.interfaces.map((n) => ({
            interface: n.target ?? null,
            type: n.type ?? null,
            source: n.source ?? null,
            model: n.model ?? null,
            mac: n.mac ?? null,
          })),
        );
        return;
      }
      const rows = dom.interfaces.map((n) => [n.target ?? '-', n.type ?? '-', n.source ?? '-', n.model ?? '-', n.mac ?? '-']);
      io.out(formatTable(['Interface', 'Type', 'Source', 'Model', 'MAC'], rows) + '\n');
    });
}

export function dommemstatCommand(io: Io): Command {
  return hostOptions(new Command('dommemstat').description('memory statistics known from host files (virsh dommemstat)'))
    .argument('<domain>')
    .action((domain: string, opts: HostOptions) => {
      const conn = connect(opts, io);
      const dom = conn.lookupDomain(domain);
      const stats = failing(`Failed to get memory statistics for domain ${domain}`, () => conn.memoryStats(dom));
      if (opts.json) printJson(io, { domain: dom.name, stats: Object.fromEntries(stats.map((s) => [MEMORY_STAT_NAMES[s.tag] ?? String(s.tag), s.val])) });
      else io.out(stats.map((s) => `${MEMORY_STAT_NAMES[s.tag] ?? s.tag} ${s.val}\n`).join('') + '\n');
    });
}
