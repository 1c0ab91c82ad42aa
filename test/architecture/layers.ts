// The layers of src/ point one way. Each folder has a rank; a module may import from its own
// folder and from folders of a lower rank, never from a higher one, and never from a sibling of
// the same rank in another folder (agent/ and export/ meet only through sample/ and a getter).
// The imports are read with TypeScript's own pre-processor, dynamic import() included, so a lazy
// load is held to the same rule. Like libvirt's check of its driver tables, this fails with the
// arrow that runs the wrong way.

import t from 'tap';
import ts from 'typescript';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Rank of each folder of src/ (index.ts, the package's entry, sits on top). */
export const RANKS: Record<string, number> = {
  common: 0,
  stats: 1,
  host: 2,
  kernel: 2,
  domains: 3,
  sample: 4,
  drivers: 5,
  store: 5,
  connection: 6,
  agent: 7,
  export: 7,
  sim: 7,
  cli: 8,
  'index.ts': 9,
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const folderOf = (file: string) => relative(SRC, file).split('/')[0]!;

export interface Arrow {
  from: string;
  to: string;
}

/** Every import of one file that stays inside src/, as file paths relative to src/. */
function importsOf(file: string): Arrow[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => ({ from: relative(SRC, file), to: relative(SRC, resolve(dirname(file), name)).replace(/\.js$/, '.ts') }));
}

/** Why an arrow is not allowed, or null when it is. */
export function wrongWay(a: Arrow): string | null {
  const from = a.from.split('/')[0]!;
  const to = a.to.split('/')[0]!;
  if (to.startsWith('..')) return 'leaves src/';
  if (from === to) return null;
  const rf = RANKS[from];
  const rt = RANKS[to];
  if (rf === undefined) return `${from} has no rank`;
  if (rt === undefined) return `${to} has no rank`;
  if (rt > rf) return `${from} (rank ${rf}) imports ${to} (rank ${rt}), a higher layer`;
  if (rt === rf) return `${from} and ${to} are siblings (rank ${rf})`;
  return null;
}

t.test('every folder of src has a rank', async (t) => {
  for (const name of readdirSync(SRC)) t.not(RANKS[name], undefined, `${name} has a rank`);
});

t.test('every import in src points down', async (t) => {
  const arrows = sources(SRC).flatMap(importsOf);
  t.ok(arrows.length > 300, `read ${arrows.length} imports`);
  const wrong = arrows.map((a) => ({ a, why: wrongWay(a) })).filter((w) => w.why !== null);
  t.same(
    wrong.map(({ a, why }) => `${a.from} → ${a.to}: ${why}`),
    [],
    'no arrow runs up or sideways',
  );
  // The folders the issue named are checked by name, so a change of ranks cannot hide them.
  const between = (x: string, y: string) => arrows.filter((a) => folderOf(join(SRC, a.from)) === x && folderOf(join(SRC, a.to)) === y).length;
  t.equal(between('agent', 'cli'), 0, 'agent/ imports nothing from cli/');
  t.equal(between('agent', 'export'), 0, 'agent/ imports nothing from export/');
  t.equal(between('export', 'agent'), 0, 'export/ imports nothing from agent/');
  t.equal(between('export', 'cli'), 0, 'export/ imports nothing from cli/');
  t.equal(
    between('stats', 'drivers') + between('stats', 'domains') + between('stats', 'connection'),
    0,
    'stats/ is vocabulary: it imports no drivers, domains or connection',
  );
  t.equal(between('store', 'stats'), 0, 'store/ takes rows from sample/, not records from stats/');
  t.ok(between('cli', 'agent') > 0, 'cli/ does import the agent (the check sees real arrows)');
});

t.test('the rule itself', async (t) => {
  t.equal(wrongWay({ from: 'cli/main.ts', to: 'agent/agent.ts' }), null, 'down is allowed');
  t.equal(wrongWay({ from: 'agent/agent.ts', to: 'agent/sampler.ts' }), null, 'within a folder is allowed');
  t.match(wrongWay({ from: 'agent/agent.ts', to: 'cli/io.ts' }), /higher layer/, 'up is refused');
  t.match(wrongWay({ from: 'agent/agent.ts', to: 'export/prometheus.ts' }), /siblings/, 'sideways is refused');
  t.match(wrongWay({ from: 'store/db.ts', to: 'drivers/driver.ts' }), /siblings/, 'drivers and store are siblings');
  t.match(wrongWay({ from: 'kernel/bytes.ts', to: '../test/x.ts' }), /leaves src/, 'out of src is refused');
});
