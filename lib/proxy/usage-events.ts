// Token usage read from upstream answers: a JSON body's top-level `usage` (read from its tail, without parsing the
// rest) and the usage event of a stream. Pure: bytes and parsed events in, numbers out.
import { isObj, type Json } from '../json';

export interface Usage {
  prompt: number;
  completion: number;
}

/** Token counts from an upstream `usage` object (chat/completions/embeddings or Responses API shape). */
export function readUsage(u: unknown): Usage | null {
  if (!isObj(u)) return null;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0);
  if ('input_tokens' in u || 'output_tokens' in u)
    return { prompt: n(u.input_tokens), completion: n(u.output_tokens) };
  return { prompt: n(u.prompt_tokens), completion: n(u.completion_tokens) };
}

const USAGE_KEY = Buffer.from('"usage"');

/**
 * The top-level `usage` of a JSON answer without parsing the whole answer: OpenAI-shaped answers end
 * with it. A key inside a string cannot match (its quotes would be escaped).
 */
export function usageFromJsonTail(buf: Buffer): Usage | null {
  const at = buf.lastIndexOf(USAGE_KEY);
  if (at < 0) return null;
  let i = at + USAGE_KEY.length;
  while (
    i < buf.length &&
    (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09 || buf[i] === 0x3a)
  )
    i++;
  if (buf[i] !== 0x7b) return null;
  let depth = 0;
  let inString = false;
  for (let j = i; j < buf.length; j++) {
    const c = buf[j];
    if (inString) {
      if (c === 0x5c) j++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b) depth++;
    else if (c === 0x7d && --depth === 0) {
      try {
        return readUsage(JSON.parse(buf.toString('utf8', i, j + 1)));
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** Whether an SSE data payload may hold usage at all (most chunks are skipped without parsing). */
export const HAS_USAGE = /"usage"\s*:\s*\{/;

/**
 * The usage step of a streamed answer, for one parsed event: the usage it carries, and whether the event must
 * be dropped. Portico asks chat and completions upstreams for their usage chunk to meter every stream; a client
 * that did not ask for it must not see it (the chunk without choices is dropped, a usage field deleted).
 * Responses streams carry usage in `response.completed` for everyone.
 */
export function streamedUsage(
  op: string,
  event: Json,
  clientWantsUsage: boolean,
): { usage: Usage | null; drop: boolean } {
  const holder = op === 'responses' && isObj(event.response) ? event.response : event;
  const usage = readUsage(holder.usage);
  if (!usage || op === 'responses' || clientWantsUsage) return { usage, drop: false };
  if (Array.isArray(event.choices) && event.choices.length === 0) return { usage, drop: true };
  delete event.usage;
  return { usage, drop: false };
}
