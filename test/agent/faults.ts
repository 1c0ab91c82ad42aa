// The hard cases: the agent killed with SIGKILL at random moments (again and again, on the same
// database), a full disk, and readers (domstat history, the sqlite3 shell) while the agent writes.
// The agent runs from dist/ (built by `npm test`'s pretest) in child processes.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { Agent } from '../../src/agent/agent.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { HistoryReader } from '../../src/store/history.js';
import { REPO } from '../helpers/cli.js';
import { capture, copyTree, FakeClocks, orphanDeltas, partialTicks, rollupMismatches, sleep, strayRows, tdir, waitFor } from '../helpers/store.js';

const execFileP = promisify(execFile);
const DIST_AGENT = path.join(REPO, 'dist/agent/agent.js');
const DIST_WRITER = path.join(REPO, 'dist/store/writer.js');
/** The child's counters count milliseconds from here. */
const EPOCH = Date.now();

// Loops bounded by count (kills, readers), not by time: on two CPUs shared with other work the file
// has taken longer than tap's default 120 s, and was cut off while passing.
t.setTimeout(10 * 60_000);
const BIN = path.join(REPO, 'bin/domstat.cjs');
/**
 * How long a child may take to reach its first write: a bound for a child that never gets there,
 * not a timing. A child's start (node, the modules, the database, the first tick) took 11 s on two
 * CPUs shared with other work, past the 10 s this used to be.
 */
const CHILD_START_MS = 60_000;

t.before(() => {
  if (!fs.existsSync(DIST_AGENT)) throw new Error(`${DIST_AGENT} missing: build first (npm test runs the build)`);
});

/**
 * A child running the real Agent.run() loop at a short interval (the CLI refuses < 1 s). It
 * prints one JSON line per tick report; SIGTERM stops it cleanly.
 */
function childScript(t: Test): string {
  const file = path.join(tdir(t), 'child-agent.mjs');
  fs.writeFileSync(
    file,
    `import * as fs from 'node:fs';
import { Agent } from ${JSON.stringify(DIST_AGENT)};
import { HistoryWriter } from ${JSON.stringify(DIST_WRITER)};
const [root, dbFile, interval] = process.argv.slice(2);
// web1's vif3.0 moves with the wall clock (1 byte per ms), in every run: each tick has an
// increase, and so has the first tick after a restart, over the time the agent was down.
const netdev = root + '/proc/net/dev';
const advance = () => {
  const v = 3000801n + BigInt(Date.now() - ${EPOCH});
  const lines = fs.readFileSync(netdev, 'latin1').split('\\n');
  const i = lines.findIndex((l) => l.trimStart().startsWith('vif3.0:'));
  lines[i] = '  vif3.0: ' + Array.from({ length: 16 }, (_, k) => String(v + BigInt(k))).join(' ');
  // In place, never truncated first: a kill in the middle must not leave the file empty.
  const text = Buffer.from(lines.join('\\n'), 'latin1');
  const fd = fs.openSync(netdev, 'r+');
  fs.writeSync(fd, text, 0, text.length, 0);
  fs.ftruncateSync(fd, text.length);
  fs.closeSync(fd);
};
const agent = new Agent({ root, dbFile, intervalMs: Number(interval), quiet: true, io: { out() {}, err: (s) => process.stderr.write(s) } });
const tick = agent.tick.bind(agent);
agent.tick = () => {
  advance();
  const r = tick();
  process.stdout.write(JSON.stringify(r) + '\\n');
  return r;
};
// "W" before each store and "w" after it: a kill after a "W" with no "w" hit a tick's write.
const write = HistoryWriter.prototype.write;
HistoryWriter.prototype.write = function (x) {
  process.stdout.write('W\\n');
  const r = write.call(this, x);
  process.stdout.write('w\\n');
  return r;
};
const ac = new AbortController();
process.on('SIGTERM', () => ac.abort());
await agent.run(ac.signal);
`,
  );
  return file;
}

const storeDb = (a: Agent) => (a as unknown as { store: { db: Db } }).store.db;

