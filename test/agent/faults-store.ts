// The store's own hard moments, each with kill -9 (or a full disk) at exactly that moment:
//   - minute and hour closes, raw ageing and the size cap's cuts: a child agent on virtual time
//     (30 s a tick, days in seconds) with a small cap, killed as such a step starts;
//   - a migration from schema version 1, killed again and again until it completes;
//   - a disk that fills while the cap is cutting (a small tmpfs: needs root).
// After every kill: integrity_check ok, no partial tick, no increase without its base row, no
// stray rows, every bucket equal to the raw rows under it, and no committed tick lost.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { Agent } from '../../src/agent/agent.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { REPO, fixture } from '../helpers/cli.js';
import { capture, copyTree, FakeClocks, orphanDeltas, partialTicks, rollupMismatches, strayRows, tdir, waitFor } from '../helpers/store.js';

const DIST = (m: string) => path.join(REPO, 'dist', m);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Virtual time starts here (a Monday, on an hour). */
const T0 = Date.parse('2026-01-05T00:00:00Z');

// The runs are bounded by count, not by time (17 or so kills, each after a random number of its
// moments), so how long they take is the machine's business: on two CPUs shared with other work
// the first test alone took 120 s, tap's default for a file, and was cut off as it finished.
t.setTimeout(10 * 60_000);

t.before(() => {
  if (!fs.existsSync(DIST('agent/agent.js'))) throw new Error('dist/ missing: build first (npm test runs the build)');
});

interface Child {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[]): Child {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // plain node, without tap's loaders
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { proc, out: () => out, err: () => err, exited };
}

/**
 * A child agent on virtual clocks: each sleep moves time on by what it waits, so a 60 s interval
 * runs as fast as ticks can be made (a day in about 3 s). It goes on from the last tick stored (as a restarted agent on
 * the same boot would) and prints a line per step:
 *   "W <ts> m|h|-"  a write starts (m: it closes a minute, h: an hour too); "w" when it returns;
 *   "A" raw ageing, "C" a cap step, as they start; "." when a step returns.
 * web1's vif3.0 moves 1 000 bytes per virtual second.
 */
function childScript(t: Test): string {
  const file = path.join(tdir(t), 'virtual-agent.mjs');
  fs.writeFileSync(
    file,
    `import * as fs from 'node:fs';
import Database from ${JSON.stringify(path.join(REPO, 'node_modules/better-sqlite3/lib/index.js'))};
import { Agent } from ${JSON.stringify(DIST('agent/agent.js'))};
import { HistoryWriter } from ${JSON.stringify(DIST('store/writer.js'))};
import { Retention } from ${JSON.stringify(DIST('store/retention.js'))};
const [root, dbFile, maxBytes, ticks] = process.argv.slice(2);
const INTERVAL = 60000;
let wall = ${T0};
if (fs.existsSync(dbFile)) {
  const db = new Database(dbFile, { readonly: true });
  const last = db.prepare('SELECT max(ts) FROM tick').pluck().get();
  db.close();
  if (last !== null) wall = Number(last) + INTERVAL;
}
const clocks = { wall: () => wall, mono: () => wall - ${T0} + 1e9, bootId: () => 'fault-boot' };
const sleep = async (ms, signal) => {
  wall += Math.max(0, Math.round(ms));
  await new Promise((r) => setImmediate(r));
};
const out = (s) => fs.writeSync(1, s + '\\n'); // synchronous: every line is out before a kill can land after it
const netdev = root + '/proc/net/dev';
const advance = () => {
  const v = 3000801n + BigInt(Math.round((wall - ${T0}) / 1000)) * 1000n;
  const lines = fs.readFileSync(netdev, 'latin1').split('\\n');
  const i = lines.findIndex((l) => l.trimStart().startsWith('vif3.0:'));
  lines[i] = '  vif3.0: ' + Array.from({ length: 16 }, (_, k) => String(v + BigInt(k))).join(' ');
  const text = Buffer.from(lines.join('\\n'), 'latin1');
  const fd = fs.openSync(netdev, 'r+');
  fs.writeSync(fd, text, 0, text.length, 0);
  fs.ftruncateSync(fd, text.length);
  fs.closeSync(fd);
};
let prevTs = null;
const write = HistoryWriter.prototype.write;
HistoryWriter.prototype.write = function (x) {
  const closes = prevTs === null ? '-' : Math.floor(x.ts / 3600000) !== Math.floor(prevTs / 3600000) ? 'h' : Math.floor(x.ts / 60000) !== Math.floor(prevTs / 60000) ? 'm' : '-';
  out('W ' + x.ts + ' ' + closes);
  const r = write.call(this, x);
  prevTs = x.ts;
  out('w');
  return r;
};
for (const [name, mark] of [['deleteTicksBefore', 'A'], ['capStep', 'C']]) {
  const f = Retention.prototype[name];
  Retention.prototype[name] = function (...a) {
    // A cap step that deletes raw ticks calls deleteTicksBefore too: say only the cap.
    if (!(name === 'deleteTicksBefore' && this.inCap)) out(mark);
    if (name === 'capStep') this.inCap = true;
    try {
      return f.apply(this, a);
    } finally {
      if (name === 'capStep') this.inCap = false;
      out('.');
    }
  };
}
const ac = new AbortController();
const agent = new Agent({
  root, dbFile, intervalMs: INTERVAL, quiet: true, clocks, sleep,
  io: { out() {}, err: (s) => process.stderr.write(s) },
  retention: { rawMs: 6 * 3600000, minuteMs: 90 * 86400000, hourMs: 730 * 86400000, maxBytes: Number(maxBytes) },
  onTick: () => { advance(); if (--left <= 0) ac.abort(); },
});
let left = Number(ticks);
advance();
process.on('SIGTERM', () => ac.abort());
await agent.run(ac.signal);
out('stopped');
`,
  );
  return file;
}

