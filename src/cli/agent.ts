import { Command, Option } from 'commander';
import { hostOptions, intInRange, type HostOptions } from './common.js';
import type { Io } from '../common/io.js';
import { Agent } from '../agent/agent.js';
import { DEFAULT_RETENTION } from '../store/retention.js';
import type { StatsServer } from '../export/http-server.js';
import { parseDuration, parseSize } from '../common/time.js';
import { UsageError } from '../common/errors.js';

export interface AgentCliOptions extends HostOptions {
  db: string;
  interval: string;
  quiet?: boolean;
  keepRaw: string;
  keepMinutes: string;
  keepHours: string;
  maxSize: string;
  listen?: string;
  dryRun?: boolean;
  domains?: number;
}

export function agentCommand(io: Io): Command {
  return hostOptions(new Command('agent').description('sample every domain into a SQLite history on a steady schedule'), false)
    .addOption(new Option('--db <file>', 'history database').default('domstat.db'))
    .addOption(new Option('--interval <seconds>', 'seconds between samples (1 and up)').default('10'))
    .option('--quiet', 'no status line per tick (for services); errors are still printed')
    .addOption(new Option('--keep-raw <duration>', 'how long raw samples are kept').default('2d'))
    .addOption(new Option('--keep-minutes <duration>', 'how long 1-minute rollups are kept').default('90d'))
    .addOption(new Option('--keep-hours <duration>', 'how long 1-hour rollups are kept').default('2y'))
    .addOption(new Option('--max-size <size>', 'cap on the database size; oldest data goes first').default('4G'))
    .option('--listen <[host:]port>', 'serve /metrics (Prometheus) and the web page; loopback unless a host is given (":9177" = all addresses)')
    .option('--dry-run', "project the database size of this configuration (the host's domains now, or --domains) and exit")
    .option('--domains <n>', 'with --dry-run: project for N domains of 2 vCPUs, 2 NICs and 2 disks', intInRange('--domains', 0, 1_000_000))
    .action(async (opts: AgentCliOptions) => {
      const intervalMs = parseDuration(opts.interval, '--interval');
      if (!(intervalMs >= 1000)) throw new UsageError('--interval: 1 second is the shortest interval');
      const retention = {
        ...DEFAULT_RETENTION,
        rawMs: parseDuration(opts.keepRaw, '--keep-raw'),
        minuteMs: parseDuration(opts.keepMinutes, '--keep-minutes'),
        hourMs: parseDuration(opts.keepHours, '--keep-hours'),
        maxBytes: parseSize(opts.maxSize, '--max-size'),
      };
      if (opts.domains !== undefined && !opts.dryRun) throw new UsageError('--domains: only with --dry-run');
      if (opts.dryRun) {
        const { dryRun } = await import('./dry-run.js');
        return dryRun(io, { ...opts, intervalMs, retention });
      }
      const agent = new Agent({
        root: opts.root,
        ...(opts.xmlDir !== undefined ? { xmlDir: opts.xmlDir } : {}),
        dbFile: opts.db,
        intervalMs,
        quiet: !!opts.quiet,
        io,
        retention,
      });
      let server: StatsServer | null = null;
      if (opts.listen !== undefined) {
        // The exporter's code is loaded only when it serves (the agent's memory, see README).
        const http = await import('../export/http-server.js');
        const listen = http.parseListen(opts.listen);
        const { exportInputOf } = await import('../export/records.js');
        server = new http.StatsServer(() => (agent.latest === null ? null : exportInputOf(agent.latest)), opts.db);
        const at = await server.listen(listen);
        agent.log.info(`serving http://${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}/metrics and the web page at /`);
      }
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      try {
        await agent.run(stop.signal);
      } finally {
        await server?.close();
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });
}