interface Child {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(cmd: string, args: string[]): Child {
  // Plain node: without tap's loaders and coverage hooks in NODE_OPTIONS.
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  // 'close': the process is gone and everything it wrote has been read.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { proc, out: () => out, err: () => err, exited };
}

/** Whole-database checks after a crash: integrity_check, partial ticks, orphan deltas, stray rows, rollups against raw rows, tick count. */
function check(file: string): { integrity: string; partial: string[]; orphans: Record<string, number>; stray: number; rollups: string[]; ticks: number } {
  const db = openDatabase(file, { readonly: true });
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }) as string,
      partial: partialTicks(db),
      orphans: orphanDeltas(db, 50), // real clocks: wall and monotonic readings a little apart
      stray: strayRows(db),
      rollups: rollupMismatches(db).slice(0, 5),
      ticks: Number(db.prepare('SELECT count(*) FROM tick').pluck().get() as bigint),
    };
  } finally {
    db.close();
  }
}

t.test('kill -9 at many moments: every stored tick stays whole, and every closed bucket matches the raw rows', async (t) => {
  const root = copyTree(t);
  const dbFile = path.join(tdir(t), 'killed.db');
  const script = childScript(t);
  // A small deterministic PRNG: the same kill moments every run.
  let seed = 20260105;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const figures: string[] = [];
  let prev = 0;
  let withNewTicks = 0;
  let midRun = 0;
  let midWrite = 0;
  const ITER = 30;
  const started = Date.now();
  for (let i = 0; i < ITER; i++) {
    // Every fourth run at a 1 ms interval: the child is writing nearly all the time. Every fifth
    // is killed at a random moment of its start-up (opening, migrating, the first tick); every
    // third of the others the moment it starts the write of its k-th tick (k random); the rest
    // at a random moment after their first tick.
    const interval = i % 4 === 3 ? 1 : 20;
    const mode = i % 5 === 0 ? 'start-up' : i % 3 === 1 ? 'write' : 'random';
    const t0 = Date.now();
    const child = start(process.execPath, [script, root, dbFile, String(interval)]);
    let delay: number;
    let when: string;
    if (mode === 'start-up') {
      delay = Math.round(random() * 300);
      await sleep(delay);
      when = `during start-up (${delay} ms)`;
    } else if (mode === 'write') {
      const k = 1 + Math.floor(random() * 8);
      let seen = 0;
      child.proc.stdout!.on('data', (b: Buffer) => {
        seen += b.toString().split('W\n').length - 1;
        if (seen >= k) child.proc.kill('SIGKILL'); // at once, from the data event
      });
      t.ok(
        await waitFor(() => seen >= k || child.proc.exitCode !== null || child.proc.signalCode !== null, CHILD_START_MS, 2),
        `run ${i + 1}: write ${k} started`,
      );
      when = `as write ${k} started`;
    } else {
      t.ok(await waitFor(() => child.out().includes('{') || child.proc.exitCode !== null, CHILD_START_MS, 2), `run ${i + 1}: first tick reported`);
      delay = Math.round(random() * 250);
      await sleep(delay);
      when = `${delay} ms after the first tick`;
    }
    child.proc.kill('SIGKILL');
    const ex = await child.exited;
    const after = Date.now() - t0;
    // A report is printed (synchronously, to a pipe) after its tick committed.
    const lines = child
      .out()
      .split('\n')
      .filter((l) => l !== '');
    const reports = lines.filter((l) => l.startsWith('{')).length;
    const inWrite = lines.at(-1) === 'W';
    if (inWrite) midWrite++;
    t.equal(ex.signal, 'SIGKILL', `run ${i + 1}: killed ${after} ms after spawn (${reports} ticks reported)`);
    t.notMatch(child.err(), /store:|Error/, `run ${i + 1}: no store errors before the kill`);
    if (!fs.existsSync(dbFile)) {
      figures.push(`${i + 1}: killed ${when}, ${after} ms after spawn, before the database was created`);
      continue;
    }
    const c = check(dbFile);
    t.strictSame(
      [c.integrity, c.partial, c.orphans, c.stray, c.rollups],
      ['ok', [], {}, 0, []],
      `run ${i + 1}: integrity ok, no partial tick, no increase without its base, no stray rows, every closed bucket = its raw rows (${c.ticks} ticks)`,
    );
    t.ok(c.ticks >= prev + reports, `no committed tick lost: ${c.ticks - prev} stored, ${reports} reported`);
    t.ok(c.ticks <= prev + reports + 1, 'at most one tick committed but not reported (the one the kill interrupted)');
    if (c.ticks > prev) withNewTicks++;
    if (reports > 0) midRun++;
    figures.push(`${i + 1}: ${interval} ms interval, killed ${when} (${after} ms after spawn)${inWrite ? ', inside a write' : ''}, +${c.ticks - prev} ticks`);
    prev = c.ticks;
  }
  // A few more through the real command line (1 s interval), killed during its first ticks.
  const cli: string[] = [];
  for (let i = 0; i < 3; i++) {
    const child = start(process.execPath, [BIN, 'agent', '--root', root, '--db', dbFile, '--interval', '1', '--quiet']);
    const delay = Math.round(400 + random() * 1400);
    await sleep(delay);
    child.proc.kill('SIGKILL');
    t.equal((await child.exited).signal, 'SIGKILL');
    t.equal(child.out(), '', '--quiet: nothing on stdout');
    const c = check(dbFile);
    t.strictSame(
      [c.integrity, c.partial, c.orphans, c.stray, c.rollups],
      ['ok', [], {}, 0, []],
      `CLI run ${i + 1}: whole ticks, exact buckets (${c.ticks} ticks)`,
    );
    cli.push(`CLI ${i + 1}: killed after ${delay} ms, +${c.ticks - prev} ticks`);
    prev = c.ticks;
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  t.comment(
    `kill -9: ${ITER} + 3 runs in ${secs} s, ${prev} ticks stored; ${withNewTicks} runs added ticks, ${midRun} were killed mid-run, ${midWrite} inside a tick's write`,
  );
  for (const f of [...figures, ...cli]) t.comment(f);
  t.ok(withNewTicks >= ITER / 2, `most runs got ticks in before the kill (${withNewTicks} of ${ITER})`);
  t.ok(midRun >= ITER / 2, `most runs were killed while running (${midRun} of ${ITER})`);
  t.ok(midWrite >= 5, `kills inside a tick's write: ${midWrite}`);

  // The history reads back exactly: web1's counter never goes back, and each increase is the
  // change between readings, the first tick of every run included (continuing across the kills).
  const db = openDatabase(dbFile, { readonly: true });
  t.teardown(() => db.close());
  const span = new HistoryReader(db).span().raw!;
  const q = new HistoryReader(db).query({ domain: 'web1', keys: ['net.0.rx.bytes'], since: span[0], until: span[1], rate: false });
  const vals = q.series[0]!.values as bigint[];
  t.equal(vals.length, prev, 'a reading for every tick');
  t.ok(
    vals.every((v, i) => i === 0 || v >= vals[i - 1]!),
    'readings never go back',
  );
  const incs = db.prepare("SELECT r.rx_bytes FROM net_raw r JOIN device v ON v.id = r.device_id WHERE v.name = 'vif3.0' ORDER BY r.tick_id").pluck().all() as (
    bigint | null
  )[];
  t.strictSame(
    incs.slice(1),
    vals.slice(1).map((v, i) => v - vals[i]!),
    'every tick after the first has its increase, restarts included',
  );
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  // The agent still opens the database after all that, and a clean close leaves every bucket exact.
  const io = capture();
  const agent = new Agent({ root, dbFile, intervalMs: 1000, quiet: true, io });
  await agent.open();
  t.match(agent.tick(), { ok: true, domains: 5 }, 'the agent writes on after the crashes');
  await agent.close();
  const final = openDatabase(dbFile, { readonly: true });
  t.strictSame(rollupMismatches(final), [], 'every minute and hour bucket matches the raw rows');
  final.close();
});

t.test('full disk: ticks fail with one clear message, the agent goes on, and writes again when space returns', async (t) => {
  const root = copyTree(t);
  const dbFile = path.join(tdir(t), 'full.db');
  const io = capture();
  const A = Date.parse('2026-01-05T10:00:00Z');
  const clocks = new FakeClocks(A);
  const agent = new Agent({ root, dbFile, intervalMs: 1000, quiet: true, io, clocks });
  await agent.open();
  t.teardown(() => agent.close());
  const db = storeDb(agent);
  const tickAt = (ms: number) => {
    clocks.to(ms);
    return agent.tick();
  };
  let k = 0;
  for (; k < 3; k++) t.match(tickAt(A + k * 1000), { ok: true });
  // The disk fills: the database may not grow past its current size.
  const pages = db.pragma('page_count', { simple: true }) as bigint;
  db.pragma(`max_page_count = ${pages}`);
  let committed = 3;
  let failed = 0;
  for (; k < 400 && failed < 5; k++) {
    const r = tickAt(A + k * 1000);
    if (r.ok) committed++;
    else {
      failed++;
      t.match(r, { ok: false, domains: 5, values: 0 }, `tick ${k + 1}: not stored, reported`);
    }
  }
  t.equal(failed, 5, `ticks fail once the file is full (after ${committed} stored)`);
  const storeLines = () => io.errLines().filter((l) => l.startsWith('store:'));
  t.strictSame(storeLines(), ['store: tick not written: database or disk is full'], 'one clear message for five failed ticks');
  const stored = () => Number(db.prepare('SELECT count(*) FROM tick').pluck().get() as bigint);
  t.equal(stored(), committed, 'earlier ticks intact');
  t.strictSame(partialTicks(db), []);
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok');

  // Space returns.
  db.pragma('max_page_count = 1073741823');
  t.match(tickAt(A + k++ * 1000), { ok: true }, 'stored again');
  t.match(tickAt(A + k++ * 1000), { ok: true });
  t.strictSame(storeLines(), ['store: tick not written: database or disk is full', 'store: writing again'], '"writing again" once');
  t.equal(stored(), committed + 2);
  t.strictSame(orphanDeltas(db), {}, 'changes continue from the last stored tick');

  // A second outage is news again.
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as bigint}`);
  let again = 0;
  for (let i = 0; i < 400 && again < 3; i++) if (!tickAt(A + k++ * 1000).ok) again++;
  db.pragma('max_page_count = 1073741823');
  t.match(tickAt(A + k * 1000), { ok: true });
  t.strictSame(
    storeLines(),
    ['store: tick not written: database or disk is full', 'store: writing again', 'store: tick not written: database or disk is full', 'store: writing again'],
    'each outage reported once, with its end',
  );
  t.strictSame(partialTicks(db), []);
  t.strictSame(rollupMismatches(db), [], 'buckets written after the outage hold every increase');
});

t.test('full disk under run(): the loop keeps its schedule through the outage', async (t) => {
  const root = copyTree(t);
  const dbFile = path.join(tdir(t), 'full-run.db');
  const io = capture();
  const clocks = new FakeClocks(Date.parse('2026-01-05T10:00:00Z'));
  const sleepVirtual = async (ms: number) => {
    clocks.advance(Math.max(0, ms));
    await new Promise((r) => setImmediate(r));
  };
  const agent = new Agent({ root, dbFile, intervalMs: 1000, quiet: true, io, clocks, sleep: sleepVirtual });
  const ac = new AbortController();
  let n = 0;
  agent.opts.onTick = () => {
    const db = storeDb(agent);
    n++;
    if (n === 3) db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as bigint}`);
    if (n === 40) db.pragma('max_page_count = 1073741823');
    if (n === 45) ac.abort();
  };
  await agent.run(ac.signal);
  t.equal(n, 45, 'ticked on through the outage');
  const lines = io.errLines().filter((l) => l.startsWith('store:'));
  t.strictSame(lines, ['store: tick not written: database or disk is full', 'store: writing again']);
  const db = openDatabase(dbFile, { readonly: true });
  t.teardown(() => db.close());
  const ticks = Number(db.prepare('SELECT count(*) FROM tick').pluck().get() as bigint);
  t.ok(ticks >= 8 && ticks < 45, `some ticks lost to the outage, the rest stored (${ticks} of 45)`);
  t.strictSame(rollupMismatches(db), []);
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  t.strictSame(partialTicks(db), []);
  t.strictSame(orphanDeltas(db), {});
});

