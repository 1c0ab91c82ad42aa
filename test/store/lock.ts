// The writer lock's refusal names the agent that holds it — only once that agent has named itself
// (it writes itself into the database after opening it, so a second agent started in the same
// moment reads nothing yet, or a killed agent's pid, which must never be named).
import t, { type Test } from 'tap';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { takeLock, WriterLock, type WriterInfo } from '../../src/store/lock.js';
import { tdir } from '../helpers/store.js';

const held = (t: Test) => {
  const db = path.join(tdir(t), 'h.db');
  const got = takeLock(`${db}.lock`);
  if (got === 'busy') throw new Error('not expected');
  t.teardown(() => got.conn.close());
  return db;
};

// A pid that is no process now: a child that has exited.
const deadPid = (): number => Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']));

t.test('the holder named as soon as it names itself, never a dead pid', async (t) => {
  const db = held(t);
  const me: WriterInfo = { pid: process.pid, host: os.hostname(), started: '2026-12-07T10:00:00.000Z' };
  const dead: WriterInfo = { ...me, pid: deadPid() };
  const answers: (WriterInfo | null)[] = [null, dead, dead, me];
  let asked = 0;
  t.throws(
    () => WriterLock.acquire(db, () => answers[Math.min(asked++, answers.length - 1)]!),
    {
      name: 'StoreError',
      message: new RegExp(`another domstat agent \\(pid ${process.pid} on ${os.hostname()}, started 2026-12-07T10:00:00.000Z\\) is writing`),
    },
    'named once it wrote itself',
  );
  t.equal(asked, 4, 'asked until then');
  t.throws(
    () => WriterLock.acquire(db, () => dead),
    { name: 'StoreError', message: /another process is writing to this database/ },
    'a dead pid is never named',
  );
  const other: WriterInfo = { ...dead, host: `not-${os.hostname()}` };
  t.throws(
    () => WriterLock.acquire(db, () => other),
    { message: new RegExp(`pid ${other.pid} on not-`) },
    'another host: its pid cannot be checked here, and is named',
  );
});
