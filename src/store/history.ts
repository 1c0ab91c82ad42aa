// Reading the history back, on any copy of the database: which series exist, and a domain's keys
// over a time range at a step, as values or as rates. Raw readings are decoded from their base
// rows plus the increases since (exact, in bigint); the minute and hour tiers are read from their
// blocks, one lookup per block; attributes from their change log. The tier follows the step.

import type { Db } from './db.js';
import { readKeyMap, type Column, type KeyMap } from './key-map.js';
import { keyPattern, type Kind } from '../sample/row-map.js';
import { blockOf, SLOTS, TIER_SECONDS, type KindLayout, type Tier, type TierName } from './layout.js';
import { tierSpans } from './stats.js';
import { fromSql } from './exact.js';
import { HistoryError } from './errors.js';

export interface HistoryQuery {
  domain: string;
  keys: string[];
  /** Unix ms, inclusive. */
  since: number;
  until: number;
  /** Seconds per output row; undefined: every raw tick (or every bucket of the tier). */
  stepS?: number;
  rate: boolean;
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

/** One stored point of a series: a reading, and for counters the increase over dtMs before it. */
interface Point {
  ts: number;
  value: bigint | null;
  delta: bigint | null;
  dtMs: number | null;
  /** A rollup's gauge: its mean over the bucket, weighted by the time it covers. */
  mean?: number;
  weight?: number;
}

export function chooseTier(spanMs: number, stepS: number | undefined): TierName {
  if (stepS !== undefined) return stepS >= 3600 ? '1h' : stepS >= 60 ? '1m' : 'raw';
  return spanMs <= 2 * 3600_000 ? 'raw' : spanMs <= 3 * 86400_000 ? '1m' : '1h';
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

export class HistoryReader {
  readonly map: KeyMap;

  constructor(private readonly db: Db) {
    this.map = readKeyMap(db);
  }

  domainId(name: string): number {
    const row = this.db
      .prepare('SELECT id FROM domain WHERE name = ? OR uuid = ? OR key = ? ORDER BY id DESC LIMIT 1')
      .pluck()
      .get(name, name.toLowerCase(), name) as bigint | undefined;
    if (row === undefined) throw new HistoryError(`no history for domain '${name}'`);
    return Number(row);
  }

  devices(domainId: number): DeviceRow[] {
    return (this.db.prepare('SELECT id, kind, idx, name FROM device WHERE domain_id = ? ORDER BY kind, idx, id').all(domainId) as Row[]).map((r) => ({
      id: Number(r.id),
      kind: r.kind as Kind,
      idx: r.idx === null ? null : Number(r.idx),
      name: String(r.name),
    }));
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
        for (const head of [d.kind, `extra.${d.kind}`]) {
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
    if (hit === undefined) throw new HistoryError(`unknown key '${key}' (see domstat history --list)`);
    const kind = hit.column.kind;
    const devs = devices.filter((d) => d.kind === kind && (kind === 'domain' || kind === 'host' || (byName !== null ? d.name === byName : d.idx === idx)));
    if (devs.length === 0) throw new HistoryError(`no device for key '${key}' in this domain's history`);
    return { column: hit.column, devices: devs };
  }

  query(q: HistoryQuery): HistoryResult {
    if (!(q.until >= q.since)) throw new HistoryError('--until is before --since');
    if (q.stepS !== undefined && !(q.stepS > 0)) throw new HistoryError('--step must be positive');
    const domainId = this.domainId(q.domain);
    const devices = this.devices(domainId);
    const keys =
      q.keys.length > 0
        ? q.keys
        : defaultKeys(devices).filter((k) => {
            try {
              this.resolveKey(k, devices);
              return true;
            } catch {
              return false;
            }
          });
    const tier = chooseTier(q.until - q.since, q.stepS);
    const step = q.stepS ?? (tier === 'raw' ? null : TIER_SECONDS[tier]);
    const perKey = keys.map((key) => {
      const { column, devices: devs } = this.resolveKey(key, devices);
      const points = devs
        .flatMap((d) =>
          column.type === 'attribute'
            ? this.attributePoints(d, column, q.since, q.until, tier)
            : tier === 'raw'
              ? this.rawPoints(d, column, q.since, q.until)
              : this.tierPoints(tier, d, column, q.since, q.until),
        )
        .sort((a, b) => a.ts - b.ts);
      const device =
        devs.length === 1 && devs[0]!.kind !== 'domain' && devs[0]!.kind !== 'host'
          ? devs[0]!.name
          : devs.length > 1
            ? devs.map((d) => d.name).join('|')
            : null;
      return { key, column, device, points };
    });
    // Rows: every sample time (raw, no step) or every step bucket that has data.
    const bucketOf = (ts: number) => (step === null ? ts : Math.floor(ts / (step * 1000)) * step * 1000);
    const times = [...new Set(perKey.flatMap((k) => k.points.map((p) => bucketOf(p.ts))))].sort((a, b) => a - b);
    const index = new Map(times.map((t, i) => [t, i]));
    const series: HistorySeries[] = perKey.map((k) => {
      const values: (bigint | number | null)[] = new Array(times.length).fill(null);
      const sums = new Array<{ delta: bigint | null; dt: number; gauge: number; n: number; last: bigint | null }>(times.length);
      for (const p of k.points) {
        const i = index.get(bucketOf(p.ts))!;
        const s = (sums[i] ??= { delta: null, dt: 0, gauge: 0, n: 0, last: null });
        if (p.delta !== null && p.dtMs !== null) {
          s.delta = (s.delta ?? 0n) + p.delta;
          s.dt += p.dtMs;
        }
        if (p.value !== null || p.mean !== undefined) {
          const w = p.weight ?? 1;
          s.gauge += (p.mean ?? Number(p.value)) * w;
          s.n += w;
          if (p.value !== null) s.last = p.value;
        }
      }
      const counter = k.column.type === 'counter';
      // A counter's readings exist in the raw tier only; a rollup holds its increases.
      const increases = counter && tier !== 'raw';
      sums.forEach((s, i) => {
        if (s === undefined) return;
        if (counter && q.rate) values[i] = s.delta !== null && s.dt > 0 ? (Number(s.delta) * 1000) / s.dt : null;
        else if (increases) values[i] = s.delta;
        else if (k.column.type === 'gauge' && s.n > 0 && (s.n > 1 || s.last === null)) values[i] = s.gauge / s.n;
        else values[i] = s.last;
      });
      const unit = counter && q.rate ? `${k.column.unit}/s` : increases ? `${k.column.unit} per ${step}s` : k.column.unit;
      return { key: k.key, device: k.device, unit, type: k.column.type, values };
    });
    return { domain: q.domain, tier, stepS: step, times, series };
  }

  /** Raw points of one column: readings decoded from the device's last base row before `since` on. */
  private rawPoints(dev: DeviceRow, column: Column, since: number, until: number): Point[] {
    const first = num(this.db.prepare('SELECT min(id) FROM tick WHERE ts >= ?').pluck().get(since));
    const to = num(this.db.prepare('SELECT max(id) FROM tick WHERE ts <= ?').pluck().get(until));
    if (first === null || to === null || to < first) return [];
    const col = column.col;
    const scale = BigInt(column.scale);
    const base = this.db
      .prepare(`SELECT tick_id, ${col} AS v FROM ${dev.kind}_base WHERE tick_id <= ? AND device_id = ? ORDER BY tick_id DESC LIMIT 1`)
      .get(first, dev.id) as Row | undefined;
    const from = base === undefined ? first : Number(base.tick_id);
    const bases = new Map(
      (this.db.prepare(`SELECT tick_id, ${col} AS v FROM ${dev.kind}_base WHERE tick_id BETWEEN ? AND ? AND device_id = ?`).all(from, to, dev.id) as Row[]).map(
        (r) => [Number(r.tick_id), fromSql(r.v)],
      ),
    );
    const rows = this.db
      .prepare(
        `SELECT t.id AS id, t.ts AS ts, coalesce(r.dt, t.dt) AS dt, r.${col} AS v FROM tick t JOIN ${dev.kind}_raw r ON r.tick_id = t.id AND r.device_id = ? WHERE t.id BETWEEN ? AND ? ORDER BY t.id`,
      )
      .all(dev.id, from, to) as Row[];
    const out: Point[] = [];
    let reading: bigint | null = null;
    for (const r of rows) {
      const id = Number(r.id);
      const change = fromSql(r.v);
      if (bases.has(id)) reading = bases.get(id)! === null ? null : bases.get(id)! * scale;
      else reading = reading === null || change === null ? null : reading + change * scale;
      if (id < first) continue;
      const counter = column.type === 'counter';
      out.push({
        ts: Number(r.ts),
        value: reading,
        delta: counter && change !== null ? change * scale : null,
        dtMs: counter && change !== null ? num(r.dt) : null,
      });
    }
    return out;
  }

  /** A rollup tier's buckets of one column: counters' increases over the time covered, gauges' means. */
  private tierPoints(tier: Tier, dev: DeviceRow, column: Column, since: number, until: number): Point[] {
    const step = TIER_SECONDS[tier];
    const from = Math.floor(since / 1000 / step) * step;
    const to = Math.floor(until / 1000);
    const covers = new Map(
      (this.db.prepare(`SELECT bucket, ms FROM cover_${tier} WHERE bucket BETWEEN ? AND ?`).all(from, to) as Row[]).map((r) => [
        Number(r.bucket),
        Number(r.ms),
      ]),
    );
    const get = this.db.prepare(`SELECT * FROM ${dev.kind}_${tier}_block WHERE block = ? AND device_id = ?`);
    const scale = BigInt(column.scale);
    const out: Point[] = [];
    for (let block = blockOf(tier, from); block <= to; block += step * SLOTS) {
      const b = get.get(block, dev.id) as Row | undefined;
      if (b === undefined) continue;
      for (let s = 0; s < SLOTS; s++) {
        const bucket = block + s * step;
        if (bucket < from || bucket > to || b[`gap_${s}`] === null) continue;
        const secsMs = (covers.get(bucket) ?? 0) - Number(b[`gap_${s}`]);
        const v = fromSql(b[`${column.col}_${s}`]);
        if (column.type === 'counter') out.push({ ts: bucket * 1000, value: null, delta: v === null ? null : v * scale, dtMs: secsMs });
        else if (v !== null) out.push({ ts: bucket * 1000, value: null, delta: null, dtMs: null, mean: Number(v * scale), weight: Math.max(1, secsMs) });
      }
    }
    return out;
  }

  /** An attribute as of each row time: its change log sampled at the ticks (raw) or buckets. */
  private attributePoints(dev: DeviceRow, column: Column, since: number, until: number, tier: TierName): Point[] {
    const changes = (
      this.db.prepare('SELECT ts, value FROM attribute WHERE device_id = ? AND col = ? AND ts <= ? ORDER BY ts').all(dev.id, column.col, until) as Row[]
    ).map((r) => ({ ts: Number(r.ts), value: fromSql(r.value) }));
    if (changes.length === 0) return [];
    const times =
      tier === 'raw'
        ? (this.db.prepare('SELECT ts FROM tick WHERE ts BETWEEN ? AND ? ORDER BY id').pluck().all(since, until) as bigint[]).map(Number)
        : (
            this.db
              .prepare(`SELECT bucket FROM cover_${tier} WHERE bucket BETWEEN ? AND ? ORDER BY bucket`)
              .pluck()
              .all(Math.floor(since / 1000), Math.floor(until / 1000)) as bigint[]
          ).map((b) => Number(b) * 1000);
    const out: Point[] = [];
    let c = -1;
    for (const ts of times) {
      // As of the end of the row: a bucket shows the value it ended with.
      const end = tier === 'raw' ? ts : ts + TIER_SECONDS[tier] * 1000 - 1;
      while (c + 1 < changes.length && changes[c + 1]!.ts <= end) c++;
      if (c >= 0 && changes[c]!.value !== null) out.push({ ts, value: changes[c]!.value, delta: null, dtMs: null });
    }
    return out;
  }

  /** What the database holds: per domain its devices and the keys it has values for. */
  list(): { domain: string; uuid: string | null; devices: { kind: Kind; idx: number | null; name: string }[]; keys: string[] }[] {
    const doms = this.db.prepare('SELECT id, name, uuid FROM domain ORDER BY name').all() as Row[];
    const attrs = new Set((this.db.prepare('SELECT DISTINCT device_id, col FROM attribute').all() as Row[]).map((r) => `${r.device_id}/${r.col}`));
    return doms.map((d) => {
      const devices = this.devices(Number(d.id));
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
