// Request conformance driven by OpenAI's own specification (../shared/specs/openai-openapi.yaml, read here and
// never copied): for every operation Portico serves, bodies the specification accepts reach the upstream unchanged
// (every optional top-level field present; every nullable one null; every enum value; every kind of message or
// input item), and bodies it refuses (a wrong type, a missing required field) get a 400 naming the field.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { deref, objectShape, ruleFor, SERVED } from '../scripts/gen-openai-fields';
import shapes from './fixtures/openai-request-shapes.json';
import { startHarness, type Harness } from './support/portico';
import { seedApp } from './support/seed';

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

const MODELS = {
  chat: 'gpt-4o-mini-2024-07-18',
  completions: 'gpt-4o-mini-2024-07-18',
  embeddings: 'text-embedding-3-small',
  responses: 'gpt-4o-mini-2024-07-18',
} as const;
type Op = keyof typeof MODELS;
const ROUTES: Record<Op, string> = {
  chat: 'chat/completions',
  completions: 'completions',
  embeddings: 'embeddings',
  responses: 'responses',
};

// The request schemas as generated from the specification into the repository (scripts/gen-openai-fields.ts checks
// them against it wherever ../shared/specs is present), so these cases run everywhere, never skipped.
{
  const schemas = shapes as Record<string, Node>;

  /** A value the schema accepts: the first alternative, required properties, the least of every bound. */
  const sample = (n: unknown, depth = 0): unknown => {
    const s = deref(schemas, n);
    if (!s || depth > 12) return 'x';
    if (s.const !== undefined) return s.const;
    if (Array.isArray(s.enum)) return s.enum.find((e) => e !== null);
    const branches = [
      ...(Array.isArray(s.anyOf) ? s.anyOf : []),
      ...(Array.isArray(s.oneOf) ? s.oneOf : []),
    ].filter((b) => deref(schemas, b)?.type !== 'null');
    if (branches.length > 0 && s.type === undefined && s.properties === undefined)
      return sample(branches[0], depth + 1);
    if (Array.isArray(s.allOf)) {
      const parts = s.allOf.map((a) => sample(a, depth + 1));
      if (parts.every(isNode)) return Object.assign({}, ...parts, s.properties ? objectSample(s, depth) : {});
      return parts[0];
    }
    const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
    switch (type ?? (s.properties ? 'object' : s.items ? 'array' : 'string')) {
      case 'string':
        return typeof s.minLength === 'number' && s.minLength > 4 ? 'x'.repeat(s.minLength) : 'sample';
      case 'integer':
        return typeof s.minimum === 'number' ? Math.max(s.minimum, 1) : 1;
      case 'number':
        return typeof s.minimum === 'number' ? s.minimum : 0.5;
      case 'boolean':
        return true;
      case 'array': {
        const min = typeof s.minItems === 'number' ? s.minItems : 1;
        return Array.from({ length: Math.max(1, min) }, () => sample(s.items, depth + 1));
      }
      case 'null':
        return null;
      default:
        return objectSample(s, depth);
    }
  };
  const objectSample = (s: Node, depth: number): Node => {
    const out: Node = {};
    const props = isNode(s.properties) ? s.properties : {};
    const required = Array.isArray(s.required) ? s.required : [];
    for (const k of required) if (typeof k === 'string') out[k] = sample(props[k], depth + 1);
    if (Object.keys(props).length === 0 && isNode(s.additionalProperties))
      out.key = sample(s.additionalProperties, depth + 1);
    return out;
  };
  /** Each branch of a union (messages by role, input items by type), sampled. */
  const variants = (n: unknown): unknown[] => {
    const s = deref(schemas, n);
    if (!s) return [];
    const branches = [...(Array.isArray(s.anyOf) ? s.anyOf : []), ...(Array.isArray(s.oneOf) ? s.oneOf : [])];
    return branches.length
      ? branches.flatMap((b) =>
          deref(schemas, b)?.anyOf || deref(schemas, b)?.oneOf ? variants(b) : [sample(b)],
        )
      : [sample(s)];
  };

  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await startHarness();
    // Policy off: the body must reach the upstream exactly as sent; images and audio allowed, since the
    // specification's content parts include them.
    const s = await seedApp({
      models: [...new Set(Object.values(MODELS))],
      phiPolicy: 'off',
      allowImages: true,
      allowAudio: true,
    });
    key = s.key!;
  });
  afterAll(async () => h?.close());
  beforeEach(() => h.upstream.reset());

  const post = async (op: Op, body: Node) => {
    const res = await request(`${h.base}/api/public/oai/v1/${ROUTES[op]}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.body.text();
    return {
      status: res.statusCode,
      json: JSON.parse(text) as { error?: { param?: string | null; message: string } },
    };
  };

  /** What the upstream got, less what Portico sets on purpose (the upstream model's name). */
  const forwarded = (): Node => {
    const got = { ...(h.upstream.received.at(-1)?.body ?? {}) };
    delete got.model;
    return got;
  };
  const sent = (body: Node): Node => {
    const want = { ...body };
    delete want.model;
    return want;
  };

  for (const [op, name] of Object.entries(SERVED) as [Op, string][]) {
    describe(`${op} (${name})`, () => {
      const { props, required } = objectShape(schemas, name);
      const base = (): Node => {
        const b: Node = { model: MODELS[op] };
        for (const k of required) if (k !== 'model') b[k] = sample(props[k]);
        if (op === 'responses') b.input = 'Hello';
        return b;
      };
      // Streaming and background runs answer another way; they are exercised by the client tests.
      const skip = new Set(['stream', 'stream_options', 'background', 'model']);

      it('every optional top-level field present: accepted and forwarded unchanged', async () => {
        const body = base();
        for (const [k, v] of Object.entries(props))
          if (!skip.has(k) && body[k] === undefined) body[k] = sample(v);
        const r = await post(op, body);
        expect(r.status, JSON.stringify(r.json)).toBe(200);
        expect(forwarded()).toEqual(sent(body));
      });

      it('every nullable field null: accepted, and null reaches the upstream as it was sent', async () => {
        const body = base();
        let nulls = 0;
        for (const [k, v] of Object.entries(props)) {
          if (k === 'model' || !ruleFor(schemas, v).nullable || required.includes(k)) continue;
          body[k] = null;
          nulls++;
        }
        expect(nulls).toBeGreaterThan(op === 'embeddings' ? -1 : 3);
        const r = await post(op, body);
        expect(r.status, JSON.stringify(r.json)).toBe(200);
        expect(forwarded()).toEqual(sent(body));
      });

      it('every enum value of every field: accepted', async () => {
        let tried = 0;
        for (const [k, v] of Object.entries(props)) {
          const values = ruleFor(schemas, v).enum ?? [];
          for (const value of values) {
            if (skip.has(k)) continue;
            const r = await post(op, { ...base(), [k]: value });
            expect(r.status, `${k}=${JSON.stringify(value)}: ${JSON.stringify(r.json)}`).toBe(200);
            tried++;
          }
        }
        if (op !== 'completions') expect(tried).toBeGreaterThan(0);
      });

      it('a wrong type for any field, or a missing required one: 400 naming it', async () => {
        for (const [k, v] of Object.entries(props)) {
          if (k === 'model') continue;
          const rule = ruleFor(schemas, v);
          if (rule.types.length === 0) continue;
          // A value of a JSON type the field does not take.
          const wrong = !rule.types.includes('string')
            ? 'not-this'
            : !rule.types.includes('object')
              ? { not: 'this' }
              : 12.5;
          const r = await post(op, { ...base(), [k]: wrong });
          expect(r.status, `${k}=${JSON.stringify(wrong)}`).toBe(400);
          expect(r.json.error?.param).toBe(k);
        }
        for (const k of required) {
          const body = base();
          delete body[k];
          const r = await post(op, body);
          expect(r.status, `without ${k}`).toBe(400);
          expect(r.json.error?.param).toBe(k);
        }
        expect(h.upstream.received).toHaveLength(0);
      });

      if (op === 'chat') {
        it('every kind of message the specification describes: accepted and forwarded unchanged', async () => {
          const messages = variants(deref(schemas, props.messages)?.items);
          expect(messages.length).toBeGreaterThanOrEqual(5);
          const body = { ...base(), messages };
          const r = await post(op, body);
          expect(r.status, JSON.stringify(r.json)).toBe(200);
          expect(forwarded()).toEqual(sent(body));
        });
      }
      if (op === 'responses') {
        it('every kind of input item the specification describes: accepted and forwarded unchanged', async () => {
          const input = deref(schemas, props.input);
          const list = (input?.anyOf ?? input?.oneOf ?? []) as unknown[];
          const arrayForm = list.map((b) => deref(schemas, b)).find((b) => b?.type === 'array');
          const items = variants(arrayForm?.items);
          expect(items.length).toBeGreaterThanOrEqual(10);
          const body = { ...base(), input: items };
          const r = await post(op, body);
          expect(r.status, JSON.stringify(r.json)).toBe(200);
          expect(forwarded()).toEqual(sent(body));
        });
      }
    });
  }

  describe('Azure deployment routes', () => {
    it("ignore the body's model, null included, as Azure does", async () => {
      const res = await request(
        `${h.base}/api/public/oai/openai/deployments/${MODELS.chat}/chat/completions?api-version=2024-10-21`,
        {
          method: 'POST',
          headers: { 'api-key': key, 'content-type': 'application/json' },
          body: JSON.stringify({
            model: null,
            messages: [{ role: 'user', content: 'Hello' }],
            stream: null,
            n: null,
          }),
        },
      );
      expect(res.statusCode, await res.body.text()).toBe(200);
    });
  });
}
