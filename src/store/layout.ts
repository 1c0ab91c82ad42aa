// The shape of the history database, worked out from the column list (columns.ts): table and
// view definitions, and the positions the writer and reader use. Rendered once into schema.sql
// (`npm run schema`); a database is created from that file.

import { COLUMNS, type ColumnSpec } from './columns.js';
import { KINDS, type ColumnType, type Kind } from '../sample/row-map.js';

export type Tier = '1m' | '1h';
export const TIERS: readonly Tier[] = ['1m', '1h'];
export const TIER_SECONDS: Record<Tier, number> = { '1m': 60, '1h': 3600 };
/** The three tiers of history: raw ticks, then minute and hour rollups. */
export type TierName = 'raw' | Tier;
export const TIER_NAMES: readonly TierName[] = ['raw', ...TIERS];
/** Buckets per rollup row: a row holds six consecutive minutes (or hours) of one device. */
export const SLOTS = 6;
/** Raw readings are written in full (a base row) at least once per keyframe period. */
export const KEYFRAME_MS = 10 * 60 * 1000;

/** A block's first bucket (Unix seconds) and a bucket's slot in it. */
export const blockOf = (tier: Tier, bucket: number) => Math.floor(bucket / (TIER_SECONDS[tier] * SLOTS)) * TIER_SECONDS[tier] * SLOTS;
export const slotOf = (tier: Tier, bucket: number) => (bucket - blockOf(tier, bucket)) / TIER_SECONDS[tier];

/** What rollups keep of a column, as key_map.rollup says it. */
export function rollupOf(c: Pick<ColumnSpec, 'type' | 'peak' | 'low'>): string {
  if (c.type === 'counter') return c.peak ? 'sum max' : 'sum';
  if (c.type === 'gauge') return c.low ? 'mean min' : 'mean max';
  return '';
}

/** One kind's columns by how they are stored, each with its position in the kind's full list. */
export interface KindLayout {
  kind: Kind;
  columns: readonly ColumnSpec[];
  /** Positions (in `columns`) of the counters and gauges, in order: the raw and base columns. */
  sampled: Int32Array;
  /** For each sampled column: 1 counter, 0 gauge. */
  counter: Uint8Array;
  /** For each sampled column: its scale. */
  scale: Float64Array;
  /** For each sampled column: counters 1 when the peak rate is kept; gauges 1 when the minimum is. */
  extreme: Uint8Array;
  /** Positions of the attributes. */
  attributes: Int32Array;
  /** Names of one slot's columns, without the slot suffix: gap, then per sampled column its aggregates. */
  slotColumns: readonly string[];
}

export function kindLayout(kind: Kind, columns: readonly ColumnSpec[]): KindLayout {
  const sampled: number[] = [];
  const attributes: number[] = [];
  columns.forEach((c, i) => (c.type === 'attribute' ? attributes : sampled).push(i));
  const slotColumns = ['gap'];
  for (const i of sampled) {
    const c = columns[i]!;
    if (c.type === 'counter') slotColumns.push(c.col, ...(c.peak ? [`${c.col}_peak`] : []));
    else slotColumns.push(c.col, `${c.col}_${c.low ? 'min' : 'max'}`);
  }
  return {
    kind,
    columns,
    sampled: Int32Array.from(sampled),
    counter: Uint8Array.from(sampled, (i) => (columns[i]!.type === 'counter' ? 1 : 0)),
    scale: Float64Array.from(sampled, (i) => columns[i]!.scale),
    extreme: Uint8Array.from(sampled, (i) => (columns[i]!.type === 'counter' ? (columns[i]!.peak ? 1 : 0) : columns[i]!.low ? 1 : 0)),
    attributes: Int32Array.from(attributes),
    slotColumns,
  };
}

const byKind = (columns: readonly ColumnSpec[]) => Object.fromEntries(KINDS.map((k) => [k, columns.filter((c) => c.kind === k)])) as Record<Kind, ColumnSpec[]>;
export const SPEC_COLUMNS: Record<Kind, readonly ColumnSpec[]> = byKind(COLUMNS);

