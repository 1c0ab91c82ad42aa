// Helpers for the history store and agent tests: hand-built samples, fresh databases, fixture
// copies and checks that every stored tick is whole.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Test } from 'tap';
import { openDatabase, type Db } from '../../src/store/db.js';
import type { KeyMap } from '../../src/store/key-map.js';
import type { Kind } from '../../src/sample/row-map.js';
import { newDevice, setReading, type DeviceSample, type DomainSample } from '../../src/sample/rows.js';
import type { Io } from '../../src/common/io.js';
import { fixture } from './cli.js';

export const XEN = fixture('xen-4.x-pv-libxl');

const dirs = new WeakMap<Test, string>();
const made: string[] = [];
process.on('exit', () => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});
/**
 * The test's own directory, created on first use and removed when the process exits. Not
 * t.testdir(): that empties the directory at every call, and its name is the same for every
 * run of the test, so two test runs at once in the same checkout would wipe each other's files.
 */
export function tdir(t: Test): string {
  let d = dirs.get(t);
  if (d === undefined) {
    d = fs.mkdtempSync(path.join(os.tmpdir(), `domstat-${t.name.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 40)}-`));
    made.push(d);
    dirs.set(t, d);
  }
  return d;
}

/** A new database file in the test's directory; closed at teardown. */
export function freshDb(t: Test, name = 'history.db'): { db: Db; file: string } {
  const file = path.join(tdir(t), name);
  const db = openDatabase(file);
  t.teardown(() => {
    if (db.open) db.close();
  });
  return { db, file };
}

/** Position of a column in its kind's column list. */
export function pos(map: KeyMap, kind: Kind, col: string): number {
  const i = map.columns[kind].findIndex((c) => c.col === col);
  if (i < 0) throw new Error(`no column ${kind}.${col}`);
  return i;
}

/** A device row with the given readings (by column name); the other columns unknown. */
export function device(
  map: KeyMap,
  kind: Kind,
  idx: number | null,
  name: string,
  readings: Record<string, bigint>,
  extra: { path?: string; wrap32?: boolean } = {},
): DeviceSample {
  const d = newDevice({ kind, idx, name }, map.columns[kind].length);
  for (const [col, v] of Object.entries(readings)) setReading(d, pos(map, kind, col), v);
  if (extra.path !== undefined) d.path = extra.path;
  if (extra.wrap32 !== undefined) d.wrap32 = extra.wrap32;
  return d;
}

export function domain(key: string, name: string, domid: number, devices: DeviceSample[], uuid: string | undefined = key): DomainSample {
  const s: DomainSample = { key, name, hvType: 'xen', domid, devices };
  if (uuid !== undefined) s.uuid = uuid;
  return s;
}

/** Rows of a table as plain arrays (bigints), ordered. */
export function rows(db: Db, sql: string, ...params: unknown[]): unknown[][] {
  return db
    .prepare(sql)
    .raw()
    .all(...params) as unknown[][];
}

export interface Capture extends Io {
  text(): { out: string; err: string };
  /** stderr lines without their leading ISO time stamp. */
  errLines(): string[];
}

export function capture(): Capture {
  let out = '';
  let err = '';
  return {
    out: (s) => void (out += s),
    err: (s) => void (err += s),
    text: () => ({ out, err }),
    errLines: () =>
      err
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /, '')),
  };
}

/** A writable copy of a fixture tree in the test's directory. */
export function copyTree(t: Test, src = XEN, name = 'root'): string {
  const dst = path.join(tdir(t), name);
  fs.cpSync(src, dst, { recursive: true });
  return dst;
}

/**
 * Ticks whose stored rows are not whole: the domain_raw rows of a tick must number tick.domains
 * and every tick has exactly one host row (none when `withHost` is false). Returns descriptions of bad ticks.
 */
export function partialTicks(db: Db, withHost = true): string[] {
  const bad = db
    .prepare(
      `SELECT t.id AS id, t.domains AS domains,
        (SELECT count(*) FROM domain_raw s WHERE s.tick_id = t.id) AS dom_rows,
        (SELECT count(*) FROM host_raw s WHERE s.tick_id = t.id) AS host_rows
       FROM tick t WHERE dom_rows != t.domains OR host_rows != ?`,
    )
    .all(withHost ? 1 : 0) as { id: bigint; domains: bigint; dom_rows: bigint; host_rows: bigint }[];
  return bad.map((b) => `tick ${b.id}: domains ${b.domains}, domain rows ${b.dom_rows}, host rows ${b.host_rows}`);
}

/** Replaces one line's counters in proc/net/dev: the interface's fields all get `base + k - 1`. */
export function setNetDev(root: string, ifname: string, base: bigint): void {
  const file = path.join(root, 'proc/net/dev');
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.trimStart().startsWith(ifname + ':'));
  if (i < 0) throw new Error(`no ${ifname} in ${file}`);
  const fields = Array.from({ length: 16 }, (_, k) => String(base + BigInt(k)));
  lines[i] = `${ifname.padStart(6)}: ${fields.join(' ')}`;
  fs.writeFileSync(file, lines.join('\n'));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until `cond` holds or `ms` pass; returns whether it held. */
export async function waitFor(cond: () => boolean, ms = 3000, every = 20): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(every);
  }
  return cond();
}