interface Checked {
  integrity: string;
  partial: string[];
  orphans: Record<string, number>;
  stray: number;
  rollups: string[];
  lastId: number;
  firstTs: number;
  lastTs: number;
}

function check(file: string): Checked {
  const db = openDatabase(file, { readonly: true });
  try {
    const first = Number((db.prepare('SELECT min(ts) FROM tick').pluck().get() as bigint | null) ?? 0n);
    return {
      integrity: db.pragma('integrity_check', { simple: true }) as string,
      partial: partialTicks(db),
      orphans: orphanDeltas(db), // virtual clocks: times and intervals agree exactly
      stray: strayRows(db),
      rollups: rollupMismatches(db, first).slice(0, 5),
      lastId: Number((db.prepare('SELECT max(id) FROM tick').pluck().get() as bigint | null) ?? 0n),
      firstTs: first,
      lastTs: Number((db.prepare('SELECT max(ts) FROM tick').pluck().get() as bigint | null) ?? 0n),
    };
  } finally {
    db.close();
  }
}

const whole = (c: Checked) => [c.integrity, c.partial, c.orphans, c.stray, c.rollups];
const WHOLE = ['ok', [], {}, 0, []];

t.test("kill -9 at minute and hour closes, in raw ageing and in the cap's cuts: every bucket still equals its raw rows", async (t) => {
  const root = copyTree(t);
  const dbFile = path.join(tdir(t), 'virtual.db');
  const script = childScript(t);
  // Raw ticks age out after 6 hours (virtual); the cap is reached after about 20 hours on this
  // five-domain host, and then cuts raw ticks to their floor (an hour) and, after a day, minute
  // blocks older than a day. The cap follows the rows' width: schema version 3's wider domain rows
  // reached 1 MiB at 17 hours, before a run aimed at raw ageing (started up to 18 hours) could
  // meet its moments, so it ran on for 69 virtual days and the cap cut the hours too.
  const CAP = 1_153_434; // 1.1 MiB: reached at 20.1 hours with schema version 3
  let seed = 20261207;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  // The moments to kill at, in turn; each run is killed at the k-th such moment after it starts.
  // `upto`: the run is killed at the k-th such moment, k from 1 to upto (time moves on between kills).
  const moments: { name: string; hit: (line: string) => boolean; upto: number }[] = [
    { name: 'a minute close', hit: (l) => l.startsWith('W ') && l.endsWith(' m'), upto: 300 },
    { name: 'an hour close', hit: (l) => l.startsWith('W ') && l.endsWith(' h'), upto: 5 },
    { name: 'raw ageing', hit: (l) => l === 'A', upto: 20 },
    { name: 'a cap step', hit: (l) => l === 'C', upto: 40 },
  ];
  const seen: Record<string, number> = {};
  let lastId = 0;
  let runs = 0;
  let capSaid = false;
  // Until virtual time has passed a day and a half, and every kind of moment has been hit three
  // times: raw ageing in the first 18 hours (later the cap keeps less than 6 hours), cap steps after.
  // A bound on runs, not on time (about 17 are needed): the test does not depend on the machine's speed.
  while (runs < 60) {
    const at = fs.existsSync(dbFile) ? check(dbFile).lastTs - T0 : 0;
    if (at > 1.5 * DAY && moments.every((m) => (seen[m.name] ?? 0) >= 3)) break;
    const now = moments.filter((m) => m.name !== (at < 18 * HOUR ? 'a cap step' : 'raw ageing'));
    const m = now.reduce((a, b) => ((seen[b.name] ?? 0) < (seen[a.name] ?? 0) ? b : a));
    const k = 1 + Math.floor(random() * m.upto);
    const child = start([script, root, dbFile, String(CAP), '100000']);
    let hits = 0;
    let buf = '';
    let killedAt = '';
    child.proc.stdout!.on('data', (b: Buffer) => {
      buf += b.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (killedAt === '' && m.hit(line) && ++hits >= k) {
          child.proc.kill('SIGKILL');
          killedAt = line;
        }
      }
    });
    // A run that meets none of its moments in 5 minutes is stopped (a test bug, not the store's).
    const timer = setTimeout(() => child.proc.kill('SIGKILL'), 300_000);
    const ex = await child.exited;
    clearTimeout(timer);
    runs++;
    t.equal(ex.signal, 'SIGKILL', `run ${runs}: killed at ${m.name} (${killedAt || 'timed out'})`);
    t.notMatch(child.err(), /Error|retention:|store: (?!size cap)/, `run ${runs}: nothing but the cap said on stderr`);
    if (/store: size cap/.test(child.err())) capSaid = true;
    if (killedAt !== '') seen[m.name] = (seen[m.name] ?? 0) + 1;
    const c = check(dbFile);
    t.strictSame(whole(c), WHOLE, `run ${runs}: integrity ok, whole ticks, every increase has its base, every bucket = its raw rows`);
    const reported = child
      .out()
      .split('\n')
      .filter((l) => l === 'w').length;
    t.ok(c.lastId >= lastId + reported, `run ${runs}: no committed tick lost (${reported} written)`);
    lastId = c.lastId;
  }
  t.comment(
    `${runs} runs; kills at ${Object.entries(seen)
      .map(([k, v]) => `${k} ×${v}`)
      .join(', ')}`,
  );
  for (const m of moments) t.ok((seen[m.name] ?? 0) >= 3, `killed at ${m.name} at least 3 times (${seen[m.name] ?? 0})`);
  t.ok(capSaid, 'the cap cut a tier below its retention, and said so');

  // A clean run to the end (ten virtual hours, long enough for the cap to have cut raw ticks to
  // their floor at 1.1 MiB): the cap holds, raw ticks are down to the floor, every bucket exact.
  const last = start([script, root, dbFile, String(CAP), '600']);
  t.equal((await last.exited).code, 0, 'a clean run after the kills');
  const c = check(dbFile);
  t.strictSame(whole(c), WHOLE);
  t.ok(c.lastTs - c.firstTs <= HOUR + 10 * MINUTE, `raw ticks cut to their floor by the cap: ${((c.lastTs - c.firstTs) / MINUTE).toFixed(0)} minutes kept`);
  const db = openDatabase(dbFile, { readonly: true });
  t.teardown(() => db.close());
  const used = Number(db.pragma('page_count', { simple: true }) as bigint) - Number(db.pragma('freelist_count', { simple: true }) as bigint);
  t.ok(used * 4096 <= CAP * 1.1, `the database is held near the cap (${((used * 4096) / 2 ** 20).toFixed(2)} MiB of ${(CAP / 2 ** 20).toFixed(1)} MiB in use)`);
  const minutes = db.prepare('SELECT min(bucket), max(bucket) FROM cover_1m').raw().get() as [bigint, bigint];
  const keptMinutes = (Number(minutes[1]) - Number(minutes[0])) * 1000;
  t.ok(keptMinutes < c.lastTs - T0 && keptMinutes >= DAY - 6 * MINUTE, `minute blocks older than a day cut: ${(keptMinutes / HOUR).toFixed(1)} hours kept`);
  t.equal(Number(db.prepare('SELECT min(bucket) FROM cover_1h').pluck().get() as bigint) * 1000, T0, 'hours all kept');
});

