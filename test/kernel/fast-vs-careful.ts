// Every kernel file domstat reads has a careful parser (exact u64 values, a ParseError saying what
// is wrong) and a fast reader for the agent's ticks (doubles straight from the bytes). The rule
// that makes the fast path safe: it returns exactly the careful parser's values, or it says "fall
// back" — never a different number, never a value where the careful parser refuses the file.
// Each format is fed seeded random lines, well-formed and hostile (numbers past 2^53 and 2^64,
// missing and extra fields, garbage tokens, other blanks, non-ASCII bytes, truncation, repeats).
import t, { type Test } from 'tap';
import { parseCgroupCpuStat, readCgroupCpuStat, CGROUP_CPU_STAT_AT } from '../../src/kernel/cgroup-cpu-stat.js';
import { CPUACCT_STAT_AT, parseCpuacctStat, parseCpuacctUsage, readCpuacctStat, readCpuacctUsage } from '../../src/kernel/cpuacct.js';
import { NET_DEV_FIELDS, NetDevTable, ProcNetDev } from '../../src/kernel/proc-net-dev.js';
import { parseProcPidIo, PROC_IO_AT, PROC_IO_FIELDS, readProcPidIo } from '../../src/kernel/proc-pid-io.js';
import { NO_WAIT_SUM, parseSchedWaitSumNs, readSchedWaitSum } from '../../src/kernel/proc-pid-sched.js';
import { parseProcSchedstat, readProcSchedstat, SCHEDSTAT_AT } from '../../src/kernel/proc-pid-schedstat.js';
import { parseProcPidStat, PROC_PID_STAT_AT, readProcPidStat } from '../../src/kernel/proc-pid-stat.js';
import { BLOCK_STAT_AT, BLOCK_STAT_KEYS, parseBlockSize, parseSysBlockStat, readBlockSize, readSysBlockStat } from '../../src/kernel/sys-block-stat.js';
import { parseVbdStat, readVbdStat } from '../../src/kernel/xen-vbd.js';
import { ParseError } from '../../src/kernel/u64.js';
import { parseCgroupPressure, PRESSURE_AT, readCgroupPressure } from '../../src/kernel/cgroup-pressure.js';
import {
  MEMORY_EVENTS_ASCII,
  MEMORY_EVENTS_FIELDS,
  OOM_CONTROL_ASCII,
  OOM_CONTROL_FIELDS,
  parseMemorySingle,
  parseMemoryStat,
  readMemorySingle,
  readMemoryKeys,
  V1_STAT_ASCII,
  V1_STAT_FIELDS,
  V2_STAT_ASCII,
  V2_STAT_FIELDS,
} from '../../src/kernel/cgroup-memory.js';
import {
  CPU_THROTTLE_V1_ASCII,
  CPU_THROTTLE_V1_FIELDS,
  CPU_THROTTLE_V2_ASCII,
  CPU_THROTTLE_V2_FIELDS,
  parseCpuThrottle,
  readCpuThrottle,
} from '../../src/kernel/cgroup-cpu-stat.js';
import { IO_FIELDS, parseIoStat, readIoStat } from '../../src/kernel/cgroup-io.js';
import { parseNumaStat, readNumaStat } from '../../src/kernel/cgroup-numa.js';

const RUNS = 3000;

