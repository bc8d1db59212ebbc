// TEMPORARY stub (lead engineer) until the JSON_Decoder port lands; the helper owns this file.
export function decodeJsonPlugin(input: string, opts: { nullField: 'discard' | 'string'; arrayStructure: 'array' | 'csv' }): Array<[string, string]> | null {
  let v: unknown;
  try { v = JSON.parse(Buffer.from(input, 'latin1').toString('utf8')); } catch { return null; }
  const out: Array<[string, string]> = [];
  const walk = (o: unknown, prefix: string): void => {
    if (o && typeof o === 'object' && !Array.isArray(o)) {
      for (const [k, x] of Object.entries(o)) walk(x, prefix ? `${prefix}.${k}` : k);
    } else if (o === null) { if (opts.nullField === 'string') out.push([prefix, 'null']); }
    else if (Array.isArray(o)) out.push([prefix, JSON.stringify(o)]);
    else out.push([prefix, Buffer.from(String(o), 'utf8').toString('latin1')]);
  };
  walk(v, '');
  return out;
}
