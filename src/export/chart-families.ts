// Which charts the web page draws for a domain: built from the keys the domain's history actually
// has (the series /api/series returns), grouped by a table of known families. A new family of keys
// is one entry in FAMILIES. A key no family claims is still drawn, under "Other", in a chart of its
// own unit (from the key map), so it is never put on an axis of another unit; states and ids are
// not quantities and are not drawn. A family whose keys come in more than one unit is split into
// one chart per unit for the same reason.
// Served to the page as /js/chart-families.js (its one import is served beside it).

import { presentation, type Presentation } from './units.js';

export interface FamilySpec {
  /** Stable id: the chart's data-family in the page. */
  id: string;
  title: string;
  /** The title on the host's page, where it differs (its interfaces are the host's own). */
  hostTitle?: string;
  /** The family's keys, as the history names them (net.0.rx.bytes: the index is a number). */
  keys: RegExp;
}

/**
 * Known families, in the order the page shows them; the first match wins. Each pattern names the
 * keys domstat emits exactly, so a new key lands under "Other" until it is given a family.
 */
export const FAMILIES: readonly FamilySpec[] = [
  { id: 'host-cpu', title: 'Host CPU', keys: /^host\.cpu\./ },
  { id: 'host-memory', title: 'Host memory', keys: /^host\.(mem|swap)\./ },
  { id: 'cpu', title: 'CPU', keys: /^cpu\.(time|user|system)$/ },
  { id: 'vcpu-time', title: 'CPU per vCPU', keys: /^vcpu\.[0-9]+\.time$/ },
  { id: 'vcpu-wait', title: 'vCPU wait and run-queue delay (steal)', keys: /^vcpu\.[0-9]+\.(wait|delay)$/ },
  { id: 'memory', title: 'Memory', keys: /^balloon\.(current|maximum|rss)$/ },
  { id: 'net-bytes', title: 'Network bytes (guest view)', hostTitle: 'Network bytes (host interfaces)', keys: /^net\.[0-9]+\.(rx|tx)\.bytes$/ },
  { id: 'net-packets', title: 'Network packets', keys: /^net\.[0-9]+\.(rx|tx)\.pkts$/ },
  { id: 'net-errors', title: 'Network errors and drops', keys: /^net\.[0-9]+\.(rx|tx)\.(errs|drop)$/ },
  { id: 'disk-bytes', title: 'Disk bytes', keys: /^block\.[0-9]+\.(rd|wr)\.bytes$/ },
  { id: 'disk-requests', title: 'Disk requests (IOPS)', keys: /^(block\.[0-9]+\.(rd|wr|fl)\.reqs|extra\.block\.[0-9]+\.discard\.reqs)$/ },
  { id: 'disk-time', title: 'Disk time', keys: /^block\.[0-9]+\.(rd|wr|fl)\.times$/ },
  { id: 'disk-errors', title: 'Disk errors', keys: /^block\.[0-9]+\.errors$/ },
  { id: 'disk-size', title: 'Disk size', keys: /^block\.[0-9]+\.(capacity|physical|allocation)$/ },
  { id: 'process-io', title: 'QEMU process I/O bytes', keys: /^extra\.io\.(rchar|wchar|read_bytes|write_bytes|cancelled_write_bytes)$/ },
  { id: 'process-calls', title: 'QEMU process I/O calls', keys: /^extra\.io\.sysc[rw]$/ },
  { id: 'pressure', title: 'Pressure (time stalled: some, full)', keys: /^pressure\.(cpu|memory|io)\.(some|full)\.time$/ },
  { id: 'cpu-throttling', title: 'CPU throttling', keys: /^cgroup\.cpu\.(periods|throttled|throttled\.time)$/ },
  // A count of kills is not a memory size: its own chart, before the cgroup memory family.
  { id: 'oom-kills', title: 'OOM kills (cgroup)', keys: /^cgroup\.memory\.events\.oom_kill$/ },
  { id: 'cgroup-memory', title: 'Memory (cgroup)', keys: /^cgroup\.memory\./ },
  { id: 'host-device-io', title: 'I/O per host device (cgroup)', keys: /^cgroup\.io\.[0-9]+\.(rd|wr|dc)\.(bytes|reqs)$/ },
  { id: 'numa', title: 'Memory per NUMA node (cgroup)', keys: /^cgroup\.numa\.[0-9]+\.(anon|file)$/ },
];