/** mulberry32: the same lines on every run. */
function rng(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof rng>;

const EDGE = [
  '0',
  '1',
  '9007199254740991',
  '9007199254740992',
  '9007199254740993',
  '18446744073709551615',
  '18446744073709551616',
  '99999999999999999999999999',
];
const GARBAGE = ['', '-1', '+3', '0x10', '1e5', '12a', '3.5', '١٢', '\u00a0', 'nan', '007'];
const BLANKS = [' ', '\t', '  ', '\v', '\f', '\r', '\u00a0'];

/** A plausible counter; in hostile inputs sometimes an edge value. */
let edges = false;
const num = (r: Rng) => (edges && r.next() < 0.15 ? r.pick(EDGE) : String(r.int(r.next() < 0.5 ? 1000 : 2 ** 31) * (r.next() < 0.3 ? 1_000_000 : 1)));

/** A hostile variant of well-formed text: one to three damages. */
function damage(r: Rng, text: string): string {
  let s = text;
  for (let k = 1 + r.int(3); k > 0; k--) {
    const i = r.int(s.length + 1);
    switch (r.int(8)) {
      case 0: // truncate
        s = s.slice(0, i);
        break;
      case 1: // a garbage token
        s = s.slice(0, i) + r.pick(GARBAGE) + s.slice(i);
        break;
      case 2: // an edge number
        s = s.slice(0, i) + r.pick(EDGE) + s.slice(i);
        break;
      case 3: // another blank
        s = s.slice(0, i) + r.pick(BLANKS) + s.slice(i);
        break;
      case 4: // a byte removed
        s = s.slice(0, i) + s.slice(i + 1);
        break;
      case 5: // a line repeated
        s = s + s.split('\n')[r.int(s.split('\n').length)] + '\n';
        break;
      case 6: // a NUL or a high byte
        s = s.slice(0, i) + r.pick(['\0', '\u00ff', '\u0080']) + s.slice(i);
        break;
      default: // empty
        s = r.next() < 0.3 ? '' : s;
    }
  }
  return s;
}

interface Outcome {
  /** How many inputs the fast reader read, fell back on, and where the careful parser refused. */
  fast: number;
  fallBack: number;
  refused: number;
}

/**
 * Runs a format: `careful` returns the exact values by field (throws ParseError to refuse);
 * `fast` returns the values it read by field, or null for "fall back".
 */
function property(
  t: Test,
  name: string,
  seed: number,
  make: (r: Rng) => string,
  careful: (text: string) => Record<string, bigint | undefined>,
  fast: (buf: Buffer) => Record<string, number> | null,
): Outcome {
  const r = rng(seed);
  const out: Outcome = { fast: 0, fallBack: 0, refused: 0 };
  const wrong: string[] = [];
  let typical = 0;
  let typicalFast = 0;
  for (let i = 0; i < RUNS; i++) {
    // A third typical (what a kernel writes), the rest with edge values, two thirds of those damaged.
    edges = i % 3 !== 0;
    const good = make(r);
    const text = i % 3 === 2 ? damage(r, good) : good;
    const buf = Buffer.from(text, 'latin1');
    let exact: Record<string, bigint | undefined> | ParseError;
    try {
      exact = careful(text);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      exact = e;
    }
    const quick = fast(buf);
    if (i % 3 === 0 && !(exact instanceof ParseError)) {
      typical++;
      if (quick !== null) typicalFast++;
    }
    if (exact instanceof ParseError) out.refused++;
    if (quick === null) {
      out.fallBack++;
      continue;
    }
    out.fast++;
    if (exact instanceof ParseError) {
      wrong.push(`${JSON.stringify(text)}: fast read ${JSON.stringify(quick)} where the careful parser says ${exact.message}`);
      continue;
    }
    for (const [f, v] of Object.entries(quick)) {
      if (exact[f] === undefined || BigInt(v) !== exact[f]) wrong.push(`${JSON.stringify(text)}: ${f} fast ${v}, careful ${exact[f]}`);
    }
  }
  t.strictSame(wrong.slice(0, 5), [], `${name}: the fast reader never disagrees (${out.fast} read fast, ${out.fallBack} fell back, ${out.refused} refused)`);
  t.ok(typicalFast >= typical * 0.9, `${name}: typical files are read fast (${typicalFast} of ${typical})`);
  return out;
}

const scratch = new Float64Array(17);
const fields = (at: Readonly<Record<string, number>>, n = Infinity) =>
  Object.fromEntries(Object.entries(at).flatMap(([f, i]) => (i < n ? [[f, scratch[i]!]] : [])));

t.test('/proc/<pid>/stat', async (t) => {
  const make = (r: Rng) => {
    const comm = r.pick(['qemu-kvm', 'CPU 0/KVM', 'a) b (c', '(x)', 'x\ny']);
    const f = Array.from({ length: 50 }, (_, i) => (i === 0 ? 'S' : num(r)));
    return `${r.int(99999)} (${comm}) ${f.slice(0, 37 + r.int(14)).join(' ')}\n`;
  };
  property(
    t,
    'stat',
    1,
    make,
    (text) => {
      const s = parseProcPidStat(text, 'stat');
      return { utimeTicks: s.utimeTicks, stimeTicks: s.stimeTicks, rssPages: s.rssPages };
    },
    (buf) => (readProcPidStat(buf, 0, buf.length, scratch) ? fields(PROC_PID_STAT_AT) : null),
  );
});

t.test('cgroup v2 cpu.stat', async (t) => {
  const keys = ['usage_usec', 'user_usec', 'system_usec', 'nr_periods', 'nr_throttled', 'throttled_usec', 'nice_usec'];
  const make = (r: Rng) =>
    keys
      .filter(() => !edges || r.next() < 0.95)
      .map((k) => `${k} ${num(r)}\n`)
      .join('');
  property(
    t,
    'cpu.stat',
    2,
    make,
    (text) => ({ ...parseCgroupCpuStat(text, 'cpu.stat') }),
    (buf) => (readCgroupCpuStat(buf, 0, buf.length, scratch) ? fields(CGROUP_CPU_STAT_AT) : null),
  );
});

t.test('cgroup v1 cpuacct.stat and cpuacct.usage', async (t) => {
  const make = (r: Rng) => (r.next() < 0.5 ? `user ${num(r)}\nsystem ${num(r)}\n` : `system ${num(r)}\nuser ${num(r)}\nguest ${num(r)}\n`);
  property(
    t,
    'cpuacct.stat',
    3,
    make,
    (text) => ({ ...parseCpuacctStat(text, 'cpuacct.stat') }),
    (buf) => (readCpuacctStat(buf, 0, buf.length, scratch) ? fields(CPUACCT_STAT_AT) : null),
  );
  property(
    t,
    'cpuacct.usage',
    4,
    (r) => `${num(r)}\n`,
    (text) => parseCpuacctUsage(text, 'cpuacct.usage'),
    (buf) => {
      const v = readCpuacctUsage(buf, 0, buf.length);
      return v < 0 ? null : { usage: v };
    },
  );
});

t.test('/proc/<pid>/io', async (t) => {
  const make = (r: Rng) =>
    PROC_IO_FIELDS.filter(() => !edges || r.next() < 0.97)
      .map((k) => `${k}: ${num(r)}\n`)
      .join('');
  property(
    t,
    'io',
    5,
    make,
    (text) => ({ ...parseProcPidIo(text, 'io') }),
    (buf) => (readProcPidIo(buf, 0, buf.length, scratch) ? fields(PROC_IO_AT) : null),
  );
});

t.test('sched wait_sum and schedstat', async (t) => {
  const make = (r: Rng) => {
    const key = r.pick(['se.statistics.wait_sum', 'se.wait_sum', 'wait_sum', 'se.statistics.wait_max']);
    const ms = `${r.int(2 ** 31)}${r.next() < 0.8 ? '.' + String(r.int(1e6)).padStart(r.pick([1, 3, 6, 7]), '0') : ''}`;
    return `CPU 0/KVM (1234, #threads: 4)\n-----\nse.exec_start      :   12.5\n${key}${' '.repeat(r.int(30))}:${' '.repeat(r.int(12))}${ms}\nnr_switches : 5\n`;
  };
  property(
    t,
    'sched',
    6,
    make,
    (text) => ({ wait: parseSchedWaitSumNs(text, 'sched') ?? -3n }),
    (buf) => {
      const v = readSchedWaitSum(buf, 0, buf.length);
      return v === -1 ? null : { wait: v === NO_WAIT_SUM ? -3 : v };
    },
  );
  property(
    t,
    'schedstat',
    7,
    (r) => `${num(r)} ${num(r)} ${num(r)}\n`,
    (text) => ({ waitNs: parseProcSchedstat(text, 'schedstat').waitNs }),
    (buf) => (readProcSchedstat(buf, 0, buf.length, scratch) ? { waitNs: scratch[SCHEDSTAT_AT.waitNs]! } : null),
  );
});

t.test('/sys/dev/block/MAJ:MIN/stat and size', async (t) => {
  const used = [...new Set(BLOCK_STAT_KEYS.flatMap((k) => k.from))];
  property(
    t,
    'block stat',
    8,
    (r) =>
      Array.from({ length: r.pick([11, 15, 17]) }, () => ' '.repeat(r.int(8)) + num(r))
        .join(' ')
        .concat('\n'),
    (text) => {
      const s = parseSysBlockStat(text, 'stat') as Record<string, bigint | undefined>;
      return Object.fromEntries(used.map((f) => [f, s[f]]));
    },
    (buf) => {
      const n = readSysBlockStat(buf, 0, buf.length, scratch);
      return n < 0 ? null : Object.fromEntries(used.filter((f) => BLOCK_STAT_AT[f] < n).map((f) => [f, scratch[BLOCK_STAT_AT[f]]!]));
    },
  );
  property(
    t,
    'size',
    9,
    (r) => `${num(r)}\n`,
    (text) => parseBlockSize(text, 'size'),
    (buf) => {
      const v = readBlockSize(buf, 0, buf.length);
      return v < 0 ? null : { sectors: v };
    },
  );
});

t.test("xen-blkback's statistics files", async (t) => {
  property(
    t,
    'vbd',
    10,
    (r) => `${num(r)}\n`,
    (text) => ({ v: parseVbdStat(text, 'rd_req') }),
    (buf) => {
      const v = readVbdStat(buf, 0, buf.length);
      return v < 0 ? null : { v };
    },
  );
});

t.test('/proc/net/dev: the table and the careful parser agree on every name', async (t) => {
  const names = ['lo', 'eth0', 'vif3.0', 'vnet12', 'tap-x'];
  const make = (r: Rng) => {
    const lines = names.map((n) => `${' '.repeat(r.int(8))}${n}:${r.next() < 0.2 ? '' : ' '}${Array.from({ length: 16 }, () => num(r)).join(' ')}`);
    return `Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes\n${lines.join('\n')}\n`;
  };
  const table = new NetDevTable();
  for (const name of names) {
    property(
      t,
      `net dev ${name}`,
      11 + names.indexOf(name),
      make,
      (text) => {
        const line = new ProcNetDev(text).get(name);
        if (line === undefined) throw new ParseError('not listed', 'net');
        if (line instanceof ParseError) throw line;
        return { ...line };
      },
      (buf) => {
        if (!table.load(buf, buf.length)) return null;
        const off = table.offsets.get(name);
        if (off === undefined || off < 0) return null;
        return Object.fromEntries(NET_DEV_FIELDS.map((f, i) => [f, table.values[off + i]!]).filter(([, v]) => v === v));
      },
    );
  }
});

t.test('cgroup {cpu,memory,io}.pressure', async (t) => {
  const avg = (r: Rng) => `avg10=${r.int(100)}.${String(r.int(100)).padStart(2, '0')} avg60=0.00 avg300=${r.int(9)}.5${r.int(9)}`;
  const make = (r: Rng) => {
    const lines = [`some ${avg(r)} total=${num(r)}`, `full ${avg(r)} total=${num(r)}`];
    if (edges && r.next() < 0.1) lines.pop();
    if (edges && r.next() < 0.1) lines.reverse();
    if (edges && r.next() < 0.1) lines.push(`other total=${num(r)}`);
    return lines.join('\n') + '\n';
  };
  property(
    t,
    'pressure',
    20,
    make,
    (text) => ({ ...parseCgroupPressure(text, 'cpu.pressure') }),
    (buf) => (readCgroupPressure(buf, 0, buf.length, scratch) ? fields(PRESSURE_AT) : null),
  );
});

/** Keyed files: the fast reader's values by field, NaN (a key the file lacks) left out. */
const keyed = (names: readonly string[]) => Object.fromEntries(names.map((f, i) => [f, scratch[i]!]).filter(([, v]) => v === v));

t.test('cgroup memory.stat (v2, v1), memory.events, memory.oom_control', async (t) => {
  const v2 = [...V2_STAT_FIELDS, 'kernel_stack', 'pagetables', 'sock', 'swapcached', 'anon_thp', 'inactive_anon', 'pgscan', 'thp_fault_alloc'];
  const v1 = [...V1_STAT_FIELDS.map((f) => f.replace('total_', '')), ...V1_STAT_FIELDS, 'hierarchical_memory_limit', 'total_unevictable'];
  const lines = (names: readonly string[]) => (r: Rng) =>
    names
      .filter(() => !edges || r.next() < 0.95)
      .map((k) => `${k} ${num(r)}\n`)
      .join('');
  let seed = 21;
  for (const [name, names, fieldsOf, ascii] of [
    ['memory.stat v2', v2, V2_STAT_FIELDS, V2_STAT_ASCII],
    ['memory.stat v1', v1, V1_STAT_FIELDS, V1_STAT_ASCII],
    ['memory.events', [...MEMORY_EVENTS_FIELDS, 'oom_group_kill'], MEMORY_EVENTS_FIELDS, MEMORY_EVENTS_ASCII],
    ['memory.oom_control', ['oom_kill_disable', 'under_oom', ...OOM_CONTROL_FIELDS], OOM_CONTROL_FIELDS, OOM_CONTROL_ASCII],
  ] as const) {
    property(
      t,
      name,
      seed++,
      lines(names),
      (text) => ({ ...parseMemoryStat(text, fieldsOf, name) }),
      (buf) => (readMemoryKeys(buf, 0, buf.length, ascii, scratch) ? keyed(fieldsOf) : null),
    );
  }
  property(
    t,
    'memory.current',
    seed,
    (r) => `${num(r)}\n`,
    (text) => parseMemorySingle(text, 'memory.current'),
    (buf) => {
      const v = readMemorySingle(buf, 0, buf.length);
      return v < 0 ? null : { value: v };
    },
  );
});

t.test('cpu.stat throttling (v2 µs, v1 ns)', async (t) => {
  const v2 = ['usage_usec', 'user_usec', 'system_usec', ...CPU_THROTTLE_V2_FIELDS, 'nr_bursts', 'burst_usec'];
  const v1 = [...CPU_THROTTLE_V1_FIELDS, 'nr_bursts', 'burst_time'];
  let seed = 30;
  for (const [name, names, fieldsOf, ascii] of [
    ['cpu.stat v2 throttling', v2, CPU_THROTTLE_V2_FIELDS, CPU_THROTTLE_V2_ASCII],
    ['cpu.stat v1 throttling', v1, CPU_THROTTLE_V1_FIELDS, CPU_THROTTLE_V1_ASCII],
  ] as const) {
    property(
      t,
      name,
      seed++,
      // A v2 group without the cpu controller has no throttling lines at all.
      (r) =>
        names
          .filter((k) => (r.next() < 0.1 ? !(fieldsOf as readonly string[]).includes(k) : !edges || r.next() < 0.95))
          .map((k) => `${k} ${num(r)}\n`)
          .join(''),
      (text) => ({ ...parseCpuThrottle(text, fieldsOf, name) }),
      (buf) => (readCpuThrottle(buf, 0, buf.length, ascii, scratch) ? keyed(fieldsOf) : null),
    );
  }
});

t.test('io.stat and memory.numa_stat (per device, per node)', async (t) => {
  const dev = (r: Rng) =>
    edges && r.next() < 0.05 ? r.pick(['8:', ':0', '8:0:1', 'sda', '08:0', '12345678901:0']) : `${r.pick([8, 253, 259, 9])}:${r.int(64)}`;
  const ioLine = (r: Rng) => {
    const pairs = [...IO_FIELDS, 'cost.usage', 'cost.wait'].filter(() => !edges || r.next() < 0.9).map((k) => `${k}=${num(r)}`);
    if (edges && r.next() < 0.1) pairs.push(r.pick(['=5', 'rbytes', 'x=y', 'rbytes=1=2']));
    return `${dev(r)} ${pairs.join(' ')}\n`;
  };
  const devs = new Float64Array(32);
  const ioOut = new Float64Array(6 * 16);
  property(
    t,
    'io.stat',
    40,
    (r) => Array.from({ length: r.int(4) }, () => ioLine(r)).join(''),
    (text) =>
      Object.fromEntries(
        parseIoStat(text, 'io.stat').flatMap((d, i) => [
          [`${i}.dev`, BigInt(d.major * 1e6 + d.minor)],
          ...Object.entries(d.fields).map(([f, v]) => [`${i}.${f}`, v]),
        ]),
      ),
    (buf) => {
      const n = readIoStat(buf, 0, buf.length, devs, ioOut, 16);
      if (n < 0) return null;
      const o: Record<string, number> = {};
      for (let i = 0; i < n; i++) {
        o[`${i}.dev`] = devs[2 * i]! * 1e6 + devs[2 * i + 1]!;
        IO_FIELDS.forEach((f, k) => {
          const v = ioOut[6 * i + k]!;
          if (v === v) o[`${i}.${f}`] = v;
        });
      }
      return o;
    },
  );
  const nodes = new Float64Array(16);
  const numaOut = new Float64Array(32);
  let seed = 41;
  for (const v1 of [false, true]) {
    const line = (r: Rng, name: string, count: number) => {
      const order = Array.from({ length: count }, (_, i) => i);
      if (edges && r.next() < 0.2) order.reverse();
      const vals = order.map((n) => `N${n}=${num(r)}`);
      if (edges && r.next() < 0.05) vals.push(r.pick(['N=1', 'N123456=1', 'X0=1', 'N0=', 'N0']));
      return `${v1 ? `${name}=${num(r)}` : name} ${vals.join(' ')}\n`;
    };
    const names = v1
      ? ['total', 'file', 'anon', 'unevictable', 'hierarchical_total', 'hierarchical_file', 'hierarchical_anon', 'hierarchical_unevictable']
      : ['anon', 'file', 'kernel_stack', 'pagetables', 'shmem', 'file_mapped', 'file_dirty', 'workingset_refault_anon'];
    property(
      t,
      `memory.numa_stat ${v1 ? 'v1' : 'v2'}`,
      seed++,
      (r) => {
        const count = 1 + r.int(4);
        return names
          .filter(() => !edges || r.next() < 0.9)
          .map((n) => line(r, n, count))
          .join('');
      },
      (text) =>
        Object.fromEntries(
          parseNumaStat(text, v1, 'memory.numa_stat').flatMap((n, i) => [
            [`${i}.node`, BigInt(n.node)],
            ...Object.entries(n.fields).map(([f, v]) => [`${i}.${f}`, v]),
          ]),
        ),
      (buf) => {
        const n = readNumaStat(buf, 0, buf.length, v1, nodes, numaOut, 16);
        if (n < 0) return null;
        const o: Record<string, number> = {};
        for (let i = 0; i < n; i++) {
          o[`${i}.node`] = nodes[i]!;
          ['anon', 'file'].forEach((f, k) => {
            const v = numaOut[2 * i + k]!;
            if (v === v) o[`${i}.${f}`] = v;
          });
        }
        return o;
      },
    );
  }
});