// ---- SQL -------------------------------------------------------------------------------------

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
const slots = [...Array(SLOTS).keys()];
const SLOT_TABLE = `(${slots.map((s) => `SELECT ${s} AS slot`).join(' UNION ALL ')})`;
const inSlot = (col: string) => `CASE s.slot ${slots.map((s) => `WHEN ${s} THEN b.${col}_${s}`).join(' ')} END`;
const scaled = (expr: string, scale: number) => (scale === 1 ? expr : `${expr} * ${scale}`);

function rawTables(l: KindLayout): string {
  const cols = [...l.sampled].map((i) => `  ${l.columns[i]!.col.padEnd(26)} INTEGER,`);
  // No type: a reading past SQLite's integers is kept as its decimal text (INTEGER affinity would
  // turn that text into a rounded REAL).
  const readings = [...l.sampled].map((i) => `  ${l.columns[i]!.col},`);
  return [
    `-- ${l.kind}: raw rows, one per device per tick. Counters: the increase since the device's previous row`,
    `-- (NULL: unknown, the first reading, or a reset). Gauges: the change since that row. dt: ms since`,
    `-- the device's previous row when that was not the previous tick (NULL: the tick's dt).`,
    `CREATE TABLE ${l.kind}_raw (`,
    '  tick_id                    INTEGER NOT NULL,',
    '  device_id                  INTEGER NOT NULL,',
    '  dt                         INTEGER,',
    ...cols,
    '  PRIMARY KEY (tick_id, device_id)',
    ') WITHOUT ROWID;',
    '',
    `-- ${l.kind}: readings at a device's first tick, after a reset and at the first tick of every keyframe period`,
    `-- (columns without a type: a reading past SQLite's integers stays its exact decimal text).`,
    `CREATE TABLE ${l.kind}_base (`,
    '  tick_id                    INTEGER NOT NULL,',
    '  device_id                  INTEGER NOT NULL,',
    ...readings,
    '  PRIMARY KEY (tick_id, device_id)',
    ') WITHOUT ROWID;',
  ].join('\n');
}

function blockTable(l: KindLayout, tier: Tier): string {
  const cols = slots.flatMap((s) => l.slotColumns.map((c) => `${c}_${s} INTEGER`));
  const lines: string[] = [];
  for (let i = 0; i < cols.length; i += l.slotColumns.length) lines.push('  ' + cols.slice(i, i + l.slotColumns.length).join(', ') + ',');
  return [
    `CREATE TABLE ${l.kind}_${tier}_block (`,
    `  block      INTEGER NOT NULL,     -- the first bucket of the block, Unix seconds`,
    `  device_id  INTEGER NOT NULL,`,
    ...lines,
    '  PRIMARY KEY (block, device_id)',
    ') WITHOUT ROWID;',
  ].join('\n');
}

function rateView(l: KindLayout): string {
  const counters = [...l.sampled].filter((i) => l.columns[i]!.type === 'counter').map((i) => l.columns[i]!);
  return [
    `CREATE VIEW ${l.kind}_rate AS`,
    'SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx, coalesce(r.dt, t.dt) AS dt_ms,',
    counters.map((c) => `  ${scaled(`r.${c.col}`, c.scale)} * 1000.0 / coalesce(r.dt, t.dt) AS ${c.col}`).join(',\n'),
    `FROM ${l.kind}_raw r JOIN tick t ON t.id = r.tick_id JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id;`,
  ].join('\n');
}

/**
 * A base reading of 2^62 or more as a REAL: SQLite's integer sum() stops the whole query with
 * "integer overflow" once a running sum passes 2^63 - 1 (a counter near it, then its increases),
 * while a sum with a REAL in it is a REAL. Such readings are approximate in the view, as plain SQL
 * arithmetic on them is (domstat history reads them exactly); every smaller one stays an exact integer.
 */
const realPast62 = (x: string) => `CASE WHEN abs(${x}) >= 4611686018427387904 THEN ${x} * 1.0 ELSE ${x} END`;

