// The latest tick as the HTTP side serves it: /metrics rendered once per tick (each format on its
// first request) and the same bytes served to every scrape until the next tick, gzipped once for
// scrapers that take it (Prometheus asks for gzip: a tenth of the bytes); /api/domains the same
// way. A thousand scrapes between two ticks cost one render.

import { gzipSync } from 'node:zlib';
import { renderMetrics, type ExportInput } from './prometheus.js';
import type { StoreView } from './store-metrics.js';

/** What the server reads of the latest tick. */
export interface ServedTick {
  /** The exposition of the latest tick (gzipped when asked); null before the first. */
  metrics(openMetrics: boolean, gzip?: boolean): Buffer | null;
  /** /api/domains: the latest tick's domains, with their devices. */
  domains(): Buffer;
  /** The latest tick itself (the page's overview reads its records); null before the first. */
  readonly latest: ExportInput | null;
}

export class TickCache implements ServedTick {
  private input: ExportInput | null = null;
  /** Bodies of this tick: text and OpenMetrics, each plain and gzipped. */
  private bodies = new Map<string, Buffer>();
  private domainsJson: Buffer | null = null;
  /** Renders of /metrics so far (one per tick and format at most). */
  renders = 0;

  /** `store`: the store's view at render time (spans read then, sizes as last measured). */
  constructor(private readonly store: () => StoreView | undefined = () => undefined) {}

  update(input: ExportInput): void {
    this.input = input;
    this.bodies = new Map();
    this.domainsJson = null;
  }

  get latest(): ExportInput | null {
    return this.input;
  }

  metrics(openMetrics: boolean, gzip = false): Buffer | null {
    if (this.input === null) return null;
    const key = `${openMetrics ? 'om' : 'text'}${gzip ? '.gz' : ''}`;
    let body = this.bodies.get(key);
    if (body !== undefined) return body;
    if (gzip) body = gzipSync(this.metrics(openMetrics)!, { level: 6 });
    else {
      const store = this.store();
      body = Buffer.from(renderMetrics(store === undefined ? this.input : { ...this.input, store }, openMetrics));
      this.renders++;
    }
    this.bodies.set(key, body);
    return body;
  }

  domains(): Buffer {
    if (this.domainsJson !== null) return this.domainsJson;
    const recs = this.input?.records ?? [];
    const body = Buffer.from(
      JSON.stringify({
        ts: this.input?.ts ?? null,
        domains: recs.map((r) => ({
          name: r.domain.name,
          uuid: r.domain.uuid ?? null,
          state: r.domain.state,
          interfaces: r.domain.interfaces.map((i) => i.target ?? null),
          disks: r.domain.disks.map((d) => d.target ?? null),
        })),
      }),
    );
    if (this.input !== null) this.domainsJson = body;
    return body;
  }
}
