// domstat's command line: one file per command, wired here. A command's module (and what it
// imports: the store, chokidar, Vega, ...) is loaded only when that command runs, so a one-shot
// `domstat domstats` does not pay for the agent's start-up (see README, "One-shot speed").

import * as fs from 'node:fs';
import { Command, CommanderError } from 'commander';
import { processIo, type Io } from '../common/io.js';
import { messageOf } from '../common/errors.js';

type SetExit = (code: number) => void;
type Make = (io: Io, setExit: SetExit) => Command;

/** Every command in the order `domstat --help` lists them, with the module that defines it. */
const COMMANDS: readonly (readonly [string, () => Promise<Make>])[] = [
  ['list', async () => (await import('./list.js')).listCommand],
  ['domstats', async () => (await import('./domstats.js')).domstatsCommand],
  ['domifstat', async () => (await import('./devices.js')).domifstatCommand],
  ['domblkstat', async () => (await import('./devices.js')).domblkstatCommand],
  ['domblklist', async () => (await import('./devices.js')).domblklistCommand],
  ['domiflist', async () => (await import('./devices.js')).domiflistCommand],
  ['dommemstat', async () => (await import('./devices.js')).dommemstatCommand],
  ['cpu-stats', async () => (await import('./cpu-stats.js')).cpuStatsCommand],
  ['inspect', async () => (await import('./inspect.js')).inspectCommand],
  ['agent', async () => (await import('./agent.js')).agentCommand],
  ['history', async () => (await import('./history.js')).historyCommand],
  ['simulate', async () => (await import('./simulate.js')).simulateCommand],
  ['top', async () => (await import('./top.js')).topCommand],
  ['plot', async () => (await import('./plot.js')).plotCommand],
  ['capture', async () => (await import('./capture.js')).captureCommand],
];

/** The version in package.json (two levels up from both src/cli and dist/cli). */
export function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

/**
 * The program with the commands named (all of them by default). Commander needs a command's
 * options to parse its line, so only the command being run has to be there.
 */
export async function buildProgram(io: Io, setExit: SetExit, names?: readonly string[]): Promise<Command> {
  const program = new Command('domstat')
    .description("Per-domain statistics for Xen and KVM hosts, read from the host's own files")
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  const wanted = names === undefined ? COMMANDS : COMMANDS.filter(([n]) => names.includes(n));
  const makers = await Promise.all(wanted.map(([, load]) => load()));
  for (const make of makers)
    program.addCommand(
      make(io, setExit)
        .exitOverride()
        .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) }),
    );
  return program;
}

/** Runs one command line; returns the exit status instead of exiting, for tests. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let code = 0;
  const setExit = (c: number) => (code = c);
  // A known command name first loads that command alone and --version none; anything else
  // (help, a typo that commander answers with suggestions) gets every command.
  const first = argv[0];
  const only = first === '--version' || first === '-V' ? [] : first !== undefined && COMMANDS.some(([n]) => n === first) ? [first] : undefined;
  try {
    const program = await buildProgram(io, setExit, only);
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander printed its own message already; help and version exit 0.
      return e.exitCode;
    }
    io.err(`error: ${messageOf(e)}\n`);
    return 1;
  }
  return code;
}
