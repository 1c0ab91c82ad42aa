// domstat top: a virt-top-like live view. Full screen with keys on a terminal, fitted to its size
// and redrawn when it is resized; -b for batch mode (plain text iterations, for scripts: every
// row at full width, no keys line); --csv FILE logs every refresh like virt-top's --csv.

import { Command, Option } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { connect, hostOptions, intInRange, type HostOptions } from './common.js';
import { processIo, type Io } from '../common/io.js';
import { csvHeader, csvRows, renderTop, type HostFacts, type Layout, type Screen, type SortKey, type TopSample, type ViewState } from '../export/top-view.js';
import type { Connection } from '../connection/connection.js';
import { isGone } from '../host/hostfs.js';
import { parseProcMeminfo } from '../kernel/proc-meminfo.js';
import { parseProcStatCpu } from '../kernel/proc-stat.js';
import { parseCpuList } from '../kernel/cpu-list.js';
import { LIBVIRT_GROUPS, StatsGroup } from '../stats/groups.js';
import { parseDuration } from '../common/time.js';
import { UsageError } from '../common/errors.js';

/** Signals that end an interactive top (Ctrl-C itself arrives as a key in raw mode). */
const END_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];

const KEYS: Record<string, Partial<ViewState> | 'quit'> = {
  '1': { screen: 'domains' },
  '0': { screen: 'domains' },
  '2': { screen: 'net' },
  '3': { screen: 'block' },
  '4': { screen: 'cgroup' },
  P: { sort: 'cpu' },
  M: { sort: 'mem' },
  T: { sort: 'time' },
  N: { sort: 'name' },
  I: { sort: 'id' },
  R: { sort: 'rx' },
  X: { sort: 'tx' },
  D: { sort: 'rd' },
  W: { sort: 'wr' },
  q: 'quit',
  Q: 'quit',
  '\u0003': 'quit',
};

/** Longest delay: a day (beyond 2^31 ms a timer would fire at once). */
const MAX_DELAY_MS = 86_400_000;

/** -d: seconds (or a duration: 500ms, 2s), more than 0 (virt-top refuses 0 too) and at most a day. */
function delayOption(v: string): number {
  let ms: number;
  try {
    ms = parseDuration(v, '--delay');
  } catch {
    ms = NaN;
  }
  if (!(ms > 0 && ms <= MAX_DELAY_MS)) throw new UsageError(`--delay must be more than 0 seconds and at most a day (e.g. 3, 0.5, 500ms), got '${v}'`);
  return ms;
}

/** What the host's own files say about it; each part that cannot be read is left out. */
function hostFacts(conn: Connection): HostFacts {
  const facts: HostFacts = { cpus: os.cpus().length, mem: null, cpuTicks: null };
  const read = (file: string, use: (text: string) => void) => {
    try {
      const text = conn.fs.readText(file);
      if (!isGone(text)) use(text);
    } catch {
      // the view still works without it: the figure shows as "-"
    }
  };
  read('/sys/devices/system/cpu/present', (t) => (facts.cpus = parseCpuList(t, 'present').length || facts.cpus));
  read('/proc/meminfo', (t) => {
    const m = parseProcMeminfo(t, '/proc/meminfo');
    const kib = (v: bigint | undefined) => (v === undefined ? null : Number(v));
    facts.mem = { totalKiB: Number(m.MemTotal), freeKiB: kib(m.MemFree), availableKiB: kib(m.MemAvailable) };
  });
  read('/proc/stat', (t) => {
    // The agent's parser; guest time is already inside user, so it is not added again.
    const c = parseProcStatCpu(t, '/proc/stat');
    const busy = c.user + c.nice + c.system + c.irq + c.softirq;
    facts.cpuTicks = { busy: Number(busy), total: Number(busy + c.idle + c.iowait + c.steal) };
  });
  return facts;
}

export function sampleTop(conn: Connection, at: number): TopSample {
  return {
    at,
    records: conn.getAllDomainStats(LIBVIRT_GROUPS | StatsGroup.PRESSURE | StatsGroup.CGROUP_MEMORY | StatsGroup.CPU_THROTTLE, 0),
    host: hostFacts(conn),
  };
}

interface TopCliOptions extends HostOptions {
  delay: number;
  batch?: boolean;
  iterations?: number;
  rows?: number;
  sort: SortKey;
  screen: Screen;
  csv?: string;
}

