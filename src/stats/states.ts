// virDomainState numbers and the reason enums, keyed by the strings libvirt writes in XML.

export const DomainState = {
  NOSTATE: 0,
  RUNNING: 1,
  BLOCKED: 2,
  PAUSED: 3,
  SHUTDOWN: 4,
  SHUTOFF: 5,
  CRASHED: 6,
  PMSUSPENDED: 7,
} as const;
export type DomainStateValue = (typeof DomainState)[keyof typeof DomainState];

const STATE_BY_XML: Record<string, DomainStateValue> = {
  nostate: 0,
  running: 1,
  blocked: 2,
  paused: 3,
  shutdown: 4,
  shutoff: 5,
  crashed: 6,
  pmsuspended: 7,
};

/** Reason strings per state, index = reason number (libvirt's VIR_ENUM_IMPL order). */
const REASONS: Record<number, readonly string[]> = {
  0: ['unknown'],
  1: [
    'unknown',
    'booted',
    'migrated',
    'restored',
    'from snapshot',
    'unpaused',
    'migration canceled',
    'save canceled',
    'wakeup',
    'crashed',
    'post-copy',
    'post-copy failed',
  ],
  2: ['unknown'],
  3: [
    'unknown',
    'user',
    'migration',
    'save',
    'dump',
    'ioerror',
    'watchdog',
    'from snapshot',
    'shutdown',
    'snapshot',
    'panicked',
    'starting up',
    'post-copy',
    'post-copy failed',
    'api error',
  ],
  4: ['unknown', 'user'],
  5: ['unknown', 'shutdown', 'destroyed', 'crashed', 'migrated', 'saved', 'failed', 'from snapshot', 'daemon'],
  6: ['unknown', 'panicked'],
  7: ['unknown'],
};

export function stateFromXml(s: string | undefined): DomainStateValue | undefined {
  return s !== undefined && Object.hasOwn(STATE_BY_XML, s) ? STATE_BY_XML[s] : undefined;
}

/** Reason number for a state's reason string; unknown strings map to 0 ("unknown"). */
export function reasonFromXml(state: DomainStateValue, s: string | undefined): number {
  const i = s === undefined ? -1 : (REASONS[state] ?? []).indexOf(s);
  return i < 0 ? 0 : i;
}

/** virsh's words for a state, as `virsh list` prints them. */
export const STATE_WORDS: Record<DomainStateValue, string> = {
  0: 'no state',
  1: 'running',
  2: 'idle',
  3: 'paused',
  4: 'in shutdown',
  5: 'shut off',
  6: 'crashed',
  7: 'pmsuspended',
};

export function reasonWord(state: DomainStateValue, reason: number): string {
  return REASONS[state]?.[reason] ?? 'unknown';
}

export function isActive(state: DomainStateValue): boolean {
  return state !== DomainState.SHUTOFF;
}
