// The agent: samples every domain on a steady schedule into the history database. Ticks are
// timed from a monotonic clock (no drift: tick k starts at start + k * interval; a slot that is
// missed is skipped, not bunched). A failed tick (disk full, lock) is reported once and retried
// next time; SIGTERM/SIGINT/SIGHUP let the tick in progress finish and close the database cleanly.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Connection } from '../connection/connection.js';
import { isGone } from '../host/hostfs.js';
import { CONFIG_DIRS, problemText, STATUS_DIRS, type Inventory, type ParseCache } from '../domains/inventory.js';
import type { Domain } from '../stats/domain.js';
import { HistoryStore } from '../store/store.js';
import type { FileIdentity } from '../store/file-identity.js';
import { lockFileOf } from '../store/lock.js';
import type { RetentionPolicy } from '../store/retention.js';
import type { TierName } from '../store/layout.js';
import { defaultReadAheadFrom, Sampler } from './sampler.js';
import type { SampleResult, TickOutcome } from '../sample/tick.js';
import { agentMap, type Kind } from '../sample/row-map.js';
import { DefinitionWatcher } from './watch.js';
import { AgentLog } from './log.js';
import type { Io } from '../common/io.js';
import { printable } from '../common/printable.js';
import { sleep, untilAborted } from './sleep.js';
import { systemClocks, TickClock, type Clocks } from './clock.js';
import { Schedule } from './schedule.js';
import { messageOf } from '../common/errors.js';

export interface AgentOptions {
  root: string;
  xmlDir?: string;
  dbFile: string;
  intervalMs: number;
  quiet: boolean;
  io: Io;
  retention?: RetentionPolicy;
  /** Descriptors of kernel files kept open between ticks. */
  maxOpenFiles?: number;
  /** Files a tick from which a second thread reads (Sampler's readAheadFrom); default by CPU count. */
  readAheadFrom?: number;
  /** Rescan definitions at least this often even without watcher events. */
  rescanMs?: number;
  /** Optional kinds (OPTIONAL_KINDS) to sample and store too: cgroup_io, numa. */
  kinds?: readonly Kind[];
  /** Called after every tick (the exporter serves the latest one). */
  onTick?: (s: SampleResult, report: TickReport) => void;
  /** The clocks ticks are timed by (tests drive virtual ones). */
  clocks?: Clocks;
  /** How the loop waits for the next tick (tests advance virtual time instead). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface TickReport {
  ok: boolean;
  domains: number;
  values: number;
  collectMs: number;
  storeMs: number;
}

/**
 * Descriptors kept open by default: as many as this process may open (Node raises its soft
 * RLIMIT_NOFILE to the hard limit at start-up) less headroom for SQLite, the watcher and the
 * exporter, at most 65536; 8192 when the limit cannot be read. A fixed 8192 left a third of the
 * files of a 1000-domain Xen host (14 per domain) to be opened and closed on every tick, and more
 * than the process could open when its limit was lower.
 */
export function defaultMaxOpenFiles(): number {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync('/proc/self/limits', 'latin1'));
    if (m !== null) return m[1] === 'unlimited' ? 65536 : Math.max(0, Math.min(65536, Number(m[1]) - 512));
  } catch {
    // not Linux, or /proc unavailable
  }
  return 8192;
}

/** meta: the interval the last agent on this database ran at (ms). */
const INTERVAL_KEY = 'interval_ms';

export class Agent {
  readonly conn: Connection;
  readonly log: AgentLog;
  private readonly cache: ParseCache = new Map();
  private readonly watcher = new DefinitionWatcher();
  private store: HistoryStore | null = null;
  private clock!: TickClock;
  private readonly clocks: Clocks;
  private sampler!: Sampler;
  private storeFailing = false;
  private lastRescan = 0;
  /** The interval of the run before this one (meta), which the first tick's wait also keeps. */
  private previousIntervalMs: number | null = null;
  private lastDomainCount = -1;
  /** The inventory whose start-up garbage was collected (see collectGarbageOfNewInventory). */
  private collectedFor: Inventory | null = null;
  ticks = 0;
  /** The latest tick, for the exporter (served from memory, never a fresh read). */
  latest: TickOutcome | null = null;

