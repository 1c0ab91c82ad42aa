// The hardened XML layer: document shape, entity decoding, byte decoding, and its limits.
import t from 'tap';
import {
  attr,
  child,
  children,
  decodeEntities,
  decodeXmlBytes,
  MAX_XML_BYTES,
  MAX_XML_DEPTH,
  parseXml,
  text,
  XmlError,
  type XmlNode,
} from '../../src/domains/xml.js';
import { expectXmlError } from '../helpers/xml-assert.js';
import { parseDomainXml } from '../../src/domains/domain-def.js';

const F = '/run/libvirt/qemu/t.xml';

t.test('document shape: every element a list, attributes under @_, text under #text, values strings', async (t) => {
  const doc = parseXml(
    `<?xml version='1.0' encoding='UTF-8'?>\n<!--\nWARNING: THIS IS AN AUTO-GENERATED FILE.\n-->\n\n<domain type='kvm' id='007'>\n  <name> lab </name>\n  <vcpu current='01'>1e3</vcpu>\n  <uuid>0x1F</uuid>\n  <devices><disk type='file'/><disk type='block'>t<x/></disk></devices>\n  <?pi ignored?>\n</domain>\n`,
    F,
  );
  t.strictSame(doc, {
    domain: [
      {
        name: [{ '#text': 'lab' }],
        vcpu: [{ '#text': '1e3', '@_current': '01' }],
        uuid: [{ '#text': '0x1F' }],
        devices: [
          {
            disk: [
              { '#text': '', '@_type': 'file' },
              { x: [{ '#text': '' }], '#text': 't', '@_type': 'block' },
            ],
          },
        ],
        '@_type': 'kvm',
        '@_id': '007',
      },
    ],
  });
  const dom = child(doc, 'domain');
  t.equal(children(child(dom, 'devices'), 'disk').length, 2, 'two <disk> children');
  t.equal(children(dom, 'devices').length, 1, 'one <devices> is still a list');
  t.equal(attr(dom, 'id', F), '007', 'attribute values are not parsed as numbers');
  t.equal(text(child(dom, 'vcpu'), F), '1e3', 'text is not parsed as a number');
  t.equal(text(child(dom, 'uuid'), F), '0x1F', 'hex-looking text stays text');
  t.equal(text(child(dom, 'name'), F), 'lab', 'text is trimmed');
  t.equal(attr(dom, 'missing', F), undefined);
  t.equal(text(undefined, F), undefined);
  t.equal(child(dom, 'missing'), undefined);
  t.strictSame(children(undefined, 'disk'), []);
});

t.test('helpers only see own properties: tag names cannot reach Object.prototype', async (t) => {
  const doc = parseXml(`<domain type='kvm' constructor='c' __proto__='p'><name>a</name><hasOwnProperty/><toString>1</toString></domain>`, F);
  const dom = child(doc, 'domain') as XmlNode;
  t.strictSame(children(dom, 'constructor'), [], 'no <constructor> child');
  t.strictSame(children(dom, 'valueOf'), [], 'no <valueOf> child');
  t.strictSame(children(dom, '__proto__'), [], 'no <__proto__> child');
  // fast-xml-parser renames dangerous tag names with a "__" prefix, so the real names are absent.
  t.strictSame(children(dom, 'hasOwnProperty'), []);
  t.strictSame(children(dom, 'toString'), []);
  t.equal(attr(dom, 'constructor', F), 'c', 'an attribute named constructor is just data');
  t.equal(attr(dom, '__proto__', F), 'p', 'an attribute named __proto__ is just data');
  t.equal(Object.getPrototypeOf(dom), Object.prototype, 'the node keeps its normal prototype');
  t.equal(({} as Record<string, unknown>).polluted, undefined);
});

