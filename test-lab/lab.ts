// npm run test:lab — domstat against libvirt itself on this machine. Brings up the lab (a real
// libvirt + QEMU host with a busy and an idle guest), then reads `virsh domstats`, `domstat
// domstats` on / and `virsh domstats` again, and compares key by key: every counter lies between
// libvirt's two readings, everything else is equal, and each exception says why.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, SHARED } from '../test/helpers/cli.js';
import { classify, parseVirshDomstats, REASONS } from '../test/helpers/libvirt-compare.js';

const LAB = path.join(SHARED, 'lab', 'libvirt-lab.sh');
if (!fs.existsSync(LAB)) throw new Error(`${LAB} is missing: the lab needs ../shared/lab`);

t.comment(execFileSync('bash', [LAB, 'up'], { encoding: 'utf8' }).trim());
const virsh = () => execFileSync('virsh', ['domstats'], { encoding: 'utf8' });
const before = parseVirshDomstats(virsh());
const oursText = execFileSync(process.execPath, [path.join(REPO, 'bin', 'domstat.cjs'), 'domstats'], { encoding: 'utf8' });
const after = parseVirshDomstats(virsh());
const ours = parseVirshDomstats(oursText);

t.same([...ours.keys()].sort(), [...after.keys()].sort(), 'the same domains as libvirt');
for (const [cls, why] of Object.entries(REASONS)) t.comment(`[${cls}] ${why}`);

for (const [dom, first] of before) {
  const last = after.get(dom)!;
  const mine = ours.get(dom) ?? new Map<string, string>();
  // Which block entries domstat reads from a host block device: those whose path is in /dev.
  const hostBlock = new Set<number>();
  for (const [k, v] of last) {
    const m = /^block\.([0-9]+)\.path$/.exec(k);
    if (m && v.startsWith('/dev/')) hostBlock.add(Number(m[1]));
  }
  t.test(dom, async (t) => {
    for (const [key, lastValue] of last) {
      const cls = classify(key, hostBlock);
      const firstValue = first.get(key);
      const got = mine.get(key);
      const what = `${key} [${cls}] libvirt ${firstValue} .. ${lastValue}, domstat ${got}`;
      switch (cls) {
        case 'equal':
          t.equal(got, lastValue, what);
          break;
        case 'counter':
          t.ok(got !== undefined && firstValue !== undefined && BigInt(firstValue) <= BigInt(got) && BigInt(got) <= BigInt(lastValue), what);
          break;
        case 'gauge': {
          const lo = Math.min(Number(firstValue), Number(lastValue));
          const hi = Math.max(Number(firstValue), Number(lastValue));
          t.ok(got !== undefined && Number(got) >= lo * 0.98 && Number(got) <= hi * 1.02, `${what} (within 2%)`);
          break;
        }
        case 'host-block':
          t.ok(got !== undefined, what);
          break;
        case 'absent':
          t.equal(got, undefined, what);
          break;
      }
    }
    for (const key of mine.keys()) t.ok(last.has(key), `${key} is a key libvirt reports too`);
  });
}
