#!/usr/bin/env -S node --max-semi-space-size=1 --expose-gc --verify-snapshot-checksum
// --max-semi-space-size=1 keeps V8's young generation at 1 MB: the agent makes under 1 MB of
// garbage per tick, and the default (up to 16 MB per semi-space) only grows its memory by ~70 MB
// at 1000 domains. --expose-gc lets the agent return its start-up garbage at once (see Agent.run).
// --verify-snapshot-checksum makes V8 check a code cache's checksum before it deserializes it
// (bin/oneshot-loader.cjs): a garbled cache is refused, where without it V8 aborts the process;
// node's start took 63.1 ms with it against 63.3 without (fastest of 40 runs each).
// `npm start` passes the same flag (test/agent/launch.ts holds the two together).
//
// CommonJS, and a one-shot command (`domstat domstats`, `list`, ..., `--version`) goes to one
// bundled file (dist/cli/oneshot.cjs, from src/cli/oneshot.ts): starting node's ES module loader
// and resolving ~50 modules was most of such a command's time (README, "One-shot speed"). Every
// other command line (the agent, history, top, help, typos) loads the ES modules, as before.
// The bundle is loaded with V8's code cache the build made for it (bin/oneshot-loader.cjs).
'use strict';

// src/cli/oneshot.ts's isOneShot(), which test/cli/oneshot.ts holds equal to this.
const ONE_SHOT = new Set(['list', 'domstats', 'domifstat', 'domblkstat', 'domblklist', 'domiflist', 'dommemstat', 'cpu-stats', 'inspect', '--version', '-V']);

const argv = process.argv.slice(2);
// A file of domstat's own that cannot be loaded (an install cut short, a file made unreadable) is
// said in one line, as domstat's other errors are, not as a stack.
const command = ONE_SHOT.has(argv[0])
  ? new Promise((resolve) => resolve(require('./oneshot-loader.cjs').loadOneShot().exports.runOneShot))
  : import('../dist/cli/main.js').then((cli) => cli.main);
command
  .then(
    (run) => run(argv),
    (e) => {
      process.stderr.write(`error: cannot load domstat: ${String(e instanceof Error ? e.message : e).split('\n')[0]}\n`);
      return 1;
    },
  )
  .then((code) => {
    process.exitCode = code;
  });
