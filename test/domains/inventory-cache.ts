// The agent's parse cache (readInventory with `cache`): an unchanged file is not parsed again; the
// persistent definition of a running domain keeps only the domain's key, and is parsed again when
// it changes or when the domain stops (then it is what describes the domain).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostFs } from '../../src/host/hostfs.js';
import { readInventory, type ParseCache } from '../../src/domains/inventory.js';
import { fixture } from '../helpers/cli.js';

const TREE = fixture('kvm-cgroup2-systemd'); // zeta: status + persistent XML; eta: status XML only

/** A HostFs that counts the XML files it reads. */
class CountingFs extends HostFs {
  readonly reads: string[] = [];
  override readText(hostPath: string, maxBytes?: number) {
    if (hostPath.endsWith('.xml')) this.reads.push(hostPath);
    return super.readText(hostPath, maxBytes);
  }
}

const summary = (root: string, cache: ParseCache) => {
  const hfs = new CountingFs(root);
  const inv = readInventory(hfs, { cache });
  return {
    reads: hfs.reads.sort(),
    domains: inv.domains.map((d) => `${d.name} id=${d.id} persistent=${d.persistent} ${d.file} disks=${d.disks.length} nics=${d.interfaces.length}`),
    inv,
  };
};

t.test("a running domain's persistent definition is kept as a key only, and parsed again when needed", async (t) => {
  const root = t.testdir({});
  fs.cpSync(TREE, root, { recursive: true });
  const cache: ParseCache = new Map();
  const without = readInventory(new HostFs(root));

  const first = summary(root, cache);
  t.strictSame(first.reads, ['/etc/libvirt/qemu/zeta.xml', '/run/libvirt/qemu/eta.xml', '/run/libvirt/qemu/zeta.xml'], 'first pass: every file parsed');
  t.strictSame(first.domains, [
    'zeta id=5 persistent=true /run/libvirt/qemu/zeta.xml disks=1 nics=1',
    'eta id=6 persistent=false /run/libvirt/qemu/eta.xml disks=1 nics=1',
  ]);
  t.strictSame(first.inv.domains, without.domains, 'the same inventory as without a cache');
  const entry = cache.get('/etc/libvirt/qemu/zeta.xml');
  t.equal(entry?.def, null, 'the persistent definition is not kept parsed');
  t.equal(entry?.supersededBy, '6f6f6f6f-0006-4000-8000-000000000006', 'only the key of the running domain it belongs to');

  const second = summary(root, cache);
  t.strictSame(second.reads, [], 'second pass: nothing parsed');
  t.strictSame(second.inv.domains, without.domains, 'and still the same inventory (zeta persistent)');

  // The definition changes while the domain runs: parsed again, still superseded.
  const conf = path.join(root, 'etc/libvirt/qemu/zeta.xml');
  fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8').replace('<vcpu placement', '<!-- edited --><vcpu placement'));
  fs.utimesSync(conf, new Date(), new Date(Date.now() + 5000));
  const third = summary(root, cache);
  t.strictSame(third.reads, ['/etc/libvirt/qemu/zeta.xml'], 'a changed definition is parsed again');
  t.equal(cache.get('/etc/libvirt/qemu/zeta.xml')?.supersededBy, '6f6f6f6f-0006-4000-8000-000000000006', 'and kept as a key again');

  // zeta stops: its status XML goes, and its definition describes it.
  fs.rmSync(path.join(root, 'run/libvirt/qemu/zeta.xml'));
  const fourth = summary(root, cache);
  t.strictSame(fourth.reads, ['/etc/libvirt/qemu/zeta.xml'], "the stopped domain's definition is parsed again");
  t.strictSame(
    fourth.domains,
    ['eta id=6 persistent=false /run/libvirt/qemu/eta.xml disks=1 nics=1', 'zeta id=-1 persistent=true /etc/libvirt/qemu/zeta.xml disks=1 nics=1'],
    'zeta shut off, from its definition, with its devices',
  );
  t.strictSame(fourth.inv.domains, readInventory(new HostFs(root)).domains, 'the same inventory as without a cache');
  t.ok(cache.get('/etc/libvirt/qemu/zeta.xml')?.def, 'now kept parsed');
  t.strictSame(summary(root, cache).reads, [], 'and not parsed again');
});
