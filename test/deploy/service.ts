// deploy/domstat.service: what a sysadmin expects of it (ordering after libvirt's daemons, the
// hardening directives, the listen address matching the IP allow list), systemd's own verdicts
// (`systemd-analyze verify`, and `systemd-analyze security --offline` at or below the exposure the
// README states), and an ExecStart that is the command `npm install -g` installs.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO } from '../helpers/cli.js';
import { privateDir } from '../helpers/moving.js';

const UNIT = path.join(REPO, 'deploy', 'domstat.service');
const text = fs.readFileSync(UNIT, 'utf8');
/** The README's figure, as systemd-analyze's --threshold counts it (tenths): 2.4 -> 24. */
const EXPOSURE = 2.4;

/** The unit's settings: directive -> every value it is given, in order. */
function settings(unit: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of unit.split('\n')) {
    const s = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (s === null) continue;
    m.set(s[1]!, [...(m.get(s[1]!) ?? []), s[2]!]);
  }
  return m;
}
const set = settings(text);
const one = (k: string) => set.get(k)?.join(' ');

t.test('ordering, command and hardening', async (t) => {
  const after = one('After')!.split(/\s+/);
  for (const u of ['libvirtd.service', 'virtqemud.service', 'virtxend.service', 'xenstored.service', 'network-online.target', 'time-sync.target'])
    t.ok(after.includes(u), `After=${u}`);
  t.equal(one('Wants'), 'network-online.target', 'Wants=network-online.target (and After= it)');
  t.match(one('ExecStart'), /^\/usr\/local\/bin\/domstat agent /, 'ExecStart: the command npm install -g puts in /usr/local/bin');
  for (const [k, v] of [
    ['SystemCallFilter', '@system-service'],
    ['UMask', '0077'],
    ['ProtectKernelLogs', 'yes'],
    ['ProtectClock', 'yes'],
    ['ProtectHostname', 'yes'],
    ['RestrictSUIDSGID', 'yes'],
    ['RestrictRealtime', 'yes'],
    ['NoNewPrivileges', 'yes'],
    ['ProtectSystem', 'strict'],
    ['DynamicUser', 'yes'],
    ['StateDirectory', 'domstat'],
    ['CapabilityBoundingSet', 'CAP_DAC_READ_SEARCH CAP_SYS_PTRACE'],
    ['AmbientCapabilities', 'CAP_DAC_READ_SEARCH CAP_SYS_PTRACE'],
    ['IPAddressDeny', 'any'],
  ] as const)
    t.equal(one(k), v, `${k}=${v}`);
  // The listen address is loopback, and loopback is what the IP allow list lets through.
  const listen = /--listen (\S+)/.exec(one('ExecStart')!)?.[1];
  t.equal(listen, '127.0.0.1:9177', 'listens on loopback');
  t.equal(one('IPAddressAllow'), 'localhost', 'IPAddressAllow=localhost (127.0.0.0/8 and ::1)');
  t.match(one('ExecStart'), /--db \/var\/lib\/domstat\//, 'the database in its StateDirectory');
});

t.test('systemd-analyze verify and security', async (t) => {
  const have = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  t.equal(have.status, 0, `systemd-analyze runs (${have.stdout.split('\n')[0] ?? ''})`);
  // verify checks that ExecStart's command exists: point it at this checkout's bin/domstat.cjs.
  const dir = privateDir(t);
  const unit = path.join(dir, 'domstat.service');
  fs.writeFileSync(unit, text.replace(/^ExecStart=\/usr\/local\/bin\/domstat /m, `ExecStart=${path.join(REPO, 'bin', 'domstat.cjs')} `));
  const v = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
  t.equal(v.status, 0, `verify exits 0 ${v.stderr}`);
  t.equal((v.stdout + v.stderr).trim(), '', 'verify finds nothing to say');

  const s = spawnSync('systemd-analyze', ['security', '--offline=true', unit], { encoding: 'utf8' });
  const level = /Overall exposure level for domstat\.service: ([0-9.]+) (\w+)/.exec(s.stdout);
  t.ok(level, `an overall exposure level ${s.stderr}`);
  t.equal(Number(level?.[1]), EXPOSURE, `exposure ${level?.[1]} ${level?.[2]} (the README's figure)`);
  t.equal(level?.[2], 'OK', 'rated OK');
  const th = spawnSync('systemd-analyze', ['security', '--offline=true', `--threshold=${Math.round(EXPOSURE * 10)}`, unit], { encoding: 'utf8' });
  t.equal(th.status, 0, '--threshold at that level passes');
});
