import fc from 'fast-check';
import shapes from '../fixtures/openai-request-shapes.json';

// Request bodies generated from OpenAI's request schemas (test/fixtures/openai-request-shapes.json, generated from
// the specification by scripts/gen-openai-fields.ts): every property a schema defines may appear, at any depth,
// with values of its types; enum and const values as the specification lists them. Every free string is a slot
// the caller fills (ordinary text or a planted identifier), and any object may carry fields no schema names.

type Schema = Record<string, unknown>;
const DEFS = shapes as Record<string, Schema>;

export interface SlotOptions {
  /** A free string: text, or a planted identifier. */
  text: fc.Arbitrary<string>;
  /** A key no schema defines: an ordinary word, or a planted identifier. */
  key: fc.Arbitrary<string>;
  /** How deep objects nest before only required properties are generated. */
  depth: number;
}

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An allOf of object schemas as one object schema: properties merged (the later part's wins), required joined. */
function flatten(s: Schema): Schema {
  const properties: Schema = {};
  const required = new Set<string>();
  const visit = (n: unknown): void => {
    const x = isSchema(n) && typeof n.$ref === 'string' ? DEFS[n.$ref] : n;
    if (!isSchema(x)) return;
    if (Array.isArray(x.allOf)) for (const p of x.allOf) visit(p);
    if (isSchema(x.properties)) Object.assign(properties, x.properties);
    if (Array.isArray(x.required)) for (const r of x.required) required.add(String(r));
  };
  visit({ ...s, allOf: undefined });
  for (const p of s.allOf as unknown[]) visit(p);
  return { type: 'object', properties, required: [...required] };
}

export function specBody(root: string, o: SlotOptions): fc.Arbitrary<Record<string, unknown>> {
  const memo = new Map<string, fc.Arbitrary<unknown>>();
  const extra = (depth: number): fc.Arbitrary<[string, unknown][]> =>
    fc.array(
      fc.tuple(
        o.key,
        depth > 2
          ? o.text
          : fc.oneof(
              o.text,
              fc.dictionary(o.key, o.text, { maxKeys: 2 }),
              fc.array(o.text, { maxLength: 2 }),
            ),
      ),
      { maxLength: 2 },
    );

  const arb = (s: unknown, depth: number): fc.Arbitrary<unknown> => {
    if (!isSchema(s)) return o.text;
    if (typeof s.$ref === 'string') {
      const id = `${s.$ref}@${Math.min(depth, o.depth + 2)}`;
      let a = memo.get(id);
      if (!a) {
        // Placeholder first: a schema that refers to itself resolves lazily.
        memo.set(id, fc.constant(null));
        a = arb(DEFS[s.$ref], depth);
        memo.set(id, a);
      }
      return a;
    }
    if (s.const !== undefined) return fc.constant(s.const);
    if (Array.isArray(s.enum) && s.enum.length > 0) return fc.constantFrom(...(s.enum as unknown[]));
    const alts = [
      ...(Array.isArray(s.anyOf) ? s.anyOf : []),
      ...(Array.isArray(s.oneOf) ? s.oneOf : []),
    ].filter((a) => !(isSchema(a) && a.type === 'null'));
    if (Array.isArray(s.allOf) && s.allOf.length > 0) return arb(flatten(s), depth);
    if (alts.length > 0 && s.properties === undefined) return fc.oneof(...alts.map((a) => arb(a, depth)));
    const type = Array.isArray(s.type)
      ? (s.type as string[]).find((t) => t !== 'null')
      : (s.type as string | undefined);
    switch (type) {
      case 'string':
        return o.text;
      case 'integer': {
        const min = typeof s.minimum === 'number' ? s.minimum : 0;
        const max = typeof s.maximum === 'number' ? Math.min(s.maximum, min + 4) : min + 4;
        return fc.integer({ min, max: Math.max(min, max) });
      }
      case 'number': {
        const min = typeof s.minimum === 'number' ? s.minimum : 0;
        const max = typeof s.maximum === 'number' ? Math.min(s.maximum, min + 1) : min + 1;
        return fc.double({ min, max: Math.max(min, max), noNaN: true });
      }
      case 'boolean':
        return fc.boolean();
      case 'array': {
        const min = typeof s.minItems === 'number' ? Math.min(s.minItems, 2) : 0;
        return fc.array(arb(s.items, depth + 1), {
          minLength: min,
          maxLength: Math.max(min, depth > o.depth ? 1 : 2),
        });
      }
      default:
        break;
    }
    if (isSchema(s.properties) || type === 'object' || s.additionalProperties !== undefined) {
      const props = isSchema(s.properties) ? s.properties : {};
      const required = Array.isArray(s.required) ? (s.required as string[]) : [];
      const keys = Object.keys(props).filter((k) => depth <= o.depth || required.includes(k));
      const record = fc.record(Object.fromEntries(keys.map((k) => [k, arb(props[k], depth + 1)])), {
        requiredKeys: keys.filter((k) => required.includes(k)),
      });
      const map = isSchema(s.additionalProperties)
        ? fc.dictionary(o.key, arb(s.additionalProperties, depth + 1), { maxKeys: 2 })
        : fc.constant({});
      return fc
        .tuple(record, map, extra(depth))
        .map(([r, m, x]) => ({ ...Object.fromEntries(x), ...m, ...r }) as unknown);
    }
    if (alts.length > 0) return fc.oneof(...alts.map((a) => arb(a, depth)));
    // A schema that says nothing of its type: any JSON, its strings slots.
    return fc.oneof(o.text, fc.dictionary(o.key, o.text, { maxKeys: 2 }));
  };
  return arb({ $ref: root }, 0).filter(isSchema) as fc.Arbitrary<Record<string, unknown>>;
}
