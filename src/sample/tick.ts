// One tick's outcome as the sampler hands it on: each domain sampled with its rows, and what
// could not be read. What the agent publishes after storing it (for /metrics and the web page)
// adds the row map the rows follow and the store's figures.

import type { Domain } from '../stats/domain.js';
import type { DomainProblem } from '../stats/records.js';
import type { RowMap } from './row-map.js';
import type { DomainSample } from './rows.js';

export interface SampleResult {
  ts: number;
  collectUs: number;
  /** The domains sampled, each with its sample (same order). */
  domains: Domain[];
  samples: DomainSample[];
  problems: DomainProblem[];
}

export interface TickOutcome {
  sample: SampleResult;
  map: RowMap;
  /** How long storing it took (ms), and the ticks taken since the agent started. */
  storeMs: number;
  ticks: number;
}
