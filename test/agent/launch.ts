// How the agent is started: the installed command (bin/domstat.cjs, which the systemd unit runs
// as /usr/local/bin/domstat) and `npm start` give node the same flags, and node accepts them.
import t from 'tap';
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';

const shebang = fs.readFileSync('bin/domstat.cjs', 'utf8').split('\n')[0]!;
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
const unit = fs.readFileSync('deploy/domstat.service', 'utf8');

t.test('bin/domstat.cjs, npm start and the unit run node with the same flags', async (t) => {
  const m = /^#!\/usr\/bin\/env -S node((?: --[a-z-]+(?:=\S+)?)*)$/.exec(shebang);
  t.ok(m, `shebang: ${shebang}`);
  const flags = m![1]!.trim();
  t.match(flags, /--max-semi-space-size=1/, 'a small young generation');
  t.match(flags, /--expose-gc/, 'gc() for the agent after a new inventory');
  t.match(flags, /--verify-snapshot-checksum/, "V8 checks the one-shot bundle's code cache before it uses it");
  t.equal(pkg.scripts.start, `node ${flags} bin/domstat.cjs agent`, 'npm start passes the same flags');
  t.match(unit, /^ExecStart=\/usr\/local\/bin\/domstat agent /m, 'the unit runs the installed command (npm install -g), so its shebang');
  const r = spawnSync(process.execPath, [...flags.split(' '), 'bin/domstat.cjs', 'list', '--root', 'fixtures/xen-no-libvirt'], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /Domain-21\s+running/, 'node takes the flags and the command runs');
});
