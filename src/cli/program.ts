// The command line's program, built from a table of commands and run once. main.ts gives it
// every command, each loaded when it runs; oneshot.ts gives it the one-shot commands, imported
// statically so that the build bundles them into one file (README, "One-shot speed").

import * as fs from 'node:fs';
import { Command, CommanderError } from 'commander';
import { messageOf, OutputError, UsageError } from '../common/errors.js';
import type { Io } from '../common/io.js';

export type SetExit = (code: number) => void;
export type Make = (io: Io, setExit: SetExit) => Command;
/** Commands in the order `domstat --help` lists them, each with a loader of its maker. */
export type CommandTable = readonly (readonly [string, () => Promise<Make>])[];

/** The version in package.json (two levels up from src/cli, dist/cli and the bundle in dist/cli). */
export function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

/**
 * The program with the table's commands named (all of them by default). Commander needs a
 * command's options to parse its line, so only the command being run has to be there.
 */
export async function buildProgram(table: CommandTable, io: Io, setExit: SetExit, names?: readonly string[]): Promise<Command> {
  const program = new Command('domstat')
    .description("Per-domain statistics for Xen and KVM hosts, read from the host's own files")
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  const wanted = names === undefined ? table : table.filter(([n]) => names.includes(n));
  const makers = await Promise.all(wanted.map(([, load]) => load()));
  for (const make of makers)
    program.addCommand(
      refuseRepeats(make(io, setExit))
        .exitOverride()
        .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) }),
    );
  return program;
}

/**
 * virsh's rule for every command: an option given twice is refused ("option --start already
 * seen"), where commander would keep the last one silently. Options that collect (agent
 * --allow-host, repeated on purpose) are left alone.
 */
function refuseRepeats(cmd: Command): Command {
  const seen = new Set<string>();
  // One listener per name: --x and --no-x are one option to commander.
  for (const name of new Set(cmd.options.filter((o) => !o.variadic && !Array.isArray(o.defaultValue)).map((o) => o.name()))) {
    cmd.on(`option:${name}`, () => {
      if (seen.has(name)) throw new UsageError(`option --${name} already seen`);
      seen.add(name);
    });
  }
  return cmd;
}

/** Is this argument --version or its short form (a command line that needs no command at all)? */
export const isVersionFlag = (arg: string | undefined): boolean => arg === '--version' || arg === '-V';

/**
 * Runs one command line with the table's commands; returns the exit status instead of exiting.
 * A line that starts with a command's name gets that command alone and --version none; anything
 * else (help, a typo that commander answers with suggestions) gets the whole table.
 */
export async function runProgram(table: CommandTable, argv: readonly string[], io: Io): Promise<number> {
  let code = 0;
  const setExit = (c: number) => (code = c);
  const first = argv[0];
  const only = isVersionFlag(first) ? [] : first !== undefined && table.some(([n]) => n === first) ? [first] : undefined;
  try {
    const program = await buildProgram(table, io, setExit, only);
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander printed its own message already; help and version exit 0.
      return e.exitCode;
    }
    // A reader that went away (`domstat domstats | head`) wanted no more: the command ends quietly.
    if (e instanceof OutputError && e.readerGone) return 0;
    try {
      io.err(`error: ${messageOf(e)}\n`);
    } catch (reportError) {
      if (!(reportError instanceof OutputError)) throw reportError;
    }
    return 1;
  }
  return code;
}
