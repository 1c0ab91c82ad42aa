// /proc/<pid>/task/<tid>/sched (CONFIG_SCHED_DEBUG): "key : value" lines, values in ms with a
// fraction. libvirt reads se.statistics.wait_sum (older kernels: se.wait_sum) for vcpu.N.wait.
//   se.statistics.wait_sum                       :           123.456789

import { ParseError, parseFixedDecimal } from './u64.js';

/** The wait_sum in nanoseconds, or undefined when the kernel does not keep schedstats. */
export function parseSchedWaitSumNs(text: string, source: string): bigint | undefined {
  for (const line of text.split('\n')) {
    const m = /^(se\.statistics\.wait_sum|se\.wait_sum|wait_sum)\s*:\s*(\S+)\s*$/.exec(line);
    if (m === null) continue;
    // ms with 6 decimals -> ns
    const v = m[2]!;
    if (!/^[0-9]+(\.[0-9]+)?$/.test(v)) throw new ParseError(`bad wait_sum ${JSON.stringify(v.slice(0, 30))}`, source);
    return parseFixedDecimal(v, 6, source);
  }
  return undefined;
}
