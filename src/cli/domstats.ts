import { Command } from 'commander';
import { connect, hostOptions, type HostOptions } from './common.js';
import { printJson } from './io.js';
import { type Io } from '../common/io.js';
import { formatDomstats } from '../export/virsh-text.js';
import { GROUP_ORDER, StatsFlag } from '../stats/groups.js';
import type { DomainStatsRecord } from '../stats/records.js';

/** libvirt's groups plus domstat's own, as --<name> options. */
const GROUP_OPTIONS = GROUP_ORDER;

/** domstat's own groups, which libvirt does not have. */
const GROUP_HELP: Partial<Record<(typeof GROUP_ORDER)[number][0], string>> = {
  extra: "domstat's own keys (extra.*), not libvirt's",
  pressure: "the VM cgroup's pressure stall totals (pressure.*, KVM; domstat's own)",
  'cgroup-memory': "the VM cgroup's memory: usage, stat, events (cgroup.memory.*, KVM; domstat's own)",
  'cpu-throttle': "CPU bandwidth throttling of the VM's cgroup (cgroup.cpu.*, KVM; domstat's own)",
  'cgroup-io': "the VM cgroup's I/O per host block device (cgroup.io.*, KVM; domstat's own)",
  numa: "the VM cgroup's memory per NUMA node (cgroup.numa.*, KVM; domstat's own)",
};

const FILTER_OPTIONS = [
  ['list-active', StatsFlag.ACTIVE],
  ['list-inactive', StatsFlag.INACTIVE],
  ['list-persistent', StatsFlag.PERSISTENT],
  ['list-transient', StatsFlag.TRANSIENT],
  ['list-running', StatsFlag.RUNNING],
  ['list-paused', StatsFlag.PAUSED],
  ['list-shutoff', StatsFlag.SHUTOFF],
  ['list-other', StatsFlag.OTHER],
] as const;

const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export function recordsJson(records: readonly DomainStatsRecord[]) {
  return records.map((r) => ({ domain: r.domain.name, uuid: r.domain.uuid ?? null, stats: Object.fromEntries(r.params.map((p) => [p.field, p.value])) }));
}

export function domstatsCommand(io: Io): Command {
  const cmd = hostOptions(
    new Command('domstats')
      .description('statistics of domains in libvirt typed-parameter form (virsh domstats)')
      .argument('[domain...]', 'domain names, ids or uuids'),
  );
  for (const [name] of GROUP_OPTIONS) cmd.option(`--${name}`, GROUP_HELP[name] ?? `the ${name} group`);
  for (const [name] of FILTER_OPTIONS) cmd.option(`--${name}`, `only ${name.slice(5)} domains`);
  cmd
    .option('--enforce', 'fail if a requested group is not supported')
    .option('--backing', 'list backing chain layers in the block group')
    .option('--nowait', 'accepted for compatibility: domstat never waits on a domain')
    .option('--raw', 'accepted for compatibility (virsh prints raw values too)')
    .action((names: string[], opts: HostOptions & Record<string, boolean | undefined>) => {
      let stats = 0;
      for (const [name, bit] of GROUP_OPTIONS) if (opts[camel(name)]) stats |= bit;
      let flags = 0;
      for (const [name, bit] of FILTER_OPTIONS) if (opts[camel(name)]) flags |= bit;
      if (opts.backing) flags += StatsFlag.BACKING;
      if (opts.enforce) flags += StatsFlag.ENFORCE_STATS;
      const conn = connect(opts, io);
      const records =
        names.length > 0
          ? conn.domainListGetStats(
              names.map((n) => conn.lookupDomain(n)),
              stats,
              flags,
            )
          : conn.getAllDomainStats(stats, flags);
      for (const p of conn.lastProblems) io.err(`warning: domain '${p.domain}': ${p.message}\n`);
      if (opts.json) printJson(io, recordsJson(records));
      else io.out(formatDomstats(records) + '\n');
    });
  return cmd;
}
