// Watches libvirt's XML directories with chokidar and raises a flag; the agent rebuilds its
// inventory at the next tick, so a burst of events (libvirt writes <name>.xml.new, then renames)
// costs one rebuild. Kernel counter files are never watched: inotify cannot see them change.
//
// Only directories are watched. A directory's inotify watch already reports every file created,
// renamed, written or removed in it (chokidar passes those on as 'raw' events), while chokidar's
// own per-file watchers cost ~10 KB each: 20 MB of the agent's memory on a 1000-domain host.
// Symlinks are never followed: the agent resolves the directories itself (within --root), and a
// link inside one (to /proc, say) would otherwise have chokidar walk and watch whatever it leads to.

import { watch, type FSWatcher } from 'chokidar';
import * as fs from 'node:fs';
import * as path from 'node:path';

export class DefinitionWatcher {
  private watcher: FSWatcher | null = null;
  changed = false;

  /** `dirs` are real paths without symlinks; missing ones are watched through their nearest existing parent. */
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
      followSymlinks: false,
      depth: 3,
      ignored: (p, stats) => !relevant(p) || stats?.isFile() === true,
    });
    // A directory came or went (libvirtd started, a driver's directory was created).
    this.watcher.on('all', () => {
      this.changed = true;
    });
    // A file in a watched directory: only domain XML matters; *.xml.new is libvirt's temp file.
    this.watcher.on('raw', (_event: string, file: string | null) => {
      if (file === null || file.endsWith('.xml')) this.changed = true;
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
