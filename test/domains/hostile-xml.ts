// Hostile and broken domain XML: every one is refused with a one-line XmlError naming the file,
// nothing hangs or eats memory, Object.prototype stays clean, and in an inventory a bad file
// costs that file only.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDomainXml } from '../../src/domains/domain-def.js';
import { MAX_XML_BYTES } from '../../src/domains/xml.js';
import { readInventory } from '../../src/domains/inventory.js';
import { HostFs } from '../../src/host/hostfs.js';
import { inspectFile } from '../../src/cli/inspect.js';
import { fixture } from '../helpers/cli.js';
import { expectXmlError } from '../helpers/xml-assert.js';

const F = '/run/libvirt/qemu/hostile.xml';
/** Generous: these finish in milliseconds; the bound only proves that nothing hung. */
const BOUND_MS = 5000;

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<domain type='kvm'><name>&lol9;</name></domain>
`;

const EXTERNAL_ENTITY = `<?xml version="1.0"?>
<!DOCTYPE domain [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<domain type='kvm'><name>&x;</name></domain>
`;

/** Deterministic "random" bytes (xorshift32), so the expected message is exact. */
function garbage(n: number, seed = 0x9e3779b9): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

const PNG = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89,
]);
const deep = (n: number) => `<domain type='kvm'><name>deep</name><metadata>${'<x>'.repeat(n)}${'</x>'.repeat(n)}</metadata></domain>`;
const UUID = 'ce73487d-0862-4d64-9db7-9237b01b03e1';
const status = (domainAttrs: string, inner: string) =>
  `<domstatus state='running' reason='booted' pid='1'><domain type='kvm' ${domainAttrs}>${inner}</domain></domstatus>`;

interface Case {
  label: string;
  content: string | Buffer;
  /** The reason parseDomainXml gives for the content as a JS string (Buffers: read as latin1, like HostFs). */
  reason: string;
  /** The reason when read from a file (HostFs bytes, UTF-8 decoding) if it differs. */
  fileReason?: string;
}

const DOCTYPE = 'DOCTYPE and entity declarations are not allowed';
const BINARY = 'not XML: contains binary data';
const NOT_UTF8 = 'not XML: contains binary data (not UTF-8)';
const SECURITY = (n: string) => `rejected: [SECURITY] Invalid name: "${n}" is a reserved JavaScript keyword that could cause prototype pollution`;

const CASES: Case[] = [
  { label: 'billion laughs', content: BILLION_LAUGHS, reason: DOCTYPE },
  { label: 'external entity', content: EXTERNAL_ENTITY, reason: DOCTYPE },
  { label: 'external DTD', content: `<!DOCTYPE domain SYSTEM "http://203.0.113.1/evil.dtd"><domain type='kvm'><name>a</name></domain>`, reason: DOCTYPE },
  {
    label: 'parameter entity',
    content: `<!DOCTYPE d [<!ENTITY % p SYSTEM "file:///etc/shadow"> %p;]><domain type='kvm'><name>a</name></domain>`,
    reason: DOCTYPE,
  },
  {
    label: '<__proto__> element',
    content: `<domain type='kvm'><name>p</name><__proto__><polluted>yes</polluted></__proto__></domain>`,
    reason: SECURITY('__proto__'),
  },
  {
    label: '<__proto__> inside a disk',
    content: status(`id='1'`, `<name>p</name><devices><disk type='file'><__proto__ polluted='yes'/></disk></devices>`),
    reason: SECURITY('__proto__'),
  },
  {
    label: '<constructor><prototype>',
    content: `<domain type='kvm'><name>p</name><constructor><prototype><polluted>yes</polluted></prototype></constructor></domain>`,
    reason: SECURITY('constructor'),
  },
  {
    label: '<prototype> element',
    content: `<domain type='kvm'><name>p</name><devices><prototype polluted='yes'/></devices></domain>`,
    reason: SECURITY('prototype'),
  },
  { label: '<__proto__> root', content: `<__proto__><polluted>yes</polluted></__proto__>`, reason: SECURITY('__proto__') },
  { label: 'nesting 10 000 deep', content: deep(10_000), reason: 'rejected: Maximum nested tags exceeded' },
  { label: 'nesting 100 000 deep', content: deep(100_000), reason: 'rejected: Maximum nested tags exceeded' },
  { label: 'random bytes', content: garbage(4096), reason: BINARY, fileReason: NOT_UTF8 },
  { label: 'PNG header', content: PNG, reason: BINARY, fileReason: NOT_UTF8 },
  { label: 'NUL bytes only', content: Buffer.alloc(1024), reason: BINARY },
  { label: 'NUL inside a name', content: `<domain type='kvm'><name>a\u0000b</name></domain>`, reason: BINARY },
  { label: 'UTF-16 with BOM', content: Buffer.from(`\uFEFF<domain type='kvm'><name>a</name></domain>`, 'utf16le'), reason: BINARY, fileReason: NOT_UTF8 },
  { label: 'empty file', content: '', reason: 'not XML: no root element' },
  { label: 'plain text', content: 'this is not xml\n', reason: 'not XML: no root element' },
  { label: 'git symlink stub', content: 'q35-pcie.xml', reason: 'not XML: no root element' },
  { label: 'unclosed root', content: `<domain type='kvm'><name>a</name>`, reason: "malformed XML at line 1: Unclosed tag 'domain'." },
  {
    label: 'unclosed element',
    content: `<domain type='kvm'>\n<name>a</domain>`,
    reason: "malformed XML at line 2: Expected closing tag 'name' (opened in line 2, col 1) instead of closing tag 'domain'.",
  },
  {
    label: 'unclosed status',
    content: `<domstatus state='running'><domain type='kvm' id='1'><name>a</name></domain>`,
    reason: "malformed XML at line 1: Unclosed tag 'domstatus'.",
  },
  {
    label: 'truncated mid-tag',
    content: `<domain type='kvm'><name>a</name><devices><disk type='fi`,
    reason: "malformed XML at line 1: Attributes for 'disk' have open quote.",
  },
  {
    label: 'two root elements',
    content: `<domain type='kvm'><name>a</name></domain>\n<domain type='kvm'><name>b</name></domain>`,
    reason: 'malformed XML at line 2: Multiple possible root nodes found.',
  },
  { label: 'text after the root', content: `<domain type='kvm'><name>a</name></domain>trailing`, reason: 'malformed XML at line 1: Extra text at the end' },
  { label: 'root <network>', content: `<network><name>default</name></network>`, reason: 'expected one <domain> or <domstatus> root element, found <network>' },
  {
    label: 'root <Domain>',
    content: `<Domain type='kvm'><name>a</name></Domain>`,
    reason: 'expected one <domain> or <domstatus> root element, found <Domain>',
  },
  {
    label: 'root <domainsnapshot>',
    content: `<domainsnapshot><name>s1</name><domain type='kvm'><name>a</name></domain></domainsnapshot>`,
    reason: 'expected one <domain> or <domstatus> root element, found <domainsnapshot>',
  },
  { label: 'missing <name>', content: status(`id='1'`, `<uuid>${UUID}</uuid>`), reason: 'domain has no <name>' },
  { label: 'bad uuid', content: status(`id='1'`, `<name>a</name><uuid>${UUID}0</uuid>`), reason: `bad uuid "${UUID}0"` },
  { label: 'uuid with an injected newline', content: `<domain type='kvm'><name>a</name><uuid>x&#10;y</uuid></domain>`, reason: 'bad uuid "x\\ny"' },
  { label: 'bad memory value', content: `<domain type='kvm'><name>a</name><memory unit='KiB'>lots</memory></domain>`, reason: 'bad memory value "lots"' },
  { label: 'negative memory', content: `<domain type='kvm'><name>a</name><memory>-1</memory></domain>`, reason: 'bad memory value "-1"' },
  { label: 'huge id', content: status(`id='99999999999999999999'`, `<name>a</name>`), reason: 'bad domain id "99999999999999999999"' },
  { label: 'id beyond int32', content: status(`id='4294967295'`, `<name>a</name>`), reason: 'domain id out of range: 4294967295' },
  { label: 'undefined entity', content: `<domain type='kvm'><name>&foo;</name></domain>`, reason: 'undefined entity &foo;' },
  { label: 'ESC by character reference', content: `<domain type='kvm'><name>x&#x1b;]0;pwned&#7;</name></domain>`, reason: 'bad character reference &#x1b;' },
  {
    label: 'size over the cap',
    content: `<domain type='kvm'><name>a</name><description>${'A'.repeat(MAX_XML_BYTES)}</description></domain>`,
    reason: `larger than ${MAX_XML_BYTES} bytes`,
    fileReason: `file larger than ${MAX_XML_BYTES} bytes`,
  },
];

