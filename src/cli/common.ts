// Options every command takes, and the connection they describe.

import * as fs from 'node:fs';
import { Command, Option } from 'commander';
import { Connection } from '../connection/connection.js';
import { HostReadError } from '../host/host-errors.js';
import { problemText } from '../domains/inventory.js';
import { UsageError } from '../common/errors.js';
import type { Io } from '../common/io.js';
import { printable } from '../common/printable.js';

export interface HostOptions {
  root: string;
  xmlDir?: string;
  json?: boolean;
}

export function hostOptions(cmd: Command, json = true): Command {
  cmd.addOption(new Option('--root <dir>', 'read the host files under DIR instead of /').default('/').argParser(directory('--root')));
  cmd.addOption(new Option('--xml-dir <dir>', 'also read domain XML files from DIR').argParser(directory('--xml-dir')));
  if (json) cmd.option('--json', 'print JSON instead of virsh text');
  return cmd;
}

/**
 * The connection the options describe. Given an Io, each domain definition that could not be read
 * is a warning on stderr: a status file that is broken (or a FIFO) would otherwise show its domain
 * as shut off, or not at all, without a word.
 */
export function connect(opts: HostOptions, io?: Io): Connection {
  const denied: string[] = [];
  const conn = new Connection({
    root: opts.root,
    ...(opts.xmlDir === undefined ? {} : { xmlDir: opts.xmlDir }),
    ...(io === undefined
      ? {}
      : {
          onInventoryProblem: (p) => {
            if (p.errno === 'EACCES') denied.push(p.file);
            io.err(`warning: ${printable(problemText(p))}\n`);
          },
        }),
  });
  // Not one definition readable, for lack of rights (a user who is not root): an error, as virsh
  // fails to connect then, rather than a host that seems to have no domains.
  if (io !== undefined && conn.inventory().domains.length === 0 && denied.length > 0)
    throw new HostReadError(
      denied[0]!,
      'EACCES',
      "permission denied (EACCES): no domain definition could be read; domstat needs root (or CAP_DAC_READ_SEARCH) for libvirt's files",
    );
  return conn;
}

/**
 * --root and --xml-dir must be directories: a mistyped one would otherwise read as a host without
 * domains (and the agent would record an empty host on every tick).
 */
export function directory(option: string) {
  return (dir: string): string => {
    let st: fs.Stats;
    try {
      st = fs.statSync(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : code === 'ENOTDIR' ? 'not a directory' : String(code);
      throw new UsageError(`${option} ${dir}: ${why}`);
    }
    if (!st.isDirectory()) throw new UsageError(`${option} ${dir}: not a directory`);
    return dir;
  };
}

/** An integer option from `min` to `max`: junk, fractions and sizes out of range are refused. */
export function intInRange(name: string, min: number, max: number) {
  return (v: string): number => {
    const n = intOption(name)(v);
    if (n < min || n > max) throw new UsageError(`${name} must be from ${min} to ${max}, got ${n}`);
    return n;
  };
}

/** Integer option parser for commander that refuses junk. */
export function intOption(name: string) {
  return (v: string): number => {
    if (!/^-?[0-9]{1,9}$/.test(v)) throw new UsageError(`${name} must be an integer, got '${v}'`);
    return Number(v);
  };
}
