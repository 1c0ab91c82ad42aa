// Reading the history back, on any copy of the database: which series exist, and a domain's keys
// over a time range at a step, as values or as rates. Raw readings are decoded from their base
// rows plus the increases since (exact, in bigint); the minute and hour tiers are read from their
// blocks, one lookup per block; attributes from their change log. The tier follows the step, and
// for a bounded query (the HTTP API) the step follows the span and the rows it may read. Values are
// summed into their rows as they are read: memory follows the rows returned, not the rows read.

import type { Db } from './db.js';
import { readKeyMap, type Column, type KeyMap } from './key-map.js';
import { keyPattern, KINDS, type Kind } from '../sample/row-map.js';
import { HOST_KEY } from '../sample/rows.js';
import { blockOf, SLOTS, TIER_SECONDS, type KindLayout, type Tier, type TierName } from './layout.js';
import { tierSpans } from './stats.js';
import { fromSql } from './exact.js';
import { HistoryError, HistoryLimitError, UnknownDomainError, UnknownKeyError } from './errors.js';

export interface HistoryQuery {
  domain: string;
  /** Keys as asked; the same key twice is one series. */
  keys: string[];
  /** Unix ms, inclusive. */
  since: number;
  until: number;
  /** Seconds per output row; undefined: every raw tick (or every bucket of the tier). */
  stepS?: number;
  rate: boolean;
  /** At most this many rows (a server's bound): the step grows to span ÷ points, and the tier with it. */
  maxPoints?: number;
  /** At most this many stored rows read, all series together: a coarser tier when a finer one would need more. */
  maxRead?: number;
  /** performance.now() by which the query must be done; past it, HistoryLimitError. */
  deadline?: number;
}

export interface HistorySeries {
  key: string;
  device: string | null;
  unit: string;
  type: Column['type'];
  /** Values per time row: exact integers (bigint), rates or means (number), or null. */
  values: (bigint | number | null)[];
}

export interface HistoryResult {
  domain: string;
  tier: TierName;
  stepS: number | null;
  times: number[];
  series: HistorySeries[];
}

export interface DeviceRow {
  id: number;
  kind: Kind;
  idx: number | null;
  name: string;
}

export function chooseTier(spanMs: number, stepS: number | undefined): TierName {
  // The coarsest tier whose buckets fit whole into a step: a 90 s step over minutes would hold one
  // minute or two by turns, and a counter's "per 90 s" would be neither.
  if (stepS !== undefined) return stepS % 3600 === 0 ? '1h' : stepS % 60 === 0 ? '1m' : 'raw';
  return spanMs <= 2 * 3600_000 ? 'raw' : spanMs <= 3 * 86400_000 ? '1m' : '1h';
}

/** Steps a bounded query rounds up to, in seconds: bucket edges fall on round times. Beyond them, whole days. */
const NICE_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

export function niceStep(s: number): number {
  for (const n of NICE_STEPS) if (n >= s) return n;
  return Math.ceil(s / 86400) * 86400;
}

export interface QueryPlan {
  tier: TierName;
  stepS: number | null;
}

/**
 * The tier and step of a query. Without bounds, the step asked for picks the tier (or the span
 * does). With maxPoints, the step is at least span ÷ points; with maxRead, a tier whose rows in
 * the span, times the series, would be more than that gives way to the next coarser one: a step
 * under a minute over two days reads minutes, not 169 000 raw ticks per series.
 */
