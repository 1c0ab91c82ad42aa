// Hardened parsing of libvirt's domain XML. The files are untrusted: a status XML can be planted
// or corrupted, and libvirt itself never writes a DOCTYPE, entities or binary data. So: a size
// cap before parsing, no DOCTYPE/ENTITY at all, entity processing off (the five predefined
// entities and character references are decoded by hand), attributes on, values left as strings,
// element lists always arrays, and a nesting limit that still admits libvirt's 200-deep chains.
//
// CDATA is literal text: <![CDATA[x<y>&z]]> is "x<y>&z" and <![CDATA[a&amp;b]]> is "a&amp;b".
// fast-xml-parser either merges CDATA into the text (then it cannot be told from text that still
// needs decoding) or, with cdataPropName, keeps it apart, but in document order only with
// preserveOrder (without it, an element's CDATA sections are collected apart from its text). So
// documents are parsed in order and built into the shape below, each CDATA section written back
// as the escaped text it stands for: one rule, decodeEntities(), then decodes all text, lazily.

import { createRequire } from 'node:module';
import { DomstatError } from '../common/errors.js';

// fast-xml-parser's CommonJS build is one file; its ES module build is 36, and loading those
// was a third of a one-shot command's start-up (README, "One-shot speed"). Same code, same API.
const { XMLParser, XMLValidator } = createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser');

export const MAX_XML_BYTES = 2 * 1024 * 1024;
const CDATA = '#cdata';
/** libvirt allows backing chains of 200 layers in status XML; libxml2's own limit is 256. */
export const MAX_XML_DEPTH = 256;

export class XmlError extends DomstatError {
  readonly code = 'XML' as const;
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'XmlError';
  }
}

/** A parsed element: attributes under "@_name", children by tag name (always arrays). */
export type XmlNode = { readonly [key: string]: XmlNode[] | string | undefined };

const parser = new XMLParser({
  preserveOrder: true,
  cdataPropName: CDATA,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  allowBooleanAttributes: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
  trimValues: true,
  textNodeName: '#text',
  alwaysCreateTextNode: true,
  // fast-xml-parser counts its document node too: N admits elements nested N + 1 deep.
  maxNestedTags: MAX_XML_DEPTH - 1,
});

/** fast-xml-parser's ordered output: per node its children in order, each one key (tag, text or CDATA) and ':@' for attributes. */
type Ordered = { [key: string]: Ordered | string | Record<string, string> }[];

/**
 * Ordered output in the shape parseXml() returns: per element, its attributes ("@_name"), its
 * children by tag name in lists (every element is a list, so "one <disk>" and "two <disk>s" have
 * the same shape) and "#text", its text pieces (each trimmed) and CDATA sections (escaped, not
 * trimmed) in document order.
 */
function shaped(items: Ordered, element: boolean): XmlNode {
  const node: Record<string, XmlNode[] | string> = {};
  let text = '';
  let elements = 0;
  for (const item of items) {
    for (const key of Object.keys(item)) {
      const v = item[key]!;
      if (key === ':@') continue;
      if (key === '#text') text += v as string;
      else if (key === CDATA) for (const c of v as Ordered) text += (c['#text'] as string).replaceAll('&', '&amp;');
      else {
        const child = shaped(v as Ordered, true);
        const attrs = item[':@'] as Record<string, string> | undefined;
        if (attrs !== undefined) for (const a of Object.keys(attrs)) own(child as Record<string, unknown>, a, attrs[a]);
        if (!Object.hasOwn(node, key)) own(node, key, []);
        (node[key] as XmlNode[]).push(child);
        elements++;
      }
    }
  }
  // "#text" as fast-xml-parser's own shape has it: on leaves, and where there is text.
  if (element && (text !== '' || elements === 0)) node['#text'] = text;
  return node;
}

