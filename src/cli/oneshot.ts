// The one-shot commands: the ones a user runs and waits for (list, domstats, the per-device
// commands, cpu-stats, inspect) and --version. They are imported statically here, so that the
// build (scripts/bundle.mjs) can put them, commander and everything they use into one CommonJS
// file, dist/cli/oneshot.cjs, which the installed command (bin/domstat.cjs) loads for them
// instead of ~50 ES modules (README, "One-shot speed"). Same commands, same makers as main.ts's.

import { listCommand } from './list.js';
import { domstatsCommand } from './domstats.js';
import { domblklistCommand, domblkstatCommand, domiflistCommand, domifstatCommand, dommemstatCommand } from './devices.js';
import { cpuStatsCommand } from './cpu-stats.js';
import { inspectCommand } from './inspect.js';
import { InternalError } from '../common/errors.js';
import { fdIo, type Io } from '../common/io.js';
import { isVersionFlag, runProgram, type CommandTable, type Make } from './program.js';

const now = (make: Make) => () => Promise.resolve(make);

/** The one-shot commands, in main.ts's order. */
export const ONE_SHOT_COMMANDS: CommandTable = [
  ['list', now(listCommand)],
  ['domstats', now(domstatsCommand)],
  ['domifstat', now(domifstatCommand)],
  ['domblkstat', now(domblkstatCommand)],
  ['domblklist', now(domblklistCommand)],
  ['domiflist', now(domiflistCommand)],
  ['dommemstat', now(dommemstatCommand)],
  ['cpu-stats', now(cpuStatsCommand)],
  ['inspect', now(inspectCommand)],
];

/** Is this a command line the one-shot commands answer alone (its first word one of them, or --version)? */
export function isOneShot(argv: readonly string[]): boolean {
  const first = argv[0];
  return isVersionFlag(first) || ONE_SHOT_COMMANDS.some(([n]) => n === first);
}

/** Runs a one-shot command line (isOneShot) as main() would; returns the exit status. */
export function runOneShot(argv: readonly string[], io: Io = fdIo()): Promise<number> {
  if (!isOneShot(argv)) throw new InternalError(`not a one-shot command line: ${argv.join(' ')}`);
  return runProgram(ONE_SHOT_COMMANDS, argv, io);
}
