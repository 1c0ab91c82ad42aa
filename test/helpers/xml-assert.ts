// Assertions shared by the domain-XML tests: exact XmlError messages, DomainDef as plain data.
import type { Test } from 'tap';
import { XmlError } from '../../src/domains/xml.js';
import type { DomainDef } from '../../src/stats/domain.js';

/** Runs fn and returns what it threw (undefined when it returned normally). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

/**
 * fn must throw an XmlError for `file` whose message is exactly "<file>: <reason>" (which also
 * makes it one line: no reason here contains a newline).
 */
export function expectXmlError(t: Test, fn: () => unknown, file: string, reason: string, what = reason): void {
  const e = thrown(fn);
  if (!(e instanceof XmlError)) {
    t.fail(`${what}: expected an XmlError, got ${e === undefined ? 'no error' : String(e)}`);
    return;
  }
  t.equal(e.message, `${file}: ${reason}`, `${what}: message`);
  t.equal(e.file, file, `${what}: names the file`);
}

/** A DomainDef with the vCPU map as [id, tid] pairs, for strictSame. */
export function plain(d: DomainDef): Omit<DomainDef, 'vcpuPids'> & { vcpuPids: [number, number][] } {
  return { ...d, vcpuPids: [...d.vcpuPids] };
}
