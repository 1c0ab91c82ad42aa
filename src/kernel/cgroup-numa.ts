// A cgroup's memory per NUMA node, memory.numa_stat:
//   v2 "anon N0=1048576 N1=0\nfile N0=... \n..." in bytes, hierarchical;
//   v1 "total=12 N0=10 N1=2\nfile=..\nanon=..\nunevictable=..\nhierarchical_total=..\n..." in
//      pages; domstat reads hierarchical_anon and hierarchical_file (the VM's group may have children).

import { keysFrom, type FileSpec, type KeyFrom } from './spec.js';
import { ParseError, parseU64 } from './u64.js';
import { PAGE_KIB } from './units.js';

export const MEMORY_NUMA_STAT: FileSpec = { path: '<memory group>/memory.numa_stat', limit: 64 * 1024 };
type Field = 'anon' | 'file';
/** Per node entry i (cgroup.numa.{i}.node is the node's number), bytes. */
export const NUMA_KEYS_V2: KeyFrom<Field>[] = keysFrom([
  ['cgroup.numa.{i}.anon', 'anon'],
  ['cgroup.numa.{i}.file', 'file'],
]);
export const NUMA_KEYS_V1: KeyFrom<Field>[] = keysFrom([
  ['cgroup.numa.{i}.anon', 'anon', PAGE_KIB * 1024],
  ['cgroup.numa.{i}.file', 'file', PAGE_KIB * 1024],
]);

export interface NumaNode {
  node: number;
  fields: Partial<Record<Field, bigint>>;
}

const NODE = /^N([0-9]{1,5})=(.*)$/;

/** Nodes in ascending order with the anon and file they hold; `v1` reads the hierarchical_* lines. */
export function parseNumaStat(text: string, v1: boolean, source: string): NumaNode[] {
  if (!text.endsWith('\n')) throw new ParseError(text === '' ? 'empty' : 'truncated (no final newline)', source);
  const wanted: Record<string, Field> = v1 ? { hierarchical_anon: 'anon', hierarchical_file: 'file' } : { anon: 'anon', file: 'file' };
  const nodes = new Map<number, NumaNode>();
  const found = new Set<Field>();
  for (const line of text.split('\n')) {
    const t = line.trim().split(/\s+/);
    const head = t[0]!;
    const name = v1 ? head.slice(0, Math.max(0, head.indexOf('='))) : head;
    const field = Object.hasOwn(wanted, name) ? wanted[name] : undefined;
    if (field === undefined) continue;
    if (found.has(field)) throw new ParseError(`${name} repeated`, source);
    found.add(field);
    for (const tok of t.slice(1)) {
      const m = NODE.exec(tok);
      if (m === null) throw new ParseError(`not a node value: ${JSON.stringify(tok.slice(0, 40))}`, source);
      const node = Number(m[1]);
      let n = nodes.get(node);
      if (n === undefined) nodes.set(node, (n = { node, fields: {} }));
      if (n.fields[field] !== undefined) throw new ParseError(`N${node} repeated in ${name}`, source);
      n.fields[field] = parseU64(m[2]!, source);
    }
  }
  if (found.size === 0) throw new ParseError(`none of ${Object.keys(wanted).join(', ')} found`, source);
  return [...nodes.values()].sort((a, b) => a.node - b.node);
}
