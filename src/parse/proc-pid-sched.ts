// /proc/<pid>/task/<tid>/sched (CONFIG_SCHED_DEBUG): "key : value" lines, values in ms with a
// fraction. libvirt reads se.statistics.wait_sum (older kernels: se.wait_sum) for vcpu.N.wait.
//   se.statistics.wait_sum                       :           123.456789

import { ParseError, parseFixedDecimal, U64_MAX } from './u64.js';

const WAIT_SUM_LINE = /^(se\.statistics\.wait_sum|se\.wait_sum|wait_sum)\s*:(.*)$/;

/** The wait_sum in nanoseconds, or undefined when the kernel does not keep schedstats. */
export function parseSchedWaitSumNs(text: string, source: string): bigint | undefined {
  if (text.trim() === '') throw new ParseError('empty', source);
  // Only a line holding "wait_sum" can match: look at those lines alone, in file order, rather
  // than split the whole file (some 60 lines, read for every vCPU every tick) into strings.
  for (let at = text.indexOf('wait_sum'); at >= 0; at = text.indexOf('wait_sum', at + 8)) {
    const start = text.lastIndexOf('\n', at) + 1;
    const nl = text.indexOf('\n', at);
    const line = text.slice(start, nl < 0 ? text.length : nl);
    // The key alone decides; a wait_sum line with a missing or malformed value is an error, not "absent".
    const m = WAIT_SUM_LINE.exec(line);
    if (m === null) continue;
    // ms with 6 decimals -> ns (more decimals could not be represented exactly)
    const v = m[2]!.trim();
    if (!/^[0-9]+(\.[0-9]{1,6})?$/.test(v)) throw new ParseError(`bad wait_sum ${JSON.stringify(v.slice(0, 30))}`, source);
    const ns = parseFixedDecimal(v, 6, source);
    if (ns > U64_MAX) throw new ParseError(`wait_sum exceeds 2^64-1 ns: ${v}`, source);
    return ns;
  }
  return undefined;
}
