// What the agent says when it starts: once its first tick is stored, where the history is, how
// often it samples, and what to run next (history --list on that database, top, --listen or the
// page's address). The installed command, as a user runs it.
import t from 'tap';
import * as path from 'node:path';
import { fixture } from '../helpers/cli.js';
import { BIN, freePort, privateDir, spawnChild, waitFor } from '../helpers/moving.js';
import { openDatabase } from '../../src/store/db.js';

const ROOT = fixture('xen-4.x-pv-libxl');

t.test('the start message, without and with --listen', async (t) => {
  const dir = privateDir(t);
  const db = path.join(dir, 'agent.db');
  const plain = spawnChild(t, process.execPath, [BIN, 'agent', '--root', ROOT, '--db', db, '--interval', '2', '--quiet']);
  const said = await waitFor('the start message', 20_000, () => {
    if (plain.proc.exitCode !== null) throw new Error(`agent exited: ${plain.stderr()}`);
    return /^\S+ (first tick stored .*)$/m.exec(plain.stderr())?.[1];
  });
  t.equal(
    said,
    `first tick stored in ${db}; sampling every 2 s. See what it holds: domstat history --list --db ${db}; live: domstat top --root ${ROOT}; ` +
      'Prometheus and the web page: add --listen 127.0.0.1:9177',
  );
  plain.proc.kill('SIGTERM');
  await plain.exited;

  const port = await freePort();
  const served = spawnChild(t, process.execPath, [BIN, 'agent', '--root', ROOT, '--db', db, '--interval', '1', '--quiet', '--listen', `127.0.0.1:${port}`]);
  const line = await waitFor('the start message', 20_000, () => {
    if (served.proc.exitCode !== null) throw new Error(`agent exited: ${served.stderr()}`);
    return /^\S+ (first tick stored .*)$/m.exec(served.stderr())?.[1];
  });
  t.match(line, new RegExp(`; sampling every 1 s\\. .*; the web page: http://127\\.0\\.0\\.1:${port}/$`));
  t.match(served.stderr(), new RegExp(`serving http://127\\.0\\.0\\.1:${port}/metrics and the web page at /`));
});

t.test('SIGHUP (a closed terminal) stops the agent as SIGTERM does: open buckets written, the writer mark cleared, status 0', async (t) => {
  const dir = privateDir(t);
  const db = path.join(dir, 'agent.db');
  const agent = spawnChild(t, process.execPath, [BIN, 'agent', '--root', ROOT, '--db', db, '--interval', '1', '--quiet']);
  await waitFor('the first tick', 20_000, () => {
    if (agent.proc.exitCode !== null) throw new Error(`agent exited: ${agent.stderr()}`);
    return /first tick stored/.test(agent.stderr()) ? true : undefined;
  });
  agent.proc.kill('SIGHUP');
  await agent.exited;
  t.equal(agent.proc.exitCode, 0, `exit status 0 (${agent.stderr()})`);
  const reader = openDatabase(db, { readonly: true });
  t.teardown(() => reader.close());
  t.equal(reader.prepare("SELECT count(*) FROM meta WHERE key = 'writer'").pluck().get(), 0n, 'the writer mark is cleared');
  const ticks = reader.prepare('SELECT count(*) FROM tick').pluck().get() as bigint;
  const covered = reader.prepare('SELECT count(*) FROM cover_1m').pluck().get() as bigint;
  t.ok(ticks >= 1n && covered >= 1n, `the open minute's cover is written (${ticks} ticks, ${covered} minute covers)`);
});