const asText = (c: string | Buffer) => (typeof c === 'string' ? c : c.toString('latin1'));

t.test('each hostile document is one XmlError naming the file, quickly', async (t) => {
  for (const c of CASES) {
    const start = performance.now();
    expectXmlError(t, () => parseDomainXml(asText(c.content), F), F, c.reason, c.label);
    const ms = performance.now() - start;
    t.ok(ms < BOUND_MS, `${c.label}: returned in ${ms.toFixed(1)} ms (bound ${BOUND_MS} ms)`);
  }
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is not polluted');
  t.notOk(Object.hasOwn(Object.prototype, 'polluted'));
});

t.test('read from a file, each is one error line naming the file (inspect path)', async (t) => {
  const dir = t.testdir();
  for (const [i, c] of CASES.entries()) {
    const file = path.join(dir, `case-${i}.xml`);
    fs.writeFileSync(file, c.content);
    const r = inspectFile(file);
    // HostFs names the host path (absolute); the XML layer names the path it was given.
    t.strictSame(r, { file, error: `${file}: ${c.fileReason ?? c.reason}` }, `${c.label}: exact error`);
  }
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is not polluted');
});

t.test('dangerous attribute names and texts are harmless data', async (t) => {
  const d = parseDomainXml(
    `<domain type='kvm' __proto__='x' constructor='y' prototype='z'><name>__proto__</name><devices><disk type='file' __proto__='polluted'><source file='/a' constructor='c'/><target dev='vda' prototype='p' bus='virtio'/></disk><interface type='bridge' __proto__='q'><mac address='52:54:00:00:00:01' constructor='m'/><target dev='constructor'/></interface></devices></domain>`,
    F,
  );
  t.equal(d.name, '__proto__', 'a domain may be called __proto__');
  t.strictSame(d.disks, [{ target: 'vda', bus: 'virtio', type: 'file', device: 'disk', source: '/a', backing: [] }]);
  t.strictSame(d.interfaces, [{ target: 'constructor', mac: '52:54:00:00:00:01', type: 'bridge' }]);
  t.equal(Object.getPrototypeOf(d), Object.prototype);
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is not polluted');
});