  constructor(readonly opts: AgentOptions) {
    this.conn = new Connection(opts.xmlDir === undefined ? { root: opts.root } : { root: opts.root, xmlDir: opts.xmlDir });
    this.log = new AgentLog(opts.io, opts.quiet);
    this.clocks = opts.clocks ?? systemClocks;
  }

  private readInventory(): Inventory {
    return this.conn.readInventory(this.cache);
  }

  /** Re-reads definitions (changed files only are parsed again) and swaps the inventory in. */
  private refreshInventory(): void {
    const inv = this.readInventory();
    for (const p of inv.problems) this.log.once(`definition ${printable(problemText(p))}`);
    if (!sameDefinitions(this.conn.inventory().domains, inv.domains)) {
      this.conn.setInventory(inv);
      // Devices may have moved: drop kept descriptors and resolved directories.
      this.conn.fs.closeAll();
      for (const d of Object.values(this.conn.drivers)) d.reset();
    }
    if (inv.domains.length === 0 && this.lastDomainCount !== 0) {
      this.log.info(`no domains found (looked in ${inv.looked.join(', ')}); recording host totals only`);
    } else if (inv.domains.length !== this.lastDomainCount && !this.opts.quiet) {
      this.log.info(`${inv.domains.length} domain(s): ${inv.domains.map((d) => printable(d.name)).join(', ')}`);
    }
    this.lastDomainCount = inv.domains.length;
  }

  /** Opens the store and the inventory and starts watching libvirt's directories (given up when `signal` aborts). */
  async open(signal?: AbortSignal): Promise<void> {
    this.openStore();
    const store = this.store!;
    const last = store.writer.last;
    const before = Number(store.meta(INTERVAL_KEY) ?? NaN);
    this.previousIntervalMs = before > 0 ? before : null;
    store.setMeta(INTERVAL_KEY, String(this.opts.intervalMs));
    this.clock = new TickClock(
      this.clocks,
      last === null ? null : { ts: last.ts, mono: last.mono, boot: store.meta('boot_id') },
      (m) => this.log.info(`clock: ${m}`),
      (step) => this.store?.addClockStep(step),
      this.halfInterval(),
    );
    if (this.clock.bootId !== null) store.setMeta('boot_id', this.clock.bootId);
    this.sampler = new Sampler(this.conn, agentMap(store.writer.map, this.opts.kinds), { readAheadFrom: this.opts.readAheadFrom ?? defaultReadAheadFrom() });
    this.conn.fs.keepOpen(this.opts.maxOpenFiles ?? defaultMaxOpenFiles());
    this.conn.setInventory(this.readInventory());
    this.lastDomainCount = -1;
    this.refreshInventory();
    const dirs = this.watchedDirs();
    if (this.opts.xmlDir !== undefined) dirs.push(path.resolve(this.opts.xmlDir));
    const ready = this.watcher.start(dirs);
    await (signal === undefined ? ready : Promise.race([ready, untilAborted(signal)]));
  }

  /**
   * libvirt's directories as real paths without symlinks (/var/run/libvirt/qemu is /run/... on
   * most hosts). One missing is named through its nearest existing parent's real path (the
   * watcher watches that parent until it appears); one whose path leads out of --root is not
   * watched (the inventory does not read it either: it is not part of the tree).
   */
  private watchedDirs(): string[] {
    const out = new Set<string>();
    for (const d of [...STATUS_DIRS, ...CONFIG_DIRS]) {
      let at = d;
      let r = this.conn.fs.realHostPath(at);
      while (isGone(r) && r.code !== 'EXDEV' && at !== '/') {
        at = path.posix.dirname(at);
        r = this.conn.fs.realHostPath(at);
      }
      if (isGone(r)) continue;
      out.add(this.conn.fs.real(path.posix.join(r, d.slice(at.length))));
    }
    return [...out];
  }

