// Derives lib/proxy/openai-fields.ts from OpenAI's published OpenAPI description (../shared/specs/openai-openapi.yaml):
// for every operation Portico serves, the top-level request fields with their JSON types, whether null is allowed,
// enums and bounds, and the required fields. Only these facts are kept, never the specification's text.
//   npx tsx scripts/gen-openai-fields.ts            writes the file
//   npx tsx scripts/gen-openai-fields.ts --check    exits 1 when the committed file differs (a test runs this)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';

export interface FieldRule {
  types: JsonType[];
  nullable: boolean;
  enum?: (string | number | boolean)[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
}

export interface OperationRules {
  required: string[];
  fields: Record<string, FieldRule>;
}

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

export const SERVED: Record<string, string> = {
  chat: 'CreateChatCompletionRequest',
  completions: 'CreateCompletionRequest',
  embeddings: 'CreateEmbeddingRequest',
  responses: 'CreateResponse',
};

export function specPath(): string | undefined {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  return [
    process.env.OPENAI_SPEC,
    resolve(repo, '../shared/specs/openai-openapi.yaml'),
    '/work/shared/specs/openai-openapi.yaml',
  ].find((p): p is string => !!p && existsSync(p));
}

export function loadSpec(path: string): { schemas: Record<string, Node> } {
  const spec = parse(readFileSync(path, 'utf8')) as { components: { schemas: Record<string, Node> } };
  return { schemas: spec.components.schemas };
}

export function deref(schemas: Record<string, Node>, n: unknown, depth = 0): Node | undefined {
  if (!isNode(n) || depth > 20) return undefined;
  if (typeof n.$ref === 'string') return deref(schemas, schemas[n.$ref.split('/').pop() ?? ''], depth + 1);
  return n;
}

/** The top-level properties and required fields of an object schema, through allOf. */
export function objectShape(
  schemas: Record<string, Node>,
  name: string,
): { props: Record<string, Node>; required: string[] } {
  const props: Record<string, Node> = {};
  const required = new Set<string>();
  const visit = (n: unknown): void => {
    const s = deref(schemas, n);
    if (!s) return;
    if (Array.isArray(s.allOf)) for (const a of s.allOf) visit(a);
    if (isNode(s.properties)) for (const [k, v] of Object.entries(s.properties)) if (isNode(v)) props[k] = v;
    if (Array.isArray(s.required)) for (const r of s.required) if (typeof r === 'string') required.add(r);
  };
  visit(schemas[name]);
  return { props, required: [...required] };
}

/** The alternatives a value may take: anyOf and oneOf branches, flattened; allOf merged into its first typed part. */
function alternatives(schemas: Record<string, Node>, n: unknown, depth = 0): Node[] {
  const s = deref(schemas, n);
  if (!s || depth > 8) return [];
  const branches = [...(Array.isArray(s.anyOf) ? s.anyOf : []), ...(Array.isArray(s.oneOf) ? s.oneOf : [])];
  const own: Node[] = [];
  if (
    s.type !== undefined ||
    s.enum !== undefined ||
    s.const !== undefined ||
    s.properties !== undefined ||
    s.items !== undefined
  )
    own.push(s);
  if (Array.isArray(s.allOf)) {
    for (const a of s.allOf) own.push(...alternatives(schemas, a, depth + 1));
  }
  const out = [...own, ...branches.flatMap((b) => alternatives(schemas, b, depth + 1))];
  // `nullable: true` (OpenAPI 3.0 style) beside the alternatives.
  if (s.nullable === true) out.push({ type: 'null' });
  return out;
}

function typesOf(n: Node): string[] {
  if (Array.isArray(n.type)) return n.type.filter((t): t is string => typeof t === 'string');
  if (typeof n.type === 'string') return [n.type];
  if (n.const !== undefined)
    return [n.const === null ? 'null' : typeof n.const === 'number' ? 'number' : typeof n.const];
  if (Array.isArray(n.enum)) return [...new Set(n.enum.map((e) => (e === null ? 'null' : typeof e)))];
  if (n.properties !== undefined) return ['object'];
  if (n.items !== undefined) return ['array'];
  return [];
}

export function ruleFor(schemas: Record<string, Node>, prop: Node): FieldRule {
  const alts = alternatives(schemas, prop);
  const types = new Set<JsonType>();
  let nullable = prop.nullable === true;
  let enumValues: (string | number | boolean)[] | undefined = [];
  let min: number | undefined;
  let max: number | undefined;
  let minItems: number | undefined;
  let numeric = 0;
  for (const a of alts) {
    if (a.nullable === true) nullable = true;
    const ts = typesOf(a);
    if (ts.length === 0) {
      // A branch that says nothing about its type: anything goes, so no enum and no type rule can hold.
      return { types: [], nullable: true };
    }
    for (const t of ts) {
      if (t === 'null') nullable = true;
      else types.add(t as JsonType);
    }
    const values = Array.isArray(a.enum) ? a.enum : a.const !== undefined ? [a.const] : undefined;
    const nonNull = ts.filter((t) => t !== 'null');
    if (nonNull.length > 0) {
      if (values && enumValues)
        enumValues.push(...values.filter((v): v is string | number | boolean => v !== null));
      else enumValues = undefined;
    }
    if (nonNull.some((t) => t === 'number' || t === 'integer')) {
      numeric++;
      if (typeof a.minimum === 'number') min = a.minimum;
      if (typeof a.maximum === 'number') max = a.maximum;
    }
    if (nonNull.includes('array') && typeof a.minItems === 'number') minItems = a.minItems;
  }
  if (types.has('integer') && types.has('number')) types.delete('integer');
  const rule: FieldRule = { types: [...types].sort(), nullable };
  if (enumValues && enumValues.length > 0) rule.enum = [...new Set(enumValues)];
  // Bounds only where one numeric alternative states them (and beyond JavaScript's exact integers, none).
  if (numeric === 1) {
    if (min !== undefined && Math.abs(min) < Number.MAX_SAFE_INTEGER) rule.minimum = min;
    if (max !== undefined && Math.abs(max) < Number.MAX_SAFE_INTEGER) rule.maximum = max;
  }
  if (minItems !== undefined) rule.minItems = minItems;
  return rule;
}

export function deriveRules(schemas: Record<string, Node>): Record<string, OperationRules> {
  const out: Record<string, OperationRules> = {};
  for (const [op, name] of Object.entries(SERVED)) {
    const { props, required } = objectShape(schemas, name);
    const fields: Record<string, FieldRule> = {};
    for (const k of Object.keys(props).sort()) fields[k] = ruleFor(schemas, props[k] ?? {});
    out[op] = { required: required.sort(), fields };
  }
  return out;
}

export function render(rules: Record<string, OperationRules>): string {
  return `// Generated by scripts/gen-openai-fields.ts from OpenAI's OpenAPI description (../shared/specs): the top-level
// request fields of each operation Portico serves, with their JSON types, nullability, enums and bounds.
// Do not edit by hand; run \`npx tsx scripts/gen-openai-fields.ts\` after the specification changes.
import type { OperationRules } from './validate';

export const OPENAI_FIELDS: Record<'chat' | 'completions' | 'embeddings' | 'responses', OperationRules> = ${JSON.stringify(rules, null, 2)};
`;
}

/**
 * The request bodies whose every string Portico scans (lib/phi/payloads.ts): what they may hold besides text.
 * Media routes and the stateful APIs' bodies are here too, since a body of theirs goes upstream the same way.
 */
export const SCANNED: string[] = [
  ...Object.values(SERVED),
  'CreateImageRequest',
  'CreateImageEditRequest',
  'CreateSpeechRequest',
  'CreateTranscriptionRequest',
  'CreateTranslationRequest',
  'CreateConversationBody',
  'UpdateConversationBody',
  'CreateBatchRequest',
];

export interface Vocabulary {
  /** Every property name the request schemas define: words of the API, never an identifier. */
  keys: string[];
  /** Per property name, the strings an enum or a const allows there: the only strings left unscanned. */
  enums: Record<string, string[]>;
  /** Properties the specification calls encrypted: produced by the upstream, opaque to the client. */
  opaque: string[];
  /** Every `type` value an object of the request schemas may take (each is classified as text or media). */
  types: string[];
}

/** The property names, enum values and opaque fields of the request schemas, through every reference. */
export function deriveVocabulary(schemas: Record<string, Node>): Vocabulary {
  const keys = new Set<string>();
  const enums = new Map<string, Set<string>>();
  const opaque = new Set<string>();
  const visited = new Map<Node, Set<string>>();
  const describes = (n: Node): string[] =>
    [n, ...['anyOf', 'oneOf'].flatMap((k) => (Array.isArray(n[k]) ? (n[k] as unknown[]) : []))]
      .map((a) => deref(schemas, a)?.description)
      .filter((d): d is string => typeof d === 'string');
  const visit = (n: unknown, key: string): void => {
    const s = deref(schemas, n);
    if (!s) return;
    const seen = visited.get(s) ?? new Set<string>();
    if (seen.has(key)) return;
    seen.add(key);
    visited.set(s, seen);
    const values = Array.isArray(s.enum) ? s.enum : s.const !== undefined ? [s.const] : [];
    for (const v of values) {
      if (typeof v !== 'string' || key === '') continue;
      let set = enums.get(key);
      if (!set) enums.set(key, (set = new Set()));
      set.add(v);
    }
    for (const k of ['anyOf', 'oneOf', 'allOf'])
      if (Array.isArray(s[k])) for (const a of s[k] as unknown[]) visit(a, key);
    if (s.items !== undefined) visit(s.items, key);
    if (isNode(s.properties))
      for (const [k, v] of Object.entries(s.properties)) {
        keys.add(k);
        const p = deref(schemas, v);
        if (p && describes(p).some((d) => /^\s*the encrypted\b/i.test(d))) opaque.add(k);
        visit(v, k);
      }
    // A map's own keys are the client's words (metadata): its values are walked with no key of the API.
    if (isNode(s.additionalProperties)) visit(s.additionalProperties, '');
  };
  for (const name of SCANNED) visit(schemas[name], '');
  const sorted = (xs: Iterable<string>) => [...xs].sort();
  return {
    keys: sorted(keys),
    enums: Object.fromEntries(sorted(enums.keys()).map((k) => [k, sorted(enums.get(k)!)])),
    opaque: sorted(opaque),
    types: sorted(enums.get('type') ?? []),
  };
}

export function renderVocabulary(v: Vocabulary): string {
  return `// Generated by scripts/gen-openai-fields.ts from OpenAI's OpenAPI description (../shared/specs): the property
// names, enum values and encrypted fields of the request bodies Portico forwards. The payload walker scans every
// string and key of a request except these API words (lib/phi/payloads.ts). Do not edit by hand; run
// \`npx tsx scripts/gen-openai-fields.ts\` after the specification changes.

export const SPEC_KEYS: readonly string[] = ${JSON.stringify(v.keys)};

export const SPEC_ENUMS: Readonly<Record<string, readonly string[]>> = ${JSON.stringify(v.enums, null, 1)};

export const SPEC_OPAQUE: readonly string[] = ${JSON.stringify(v.opaque)};

export const SPEC_TYPES: readonly string[] = ${JSON.stringify(v.types)};
`;
}

/**
 * The request schemas of SCANNED and every schema they reference, with only what shapes a value (types, properties,
 * required, enums, alternatives): the tests generate request bodies from it (test/phi-default-deny.test.ts).
 */
export function deriveRequestShapes(schemas: Record<string, Node>): Record<string, unknown> {
  const KEEP = [
    'type',
    'properties',
    'items',
    'required',
    'enum',
    'const',
    'anyOf',
    'oneOf',
    'allOf',
    'additionalProperties',
    'nullable',
    '$ref',
    'minItems',
    'maxItems',
    'minimum',
    'maximum',
  ];
  const queue = [...SCANNED];
  const seen = new Set(queue);
  const trim = (n: unknown): unknown => {
    if (Array.isArray(n)) return n.map(trim);
    if (!isNode(n)) return n;
    const out: Node = {};
    for (const k of KEEP) {
      if (!(k in n)) continue;
      if (k === '$ref' && typeof n.$ref === 'string') {
        const name = n.$ref.split('/').pop() ?? '';
        out.$ref = name;
        if (!seen.has(name)) {
          seen.add(name);
          queue.push(name);
        }
      } else if (k === 'properties' && isNode(n.properties)) {
        out.properties = Object.fromEntries(Object.entries(n.properties).map(([p, v]) => [p, trim(v)]));
      } else out[k] = trim(n[k]);
    }
    return out;
  };
  const out: Record<string, unknown> = {};
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (schemas[name]) out[name] = trim(schemas[name]);
  }
  return out;
}

