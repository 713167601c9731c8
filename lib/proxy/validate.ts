import { z } from 'zod';
import { errors } from './errors';
import { OPENAI_FIELDS } from './openai-fields';
import type { Operation } from './routes';

// Request bodies are checked against OpenAI's own description of them (openai-fields.ts, generated from the
// specification): every top-level field Portico knows has its JSON types, its enum and bounds, and null where
// the specification allows it (a null then means the same as an absent field). Fields it does not know pass
// through untouched, as do the insides of fields it does not act on; the ones it acts on (messages, input,
// prompt) are checked as deep as it reads them. A refused body is a 400 naming the field.

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

type Op = Exclude<Operation, 'models'>;

function jsonType(v: unknown): JsonType | 'null' {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isInteger(v) ? 'integer' : 'number';
    default:
      return 'object';
  }
}

const ARTICLE: Record<JsonType, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  array: 'an array',
  object: 'an object',
};

function describe(rule: FieldRule): string {
  let what = rule.types.map((t) => ARTICLE[t]).join(' or ');
  if (rule.enum) what = `one of ${rule.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  const bounds =
    rule.minimum !== undefined && rule.maximum !== undefined
      ? ` from ${rule.minimum} to ${rule.maximum}`
      : rule.minimum !== undefined
        ? ` of at least ${rule.minimum}`
        : rule.maximum !== undefined
          ? ` of at most ${rule.maximum}`
          : '';
  return `${what}${bounds}${rule.nullable ? ', or null' : ''}`;
}

/** Why `value` breaks `rule`, or undefined when it keeps it. */
function breaks(rule: FieldRule, value: unknown): boolean {
  const t = jsonType(value);
  if (t === 'null') return !rule.nullable;
  if (rule.types.length === 0) return false;
  const typeOk = rule.types.includes(t as JsonType) || (t === 'integer' && rule.types.includes('number'));
  if (!typeOk) return true;
  if (rule.enum && !rule.enum.includes(value as string | number | boolean)) return true;
  if (typeof value === 'number') {
    if (rule.minimum !== undefined && value < rule.minimum) return true;
    if (rule.maximum !== undefined && value > rule.maximum) return true;
  }
  if (Array.isArray(value) && rule.minItems !== undefined && value.length < rule.minItems) return true;
  return false;
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const bad = (message: string, param: string) => errors.badRequest(message, param);

/** The messages Portico reads and scrubs: objects with a known role and text, parts or nothing as content. */
function checkMessages(messages: unknown[]): void {
  messages.forEach((m, i) => {
    const at = `messages[${i}]`;
    if (!isObj(m)) throw bad(`"${at}" must be an object with a "role".`, at);
    if (typeof m.role !== 'string' || !ROLES.has(m.role))
      throw bad(`"${at}.role" must be one of ${[...ROLES].map((r) => `"${r}"`).join(', ')}.`, `${at}.role`);
    const c = m.content;
    if (c !== undefined && c !== null && typeof c !== 'string' && !Array.isArray(c))
      throw bad(`"${at}.content" must be a string, an array of content parts, or null.`, `${at}.content`);
    if (Array.isArray(c))
      c.forEach((part, j) => {
        if (!isObj(part) || typeof part.type !== 'string')
          throw bad(`"${at}.content[${j}]" must be a content part with a "type".`, `${at}.content[${j}]`);
      });
    if (m.name !== undefined && m.name !== null && typeof m.name !== 'string')
      throw bad(`"${at}.name" must be a string.`, `${at}.name`);
  });
}

const TOKEN_ARRAY = (v: unknown[]): boolean => v.every((x) => typeof x === 'number' && Number.isInteger(x));

/** Text inputs (embeddings `input`, completions `prompt`): a string, strings, token ids, or arrays of token ids. */
function checkTextInput(value: unknown, field: string): void {
  if (typeof value === 'string' || !Array.isArray(value)) return;
  const ok =
    value.every((x) => typeof x === 'string') ||
    TOKEN_ARRAY(value) ||
    value.every((x) => Array.isArray(x) && x.length > 0 && TOKEN_ARRAY(x));
  if (!ok)
    throw bad(
      `"${field}" must be a string, an array of strings, an array of token ids, or an array of such arrays.`,
      field,
    );
}

/**
 * Checks a request body before anything acts on it. On an Azure deployment route (`deployment` set) the body's
 * `model` is ignored, as Azure ignores it: the deployment in the path names the model.
 */
export function validateBody(op: Op, body: Record<string, unknown>, deployment?: string): void {
  const rules = OPENAI_FIELDS[op];
  for (const key of Object.keys(body)) {
    if (key === 'model' && deployment !== undefined) continue;
    // Own fields only: a body's "__proto__" or "constructor" is just an unknown field.
    const rule = Object.hasOwn(rules.fields, key) ? rules.fields[key] : undefined;
    if (rule && breaks(rule, body[key])) throw bad(`"${key}" must be ${describe(rule)}.`, key);
  }
  for (const key of rules.required) {
    if (key === 'model' && deployment !== undefined) continue;
    if (body[key] === undefined || body[key] === null)
      throw bad(
        key === 'model'
          ? 'Name the model: set "model" in the body (or use a deployment URL).'
          : `"${key}" is required.`,
        key,
      );
  }
  if (op === 'chat') checkMessages(body.messages as unknown[]);
  else if (op === 'embeddings') checkTextInput(body.input, 'input');
  else if (op === 'completions') checkTextInput(body.prompt, 'prompt');
  else if (op === 'responses' && Array.isArray(body.input))
    body.input.forEach((item, i) => {
      if (!isObj(item)) throw bad(`"input[${i}]" must be an input item (an object).`, `input[${i}]`);
    });
}

// The shapes the API reference documents (lib/openapi/document.ts); validation itself follows OPENAI_FIELDS.
const message = z.looseObject({
  role: z.string(),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]).nullish(),
});
export const requestSchemas = {
  chat: z.looseObject({
    model: z.string().optional(),
    messages: z.array(message).min(1),
    stream: z.boolean().nullish(),
    n: z.number().int().min(1).max(128).nullish(),
  }),
  completions: z.looseObject({
    model: z.string().optional(),
    prompt: z.union([z.string(), z.array(z.string()), z.array(z.number()), z.array(z.array(z.number()))]),
    stream: z.boolean().nullish(),
  }),
  embeddings: z.looseObject({
    model: z.string().optional(),
    input: z.union([z.string(), z.array(z.string()), z.array(z.number()), z.array(z.array(z.number()))]),
  }),
  responses: z.looseObject({
    model: z.string().optional(),
    input: z.union([z.string(), z.array(z.unknown())]).optional(),
    instructions: z.string().nullish(),
    stream: z.boolean().nullish(),
  }),
} satisfies Record<Op, z.ZodType>;