function valueView(l: KindLayout): string {
  const cols = [...l.sampled].map((i) => l.columns[i]!);
  const list = cols.map((c) => c.col).join(', ');
  return [
    `CREATE VIEW ${l.kind}_value AS`,
    `WITH x AS (SELECT tick_id, device_id, 1 AS b, ${list} FROM ${l.kind}_base`,
    `           UNION ALL SELECT tick_id, device_id, 0 AS b, ${list} FROM ${l.kind}_raw),`,
    `g AS (SELECT x.*, sum(b) OVER o AS gen, max(CASE WHEN b = 1 THEN tick_id END) OVER o AS bt FROM x`,
    `      WINDOW o AS (PARTITION BY device_id ORDER BY tick_id, b DESC ROWS UNBOUNDED PRECEDING)),`,
    `y AS (SELECT g.tick_id, g.device_id, g.b, g.gen,`,
    cols
      .map((c) => `  sum(CASE WHEN g.b = 1 THEN ${realPast62(`g.${c.col}`)} WHEN g.tick_id = g.bt THEN NULL ELSE g.${c.col} END) OVER w AS ${c.col}`)
      .join(',\n'),
    `  FROM g WINDOW w AS (PARTITION BY g.device_id, g.gen ORDER BY g.tick_id, g.b DESC ROWS UNBOUNDED PRECEDING))`,
    'SELECT t.ts AS ts, d.name AS domain, v.name AS device, v.idx AS idx,',
    cols.map((c) => `  CASE WHEN y.gen > 0 THEN ${scaled(`y.${c.col}`, c.scale)} END AS ${c.col}`).join(',\n'),
    `FROM y JOIN tick t ON t.id = y.tick_id JOIN device v ON v.id = y.device_id JOIN domain d ON d.id = v.domain_id WHERE y.b = 0;`,
  ].join('\n');
}

/** <kind>_<tier>: the rollup blocks one row per bucket, with v1's column names (sum, max, mean). */
function tierView(l: KindLayout, tier: Tier): string {
  const out: string[] = [];
  for (const i of l.sampled) {
    const c = l.columns[i]!;
    if (c.type === 'counter') {
      out.push(`  ${scaled(inSlot(c.col), c.scale)} AS ${c.col}_sum`);
      if (c.peak) out.push(`  ${scaled(inSlot(`${c.col}_peak`), c.scale)} AS ${c.col}_max`);
    } else {
      const ext = c.low ? 'min' : 'max';
      out.push(`  ${scaled(inSlot(c.col), c.scale)} AS ${c.col}_mean`, `  ${scaled(inSlot(`${c.col}_${ext}`), c.scale)} AS ${c.col}_${ext}`);
    }
  }
  const step = TIER_SECONDS[tier];
  return [
    `CREATE VIEW ${l.kind}_${tier} AS`,
    `SELECT CAST(b.block + ${step} * s.slot AS INTEGER) AS bucket, b.device_id AS device_id, (c.ms - ${inSlot('gap')}) / 1000.0 AS secs,`,
    out.join(',\n'),
    `FROM ${l.kind}_${tier}_block b CROSS JOIN ${SLOT_TABLE} s JOIN cover_${tier} c ON c.bucket = b.block + ${step} * s.slot`,
    `WHERE ${inSlot('gap')} IS NOT NULL;`,
  ].join('\n');
}

/** <kind>_<tier>_rate: per-second rates (mean and peak) and gauge levels, with names. */
function tierRateView(l: KindLayout, tier: Tier): string {
  const out: string[] = [];
  for (const i of l.sampled) {
    const c = l.columns[i]!;
    if (c.type === 'counter') {
      out.push(`  r.${c.col}_sum / r.secs AS ${c.col}`);
      if (c.peak) out.push(`  r.${c.col}_max AS ${c.col}_max`);
    } else out.push(`  r.${c.col}_mean AS ${c.col}`, `  r.${c.col}_${c.low ? 'min' : 'max'} AS ${c.col}_${c.low ? 'min' : 'max'}`);
  }
  return [
    `CREATE VIEW ${l.kind}_${tier}_rate AS`,
    'SELECT CAST(r.bucket * 1000 AS INTEGER) AS ts, d.name AS domain, v.name AS device, v.idx AS idx, r.secs AS secs,',
    out.join(',\n'),
    `FROM ${l.kind}_${tier} r JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id;`,
  ].join('\n');
}

