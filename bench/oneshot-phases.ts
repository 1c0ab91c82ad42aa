// Where a one-shot `domstat domstats` spends its time, timed from inside one fresh process (run
// by bench/oneshot.ts with the installed command's node flags, one process per sample):
//   bundle  load dist/cli/oneshot.cjs as bin does (bin/oneshot-loader.cjs: read it, deserialize
//           its code cache, run its top level: commander, fast-xml-parser),
//           then domstats five times: the first run is what a user waits for, the later ones
//           show what the same work costs once V8 has compiled and warmed the code
//   parts   the first run in its parts, through the ES modules (loaded before timing): the
//           inventory (reading and parsing the domain XML), its XML alone (validation and
//           parsing of the same texts, read before), the statistics, the virsh text
// Prints one line of JSON.
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { Io } from '../src/common/io.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..'); // dist-bench/bench
export const PHASES_TREE = 'fixtures/libvirt9-qemu7-hybrid-cgroup';
const TREE = path.join(REPO, PHASES_TREE);
const quiet: Io = { out: () => {}, err: () => {} };

async function bundle(): Promise<Record<string, number>> {
  const t0 = performance.now();
  const loader = createRequire(import.meta.url)(path.join(REPO, 'bin/oneshot-loader.cjs')) as { loadOneShot(): { exports: unknown } };
  const b = loader.loadOneShot().exports as { runOneShot(argv: string[], io: Io): Promise<number> };
  const load = performance.now() - t0;
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    if ((await b.runOneShot(['domstats', '--root', TREE], quiet)) !== 0) throw new Error('domstats failed');
    runs.push(performance.now() - t);
  }
  return { load, first: runs[0]!, second: runs[1]!, fifth: runs[4]! };
}

async function parts(): Promise<Record<string, number>> {
  const { HostFs } = await import('../src/host/hostfs.js');
  const { readInventory } = await import('../src/domains/inventory.js');
  const { Connection } = await import('../src/connection/connection.js');
  const { formatDomstats } = await import('../src/export/virsh-text.js');
  const { parseXml } = await import('../src/domains/xml.js');
  const fs = await import('node:fs');
  const files = ['etc/libvirt/qemu/lab-busy.xml', 'etc/libvirt/qemu/lab-idle.xml', 'var/run/libvirt/qemu/lab-busy.xml', 'var/run/libvirt/qemu/lab-idle.xml'];
  const texts = files.map((f) => fs.readFileSync(path.join(TREE, f), 'utf8'));
  const which = process.argv[3];
  if (which === 'xml') {
    // The XML of the inventory alone, cold: XMLValidator and XMLParser over the four files.
    const t = performance.now();
    for (const [i, text] of texts.entries()) parseXml(text, files[i]!);
    const xml = performance.now() - t;
    const w = performance.now();
    for (const [i, text] of texts.entries()) parseXml(text, files[i]!);
    return { xml, xmlWarm: performance.now() - w, xmlBytes: texts.reduce((n, s) => n + s.length, 0) };
  }
  const t0 = performance.now();
  const hostFs = new HostFs(TREE);
  const inv = readInventory(hostFs);
  const t1 = performance.now();
  const conn = new Connection({ fs: hostFs });
  conn.setInventory(inv);
  const records = conn.getAllDomainStats(0, 0);
  const t2 = performance.now();
  formatDomstats(records);
  const t3 = performance.now();
  return { inventory: t1 - t0, stats: t2 - t1, format: t3 - t2 };
}

const mode = process.argv[2];
const result = mode === 'bundle' ? await bundle() : await parts();
process.stdout.write(JSON.stringify(result) + '\n');
