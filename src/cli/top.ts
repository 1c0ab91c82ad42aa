// domstat top: a virt-top-like live view. Full screen with keys on a terminal; -b for batch mode
// (plain text iterations, for scripts); --csv FILE logs every refresh like virt-top's --csv.

import { Command, Option } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { connect, hostOptions, type HostOptions } from './common.js';
import type { Io } from './io.js';
import { csvHeader, csvRows, renderTop, type Screen, type SortKey, type TopSample, type ViewState } from '../export/top-view.js';
import type { Connection } from '../stats/connection.js';
import { isGone } from '../host/hostfs.js';
import { parseProcMeminfo } from '../parse/proc-meminfo.js';
import { parseCpuList } from '../parse/cpu-list.js';
import { LIBVIRT_GROUPS } from '../stats/groups.js';
import { parseDuration } from './time.js';

const KEYS: Record<string, Partial<ViewState> | 'quit'> = {
  '1': { screen: 'domains' },
  '0': { screen: 'domains' },
  '2': { screen: 'net' },
  '3': { screen: 'block' },
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

function hostFacts(conn: Connection): { cpus: number; memKiB: number | null } {
  let cpus = os.cpus().length;
  let memKiB: number | null = null;
  try {
    const present = conn.fs.readText('/sys/devices/system/cpu/present');
    if (!isGone(present)) cpus = parseCpuList(present, 'present').length || cpus;
    const mem = conn.fs.readText('/proc/meminfo');
    if (!isGone(mem)) memKiB = Number(parseProcMeminfo(mem, '/proc/meminfo').MemTotal);
  } catch {
    // keep the defaults: the view still works without host totals
  }
  return { cpus, memKiB };
}

export function sampleTop(conn: Connection): TopSample {
  const facts = hostFacts(conn);
  return { at: performance.now(), records: conn.getAllDomainStats(LIBVIRT_GROUPS, 0), hostCpus: facts.cpus, hostMemKiB: facts.memKiB };
}

export function topCommand(io: Io): Command {
  return hostOptions(new Command('top').description('virt-top-like live view of domains: CPU, memory, disk and network rates'), false)
    .addOption(new Option('-d, --delay <seconds>', 'seconds between refreshes').default('3'))
    .option('-b, --batch', 'batch mode: print plain iterations to stdout (no full screen, no keys)')
    .option('-n, --iterations <n>', 'stop after N refreshes')
    .addOption(new Option('-o, --sort <key>', 'sort by').choices(['cpu', 'mem', 'time', 'name', 'id', 'rx', 'tx', 'rd', 'wr']).default('cpu'))
    .addOption(new Option('--screen <screen>', 'start on this screen').choices(['domains', 'net', 'block']).default('domains'))
    .option('--csv <file>', 'also append every refresh to FILE as CSV (like virt-top --csv)')
    .action(async (opts: HostOptions & { delay: string; batch?: boolean; iterations?: string; sort: SortKey; screen: Screen; csv?: string }) => {
      const delayMs = parseDuration(opts.delay, '--delay');
      const limit = opts.iterations === undefined ? Infinity : Number(opts.iterations);
      if (!(limit > 0)) throw new Error('--iterations must be a positive number');
      const view: ViewState = { screen: opts.screen, sort: opts.sort, delayS: delayMs / 1000 };
      const hostname = os.hostname();
      const interactive = !opts.batch && process.stdout.isTTY === true && process.stdin.isTTY === true;
      const csv = opts.csv === undefined ? null : fs.openSync(opts.csv, 'a');
      if (csv !== null && fs.fstatSync(csv).size === 0) fs.writeSync(csv, csvHeader());
      let prev: TopSample | null = null;
      let cur: TopSample | null = null;
      let stop = false;
      let wake: (() => void) | null = null;
      const draw = () => {
        if (cur === null) return;
        const text = renderTop(prev, cur, view, hostname, new Date());
        io.out(interactive ? `\x1b[H\x1b[2J${text}` : `${text}\n`);
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
      if (interactive) {
        process.stdin.setRawMode(true);
        process.stdin.on('data', onKey);
        io.out('\x1b[?1049h\x1b[?25l'); // alternate screen, hide cursor
      }
      try {
        for (let i = 0; i < limit && !stop; i++) {
          const conn = connect(opts);
          prev = cur;
          cur = sampleTop(conn);
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
          process.stdin.setRawMode(false);
          process.stdin.pause();
          io.out('\x1b[?25h\x1b[?1049l');
        }
        if (csv !== null) fs.closeSync(csv);
      }
    });
}
