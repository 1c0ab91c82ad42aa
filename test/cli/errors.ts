// CLI error behaviour on the Xen fixture: exit status 1, nothing on stdout, exactly one
// "error: ..." line on stderr; and domain lookups by name, id and uuid.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fixture, REPO, runCli, type CliResult } from '../helpers/cli.js';
import { tempTree } from '../helpers/kvm.js';
import { buildProgram } from '../../src/cli/main.js';

const ROOT = fixture('xen-4.x-pv-libxl');
const BIN = path.join(REPO, 'bin/domstat.cjs');
const run = (...args: string[]) => runCli([...args, '--root', ROOT]);
const fails = (err: string): CliResult => ({ code: 1, out: '', err });

const WEB1_UUID = '3ef03971-0d42-55d8-9c52-4ca0e5e13c45';

const VIF30 =
  'vif3.0 rx_bytes 3000809\nvif3.0 rx_packets 3000810\nvif3.0 rx_errs 3000811\nvif3.0 rx_drop 3000812\n' +
  'vif3.0 tx_bytes 3000801\nvif3.0 tx_packets 3000802\nvif3.0 tx_errs 3000803\nvif3.0 tx_drop 3000804\n\n';
const XVDA =
  'xvda rd_req 3000101\nxvda rd_bytes 1536102912\nxvda wr_req 3000301\nxvda wr_bytes 1536205312\nxvda errs 3000501\nxvda flush_operations 3000601\n\n';
const WEB1_STATE = "Domain: 'web1'\n  state.state=1\n  state.reason=1\n\n";

t.test('unknown domain', async (t) => {
  const NOSUCH = "error: failed to get domain 'nosuch'\n";
  t.strictSame(await run('domifstat', 'nosuch', 'vif3.0'), fails(NOSUCH), 'domifstat');
  t.strictSame(await run('domblkstat', 'nosuch', 'xvda'), fails(NOSUCH), 'domblkstat');
  t.strictSame(await run('domblkstat', 'nosuch'), fails(NOSUCH), 'domblkstat without a device');
  t.strictSame(await run('domblklist', 'nosuch'), fails(NOSUCH), 'domblklist');
  t.strictSame(await run('domiflist', 'nosuch'), fails(NOSUCH), 'domiflist');
  t.strictSame(await run('domstats', 'nosuch'), fails(NOSUCH), 'domstats');
  t.strictSame(await run('domstats', 'web1', 'nosuch'), fails(NOSUCH), 'domstats with one good and one unknown name');
  t.strictSame(await run('domstats', '99'), fails("error: failed to get domain '99'\n"), 'an id that is not running');
  t.strictSame(await run('domstats', '-1'), fails("error: failed to get domain '-1'\n"), "off1's -1 is not an id");
  t.strictSame(
    await run('domstats', WEB1_UUID.slice(0, -1) + '6'),
    fails(`error: failed to get domain '${WEB1_UUID.slice(0, -1)}6'\n`),
    'a uuid that is not there',
  );
});

t.test("a disk that is not the domain's", async (t) => {
  t.strictSame(await run('domblkstat', 'web1', 'xvdz'), fails('error: invalid argument: invalid path: xvdz\n'), 'xvdz');
  t.strictSame(await run('domblkstat', 'web1', 'xvdaa'), fails('error: invalid argument: invalid path: xvdaa\n'), "db1's disk");
  t.strictSame(await run('domblkstat', 'web1', '/dev/vg0/db1-big'), fails('error: invalid argument: invalid path: /dev/vg0/db1-big\n'), "db1's source");
  t.strictSame(await run('domblkstat', 'web1', 'xvdz', '--human'), fails('error: invalid argument: invalid path: xvdz\n'), '--human');
  t.strictSame(await run('domblkstat', 'web1', 'xvdz', '--json'), fails('error: invalid argument: invalid path: xvdz\n'), '--json');
});