  private openStore(): void {
    this.store = HistoryStore.open(this.opts.dbFile, {
      ...(this.opts.retention !== undefined ? { retention: this.opts.retention } : {}),
      report: (m) => this.log.once(`store: ${m}`),
      intervalMs: this.opts.intervalMs,
    });
  }

  /**
   * The store to write this tick to. A database file deleted or replaced under the agent is said
   * once, and the agent goes on with a database at that path (a new one, or the one put there);
   * one that cannot be opened is tried again every tick (its error is the tick's).
   */
  private currentStore(): HistoryStore {
    const changed = this.store === null ? null : this.store.fileChanged();
    if (changed !== null) {
      // Said each time it happens (once per event: the store is then reopened).
      this.log.info(
        `store: ${this.opts.dbFile} was ${changed} while the agent was writing it; going on with ${changed === 'deleted' ? 'a new database' : 'the file now'} at that path`,
      );
      this.store!.close();
      this.store = null;
    }
    if (this.store?.lockLost()) {
      // Taken again at once: if a second agent has already taken it, opening says who, every tick,
      // and this one writes nothing until that one stops.
      this.log.info(`store: the writer lock ${lockFileOf(this.opts.dbFile)} was deleted or replaced; taking it again`);
      this.store.close();
      this.store = null;
    }
    if (this.store === null) this.openStore();
    return this.store!;
  }

  /** One tick: sample, store, report. Never throws for a domain's or the store's trouble. */
  tick(): TickReport {
    const at = this.clock.next();
    if (
      this.watcher.changed ||
      at.ts - this.lastRescan >= (this.opts.rescanMs ?? 60_000) ||
      this.conn.inventory().domains.some((d) => d.file.startsWith('/sys/'))
    ) {
      this.watcher.changed = false;
      this.lastRescan = at.ts;
      this.refreshInventory();
    }
    const s = this.sampler.sample(at.ts);
    for (const p of s.problems) this.log.once(`domain '${p.domain}': ${p.message}`);
    const t0 = performance.now();
    let values = 0;
    let ok = true;
    try {
      const store = this.currentStore();
      const r = store.write({ ts: s.ts, mono: at.mono, dt: at.dt, collectUs: s.collectUs, domains: s.samples });
      if (store.walGone)
        this.log.once(
          `store: ${this.opts.dbFile}-wal was deleted while the agent was writing; each tick now goes into the database at once, until the agent restarts`,
        );
      values = r.values;
      for (const p of r.problems) this.log.once(`store: ${p}`);
      if (this.storeFailing) {
        this.log.info('store: writing again');
        this.log.forget('store: tick not written: '); // a later outage is reported again
      }
      this.storeFailing = false;
    } catch (e) {
      ok = false;
      this.storeFailing = true;
      this.log.once(`store: tick not written: ${messageOf(e)}`);
    }
    const storeMs = performance.now() - t0;
    this.ticks++;
    const report = { ok, domains: s.domains.length, values, collectMs: s.collectUs / 1000, storeMs };
    this.log.status(
      `${new Date(s.ts).toISOString()}  ${report.domains} domains  ${values} values  tick ${(report.collectMs + storeMs).toFixed(1)} ms (collect ${report.collectMs.toFixed(1)}, store ${storeMs.toFixed(1)})${ok ? '' : '  NOT STORED'}`,
    );
    this.latest = { sample: s, map: this.sampler.map, storeMs, ticks: this.ticks };
    this.opts.onTick?.(s, report);
    return report;
  }

  /** The database file the agent writes (null: none open), so the serving thread opens that one only. */
  get storeFile(): FileIdentity | null {
    return this.store?.identity ?? null;
  }

  /** The tiers the size cap has cut below their configured retention (for /metrics). */
  get cutTiers(): TierName[] {
    return [...(this.store?.retention.cutTiers ?? [])];
  }

