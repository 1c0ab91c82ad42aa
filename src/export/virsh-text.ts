// virsh's text formats, byte for byte (tools/vsh-table.c, virsh-domain-monitor.c, virsh-domain.c).

import type { DomainStatsRecord } from '../stats/records.js';
import { formatTypedValue, type TypedParam } from '../stats/typed-params.js';
import type { InterfaceStats } from '../stats/structs.js';

/** East Asian wide characters count 2 columns in a terminal, controls are escaped as \xNN. */
function cellWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    w +=
      cp >= 0x1100 && /\p{Extended_Pictographic}|[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/u.test(ch)
        ? 2
        : 1;
  }
  return w;
}

/**
 * vshTableSafeEncode: ASCII controls, a backslash before an x, and the characters glibc's iswprint()
 * refuses (C1 controls, the line and paragraph separators) as \xNN, one per UTF-8 byte.
 */
export function safeCell(s: string): string {
  return s.replace(/\\(?=x)|[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join(''),
  );
}

/** vshTable: " cell" per column, padded to the widest cell + 2 except the last; dashes line. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows].map((r) => r.map(safeCell));
  const widths = header.map((_, j) => Math.max(...all.map((r) => cellWidth(r[j] ?? ''))));
  const line = (r: readonly string[]) => r.map((c, j) => ' ' + c + (j < r.length - 1 ? ' '.repeat(widths[j]! - cellWidth(c) + 2) : '')).join('') + '\n';
  const [head, ...body] = all;
  return line(head!) + '-'.repeat(widths.reduce((s, w) => s + w + 3, 0)) + '\n' + body.map(line).join('');
}

/**
 * virsh domstats: records separated by one blank line. virsh prints names and string values as they
 * are; here they are encoded as its tables encode cells, so a name or path from domain XML can never
 * end a line and forge another (virsh's bytes for every name without controls or a backslash before an x).
 */
export function formatDomstats(records: readonly DomainStatsRecord[]): string {
  const value = (p: TypedParam) => (p.type === 'string' ? safeCell(p.value) : formatTypedValue(p));
  return records.map((r) => `Domain: '${safeCell(r.domain.name)}'\n` + r.params.map((p) => `  ${p.field}=${value(p)}\n`).join('')).join('\n');
}

const IFSTAT_ORDER = ['rx_bytes', 'rx_packets', 'rx_errs', 'rx_drop', 'tx_bytes', 'tx_packets', 'tx_errs', 'tx_drop'] as const;

/** virsh domifstat: "<dev> <field> <value>" for every field that is known (>= 0). */
export function formatDomifstat(device: string, s: InterfaceStats): string {
  return IFSTAT_ORDER.filter((k) => s[k] >= 0n)
    .map((k) => `${device} ${k} ${s[k]}\n`)
    .join('');
}

const BLKSTAT_SEQUENCE: readonly [field: string, legacy: string | null, human: string][] = [
  ['rd_operations', 'rd_req', 'number of read operations:'],
  ['rd_bytes', 'rd_bytes', 'number of bytes read:'],
  ['wr_operations', 'wr_req', 'number of write operations:'],
  ['wr_bytes', 'wr_bytes', 'number of bytes written:'],
  ['errs', 'errs', 'error count:'],
  ['flush_operations', null, 'number of flush operations:'],
  ['rd_total_times', null, 'total duration of reads (ns):'],
  ['wr_total_times', null, 'total duration of writes (ns):'],
  ['flush_total_times', null, 'total duration of flushes (ns):'],
];
const HUMAN_WIDTH = 31;

/** virsh domblkstat over typed parameters: known fields in virsh's order, then any others. */
export function formatDomblkstat(device: string, params: readonly TypedParam[], human: boolean): string {
  let out = '';
  let dev = device;
  if (human) {
    out += `Device: ${device}\n`;
    dev = '';
  }
  const used = new Set<string>();
  for (const [field, legacy, label] of BLKSTAT_SEQUENCE) {
    const p = params.find((x) => x.field === field);
    if (p === undefined) continue;
    used.add(field);
    const name = human ? label.padEnd(HUMAN_WIDTH) : (legacy ?? field);
    out += `${dev} ${name} ${formatTypedValue(p)}\n`;
  }
  for (const p of params) if (!used.has(p.field)) out += `${dev} ${p.field} ${formatTypedValue(p)}\n`;
  return out;
}

/** cpu-stats: "\t%-12s %9lld.%09lld seconds" for the time fields. */
export function formatCpuStatsFields(params: readonly TypedParam[]): string {
  return params
    .map((p) => {
      const isTime = ['cpu_time', 'vcpu_time', 'user_time', 'system_time'].includes(p.field) && p.type === 'ullong';
      if (!isTime) return `\t${p.field.padEnd(12)} ${formatTypedValue(p)}\n`;
      const v = p.value as bigint;
      return `\t${p.field.padEnd(12)} ${String(v / 1_000_000_000n).padStart(9)}.${String(v % 1_000_000_000n).padStart(9, '0')} seconds\n`;
    })
    .join('');
}