t.test("an interface that is not the domain's", async (t) => {
  t.strictSame(
    await run('domifstat', 'web1', 'vif7.0'),
    fails("error: Failed to get interface stats web1 vif7.0: invalid argument: 'vif7.0' is not a known interface\n"),
    "db1's vif asked of web1",
  );
  t.strictSame(
    await run('domifstat', 'web1', 'vif9.9'),
    fails("error: Failed to get interface stats web1 vif9.9: invalid argument: 'vif9.9' is not a known interface\n"),
    'a vif nobody has',
  );
  t.strictSame(
    await run('domifstat', 'win1', 'vif12.0'),
    fails("error: Failed to get interface stats win1 vif12.0: invalid argument: 'vif12.0' is not a known interface\n"),
    "win1's PV vif is not in its XML",
  );
  t.strictSame(
    await run('domifstat', 'web1', '00:16:3e:07:00:00'),
    fails("error: Failed to get interface stats web1 00:16:3e:07:00:00: invalid argument: '00:16:3e:07:00:00' is not a known interface\n"),
    "db1's MAC",
  );
  t.strictSame(
    await run('domifstat', '3', 'vif7.0'),
    fails("error: Failed to get interface stats 3 vif7.0: invalid argument: 'vif7.0' is not a known interface\n"),
    'the message names the domain as given',
  );
});

t.test('an inactive domain', async (t) => {
  t.strictSame(await run('domblkstat', 'off1', 'xvda'), fails('error: Requested operation is not valid: domain is not running\n'), 'domblkstat');
  t.strictSame(await run('domblkstat', 'off1'), fails('error: Requested operation is not valid: domain is not running\n'), 'domblkstat without a device');
  t.strictSame(
    await run('domifstat', 'off1', '00:16:3e:ff:00:00'),
    fails('error: Failed to get interface stats off1 00:16:3e:ff:00:00: Requested operation is not valid: domain is not running\n'),
    'domifstat',
  );
  const stats = await run('domstats', 'off1', '--state');
  t.strictSame(stats, { code: 0, out: "Domain: 'off1'\n  state.state=5\n  state.reason=0\n\n", err: '' }, 'domstats still reports it');
});

t.test('--enforce with an unsupported group', async (t) => {
  const ENFORCE = 'error: argument unsupported: Stats types bits 0x2 are not supported by this daemon\n';
  t.strictSame(await run('domstats', '--enforce', '--cpu-total'), fails(ENFORCE), '--enforce --cpu-total');
  t.strictSame(await run('domstats', '--cpu-total', '--enforce', '--state', '--block'), fails(ENFORCE), 'with supported groups too');
  t.strictSame(await run('domstats', 'web1', '--enforce', '--cpu-total'), fails(ENFORCE), 'for one domain');
  t.strictSame(await run('domstats', '--enforce', '--cpu-total', '--list-active'), fails(ENFORCE), 'with a filter');
  t.strictSame(
    await run('domstats', '--enforce', '--cpu-total', '--perf'),
    fails('error: argument unsupported: Stats types bits 0x42 are not supported by this daemon\n'),
    'two unsupported groups',
  );
  t.strictSame(await run('domstats', 'web1', '--cpu-total', '--state'), { code: 0, out: WEB1_STATE, err: '' }, 'without --enforce the group is dropped');
  t.strictSame(await run('domstats', 'web1', '--cpu-total'), { code: 0, out: "Domain: 'web1'\n\n", err: '' }, 'an empty record');
  t.strictSame(await run('domstats', 'web1', '--enforce', '--state'), { code: 0, out: WEB1_STATE, err: '' }, '--enforce with a supported group');
});

