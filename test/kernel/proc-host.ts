// The host's own files: /proc/meminfo and /proc/stat's aggregate cpu line. Values by name, each
// distinct; a file cut short or a key listed twice is refused, never read from one of two lines.
import t from 'tap';
import { parseProcMeminfo } from '../../src/kernel/proc-meminfo.js';
import { parseProcStatCpu } from '../../src/kernel/proc-stat.js';

const MEMINFO =
  'MemTotal:       16318684 kB\nMemFree:         1000001 kB\nMemAvailable:    8000002 kB\nBuffers:           20003 kB\n' +
  'Cached:          3000004 kB\nSwapCached:            9 kB\nSwapTotal:       2097148 kB\nSwapFree:        2097005 kB\n';
const STAT = 'cpu  101 102 103 104 105 106 107 108 109 110\ncpu0 1 2 3 4 5 6 7 8 9 10\nintr 0\n';

t.test('/proc/meminfo', async (t) => {
  t.strictSame(parseProcMeminfo(MEMINFO, '/proc/meminfo'), {
    MemTotal: 16318684n,
    MemFree: 1000001n,
    MemAvailable: 8000002n,
    Buffers: 20003n,
    Cached: 3000004n,
    SwapTotal: 2097148n,
    SwapFree: 2097005n,
  });
  t.throws(() => parseProcMeminfo(MEMINFO + 'MemFree:               1 kB\n', '/proc/meminfo'), /key MemFree repeated/, 'a key listed twice');
  t.throws(() => parseProcMeminfo(MEMINFO.slice(0, -4), '/proc/meminfo'), /truncated \(no final newline\)/, 'cut short');
  t.throws(() => parseProcMeminfo('', '/proc/meminfo'), /empty/);
  t.throws(() => parseProcMeminfo('MemFree: 5 kB\n', '/proc/meminfo'), /MemTotal missing/);
});

t.test('/proc/stat', async (t) => {
  t.strictSame(parseProcStatCpu(STAT, '/proc/stat'), { user: 101n, nice: 102n, system: 103n, idle: 104n, iowait: 105n, irq: 106n, softirq: 107n, steal: 108n });
  t.throws(() => parseProcStatCpu(STAT + 'cpu  1 1 1 1 1 1 1 1\n', '/proc/stat'), /aggregate cpu line repeated/, 'the aggregate line twice');
  t.throws(() => parseProcStatCpu('cpu  101 102 103 104 105 106 107 10', '/proc/stat'), /truncated \(no final newline\)/, 'cut short');
  t.throws(() => parseProcStatCpu('cpu0 1 2 3 4 5 6 7 8\n', '/proc/stat'), /no aggregate cpu line/);
});
