import { Command } from 'commander';
import { connect, hostOptions, intOption, type HostOptions } from './common.js';
import { printJson } from './io.js';
import { type Io } from '../common/io.js';
import { DomstatError, UsageError } from '../common/errors.js';
import { formatCpuStatsFields } from '../export/virsh-text.js';
import type { Connection } from '../connection/connection.js';
import type { Domain } from '../stats/domain.js';
import type { CpuStatsParams } from '../drivers/driver.js';
import { VirError, VirErrorCode } from '../stats/errors.js';

const CHUNK = 128;

function perCpu(conn: Connection, dom: Domain, start: number, count: number | undefined, io: Io): CpuStatsParams['cpus'] {
  const max = conn.cpuStats(dom, 0, 0, 0) as number;
  if (start >= max) throw new UsageError(`Start CPU ${start} is out of range (min: 0, max: ${max - 1})`);
  let n = count;
  if (n === undefined || n > max) {
    if (n !== undefined) io.out(`Only ${max} CPUs available to show\n`);
    n = max - start;
  }
  const cpus: CpuStatsParams['cpus'] = [];
  for (let c = start; c < start + n; c += CHUNK) {
    const r = conn.cpuStats(dom, c, Math.min(CHUNK, start + n - c)) as CpuStatsParams;
    cpus.push(...r.cpus);
  }
  return cpus;
}

export function cpuStatsCommand(io: Io): Command {
  return hostOptions(new Command('cpu-stats').description('CPU time of a domain, per host CPU and in total (virsh cpu-stats)'))
    .argument('<domain>')
    .option('--start <n>', 'first host CPU to show', intOption('--start'))
    .option('--count <n>', 'number of host CPUs to show', intOption('--count'))
    .option('--total', 'show the total')
    .action((domain: string, opts: HostOptions & { start?: number; count?: number; total?: boolean }) => {
      if (opts.start !== undefined && opts.start < 0) throw new UsageError('Invalid value for start CPU');
      if (opts.count !== undefined && opts.count < 0) throw new UsageError('Invalid value for number of CPUs to show');
      const explicit = opts.start !== undefined || opts.count !== undefined;
      const showPerCpu = explicit || !opts.total;
      const showTotal = opts.total || !explicit;
      const conn = connect(opts, io);
      const dom = conn.lookupDomain(domain);
      const fail = (e: unknown) =>
        e instanceof DomstatError && !(e instanceof UsageError) ? new UsageError(`Failed to retrieve CPU statistics for domain '${domain}': ${e.message}`) : e;
      let cpus: CpuStatsParams['cpus'] = [];
      if (showPerCpu) {
        try {
          cpus = perCpu(conn, dom, opts.start ?? 0, opts.count, io);
        } catch (e) {
          // libvirt aborts the whole command when per-CPU figures are unsupported (cgroup v2);
          // without an explicit --start/--count domstat says so and still shows the total.
          if (explicit || !(e instanceof VirError && e.vir === VirErrorCode.OPERATION_UNSUPPORTED)) throw fail(e);
          io.err(`warning: per-CPU statistics are not available: ${e.message}\n`);
        }
      }
      let total: CpuStatsParams['cpus'] = [];
      if (showTotal) {
        try {
          total = (conn.cpuStats(dom, -1, 1) as CpuStatsParams).cpus;
        } catch (e) {
          throw fail(e);
        }
      }
      if (opts.json) {
        const obj = (ps: CpuStatsParams['cpus'][number]['params']) => Object.fromEntries(ps.map((p) => [p.field, p.value]));
        printJson(io, {
          domain: dom.name,
          cpus: cpus.map((c) => ({ cpu: c.cpu, ...obj(c.params) })),
          ...(showTotal ? { total: obj(total[0]?.params ?? []) } : {}),
        });
        return;
      }
      let out = cpus.map((c) => `CPU${c.cpu}:\n${formatCpuStatsFields(c.params)}`).join('');
      if (showTotal) out += `Total:\n${formatCpuStatsFields(total[0]?.params ?? [])}`;
      io.out(out + '\n');
    });
}
