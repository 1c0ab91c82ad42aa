// Synthetic KVM-shaped domains for the query benchmark (2 vCPUs, 2 NICs, 2 disks, as the
// simulator's): counters that grow by random amounts in whole units of their columns, written
// straight to the writer (months of history in seconds; the sampler is measured elsewhere).

import { Rng } from '../src/sim/rng.js';
import type { KeyMap } from '../src/store/key-map.js';
import type { Kind } from '../src/sample/row-map.js';
import { newDevice, setReading, type DeviceSample, type DomainSample } from '../src/sample/rows.js';

export function device(map: KeyMap, kind: Kind, idx: number | null, name: string, readings: Record<string, bigint>): DeviceSample {
  const d = newDevice({ kind, idx, name }, map.columns[kind].length);
  for (const [col, v] of Object.entries(readings))
    setReading(
      d,
      map.columns[kind].findIndex((c) => c.col === col),
      v,
    );
  return d;
}

interface Counter {
  kind: Kind;
  idx: number | null;
  col: string;
  /** Per-second rate, in whole units of the column's scale. */
  rate: number;
  scale: bigint;
  value: bigint;
}

export function domainOf(map: KeyMap, n: number): { name: string; next(ts: number): DomainSample } {
  const rng = new Rng(1000 + n);
  const name = `q-${String(n).padStart(4, '0')}`;
  const counters: Counter[] = [];
  const devices: [Kind, number | null, string][] = [
    ['domain', null, name],
    ['vcpu', 0, 'vcpu0'],
    ['vcpu', 1, 'vcpu1'],
    ['net', 0, 'vnet0'],
    ['net', 1, 'vnet1'],
    ['block', 0, 'vda'],
    ['block', 1, 'vdb'],
  ];
  for (const [kind, idx] of devices) {
    for (const c of map.columns[kind]) {
      if (c.type !== 'counter') continue;
      counters.push({
        kind,
        idx,
        col: c.col,
        rate: rng.logRange(0.01, 1e6 / c.scale),
        scale: BigInt(c.scale),
        value: BigInt(Math.round(rng.range(0, 1e6))) * BigInt(c.scale),
      });
    }
  }
  let last: number | null = null;
  return {
    name,
    next(ts: number): DomainSample {
      const dt = last === null ? 0 : (ts - last) / 1000;
      last = ts;
      const readings = new Map<string, Record<string, bigint>>();
      for (const c of counters) {
        c.value += BigInt(Math.round(c.rate * dt * rng.jitter(0.3))) * c.scale;
        const k = `${c.kind}/${c.idx}`;
        const r = readings.get(k) ?? {};
        r[c.col] = c.value;
        readings.set(k, r);
      }
      const dom = readings.get('domain/null')!;
      dom.domid = BigInt(n + 1);
      dom.state = 1n;
      dom.balloon_rss = BigInt(Math.round(rng.range(1e6, 2e6)));
      dom.balloon_maximum = 4_194_304n;
      return {
        key: name,
        name,
        hvType: 'kvm',
        domid: n + 1,
        devices: devices.map(([kind, idx, dn]) => device(map, kind, idx, dn, readings.get(`${kind}/${idx}`) ?? {})),
      };
    },
  };
}
