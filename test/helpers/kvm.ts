// Shared pieces of the KVM driver tests: the four synthetic trees (fixtures/KVM-FIXTURES.md),
// the value formula they are built from, and a way to read one record as a field -> value map.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Test } from 'tap';
import { fixture } from './cli.js';
import { Connection } from '../../src/connection/connection.js';
import type { TypedValue } from '../../src/stats/typed-params.js';

export const KVM_TREES = ['kvm-cgroup1-systemd', 'kvm-cgroup1-nosystemd', 'kvm-cgroup2-systemd', 'kvm-hybrid'] as const;
export type KvmTree = (typeof KVM_TREES)[number];

/** V(D, F, N) = D·1e6 + F·1e3 + N: domain id, file code, field number (KVM-FIXTURES.md). */
export const V = (D: number, F: number, N: number): bigint => BigInt(D * 1_000_000 + F * 1000 + N);
export const TICK_NS = 10_000_000n;
export const US_NS = 1000n;
export const MS_NS = 1_000_000n;

export const connect = (tree: string) => new Connection({ root: fixture(tree) });

/** One domain's record (stats 0 = every libvirt group) as a Map, for exact key checks. */
export function record(conn: Connection, name: string, stats = 0, flags = 0): Map<string, TypedValue> {
  const recs = conn.domainListGetStats([conn.lookupDomain(name)], stats, flags);
  if (recs.length !== 1) throw new Error(`expected one record for ${name}, got ${recs.length}`);
  return new Map(recs[0]!.params.map((p) => [p.field, p.value]));
}

/** Keys of a record that start with a prefix. */
export const keysWith = (m: Map<string, TypedValue>, prefix: string) => [...m.keys()].filter((k) => k.startsWith(prefix));

/**
 * A private copy of a tree in the test's directory. Symlinks stay relative (verbatimSymlinks),
 * otherwise cpSync would point them back into the original tree, outside the copy's root.
 */
export function tempTree(t: Test, tree: string): string {
  const dir = path.join(t.testdir(), tree);
  fs.cpSync(fixture(tree), dir, { recursive: true, verbatimSymlinks: true, filter: (src) => path.basename(src) !== 'golden' });
  return dir;
}
