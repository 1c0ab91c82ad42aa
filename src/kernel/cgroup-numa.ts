// A cgroup's memory per NUMA node, memory.numa_stat:
//   v2 "anon N0=1048576 N1=0\nfile N0=... \n..." in bytes, hierarchical;
//   v1 "total=12 N0=10 N1=2\nfile=..\nanon=..\nunevictable=..\nhierarchical_total=..\n..." in
//      pages; domstat reads hierarchical_anon and hierarchical_file (the VM's group may have children).

import { asciiKeys, decimalAt, keyIndex, lineEnd, plainAscii, skipSpaces, tokenEnd, TOO_BIG, whole } from './bytes.js';
import { keysFrom, type FileSpec, type KeyFrom } from './spec.js';
import { ParseError, parseU64, requireWhole } from './u64.js';
import { PAGE_KIB } from './units.js';

export const MEMORY_NUMA_STAT: FileSpec = { path: '<memory group>/memory.numa_stat', limit: 64 * 1024 };
const FIELDS = ['anon', 'file'] as const;
type Field = (typeof FIELDS)[number];
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
  requireWhole(text, source);
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

const V2_ASCII = asciiKeys(FIELDS);
const V1_ASCII = asciiKeys(FIELDS.map((f) => `hierarchical_${f}`));
const EQ = 61;
const N = 78;

/**
 * memory.numa_stat read fast (the agent's plan): nodes ascending, nodes[n] the node's number and
 * out[2n], out[2n + 1] its anon and file (NaN: not given; v1 in pages, as the file says). The
 * number of nodes, or -1 where parseNumaStat() would refuse the file or could read it differently,
 * a value is past 2^53, or there are more than `max` nodes: the careful path then.
 */
export function readNumaStat(buf: Uint8Array, start: number, end: number, v1: boolean, nodes: Float64Array, out: Float64Array, max: number): number {
  if (!whole(buf, start, end) || !plainAscii(buf, start, end)) return -1;
  const wanted = v1 ? V1_ASCII : V2_ASCII;
  let n = 0;
  let found = 0;
  let i = start;
  while (i < end) {
    const eol = lineEnd(buf, i, end);
    i = skipSpaces(buf, i, eol);
    const k = tokenEnd(buf, i, eol);
    // v1 heads are "name=total"; v2 heads the bare name
    let headEnd = k;
    if (v1) {
      const eq = buf.indexOf(EQ, i);
      headEnd = eq < 0 || eq >= k ? i : eq;
    }
    const f = keyIndex(buf, i, headEnd, wanted);
    if (f >= 0) {
      if (found & (1 << f)) return -1;
      found |= 1 << f;
      let t = k;
      while (t < eol) {
        t = skipSpaces(buf, t, eol);
        if (t === eol) break;
        const u = tokenEnd(buf, t, eol);
        const eq = buf.indexOf(EQ, t);
        if (buf[t] !== N || eq < 0 || eq >= u || eq - t - 1 > 5) return -1;
        const node = decimalAt(buf, t + 1, eq);
        const v = decimalAt(buf, eq + 1, u);
        if (node < 0 || v < 0 || v === TOO_BIG) return -1;
        let at = 0;
        while (at < n && nodes[at] !== node) at++;
        if (at === n) {
          if (n === max) return -1;
          nodes[n] = node;
          out[2 * n] = NaN;
          out[2 * n + 1] = NaN;
          n++;
        }
        if (out[2 * at + f] === out[2 * at + f]) return -1; // the node twice in one line
        out[2 * at + f] = v;
        t = u;
      }
    }
    i = eol + 1;
  }
  if (found === 0) return -1;
  // ascending by node, as the careful parser gives them (insertion sort: a host has few nodes)
  for (let a = 1; a < n; a++) {
    for (let b = a; b > 0 && nodes[b - 1]! > nodes[b]!; b--) {
      const x = nodes[b]!;
      nodes[b] = nodes[b - 1]!;
      nodes[b - 1] = x;
      for (const o of [0, 1]) {
        const y = out[2 * b + o]!;
        out[2 * b + o] = out[2 * (b - 1) + o]!;
        out[2 * (b - 1) + o] = y;
      }
    }
  }
  return n;
}