t.test('--list-* with domain names keeps the named domains that pass the filter, as libvirt 9 does', async (t) => {
  // libvirt's drivers filter an explicit list (virDomainObjListConvert with the filter flags);
  // virsh 9 on the lab: `domstats lab-busy --list-shutoff` prints an empty line and exits 0.
  for (const flag of ['--list-active', '--list-persistent', '--list-running'])
    t.strictSame(await run('domstats', 'web1', flag, '--state'), { code: 0, out: WEB1_STATE, err: '' }, `${flag}: web1 passes`);
  for (const flag of ['--list-inactive', '--list-transient', '--list-paused', '--list-shutoff', '--list-other'])
    t.strictSame(await run('domstats', 'web1', flag, '--state'), { code: 0, out: '\n', err: '' }, `${flag}: web1 is left out`);
  t.strictSame(
    await run('domstats', 'web1', 'win1', '--list-paused', '--state'),
    { code: 0, out: "Domain: 'win1'\n  state.state=3\n  state.reason=1\n\n", err: '' },
    'of two named domains, the paused one',
  );
  t.strictSame(await run('domstats', 'nosuch', '--list-active'), fails("error: failed to get domain 'nosuch'\n"), 'a name is looked up first');
  const filtered = await run('domstats', '--state', '--list-paused');
  t.strictSame(filtered, { code: 0, out: "Domain: 'win1'\n  state.state=3\n  state.reason=1\n\n", err: '' }, 'a filter alone works');
});

t.test('lookup by id and by uuid', async (t) => {
  t.strictSame(await run('domifstat', 'web1', 'vif3.0'), { code: 0, out: VIF30, err: '' }, 'by name');
  t.strictSame(await run('domifstat', '3', 'vif3.0'), { code: 0, out: VIF30, err: '' }, 'by id');
  t.strictSame(await run('domifstat', WEB1_UUID, 'vif3.0'), { code: 0, out: VIF30, err: '' }, 'by uuid');
  t.strictSame(await run('domifstat', WEB1_UUID.toUpperCase(), 'vif3.0'), { code: 0, out: VIF30, err: '' }, 'by uuid in upper case');
  t.strictSame(await run('domblkstat', '3', 'xvda'), { code: 0, out: XVDA, err: '' }, 'domblkstat by id');
  t.strictSame(await run('domblkstat', WEB1_UUID, 'xvda'), { code: 0, out: XVDA, err: '' }, 'domblkstat by uuid');
  t.strictSame(await run('domstats', '3', '--state'), { code: 0, out: WEB1_STATE, err: '' }, 'domstats by id');
  t.strictSame(await run('domstats', WEB1_UUID, '--state'), { code: 0, out: WEB1_STATE, err: '' }, 'domstats by uuid');
  t.strictSame(
    await run('domstats', '12', 'a4013c98-d666-5b52-b36c-c948072e533a', '--state'),
    { code: 0, out: "Domain: 'win1'\n  state.state=3\n  state.reason=1\n\nDomain: 'db1'\n  state.state=1\n  state.reason=1\n\n", err: '' },
    'several, in the order given',
  );
  t.strictSame(
    await run('domblklist', '0ded59be-944a-5991-aa3b-cab59a38b3b0'),
    { code: 0, out: ' Target   Source\n-------------------------\n xvda     /dev/vg0/off1\n\n', err: '' },
    'an inactive domain by uuid',
  );
});

t.test('--root that is not a directory: an error for every command that takes it, nothing read', async (t) => {
  const missing = '/nonexistent-domstat-root';
  const cmds = [
    ['list'],
    ['domstats'],
    ['domifstat', 'web1', 'vif3.0'],
    ['domblkstat', 'web1'],
    ['domblklist', 'web1'],
    ['domiflist', 'web1'],
    ['dommemstat', 'web1'],
    ['cpu-stats', 'web1'],
    ['capture', '-o', '/nonexistent-domstat-dir/c.tar.gz'],
    ['agent', '--db', '/nonexistent-domstat-dir/a.db'],
    ['top', '-b', '-n', '1'],
  ];
  for (const c of cmds)
    t.strictSame(await runCli([...c, '--root', missing]), fails(`error: --root ${missing}: no such directory\n`), `${c[0]}: no such directory`);
  const file = fixture('xen-4.x-pv-libxl', 'proc', 'net', 'dev');
  t.strictSame(await runCli(['list', '--root', file]), fails(`error: --root ${file}: not a directory\n`), 'a file');
  t.strictSame(await runCli(['list', '--root', `${file}/x`]), fails(`error: --root ${file}/x: not a directory\n`), 'a path through a file');
  for (const c of cmds)
    t.strictSame(await runCli([...c, '--xml-dir', missing]), fails(`error: --xml-dir ${missing}: no such directory\n`), `${c[0]} --xml-dir: no such directory`);
  t.strictSame(await runCli(['list', '--xml-dir', file]), fails(`error: --xml-dir ${file}: not a directory\n`), '--xml-dir: a file');
});

