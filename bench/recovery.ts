// What an agent's restart costs: the writer rebuilds each device's readings and its open minute
// and hour from the raw tier (src/store/recover.ts). A history of synthetic KVM-shaped domains (a
// domain row, 2 vCPUs, 2 NICs, 2 disks each) whose last tick is near the end of an hour, so the
// open hour is nearly whole; then the time of one recover().
//
//   npm run bench -- --sections a --sizes 10   (builds dist-bench), then
//   node dist-bench/bench/recovery.js DOMAINS INTERVAL_MS MINUTES   (e.g. 1000 10000 65)

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openDatabase } from '../src/store/db.js';
import { HistoryWriter } from '../src/store/writer.js';
import { newDevice, setReading, type DeviceSample, type DomainSample } from '../src/sample/rows.js';
import type { Kind } from '../src/sample/row-map.js';

const [domains = 1000, stepMs = 10_000, minutes = 65] = process.argv.slice(2).map(Number);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'domstat-recovery-'));
const file = path.join(dir, 'history.db');
const HOUR = 1_800_000_000_000; // the start of an hour
const start = HOUR + 59.5 * 60_000 - minutes * 60_000;

const db = openDatabase(file);
const w = new HistoryWriter(db);
const dev = (kind: Kind, idx: number | null, name: string, readings: Record<string, bigint>): DeviceSample => {
  const d = newDevice({ kind, idx, name }, w.map.columns[kind].length);
  for (const [col, v] of Object.entries(readings))
    setReading(
      d,
      w.map.columns[kind].findIndex((c) => c.col === col),
      v,
    );
  return d;
};
const ticks = Math.floor((minutes * 60_000) / stepMs);
for (let i = 0; i < ticks; i++) {
  const ts = start + i * stepMs;
  const k = BigInt(i);
  const samples: DomainSample[] = [];
  for (let d = 0; d < domains; d++) {
    samples.push({
      key: `u${d}`,
      name: `vm${d}`,
      hvType: 'kvm',
      domid: d + 1,
      devices: [
        dev('domain', null, `vm${d}`, { cpu_time: k * 1_000_000n * BigInt(d + 1), balloon_rss: 100_000n + ((k * 7919n) % 5003n) }),
        dev('vcpu', 0, '0', { time: k * 10_000_000n }),
        dev('vcpu', 1, '1', { time: k * 20_000_000n }),
        dev('net', 0, `vnet${d}a`, { rx_bytes: k * 1000n, tx_bytes: k * 500n }),
        dev('net', 1, `vnet${d}b`, { rx_bytes: k * 100n }),
        dev('block', 0, 'vda', { rd_reqs: k * 3n, rd_bytes: k * 4096n }),
        dev('block', 1, 'vdb', { wr_reqs: k, wr_bytes: k * 512n }),
      ],
    });
  }
  w.write({ ts, mono: ts - start + 1, dt: i === 0 ? null : stepMs, collectUs: 1, domains: samples });
}
db.close();

const again = openDatabase(file);
const t0 = performance.now();
new HistoryWriter(again).recover();
const ms = performance.now() - t0;
again.close();
console.log(
  `${domains} domains × 7 devices, ${ticks} ticks ${stepMs / 1000} s apart: recover() ${ms.toFixed(0)} ms, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`,
);
fs.rmSync(dir, { recursive: true, force: true });
