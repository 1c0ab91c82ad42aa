import { Command } from 'commander';
import * as path from 'node:path';
import { printJson } from './io.js';
import { type Io } from '../common/io.js';
import { HostFs, isGone } from '../host/hostfs.js';
import { parseDomainXml } from '../domains/domain-def.js';
import type { DomainDef } from '../stats/domain.js';
import { decodeXmlBytes, MAX_XML_BYTES } from '../domains/xml.js';
import { reasonWord, STATE_WORDS } from '../stats/states.js';
import { messageOf } from '../common/errors.js';
import { printable } from '../common/printable.js';

type Inspected = { file: string; domain: DomainDef } | { file: string; error: string };

export function inspectFile(file: string): Inspected {
  try {
    const text = new HostFs('/').readText(path.resolve(file), MAX_XML_BYTES);
    if (isGone(text)) return { file, error: `${file}: no such file` };
    return { file, domain: parseDomainXml(decodeXmlBytes(text, file), file) };
  } catch (e) {
    return { file, error: messageOf(e) };
  }
}

export function inspectJson(r: Inspected) {
  if ('error' in r) return { file: r.file, error: r.error };
  const d = r.domain;
  return {
    file: r.file,
    domain: {
      name: d.name,
      uuid: d.uuid ?? null,
      id: d.id,
      type: d.hvType,
      state: d.state,
      reason: d.reason,
      pid: d.pid ?? null,
      memory: d.maxMemoryKiB ?? null,
      currentMemory: d.currentMemoryKiB ?? null,
      vcpus: d.vcpuMax ?? null,
      currentVcpus: d.vcpuCurrent ?? null,
      vcpuThreads: Object.fromEntries([...d.vcpuPids].map(([id, tid]) => [String(id), tid])),
      disks: d.disks.map((k) => ({
        target: k.target ?? null,
        bus: k.bus ?? null,
        type: k.type ?? null,
        device: k.device,
        source: k.source ?? null,
        driverName: k.driverName ?? null,
        driverType: k.driverType ?? null,
      })),
      interfaces: d.interfaces.map((n) => ({ target: n.target ?? null, mac: n.mac ?? null, type: n.type ?? null, model: n.model ?? null })),
    },
  };
}

function inspectText(r: Inspected): string {
  if ('error' in r) return `${printable(r.file)}\n  error: ${printable(r.error)}\n`;
  const d = r.domain;
  const kv = (pairs: [string, unknown][]) =>
    pairs
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k} ${printable(String(v))}`)
      .join('  ');
  let s = `${printable(r.file)}\n  ${kv([
    ['name', d.name],
    ['uuid', d.uuid],
    ['id', d.id >= 0 ? d.id : '-'],
    ['type', d.hvType],
    ['state', `${STATE_WORDS[d.state]} (${reasonWord(d.state, d.reason)})`],
    ['pid', d.pid],
  ])}\n`;
  s += `  ${kv([
    ['memory', d.maxMemoryKiB === undefined ? undefined : `${d.maxMemoryKiB} KiB`],
    ['currentMemory', d.currentMemoryKiB === undefined ? undefined : `${d.currentMemoryKiB} KiB`],
    ['vcpus', d.vcpuMax],
    ['current', d.vcpuCurrent],
    ['vcpu threads', d.vcpuPids.size || undefined],
  ])}\n`;
  for (const k of d.disks)
    s += `  disk ${kv([
      ['target', k.target],
      ['bus', k.bus],
      ['type', k.type],
      ['device', k.device],
      ['source', k.source],
      ['driver', k.driverName],
      ['format', k.driverType],
    ])}\n`;
  for (const n of d.interfaces)
    s += `  interface ${kv([
      ['target', n.target],
      ['mac', n.mac],
      ['type', n.type],
      ['model', n.model],
    ])}\n`;
  return s;
}

export function inspectCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command('inspect')
    .description('show what domstat reads from domain XML files (status or definition)')
    .argument('<file...>')
    .option('--json', 'one JSON array, one object per file')
    .action((files: string[], opts: { json?: boolean }) => {
      const results = files.map(inspectFile);
      if (opts.json) printJson(io, results.map(inspectJson));
      else io.out(results.map(inspectText).join('\n'));
      if (results.some((r) => 'error' in r)) setExit(1);
    });
}
