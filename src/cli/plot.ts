import { Command, Option } from 'commander';
import * as fs from 'node:fs';
import { type Io } from '../common/io.js';
import { UsageError } from '../common/errors.js';
import { openDatabase } from '../store/db.js';
import { HistoryReader } from '../store/history.js';
import { timeRange } from '../common/time.js';
import { intInRange } from './common.js';

// Sizes of one panel, in SVG pixels (the PNG is twice that): beyond these a chart is no longer
// readable or a PNG of several panels needs gigabytes.
const WIDTH = { min: 200, max: 4000 };
const HEIGHT = { min: 100, max: 2000 };
/**
 * All panels together, in SVG pixels: 50 panels of the default 800×300, or one of 4000×2000 and
 * half as much again. Rendering a PNG took ~35 bytes per pixel (2.96 GB for 85 million), so this
 * keeps plot under ~450 MB.
 */
const MAX_AREA = 12_000_000;

export function plotCommand(io: Io): Command {
  return new Command('plot')
    .description('line charts of rates (counters) and values (gauges) from the history, as SVG or PNG')
    .argument('<domain>', 'domain name or uuid ("@host" for the host)')
    .argument('<key...>', 'domstats keys, e.g. cpu.time net.0.rx.bytes')
    .requiredOption('-o, --output <file>', 'out.svg or out.png')
    .addOption(new Option('--db <file>', 'history database').default('domstat.db'))
    .addOption(new Option('--since <time>', 'start: a duration ago or an ISO time').default('1h'))
    .option('--until <time>', 'end (default now)')
    .option('--step <duration>', 'one point per step')
    .addOption(new Option('--width <px>', `plot width, ${WIDTH.min}-${WIDTH.max}`).default(800).argParser(intInRange('--width', WIDTH.min, WIDTH.max)))
    .addOption(
      new Option('--height <px>', `height of each panel, ${HEIGHT.min}-${HEIGHT.max}`).default(300).argParser(intInRange('--height', HEIGHT.min, HEIGHT.max)),
    )
    .action(
      async (
        domain: string,
        keys: string[],
        opts: { output: string; db: string; since: string; until?: string; step?: string; width: number; height: number },
      ) => {
        const png = /\.png$/i.test(opts.output);
        if (!png && !/\.svg$/i.test(opts.output)) throw new UsageError('--output must end in .svg or .png');
        const db = openDatabase(opts.db, { readonly: true });
        let r;
        try {
          const now = Date.now();
          r = new HistoryReader(db).query({
            domain,
            keys,
            ...timeRange(opts.since, opts.until, opts.step, now),
            rate: true,
          });
        } finally {
          db.close();
        }
        if (r.times.length === 0) throw new UsageError(`no history for ${domain} in that time range`);
        const po = { width: opts.width, height: opts.height, title: domain };
        // Vega and the PNG renderer cost ~30 MB of memory: loaded only by this command, never by the agent.
        const { panels, renderPng, renderSvg } = await import('../export/plot.js');
        // The image as a whole is bounded too: each panel is that size, and a PNG is drawn at twice it.
        const n = panels(r).length;
        if (n * opts.width * opts.height > MAX_AREA)
          throw new UsageError(
            `${n} panels of ${opts.width}×${opts.height} are ${((n * opts.width * opts.height) / 1e6).toFixed(1)} million pixels, more than ${MAX_AREA / 1e6}: ask for fewer keys or smaller panels`,
          );
        fs.writeFileSync(opts.output, png ? await renderPng(r, po) : await renderSvg(r, po));
        io.err(`wrote ${opts.output} (${r.times.length} points per line, ${r.tier} tier)\n`);
      },
    );
}
