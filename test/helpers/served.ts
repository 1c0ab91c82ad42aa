// The server's view of the latest tick for tests whose agent goes on ticking: a TickCache updated
// from a getter whenever the getter's answer changes (exportInputOf is memoized per tick, so an
// unchanged tick is the same object).
import { TickCache, type ServedTick } from '../../src/export/tick-cache.js';
import type { ExportInput } from '../../src/export/prometheus.js';

export function servedFrom(get: () => ExportInput | null): ServedTick {
  const cache = new TickCache();
  let last: ExportInput | null = null;
  const fresh = () => {
    const input = get();
    if (input !== null && input !== last) {
      last = input;
      cache.update(input);
    }
    return cache;
  };
  return {
    metrics: (openMetrics, gzip) => fresh().metrics(openMetrics, gzip),
    domains: () => fresh().domains(),
    get latest() {
      return fresh().latest;
    },
  };
}