t.test('kill -9 during a migration from schema version 1, again and again: the file stays version 1 until one completes', async (t) => {
  const dir = tdir(t);
  const v1 = path.join(dir, 'v1.db');
  const db1 = new Database(v1);
  db1.exec(fs.readFileSync(fixture('store-v1', 'domstat-v1.sql'), 'utf8'));
  db1.close();
  const reference = path.join(dir, 'reference.db');
  fs.copyFileSync(v1, reference);
  const script = path.join(dir, 'migrate.mjs');
  fs.writeFileSync(
    script,
    `import * as fs from 'node:fs';
import { HistoryStore } from ${JSON.stringify(DIST('store/store.js'))};
fs.writeSync(1, 'M\\n');
const t0 = performance.now();
const s = HistoryStore.open(process.argv[2]);
fs.writeSync(1, 'done ' + Math.round(performance.now() - t0) + '\\n');
s.close();
`,
  );
  const run = (file: string) => spawnSync(process.execPath, [script, file], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  const ran = run(reference).stdout;
  t.match(ran, /^M\ndone \d+\n$/, 'an uninterrupted migration');
  const took = Number(/done (\d+)/.exec(ran)?.[1]);
  t.comment(`the migration takes ${took} ms`);

  const target = path.join(dir, 'killed.db');
  fs.copyFileSync(v1, target);
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  let midway = 0;
  // Killed inside the migration (at a random moment of its first 70 %) four times, then left to finish.
  for (let i = 0; i < 20 && midway < 4; i++) {
    const child = start([script, target]);
    t.ok(await waitFor(() => child.out().includes('M') || child.proc.exitCode !== null, 10_000, 1), `run ${i + 1}: started`);
    await new Promise((r) => setTimeout(r, Math.round(random() * took * 0.7)));
    child.proc.kill('SIGKILL');
    await child.exited;
    const done = child.out().includes('done');
    const db = new Database(target, { readonly: true });
    const version = db.pragma('user_version', { simple: true }) as number;
    const integrity = db.pragma('integrity_check', { simple: true });
    const ticks = db.prepare('SELECT count(*) FROM tick').pluck().get() as number;
    db.close();
    // Killed before its commit: version 1 as it was; after it (while recovering, or later): version 2.
    t.strictSame([integrity, ticks], ['ok', 420], `run ${i + 1}: killed ${done ? 'after opening' : 'while opening'}: schema version ${version}, all 420 ticks`);
    if (done) t.equal(version, 2, 'opened: migrated');
    if (version === 1) midway++;
    else {
      // Migrated before the kill landed: start again from the version-1 file.
      for (const f of ['-wal', '-shm']) fs.rmSync(target + f, { force: true });
      fs.copyFileSync(v1, target);
    }
  }
  t.equal(midway, 4, 'killed inside the migration four times');
  t.equal(run(target).status, 0, 'then a migration completes');
  // The same database as the uninterrupted migration, table by table.
  const a = new Database(reference, { readonly: true });
  const b = new Database(target, { readonly: true });
  t.teardown(() => (a.close(), b.close()));
  const tables = a
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT IN ('meta') AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  const rowsOf = (d: Database.Database, name: string) => d.prepare(`SELECT * FROM "${name}" ORDER BY 1, 2`).raw().all();
  const differ = tables.filter((n) => JSON.stringify(rowsOf(a, n)) !== JSON.stringify(rowsOf(b, n)));
  t.strictSame(differ, [], `all ${tables.length} tables equal those of the uninterrupted migration`);
});

/** A small tmpfs to fill, or why there is none (mounting needs root). */
function smallDisk(t: Test, dir: string): string | null {
  fs.mkdirSync(dir);
  // Room for the cap (2 MiB) and the write-ahead log (4 MiB and more between checkpoints, which
  // the cap does not count), and then some to fill.
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return (r.stderr || r.error?.message || `mount exited ${r.status}`).trim();
  t.teardown(() => void spawnSync('umount', ['-l', dir]));
  return null;
}

t.test('a full disk while the cap is cutting: ticks and cuts fail with one message each, and all resumes when space returns', async (t) => {
  const dir = path.join(tdir(t), 'small');
  const refused = smallDisk(t, dir);
  if (refused !== null) {
    t.comment(`SKIPPED: a small tmpfs is needed to fill a disk, and mounting one failed (${refused}); run the tests as root`);
    return;
  }
  const root = copyTree(t);
  const dbFile = path.join(dir, 'full.db');
  const io = capture();
  const clocks = new FakeClocks(T0);
  const CAP = 2 * 2 ** 20;
  const agent = new Agent({
    root,
    dbFile,
    intervalMs: 30_000,
    quiet: true,
    io,
    clocks,
    retention: { rawMs: 2 * DAY, minuteMs: 90 * DAY, hourMs: 730 * DAY, maxBytes: CAP },
  });
  await agent.open();
  t.teardown(() => agent.close());
  const db = (agent as unknown as { store: { db: Db } }).store.db;
  let n = 0;
  const step = () => {
    clocks.to(T0 + n++ * 30_000);
    const r = agent.tick();
    agent.retentionStep(performance.now() + 50);
    return r;
  };
  const capSaid = () => io.errLines().some((l) => l.startsWith('store: size cap'));
  while (!capSaid() && n < 20_000) if (!step().ok) return t.fail(`tick ${n} failed before the disk filled: ${io.errLines().join('; ')}`);
  t.ok(capSaid(), `the cap is cutting after ${n} ticks (${((n * 30_000) / HOUR).toFixed(1)} hours)`);
  // Fill what is left of the disk.
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (e) {
    t.equal((e as NodeJS.ErrnoException).code, 'ENOSPC', 'the disk is full');
  }
  fs.closeSync(fd);
  let failed = 0;
  for (let i = 0; i < 200; i++) if (!step().ok) failed++;
  t.ok(failed > 0, `ticks failed on the full disk (${failed} of 200)`);
  const before = io.errLines().filter((l) => /full/.test(l));
  t.ok(before.length >= 1 && before.length <= 2, `said once for ticks (and once for retention if it failed): ${JSON.stringify(before)}`);
  t.match(before[0], /^(store: tick not written|retention): database or disk is full$/);
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok', 'integrity ok on the full disk');
  // Space returns.
  fs.rmSync(filler);
  let resumed = 0;
  for (let i = 0; i < 300; i++) if (step().ok) resumed++;
  t.equal(resumed, 300, 'every tick stored once space returned');
  t.ok(io.errLines().includes('store: writing again'), '"writing again"');
  const first = Number(db.prepare('SELECT min(ts) FROM tick').pluck().get() as bigint);
  t.strictSame(
    [db.pragma('integrity_check', { simple: true }), partialTicks(db), orphanDeltas(db), strayRows(db), rollupMismatches(db, first)],
    WHOLE,
    'integrity ok, whole ticks, every increase has its base, every bucket = its raw rows',
  );
  const used = Number(db.pragma('page_count', { simple: true }) as bigint) - Number(db.pragma('freelist_count', { simple: true }) as bigint);
  t.ok(used * 4096 <= CAP * 1.1, `held near the cap again: ${((used * 4096) / 2 ** 20).toFixed(2)} MiB in use`);
});
