// Turns one libvirt XML file (live status <domstatus> or a persistent <domain> definition) into
// the fields domstat needs. Devices are read only from domain/devices: private sections of status
// XML (<blockjobs>, <qemuCaps>) hold <disk>/<source> elements that are not the domain's devices.

import { attr, child, children, parseXml, text, XmlError, type XmlNode } from './xml.js';
import { U64_MAX } from '../kernel/u64.js';
import { DomainState, reasonFromXml, stateFromXml, type DomainStateValue } from '../stats/states.js';
import type { BackingLayer, DiskDef, DomainDef, InterfaceDef } from '../stats/domain.js';

const UNIT_SCALE: Record<string, bigint> = {
  b: 1n,
  bytes: 1n,
  kb: 1000n,
  k: 1024n,
  kib: 1024n,
  mb: 1000n ** 2n,
  m: 1024n ** 2n,
  mib: 1024n ** 2n,
  gb: 1000n ** 3n,
  g: 1024n ** 3n,
  gib: 1024n ** 3n,
  tb: 1000n ** 4n,
  t: 1024n ** 4n,
  tib: 1024n ** 4n,
  pb: 1000n ** 5n,
  p: 1024n ** 5n,
  pib: 1024n ** 5n,
  eb: 1000n ** 6n,
  e: 1024n ** 6n,
  eib: 1024n ** 6n,
};

/** libvirt's memory elements: a decimal with an optional unit (default KiB), rounded up to KiB. */
function memoryKiB(node: XmlNode | undefined, file: string): bigint | undefined {
  const v = text(node, file);
  if (v === undefined || v === '') return undefined;
  if (!/^[0-9]{1,20}$/.test(v)) throw new XmlError(file, `bad memory value ${JSON.stringify(v.slice(0, 30))}`);
  const unit = (attr(node, 'unit', file) ?? 'KiB').toLowerCase();
  const scale = UNIT_SCALE[unit];
  if (scale === undefined) throw new XmlError(file, `unknown memory unit ${JSON.stringify(unit.slice(0, 10))}`);
  const kib = (BigInt(v) * scale + 1023n) / 1024n;
  // A typed parameter holds an unsigned 64-bit KiB count (libvirt itself refuses far less).
  if (kib > U64_MAX) throw new XmlError(file, `memory value too large: ${v} ${unit}`);
  return kib;
}

function smallInt(s: string | undefined, what: string, file: string, min = 0): number | undefined {
  if (s === undefined) return undefined;
  if (!/^-?[0-9]{1,10}$/.test(s)) throw new XmlError(file, `bad ${what} ${JSON.stringify(s.slice(0, 30))}`);
  const n = Number(s);
  if (n < min || n > 0x7fffffff) throw new XmlError(file, `${what} out of range: ${s}`);
  return n;
}

function diskSource(disk: XmlNode, file: string): { source?: string; index?: number } {
  const src = child(disk, 'source');
  if (src === undefined) return {};
  const path = attr(src, 'file', file) ?? attr(src, 'dev', file) ?? attr(src, 'dir', file) ?? attr(src, 'name', file) ?? attr(src, 'volume', file);
  const index = smallInt(attr(src, 'index', file), 'source index', file);
  return { ...(path !== undefined ? { source: path } : {}), ...(index !== undefined ? { index } : {}) };
}

/** Follows nested <backingStore> elements; an empty one ends the chain. */
function backingChain(disk: XmlNode, file: string): BackingLayer[] {
  const layers: BackingLayer[] = [];
  for (let b = child(disk, 'backingStore'); b !== undefined && child(b, 'source') !== undefined; b = child(b, 'backingStore')) {
    const { source, index: sourceIndex } = diskSource(b, file);
    // libvirt writes a backing layer's index on <backingStore index='N'>, not on its <source>.
    const index = smallInt(attr(b, 'index', file), 'backing index', file) ?? sourceIndex;
    const layer: BackingLayer = {};
    const type = attr(b, 'type', file);
    if (type !== undefined) layer.type = type;
    if (source !== undefined) layer.source = source;
    if (index !== undefined) layer.index = index;
    layers.push(layer);
  }
  return layers;
}

function parseDisk(disk: XmlNode, file: string): DiskDef {
  const target = child(disk, 'target');
  const driver = child(disk, 'driver');
  const { source, index } = diskSource(disk, file);
  const d: DiskDef = { device: attr(disk, 'device', file) ?? 'disk', backing: backingChain(disk, file) };
  const set = <K extends keyof DiskDef>(k: K, v: DiskDef[K] | undefined) => {
    if (v !== undefined) d[k] = v;
  };
  set('target', attr(target, 'dev', file));
  set('bus', attr(target, 'bus', file));
  set('type', attr(disk, 'type', file));
  set('source', source);
  set('driverName', attr(driver, 'name', file));
  set('driverType', attr(driver, 'type', file));
  set('sourceIndex', index);
  return d;
}

/** virsh domiflist's string(source/@bridge|source/@dev|source/@network|source/@name|source/@path): the first in document order. */
const IFACE_SOURCE_KEYS = new Set(['@_bridge', '@_dev', '@_network', '@_name', '@_path']);