const OUT = resolve(dirname(fileURLToPath(import.meta.url)), '../lib/proxy/openai-fields.ts');
const SHAPES_OUT = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../test/fixtures/openai-request-shapes.json',
);
const VOCAB_OUT = resolve(dirname(fileURLToPath(import.meta.url)), '../lib/phi/openai-vocabulary.ts');

function main(): void {
  const path = specPath();
  if (!path) {
    process.stdout.write(
      'OpenAI specification not found (set OPENAI_SPEC or place it at ../shared/specs/openai-openapi.yaml): nothing generated\n',
    );
    return;
  }
  const { schemas } = loadSpec(path);
  const outputs: [string, string][] = [
    [OUT, render(deriveRules(schemas))],
    [VOCAB_OUT, renderVocabulary(deriveVocabulary(schemas))],
    [SHAPES_OUT, `${JSON.stringify(deriveRequestShapes(schemas))}\n`],
  ];
  for (const [file, text] of outputs) {
    if (process.argv.includes('--check')) {
      const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
      if (current !== text) {
        process.stderr.write(
          `${file} is not what the specification gives: run npx tsx scripts/gen-openai-fields.ts\n`,
        );
        process.exitCode = 1;
      } else process.stdout.write(`${file} matches the specification\n`);
      continue;
    }
    writeFileSync(file, text);
    process.stdout.write(`wrote ${file}\n`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
