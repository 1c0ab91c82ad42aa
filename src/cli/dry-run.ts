// `domstat agent --dry-run`: what a configuration's history would take on disk — each tier's
// size projected from the bytes a series takes per bucket (the database's own figures where it has
// enough history, else the benchmark's), whether it fits the cap, and what the cap would keep.

import * as fs from 'node:fs';
import { connect, type HostOptions } from './common.js';
import { type Io } from '../common/io.js';
import { messageOf } from '../common/errors.js';
import { Sampler } from '../agent/sampler.js';
import { COLUMNS } from '../store/columns.js';
import { agentMap, KINDS, OPTIONAL_KINDS, type Kind } from '../sample/row-map.js';
import { keyMapOf } from '../store/key-map.js';
import { openDatabase, type Db } from '../store/db.js';
import { storeStats } from '../store/stats.js';
import { BENCH_DOMAIN, bytesPerBucket, measuredFrom, project, seriesOf, type BytesPerBucket } from '../store/projection.js';
import { FLOORS, formatBytes, formatSpan, type RetentionPolicy } from '../store/retention.js';
import type { TierName } from '../store/layout.js';
import { formatTable } from '../export/virsh-text.js';

export interface DryRunOptions extends HostOptions {
  db: string;
  intervalMs: number;
  retention: RetentionPolicy;
  /** Domains shaped like the benchmark's instead of the host's own. */
  domains?: number;
  /** Optional kinds the agent would store too (--cgroup-io, --numa). */
  kinds: readonly Kind[];
}

/** Devices per kind as the agent would store them from the host now: one sample through its sampler. */
async function hostDevices(opts: HostOptions, kinds: readonly Kind[]): Promise<{ domains: number; devices: Partial<Record<Kind, number>> }> {
  const sampler = new Sampler(connect(opts), agentMap(keyMapOf(COLUMNS), kinds), { hostname: 'dry-run' });
  try {
    const s = sampler.sample();
    const devices: Partial<Record<Kind, number>> = {};
    for (const d of s.samples.flatMap((x) => x.devices)) devices[d.kind] = (devices[d.kind] ?? 0) + 1;
    return { domains: s.domains.length, devices };
  } finally {
    await sampler.close();
  }
}

/** The database's own bytes per bucket, when it exists, can be read, and holds enough of a tier to go by. */
function ownFigures(io: Io, file: string): Partial<BytesPerBucket> {
  if (!fs.existsSync(file)) return {};
  let db: Db;
  try {
    db = openDatabase(file, { readonly: true });
  } catch (e) {
    io.err(`note: ${messageOf(e)}: the projection uses the benchmark's figures\n`);
    return {};
  }
  try {
    return measuredFrom(storeStats(db));
  } finally {
    db.close();
  }
}

export async function dryRun(io: Io, opts: DryRunOptions): Promise<void> {
  let what: string;
  let devices: Partial<Record<Kind, number>>;
  if (opts.domains !== undefined) {
    const shape = (k: Kind) => (OPTIONAL_KINDS.includes(k) && !opts.kinds.includes(k) ? 0 : (BENCH_DOMAIN[k] ?? 0));
    devices = Object.fromEntries(KINDS.map((k) => [k, k === 'host' ? 1 : shape(k) * opts.domains!]));
    const also = opts.kinds.map((k) => (k === 'numa' ? ', 2 NUMA nodes' : ', I/O to 3 host devices (its 2 disks and the disk under them)')).join('');
    what = `${opts.domains} domains shaped like the benchmark's (2 vCPUs, 2 NICs, 2 disks${also} each) and the host`;
  } else {
    const host = await hostDevices(opts, opts.kinds);
    devices = host.devices;
    what = `the ${host.domains} domains under ${opts.root} now and the host`;
  }
  const series = seriesOf(devices);
  const intervalS = opts.intervalMs / 1000;
  const own = ownFigures(io, opts.db);
  const per = bytesPerBucket(intervalS, own);
  const p = project({ series, intervalS, retention: opts.retention }, per);
  const r = opts.retention;
  const keeps: Record<TierName, number> = { raw: r.rawMs, '1m': r.minuteMs, '1h': r.hourMs };
  const label: Record<TierName, string> = { raw: `raw ticks (every ${intervalS} s)`, '1m': '1-minute rollups', '1h': '1-hour rollups' };
  const source = (t: TierName) => (own[t] !== undefined ? `${opts.db}` : 'npm run bench');
  const rows = (['raw', '1m', '1h'] as const).map((t) => [label[t], formatSpan(keeps[t]), `${per[t].toFixed(2)} B (${source(t)})`, formatBytes(p.bytes[t])]);
  rows.push(['total', '', '', formatBytes(p.total)]);
  io.out(`History of ${what}: ${series} series (every column of every device).\n\n`);
  io.out(formatTable(['Tier', 'Keeps', 'Bytes per series per bucket', 'Size'], rows) + '\n');
  if (r.maxBytes === 0) {
    io.out('No size cap (--max-size 0).\n');
  } else if (p.fits) {
    io.out(`Fits the ${formatBytes(r.maxBytes)} cap (--max-size): every tier keeps what it is configured to.\n`);
  } else {
    const cut = (['raw', '1m', '1h'] as const)
      .filter((t) => p.kept[t] < keeps[t])
      .map((t) => `${label[t]} ${formatSpan(p.kept[t])} instead of ${formatSpan(keeps[t])}`);
    io.out(`Does not fit the ${formatBytes(r.maxBytes)} cap (--max-size): once full, the cap keeps ${cut.join(', ')}.\n`);
    // The cap never cuts a tier below its floor: when even the floors do not fit, the file outgrows the cap.
    const floors = project(
      {
        series,
        intervalS,
        retention: {
          ...r,
          maxBytes: 0,
          rawMs: Math.min(r.rawMs, FLOORS.raw),
          minuteMs: Math.min(r.minuteMs, FLOORS['1m']),
          hourMs: Math.min(r.hourMs, FLOORS['1h']),
        },
      },
      per,
    );
    if (floors.total > r.maxBytes)
      io.out(
        `Even what the cap never cuts (raw ticks 1 hour, minutes 1 day, hours 7 days) needs ${formatBytes(floors.total)}: the database will grow past the cap.\n`,
      );
    io.out(`--max-size ${sizeOption(p.total)} keeps everything configured; shorter --keep-* times need less.\n`);
  }
}

/** A --max-size value at least `bytes`, in whole MiB or GiB. */
function sizeOption(bytes: number): string {
  return bytes < 2 ** 30 ? `${Math.ceil(bytes / 2 ** 20)}M` : `${Math.ceil(bytes / 2 ** 30)}G`;
}
