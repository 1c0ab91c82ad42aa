// Summarises a .cpuprofile (node --cpu-prof): self time by function and by file, top entries.
//   node dist-bench/bench/cpuprofile-summary.js FILE.cpuprofile [top]

import * as fs from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (file === undefined) throw new Error('usage: cpuprofile-summary FILE.cpuprofile [top]');
const top = Number(process.argv[3] ?? 30);
const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fn = new Map<string, number>();
const files = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id)!;
  const url = n.callFrame.url.replace(/^file:\/\/.*?\/(dist-bench|dist)\//, '').replace(/^node:/, 'node:');
  const name = `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
  fn.set(name, (fn.get(name) ?? 0) + us);
  const f = url === '' ? `(${n.callFrame.functionName})` : url;
  files.set(f, (files.get(f) ?? 0) + us);
}
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title} (total ${(total / 1000).toFixed(0)} ms)`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
};
show('self time by file', files);
show('self time by function', fn);

// Who calls the top native functions (syscalls show up as leaves: lstat, open, read, ...).
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n: Node) =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^file:\/\/.*?\/(dist-bench|dist)\//, '')}:${n.callFrame.lineNumber + 1}`;
const chains = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id)!;
  if (n.callFrame.url !== '' || us < total * 0.01) continue;
  const path: string[] = [n.callFrame.functionName];
  let q = parent.get(id);
  while (q !== undefined && path.length < 7) {
    const pn = byId.get(q)!;
    if (pn.callFrame.url.includes('/src/') || pn.callFrame.url.includes('/bench/'))
      path.push(
        label(pn)
          .replace(/^.*?src\//, 'src/')
          .replace(/ .*src\//, ' src/'),
      );
    q = parent.get(q);
  }
  const k = path.join(' <- ');
  chains.set(k, (chains.get(k) ?? 0) + us);
}
show('native time by calling chain (src frames)', chains);