  /**
   * Retention work until the deadline (monotonic ms). Its "now" is the last tick's time: ages are
   * measured on the history's own timeline, whose stamps never go back and follow a wall clock
   * step only once it is believed (and then through the steps retention keeps). The wall clock
   * itself would stall retention for as long as a mistaken step forward had been, once corrected.
   */
  retentionStep(deadline: number): void {
    if (this.store === null) return;
    try {
      this.store.retention.run(this.clock.lastTickTs ?? this.clocks.wall(), deadline);
    } catch (e) {
      this.log.once(`retention: ${messageOf(e)}`);
    }
  }

  /**
   * One full garbage collection after the first tick of each new inventory (start-up included),
   * when node runs with --expose-gc as the installed command does: that tick parsed every
   * definition and worked out every plan, and V8's memory reducer would hand that garbage back only
   * ~15 s later (~8 MB of RSS at 1000 domains). It runs in the idle time after the tick.
   */
  private collectGarbageOfNewInventory(): void {
    const inv = this.conn.inventory();
    if (inv === this.collectedFor) return;
    this.collectedFor = inv;
    (globalThis as { gc?: () => void }).gc?.();
  }

  /** Half the shorter of this run's interval and the last run's: the least time between two ticks, across a restart too. */
  private halfInterval(): number {
    return Math.min(this.opts.intervalMs, this.previousIntervalMs ?? Infinity) / 2;
  }

  /** Runs until the signal aborts, then finishes cleanly. */
  async run(signal: AbortSignal): Promise<void> {
    await this.open(signal);
    const wait = this.opts.sleep ?? sleep;
    // A restart keeps the schedule's promise too: never a tick within half an interval of the last
    // stored one, the shorter of the two runs' intervals (restarted with --interval 600 after a
    // run at 1 s, the first tick need not wait 5 minutes). Without the last run's monotonic time
    // (another boot, a clock that moved) that is measured by the wall clock, and never longer than
    // half an interval (a wall clock behind the history waits that long).
    const prev = this.clock.lastMono;
    const lastTs = this.clock.lastTickTs;
    const half = this.halfInterval();
    const ms = prev !== null ? prev + half - this.clocks.mono() : lastTs !== null ? Math.min(half, lastTs + half - this.clocks.wall()) : 0;
    if (ms > 0) {
      if (ms >= 1000) this.log.info(`first tick in ${Math.ceil(ms / 1000)} s: half an interval after the last stored one`);
      await wait(ms, signal);
    }
    const schedule = new Schedule(this.opts.intervalMs, this.clocks.mono());
    try {
      while (!signal.aborted) {
        const started = this.clocks.mono();
        this.tick();
        this.collectGarbageOfNewInventory();
        const now = this.clocks.mono();
        const next = schedule.next(started, now);
        if (next.skipped > 0) this.log.once(`tick took longer than the ${this.opts.intervalMs} ms interval: skipping missed slots`);
        // Retention uses at most a quarter of the idle time before the next tick (retention's
        // deadline is on performance.now(), which runs at the monotonic clock's pace).
        this.retentionStep(performance.now() + Math.max(0, Math.min(250, (next.at - now) / 4)));
        await wait(next.at - this.clocks.mono(), signal);
      }
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    await this.watcher.close();
    try {
      this.store?.close();
    } catch (e) {
      this.log.once(`store: open rollups not written at shutdown: ${messageOf(e)}`);
    }
    this.store = null;
    await this.sampler?.close();
    this.conn.fs.closeAll();
  }
}

/**
 * Whether two inventories describe the same domains and devices (then nothing is re-resolved).
 * Domains read from unchanged files share their parsed parts (the parse cache hands out the same
 * objects), so most compare field by field by identity; the rest in depth. (It once compared two
 * JSON texts of the whole inventory: a few MB of garbage at 1000 domains, every rescan.)
 */
function sameDefinitions(a: readonly Domain[], b: readonly Domain[]): boolean {
  return a.length === b.length && a.every((d, i) => sameFields(d, b[i]!) || isDeepStrictEqual(d, b[i]));
}

function sameFields(x: object, y: object): boolean {
  const a = x as Record<string, unknown>;
  const b = y as Record<string, unknown>;
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}