t.test('250-deep nesting inside <domain> is accepted (libvirt writes 200-deep backing chains)', async (t) => {
  const start = performance.now();
  const d = parseDomainXml(deep(250), F);
  t.ok(performance.now() - start < BOUND_MS, 'bounded time');
  t.equal(d.name, 'deep');
  const s = parseDomainXml(
    `<domstatus state='running' reason='booted' pid='1'>${deep(250).replace("<domain type='kvm'>", "<domain type='kvm' id='3'>")}</domstatus>`,
    F,
  );
  t.equal(s.name, 'deep', 'also under <domstatus>');
  t.equal(s.id, 3);
});

/** Copies a fixture tree into a fresh directory, writable (the fixtures are read-only). */
function copyTree(t: Test, name: string): string {
  const root = path.join(t.testdir(), 'root');
  fs.cpSync(fixture(name), root, { recursive: true });
  const walk = (p: string): void => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    fs.chmodSync(p, st.isDirectory() ? 0o755 : 0o644);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
  };
  walk(root);
  return root;
}

const GHOST = `<domstatus state='running' reason='booted' pid='999'><domain type='kvm' id='99'><name>ghost</name><uuid>00000000-0000-4000-8000-000000000099</uuid></domain></domstatus>`;

t.test('inventory: one hostile status file among good ones costs that file only', async (t) => {
  const root = copyTree(t, 'libvirt9-qemu7-hybrid-cgroup');
  const qemu = path.join(root, 'var/run/libvirt/qemu');
  fs.writeFileSync(path.join(qemu, 'evil.xml'), BILLION_LAUGHS);
  // libvirt writes NAME.xml.new and renames it: a half-written or stale one is never read.
  fs.writeFileSync(path.join(qemu, 'ghost.xml.new'), GHOST);
  fs.writeFileSync(path.join(qemu, 'evil.xml.new'), EXTERNAL_ENTITY);
  const inv = readInventory(new HostFs(root));
  t.strictSame(
    inv.domains.map((d) => [d.name, d.id, d.file, d.persistent, d.driver]),
    [
      ['lab-busy', 7, '/var/run/libvirt/qemu/lab-busy.xml', true, 'kvm'],
      ['lab-idle', 8, '/var/run/libvirt/qemu/lab-idle.xml', true, 'kvm'],
    ],
  );
  t.strictSame(inv.problems, [{ file: '/var/run/libvirt/qemu/evil.xml', message: `/var/run/libvirt/qemu/evil.xml: ${DOCTYPE}` }]);
});