/** Sets an own property whatever its name (a key like "__proto__" must not reach the prototype). */
function own(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * HostFs reads bytes as latin1 (one char per byte); libvirt writes its XML in UTF-8. Turns the
 * bytes back into text (a leading BOM is dropped); invalid UTF-8 is refused, as libxml2 does.
 */
export function decodeXmlBytes(raw: string, file: string): string {
  if (!/[\u0080-\u00ff]/.test(raw)) return raw;
  try {
    return UTF8.decode(Buffer.from(raw, 'latin1'));
  } catch {
    throw new XmlError(file, 'not XML: contains binary data (not UTF-8)');
  }
}

const FORBIDDEN = /<!DOCTYPE|<!ENTITY|<!ELEMENT|<!ATTLIST/i;
// XML 1.0 forbids C0 controls other than tab, LF and CR.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

/** Parses one XML document under the rules above; throws XmlError with a one-line reason. */
export function parseXml(text: string, file: string): XmlNode {
  if (text.length > MAX_XML_BYTES) throw new XmlError(file, `larger than ${MAX_XML_BYTES} bytes`);
  if (CONTROL.test(text)) throw new XmlError(file, 'not XML: contains binary data');
  if (FORBIDDEN.test(text)) throw new XmlError(file, 'DOCTYPE and entity declarations are not allowed');
  if (!/^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*</.test(text)) throw new XmlError(file, 'not XML: no root element');
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    throw new XmlError(file, `malformed XML at line ${valid.err.line}: ${valid.err.msg}`);
  }
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch (e) {
    throw new XmlError(file, `rejected: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  if (!Array.isArray(doc)) throw new XmlError(file, 'not XML: no root element');
  return shaped(doc as Ordered, false);
}

const ENTITIES = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);

/** XML 1.0 "Char": what a character reference may name (no C0 controls, surrogates, U+FFFE/F). */
function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** Decodes the predefined XML entities and character references; anything else is an error. */
export function decodeEntities(s: string, file: string): string {
  if (!s.includes('&')) return s;
  // Every '&' starts a reference: up to 32 name characters, then ';'.
  return s.replace(/&([^&;<\s]{0,32});?/g, (whole, ref: string) => {
    if (!whole.endsWith(';') || ref === '') throw new XmlError(file, `bad entity reference ${whole}`);
    if (ref.startsWith('#')) {
      const cp = /^#x[0-9a-fA-F]{1,8}$/.test(ref) ? parseInt(ref.slice(2), 16) : /^#[0-9]{1,10}$/.test(ref) ? parseInt(ref.slice(1), 10) : NaN;
      if (!isXmlChar(cp)) throw new XmlError(file, `bad character reference ${whole}`);
      return String.fromCodePoint(cp);
    }
    const v = ENTITIES.get(ref);
    if (v === undefined) throw new XmlError(file, `undefined entity ${whole}`);
    return v;
  });
}

/** The child elements named `tag` (own properties only: a tag can never reach the prototype). */
export function children(node: XmlNode | undefined, tag: string): XmlNode[] {
  if (node === undefined || !Object.hasOwn(node, tag)) return [];
  const v = node[tag];
  return Array.isArray(v) ? v : [];
}

export function child(node: XmlNode | undefined, tag: string): XmlNode | undefined {
  return children(node, tag)[0];
}

/**
 * A copy of a value that does not point into the document. V8 makes a substring of 13 or more
 * characters a view of its parent, so the names and paths an inventory keeps would hold every
 * file's whole text alive (3 MB for 1000 domains).
 */
const detached = (s: string): string => (s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8'));

export function attr(node: XmlNode | undefined, name: string, file: string): string | undefined {
  const key = '@_' + name;
  if (node === undefined || !Object.hasOwn(node, key)) return undefined;
  const v = node[key];
  return typeof v === 'string' ? detached(decodeEntities(v, file)) : undefined;
}

export function text(node: XmlNode | undefined, file: string): string | undefined {
  if (node === undefined || !Object.hasOwn(node, '#text')) return undefined;
  const v = node['#text'];
  return typeof v === 'string' ? detached(decodeEntities(v, file)) : undefined;
}
