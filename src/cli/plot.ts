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
        const { renderPng, renderSvg } = await import('../export/plot.js');
        fs.writeFileSync(opts.output, png ? await renderPng(r, po) : await renderSvg(r, po));
        io.err(`wrote ${opts.output} (${r.times.length} points per line, ${r.tier} tier)\n`);
      },
    );
}
