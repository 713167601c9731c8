import { isObj } from '../json';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

// Custom endpoints are defined in the config file: a prompt template whose {{variables}} come from a JSON Schema
// for the request body, and optionally a JSON Schema the answer must match. This module holds what the config
// loader, the proxy and the CLI share about them: the template syntax, the schema compiler, and the checks.

export type JsonSchema = Record<string, unknown>;

/** A template variable: {{name}}, spaces allowed inside the braces. */
const VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The variables a template names, in order of first use, or what is wrong with its braces. */
export function templateVariables(template: string): { variables: string[]; problem?: string } {
  const variables = [...new Set([...template.matchAll(VARIABLE)].map((m) => m[1]!))];
  const rest = template.replace(VARIABLE, '');
  const stray = rest.match(/\{\{[^}]{0,40}(?:\}\})?|\}\}/);
  return stray
    ? {
        variables,
        problem: `has "${stray[0]}" that is not a variable: write variables as {{name}} (letters, digits and _)`,
      }
    : { variables };
}

/** A value as it goes into a prompt: text as it is, anything else as JSON. */
function promptText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v, null, 2);
}

/** The template with each {{variable}} replaced by the request's value (absent optional ones by nothing). */
export function renderTemplate(template: string, values: Record<string, unknown>): string {
  return template.replace(VARIABLE, (_m, name: string) => promptText(values[name]));
}

function compilerWith(useDefaults: boolean): Ajv2020 {
  // strictSchema: a keyword Ajv does not know is a mistake in the config (a typo such as "requried"), not
  // something to ignore silently. Formats (date, email, uri, …) are checked.
  const ajv = new Ajv2020({
    allErrors: false,
    useDefaults,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    // Schema annotations OpenAPI and OpenAI use beside the standard ones.
    keywords: ['example'],
  });
  addFormats(ajv);
  return ajv;
}

let inputAjv: Ajv2020 | undefined;
let outputAjv: Ajv2020 | undefined;

/** Compiles a request schema (defaults are filled into the body) or an answer schema (nothing is added). */
export function compileSchema(schema: JsonSchema, kind: 'input' | 'output'): ValidateFunction {
  const ajv = kind === 'input' ? (inputAjv ??= compilerWith(true)) : (outputAjv ??= compilerWith(false));
  return ajv.compile(schema);
}

/** Why a schema cannot be used, or undefined when it compiles. */
export function schemaProblem(schema: JsonSchema, kind: 'input' | 'output'): string | undefined {
  try {
    compileSchema(schema, kind);
    return undefined;
  } catch (err) {
    return `is not a usable JSON Schema: ${(err as Error).message}`;
  }
}

/** The top-level properties an object schema declares. */
export function declaredProperties(schema: JsonSchema): string[] {
  return isObj(schema.properties) ? Object.keys(schema.properties) : [];
}

/**
 * Whether OpenAI's strict structured output accepts the schema as it is: every object closes its properties
 * (additionalProperties: false) and requires all of them. Otherwise the schema is sent without strict and the
 * answer is only checked here.
 */
export function strictCompatible(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.every(strictCompatible);
  if (!isObj(schema)) return true;
  if (schema.type === 'object' || isObj(schema.properties)) {
    const props = isObj(schema.properties) ? Object.keys(schema.properties) : [];
    const required = Array.isArray(schema.required) ? schema.required : [];
    if (schema.additionalProperties !== false) return false;
    if (!props.every((p) => required.includes(p))) return false;
  }
  return Object.entries(schema).every(
    ([k, v]) => k === 'enum' || k === 'const' || k === 'default' || k === 'examples' || strictCompatible(v),
  );
}

/** One problem of a body against a schema, as a field path (dots and indexes) and words. */
export function firstProblem(errors: ErrorObject[] | null | undefined): { field: string; message: string } {
  const e = errors?.[0];
  if (!e) return { field: '', message: 'does not match the schema' };
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'required') path.push(String(p.missingProperty));
  if (e.keyword === 'additionalProperties') path.push(String(p.additionalProperty));
  const field = path.join('.');
  const message =
    e.keyword === 'required'
      ? 'is required'
      : e.keyword === 'additionalProperties'
        ? 'is not a field of this endpoint'
        : e.keyword === 'enum'
          ? `must be one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
          : (e.message ?? 'is not valid');
  return { field, message };
}

/**
 * A value of a JSON Schema. Without `text`: a body for documentation and samples (its `examples`, `example` or
 * `default` first, else a value per declared property). With `text`: the echo upstream's structured answer, every
 * string filled with the text (cut to maxLength) and arrays at their minItems.
 */
export function schemaValue(schema: unknown, text?: string, depth = 0): unknown {
  if (!isObj(schema) || depth > 8) return text ?? null;
  const sample = text === undefined;
  if (sample && Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if (sample && schema.example !== undefined) return schema.example;
  if (sample && schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  const variants = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(variants) && variants.length) return schemaValue(variants[0], text, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = isObj(schema.properties) ? schema.properties : {};
      for (const [k, v] of Object.entries(props)) out[k] = schemaValue(v, text, depth + 1);
      return out;
    }
    case 'array': {
      const n = typeof schema.minItems === 'number' ? Math.max(1, schema.minItems) : 1;
      return Array.from({ length: n }, () => schemaValue(schema.items, text, depth + 1));
    }
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      if (!sample) return typeof schema.maxLength === 'number' ? text.slice(0, schema.maxLength) : text;
      return typeof schema.description === 'string' ? `(${schema.description})` : 'text';
  }
}

/** A request body that fits the schema, for documentation and samples. */
export const exampleFor = (schema: unknown) => schemaValue(schema);

/** PHI policies from the most permissive to the strictest. */
const STRICTNESS = ['off', 'scrub', 'redact', 'block'] as const;
export type PhiPolicyName = (typeof STRICTNESS)[number];

/** The stricter of an app's policy and an endpoint's: an endpoint can tighten an app's policy, never loosen it. */
export function stricterPolicy(app: PhiPolicyName, endpoint: PhiPolicyName | undefined): PhiPolicyName {
  if (!endpoint) return app;
  return STRICTNESS.indexOf(endpoint) > STRICTNESS.indexOf(app) ? endpoint : app;
}