function keyMapRows(): string {
  return KINDS.flatMap((k) =>
    SPEC_COLUMNS[k].map(
      (c, pos) =>
        `INSERT INTO key_map VALUES (${q(c.kind)}, ${q(c.col)}, ${pos}, ${q(c.key)}, ${q(c.type)}, ${q(c.unit)}, ${c.scale}, ${q(rollupOf(c))}, ${q(c.origin)}, ${q(c.note)});`,
    ),
  ).join('\n');
}

const HEADER = `-- domstat history database: generated from src/store/columns.ts by \`npm run schema\`
-- (test/store/schema.ts keeps the two equal). domstat creates a new database from this file and
-- records the schema version in PRAGMA user_version (and meta.schema_version).
--
-- A tick is one sample of the whole host. Each sampled thing is a \`device\`: a domain as a whole
-- (kind 'domain'), a vCPU, a network interface, a disk, the host itself, and (domstat's own, KVM)
-- a host block device the VM's cgroup did I/O to (cgroup_io) or a NUMA node holding its memory (numa). key_map says which
-- stats key lives in which column, how it is stored and in which unit.
--
-- Three tiers, each readable through views:
--   raw   <kind>_raw: one row per device per tick; counters as the increase since the device's
--         previous row, gauges as their change. Readings are whole in <kind>_base at a device's
--         first tick, after a reset and at the first tick of every 10-minute keyframe period.
--         Views: <kind>_rate (per-second rates per tick; not for numa, which has no counters),
--         <kind>_value (decoded readings).
--   1m/1h <kind>_1m_block, <kind>_1h_block: one row per device per block of six minutes (hours),
--         columns <name>_<slot> for slot 0..5. Per bucket: counters their exact increase (and the
--         peak per-second rate of the busy ones, <col>_peak), gauges their mean and one extreme;
--         gap_<slot> is how many ms the device covered less than the host's ticks (cover_<tier>),
--         NULL when the device has nothing in that bucket. Views: <kind>_1m, <kind>_1h (v1's
--         column names: <col>_sum, <col>_max, <col>_mean) and <kind>_1m_rate, <kind>_1h_rate.
--   attributes (state, capacity, maximum memory, vCPU counts): table \`attribute\`, one row per
--         change; view attribute_log.
--
-- Values are integers in the column's unit divided by key_map.scale (vCPU times in 10 ms clock
-- ticks, disk times in ms, disk bytes in 512-byte sectors); the views multiply back. An increase
-- is exact and never negative: a decrease is a reset (a 32-bit source's wrap is unwrapped), and a
-- domain that restarts (new id) starts its counters again. A reading of 2^63 or more, or any value
-- outside SQLite's signed 64-bit integers, is stored as its decimal text (exact; domstat reads it
-- back exactly; plain SQL arithmetic on it is approximate). Rollup sums are exact below 2^53.
-- Retention: raw 2 days, 1m 90 days, 1h 2 years by default, plus a size cap (see README).
`;

const CORE = `CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- Domains by identity: the uuid, or the name when there is none (libvirt-less Xen hosts).
-- The host itself is the domain with key '@host'.
CREATE TABLE domain (
  id       INTEGER PRIMARY KEY,
  key      TEXT NOT NULL UNIQUE,
  uuid     TEXT,
  name     TEXT NOT NULL,
  hv_type  TEXT NOT NULL
);

-- What is sampled: kind 'domain' (idx NULL), 'vcpu', 'net', 'block' (idx = N of vcpu.N, net.N,
-- block.N), or 'host'. name is the device name (vnet0, xvda, vcpu0), path the disk source.
CREATE TABLE device (
  id         INTEGER PRIMARY KEY,
  domain_id  INTEGER NOT NULL REFERENCES domain (id),
  kind       TEXT NOT NULL CHECK (kind IN (${KINDS.map(q).join(', ')})),
  idx        INTEGER,
  name       TEXT NOT NULL,
  path       TEXT,
  UNIQUE (domain_id, kind, idx, name)
);`;

/** Where the history's part of schema.sql begins (a migration creates that part only). */
export const HISTORY_MARK = '-- ---- The history: everything but meta, domain and device ----';