export function planQuery(
  spanMs: number,
  stepS: number | undefined,
  bounds: { maxPoints?: number | undefined; maxRead?: number | undefined; series: number; rawRows: () => number; rawCovers?: () => boolean },
): QueryPlan {
  let step = stepS;
  let tier = chooseTier(spanMs, step);
  // A step that only raw ticks fit, over a range they no longer reach back to (raw is kept 2 days
  // by default): whole minutes instead, so the older part is read from the minutes that hold it.
  if (tier === 'raw' && step !== undefined && bounds.rawCovers?.() === false) {
    step = Math.ceil(step / 60) * 60;
    tier = chooseTier(spanMs, step);
  }
  const rowsIn = (t: TierName) => (t === 'raw' ? bounds.rawRows() : Math.floor(spanMs / 1000 / TIER_SECONDS[t]) + 1);
  if (bounds.maxPoints !== undefined) {
    const least = spanMs / 1000 / bounds.maxPoints;
    if (step !== undefined ? step < least : rowsIn(tier) > bounds.maxPoints) {
      step = niceStep(Math.max(step ?? 0, least));
      tier = chooseTier(spanMs, step);
    }
  }
  if (bounds.maxRead !== undefined) {
    while (tier !== '1h' && rowsIn(tier) * Math.max(1, bounds.series) > bounds.maxRead) {
      tier = tier === 'raw' ? '1m' : '1h';
      step = Math.ceil(Math.max(step ?? 0, TIER_SECONDS[tier]) / TIER_SECONDS[tier]) * TIER_SECONDS[tier]; // whole buckets
    }
  }
  return { tier, stepS: step ?? (tier === 'raw' ? null : TIER_SECONDS[tier]) };
}

/** The keys shown when none are asked for: CPU, memory, and each interface's and disk's bytes. */
export function defaultKeys(devices: readonly DeviceRow[]): string[] {
  const keys = ['cpu.time', 'balloon.rss', 'host.cpu.user', 'host.cpu.system', 'host.mem.available'];
  for (const d of devices) {
    if (d.kind === 'net') keys.push(`net.${d.idx}.rx.bytes`, `net.${d.idx}.tx.bytes`);
    if (d.kind === 'block') keys.push(`block.${d.idx}.rd.bytes`, `block.${d.idx}.wr.bytes`);
  }
  return [...new Set(keys)];
}

type Row = Record<string, unknown>;
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** Raw ticks read per statement: memory stays bounded whatever the span, and the deadline is checked between. */
const RAW_CHUNK = 4096;

/** The result's rows as the series find them: a bucket's time -> its row, for all series together. */
class Rows {
  private readonly index = new Map<number, number>();
  readonly times: number[] = [];
  at(t: number): number {
    let i = this.index.get(t);
    if (i === undefined) {
      i = this.times.length;
      this.times.push(t);
      this.index.set(t, i);
    }
    return i;
  }
}

/** What one series collected in a row: counters' increases and the time they cover, gauges' sums, the last reading. */
interface Sum {
  delta: bigint | null;
  dt: number;
  gauge: number;
  n: number;
  last: bigint | null;
  /** When `last` was read: a key over two devices keeps the later reading. */
  lastTs: number;
}

class Sums {
  readonly rows: Sum[] = [];
  private at(i: number): Sum {
    return (this.rows[i] ??= { delta: null, dt: 0, gauge: 0, n: 0, last: null, lastTs: -Infinity });
  }
  increase(i: number, delta: bigint, dtMs: number): void {
    const s = this.at(i);
    s.delta = (s.delta ?? 0n) + delta;
    s.dt += dtMs;
  }
  reading(i: number, value: bigint, ts: number): void {
    const s = this.at(i);
    s.gauge += Number(value);
    s.n += 1;
    if (ts >= s.lastTs) {
      s.last = value;
      s.lastTs = ts;
    }
  }
  /** A rollup's gauge: its mean over the bucket, weighted by the time it covers. */
  mean(i: number, mean: number, weight: number): void {
    const s = this.at(i);
    s.gauge += mean * weight;
    s.n += weight;
  }
  /** A row with nothing but the time itself (a counter's first reading under --rate still makes a row). */
  touch(i: number): void {
    this.at(i);
  }
}

export class HistoryReader {
  readonly map: KeyMap;
  private readonly statements = new Map<string, ReturnType<Db['prepare']>>();

  constructor(private readonly db: Db) {
    this.map = readKeyMap(db);
  }

