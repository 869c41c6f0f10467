/**
 * A validator for the part of JSON Schema (2020-12) that docs/events.schema.json uses: type,
 * const, enum, required, properties, additionalProperties, items, oneOf, $ref to #/$defs, pattern,
 * minimum. A keyword outside that set is an error, so the schema cannot silently outgrow it.
 */
export type Schema = { readonly [k: string]: unknown };

const KNOWN = new Set(['$schema', '$id', 'title', 'description', 'type', 'const', 'enum', 'required', 'properties', 'additionalProperties', 'items', 'oneOf', '$ref', '$defs', 'pattern', 'minimum', 'format']);

function typeOk(v: unknown, t: string): boolean {
  switch (t) {
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'integer':
      return Number.isInteger(v);
    case 'null':
      return v === null;
    default:
      return typeof v === t;
  }
}

/** Problems of `value` against `schema` (empty: valid), each with its JSON path. */
export function validate(schema: Schema, value: unknown, root: Schema = schema, at = '$'): string[] {
  for (const k of Object.keys(schema)) if (!KNOWN.has(k)) throw new Error(`schema keyword ${k} at ${at} is not supported by this validator`);
  if (typeof schema.$ref === 'string') {
    const m = /^#\/\$defs\/(.+)$/.exec(schema.$ref);
    const target = m ? (root.$defs as Record<string, Schema> | undefined)?.[m[1]!] : undefined;
    if (!target) throw new Error(`unresolved $ref ${schema.$ref}`);
    return validate(target, value, root, at);
  }
  const out: string[] = [];
  if (schema.type !== undefined) {
    const types = ([] as string[]).concat(schema.type as string | string[]);
    if (!types.some((t) => typeOk(value, t))) return [`${at}: ${JSON.stringify(value)} is not ${types.join(' or ')}`];
  }
  if ('const' in schema && value !== schema.const) out.push(`${at}: ${JSON.stringify(value)} is not ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) out.push(`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
  if (typeof schema.pattern === 'string' && typeof value === 'string' && !new RegExp(schema.pattern, 'u').test(value)) out.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
  if (typeof schema.minimum === 'number' && typeof value === 'number' && value < schema.minimum) out.push(`${at}: ${value} < ${schema.minimum}`);
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => out.push(...validate(schema.items as Schema, v, root, `${at}[${i}]`)));
  if (typeOk(value, 'object')) {
    const obj = value as Record<string, unknown>;
    for (const r of (schema.required as string[] | undefined) ?? []) if (!(r in obj)) out.push(`${at}: missing ${r}`);
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) out.push(...validate(props[k]!, v, root, `${at}.${k}`));
      else if (schema.additionalProperties === false) out.push(`${at}: field ${k} is not in the schema`);
      else if (typeof schema.additionalProperties === 'object') out.push(...validate(schema.additionalProperties as Schema, v, root, `${at}.${k}`));
    }
  }
  if (Array.isArray(schema.oneOf)) {
    const results = (schema.oneOf as Schema[]).map((s) => validate(s, value, root, at));
    const ok = results.filter((r) => r.length === 0).length;
    if (ok !== 1) out.push(ok === 0 ? `${at}: matches no oneOf branch; nearest: ${results.reduce((a, b) => (b.length < a.length ? b : a)).join('; ')}` : `${at}: matches ${ok} oneOf branches`);
  }
  return out;
}
