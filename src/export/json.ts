// JSON with exact 64-bit integers: bigint values are written as bare JSON numbers, digit for
// digit (JSON has no size limit; JavaScript readers that need exactness parse with a reviver).

export type Json = null | boolean | number | bigint | string | readonly Json[] | { readonly [k: string]: Json | undefined };

export function toJson(value: Json, indent = 2): string {
  const walk = (v: Json, depth: number): string => {
    if (v === null) return 'null';
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
    if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
    const pad = ' '.repeat(indent * (depth + 1));
    const end = ' '.repeat(indent * depth);
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return `[\n${(v as readonly Json[]).map((x) => pad + walk(x, depth + 1)).join(',\n')}\n${end}]`;
    }
    const entries = Object.entries(v as { [k: string]: Json | undefined }).filter(([, x]) => x !== undefined) as [string, Json][];
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, x]) => `${pad}${JSON.stringify(k)}: ${walk(x, depth + 1)}`).join(',\n')}\n${end}}`;
  };
  return walk(value, 0);
}