function interfaceSource(src: XmlNode | undefined, file: string): string | undefined {
  const key = src === undefined ? undefined : Object.keys(src).find((k) => IFACE_SOURCE_KEYS.has(k));
  return key === undefined ? undefined : attr(src, key.slice(2), file);
}

function parseInterface(iface: XmlNode, file: string): InterfaceDef {
  const target = child(iface, 'target');
  const src = child(iface, 'source');
  const n: InterfaceDef = {};
  const set = <K extends keyof InterfaceDef>(k: K, v: InterfaceDef[K] | undefined) => {
    if (v !== undefined) n[k] = v;
  };
  set('target', attr(target, 'dev', file));
  set('managed', attr(target, 'managed', file));
  set('mac', attr(child(iface, 'mac'), 'address', file)?.toLowerCase());
  set('type', attr(iface, 'type', file));
  set('model', attr(child(iface, 'model'), 'type', file));
  set('source', interfaceSource(src, file));
  return n;
}

const UUID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

function normaliseUuid(s: string | undefined, file: string): string | undefined {
  if (s === undefined) return undefined;
  if (!UUID.test(s)) throw new XmlError(file, `bad uuid ${JSON.stringify(s.slice(0, 40))}`);
  const h = s.replace(/-/g, '').toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function rootElement(doc: XmlNode, file: string): { tag: 'domstatus' | 'domain'; node: XmlNode } {
  const roots = Object.keys(doc).filter((k) => !k.startsWith('@_') && k !== '#text');
  const tag = roots[0];
  const nodes = tag === undefined ? [] : children(doc, tag);
  if (roots.length !== 1 || nodes.length !== 1 || (tag !== 'domstatus' && tag !== 'domain')) {
    throw new XmlError(file, `expected one <domain> or <domstatus> root element, found ${roots.length ? roots.map((r) => `<${r}>`).join(', ') : 'none'}`);
  }
  return { tag, node: nodes[0] as XmlNode };
}

/** Parses status or definition XML text; throws XmlError for anything unusable. */
export function parseDomainXml(xmlText: string, file: string): DomainDef {
  const { tag, node: root } = rootElement(parseXml(xmlText, file), file);
  const live = tag === 'domstatus';
  const dom = live ? child(root, 'domain') : root;
  if (dom === undefined) throw new XmlError(file, '<domstatus> without a <domain> element');

  const name = text(child(dom, 'name'), file);
  if (name === undefined || name === '') throw new XmlError(file, 'domain has no <name>');
  const hvType = attr(dom, 'type', file);
  if (hvType === undefined) throw new XmlError(file, '<domain> has no type attribute');

  let state: DomainStateValue = DomainState.SHUTOFF;
  let reason = 0;
  let id = -1;
  let pid: number | undefined;
  const vcpuPids = new Map<number, number>();
  if (live) {
    const s = stateFromXml(attr(root, 'state', file));
    if (s === undefined) throw new XmlError(file, `unknown domain state ${JSON.stringify(attr(root, 'state', file))}`);
    state = s;
    reason = reasonFromXml(s, attr(root, 'reason', file));
    pid = smallInt(attr(root, 'pid', file), 'pid', file);
    id = smallInt(attr(dom, 'id', file), 'domain id', file, -1) ?? -1;
    for (const v of children(child(root, 'vcpus'), 'vcpu')) {
      const vid = smallInt(attr(v, 'id', file), 'vcpu id', file);
      const tid = smallInt(attr(v, 'pid', file), 'vcpu pid', file);
      if (vid !== undefined && tid !== undefined) vcpuPids.set(vid, tid);
    }
  }

  const vcpu = child(dom, 'vcpu');
  const vcpuMax = smallInt(text(vcpu, file) || undefined, 'vcpu count', file);
  const vcpuCurrent = smallInt(attr(vcpu, 'current', file), 'current vcpu count', file) ?? vcpuMax;
  const devices = child(dom, 'devices');

  const def: DomainDef = {
    name,
    id,
    hvType,
    state,
    reason,
    vcpuPids,
    disks: children(devices, 'disk').map((d) => parseDisk(d, file)),
    interfaces: children(devices, 'interface').map((i) => parseInterface(i, file)),
    live,
  };
  const uuid = normaliseUuid(text(child(dom, 'uuid'), file), file);
  if (uuid !== undefined) def.uuid = uuid;
  if (pid !== undefined && pid > 0) def.pid = pid;
  const maxMem = memoryKiB(child(dom, 'memory'), file);
  if (maxMem !== undefined) def.maxMemoryKiB = maxMem;
  const curMem = memoryKiB(child(dom, 'currentMemory'), file) ?? maxMem;
  if (curMem !== undefined) def.currentMemoryKiB = curMem;
  if (vcpuMax !== undefined) def.vcpuMax = vcpuMax;
  if (vcpuCurrent !== undefined) def.vcpuCurrent = vcpuCurrent;
  return def;
}
