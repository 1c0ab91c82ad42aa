// Every XML file of the shared corpus (libvirt's own test data) through `inspect`, checked
// against an independent parser: Python's xml.etree.ElementTree, run once for all files.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { inspectFile } from '../../src/cli/inspect.js';
import { SHARED } from '../helpers/cli.js';

const CORPUS = path.join(SHARED, 'corpus');
const MISSING = '../shared/corpus is not present; corpus test not run';

/**
 * For each file: the domain under a <domain> root or <domstatus>/<domain>, with its
 * devices/disk and devices/interface in document order (XPath semantics: every <devices>).
 * Sources follow virsh domblklist/domiflist: the first listed attribute in document order.
 */
const PYTHON = String.raw`
import sys, json
import xml.etree.ElementTree as ET

def first(el, names):
    if el is None:
        return None
    for k, v in el.attrib.items():
        if k in names:
            return v
    return None

def chain(disk):
    out = []
    b = disk.find('backingStore')
    while b is not None and b.find('source') is not None:
        src = b.find('source')
        idx = b.get('index') or src.get('index')
        out.append([int(idx) if idx is not None else None, first(src, ('file', 'dev', 'dir', 'name', 'volume'))])
        b = b.find('backingStore')
    return out

result = {}
for f in sys.argv[1:]:
    try:
        root = ET.parse(f).getroot()
    except Exception as e:
        result[f] = {'error': str(e)}
        continue
    dom = root if root.tag == 'domain' else (root.find('domain') if root.tag == 'domstatus' else None)
    if dom is None:
        result[f] = {'error': 'root element <%s>' % root.tag}
        continue
    disks = []
    for d in dom.findall('devices/disk'):
        src = d.find('source')
        idx = None if src is None else src.get('index')
        disks.append({
            'target': first(d.find('target'), ('dev',)),
            'source': first(src, ('file', 'dev', 'dir', 'name', 'volume')),
            'sourceIndex': int(idx) if idx is not None else None,
            'backing': chain(d),
        })
    ifaces = []
    for i in dom.findall('devices/interface'):
        mac = first(i.find('mac'), ('address',))
        ifaces.append({
            'target': first(i.find('target'), ('dev',)),
            'mac': mac.lower() if mac is not None else None,
            'source': first(i.find('source'), ('bridge', 'dev', 'network', 'name', 'path')),
        })
    result[f] = {'domain': {
        'name': (dom.findtext('name') or '').strip(),
        'diskCount': len(disks),
        'interfaceCount': len(ifaces),
        'disks': disks,
        'interfaces': ifaces,
    }}
print(json.dumps(result))
`;

interface Summary {
  name: string;
  diskCount: number;
  interfaceCount: number;
  disks: { target: string | null; source: string | null; sourceIndex: number | null; backing: [number | null, string | null][] }[];
  interfaces: { target: string | null; mac: string | null; source: string | null }[];
}
type PyResult = { domain: Summary } | { error: string };

function allFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? allFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

if (!fs.existsSync(CORPUS)) {
  t.comment(MISSING);
  t.test('corpus', { skip: MISSING }, async () => {});
} else {
  t.test('every corpus XML file: inspect agrees with ElementTree', async (t) => {
    const files = allFiles(CORPUS);
    const xml = files.filter((f) => f.endsWith('.xml'));
    t.ok(xml.length > 0, `${xml.length} XML files under ${CORPUS}`);
    const py = JSON.parse(execFileSync('python3', ['-c', PYTHON, ...xml], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Record<string, PyResult>;

    let parsed = 0;
    let errored = 0;
    let disks = 0;
    let interfaces = 0;
    for (const file of xml) {
      const rel = path.relative(CORPUS, file);
      let r: ReturnType<typeof inspectFile>;
      try {
        r = inspectFile(file);
      } catch (e) {
        t.fail(`${rel}: inspectFile threw ${String(e)}`);
        continue;
      }
      const theirs = py[file];
      if (theirs === undefined) {
        t.fail(`${rel}: no answer from python`);
        continue;
      }
      if ('error' in r) {
        errored++;
        t.ok(
          'error' in theirs,
          `${rel}: domstat refuses it (${r.error.slice(file.length + 2)}), and so does ElementTree (${'error' in theirs ? theirs.error : 'it parsed'})`,
        );
        t.ok(r.error.startsWith(`${file}: `) && !r.error.includes('\n'), `${rel}: the error is one line naming the file`);
        continue;
      }
      parsed++;
      if ('error' in theirs) {
        t.fail(`${rel}: domstat parsed it but ElementTree says ${theirs.error}`);
        continue;
      }
      const d = r.domain;
      const ours: Summary = {
        name: d.name,
        diskCount: d.disks.length,
        interfaceCount: d.interfaces.length,
        disks: d.disks.map((k) => ({
          target: k.target ?? null,
          source: k.source ?? null,
          sourceIndex: k.sourceIndex ?? null,
          backing: k.backing.map((b): [number | null, string | null] => [b.index ?? null, b.source ?? null]),
        })),
        interfaces: d.interfaces.map((n) => ({ target: n.target ?? null, mac: n.mac ?? null, source: n.source ?? null })),
      };
      t.strictSame(ours, theirs.domain, `${rel}: ${ours.diskCount} disks, ${ours.interfaceCount} interfaces`);
      disks += ours.diskCount;
      interfaces += ours.interfaceCount;
    }
    t.equal(parsed + errored, xml.length, 'every XML file was inspected');
    t.comment(`corpus: ${files.length} files, ${xml.length} XML; ${parsed} parsed (${disks} disks, ${interfaces} interfaces), ${errored} errored`);
  });
}
