// Descriptors when the simulator and domstat's agent share one process (the benchmarks): the
// agent's default budget is its process's limit less 512, so beside the simulator it must leave
// room for the simulator's own.

import { defaultMaxOpenFiles } from '../src/agent/agent.js';
import { openFileLimit } from '../src/sim/files.js';

/** The agent's default descriptor budget (AgentOptions.maxOpenFiles). */
export const AGENT_MAX_OPEN = defaultMaxOpenFiles();
export const FD_LIMIT = openFileLimit() ?? 1024;
/**
 * Descriptors the simulator keeps for its in-place updates (the rest are opened per write, between
 * ticks, untimed): few, so that the agent's budget in this process holds a 1000-domain KVM tick's
 * 19 000 files under a 20 000-descriptor limit, as it would in a process of its own.
 */
export const SIM_MAX_OPEN = Math.min(64, Math.floor(FD_LIMIT / 16));
/** The agent's budget beside the simulator in this process. */
export const SHARED_AGENT_MAX_OPEN = Math.min(AGENT_MAX_OPEN, FD_LIMIT - SIM_MAX_OPEN - 512);
