// npm run test:lab — domstat's cgroup groups on the live lab host (hybrid: PSI in the unified
// tree, memory, cpu and blkio in v1). Each domain's files are read directly, then `domstat
// domstats --pressure --cgroup-memory --cpu-throttle --cgroup-io --numa`, then the files again:
// every counter domstat prints lies between the two direct readings, every gauge within them
// (2 % slack, as the libvirt comparison), names and counts are equal; the busy guest shows CPU
// pressure. (The lab's v1 blkio counters read `Total 0`: there cgroup.io.count is 0 on both sides.)
import t from 'tap';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, SHARED } from '../test/helpers/cli.js';
import { parseVirshDomstats } from '../test/helpers/libvirt-compare.js';
import { parseCgroupPressure, PRESSURE_KEYS, PRESSURE_RESOURCES } from '../src/kernel/cgroup-pressure.js';
import {
  MEMORY_SINGLE,
  parseMemorySingle,
  parseMemoryStat,
  parseOomControl,
  OOM_CONTROL_KEYS,
  V1_STAT_FIELDS,
  V1_STAT_KEYS,
} from '../src/kernel/cgroup-memory.js';
import { CPU_THROTTLE_V1_FIELDS, CPU_THROTTLE_V1_KEYS, parseCpuThrottle } from '../src/kernel/cgroup-cpu-stat.js';
import { blkioAsIoStat } from '../src/kernel/cgroup-io.js';
import { NUMA_KEYS_V1, parseNumaStat } from '../src/kernel/cgroup-numa.js';
import { exactKey, keyAt, type KeyFrom } from '../src/kernel/spec.js';
import { Connection } from '../src/connection/connection.js';
import { readInventory } from '../src/domains/inventory.js';
import { Sampler } from '../src/agent/sampler.js';
import { keyMapOf } from '../src/store/key-map.js';
import { COLUMNS } from '../src/store/columns.js';

const LAB = path.join(SHARED, 'lab', 'libvirt-lab.sh');
if (!fs.existsSync(LAB)) throw new Error(`${LAB} is missing: the lab needs ../shared/lab`);
execFileSync('bash', [LAB, 'up'], { encoding: 'utf8' });

const CG = '/sys/fs/cgroup';
/** The domain's group directory under a hierarchy (libvirt's machine/qemu-ID-NAME.libvirt-qemu). */
function group(hierarchy: string, name: string): string {
  const dir = path.join(CG, hierarchy, 'machine');
  const hit = fs.readdirSync(dir).find((d) => d.endsWith(`-${name}.libvirt-qemu`));
  if (hit === undefined) throw new Error(`no ${hierarchy} group for ${name}`);
  return path.join(dir, hit);
}

/** Every key the files give, exactly, from the kernel specs' parsers (what domstat's driver reads). */
function direct(name: string): Map<string, bigint | string> {
  const out = new Map<string, bigint | string>();
  const put = <F extends string>(keys: readonly KeyFrom<F>[], fields: Partial<Record<F, bigint>>, i?: number) => {
    for (const k of keys) {
      const v = exactKey(k, fields);
      if (v !== undefined) out.set(i === undefined ? k.key : keyAt(k.key, i), v);
    }
  };
  const read = (p: string) => fs.readFileSync(p, 'utf8');
  const u = group('unified', name);
  for (const r of PRESSURE_RESOURCES) put(PRESSURE_KEYS[r], parseCgroupPressure(read(`${u}/${r}.pressure`), r));
  const m = group('memory', name);
  for (const s of ['usage', 'maxUsage', 'failcnt'] as const) {
    const spec = MEMORY_SINGLE[s];
    out.set(spec.key, parseMemorySingle(read(`${m}/${path.basename(spec.path)}`), s).value);
  }
  put(V1_STAT_KEYS, parseMemoryStat(read(`${m}/memory.stat`), V1_STAT_FIELDS, 'memory.stat'));
  put(OOM_CONTROL_KEYS, parseOomControl(read(`${m}/memory.oom_control`), 'oom_control'));
  put(CPU_THROTTLE_V1_KEYS, parseCpuThrottle(read(`${group('cpu', name)}/cpu.stat`), CPU_THROTTLE_V1_FIELDS, 'cpu.stat'));
  const b = group('blkio', name);
  out.set('cgroup.io.count', BigInt(blkioAsIoStat(read(`${b}/blkio.throttle.io_service_bytes`), read(`${b}/blkio.throttle.io_serviced`), 'b', 'i').length));
  const nodes = parseNumaStat(read(`${m}/memory.numa_stat`), true, 'numa_stat');
  out.set('cgroup.numa.count', BigInt(nodes.length));
  nodes.forEach((n, i) => {
    out.set(`cgroup.numa.${i}.node`, BigInt(n.node));
    put(NUMA_KEYS_V1, n.fields, i);
  });
  return out;
}