t.test('readers while the agent writes every 50 ms: whole ticks only, and the writer is never blocked', async (t) => {
  const root = copyTree(t);
  const dbFile = path.join(tdir(t), 'shared.db');
  const script = childScript(t);
  const child = start(process.execPath, [script, root, dbFile, '50']);
  t.teardown(() => {
    if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
  });
  t.ok(await waitFor(() => child.out().split('{').length > 3, CHILD_START_MS), 'the agent is writing');
  const sqlite3 = await execFileP('sqlite3', ['-version']).then(
    () => true,
    () => false,
  );
  const db = openDatabase(dbFile, { readonly: true });
  t.teardown(() => {
    if (db.open) db.close();
  });
  const reader = new HistoryReader(db);
  const bad: string[] = [];
  let reads = 0;
  let shellReads = 0;
  let lastTicks = 0;
  let snapshotHeld = false;
  const end = Date.now() + 3000;
  const shell = async () => {
    while (Date.now() < end) {
      const { stdout } = await execFileP('sqlite3', [
        dbFile,
        'SELECT count(*), sum(t.domains != (SELECT count(*) FROM domain_raw s WHERE s.tick_id = t.id)), sum((SELECT count(*) FROM host_raw s WHERE s.tick_id = t.id) != 1) FROM tick t',
      ]);
      const [n, partial, host] = stdout.trim().split('|');
      if (partial !== '0' || host !== '0') bad.push(`sqlite3: ${stdout.trim()}`);
      if (Number(n) > 0) shellReads++;
      await sleep(30);
    }
  };
  const shellDone = sqlite3 ? shell() : Promise.resolve();
  while (Date.now() < end) {
    const p = partialTicks(db);
    if (p.length > 0) bad.push(...p);
    const span = reader.span().raw;
    if (span !== null) {
      const q = reader.query({ domain: 'web1', keys: ['net.0.rx.bytes', 'block.1.wr.reqs'], since: span[0], until: span[1], rate: false });
      const [rx, wr] = q.series.map((s) => s.values);
      // web1's vif3.0 grows with the clock (see childScript); its xvdb1 stands still.
      if (!rx!.every((v, i) => i === 0 || (v as bigint) > (rx![i - 1] as bigint)) || !wr!.every((v) => v === 3010301n)) bad.push(`values ${rx} ${wr}`);
      lastTicks = q.times.length;
    }
    reads++;
    if (!snapshotHeld && lastTicks > 10) {
      // Hold a read transaction for 400 ms: the snapshot stays put, the writer carries on.
      snapshotHeld = true;
      db.exec('BEGIN');
      const before = db.prepare('SELECT count(*) FROM tick').pluck().get();
      const reportsBefore = child.out().split('{').length;
      await sleep(400);
      t.equal(db.prepare('SELECT count(*) FROM tick').pluck().get(), before, 'a read transaction sees one snapshot');
      t.ok(child.out().split('{').length >= reportsBefore + 4, 'the writer went on meanwhile');
      db.exec('COMMIT');
    }
    await sleep(10);
  }
  await shellDone;
  db.close(); // the agent's connection is then the last one: its close checkpoints the WAL away
  child.proc.kill('SIGTERM');
  const ex = await child.exited;
  t.equal(ex.code, 0, 'the agent stopped cleanly on SIGTERM');
  t.strictSame(
    bad,
    [],
    `every tick the readers saw was whole (${reads} HistoryReader reads${sqlite3 ? `, ${shellReads} sqlite3 reads` : ', sqlite3 not installed'})`,
  );
  const reports = child
    .out()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { ok: boolean; storeMs: number });
  const worst = Math.max(...reports.map((r) => r.storeMs));
  t.ok(reports.length >= 40, `${reports.length} ticks in about 3.5 s`);
  t.ok(
    reports.every((r) => r.ok),
    'every tick stored',
  );
  t.equal(child.err().match(/store:|SQLITE_BUSY|locked/g), null, 'no store error, never SQLITE_BUSY');
  t.ok(worst < 250, `store time per tick stays short (worst ${worst.toFixed(1)} ms; a blocked writer waits up to 5000 ms)`);
  t.comment(`readers: ${reads} HistoryReader reads, ${shellReads} sqlite3 reads; writer: ${reports.length} ticks, worst store ${worst.toFixed(1)} ms`);
  const c = check(dbFile);
  t.strictSame([c.integrity, c.partial, c.orphans, c.ticks], ['ok', [], {}, reports.length]);
  t.notOk(fs.existsSync(dbFile + '-wal') && fs.statSync(dbFile + '-wal').size > 0, 'WAL checkpointed away at the clean stop');
});