const HISTORY_CORE = `${HISTORY_MARK}

-- One row per sample of the host. ts never goes back: after a wall clock stepped back it advances at
-- half the monotonic clock's pace until the wall clock catches up (see README, "Clocks").
CREATE TABLE tick (
  id          INTEGER PRIMARY KEY,
  ts          INTEGER NOT NULL,     -- time of the sample, Unix milliseconds
  dt          INTEGER,              -- ms since the previous tick, by the monotonic clock (NULL: unknown)
  mono        INTEGER,              -- the monotonic clock (CLOCK_MONOTONIC, ms) at the sample
  collect_us  INTEGER NOT NULL,     -- time spent reading and parsing host files
  domains     INTEGER NOT NULL      -- domains sampled
);
CREATE INDEX tick_ts ON tick (ts);

-- Which stats key is stored where: the key pattern ({i} = the device's idx), its column and its
-- position in the kind's list, how it is stored (counter, gauge, attribute), its unit and scale
-- (stored value * scale = value in unit), what the rollups keep, and whether libvirt or domstat
-- defines the key.
CREATE TABLE key_map (
  kind     TEXT NOT NULL,
  col      TEXT NOT NULL,
  pos      INTEGER NOT NULL,
  key      TEXT NOT NULL,
  type     TEXT NOT NULL CHECK (type IN ('counter', 'gauge', 'attribute')),
  unit     TEXT NOT NULL,
  scale    INTEGER NOT NULL,
  rollup   TEXT NOT NULL,
  origin   TEXT NOT NULL CHECK (origin IN ('libvirt', 'domstat')),
  note     TEXT NOT NULL,
  PRIMARY KEY (kind, col)
) WITHOUT ROWID;

-- Attributes, one row per change (value NULL: no longer known). The value as of a time is the
-- newest row at or before it.
CREATE TABLE attribute (
  device_id  INTEGER NOT NULL,
  col        TEXT NOT NULL,
  ts         INTEGER NOT NULL,      -- the tick that saw the change, Unix ms
  value,
  PRIMARY KEY (device_id, col, ts)
) WITHOUT ROWID;

-- The milliseconds the host's ticks covered in each bucket (a tick covers the time since the one
-- before it): what a rollup's increase is divided by for a rate.
CREATE TABLE cover_1m (bucket INTEGER PRIMARY KEY, ms INTEGER NOT NULL);
CREATE TABLE cover_1h (bucket INTEGER PRIMARY KEY, ms INTEGER NOT NULL);`;

const ATTRIBUTE_VIEW = `CREATE VIEW attribute_log AS
SELECT a.ts AS ts, d.name AS domain, v.name AS device, v.kind AS kind, v.idx AS idx,
  replace(k.key, '{i}', coalesce(v.idx, '')) AS key, a.value AS value
FROM attribute a JOIN device v ON v.id = a.device_id JOIN domain d ON d.id = v.domain_id
JOIN key_map k ON k.kind = v.kind AND k.col = a.col;`;

/** Tables and views of the history (everything but meta, domain and device), for a column list. */
export function historySql(layouts: readonly KindLayout[], keyMapInserts: string): string {
  const parts: string[] = [HISTORY_CORE, keyMapInserts];
  for (const l of layouts) {
    parts.push(rawTables(l));
    for (const tier of TIERS) parts.push(`-- ${l.kind}: ${tier} rollups, six buckets per row.\n${blockTable(l, tier)}`);
  }
  parts.push('-- Views for plain SQL. Times are Unix milliseconds (ts) or seconds (bucket); `domain` and `device` are names.');
  // (a kind with no counters, numa, has no rates per tick: its _value view says its levels)
  for (const l of layouts)
    parts.push(...(l.counter.includes(1) ? [rateView(l)] : []), valueView(l), ...TIERS.flatMap((tier) => [tierView(l, tier), tierRateView(l, tier)]));
  parts.push(ATTRIBUTE_VIEW);
  return parts.join('\n\n') + '\n';
}

export const LAYOUTS: Record<Kind, KindLayout> = Object.fromEntries(KINDS.map((k) => [k, kindLayout(k, SPEC_COLUMNS[k])])) as Record<Kind, KindLayout>;

/** The whole schema.sql text. */
export function schemaSql(): string {
  return `${HEADER}\n${CORE}\n\n${historySql(
    KINDS.map((k) => LAYOUTS[k]),
    keyMapRows(),
  )}`;
}

export type { ColumnSpec, ColumnType, Kind };