t.test('decodeEntities: the five predefined entities and character references, single pass', async (t) => {
  const cases: [string, string][] = [
    ['plain', 'plain'],
    ['a&amp;b', 'a&b'],
    ['&lt;&gt;&quot;&apos;', `<>"'`],
    ['&#x41;&#66;&#x63;', 'ABc'],
    ['&#x0041;&#00065;', 'AA'],
    ['caf&#xE9;', 'café'],
    ['&#x1F600;', '\u{1F600}'],
    ['&#9;&#xA;&#13;', '\t\n\r'],
    ['&amp;lt;', '&lt;'],
    ['&#x26;gt;', '&gt;'],
    ['x&#x10FFFF;', 'x\u{10FFFF}'],
  ];
  for (const [input, want] of cases) t.equal(decodeEntities(input, F), want, JSON.stringify(input));
});

t.test('decodeEntities: anything else is an XmlError naming the file', async (t) => {
  const bad: [string, string][] = [
    ['&foo;', 'undefined entity &foo;'],
    ['&AMP;', 'undefined entity &AMP;'],
    ['&nbsp;', 'undefined entity &nbsp;'],
    ['&a1;', 'undefined entity &a1;'],
    ['&_x;', 'undefined entity &_x;'],
    // Object.prototype's names are not entities either.
    ['&constructor;', 'undefined entity &constructor;'],
    ['&toString;', 'undefined entity &toString;'],
    ['&__proto__;', 'undefined entity &__proto__;'],
    ['a &amp b', 'bad entity reference &amp'],
    ['x&', 'bad entity reference &'],
    ['&;', 'bad entity reference &;'],
    ['&#65', 'bad entity reference &#65'],
    ['&#;', 'bad character reference &#;'],
    ['&#x;', 'bad character reference &#x;'],
    ['&#xZZ;', 'bad character reference &#xZZ;'],
    ['&#0;', 'bad character reference &#0;'],
    // XML 1.0 Char only: no C0 controls (an ESC would reach terminals), no surrogates, no U+FFFE/F.
    ['&#27;', 'bad character reference &#27;'],
    ['&#x1b;', 'bad character reference &#x1b;'],
    ['&#xD800;', 'bad character reference &#xD800;'],
    ['&#xDFFF;', 'bad character reference &#xDFFF;'],
    ['&#xFFFE;', 'bad character reference &#xFFFE;'],
    ['&#x110000;', 'bad character reference &#x110000;'],
    ['&#99999999999999999999;', 'bad character reference &#99999999999999999999;'],
  ];
  for (const [input, reason] of bad) expectXmlError(t, () => decodeEntities(input, F), F, reason, JSON.stringify(input));
});

t.test('decodeXmlBytes: HostFs latin1 text back to UTF-8', async (t) => {
  const latin1 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
  t.equal(decodeXmlBytes('<domain/>', F), '<domain/>', 'ASCII is unchanged');
  t.equal(decodeXmlBytes(latin1('<name>café-ü-日本</name>'), F), '<name>café-ü-日本</name>');
  t.equal(decodeXmlBytes(latin1('\uFEFF<domain/>'), F), '<domain/>', 'a UTF-8 BOM is dropped');
  expectXmlError(t, () => decodeXmlBytes('\x89PNG\r\n\x1a\n', F), F, 'not XML: contains binary data (not UTF-8)', 'PNG signature');
  expectXmlError(t, () => decodeXmlBytes('<name>caf\xe9</name>', F), F, 'not XML: contains binary data (not UTF-8)', 'latin1 é is not UTF-8');
  expectXmlError(t, () => decodeXmlBytes('\xc3', F), F, 'not XML: contains binary data (not UTF-8)', 'truncated sequence');
});

t.test('DOCTYPE and entity declarations are refused before parsing, in any spelling', async (t) => {
  const reason = 'DOCTYPE and entity declarations are not allowed';
  const docs = [
    `<!DOCTYPE domain><domain type='kvm'><name>a</name></domain>`,
    `<!doctype domain><domain type='kvm'><name>a</name></domain>`,
    `<?xml version='1.0'?>\n<!-- x -->\n<!DocType domain [<!ENTITY a "b">]><domain type='kvm'><name>&a;</name></domain>`,
    `<domain type='kvm'><name>a</name><!ENTITY x "y"></domain>`,
    `<domain type='kvm'><name>a</name><!ELEMENT x ANY></domain>`,
    `<domain type='kvm'><name>a</name><!ATTLIST x y CDATA #IMPLIED></domain>`,
  ];
  for (const d of docs) expectXmlError(t, () => parseXml(d, F), F, reason, d.slice(0, 40));
});