/**
 * Raw rows that cannot be decoded or do not follow from the device's previous row: every raw row
 * needs a base row of its device at or before it, and a row with increases must come exactly its
 * dt after the device's previous stored row, unless its readings are whole in a base row at that
 * tick (retention leaves gaps before base rows, and the first row it left may count from a row it
 * deleted). Tests on virtual clocks, where ticks' times and intervals agree, use no tolerance;
 * with real clocks a tick's time and its monotonic interval differ by a millisecond or so.
 * Catches rows left without their base row (by retention or a crash) as well as holes in a chain.
 * Returns counts per kind.
 */
export function orphanDeltas(db: Db, toleranceMs = 0): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of ['domain', 'host', 'vcpu', 'net', 'block']) {
    const firstCol =
      (db.prepare(`SELECT col FROM key_map WHERE kind = ? AND type = 'counter' ORDER BY pos LIMIT 1`).pluck().get(k) as string | undefined) ?? 'dt';
    const n = db
      .prepare(
        `SELECT count(*) FROM (SELECT r.tick_id AS tick_id, r.device_id AS device_id, r.${firstCol} AS inc, coalesce(r.dt, t.dt) AS dt, t.ts AS ts,
             lag(t.ts) OVER (PARTITION BY r.device_id ORDER BY r.tick_id) AS prev_ts
           FROM ${k}_raw r JOIN tick t ON t.id = r.tick_id) x
         WHERE NOT EXISTS (SELECT 1 FROM ${k}_base b WHERE b.device_id = x.device_id AND b.tick_id <= x.tick_id)
            OR (x.inc IS NOT NULL AND x.prev_ts IS NOT NULL AND abs(x.ts - x.prev_ts - x.dt) > ${toleranceMs}
                AND NOT EXISTS (SELECT 1 FROM ${k}_base b WHERE b.device_id = x.device_id AND b.tick_id = x.tick_id))`,
      )
      .pluck()
      .get() as bigint;
    if (n > 0n) out[k] = Number(n);
  }
  return out;
}

/** Raw and base rows whose tick is gone (there should be none). */
export function strayRows(db: Db): number {
  let n = 0n;
  for (const k of ['domain', 'host', 'vcpu', 'net', 'block'])
    for (const t of ['raw', 'base']) n += db.prepare(`SELECT count(*) FROM ${k}_${t} WHERE tick_id NOT IN (SELECT id FROM tick)`).pluck().get() as bigint;
  return Number(n);
}

/** Virtual clocks for the agent: wall and monotonic time move together unless a test steps the wall clock. */
export class FakeClocks {
  constructor(
    public wallMs: number,
    public monoMs = 5_000_000,
    public boot: string | null = 'test-boot',
  ) {}
  wall(): number {
    return this.wallMs;
  }
  mono(): number {
    return this.monoMs;
  }
  bootId(): string | null {
    return this.boot;
  }
  /** Time passes: both clocks move on. */
  advance(ms: number): void {
    this.wallMs += ms;
    this.monoMs += ms;
  }
  /** Time passes to wall-clock `ms`. */
  to(ms: number): void {
    this.advance(ms - this.wallMs);
  }
}

/**
 * Rollup buckets that do not hold what the raw rows say: for every device and counter, each minute
 * (hour) before the one of the newest tick must hold exactly the sum of the raw increases of the
 * ticks in it (the newest may still be open). Buckets that start before `from` (Unix ms) are left
 * out: after retention the raw rows of the oldest hour may be only part of it. Returns descriptions
 * of the mismatches.
 */
export function rollupMismatches(db: Db, from = -Infinity): string[] {
  const out: string[] = [];
  const last = db.prepare('SELECT max(ts) FROM tick').pluck().get() as bigint | null;
  if (last === null) return out;
  for (const k of ['domain', 'host', 'vcpu', 'net', 'block']) {
    const cols = db.prepare(`SELECT col, scale FROM key_map WHERE kind = ? AND type = 'counter' ORDER BY pos`).raw().all(k) as [string, bigint][];
    for (const [tier, size] of [
      ['1m', 60],
      ['1h', 3600],
    ] as const) {
      const open = (Number(last) / 1000 - ((Number(last) / 1000) % size)) * 1000;
      const raw = db
        .prepare(
          `SELECT r.device_id AS d, (t.ts / ${size * 1000}) * ${size} AS bucket, ${cols.map(([c, sc]) => `sum(r.${c}) * ${sc} AS ${c}`).join(', ')}
           FROM ${k}_raw r JOIN tick t ON t.id = r.tick_id WHERE t.ts < ? GROUP BY 1, 2`,
        )
        .all(open) as Record<string, bigint | null>[];
      const stored = new Map(
        (
          db.prepare(`SELECT device_id AS d, bucket, ${cols.map(([c]) => `${c}_sum AS ${c}`).join(', ')} FROM ${k}_${tier}`).all() as Record<
            string,
            bigint | null
          >[]
        ).map((r) => [`${r.d}/${r.bucket}`, r]),
      );
      for (const r of raw) {
        if (Number(r.bucket) * 1000 < from) continue;
        const s = stored.get(`${r.d}/${r.bucket}`);
        for (const [c] of cols)
          if ((s?.[c] ?? null) !== r[c]) out.push(`${k}_${tier} device ${r.d} bucket ${r.bucket} ${c}: stored ${s?.[c] ?? 'nothing'}, raw ${r[c]}`);
      }
    }
  }
  return out;
}
