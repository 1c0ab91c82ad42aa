// Reading the history back, on any copy of the database: which series exist, and a domain's keys
// over a time range at a step, as values or as rates. Raw rows are decoded from their base rows
// (exact, in bigint); the minute and hour tiers are read directly. The tier follows the step.

import type { Db } from './db.js';
import { readKeyMap, keyPattern, type Column, type KeyMap, type Kind } from './key-map.js';
import { decodeCounter, TIER_SECONDS, type Tier } from './rollup.js';

export type HistoryTier = 'raw' | Tier;

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
  type: 'counter' | 'gauge';
  /** Values per time row: exact integers (bigint), rates or means (number), or null. */
  values: (bigint | number | null)[];
}

export interface HistoryResult {
  domain: string;
  tier: HistoryTier;
  stepS: number | null;
  times: number[];
  series: HistorySeries[];
}

export class HistoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HistoryError';
  }
}

interface DeviceRow {
  id: number;
  kind: Kind;
  idx: number | null;
  name: string;
}

interface Point {
  ts: number;
  value: bigint | null;
  delta: bigint | null;
  dtMs: number | null;
  /** A rollup's gauge: the mean over the bucket and the samples it stands for. */
  mean?: number;
  weight?: number;
}

export function chooseTier(spanMs: number, stepS: number | undefined): HistoryTier {
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
    return (
      this.db.prepare('SELECT id, kind, idx, name FROM device WHERE domain_id = ? ORDER BY kind, idx, id').all(domainId) as {
        id: bigint;
        kind: Kind;
        idx: bigint | null;
        name: string;
      }[]
    ).map((r) => ({
      id: Number(r.id),
      kind: r.kind,
      idx: r.idx === null ? null : Number(r.idx),
      name: r.name,
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
        .flatMap((d) => (tier === 'raw' ? this.rawPoints(d, column, q.since, q.until) : this.tierPoints(tier, d, column, q.since, q.until)))
        .sort((a, b) => a.ts - b.ts);
      return {
        key,
        column,
        device:
          devs.length === 1 && devs[0]!.kind !== 'domain' && devs[0]!.kind !== 'host'
            ? devs[0]!.name
            : devs.length > 1
              ? devs.map((d) => d.name).join('|')
              : null,
        points,
      };
    });
    // Rows: every sample time (raw, no step) or every step bucket that has data.
    const bucketOf = (ts: number) => (step === null ? ts : Math.floor(ts / (step * 1000)) * step * 1000);
    const times = [...new Set(perKey.flatMap((k) => k.points.map((p) => bucketOf(p.ts))))].sort((a, b) => a - b);
    const index = new Map(times.map((t, i) => [t, i]));
    const series: HistorySeries[] = perKey.map((k) => {
      const values: (bigint | number | null)[] = new Array(times.length).fill(null);
      const sums = new Array<{ delta: bigint; dt: number; gauge: number; n: number; last: bigint | null }>(times.length);
      for (const p of k.points) {
        const i = index.get(bucketOf(p.ts))!;
        const s = (sums[i] ??= { delta: 0n, dt: 0, gauge: 0, n: 0, last: null });
        if (p.delta !== null && p.dtMs !== null) {
          s.delta += p.delta;
          s.dt += p.dtMs;
        }
        if (p.value !== null) {
          const w = p.weight ?? 1;
          s.gauge += (p.mean ?? Number(p.value)) * w;
          s.n += w;
          s.last = p.value;
        }
      }
      sums.forEach((s, i) => {
        if (s === undefined) return;
        if (q.rate && k.column.type === 'counter') values[i] = s.dt > 0 ? (Number(s.delta) * 1000) / s.dt : null;
        else if (k.column.type === 'gauge' && s.n > 1) values[i] = s.gauge / s.n;
        else values[i] = s.last;
      });
      return { key: k.key, device: k.device, unit: q.rate && k.column.type === 'counter' ? `${k.column.unit}/s` : k.column.unit, type: k.column.type, values };
    });
    return { domain: q.domain, tier, stepS: step, times, series };
  }

  /** Raw points of one column from the device's last base row before `since` on. */
  private rawPoints(dev: DeviceRow, column: Column, since: number, until: number): Point[] {
    const first = this.db.prepare('SELECT keyframe FROM tick WHERE ts >= ? ORDER BY id LIMIT 1').pluck().get(since) as bigint | undefined;
    if (first === undefined) return [];
    const from = this.db.prepare('SELECT min(id) FROM tick WHERE keyframe = ?').pluck().get(first) as bigint;
    const to = this.db.prepare('SELECT max(id) FROM tick WHERE ts <= ?').pluck().get(until) as bigint | null;
    if (to === null) return [];
    const rows = this.db
      .prepare(
        `SELECT t.ts AS ts, s.dt_ms AS dt, s.${column.col} AS v FROM tick t JOIN ${dev.kind}_sample s ON s.tick_id = t.id AND s.device_id = ? WHERE t.id BETWEEN ? AND ? ORDER BY t.id`,
      )
      .all(dev.id, from, to) as { ts: bigint; dt: bigint | null; v: bigint | null }[];
    const out: Point[] = [];
    let value: bigint | null = null;
    for (const r of rows) {
      const ts = Number(r.ts);
      let delta: bigint | null = null;
      if (r.dt === null) value = r.v === null ? null : column.type === 'counter' ? decodeCounter(r.v) : r.v;
      else if (r.v !== null && value !== null) {
        delta = r.v;
        value += r.v;
      } else if (r.v === null) value = null;
      if (ts >= since) out.push({ ts, value, delta, dtMs: r.dt === null ? null : Number(r.dt) });
    }
    return out;
  }

  private tierPoints(tier: Tier, dev: DeviceRow, column: Column, since: number, until: number): Point[] {
    const c = column.col;
    const sel = column.type === 'counter' ? `${c}_sum AS d, ${c}_last AS v` : `NULL AS d, ${c}_last AS v, ${c}_mean AS m`;
    const rows = this.db
      .prepare(`SELECT bucket, n, secs, ${sel} FROM ${dev.kind}_${tier} WHERE device_id = ? AND bucket BETWEEN ? AND ? ORDER BY bucket`)
      .all(dev.id, Math.floor(since / 1000), Math.floor(until / 1000)) as {
      bucket: bigint;
      n: bigint;
      secs: number;
      d: bigint | null;
      v: bigint | null;
      m?: number | null;
    }[];
    return rows.map((r) => {
      const p: Point = {
        ts: Number(r.bucket) * 1000,
        value: r.v === null ? null : column.type === 'counter' ? decodeCounter(r.v) : r.v,
        delta: r.d,
        dtMs: r.d === null ? null : r.secs * 1000,
      };
      if (r.m !== undefined && r.m !== null) {
        p.mean = r.m;
        p.weight = Number(r.n);
      }
      return p;
    });
  }

  /** What the database holds: per domain its devices, the keys with data and the time span. */
  list(): { domain: string; uuid: string | null; devices: { kind: Kind; idx: number | null; name: string }[]; keys: string[] }[] {
    const doms = this.db.prepare('SELECT id, name, uuid FROM domain ORDER BY name').all() as { id: bigint; name: string; uuid: string | null }[];
    return doms.map((d) => {
      const devices = this.devices(Number(d.id));
      const keys: string[] = [];
      for (const dev of devices) {
        for (const col of this.map.columns[dev.kind]) {
          const has = this.db
            .prepare(
              `SELECT 1 FROM ${dev.kind}_1h WHERE device_id = ? AND (${col.col}_last IS NOT NULL) UNION ALL SELECT 1 FROM ${dev.kind}_1m WHERE device_id = ? AND (${col.col}_last IS NOT NULL) LIMIT 1`,
            )
            .get(dev.id, dev.id);
          const hasRaw = has ?? this.db.prepare(`SELECT 1 FROM ${dev.kind}_sample WHERE device_id = ? AND ${col.col} IS NOT NULL LIMIT 1`).get(dev.id);
          if (hasRaw !== undefined) keys.push(col.key.replace('{i}', String(dev.idx)));
        }
      }
      return { domain: d.name, uuid: d.uuid, devices: devices.map(({ kind, idx, name }) => ({ kind, idx, name })), keys: [...new Set(keys)] };
    });
  }

  span(): { raw: [number, number] | null; '1m': [number, number] | null; '1h': [number, number] | null } {
    const raw = this.db.prepare('SELECT min(ts) AS a, max(ts) AS b FROM tick').get() as { a: bigint | null; b: bigint | null };
    const tier = (t: Tier): [number, number] | null => {
      const r = this.db.prepare(`SELECT min(bucket) AS a, max(bucket) AS b FROM domain_${t}`).get() as { a: bigint | null; b: bigint | null };
      const h = this.db.prepare(`SELECT min(bucket) AS a, max(bucket) AS b FROM host_${t}`).get() as { a: bigint | null; b: bigint | null };
      const a = [r.a, h.a].filter((x): x is bigint => x !== null).map(Number);
      const b = [r.b, h.b].filter((x): x is bigint => x !== null).map(Number);
      return a.length ? [Math.min(...a) * 1000, (Math.max(...b) + TIER_SECONDS[t]) * 1000] : null;
    };
    return { raw: raw.a === null || raw.b === null ? null : [Number(raw.a), Number(raw.b)], '1m': tier('1m'), '1h': tier('1h') };
  }
}
