// HTTP's content negotiation headers (Accept, Accept-Encoding): comma-separated values, each with
// optional parameters, among them a q-value from 0 (refused) to 1 (the default). Values match in
// any case.

/** The highest q-value the header gives any of `values` (0: none of them, or refused). */
export function acceptQ(header: string | undefined, values: readonly string[]): number {
  if (header === undefined) return 0;
  let best = 0;
  for (const part of header.split(',')) {
    const [value = '', ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    if (!values.includes(value)) continue;
    const qs = params.map((p) => /^q\s*=\s*([0-9.]+)$/.exec(p)?.[1]).find((x) => x !== undefined);
    const q = qs === undefined ? 1 : Number(qs);
    if (q >= 0 && q <= 1) best = Math.max(best, q);
  }
  return best;
}
