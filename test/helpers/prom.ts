// A strict little reader of Prometheus exposition text (0.0.4 and OpenMetrics), for checking
// domstat's /metrics structurally: HELP/TYPE once per family and before its samples, label
// values unescaped, sample names that belong to their family.
import { spawn } from 'node:child_process';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: string;
  /** The line as printed. */
  line: string;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

export interface Exposition {
  families: Family[];
  samples: Sample[];
  /** Problems found while reading (empty for a valid text). */
  problems: string[];
}

function parseLabels(s: string, line: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  if (s[0] !== '{') return { labels, rest: s };
  let i = 1;
  for (;;) {
    if (s[i] === '}') return { labels, rest: s.slice(i + 1) };
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(s.slice(i));
    if (m === null) throw new Error(`bad label at ${i}: ${line}`);
    i += m[0].length;
    let v = '';
    for (;;) {
      const c = s[i];
      if (c === undefined) throw new Error(`unterminated label value: ${line}`);
      if (c === '"') break;
      if (c === '\\') {
        const e = s[i + 1];
        if (e === 'n') v += '\n';
        else if (e === '\\') v += '\\';
        else if (e === '"') v += '"';
        else throw new Error(`bad escape \\${e}: ${line}`);
        i += 2;
        continue;
      }
      if (c === '\n') throw new Error(`raw newline in label value: ${line}`);
      v += c;
      i++;
    }
    i++;
    if (Object.hasOwn(labels, m[1]!)) throw new Error(`label ${m[1]} twice: ${line}`);
    labels[m[1]!] = v;
    if (s[i] === ',') i++;
    else if (s[i] !== '}') throw new Error(`expected , or } at ${i}: ${line}`);
  }
}

/** Suffixes a sample name may add to its family's name, by type and format. */
function sampleNames(f: Family, openMetrics: boolean): string[] {
  if (!openMetrics) return [f.name];
  switch (f.type) {
    case 'counter':
      return [`${f.name}_total`, `${f.name}_created`];
    case 'info':
      return [`${f.name}_info`];
    default:
      return [f.name];
  }
}

export function parseExposition(text: string, openMetrics: boolean): Exposition {
  const families: Family[] = [];
  const byName = new Map<string, Family>();
  const samples: Sample[] = [];
  const problems: string[] = [];
  let current: Family | null = null;
  const lines = text.split('\n');
  if (lines[lines.length - 1] !== '') problems.push('text does not end with a newline');
  lines.pop();
  lines.forEach((line, n) => {
    if (openMetrics && line === '# EOF') {
      if (n !== lines.length - 1) problems.push(`# EOF on line ${n + 1} is not the last line`);
      return;
    }
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta !== null) {
      const [, kind, name, rest] = meta;
      let f = byName.get(name!);
      if (f === undefined) {
        f = { name: name!, type: '', help: '', samples: [] };
        byName.set(name!, f);
        families.push(f);
      } else if (f !== current || (kind === 'HELP' ? f.help !== '' : f.type !== '')) {
        problems.push(`${kind} ${name} repeated (line ${n + 1})`);
      }
      if (f.samples.length > 0) problems.push(`${kind} ${name} after its samples (line ${n + 1})`);
      if (kind === 'HELP') f.help = rest!;
      else f.type = rest!;
      current = f;
      return;
    }
    if (line.startsWith('#')) {
      problems.push(`unexpected comment on line ${n + 1}: ${line}`);
      return;
    }
    try {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(.*)$/.exec(line);
      if (m === null) throw new Error(`not a sample: ${line}`);
      const { labels, rest } = parseLabels(m[2]!, line);
      const v = /^ (\S+)$/.exec(rest);
      if (v === null || Number.isNaN(Number(v[1]))) throw new Error(`bad value: ${line}`);
      const s: Sample = { name: m[1]!, labels, value: v[1]!, line };
      samples.push(s);
      if (current === null || !sampleNames(current, openMetrics).includes(s.name))
        problems.push(`sample ${s.name} outside its family (after ${current?.name ?? 'nothing'})`);
      else current.samples.push(s);
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
    }
  });
  for (const f of families) {
    if (f.type === '') problems.push(`family ${f.name} has no TYPE`);
    if (f.help === '') problems.push(`family ${f.name} has no HELP`);
  }
  if (openMetrics && lines[lines.length - 1] !== '# EOF') problems.push('OpenMetrics text does not end with # EOF');
  return { families, samples, problems };
}

/** The samples of a metric whose labels include the given ones. */
export function find(e: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return e.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** `promtool check metrics` on a text: its exit code and output. */
export function promtoolCheck(text: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (b: Buffer) => void (out += b.toString()));
    p.stderr.on('data', (b: Buffer) => void (out += b.toString()));
    p.once('error', reject);
    p.once('close', (code) => resolve({ code, out }));
    p.stdin.end(text);
  });
}
