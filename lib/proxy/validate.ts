import { z } from 'zod';
import { errors } from './errors';
import type { Operation } from './routes';

// Only the fields Portico acts on are checked; everything else passes through untouched.
const message = z.looseObject({ role: z.string({ error: 'each message needs a "role" string' }) });
const schemas = {
  chat: z.looseObject({
    messages: z.array(message, { error: '"messages" must be an array of {role, content} objects' }).min(1, '"messages" must not be empty'),
    stream: z.boolean().optional(),
    n: z.number().int().min(1).max(128).optional(),
  }),
  completions: z.looseObject({
    prompt: z.union([z.string(), z.array(z.string()), z.array(z.number()), z.array(z.array(z.number()))], {
      error: '"prompt" must be a string or an array of strings',
    }),
    stream: z.boolean().optional(),
  }),
  embeddings: z.looseObject({
    input: z.union([z.string(), z.array(z.string()), z.array(z.number()), z.array(z.array(z.number()))], {
      error: '"input" must be a string, an array of strings, or token arrays',
    }),
  }),
  responses: z.looseObject({
    input: z.union([z.string(), z.array(z.unknown())], { error: '"input" must be a string or an array of input items' }).optional(),
    instructions: z.string().nullish(),
    stream: z.boolean().optional(),
  }),
} satisfies Record<Exclude<Operation, 'models'>, z.ZodType>;

export const requestSchemas = schemas;

const isInt = (v: unknown, min: number, max: number) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/**
 * The common well-formed chat body, recognised without building zod's copy of it (the hot path). It
 * accepts a subset of what the schema accepts; anything else goes through the schema, which decides and
 * words the error. validate.test.ts checks that the subset stays inside the schema.
 */
export function plainlyValidChat(body: Record<string, unknown>): boolean {
  const m = body.messages;
  if (!Array.isArray(m) || m.length === 0) return false;
  for (const x of m) if (typeof x !== 'object' || x === null || Array.isArray(x) || typeof (x as { role?: unknown }).role !== 'string') return false;
  if (body.stream !== undefined && typeof body.stream !== 'boolean') return false;
  if (body.n !== undefined && !isInt(body.n, 1, 128)) return false;
  return body.model === undefined || typeof body.model === 'string';
}

export function validateBody(op: Exclude<Operation, 'models'>, body: Record<string, unknown>): void {
  if (op === 'chat' && plainlyValidChat(body)) return;
  const r = schemas[op].safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const param = issue.path.map(String).join('.') || null;
    throw errors.badRequest(issue.message.includes('"') ? issue.message : `${param ?? 'body'}: ${issue.message}`, param);
  }
  if (body.model !== undefined && typeof body.model !== 'string') throw errors.badRequest('"model" must be a string.', 'model');
}
