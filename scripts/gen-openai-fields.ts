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

const OUT = resolve(dirname(fileURLToPath(import.meta.url)), '../lib/proxy/openai-fields.ts');

function main(): void {
  const path = specPath();
  if (!path) {
    process.stdout.write(
      'OpenAI specification not found (set OPENAI_SPEC or place it at ../shared/specs/openai-openapi.yaml): nothing generated\n',
    );
    return;
  }
  const text = render(deriveRules(loadSpec(path).schemas));
  if (process.argv.includes('--check')) {
    const current = existsSync(OUT) ? readFileSync(OUT, 'utf8') : '';
    if (current !== text) {
      process.stderr.write(
        `${OUT} is not what the specification gives: run npx tsx scripts/gen-openai-fields.ts\n`,
      );
      process.exitCode = 1;
    } else process.stdout.write('lib/proxy/openai-fields.ts matches the specification\n');
    return;
  }
  writeFileSync(OUT, text);
  process.stdout.write(`wrote ${OUT}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
