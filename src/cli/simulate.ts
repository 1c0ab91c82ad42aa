import { Command, Option } from 'commander';
import { type Io } from '../common/io.js';
import { UsageError } from '../common/errors.js';
import { intOption } from './common.js';
import { parseDuration } from '../common/time.js';
import type { SimCgroup, SimKind } from '../sim/simulate.js';
import { sleep } from '../agent/sleep.js';
import { takeLock } from '../store/lock.js';
import * as fs from 'node:fs';
import * as path from 'node:path';

interface SimulateCliOptions {
  domains: number;
  out: string;
  xen?: boolean;
  kvm?: boolean;
  interval: string;
  seconds?: string;
  once?: boolean;
  seed: number;
  cgroup?: SimCgroup;
}

export function simulateCommand(io: Io): Command {
  return new Command('simulate')
    .description('write a simulated Xen or KVM host tree whose counters advance, for demos and benchmarks (use DIR as --root)')
    .requiredOption('--domains <n>', 'number of domains (sim-0001, sim-0002, ...)', intOption('--domains'))
    .requiredOption('--out <dir>', 'directory for the host tree: new, empty, or an earlier simulated tree')
    .option('--xen', 'a Xen dom0 with libvirt libxl: 2 disks and 2 vifs per PV domain (default)')
    .option('--kvm', 'a QEMU/KVM host: 2 vCPUs, 2 tap NICs and 2 block-backed disks per domain, in cgroups (see --cgroup)')
    .addOption(
      new Option(
        '--cgroup <layout>',
        "the KVM host's cgroup layout: v2 (systemd), v1 (systemd, cpu and cpuacct together) or hybrid (v1 and the unified tree, libvirt without systemd); default v2",
      ).choices(['v2', 'v1', 'hybrid']),
    )
    .addOption(new Option('--interval <seconds>', "seconds between counter updates (much shorter than any reader's interval: see README)").default('0.1'))
    .option('--seconds <s>', 'stop after S seconds (default: run until SIGINT or SIGTERM)')
    .option('--once', 'write the tree with its starting counters and exit')
    .addOption(new Option('--seed <n>', 'random seed of the load profiles').default(1).argParser(intOption('--seed')))
    .action(async (opts: SimulateCliOptions) => {
      if (opts.xen && opts.kvm) throw new UsageError('--xen and --kvm exclude each other');
      const kind: SimKind = opts.kvm ? 'kvm' : 'xen';
      if (opts.cgroup !== undefined && kind !== 'kvm') throw new UsageError('--cgroup needs --kvm (Xen domains have no cgroups)');
      const intervalMs = parseDuration(opts.interval, '--interval');
      if (!(intervalMs >= 100)) throw new UsageError('--interval: 0.1 seconds is the shortest interval');
      const runMs = opts.seconds === undefined ? Infinity : parseDuration(opts.seconds, '--seconds');
      if (!(runMs > 0)) throw new UsageError('--seconds must be positive');
      if (!(opts.domains >= 1)) throw new UsageError('--domains must be at least 1');

      // One simulator per tree: a second would rewrite the tree under the first, which would go on
      // writing into files no longer there. The lock (beside the tree) goes with its process.
      const lockFile = `${path.resolve(opts.out)}.lock`;
      fs.mkdirSync(path.dirname(lockFile), { recursive: true }); // as the tree's own directories are made
      const lock = takeLock(lockFile);
      if (lock === 'busy') throw new UsageError(`another domstat simulate is writing ${path.resolve(opts.out)} (it holds ${lockFile}); stop it first`);
      try {
        // Not loaded by other commands.
        const { createSimHost } = await import('../sim/simulate.js');
        const { SimSchedule } = await import('../sim/schedule.js');
        const sim = createSimHost({
          dir: opts.out,
          domains: opts.domains,
          kind,
          seed: opts.seed,
          ...(opts.cgroup === undefined ? {} : { cgroup: opts.cgroup }),
        });
        const kinds = new Map<string, number>();
        for (const d of sim.domains) kinds.set(d.profile, (kinds.get(d.profile) ?? 0) + 1);
        io.out(
          `simulated ${kind === 'xen' ? 'Xen' : `KVM (cgroup ${sim.cgroup})`} host with ${sim.domains.length} domain(s) under ${sim.dir} ` +
            `(${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}; ${sim.counterFiles} counter files)\n`,
        );
        if (opts.once) {
          sim.close();
          return;
        }
        io.out(
          `updating every ${intervalMs / 1000} s${runMs === Infinity ? ' until interrupted' : ` for ${runMs / 1000} s`}; read it with: domstat ... --root ${sim.dir}\n`,
        );

        const stop = new AbortController();
        const onSignal = () => stop.abort();
        process.once('SIGTERM', onSignal);
        process.once('SIGINT', onSignal);
        const start = performance.now();
        const schedule = new SimSchedule(sim, intervalMs, start);
        let updates = 0;
        let busyMs = 0;
        let warned = false;
        try {
          while (!stop.signal.aborted) {
            const end = start + runMs;
            await sleep(Math.min(schedule.nextMs, end) - performance.now(), stop.signal);
            const now = performance.now();
            if (!schedule.update(now, now >= end || stop.signal.aborted)) continue;
            const spent = performance.now() - now;
            updates++;
            busyMs += spent;
            if (spent > intervalMs && !warned) {
              // Slots are skipped, so it never falls behind; readers' rates get coarser.
              warned = true;
              io.err(
                `warning: an update of ${sim.domains.length} domains took ${spent.toFixed(0)} ms, more than the ${intervalMs / 1000} s interval: ` +
                  `counters move about every ${(Math.ceil(spent / intervalMs) * intervalMs) / 1000} s (a rate read over T seconds is within that / T of the simulated one)\n`,
              );
            }
            if (now >= end) break;
          }
        } finally {
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
          sim.close();
        }
        io.out(`stopped after ${sim.time.toFixed(1)} simulated seconds (${updates} updates, ${(busyMs / Math.max(1, updates)).toFixed(1)} ms each)\n`);
      } finally {
        lock.conn.close();
      }
    });
}
