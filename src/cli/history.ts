import { Command, Option } from 'commander';
import { printJson } from './io.js';
import { type Io } from '../common/io.js';
import { UsageError } from '../common/errors.js';
import { openDatabase } from '../store/db.js';
import { HistoryReader, type HistoryResult } from '../store/history.js';
import { timeRange } from '../common/time.js';
import { storeStats, type StoreStats } from '../store/stats.js';
import { TIER_NAMES, type TierName } from '../store/layout.js';
import { formatBytes, formatSpan } from '../store/retention.js';
import { formatTable } from '../export/virsh-text.js';
import { csvRecord, csvText } from '../export/csv.js';
import { printable } from '../common/printable.js';

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

const TIER_LABEL: Record<TierName, string> = { raw: 'raw', '1m': '1-minute', '1h': '1-hour' };

/** Each tier's span, how long that is, its buckets and the bytes its pages take; then the rest of the file. */
function tiersTable(s: StoreStats): string {
  const rows = TIER_NAMES.map((t) => {
    const x = s.tiers[t];
    return [
      TIER_LABEL[t],
      x.span === null ? '(none)' : `${iso(x.span[0])} .. ${iso(x.span[1])}`,
      x.span === null ? '' : formatSpan(x.span[1] - x.span[0]),
      String(x.buckets),
      formatBytes(x.bytes),
    ];
  });
  rows.push(['other', 'domains, devices, attributes, free pages', '', '', formatBytes(s.otherBytes)]);
  rows.push(['file', '', '', '', formatBytes(s.fileBytes)]);
  return formatTable(['Tier', 'Span', 'Length', 'Buckets', 'Size'], rows);
}

function cell(v: bigint | number | null): string {
  if (v === null) return '';
  if (typeof v === 'bigint') return v.toString();
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}

/** Keys are text (a key may name a device: net.NAME.rx.bytes); times and values are numbers. */
export function historyCsv(r: HistoryResult): string {
  const head = csvRecord(['time', ...r.series.map((s) => csvText(s.key))]);
  return head + r.times.map((t, i) => csvRecord([iso(t), ...r.series.map((s) => cell(s.values[i] ?? null))])).join('');
}

export function historyCommand(io: Io): Command {
  return new Command('history')
    .description("a domain's history from the database (works on a copied database, no host needed)")
    .argument('[domain]', 'domain name or uuid ("@host" for the host itself)')
    .argument('[key...]', 'domstats keys, e.g. net.0.rx.bytes (net.vnet0.rx.bytes by device name)')
    .addOption(new Option('--db <file>', 'history database').default('domstat.db'))
    .addOption(new Option('--since <time>', 'start: a duration ago (1h, 2d) or an ISO time').default('1h'))
    .option('--until <time>', 'end: a duration ago or an ISO time (default now)')
    .option('--step <duration>', 'one row per step (10s, 1m, 1h); picks the raw, minute or hour tier')
    .option('--rate', 'per-second rates of counters instead of their values')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .option('--list', 'list the domains, devices, keys and time span held')
    .action(
      (
        domain: string | undefined,
        keys: string[],
        opts: { db: string; since: string; until?: string; step?: string; rate?: boolean; format: string; list?: boolean },
      ) => {
        const db = openDatabase(opts.db, { readonly: true });
        try {
          const reader = new HistoryReader(db);
          if (opts.list) {
            const list = reader.list();
            const stats = storeStats(db);
            if (opts.format === 'json') {
              printJson(io, {
                span: Object.fromEntries(TIER_NAMES.map((t) => [t, stats.tiers[t].span?.map(iso) ?? null])),
                tiers: Object.fromEntries(TIER_NAMES.map((t) => [t, { buckets: stats.tiers[t].buckets, bytes: stats.tiers[t].bytes }])),
                otherBytes: stats.otherBytes,
                fileBytes: stats.fileBytes,
                domains: list.map((d) => ({ ...d, devices: d.devices.map((x) => ({ ...x })) })),
              });
              return;
            }
            let out = tiersTable(stats);
            for (const d of list) {
              out += `\n${printable(d.domain)}${d.uuid ? ` (${printable(d.uuid)})` : ''}\n`;
              out += `  devices: ${d.devices.map((x) => (x.kind === 'domain' || x.kind === 'host' ? x.kind : `${x.kind}.${x.idx}=${printable(x.name)}`)).join(' ')}\n`;
              out += `  keys: ${d.keys.map(printable).join(' ')}\n`;
            }
            io.out(out);
            return;
          }
          if (domain === undefined) throw new UsageError('history needs a domain (or --list)');
          const now = Date.now();
          const r = reader.query({
            domain,
            keys,
            ...timeRange(opts.since, opts.until, opts.step, now),
            rate: !!opts.rate,
          });
          if (opts.format === 'json') {
            printJson(io, {
              domain: r.domain,
              tier: r.tier,
              step: r.stepS,
              series: r.series.map((s) => ({ key: s.key, device: s.device, unit: s.unit })),
              rows: r.times.map((t, i) => ({ time: iso(t), values: r.series.map((s) => s.values[i] ?? null) })),
            });
          } else if (opts.format === 'csv') {
            io.out(historyCsv(r));
          } else {
            io.out(`# ${r.domain}: ${r.tier} tier${r.stepS === null ? '' : `, step ${r.stepS}s`}${opts.rate ? ', rates per second' : ''}\n`);
            io.out(
              formatTable(
                ['time', ...r.series.map((s) => `${s.key}${s.unit ? ` (${s.unit})` : ''}`)],
                r.times.map((t, i) => [iso(t), ...r.series.map((s) => cell(s.values[i] ?? null))]),
              ),
            );
          }
        } finally {
          db.close();
        }
      },
    );
}
