// The CLI against the three Xen fixture trees, compared byte for byte with golden files under
// fixtures/<tree>/golden/. Regenerate with UPDATE_GOLDEN=1 and check every number by hand
// against fixtures/XEN-FIXTURES.md.
import t from 'tap';
import { fixture, matchGolden, runCli } from '../helpers/cli.js';

const BROKEN1_WARNINGS =
  "warning: domain 'broken1': interface vif15.0: /proc/net/dev: Interface not found\n" +
  "warning: domain 'broken1': block xvda: Failed to read any block statistics for domain 15\n";

interface Tree {
  tree: string;
  /** Every domain, and for the running ones their interfaces and disks. */
  domains: { name: string; running: boolean; interfaces: string[]; disks: string[] }[];
  /** Running domains whose counters cannot be read (checked as errors, not goldens). */
  broken: string[];
  humanDisk: [domain: string, disk: string];
  domstatsErr: string;
}

const TREES: Tree[] = [
  {
    tree: 'xen-4.x-pv-libxl',
    domains: [
      { name: 'web1', running: true, interfaces: ['vif3.0', 'vif3.1'], disks: ['xvda', 'xvdb1'] },
      { name: 'db1', running: true, interfaces: ['vif7.0'], disks: ['xvdaa', 'sdb'] },
      { name: 'win1', running: true, interfaces: ['vif12.0-emu'], disks: ['hda', 'hdc'] },
      { name: 'broken1', running: true, interfaces: [], disks: [] },
      { name: 'off1', running: false, interfaces: [], disks: [] },
    ],
    broken: ['broken1'],
    humanDisk: ['web1', 'xvda'],
    domstatsErr: BROKEN1_WARNINGS,
  },
  {
    tree: 'xen-2.6.18-old-layout',
    domains: [{ name: 'legacy1', running: true, interfaces: ['vif4.0'], disks: ['xvda', 'xvdb'] }],
    broken: [],
    humanDisk: ['legacy1', 'xvdb'],
    domstatsErr: '',
  },
  {
    tree: 'xen-no-libvirt',
    domains: [
      { name: 'Domain-21', running: true, interfaces: ['vif21.0'], disks: ['xvda', 'xvdb'] },
      { name: 'Domain-22', running: true, interfaces: ['vif22.0', 'vif22.1'], disks: ['xvda'] },
    ],
    broken: [],
    humanDisk: ['Domain-22', 'xvda'],
    domstatsErr: '',
  },
];

for (const tr of TREES) {
  const root = fixture(tr.tree);
  t.test(tr.tree, async (t) => {
    /** Runs one command line, checks exit 0 and stderr, compares stdout with its golden file. */
    const golden = async (name: string, args: string[], err = '') => {
      const r = await runCli([...args, '--root', root]);
      t.equal(r.code, 0, `${args.join(' ')}: exit 0`);
      t.equal(r.err, err, `${args.join(' ')}: stderr`);
      t.not(r.out, '', `${args.join(' ')}: printed something`);
      matchGolden(t, tr.tree, name, r.out);
    };

    await golden('domstats.txt', ['domstats'], tr.domstatsErr);
    await golden('domstats.json', ['domstats', '--json'], tr.domstatsErr);
    await golden('list-all.txt', ['list', '--all']);
    for (const d of tr.domains) {
      await golden(`domblklist-details-${d.name}.txt`, ['domblklist', d.name, '--details']);
      await golden(`domiflist-${d.name}.txt`, ['domiflist', d.name]);
      if (!d.running || tr.broken.includes(d.name)) continue;
      for (const vif of d.interfaces) await golden(`domifstat-${d.name}-${vif}.txt`, ['domifstat', d.name, vif]);
      for (const disk of d.disks) await golden(`domblkstat-${d.name}-${disk}.txt`, ['domblkstat', d.name, disk]);
      await golden(`domblkstat-${d.name}-all.txt`, ['domblkstat', d.name]);
    }
    const [hd, hdisk] = tr.humanDisk;
    await golden(`domblkstat-human-${hd}-${hdisk}.txt`, ['domblkstat', hd, hdisk, '--human']);

    // The empty device argument is the same as none.
    for (const d of tr.domains.filter((x) => x.running && !tr.broken.includes(x.name))) {
      const none = await runCli(['domblkstat', d.name, '--root', root]);
      const empty = await runCli(['domblkstat', d.name, '', '--root', root]);
      t.strictSame(empty, none, `${d.name}: domblkstat '' = domblkstat without a device`);
    }
  });
}

t.test('xen-4.x-pv-libxl: broken1 through the CLI', async (t) => {
  const root = fixture('xen-4.x-pv-libxl');
  const ifs = await runCli(['domifstat', 'broken1', 'vif15.0', '--root', root]);
  t.strictSame(ifs, { code: 1, out: '', err: 'error: Failed to get interface stats broken1 vif15.0: internal error: /proc/net/dev: Interface not found\n' });
  const blk = await runCli(['domblkstat', 'broken1', 'xvda', '--root', root]);
  t.strictSame(blk, { code: 1, out: '', err: 'error: internal error: Failed to read any block statistics for domain 15\n' });
  const all = await runCli(['domblkstat', 'broken1', '--root', root]);
  t.strictSame(all, { code: 1, out: '', err: 'error: internal error: Failed to read any block statistics for domain 15\n' });
  const one = await runCli(['domstats', 'broken1', '--root', root]);
  t.strictSame(one, {
    code: 0,
    out:
      "Domain: 'broken1'\n  state.state=1\n  state.reason=1\n  balloon.current=524288\n  balloon.maximum=524288\n  vcpu.current=1\n  vcpu.maximum=1\n" +
      '  net.count=1\n  net.0.name=vif15.0\n  block.count=1\n  block.0.name=xvda\n  block.0.path=/dev/vg0/broken1\n\n',
    err: BROKEN1_WARNINGS,
  });
});
