#!/usr/bin/env -S node --max-semi-space-size=1 --expose-gc
// --max-semi-space-size=1 keeps V8's young generation at 1 MB: the agent makes under 1 MB of
// garbage per tick, and the default (up to 16 MB per semi-space) only grows its memory by ~70 MB
// at 1000 domains. --expose-gc lets the agent return its start-up garbage at once (see Agent.run).
// `npm start` passes the same flag (test/agent/launch.ts holds the two together).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
