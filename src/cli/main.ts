// domstat's command line: one file per command, wired here. A command's module (and what it
// imports: the store, chokidar, Vega, ...) is loaded only when that command runs, so a one-shot
// `domstat domstats` does not pay for the agent's start-up. The installed command runs the
// one-shot commands from a bundle of oneshot.ts instead (README, "One-shot speed").

import { type Command } from 'commander';
import { fdIo, processIo, type Io } from '../common/io.js';
import { buildProgram as build, runProgram, type CommandTable, type SetExit } from './program.js';

export { packageVersion } from './program.js';

/** Every command in the order `domstat --help` lists them, with the module that defines it. */
export const COMMANDS: CommandTable = [
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

/** The program with the commands named (all of them by default). */
export function buildProgram(io: Io, setExit: SetExit, names?: readonly string[]): Promise<Command> {
  return build(COMMANDS, io, setExit, names);
}

/**
 * Runs one command line; returns the exit status instead of exiting, for tests. Commands write
 * through fdIo (a failed write ends the output in one line, a reader gone ends it quietly), except
 * the agent, whose log must never end a tick, and top, which ends itself on its stream's error.
 */
export function main(argv: readonly string[], io: Io = argv[0] === 'agent' || argv[0] === 'top' ? processIo : fdIo()): Promise<number> {
  return runProgram(COMMANDS, argv, io);
}
