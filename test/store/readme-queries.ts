// The README's ready-to-run queries, as printed there, run with the real sqlite3 shell against a
// history the agent wrote with known rates: alpha's vnet0 receives 2000 bytes/s (as the guest
// sees it), its disk 253:3 reads 10 and writes 4 sectors a second. A query that stops working
// or answers wrong after a schema change fails here.

import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { buildHistory } from '../helpers/agent-history.js';
import { COL, FieldsFile, NetDev, privateTree } from '../helpers/moving.js';
import { REPO } from '../helpers/cli.js';
import { COLUMNS } from '../../src/store/columns.js';

const RX_RATE = 2000;
const READ_SECTORS = 10;
const WRITE_SECTORS = 4;
const TICKS = 150;

/** The README's sqlite3 commands: [comment, SQL], in order. */
function readmeQueries(): [string, string][] {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const block = readme.slice(readme.indexOf('Ready-to-run queries:'));
  const sh = /```sh\n([\s\S]*?)```/.exec(block)?.[1] ?? '';
  return [...sh.matchAll(/# (.+)\nsqlite3 domstat\.db "([^"]+)"/g)].map((m) => [m[1]!, m[2]!]);
}

const sqliteJson = (db: string, sql: string) => {
  const out = execFileSync('sqlite3', ['-json', '-readonly', db, sql], { encoding: 'utf8' });
  return (out.trim() === '' ? [] : JSON.parse(out)) as Record<string, unknown>[];
};

t.test("the README's queries answer with the rates the agent was given", async (t) => {
  const queries = readmeQueries();
  t.equal(queries.length, 3, `three queries in the README: ${queries.map(([c]) => c).join('; ')}`);

  const root = privateTree(t, 'kvm-cgroup1-systemd');
  const net = new NetDev(path.join(root, 'proc/net/dev'));
  const disk = new FieldsFile(path.join(root, 'sys/dev/block/253:3/stat'));
  // All ticks inside today (UTC) and within the last hour, whatever the time of day the test runs:
  // the queries say "today" and "the last hour"; ticks a little in the future are in both.
  const now = Date.now();
  const startOfDay = Math.floor(now / 86_400_000) * 86_400_000;
  const endMs = Math.max(now, startOfDay + (TICKS + 1) * 1000);
  const h = await buildHistory(t, root, {
    ticks: TICKS,
    stepMs: 1000,
    endMs,
    bump: (k) => {
      net.setFromBase('vnet0', COL.TX_BYTES, BigInt(RX_RATE * k)).write();
      disk
        .setFromBase(3, BigInt(READ_SECTORS * k))
        .setFromBase(7, BigInt(WRITE_SECTORS * k))
        .write();
    },
  });

  const [[, perMinute], [, busiest], [, keys]] = queries as [[string, string], [string, string], [string, string]];

  const rx = sqliteJson(h.dbFile, perMinute.replace("'lab-busy'", "'alpha'")).filter((r) => r.device === 'vnet0');
  t.ok(rx.length >= 2, `alpha's vnet0 has ${rx.length} minutes in the last hour`);
  // The first tick has no rate: a minute that holds it alone (it fell on that minute's last second) has none.
  const rates = rx.map((r) => r.rx_bytes_per_s);
  if (rates[0] === null) rates.shift();
  t.same(
    rates,
    rates.map(() => RX_RATE),
    `every minute receives ${RX_RATE} bytes/s`,
  );

  // Every tick's increase after the first is in the minute rollups (the agent stopped cleanly).
  const top = sqliteJson(h.dbFile, busiest);
  t.ok(top.length >= 1, 'the busiest disks today');
  t.same(
    { domain: top[0]!.domain, bytes: top[0]!.bytes },
    { domain: 'alpha', bytes: (READ_SECTORS + WRITE_SECTORS) * 512 * (TICKS - 1) },
    `alpha's disk is the busiest: ${TICKS - 1} seconds of ${(READ_SECTORS + WRITE_SECTORS) * 512} bytes`,
  );
  t.ok(
    top.slice(1).every((r) => r.bytes === 0),
    'no other disk moved',
  );

  const rows = sqliteJson(h.dbFile, keys);
  t.equal(rows.length, COLUMNS.length, 'every stored key is listed');
  t.same(
    rows.find((r) => r.key === 'net.{i}.rx.bytes'),
    { key: 'net.{i}.rx.bytes', kind: 'net', col: 'rx_bytes', type: 'counter', unit: 'bytes', origin: 'libvirt' },
    'a key, where it lives and how',
  );
});
