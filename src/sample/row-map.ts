// The row model's map: which columns each kind of device has, in which order, and which stats
// key ("net.{i}.rx.bytes") each column holds. Drivers' plans fill rows by it and the store keeps
// rows by it; a database's own key_map is read into one (store/key-map.ts), so rows always match
// the database they go to.

// cgroup_io: a domain's I/O per host block device (its cgroup's io.stat or blkio); numa: its memory
// per NUMA node (memory.numa_stat). Both are domstat's own kinds (schema version 4).
export type Kind = 'domain' | 'host' | 'vcpu' | 'net' | 'block' | 'cgroup_io' | 'numa';
export const KINDS: readonly Kind[] = ['domain', 'host', 'vcpu', 'net', 'block', 'cgroup_io', 'numa'];
export type ColumnType = 'counter' | 'gauge' | 'attribute';

export interface RowColumn {
  kind: Kind;
  col: string;
  /** Stats key pattern, "{i}" standing for the device index. */
  key: string;
  type: ColumnType;
}

export interface RowMap<C extends RowColumn = RowColumn> {
  /** Each kind's columns in order: the order of a DeviceSample's values. */
  columns: Record<Kind, C[]>;
  /** Pattern ("net.{i}.rx.bytes") -> column and its position in the kind's column list. */
  byPattern: Map<string, { column: C; pos: number }>;
}

/** The map of columns in their order. */
export function rowMapOf<C extends RowColumn>(cols: readonly C[]): RowMap<C> {
  const columns = Object.fromEntries(KINDS.map((k) => [k, []])) as unknown as Record<Kind, C[]>;
  const byPattern = new Map<string, { column: C; pos: number }>();
  for (const c of cols) {
    const list = columns[c.kind];
    byPattern.set(c.key, { column: c, pos: list.length });
    list.push(c);
  }
  return { columns, byPattern };
}

/**
 * domstat's per-device cgroup kinds: the agent samples and stores them only when asked (each
 * costs up to a fifth more history at the benchmark's shape: README, "What the VM's cgroup knows").
 */
export const OPTIONAL_KINDS: readonly Kind[] = ['cgroup_io', 'numa'];

/**
 * What the agent samples of a database's map: every kind but the optional ones not asked for (the
 * other kinds' positions are unchanged).
 */
export function agentMap<C extends RowColumn>(map: RowMap<C>, asked: readonly Kind[] = []): RowMap<C> {
  const skipped = OPTIONAL_KINDS.filter((k) => !asked.includes(k));
  return rowMapOf(KINDS.filter((k) => !skipped.includes(k)).flatMap((k) => map.columns[k]));
}

/**
 * Splits a stats key into its pattern and device index: "net.3.rx.bytes" -> ["net.{i}.rx.bytes", 3].
 * The first all-digit component is the index. Written without regular expressions: it runs for
 * every value the drivers' path hands the store.
 */
export function keyPattern(field: string): [pattern: string, idx: number | null] {
  let start = 0;
  while (start < field.length) {
    let end = field.indexOf('.', start);
    if (end < 0) end = field.length;
    if (end > start) {
      let digits = true;
      for (let i = start; i < end; i++) {
        const c = field.charCodeAt(i);
        if (c < 48 || c > 57) {
          digits = false;
          break;
        }
      }
      if (digits) return [field.slice(0, start) + '{i}' + field.slice(end), Number(field.slice(start, end))];
    }
    start = end + 1;
  }
  return [field, null];
}