t.test('size cap: MAX_XML_BYTES characters pass, one more is refused', async (t) => {
  t.equal(MAX_XML_BYTES, 2 * 1024 * 1024);
  const head = `<domain type='kvm'><name>a</name><description>`;
  const tail = `</description></domain>`;
  const exact = head + 'x'.repeat(MAX_XML_BYTES - head.length - tail.length) + tail;
  t.equal(exact.length, MAX_XML_BYTES);
  t.equal(text(child(child(parseXml(exact, F), 'domain'), 'name'), F), 'a', 'exactly at the limit parses');
  expectXmlError(t, () => parseXml(exact + ' ', F), F, `larger than ${MAX_XML_BYTES} bytes`, 'one byte over');
});

t.test('nesting limit: MAX_XML_DEPTH levels parse, one more does not', async (t) => {
  t.equal(MAX_XML_DEPTH, 256);
  const nest = (n: number) => '<a>'.repeat(n) + '</a>'.repeat(n);
  const ok = parseXml(nest(MAX_XML_DEPTH), F);
  let depth = 0;
  for (let n: XmlNode | undefined = ok; (n = child(n, 'a')) !== undefined;) depth++;
  t.equal(depth, MAX_XML_DEPTH, 'all 256 levels are in the tree');
  expectXmlError(t, () => parseXml(nest(MAX_XML_DEPTH + 1), F), F, 'rejected: Maximum nested tags exceeded', '257 levels');
});

t.test('XmlError carries the file and a one-line message', async (t) => {
  const e = new XmlError('/x.xml', 'bad thing');
  t.equal(e.message, '/x.xml: bad thing');
  t.equal(e.file, '/x.xml');
  t.equal(e.code, 'XML');
  t.equal(e.name, 'XmlError');
  t.ok(e instanceof Error);
});

t.test('CDATA is literal text; entities are decoded in text and attributes only', async (t) => {
  const nameOf = (inner: string) => text(child(child(parseXml(`<domain type='kvm'><name>${inner}</name></domain>`, F), 'domain'), 'name'), F);
  const cases: [inner: string, want: string][] = [
    ['<![CDATA[x<y>&z]]>', 'x<y>&z'],
    ['<![CDATA[a&amp;b]]>', 'a&amp;b'],
    ['<![CDATA[&#65;&lt;]]>', '&#65;&lt;'],
    ['<![CDATA[<!-- not a comment --><b>not an element</b>]]>', '<!-- not a comment --><b>not an element</b>'],
    ['<![CDATA[]]>', ''],
    ['<![CDATA[ kept spaces ]]>', ' kept spaces '],
    // Text and CDATA in one element: concatenated in document order, text decoded, CDATA not.
    ['p&amp;<![CDATA[<q>]]>r<![CDATA[&s]]>t&#33;', 'p&<q>r&st!'],
    ['<![CDATA[1]]><![CDATA[2]]>', '12'],
    ['a<!-- <![CDATA[inside a comment]]> -->b', 'ab'],
  ];
  for (const [inner, want] of cases) t.equal(nameOf(inner), want, inner);
  t.strictSame(
    parseXml(`<domain type='a&amp;b'><name>x<![CDATA[&]]><i/>y</name><uuid><![CDATA[u]]></uuid></domain>`, F),
    { domain: [{ name: [{ i: [{ '#text': '' }], '#text': 'x&amp;y' }], uuid: [{ '#text': 'u' }], '@_type': 'a&amp;b' }] },
    'the document shape: CDATA becomes escaped text beside the rest, in order',
  );
  expectXmlError(t, () => nameOf('&nbsp;<![CDATA[c]]>'), F, 'undefined entity &nbsp;', 'text outside CDATA is still decoded and checked');
  const def = parseDomainXml(`<domain type='kvm'><name><![CDATA[web<1>&co]]></name></domain>`, F);
  t.equal(def.name, 'web<1>&co', 'a domain named in CDATA');
});