export function topCommand(io: Io): Command {
  return hostOptions(new Command('top').description('virt-top-like live view of domains: CPU, memory, disk and network rates'), false)
    .addOption(new Option('-d, --delay <seconds>', 'seconds between refreshes (more than 0)').default(3000, '3').argParser(delayOption))
    .option('-b, --batch', 'batch mode: print plain iterations to stdout (every row, full width, no keys)')
    .addOption(new Option('-n, --iterations <n>', 'stop after N refreshes').argParser(intInRange('--iterations', 1, 1e9)))
    .addOption(new Option('--rows <n>', 'show at most N rows per refresh (the first by the sort order)').argParser(intInRange('--rows', 1, 1e9)))
    .addOption(new Option('-o, --sort <key>', 'sort by').choices(['cpu', 'mem', 'time', 'name', 'id', 'rx', 'tx', 'rd', 'wr']).default('cpu'))
    .addOption(new Option('--screen <screen>', 'start on this screen').choices(['domains', 'net', 'block', 'cgroup']).default('domains'))
    .option('--csv <file>', 'also append every refresh to FILE as CSV (like virt-top --csv)')
    .action(async (opts: TopCliOptions) => {
      const delayMs = opts.delay;
      const limit = opts.iterations ?? Infinity;
      const view: ViewState = { screen: opts.screen, sort: opts.sort, delayS: delayMs / 1000 };
      const hostname = os.hostname();
      const interactive = !opts.batch && process.stdout.isTTY === true && process.stdin.isTTY === true;
      const layout = (): Layout => ({
        size: interactive ? { columns: process.stdout.columns || 80, rows: process.stdout.rows || 24 } : null,
        keys: interactive,
        maxRows: opts.rows ?? null,
      });
      const csv = opts.csv === undefined ? null : fs.openSync(opts.csv, 'a');
      if (csv !== null && fs.fstatSync(csv).size === 0) fs.writeSync(csv, csvHeader());
      let prev: TopSample | null = null;
      let cur: TopSample | null = null;
      let stop = false;
      let wake: (() => void) | null = null;
      const draw = () => {
        if (cur === null) return;
        const lines = renderTop(prev, cur, view, hostname, new Date(), layout());
        // Full screen: home, each line cleared to its end, the rest of the screen cleared; no
        // newline after the last line, which would scroll the header away on a full screen.
        io.out(interactive ? `\x1b[H${lines.join('\x1b[K\n')}\x1b[K\x1b[J` : `${lines.join('\n')}\n`);
      };
      const onKey = (buf: Buffer) => {
        // Keys typed quickly (or pasted, or over a slow link) arrive together: each one counts.
        // Escape sequences (arrows: ESC [ D) are dropped whole, so their letters sort nothing.
        const keys = [...buf.toString('utf8').replace(/\x1b(\[[0-9;?]*[ -/]*[@-~]|O.|.)?/g, '')].map((c) => KEYS[c]).filter((k) => k !== undefined);
        if (keys.length === 0) return;
        for (const k of keys) {
          if (k === 'quit') stop = true;
          else Object.assign(view, k);
        }
        if (!stop) draw();
        wake?.();
      };
      // A reader that goes away (top -b | head) ends top quietly, as it ends any filter.
      const onOutError = (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EPIPE') io.err(`error: ${e.message}\n`);
        stop = true;
        wake?.();
      };
      // Left in place after the loop: the error of a last write comes after it.
      if (io === processIo) process.stdout.on('error', onOutError);
      // Killed (SIGTERM, a closed terminal's SIGHUP): leave the terminal as it was found, then die
      // of the same signal, so whoever sent it sees it did its job.
      let killedBy: NodeJS.Signals | null = null;
      const onSignal = (sig: NodeJS.Signals) => {
        killedBy = sig;
        stop = true;
        wake?.();
      };
      if (interactive) {
        for (const sig of END_SIGNALS) process.on(sig, onSignal);
        process.stdin.setRawMode(true);
        process.stdin.on('data', onKey);
        process.stdout.on('resize', draw);
        io.out('\x1b[?1049h\x1b[?25l\x1b[2J'); // alternate screen, hide cursor, clear
      }
      try {
        for (let i = 0; i < limit && !stop; i++) {
          const conn = connect(opts);
          prev = cur;
          cur = sampleTop(conn, io.now ? io.now() : performance.now());
          draw();
          if (csv !== null) fs.writeSync(csv, csvRows(prev, cur, hostname, new Date()));
          if (i + 1 >= limit) break;
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, delayMs);
            wake = () => {
              if (stop) {
                clearTimeout(t);
                resolve();
              }
            };
          });
        }
      } finally {
        if (interactive) {
          process.stdin.off('data', onKey);
          process.stdout.off('resize', draw);
          process.stdin.setRawMode(false);
          process.stdin.pause();
          io.out('\x1b[?25h\x1b[?1049l');
          for (const sig of END_SIGNALS) process.off(sig, onSignal);
        }
        if (csv !== null) fs.closeSync(csv);
      }
      if (killedBy !== null) process.kill(process.pid, killedBy);
    });
}