/** Units of values that are not quantities: a state, a reason, an id. */
const NOT_QUANTITIES = new Set(['enum', 'id']);
/** Keys not drawn whatever their unit: vCPU counts (the domain's header says them). */
const NOT_CHARTED = /^vcpu\.(current|maximum)$/;

export interface SeriesInfo {
  key: string;
  /** The history's unit for the series ('bytes/s', 'KiB', 'ns/s', ...). */
  unit: string;
}

export interface ChartPlan {
  /** The family's id; "<family>:<unit>" when the family is split by unit; "other:<prefix>:<unit>". */
  id: string;
  title: string;
  presentation: Presentation;
  /** The chart's keys, in the order the series came. */
  keys: string[];
  /** False for the "Other" charts of keys no family claims. */
  known: boolean;
}

/** The leading name of a key no family claims: its parts before the first index, at most two. */
function prefixOf(key: string): string {
  const parts = key.split('.');
  const i = parts.findIndex((p) => /^[0-9]+$/.test(p));
  return parts.slice(0, Math.min(i < 0 ? parts.length - 1 : i, 2)).join('.') || key;
}

const presentationId = (p: Presentation) => `${p.family} ${p.unit}`;

/** The charts for a domain's (or the host's) series: known families in table order, then the others by name. */
export function planCharts(series: readonly SeriesInfo[], of: 'domain' | 'host' = 'domain'): ChartPlan[] {
  const groups = new Map<string, { family: FamilySpec | null; prefix: string; p: Presentation; keys: string[] }>();
  for (const s of series) {
    if (NOT_QUANTITIES.has(s.unit) || NOT_CHARTED.test(s.key)) continue;
    const family = FAMILIES.find((f) => f.keys.test(s.key)) ?? null;
    const p = presentation(s.unit, s.key);
    const prefix = family === null ? prefixOf(s.key) : '';
    const id = `${family?.id ?? `other:${prefix}`}\u0000${presentationId(p)}`;
    const g = groups.get(id) ?? { family, prefix, p, keys: [] };
    groups.set(id, g);
    if (!g.keys.includes(s.key)) g.keys.push(s.key);
  }
  const unitsOf = new Map<string, number>();
  for (const g of groups.values()) if (g.family !== null) unitsOf.set(g.family.id, (unitsOf.get(g.family.id) ?? 0) + 1);
  const unitLabel = (p: Presentation) => (p.unit === '' || p.unit.startsWith('/') ? `count${p.unit}` : p.unit);
  const plans = [...groups.values()].map(({ family, prefix, p, keys }): ChartPlan => {
    if (family === null) return { id: `other:${prefix}:${p.unit}`, title: `Other: ${prefix} (${unitLabel(p)})`, presentation: p, keys, known: false };
    const split = (unitsOf.get(family.id) ?? 0) > 1;
    const title = (of === 'host' ? family.hostTitle : undefined) ?? family.title;
    return {
      id: split ? `${family.id}:${p.unit}` : family.id,
      title: split ? `${title} (${unitLabel(p)})` : title,
      presentation: p,
      keys,
      known: true,
    };
  });
  const order = (c: ChartPlan) => {
    const i = FAMILIES.findIndex((f) => c.id === f.id || c.id.startsWith(`${f.id}:`));
    return i < 0 ? FAMILIES.length : i;
  };
  return plans.sort((a, b) => order(a) - order(b) || (a.known ? 0 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
