// Inventory: which domains exist and what libvirt says about them, from libvirt's files only.
// Live status XML (run/libvirt/{qemu,libxl}, also under var/run) beats a persistent definition
// (etc/libvirt/{qemu,libxl}); a plain --xml-dir adds more; a host with no libvirt files at all is
// enumerated by the drivers from what its own files show (InventoryOptions.enumerate). A bad file
// costs that file only.

import { HostFs, isGone } from '../host/hostfs.js';
import { HostReadError } from '../host/host-errors.js';
import { parseDomainXml } from './domain-def.js';
import type { Domain, DomainDef, DriverName } from '../stats/domain.js';
import { decodeXmlBytes, MAX_XML_BYTES } from './xml.js';
import { messageOf } from '../common/errors.js';

export interface InventoryProblem {
  file: string;
  message: string;
  /** The errno of a file that could not be read (EACCES: domstat lacks the rights libvirt's files need). */
  errno?: string;
}

/** A problem as one line naming its file once (most messages start with the path already). */
export const problemText = (p: InventoryProblem): string => (p.message.startsWith(p.file) ? p.message : `${p.file}: ${p.message}`);

export interface Inventory {
  domains: Domain[];
  problems: InventoryProblem[];
  /** The places that were looked at, for "no domains found" messages. */
  looked: string[];
}

export const STATUS_DIRS = ['/run/libvirt/qemu', '/run/libvirt/libxl', '/var/run/libvirt/qemu', '/var/run/libvirt/libxl'];
export const CONFIG_DIRS = ['/etc/libvirt/qemu', '/etc/libvirt/libxl'];

export function driverFor(hvType: string): DriverName | null {
  if (hvType === 'xen') return 'xen';
  if (hvType === 'kvm' || hvType === 'qemu') return 'kvm';
  return null;
}

/**
 * Parsed files by path, so an unchanged file is not parsed again (the agent rebuilds often). The
 * persistent definition of a running domain (its status XML wins) keeps only the domain's key: it
 * is needed again only once the domain stops, and is parsed again then (kept parsed, 1000 running
 * domains' definitions held ~2 MB).
 */
export type ParseCache = Map<string, { stamp: string; def: DomainDef | null; problem?: string; supersededBy?: string }>;

/** Reads and parses one XML file; a problem is recorded instead of thrown. */
export function readDomainFile(fs: HostFs, hostPath: string, display: string, problems: InventoryProblem[], cache?: ParseCache): DomainDef | null {
  if (cache !== undefined) {
    const stamp = fs.stamp(hostPath);
    if (isGone(stamp)) return null;
    const hit = cache.get(display);
    if (hit !== undefined && hit.stamp === stamp && hit.supersededBy === undefined) {
      if (hit.problem !== undefined) problems.push({ file: display, message: hit.problem });
      return hit.def;
    }
    const before = problems.length;
    const def = readDomainFile(fs, hostPath, display, problems);
    cache.set(display, { stamp, def, ...(problems.length > before ? { problem: problems[problems.length - 1]!.message } : {}) });
    return def;
  }
  try {
    const text = fs.readText(hostPath, MAX_XML_BYTES);
    if (isGone(text)) return null; // removed between listing and reading
    return parseDomainXml(decodeXmlBytes(text, display), display);
  } catch (e) {
    // HostFs names the path under its root; an --xml-dir file is known by its real path.
    const m = messageOf(e);
    problems.push({
      file: display,
      message: m.startsWith(`${hostPath}: `) ? display + m.slice(hostPath.length) : m,
      ...(e instanceof HostReadError ? { errno: e.errno } : {}),
    });
    return null;
  }
}

function xmlFiles(fs: HostFs, dir: string): string[] {
  const names = fs.readDir(dir);
  if (isGone(names)) return [];
  return names.filter((n) => n.endsWith('.xml')).sort();
}

export interface InventoryOptions {
  /** A plain directory of domain XML files, outside the root. */
  xmlDir?: string;
  cache?: ParseCache;
  /** Domains from the host's own files when libvirt keeps no definitions (the drivers' enumerate()). */
  enumerate?: (fs: HostFs, looked: string[]) => Domain[];
}

export function readInventory(fs: HostFs, opts: InventoryOptions = {}): Inventory {
  const problems: InventoryProblem[] = [];
  const looked: string[] = [];
  const byKey = new Map<string, Domain>();

  // /var/run is a symlink to /run on current systems: read each real directory once, or every
  // bad file in it would be reported twice.
  const seenDirs = new Set<string>();
  const firstVisit = (dir: string): boolean => {
    const real = fs.realHostPath(dir);
    if (isGone(real)) return true;
    if (seenDirs.has(real)) return false;
    seenDirs.add(real);
    return true;
  };

  const add = (def: DomainDef, file: string, persistent: boolean) => {
    const driver = driverFor(def.hvType);
    if (driver === null) {
      problems.push({ file, message: `unsupported domain type '${def.hvType}'` });
      return;
    }
    const key = def.uuid ?? def.name;
    const seen = byKey.get(key);
    if (seen !== undefined) {
      // Live status wins over a definition; a definition marks the domain persistent.
      if (persistent && !def.live) seen.persistent = true;
      if (!def.live || seen.live) return;
      persistent ||= seen.persistent;
    }
    byKey.set(key, { ...def, driver, persistent, file, key });
  };

  for (const dir of STATUS_DIRS) {
    looked.push(dir);
    if (!firstVisit(dir)) continue;
    for (const name of xmlFiles(fs, dir)) {
      const def = readDomainFile(fs, `${dir}/${name}`, `${dir}/${name}`, problems, opts.cache);
      if (def !== null) add(def, `${dir}/${name}`, false);
    }
  }
  for (const dir of CONFIG_DIRS) {
    looked.push(dir);
    if (!firstVisit(dir)) continue;
    for (const name of xmlFiles(fs, dir)) {
      const file = `${dir}/${name}`;
      const hit = opts.cache?.get(file);
      if (hit?.supersededBy !== undefined) {
        // Unchanged, and its domain still running: it only marks that domain persistent.
        const live = byKey.get(hit.supersededBy);
        if (live?.live && fs.stamp(file) === hit.stamp) {
          live.persistent = true;
          continue;
        }
      }
      const def = readDomainFile(fs, file, file, problems, opts.cache);
      if (def === null) continue;
      add(def, file, true);
      const winner = byKey.get(def.uuid ?? def.name);
      const entry = opts.cache?.get(file);
      if (entry?.def === def && !def.live && winner?.live) {
        entry.def = null;
        entry.supersededBy = winner.key;
      }
    }
  }
  if (opts.xmlDir !== undefined) {
    const xfs = new HostFs(opts.xmlDir);
    looked.push(xfs.root);
    for (const name of xmlFiles(xfs, '/')) {
      const file = `${xfs.root}/${name}`;
      const def = readDomainFile(xfs, `/${name}`, file, problems, opts.cache);
      if (def !== null) add(def, file, !def.live);
    }
  }
  if (byKey.size === 0 && opts.enumerate !== undefined) {
    for (const d of opts.enumerate(fs, looked)) byKey.set(d.key, d);
  }
  return { domains: sortDomains([...byKey.values()]), problems, looked };
}

/** virsh's order: running domains by id, then inactive ones by name. */
export function sortDomains(domains: Domain[]): Domain[] {
  return domains.sort((a, b) => {
    if (a.id >= 0 && b.id >= 0) return a.id - b.id;
    if (a.id >= 0) return -1;
    if (b.id >= 0) return 1;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}
