import * as path from 'node:path';
import { Command, Option } from 'commander';
import { hostOptions, intInRange, type HostOptions } from './common.js';
import type { Io } from '../common/io.js';
import { Agent } from '../agent/agent.js';
import { DEFAULT_RETENTION, MINUTES_KEPT_AT_LEAST } from '../store/retention.js';
import type { ServingThread } from '../export/serving.js';
import { checkAllowHost } from '../export/host-allow.js';
import { CENTURY_MS, parseDuration, parseSize } from '../common/time.js';
import { UsageError } from '../common/errors.js';
import type { Kind } from '../sample/row-map.js';

export interface AgentCliOptions extends HostOptions {
  db: string;
  interval: string;
  quiet?: boolean;
  keepRaw: string;
  keepMinutes: string;
  keepHours: string;
  maxSize: string;
  listen?: string;
  allowHost: string[];
  dryRun?: boolean;
  domains?: number;
  cgroupIo?: boolean;
  numa?: boolean;
}

export function agentCommand(io: Io): Command {
  return hostOptions(new Command('agent').description('sample every domain into a SQLite history on a steady schedule'), false)
    .addOption(new Option('--db <file>', 'history database').default('domstat.db'))
    .addOption(new Option('--interval <seconds>', 'seconds between samples (1 to 86400)').default('10'))
    .option('--quiet', 'no status line per tick (for services); errors are still printed')
    .addOption(new Option('--keep-raw <duration>', 'how long raw samples are kept').default('2d'))
    .addOption(new Option('--keep-minutes <duration>', 'how long 1-minute rollups are kept').default('90d'))
    .addOption(new Option('--keep-hours <duration>', 'how long 1-hour rollups are kept').default('2y'))
    .addOption(new Option('--max-size <size>', 'cap on the database size; oldest data goes first').default('4G'))
    .option('--listen <[host:]port>', 'serve /metrics (Prometheus) and the web page; loopback unless a host is given (":9177" = all addresses)')
    .option(
      '--allow-host <name>',
      "with --listen: also answer requests for this Host name (repeat for more; *.example.net for every name under it); loopback names, IP addresses, the listen address and this host's name always are",
      (v: string, prev: string[]) => [...prev, checkAllowHost(v)],
      [] as string[],
    )
    .option('--cgroup-io', "also sample, store and export each domain's cgroup I/O per host block device (domstats --cgroup-io; KVM)")
    .option('--numa', "also sample, store and export each domain's memory per NUMA node (domstats --numa; KVM)")
    .option('--dry-run', "project the database size of this configuration (the host's domains now, or --domains) and exit")
    .option('--domains <n>', 'with --dry-run: project for N domains of 2 vCPUs, 2 NICs and 2 disks', intInRange('--domains', 0, 1_000_000))
    .action(async (opts: AgentCliOptions) => {
      const intervalMs = parseDuration(opts.interval, '--interval');
      if (!(intervalMs >= 1000)) throw new UsageError('--interval: 1 second is the shortest interval');
      // A day at most, as top's -d: beyond 2^31 ms a timer would fire at once.
      if (intervalMs > 86_400_000) throw new UsageError('--interval: a day is the longest interval');
      // A century at most: beyond it a projection is a number no disk holds, and stamps run out of meaning.
      const keep = (v: string, name: string) => {
        const ms = parseDuration(v, name);
        if (ms > CENTURY_MS) throw new UsageError(`${name}: 100 years is the longest retention`);
        return ms;
      };
      const retention = {
        ...DEFAULT_RETENTION,
        rawMs: keep(opts.keepRaw, '--keep-raw'),
        minuteMs: Math.max(keep(opts.keepMinutes, '--keep-minutes'), MINUTES_KEPT_AT_LEAST),
        hourMs: keep(opts.keepHours, '--keep-hours'),
        maxBytes: parseSize(opts.maxSize, '--max-size'),
      };
      const kinds: Kind[] = [...(opts.cgroupIo ? (['cgroup_io'] as const) : []), ...(opts.numa ? (['numa'] as const) : [])];
      if (opts.domains !== undefined && !opts.dryRun) throw new UsageError('--domains: only with --dry-run');
      if (opts.dryRun) {
        const { dryRun } = await import('./dry-run.js');
        return dryRun(io, { ...opts, intervalMs, retention, kinds });
      }
      if (opts.allowHost.length > 0 && opts.listen === undefined) throw new UsageError('--allow-host: only with --listen');
      let serving: ServingThread | null = null;
      let told = false;
      const agent: Agent = new Agent({
        root: opts.root,
        ...(opts.xmlDir !== undefined ? { xmlDir: opts.xmlDir } : {}),
        dbFile: opts.db,
        intervalMs,
        quiet: !!opts.quiet,
        io,
        retention,
        kinds,
        onTick: (_, report) => {
          // The tick the agent has just published, posted once to the serving thread.
          if (agent.latest !== null) serving?.post({ ...agent.latest, cutTiers: agent.cutTiers, storeFile: agent.storeFile });
          if (!told && report.ok) {
            told = true;
            agent.log.info(startMessage(opts, intervalMs, serving?.address ?? null));
          }
        },
      });
      if (opts.listen !== undefined) {
        // The exporter's code is loaded only when it serves (the agent's memory, see README).
        const { parseListen } = await import('../export/http-server.js');
        const { ServingThread } = await import('../export/serving.js');
        serving = await ServingThread.start({
          listen: parseListen(opts.listen),
          dbFile: opts.db,
          allowHosts: opts.allowHost,
          store: { maxBytes: retention.maxBytes, retentionMs: { raw: retention.rawMs, '1m': retention.minuteMs, '1h': retention.hourMs } },
          log: (m) => agent.log.once(m),
        });
        agent.log.info(`serving ${urlOf(serving.address)}/metrics and the web page at /`);
      }
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      // SIGHUP too: a terminal that closes under an agent started in it ends it, cleanly.
      for (const sig of STOP_SIGNALS) process.once(sig, onSignal);
      try {
        await agent.run(stop.signal);
      } finally {
        await serving?.close();
        for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
      }
    });
}

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

const urlOf = (l: { host: string; port: number }) => `http://${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}`;

/** Said once, after the first tick is stored: where the history is, how often, and what to run next. */
function startMessage(opts: AgentCliOptions, intervalMs: number, at: { host: string; port: number } | null): string {
  const db = path.resolve(opts.db);
  const q = (s: string) => (/^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const root = opts.root === '/' ? '' : ` --root ${q(opts.root)}`;
  return (
    `first tick stored in ${db}; sampling every ${intervalMs / 1000} s. ` +
    `See what it holds: domstat history --list --db ${q(db)}; live: domstat top${root}; ` +
    (at === null ? `Prometheus and the web page: add --listen 127.0.0.1:9177` : `the web page: ${urlOf(at)}/`)
  );
}