t.test('inventory: with /run and /var/run the same directory (a real host), the bad file is reported once', async (t) => {
  const root = copyTree(t, 'libvirt9-qemu7-hybrid-cgroup');
  fs.symlinkSync('var/run', path.join(root, 'run'));
  const qemu = path.join(root, 'run/libvirt/qemu');
  fs.writeFileSync(path.join(qemu, 'evil.xml'), `<domain type='kvm'><name>p</name><__proto__><polluted>yes</polluted></__proto__></domain>`);
  fs.writeFileSync(path.join(qemu, 'ghost.xml.new'), GHOST);
  const inv = readInventory(new HostFs(root));
  t.strictSame(
    inv.domains.map((d) => [d.name, d.file]),
    [
      ['lab-busy', '/run/libvirt/qemu/lab-busy.xml'],
      ['lab-idle', '/run/libvirt/qemu/lab-idle.xml'],
    ],
  );
  t.strictSame(inv.problems, [{ file: '/run/libvirt/qemu/evil.xml', message: `/run/libvirt/qemu/evil.xml: ${SECURITY('__proto__')}` }]);
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is not polluted');
});

/** Writes a well-formed-looking domain of `bytes` bytes in 1 MiB chunks (never one big string). */
function writeBig(file: string, bytes: number): void {
  const head = Buffer.from(`<domain type='kvm'><name>big</name><description>`);
  const tail = Buffer.from(`</description></domain>\n`);
  const chunk = Buffer.alloc(1 << 20, 'A');
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, head);
    let left = bytes - head.length - tail.length;
    while (left > 0) left -= fs.writeSync(fd, chunk, 0, Math.min(left, chunk.length));
    fs.writeSync(fd, tail);
  } finally {
    fs.closeSync(fd);
  }
}

const BIG = 50 * 1024 * 1024;
const RSS_BOUND = 200 * 1024 * 1024;

t.test('a 50 MB status file hits the size cap before parsing (inventory path)', async (t) => {
  const root = copyTree(t, 'libvirt9-qemu7-hybrid-cgroup');
  const big = path.join(root, 'var/run/libvirt/qemu/big.xml');
  writeBig(big, BIG);
  t.equal(fs.statSync(big).size, BIG);
  const rss0 = process.memoryUsage().rss;
  const start = performance.now();
  const inv = readInventory(new HostFs(root));
  const ms = performance.now() - start;
  const grew = process.memoryUsage().rss - rss0;
  t.ok(ms < BOUND_MS, `returned in ${ms.toFixed(0)} ms (bound ${BOUND_MS} ms)`);
  t.ok(grew < RSS_BOUND, `rss grew by ${(grew / 1048576).toFixed(1)} MiB (bound 200 MiB)`);
  t.strictSame(
    inv.domains.map((d) => d.name),
    ['lab-busy', 'lab-idle'],
  );
  t.strictSame(inv.problems, [
    { file: '/var/run/libvirt/qemu/big.xml', message: `/var/run/libvirt/qemu/big.xml: file larger than ${MAX_XML_BYTES} bytes`, errno: 'EFBIG' },
  ]);
});

t.test('a 50 MB file hits the size cap before parsing (inspect path)', async (t) => {
  const big = path.join(t.testdir(), 'big.xml');
  writeBig(big, BIG);
  const rss0 = process.memoryUsage().rss;
  const start = performance.now();
  const r = inspectFile(big);
  const ms = performance.now() - start;
  const grew = process.memoryUsage().rss - rss0;
  t.ok(ms < BOUND_MS, `returned in ${ms.toFixed(0)} ms (bound ${BOUND_MS} ms)`);
  t.ok(grew < RSS_BOUND, `rss grew by ${(grew / 1048576).toFixed(1)} MiB (bound 200 MiB)`);
  t.strictSame(r, { file: big, error: `${big}: file larger than ${MAX_XML_BYTES} bytes` });
});
