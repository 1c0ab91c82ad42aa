// Watches libvirt's XML directories with chokidar and raises a flag; the agent rebuilds its
// inventory at the next tick, so a burst of events (libvirt writes <name>.xml.new, then renames)
// costs one rebuild. Kernel counter files are never watched: inotify cannot see them change.

import { watch, type FSWatcher } from 'chokidar';
import * as fs from 'node:fs';
import * as path from 'node:path';

export class DefinitionWatcher {
  private watcher: FSWatcher | null = null;
  changed = false;

  /** `dirs` are real paths; missing ones are watched through their nearest existing parent. */
  start(dirs: readonly string[]): Promise<void> {
    const targets = new Set<string>();
    for (const d of dirs) {
      let p = d;
      while (!fs.existsSync(p) && path.dirname(p) !== p) p = path.dirname(p);
      targets.add(p);
    }
    const wanted = dirs.map((d) => path.resolve(d));
    const relevant = (p: string) => wanted.some((d) => p === d || p.startsWith(d + '/') || d.startsWith(p + '/'));
    this.watcher = watch([...targets], {
      ignoreInitial: true,
      depth: 3,
      // Only domain XML (and the directories leading to it) matters; *.xml.new is libvirt's temp file.
      ignored: (p, stats) => !relevant(p) || (stats?.isFile() === true && !p.endsWith('.xml')),
    });
    this.watcher.on('all', () => {
      this.changed = true;
    });
    this.watcher.on('error', () => {
      this.changed = true; // rescan on the next tick; the rescan itself reports real problems
    });
    return new Promise((resolve) => this.watcher!.on('ready', () => resolve()));
  }

  async close(): Promise<void> {
    await this.watcher?.close();
    this.watcher = null;
  }
}