t.test("no /proc/net/dev: libvirt's system error, with the system's words", async (t) => {
  const root = path.join(t.testdir(), 'root');
  fs.cpSync(fixture('xen-4.x-pv-libxl'), root, { recursive: true, verbatimSymlinks: true });
  fs.rmSync(path.join(root, 'proc/net/dev'));
  t.strictSame(await runCli(['domifstat', 'web1', 'vif3.0', '--root', root]), {
    code: 1,
    out: '',
    err: 'error: Failed to get interface stats web1 vif3.0: Could not open /proc/net/dev: No such file or directory\n',
  });
});

t.test('not one definition readable for lack of rights: an error, not a host without domains (virsh cannot connect then)', async (t) => {
  if (process.getuid?.() !== 0 || spawnSync('setpriv', ['--version']).status !== 0) {
    await t.test('not run: needs root and setpriv, to run domstat as another user', { skip: true }, async () => {});
    return;
  }
  const root = tempTree(t, 'kvm-cgroup1-systemd'); // KVM: no domains from the host's own files without XML
  for (let d = root; d !== path.dirname(d); d = path.dirname(d)) fs.chmodSync(d, fs.statSync(d).mode | 0o005); // nobody may walk to it
  const xml = fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.xml'));
  t.ok(xml.length >= 2, `${xml.length} definitions`);
  const asNobody = (...args: string[]) => {
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...args, '--root', root], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr.split('\n').filter((l) => l.startsWith('error:')) };
  };
  fs.chmodSync(path.join(root, xml[0]!), 0);
  const partial = asNobody('list', '--all');
  t.same([partial.code, partial.err], [0, []], 'one unreadable of several: the others are listed, with a warning');
  for (const f of xml) fs.chmodSync(path.join(root, f), 0);
  for (const cmd of [['list', '--all'], ['domstats']]) {
    const r = asNobody(...cmd);
    t.same(
      { code: r.code, out: r.out, err: r.err.map((l) => l.replace(/^error: \S+: /, 'error: FILE: ')) },
      {
        code: 1,
        out: '',
        err: ["error: FILE: permission denied (EACCES): no domain definition could be read; domstat needs root (or CAP_DAC_READ_SEARCH) for libvirt's files"],
      },
      `${cmd[0]}: exit 1, said in one line after the warnings`,
    );
  }
});

t.test("an option given twice is refused, as virsh refuses it ('option --start already seen'); --allow-host collects", async (t) => {
  t.strictSame(await run('cpu-stats', 'web1', '--start', '0', '--start', '1'), fails('error: option --start already seen\n'), 'cpu-stats --start twice');
  t.strictSame(await run('domstats', '--state', '--state'), fails('error: option --state already seen\n'), 'a flag twice');
  t.strictSame(await runCli(['list', '--root', ROOT, '--root', ROOT]), fails('error: option --root already seen\n'), '--root twice');
  t.strictSame(await runCli(['history', '--list', '--since', '1h', '--since', '2h']), fails('error: option --since already seen\n'), 'history --since twice');
  const program = await buildProgram({ out: () => {}, err: () => {} }, () => {}, ['agent']);
  const agent = program.commands.find((c) => c.name() === 'agent')!;
  agent.parseOptions(['--allow-host', 'a.example', '--allow-host', 'b.example']);
  t.strictSame(agent.opts()['allowHost'], ['a.example', 'b.example'], 'agent --allow-host, repeated on purpose, collects');
});
