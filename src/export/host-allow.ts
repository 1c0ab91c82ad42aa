// Which Host headers the agent answers: the defence against DNS rebinding, where a web page makes a
// browser on the host (or the LAN) send its requests to the agent under the page's own name. Such
// a request carries the attacker's name in Host, so names are allowed only from a list:
// loopback names, the listen address, this host's own name and the --allow-host names. An IP
// address in Host cannot be a rebinding (the browser's origin is then that address itself), so
// addresses are always allowed.

import * as net from 'node:net';
import { UsageError } from '../common/errors.js';

const LOOPBACK_NAMES = ['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback'];

/** The name in a Host header, lower case, without its port or a trailing dot; null when it is not a valid one. */
export function hostName(header: string): string | null {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    if (end < 0) return null;
    const rest = h.slice(end + 1);
    if (rest !== '' && !/^:[0-9]{1,5}$/.test(rest)) return null;
    return h.slice(0, end + 1);
  }
  const m = /^([^:]*)(?::[0-9]{1,5})?$/.exec(h);
  if (m === null || m[1] === '') return null;
  return m[1]!.replace(/\.$/, '');
}

export class HostAllowList {
  private readonly names: Set<string>;
  private readonly suffixes: string[];

  /** `names`: exact names, or `*.example.net` for every name under example.net. */
  constructor(names: readonly string[]) {
    const all = [...LOOPBACK_NAMES, ...names].map((n) => n.trim().toLowerCase().replace(/\.$/, '')).filter((n) => n !== '');
    this.names = new Set(all.filter((n) => !n.startsWith('*.')));
    this.suffixes = all.filter((n) => n.startsWith('*.')).map((n) => n.slice(1));
  }

  /** Whether a request with this Host header is answered. A request without one (HTTP/1.0) is: no browser sends such. */
  allows(header: string | undefined): boolean {
    if (header === undefined) return true;
    const name = hostName(header);
    if (name === null) return false;
    if (name.startsWith('[')) return net.isIPv6(name.slice(1, -1));
    if (net.isIPv4(name)) return true;
    if (name.endsWith('.localhost') || this.names.has(name)) return true;
    return this.suffixes.some((s) => name.endsWith(s) && name.length > s.length);
  }
}

/** Whether --allow-host takes this name: a host name, or *.domain. */
export function isAllowHostName(name: string): boolean {
  const n = name.trim().toLowerCase();
  return /^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/.test(n) && n.length <= 253;
}

/** A name for --allow-host: a host name, or *.domain. */
export function checkAllowHost(name: string): string {
  const n = name.trim().toLowerCase();
  if (!isAllowHostName(n)) throw new UsageError(`--allow-host: not a host name: '${name}' (e.g. xen-01.example.net, or *.example.net for every name under it)`);
  return n;
}
