// The running simulator's counters read as smooth rates from any sampling instants. The
// simulator's clock is driven explicitly (no sleeps): its timer wakes on its 0.1 s grid a
// seeded 0-30 ms late; a sampler reads the tree through domstat's own Connection at instants of
// its own (any phase, intervals of 1 s or 10 s with +-20 ms of jitter). In steady mode each rate
// it computes must be the profile's rate within (0.1 s + 0.03 s) / T (T less the jitter), plus two units of the
// floor() the files print over the rate times T. The simulator as it was (updates every 1 s,
// as often as the reader samples) is run through the same sampler: there some rates read 0 or
// twice the profile's, the charts the issue saw.
import t, { type Test } from 'tap';
import * as path from 'node:path';
import { createSimHost, type SimHost, type SimKind } from '../../src/sim/simulate.js';
import { SimSchedule } from '../../src/sim/schedule.js';
import { Rng } from '../../src/sim/rng.js';
import { Connection } from '../../src/connection/connection.js';
import { StatsGroup } from '../../src/stats/groups.js';
import { privateDir } from '../helpers/moving.js';

const LATE_MS = 30;
const JITTER_MS = 20;

interface Reading {
  atMs: number;
  /** Per domain, the counters the rates are read from. */
  values: Map<string, Record<string, number>>;
}

const KEYS = ['net.0.rx.bytes', 'net.0.tx.bytes', 'block.0.rd.bytes', 'block.0.wr.bytes', 'block.0.rd.reqs'] as const;

/** The profile's rate for each key (domstat's guest view; disks in bytes and requests). */
function profileRates(sim: SimHost, name: string): Record<string, number> {
  const p = sim.load(name);
  const nic = p.nics[0]!;
  const disk = p.disks[0]!;
  return {
    'net.0.rx.bytes': nic.rxBps,
    'net.0.tx.bytes': nic.txBps,
    'block.0.rd.bytes': disk.rdIops * disk.rdSect * 512,
    'block.0.wr.bytes': disk.wrIops * disk.wrSect * 512,
    'block.0.rd.reqs': disk.rdIops,
  };
}

/**
 * Runs the simulator with updates every `updateMs` (the timer late by up to LATE_MS) and a
 * sampler reading every `periodMs` (+- JITTER_MS) from `phaseMs`, for `samples` readings.
 */
function run(t: Test, kind: SimKind, steady: boolean, updateMs: number, periodMs: number, phaseMs: number, samples: number) {
  const sim = createSimHost({ dir: path.join(privateDir(t), 'host'), domains: 5, kind, steady, startMs: Date.UTC(2026, 11, 7) });
  t.teardown(() => sim.close());
  const conn = new Connection({ root: sim.dir });
  const rng = new Rng(7);
  const schedule = new SimSchedule(sim, updateMs, 0);
  let wake = schedule.nextMs + rng.range(0, LATE_MS);
  const readings: Reading[] = [];
  for (let i = 0; i < samples; i++) {
    const at = phaseMs + i * periodMs + rng.range(-JITTER_MS, JITTER_MS);
    // Every update the simulator's timer made before this instant, at the instant it woke.
    while (wake <= at) {
      schedule.update(wake);
      wake = schedule.nextMs + rng.range(0, LATE_MS);
    }
    const values = new Map<string, Record<string, number>>();
    for (const r of conn.getAllDomainStats(StatsGroup.INTERFACE | StatsGroup.BLOCK, 0)) {
      const v: Record<string, number> = {};
      for (const k of KEYS) v[k] = Number(r.params.find((p) => p.field === k)!.value);
      values.set(r.domain.name, v);
    }
    readings.push({ atMs: at, values });
  }
  const rates = (name: string, key: string) =>
    readings.slice(1).map((r, i) => (r.values.get(name)![key]! - readings[i]!.values.get(name)![key]!) / ((r.atMs - readings[i]!.atMs) / 1000));
  return { sim, rates };
}

for (const kind of ['xen', 'kvm'] as const) {
  t.test(`${kind}: steady profiles read within (update + lateness) / T at any instants`, async (t) => {
    for (const [periodMs, samples] of [
      [1000, 40],
      [10_000, 8],
    ] as const) {
      for (const phaseMs of [0, 3, 50, 97, 512]) {
        const { sim, rates } = run(t, kind, true, 100, periodMs, phaseMs, samples);
        let worst = 0;
        for (const d of sim.domains) {
          const want = profileRates(sim, d.name);
          for (const k of KEYS) {
            const unit = k.startsWith('block.') && k.endsWith('.bytes') ? 512 : 1;
            // Over the shortest interval the sampler's jitter allows.
            const shortest = periodMs - 2 * JITTER_MS;
            const tolerance = (100 + LATE_MS) / shortest + unit / (want[k]! * (shortest / 1000));
            for (const got of rates(d.name, k)) {
              const err = Math.abs(got / want[k]! - 1);
              worst = Math.max(worst, err / tolerance);
              if (err > tolerance)
                t.fail(`${d.name} (${d.profile}) ${k}: ${got.toFixed(1)}/s, profile ${want[k]!.toFixed(1)}/s, off by ${(err * 100).toFixed(1)} %`);
            }
          }
        }
        t.ok(worst <= 1, `T = ${periodMs / 1000} s, phase ${phaseMs} ms: every rate within tolerance (worst at ${(worst * 100).toFixed(0)} % of it)`);
      }
    }
  });
}

t.test('updating as often as the reader samples (the old 1 s default) reads 0 or double', async (t) => {
  // The reader's instants 3 ms after the simulator's grid: its jitter and the timer's lateness
  // put an update now before, now after a reading.
  const { sim, rates } = run(t, 'xen', true, 1000, 1000, 3, 40);
  const name = sim.domains[0]!.name;
  const want = profileRates(sim, name)['net.0.rx.bytes']!;
  const ratios = rates(name, 'net.0.rx.bytes').map((r) => r / want);
  t.ok(
    ratios.some((x) => x < 0.1),
    `some 1 s rates read 0 (${ratios.map((x) => x.toFixed(1)).join(' ')})`,
  );
  t.ok(
    ratios.some((x) => x > 1.9),
    'and some twice the rate',
  );
});

t.test('with its noise (the default), a busy domain never reads 0 and moves gently', async (t) => {
  const { sim, rates } = run(t, 'kvm', false, 100, 1000, 3, 60);
  const web = sim.domains.find((d) => d.profile === 'web')!;
  for (const k of ['net.0.rx.bytes', 'block.0.wr.bytes']) {
    const r = rates(web.name, k);
    t.ok(
      r.every((x) => x > 0),
      `${k}: no zero among ${r.length} rates`,
    );
    const steps = r.slice(1).map((x, i) => x / r[i]!);
    t.ok(
      steps.every((x) => x > 0.6 && x < 1 / 0.6),
      `${k}: each 1 s rate within a factor 1.67 of the one before (${Math.min(...steps).toFixed(2)}..${Math.max(...steps).toFixed(2)})`,
    );
  }
});
