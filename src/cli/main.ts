// domstat's command line: one file per command, wired here.

import { Command, CommanderError } from 'commander';
import { processIo, errorLine, type Io } from './io.js';
import { listCommand } from './list.js';
import { domstatsCommand } from './domstats.js';
import { domblklistCommand, domblkstatCommand, domiflistCommand, domifstatCommand, dommemstatCommand } from './devices.js';
import { cpuStatsCommand } from './cpu-stats.js';
import { inspectCommand } from './inspect.js';
import { agentCommand } from './agent.js';
import { historyCommand } from './history.js';
import { simulateCommand } from './simulate.js';
import { topCommand } from './top.js';
import { plotCommand } from './plot.js';
import { captureCommand } from './capture.js';

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('domstat')
    .description("Per-domain statistics for Xen and KVM hosts, read from the host's own files")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  const commands = [
    listCommand(io),
    domstatsCommand(io),
    domifstatCommand(io),
    domblkstatCommand(io),
    domblklistCommand(io),
    domiflistCommand(io),
    dommemstatCommand(io),
    cpuStatsCommand(io),
    inspectCommand(io, setExit),
    agentCommand(io),
    historyCommand(io),
    simulateCommand(io),
    topCommand(io),
    plotCommand(io),
    captureCommand(io),
  ];
  for (const c of commands) program.addCommand(c.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) }));
  return program;
}

/** Runs one command line; returns the exit status instead of exiting, for tests. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander printed its own message already; help and version exit 0.
      return e.exitCode;
    }
    io.err(`error: ${errorLine(e)}\n`);
    return 1;
  }
  return code;
}