  /** A statement prepared once per reader (the server keeps one reader for many queries). */
  private stmt(sql: string) {
    let st = this.statements.get(sql);
    if (st === undefined) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  /**
   * The domains a reference names: by uuid one; by name every domain with that name (its latest),
   * so a VM defined again under its name (a new uuid) reads as one history, not only its newest part.
   */
  domainIds(ref: string): number[] {
    // A uuid, else a domain's name, else the host: a domain may be named '@host' too.
    const all = (sql: string, ...args: string[]) =>
      this.stmt(sql)
        .pluck()
        .all(...args) as bigint[];
    let ids = all('SELECT id FROM domain WHERE uuid = ? ORDER BY id', ref.toLowerCase());
    if (ids.length === 0) ids = all('SELECT id FROM domain WHERE name = ? AND key <> ? ORDER BY id', ref, HOST_KEY);
    if (ids.length === 0 && ref === HOST_KEY) ids = all('SELECT id FROM domain WHERE key = ?', HOST_KEY);
    if (ids.length === 0) throw new UnknownDomainError(ref);
    return ids.map(Number);
  }

  devices(domainIds: readonly number[]): DeviceRow[] {
    const sql = 'SELECT id, kind, idx, name FROM device WHERE domain_id IN (SELECT value FROM json_each(?)) ORDER BY kind, idx, id';
    return (this.stmt(sql).all(JSON.stringify(domainIds)) as Row[]).map((r) => ({
      id: Number(r.id),
      kind: r.kind as Kind,
      idx: r.idx === null ? null : Number(r.idx),
      name: String(r.name),
    }));
  }

  /** The heads of a kind's key patterns, before the index: "net", "extra.block", "cgroup.io". */
  private heads(kind: Kind): string[] {
    return [...new Set(this.map.columns[kind].flatMap((c) => (c.key.includes('.{i}.') ? [c.key.slice(0, c.key.indexOf('.{i}.'))] : [])))];
  }

  /** Whether a key would name a column by a device's name, whatever the device: net.vif9.0.rx.bytes. */
  private namesADevice(key: string): boolean {
    return KINDS.some((kind) =>
      this.heads(kind).some((head) => {
        if (!key.startsWith(`${head}.`)) return false;
        const rest = key.slice(head.length + 1);
        for (let dot = rest.indexOf('.'); dot >= 0; dot = rest.indexOf('.', dot + 1))
          if (this.map.byPattern.has(`${head}.{i}.${rest.slice(dot + 1)}`)) return true;
        return false;
      }),
    );
  }

  /** A key to its column and devices. "net.0.rx.bytes" or, by device name, "net.vnet0.rx.bytes". */
  resolveKey(key: string, devices: readonly DeviceRow[]): { column: Column; devices: DeviceRow[] } {
    const [p0, idx] = keyPattern(key);
    let pattern = p0;
    let byName: string | null = null;
    if (!this.map.byPattern.has(pattern)) {
      // A device name in place of the index: net.vnet0.rx.bytes, net.vif3.0.rx.bytes (Xen's
      // names hold a dot and digits, so match the devices' names rather than split the key).
      for (const d of devices) {
        if (d.idx === null) continue;
        for (const head of this.heads(d.kind)) {
          const prefix = `${head}.${d.name}.`;
          const p = `${head}.{i}.${key.slice(prefix.length)}`;
          if (key.startsWith(prefix) && this.map.byPattern.has(p) && (byName === null || d.name.length > byName.length)) {
            byName = d.name;
            pattern = p;
          }
        }
      }
    }
    const hit = this.map.byPattern.get(pattern);
    if (hit === undefined) {
      if (this.namesADevice(key)) throw new HistoryError(`no device for key '${key}' in this domain's history`);
      throw new UnknownKeyError(key);
    }
    const kind = hit.column.kind;
    const devs = devices.filter((d) => d.kind === kind && (kind === 'domain' || kind === 'host' || (byName !== null ? d.name === byName : d.idx === idx)));
    if (devs.length === 0) throw new HistoryError(`no device for key '${key}' in this domain's history`);
    return { column: hit.column, devices: devs };
  }

  /** The raw ticks of a range: the first and last tick id (null when it holds none). */
  private tickRange(since: number, until: number): { first: number; to: number } | null {
    const first = num(this.stmt('SELECT id FROM tick WHERE ts >= ? ORDER BY ts LIMIT 1').pluck().get(since));
    const to = num(this.stmt('SELECT id FROM tick WHERE ts <= ? ORDER BY ts DESC LIMIT 1').pluck().get(until));
    return first === null || to === null || to < first ? null : { first, to };
  }

  query(q: HistoryQuery): HistoryResult {
    if (!(q.until >= q.since)) throw new HistoryError('--until is before --since');
    if (q.stepS !== undefined && !(q.stepS > 0)) throw new HistoryError('--step must be positive');
    const devices = this.devices(this.domainIds(q.domain));
    const keys =
      q.keys.length > 0
        ? [...new Set(q.keys)]
        : defaultKeys(devices).filter((k) => {
            try {
              this.resolveKey(k, devices);
              return true;
            } catch {
              return false;
            }
          });
    const resolved = keys.map((key) => ({ key, ...this.resolveKey(key, devices) }));
    const ticks = this.tickRange(q.since, q.until);
    const plan = planQuery(q.until - q.since, q.stepS, {
      maxPoints: q.maxPoints,
      maxRead: q.maxRead,
      series: resolved.reduce((n, r) => n + r.devices.length, 0),
      rawRows: () => (ticks === null ? 0 : ticks.to - ticks.first + 1),
      // Raw ticks reach back to the start, or the minutes hold nothing older than they do.
      rawCovers: () => {
        const oldest = num(this.stmt('SELECT min(ts) FROM tick').pluck().get());
        const minutes = num(this.stmt('SELECT min(bucket) FROM cover_1m').pluck().get());
        return oldest === null || oldest <= q.since || minutes === null || minutes * 1000 >= Math.floor(oldest / 60_000) * 60_000;
      },
    });
    const { tier } = plan;
    const step = plan.stepS;
    const stepMs = step === null ? null : step * 1000;
    // Rows: every sample time (raw, no step) or every step bucket that has data.
    const bucketOf = stepMs === null ? (ts: number) => ts : (ts: number) => Math.floor(ts / stepMs) * stepMs;
    const rows = new Rows();
    const check =
      q.deadline === undefined
        ? () => {}
        : () => {
            if (performance.now() > q.deadline!) throw new HistoryLimitError('the query took too long: ask for fewer keys, a shorter span or a larger step');
          };
    const perKey = resolved.map(({ key, column, devices: devs }) => {
      const sums = new Sums();
      const counter = column.type === 'counter';
      for (const d of devs) {
        check();
        if (column.type === 'attribute') this.attributeInto(sums, rows, bucketOf, d, column, q.since, q.until, tier);
        else if (tier === 'raw') {
          if (ticks !== null) this.rawInto(sums, rows, bucketOf, d, column, ticks, !(counter && q.rate), check);
        } else this.tierInto(sums, rows, bucketOf, tier, d, column, q.since, q.until, check);
      }
      const device =
        devs.length === 1 && devs[0]!.kind !== 'domain' && devs[0]!.kind !== 'host'
          ? devs[0]!.name
          : devs.length > 1
            ? devs.map((d) => d.name).join('|')
            : null;
      return { key, column, device, sums };
    });
    const order = rows.times.map((t, i) => [t, i] as const).sort((a, b) => a[0] - b[0]);
    const series: HistorySeries[] = perKey.map((k) => {
      const counter = k.column.type === 'counter';
      // A counter's readings exist in the raw tier only; a rollup holds its increases.
      const increases = counter && tier !== 'raw';
      const values = order.map(([, i]): bigint | number | null => {
        const s = k.sums.rows[i];
        if (s === undefined) return null;
        if (counter && q.rate) return s.delta !== null && s.dt > 0 ? (Number(s.delta) * 1000) / s.dt : null;
        if (increases) return s.delta;
        if (k.column.type === 'gauge' && s.n > 0 && (s.n > 1 || s.last === null)) return s.gauge / s.n;
        return s.last;
      });
      const unit = counter && q.rate ? `${k.column.unit}/s` : increases ? `${k.column.unit} per ${step}s` : k.column.unit;
      return { key: k.key, device: k.device, unit, type: k.column.type, values };
    });
    return { domain: q.domain, tier, stepS: step, times: order.map(([t]) => t), series };
  }

  /**
   * Raw rows of one column into the sums: readings decoded from the device's last base row before
   * the range on (only when values are wanted: a counter's rate needs its increases alone), read
   * RAW_CHUNK ticks at a time.
   */
  private rawInto(
    sums: Sums,
    rows: Rows,
    bucketOf: (ts: number) => number,
    dev: DeviceRow,
    column: Column,
    range: { first: number; to: number },
    readings: boolean,
    check: () => void,
  ): void {
    const { first, to } = range;
    const col = column.col;
    const scale = BigInt(column.scale);
    const counter = column.type === 'counter';
    let from = first;
    let bases: Map<number, bigint | null> | null = null;
    if (readings) {
      const base = this.stmt(`SELECT tick_id FROM ${dev.kind}_base WHERE tick_id <= ? AND device_id = ? ORDER BY tick_id DESC LIMIT 1`)
        .pluck()
        .get(first, dev.id) as bigint | undefined;
      if (base !== undefined) from = Number(base);
      bases = new Map(
        (
          this.stmt(`SELECT tick_id, ${col} FROM ${dev.kind}_base WHERE tick_id BETWEEN ? AND ? AND device_id = ?`)
            .raw(true)
            .all(from, to, dev.id) as unknown[][]
        ).map((r) => [Number(r[0]), fromSql(r[1])]),
      );
    }
    const st = this.stmt(
      `SELECT t.id, t.ts, coalesce(r.dt, t.dt), r.${col} FROM tick t JOIN ${dev.kind}_raw r ON r.tick_id = t.id AND r.device_id = ? WHERE t.id BETWEEN ? AND ? ORDER BY t.id`,
    ).raw(true);
    let reading: bigint | null = null;
    for (let a = from; a <= to; a += RAW_CHUNK) {
      check();
      for (const r of st.all(dev.id, a, Math.min(to, a + RAW_CHUNK - 1)) as unknown[][]) {
        const id = Number(r[0]);
        const change = fromSql(r[3]);
        if (bases !== null) {
          const b = bases.get(id);
          if (b !== undefined) reading = b === null ? null : b * scale;
          else reading = reading === null || change === null ? null : reading + change * scale;
        }
        if (id < first) continue;
        const ts = Number(r[1]);
        const i = rows.at(bucketOf(ts));
        const dt = r[2];
        if (counter && change !== null && dt !== null) sums.increase(i, change * scale, Number(dt));
        if (reading !== null) sums.reading(i, reading, ts);
        else sums.touch(i);
      }
    }
  }

  /** A rollup tier's buckets of one column: counters' increases over the time covered, gauges' means. */
  private tierInto(
    sums: Sums,
    rows: Rows,
    bucketOf: (ts: number) => number,
    tier: Tier,
    dev: DeviceRow,
    column: Column,
    since: number,
    until: number,
    check: () => void,
  ): void {
    const step = TIER_SECONDS[tier];
    const from = Math.floor(since / 1000 / step) * step;
    const to = Math.floor(until / 1000);
    const covers = new Map(
      (this.stmt(`SELECT bucket, ms FROM cover_${tier} WHERE bucket BETWEEN ? AND ?`).raw(true).all(from, to) as unknown[][]).map((r) => [
        Number(r[0]),
        Number(r[1]),
      ]),
    );
    // This column's slots only: a block row holds every column of six buckets.
    const cols = [...Array(SLOTS).keys()].map((s) => `gap_${s}, ${column.col}_${s}`).join(', ');
    const get = this.stmt(`SELECT ${cols} FROM ${dev.kind}_${tier}_block WHERE block = ? AND device_id = ?`).raw(true);
    const scale = BigInt(column.scale);
    // Only the blocks the table holds: a span of centuries costs what its data costs, not a lookup per block.
    const [lo, hi] = this.stmt(`SELECT min(block), max(block) FROM ${dev.kind}_${tier}_block`).raw(true).get() as [bigint | null, bigint | null];
    if (lo === null || hi === null) return;
    let n = 0;
    for (let block = Math.max(blockOf(tier, from), Number(lo)), last = Math.min(to, Number(hi)); block <= last; block += step * SLOTS) {
      if (++n % 256 === 0) check();
      const b = get.get(block, dev.id) as unknown[] | undefined;
      if (b === undefined) continue;
      for (let s = 0; s < SLOTS; s++) {
        const bucket = block + s * step;
        if (bucket < from || bucket > to || b[2 * s] === null) continue;
        const secsMs = (covers.get(bucket) ?? 0) - Number(b[2 * s]);
        const v = fromSql(b[2 * s + 1]);
        if (column.type === 'counter') {
          const i = rows.at(bucketOf(bucket * 1000));
          if (v !== null) sums.increase(i, v * scale, secsMs);
          else sums.touch(i);
        } else if (v !== null) sums.mean(rows.at(bucketOf(bucket * 1000)), Number(v * scale), Math.max(1, secsMs));
      }
    }
  }

  /** An attribute as of each row time: its change log sampled at the ticks (raw) or buckets. */
  private attributeInto(
    sums: Sums,
    rows: Rows,
    bucketOf: (ts: number) => number,
    dev: DeviceRow,
    column: Column,
    since: number,
    until: number,
    tier: TierName,
  ): void {
    const changes = (
      this.stmt('SELECT ts, value FROM attribute WHERE device_id = ? AND col = ? AND ts <= ? ORDER BY ts')
        .raw(true)
        .all(dev.id, column.col, until) as unknown[][]
    ).map((r) => ({ ts: Number(r[0]), value: fromSql(r[1]) }));
    if (changes.length === 0) return;
    const times =
      tier === 'raw'
        ? (this.stmt('SELECT ts FROM tick WHERE ts BETWEEN ? AND ? ORDER BY id').pluck().all(since, until) as bigint[]).map(Number)
        : (
            this.stmt(`SELECT bucket FROM cover_${tier} WHERE bucket BETWEEN ? AND ? ORDER BY bucket`)
              .pluck()
              .all(Math.floor(since / 1000), Math.floor(until / 1000)) as bigint[]
          ).map((b) => Number(b) * 1000);
    let c = -1;
    for (const ts of times) {
      // As of the end of the row: a bucket shows the value it ended with.
      const end = tier === 'raw' ? ts : ts + TIER_SECONDS[tier] * 1000 - 1;
      while (c + 1 < changes.length && changes[c + 1]!.ts <= end) c++;
      if (c >= 0 && changes[c]!.value !== null) sums.reading(rows.at(bucketOf(ts)), changes[c]!.value!, ts);
    }
  }

  /** What the database holds: per domain its devices and the keys it has values for. */
  list(): { domain: string; uuid: string | null; devices: { kind: Kind; idx: number | null; name: string }[]; keys: string[] }[] {
    const doms = this.db.prepare('SELECT id, name, uuid FROM domain ORDER BY name').all() as Row[];
    const attrs = new Set((this.db.prepare('SELECT DISTINCT device_id, col FROM attribute').all() as Row[]).map((r) => `${r.device_id}/${r.col}`));
    return doms.map((d) => {
      const devices = this.devices([Number(d.id)]);
      const keys: string[] = [];
      for (const dev of devices) {
        const layout = this.map.layouts[dev.kind];
        const known = this.knownColumns(dev, layout);
        for (const c of this.map.columns[dev.kind]) {
          if (c.type === 'attribute' ? attrs.has(`${dev.id}/${c.col}`) : known.has(c.col)) keys.push(c.key.replace('{i}', String(dev.idx)));
        }
      }
      return {
        domain: String(d.name),
        uuid: d.uuid === null ? null : String(d.uuid),
        devices: devices.map(({ kind, idx, name }) => ({ kind, idx, name })),
        keys: [...new Set(keys)],
      };
    });
  }

  /** The counters and gauges a device has values for: in its newest base row, or its newest blocks. */
  private knownColumns(dev: DeviceRow, layout: KindLayout): Set<string> {
    const out = new Set<string>();
    const cols = [...layout.sampled].map((i) => layout.columns[i]!.col);
    const base = this.db.prepare(`SELECT * FROM ${dev.kind}_base WHERE device_id = ? ORDER BY tick_id DESC LIMIT 1`).get(dev.id) as Row | undefined;
    if (base !== undefined) for (const c of cols) if (base[c] !== null) out.add(c);
    for (const tier of ['1m', '1h'] as const) {
      const b = this.db.prepare(`SELECT * FROM ${dev.kind}_${tier}_block WHERE device_id = ? ORDER BY block DESC LIMIT 1`).get(dev.id) as Row | undefined;
      if (b !== undefined) for (const c of cols) for (let s = 0; s < SLOTS; s++) if (b[`${c}_${s}`] !== null) out.add(c);
    }
    return out;
  }

  /** The time each tier spans (Unix ms, first to last), or null when it holds nothing. */
  span(): Record<TierName, [number, number] | null> {
    const s = tierSpans(this.db);
    return { raw: s.raw.span, '1m': s['1m'].span, '1h': s['1h'].span };
  }
}