const COUNTER = /^pressure\.|\.pgfault$|\.pgmajfault$|\.failcnt$|\.events\.|^cgroup\.cpu\.|^cgroup\.io\.[0-9]+\.(rd|wr|dc)\./;
const domains = [...parseVirshDomstats(execFileSync('virsh', ['domstats', '--state'], { encoding: 'utf8' })).keys()];
const first = new Map(domains.map((d) => [d, direct(d)]));
const text = execFileSync(
  process.execPath,
  [path.join(REPO, 'bin', 'domstat.cjs'), 'domstats', '--pressure', '--cgroup-memory', '--cpu-throttle', '--cgroup-io', '--numa'],
  {
    encoding: 'utf8',
  },
);
const last = new Map(domains.map((d) => [d, direct(d)]));
const ours = parseVirshDomstats(text);

for (const dom of domains) {
  t.test(dom, async (t) => {
    const a = first.get(dom)!;
    const z = last.get(dom)!;
    const mine = ours.get(dom) ?? new Map<string, string>();
    t.same([...mine.keys()].sort(), [...z.keys()].sort(), 'the keys the files give, no more, no fewer');
    for (const [key, zv] of z) {
      const av = a.get(key);
      const got = mine.get(key);
      const what = `${key}: direct ${av} .. ${zv}, domstat ${got}`;
      if (got === undefined || av === undefined) {
        t.fail(what);
        continue;
      }
      if (/\.(count|node)$/.test(key)) t.equal(BigInt(got), zv, what);
      else if (COUNTER.test(key)) t.ok(BigInt(av) <= BigInt(got) && BigInt(got) <= BigInt(zv), what);
      else {
        const lo = Math.min(Number(av), Number(zv));
        const hi = Math.max(Number(av), Number(zv));
        t.ok(Number(got) >= lo * 0.98 && Number(got) <= hi * 1.02, `${what} (within 2%)`);
      }
    }
    if (dom === 'lab-busy')
      t.ok(BigInt(mine.get('pressure.cpu.some.time') ?? '0') > 0n, `the busy guest shows CPU pressure: ${mine.get('pressure.cpu.some.time')} ns`);
  });
}

// The agent's path on the same host: its sampling plans with every kind it can store (as
// `agent --cgroup-io --numa`), each value between two direct readings, no domain left to its driver.
t.test("the agent's plans, with cgroup I/O and NUMA", async (t) => {
  const conn = new Connection({ root: '/' });
  conn.setInventory(readInventory(conn.fs));
  const map = keyMapOf(COLUMNS);
  const sampler = new Sampler(conn, map, { hostname: 'lab' });
  t.teardown(() => sampler.close());
  const before = new Map(domains.map((d) => [d, direct(d)]));
  const s = sampler.sample();
  const after = new Map(domains.map((d) => [d, direct(d)]));
  t.equal(sampler.careful, 0, 'every domain by its plan');
  for (const dom of domains) {
    const sample = s.samples.find((x) => x.name === dom);
    if (sample === undefined) {
      t.fail(`${dom}: sampled`);
      continue;
    }
    // The readings as keys: the domain row's, and each cgroup I/O device's and NUMA node's by index.
    const got = new Map<string, number>();
    for (const d of sample.devices) {
      if (d.kind !== 'domain' && d.kind !== 'cgroup_io' && d.kind !== 'numa') continue;
      map.columns[d.kind].forEach((c, i) => {
        if (d.values[i] === d.values[i] && /^(pressure|cgroup)\./.test(c.key)) got.set(d.idx === null ? c.key : keyAt(c.key, d.idx), d.values[i]!);
      });
      if (d.kind === 'numa') got.set(`cgroup.numa.${d.idx}.node`, Number(d.name.slice(4)));
    }
    const a = before.get(dom)!;
    const z = after.get(dom)!;
    t.equal(sample.devices.filter((d) => d.kind === 'cgroup_io').length, Number(z.get('cgroup.io.count')), `${dom}: cgroup I/O devices as blkio lists them`);
    t.equal(sample.devices.filter((d) => d.kind === 'numa').length, Number(z.get('cgroup.numa.count')), `${dom}: NUMA nodes as memory.numa_stat lists them`);
    t.ok(got.size >= 12, `${dom}: ${got.size} cgroup values stored`);
    for (const [key, v] of got) {
      const av = a.get(key);
      const zv = z.get(key);
      const what = `${dom} ${key}: direct ${av} .. ${zv}, plan ${v}`;
      if (av === undefined || zv === undefined) t.fail(what);
      else if (/\.node$/.test(key)) t.equal(BigInt(v), zv, what);
      else if (COUNTER.test(key)) t.ok(Number(av) <= v && v <= Number(zv), what);
      else t.ok(v >= Math.min(Number(av), Number(zv)) * 0.98 && v <= Math.max(Number(av), Number(zv)) * 1.02, `${what} (within 2%)`);
    }
  }
});
