import { detect } from './detect';
import type { PhiSession, TextStreamRestorer } from './session';
import type { PhiCounts, PhiEntity, PhiType } from './types';

// Walks OpenAI-shaped request and response bodies (already parsed JSON) and rewrites their text
// fields in place. Fields this module does not know pass through untouched.

export type PhiOperation = 'chat' | 'responses' | 'embeddings' | 'completions';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What a text field holds: prose, a JSON document (tool arguments), or an identifier (a message's `name`). */
type FieldKind = 'text' | 'json' | 'identifier';

/**
 * A visitor over every text-bearing field. `hint` says what a field holds when its name says so and the words
 * alone might not ("city": "Tulsa", a metadata "patient_name").
 */
type TextVisitor = (text: string, kind: FieldKind, hint?: PhiType) => string;

function visitField(
  obj: Json,
  key: string,
  visit: TextVisitor,
  kind: FieldKind = 'text',
  hint?: PhiType,
): void {
  const v = obj[key];
  if (typeof v === 'string') obj[key] = visit(v, kind, hint);
}

// Keys whose values are structure, names the API matches on, secrets or addresses it calls: never rewritten.
const STRUCTURAL = new Set([
  'type',
  'name',
  'strict',
  'format',
  'pattern',
  '$ref',
  '$schema',
  '$id',
  '$anchor',
  '$comment',
  'required',
  'id',
  'call_id',
  'item_id',
  'file_id',
  'vector_store_ids',
  'server_url',
  'server_label',
  'headers',
  'authorization',
  'require_approval',
  'allowed_tools',
  'syntax',
  'definition',
  'container',
  'connector_id',
  'timezone',
  'country',
  'search_context_size',
  'tool_choice',
  'parallel_tool_calls',
]);
// Keys whose own keys are property names of a schema: the names stay, their schemas are walked.
const NAME_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/**
 * Every string in a tool definition or a JSON schema (descriptions, titles, examples, defaults, enum values),
 * in place; names, types and patterns stay as they are.
 */
function visitStrings(node: unknown, visit: TextVisitor, hintKey?: string): unknown {
  if (typeof node === 'string') return visit(node, 'text', hintKey ? hintFor(hintKey, node) : undefined);
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) node[i] = visitStrings(node[i], visit, hintKey);
    return node;
  }
  if (!isObject(node)) return node;
  for (const key of Object.keys(node)) {
    const v = node[key];
    // "format" is a schema's string format ("date-time") but also the Responses API's output format object.
    if (STRUCTURAL.has(key) && !(key === 'format' && isObject(v))) continue;
    if (NAME_MAPS.has(key) && isObject(v)) {
      for (const k of Object.keys(v)) v[k] = visitStrings(v[k], visit);
      continue;
    }
    node[key] = visitStrings(v, visit, key);
  }
  return node;
}

/** Free-form string values of `metadata` (and prompt variables): their keys hint at what they hold. */
function visitValues(obj: unknown, visit: TextVisitor): void {
  if (!isObject(obj)) return;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (typeof v === 'string') obj[key] = visit(v, 'text', hintFor(key, v));
    else if (isObject(v) || Array.isArray(v)) visitStrings(v, visit, key);
  }
}

/** The fields every operation may carry besides its text: who the end user is, metadata, tools, output schemas. */
function visitCommon(body: Json, visit: TextVisitor): void {
  visitField(body, 'user', visit);
  visitField(body, 'safety_identifier', visit);
  visitValues(body.metadata, visit);
  if (Array.isArray(body.tools)) visitStrings(body.tools, visit);
  if (Array.isArray(body.functions)) visitStrings(body.functions, visit);
  if (isObject(body.response_format)) visitStrings(body.response_format, visit);
  if (isObject(body.text)) visitStrings(body.text, visit);
  if (isObject(body.prediction)) visitContent(body.prediction, 'content', visit);
  // Where the end user is, for web search: a town and a region are identifiers below the state.
  if (isObject(body.web_search_options)) visitStrings(body.web_search_options, visit);
  if (isObject(body.prompt)) visitValues(body.prompt.variables, visit);
}

/** Chat `content`: a string, or an array of parts whose `text` parts carry text. */
function visitContent(obj: Json, key: string, visit: TextVisitor): void {
  const v = obj[key];
  if (typeof v === 'string') {
    obj[key] = visit(v, 'text');
    return;
  }
  if (!Array.isArray(v)) return;
  for (const part of v) {
    if (!isObject(part)) continue;
    if (
      part.type === 'text' ||
      part.type === 'input_text' ||
      part.type === 'output_text' ||
      part.type === 'refusal'
    ) {
      visitField(part, 'text', visit);
      visitField(part, 'refusal', visit);
    } else if (part.type === 'input_file') {
      // A file's name often is the patient's ("smith_john_mri.pdf").
      visitField(part, 'filename', visit);
    } else if (part.type === 'file' && isObject(part.file)) {
      visitField(part.file, 'filename', visit);
    }
  }
}

function visitToolCalls(calls: unknown, visit: TextVisitor): void {
  if (!Array.isArray(calls)) return;
  for (const call of calls) {
    if (!isObject(call) || !isObject(call.function)) continue;
    visitField(call.function, 'arguments', visit, 'json');
  }
}

function visitChatMessages(messages: unknown, visit: TextVisitor): void {
  if (!Array.isArray(messages)) return;
  for (const m of messages) {
    if (!isObject(m)) continue;
    visitField(m, 'name', visit, 'identifier');
    visitContent(m, 'content', visit);
    visitField(m, 'refusal', visit);
    visitToolCalls(m.tool_calls, visit);
    // The deprecated single function call of older clients.
    if (isObject(m.function_call)) visitField(m.function_call, 'arguments', visit, 'json');
  }
}

/** Responses API items: messages with content parts, function calls and their outputs. */
function visitResponseItems(items: unknown, visit: TextVisitor): void {
  if (!Array.isArray(items)) return;
  for (const item of items) {
    if (!isObject(item)) continue;
    if (item.type === 'function_call') {
      visitField(item, 'arguments', visit, 'json');
    } else if (item.type === 'function_call_output') {
      visitField(item, 'output', visit);
      if (Array.isArray(item.output)) visitContent(item, 'output', visit);
    } else if (item.type === 'message' || item.type === undefined) {
      visitContent(item, 'content', visit);
    } else if (item.type === 'reasoning' && Array.isArray(item.summary)) {
      for (const s of item.summary) if (isObject(s)) visitField(s, 'text', visit);
    } else if (item.type === 'custom_tool_call') {
      visitField(item, 'input', visit);
    } else if (
      item.type === 'custom_tool_call_output' ||
      item.type === 'computer_call_output' ||
      item.type === 'local_shell_call_output'
    ) {
      visitField(item, 'output', visit);
      if (Array.isArray(item.output)) visitContent(item, 'output', visit);
    } else if (item.type === 'mcp_call') {
      visitField(item, 'arguments', visit, 'json');
      visitField(item, 'output', visit);
      visitField(item, 'error', visit);
    } else if (item.type === 'mcp_approval_response') {
      visitField(item, 'reason', visit);
    } else if (item.type === 'file_search_call' && Array.isArray(item.queries)) {
      item.queries = item.queries.map((q: unknown) => (typeof q === 'string' ? visit(q, 'text') : q));
    } else if (item.type === 'web_search_call' && isObject(item.action)) {
      visitField(item.action, 'query', visit);
    } else if (
      item.type === 'local_shell_call' &&
      isObject(item.action) &&
      Array.isArray(item.action.command)
    ) {
      item.action.command = item.action.command.map((c: unknown) =>
        typeof c === 'string' ? visit(c, 'text') : c,
      );
    } else if (item.type === 'item_reference') {
      // A reference to an item the upstream already holds: nothing to read.
    } else {
      // An item type this version does not know: every string in it, as for a tool's definition.
      visitStrings(item, visit);
    }
  }
}

function visitRequest(op: PhiOperation, body: Json, visit: TextVisitor): void {
  visitCommon(body, visit);
  switch (op) {
    case 'chat':
      visitChatMessages(body.messages, visit);
      return;
    case 'responses':
      visitField(body, 'instructions', visit);
      if (Array.isArray(body.instructions)) visitResponseItems(body.instructions, visit);
      if (typeof body.input === 'string') body.input = visit(body.input, 'text');
      else visitResponseItems(body.input, visit);
      return;
    case 'embeddings':
      if (typeof body.input === 'string') body.input = visit(body.input, 'text');
      else if (Array.isArray(body.input)) {
        // Arrays of token ids (numbers, or arrays of numbers) carry no readable text.
        body.input = body.input.map((x: unknown) => (typeof x === 'string' ? visit(x, 'text') : x));
      }
      return;
    case 'completions':
      visitField(body, 'suffix', visit);
      if (typeof body.prompt === 'string') body.prompt = visit(body.prompt, 'text');
      else if (Array.isArray(body.prompt))
        body.prompt = body.prompt.map((x: unknown) => (typeof x === 'string' ? visit(x, 'text') : x));
      return;
  }
}

// JSON text (tool-call arguments): scrub each string literal's decoded value, so that a value
// maps to its plain form, and re-encode only the literals that changed.
const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;
const KEY_FOLLOWS = /^\s*:/;

// A tool's own field names say what a short value is, where the words alone would not ("name": "Smith").
const KEY_HINTS: readonly [RegExp, PhiType][] = [
  [
    /(?:^|_|\b)(?:first|last|middle|given|family|full|sur|maiden|nick)?_?name$|^(?:patient|physician|doctor|provider|clinician|nurse|contact|guardian|proxy|caregiver|emergency_contact)$/i,
    'NAME',
  ],
  [/address|street|^city$|^town$|^zip(?:_?code)?$|postal/i, 'LOCATION'],
  [
    /^(?:dob|date_of_birth|birth_?date|birthday|dod|date_of_death|admission_date|discharge_date|admit_date)$/i,
    'DATE',
  ],
  [/^(?:phone|telephone|mobile|cell|phone_number|tel)$/i, 'PHONE'],
  [/^fax(?:_number)?$/i, 'FAX'],
  [/^e-?mail(?:_address)?$/i, 'EMAIL'],
  [/^(?:ssn|social_security(?:_number)?)$/i, 'SSN'],
  [/^(?:mrn|medical_record(?:_number)?|patient_id|chart_number)$/i, 'MRN'],
  [/^(?:member_id|subscriber_id|policy_number|insurance_id|medicare_id|medicaid_id)$/i, 'HEALTH_PLAN'],
  [/^(?:account|account_number|acct)$/i, 'ACCOUNT'],
];
const MAX_HINTED_LENGTH = 120;
const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

function hintFor(key: string | undefined, value: string): PhiType | undefined {
  if (key === undefined || value.length > MAX_HINTED_LENGTH || !HAS_LETTER_OR_DIGIT.test(value))
    return undefined;
  for (const [re, type] of KEY_HINTS) if (re.test(key)) return type;
  return undefined;
}

function scrubJsonText(
  text: string,
  scrub: (s: string) => string,
  whole: (s: string, type: PhiType) => string,
  hinted: (s: string, type: PhiType) => string = (s, type) => {
    const out = scrub(s);
    return out === s ? whole(s, type) : out;
  },
): string {
  let changed = false;
  let key: string | undefined;
  const out = text.replace(JSON_STRING, (literal: string, offset: number) => {
    let value: unknown;
    try {
      value = JSON.parse(literal);
    } catch {
      return literal;
    }
    if (typeof value !== 'string') return literal;
    if (KEY_FOLLOWS.test(text.slice(offset + literal.length, offset + literal.length + 8))) {
      key = value;
      return literal;
    }
    const hint = hintFor(key, value);
    key = undefined;
    // The words decide first, so that a value keeps the token it gets elsewhere; the key fills in what they
    // missed, and names the type when they found the whole value ("city": "Springfield" is a place).
    const scrubbed = hint ? hinted(value, hint) : scrub(value);
    if (scrubbed === value) return literal;
    changed = true;
    return JSON.stringify(scrubbed);
  });
  return changed ? out : text;
}

const NON_SPACE = /\S/;
const BRACKETED_TOKEN = /\[([A-Z]+(?:_[A-Z]+)?_\d+)\]/g;

function looksLikeJson(text: string): boolean {
  const t = text.trimStart();
  return t.startsWith('{') || t.startsWith('[');
}

/**
 * Replaces PHI in every text-bearing field of a request body with the session's tokens.
 * Mutates `body` in place. Throws if detection fails: the caller must then fail the request.
 * `find` locates the entities of one text (`detect`, or a worker thread's answers for a large request).
 */
export function scrubRequestBody(
  op: PhiOperation,
  body: Record<string, unknown>,
  session: PhiSession,
  find: (text: string) => PhiEntity[] = detect,
): void {
  const scrub = (s: string): string => session.scrubEntities(s, find(s));
  const whole = (s: string, type: PhiType): string =>
    session.scrubEntities(s, [{ start: 0, end: s.length, type }]);
  const hinted = (s: string, type: PhiType): string => {
    const found = find(s);
    const covers =
      found.length === 1 &&
      (found[0]?.start ?? 1) <= s.search(NON_SPACE) &&
      (found[0]?.end ?? 0) >= s.trimEnd().length;
    return found.length === 0 || covers ? whole(s, type) : session.scrubEntities(s, found);
  };
  visitRequest(op, body, (text, kind, hint) => {
    if (kind === 'json' && looksLikeJson(text)) return scrubJsonText(text, scrub, whole, hinted);
    // A message `name` must stay a bare identifier for the upstream: "NAME_1", not "[NAME_1]".
    if (kind === 'identifier') return scrub(text).replace(BRACKETED_TOKEN, '$1');
    return hint ? hinted(text, hint) : scrub(text);
  });
}

/** Every text `scrubRequestBody` would scan, in order, without changing the body (to scan them elsewhere first). */
export function requestTexts(op: PhiOperation, body: Record<string, unknown>): string[] {
  const texts: string[] = [];
  const note = (s: string): string => (texts.push(s), s);
  // Every visit returns its text unchanged, so the walk leaves the body as it was (no copy of a large body).
  visitRequest(op, body, (text, kind) =>
    kind === 'json' && looksLikeJson(text) ? scrubJsonText(text, note, (s) => s) : note(text),
  );
  return texts;
}

/** Counts the identifiers in a request body by type, without changing it (policy `block`). */
export function detectInRequestBody(
  op: PhiOperation,
  body: Record<string, unknown>,
  find: (text: string) => PhiEntity[] = detect,
): PhiCounts {
  const counts: PhiCounts = {};
  // Returns a changed string when something was found, as scrubbing would; the walked copy is discarded.
  const count = (s: string): string => {
    const found = find(s);
    for (const e of found) counts[e.type] = (counts[e.type] ?? 0) + 1;
    return found.length > 0 ? `\u0000${s}` : s;
  };
  const whole = (s: string, type: PhiType): string => {
    counts[type] = (counts[type] ?? 0) + 1;
    return s;
  };
  // Counted for their side effect only: every visit hands back the text it got, so the body is never touched
  // (and never copied, however large).
  const hinted = (s: string, type: PhiType): string => {
    const found = find(s);
    const covers =
      found.length === 1 &&
      (found[0]?.start ?? 1) <= s.search(NON_SPACE) &&
      (found[0]?.end ?? 0) >= s.trimEnd().length;
    if (found.length === 0 || covers) return whole(s, type);
    return count(s);
  };
  visitRequest(op, body, (text, kind, hint) => {
    if (kind === 'json' && looksLikeJson(text)) scrubJsonText(text, count, whole, hinted);
    else if (count(text) === text && hint) whole(text, hint);
    return text;
  });
  return counts;
}

function restoreChatMessage(m: Json, session: PhiSession): void {
  if (typeof m.content === 'string') m.content = session.restore(m.content);
  else visitContent(m, 'content', (t) => session.restore(t));
  visitField(m, 'refusal', (t) => session.restore(t));
  visitToolCalls(m.tool_calls, (t) => session.restoreJsonEscaped(t));
  if (isObject(m.function_call))
    visitField(m.function_call, 'arguments', (t) => session.restoreJsonEscaped(t));
}

function restoreResponseOutput(output: unknown, session: PhiSession): void {
  if (!Array.isArray(output)) return;
  for (const item of output) {
    if (!isObject(item)) continue;
    if (item.type === 'function_call') visitField(item, 'arguments', (t) => session.restoreJsonEscaped(t));
    else if (item.type === 'message') visitContent(item, 'content', (t) => session.restore(t));
    else if (item.type === 'reasoning' && Array.isArray(item.summary)) {
      for (const s of item.summary) if (isObject(s)) visitField(s, 'text', (t) => session.restore(t));
    }
  }
}

/** Puts the original values back into a JSON response body, in place. */
export function restoreResponseBody(op: PhiOperation, body: unknown, session: PhiSession): void {
  if (!isObject(body) || !session.hasTokens()) return;
  if (op === 'chat' || op === 'completions') {
    if (!Array.isArray(body.choices)) return;
    for (const choice of body.choices) {
      if (!isObject(choice)) continue;
      if (isObject(choice.message)) restoreChatMessage(choice.message, session);
      visitField(choice, 'text', (t) => session.restore(t));
    }
  } else if (op === 'responses') {
    restoreResponseOutput(body.output, session);
    visitField(body, 'output_text', (t) => session.restore(t));
    // A response echoes the request's instructions, metadata, tools and output format.
    const restore: TextVisitor = (t) => session.restore(t);
    visitCommon(body, restore);
    visitField(body, 'instructions', restore);
    if (Array.isArray(body.instructions)) visitResponseItems(body.instructions, restore);
  }
}

export type MediaKind = 'image' | 'audio' | 'file';

/**
 * The parts of a request that are not text (images, audio, files), with where they are: PHI inside them cannot be
 * scrubbed, so they follow the app's media setting. Audio asked for in the answer counts too.
 */
export function mediaParts(
  op: PhiOperation,
  body: Record<string, unknown>,
): { kind: MediaKind; param: string }[] {
  const found: { kind: MediaKind; param: string }[] = [];
  const parts = (content: unknown, at: string): void => {
    if (!Array.isArray(content)) return;
    content.forEach((part: unknown, j) => {
      if (!isObject(part)) return;
      const kind: MediaKind | undefined =
        part.type === 'image_url' || part.type === 'input_image'
          ? 'image'
          : part.type === 'input_audio'
            ? 'audio'
            : part.type === 'file' || part.type === 'input_file'
              ? 'file'
              : undefined;
      if (kind) found.push({ kind, param: `${at}[${j}]` });
    });
  };
  if (op === 'chat' && Array.isArray(body.messages)) {
    body.messages.forEach((m: unknown, i) => {
      if (isObject(m)) parts(m.content, `messages[${i}].content`);
    });
    const audioOut =
      isObject(body.audio) || (Array.isArray(body.modalities) && body.modalities.includes('audio'));
    if (audioOut) found.push({ kind: 'audio', param: isObject(body.audio) ? 'audio' : 'modalities' });
  } else if (op === 'responses' && Array.isArray(body.input)) {
    body.input.forEach((item: unknown, i) => {
      if (!isObject(item)) return;
      parts(item.content, `input[${i}].content`);
      if (item.type === 'function_call_output' || item.type === 'custom_tool_call_output')
        parts(item.output, `input[${i}].output`);
    });
  }
  return found;
}

export interface StreamRestorer {
  /** The events to emit for one parsed SSE `data:` payload, in order. */
  transform(event: Record<string, unknown>): Record<string, unknown>[];
  /** Events carrying text still held back when the stream ends without a finish. */
  flush(): Record<string, unknown>[];
}

/**
 * Restores one response stream, event by event. Each text (a choice's content, a tool call's
 * arguments, a Responses output part) has its own hold-back restorer, flushed at the latest into
 * the chunk carrying that choice's `finish_reason` or before the matching `.done` event.
 */
export function createStreamRestorer(
  op: 'chat' | 'responses' | 'completions',
  session: PhiSession,
): StreamRestorer {
  return op === 'responses' ? responsesStream(session) : chatStream(session);
}

function chatStream(session: PhiSession): StreamRestorer {
  interface ChoiceState {
    content: TextStreamRestorer;
    refusal: TextStreamRestorer;
    text: TextStreamRestorer;
    tools: Map<number, TextStreamRestorer>;
    done: boolean;
  }
  const choices = new Map<number, ChoiceState>();
  let last: Json | undefined;
  const stateOf = (index: number): ChoiceState => {
    let s = choices.get(index);
    if (!s) {
      s = {
        content: session.streamRestorer(),
        refusal: session.streamRestorer(),
        text: session.streamRestorer(),
        tools: new Map(),
        done: false,
      };
      choices.set(index, s);
    }
    return s;
  };
  const toolRestorer = (s: ChoiceState, index: number): TextStreamRestorer => {
    let r = s.tools.get(index);
    if (!r) {
      r = session.streamRestorer({ jsonEscaped: true });
      s.tools.set(index, r);
    }
    return r;
  };
  /** Adds the held-back text of a finished choice to its final chunk. */
  const finish = (s: ChoiceState, choice: Json): void => {
    s.done = true;
    const delta = isObject(choice.delta) ? choice.delta : undefined;
    const content = s.content.flush();
    const refusal = s.refusal.flush();
    const text = s.text.flush();
    if (delta) {
      if (content) delta.content = (typeof delta.content === 'string' ? delta.content : '') + content;
      if (refusal) delta.refusal = (typeof delta.refusal === 'string' ? delta.refusal : '') + refusal;
    } else if (content || refusal) {
      choice.delta = { ...(content ? { content } : {}), ...(refusal ? { refusal } : {}) };
    }
    if (text) choice.text = (typeof choice.text === 'string' ? choice.text : '') + text;
    for (const [index, r] of s.tools) {
      const rest = r.flush();
      if (!rest) continue;
      const d = isObject(choice.delta) ? choice.delta : (choice.delta = {});
      const calls = Array.isArray(d.tool_calls) ? d.tool_calls : (d.tool_calls = []);
      const call = calls.find((c: unknown) => isObject(c) && c.index === index);
      if (isObject(call)) {
        const fn = isObject(call.function) ? call.function : (call.function = {});
        fn.arguments = (typeof fn.arguments === 'string' ? fn.arguments : '') + rest;
      } else {
        calls.push({ index, function: { arguments: rest } });
      }
    }
  };
  return {
    transform(event) {
      if (!session.hasTokens()) return [event];
      last = event;
      if (!Array.isArray(event.choices)) return [event];
      for (const choice of event.choices) {
        if (!isObject(choice)) continue;
        const s = stateOf(typeof choice.index === 'number' ? choice.index : 0);
        const delta = choice.delta;
        if (isObject(delta)) {
          if (typeof delta.content === 'string') delta.content = s.content.push(delta.content);
          if (typeof delta.refusal === 'string') delta.refusal = s.refusal.push(delta.refusal);
          if (Array.isArray(delta.tool_calls)) {
            for (const call of delta.tool_calls) {
              if (!isObject(call) || !isObject(call.function) || typeof call.function.arguments !== 'string')
                continue;
              const index = typeof call.index === 'number' ? call.index : 0;
              call.function.arguments = toolRestorer(s, index).push(call.function.arguments);
            }
          }
          if (isObject(delta.function_call) && typeof delta.function_call.arguments === 'string') {
            delta.function_call.arguments = toolRestorer(s, -1).push(delta.function_call.arguments);
          }
        }
        if (typeof choice.text === 'string') choice.text = s.text.push(choice.text);
        if (choice.finish_reason !== null && choice.finish_reason !== undefined) finish(s, choice);
      }
      return [event];
    },
    flush() {
      const out: Record<string, unknown>[] = [];
      for (const [index, s] of choices) {
        if (s.done) continue;
        const choice: Json = { index, delta: {}, finish_reason: null };
        finish(s, choice);
        const hasText =
          (isObject(choice.delta) && Object.keys(choice.delta).length > 0) || typeof choice.text === 'string';
        if (!hasText) continue;
        const base: Json = {};
        for (const k of ['id', 'object', 'created', 'model', 'system_fingerprint'])
          if (last && k in last) base[k] = last[k];
        out.push({ ...base, choices: [choice] });
      }
      return out;
    },
  };
}

function responsesStream(session: PhiSession): StreamRestorer {
  const texts = new Map<string, TextStreamRestorer>();
  const args = new Map<string, TextStreamRestorer>();
  const keyOf = (e: Json): string => `${String(e.item_id ?? e.output_index)}:${String(e.content_index ?? 0)}`;
  const restorerOf = (
    map: Map<string, TextStreamRestorer>,
    key: string,
    json: boolean,
  ): TextStreamRestorer => {
    let r = map.get(key);
    if (!r) {
      r = session.streamRestorer({ jsonEscaped: json });
      map.set(key, r);
    }
    return r;
  };
  /** A delta event carrying held-back text, emitted just before the matching `.done` event. */
  const heldDelta = (done: Json, type: string, map: Map<string, TextStreamRestorer>, key: string): Json[] => {
    const r = map.get(key);
    map.delete(key);
    const rest = r?.flush() ?? '';
    if (!rest) return [];
    const e: Json = { type, item_id: done.item_id, output_index: done.output_index };
    if (type === 'response.output_text.delta' || type === 'response.refusal.delta')
      e.content_index = done.content_index;
    if ('sequence_number' in done) e.sequence_number = done.sequence_number;
    e.delta = rest;
    return [e];
  };
  return {
    transform(event) {
      if (!session.hasTokens()) return [event];
      switch (event.type) {
        case 'response.output_text.delta':
        case 'response.refusal.delta':
          if (typeof event.delta === 'string')
            event.delta = restorerOf(texts, `${String(event.type)}:${keyOf(event)}`, false).push(event.delta);
          return [event];
        case 'response.output_text.done': {
          const before = heldDelta(
            event,
            'response.output_text.delta',
            texts,
            `response.output_text.delta:${keyOf(event)}`,
          );
          visitField(event, 'text', (t) => session.restore(t));
          return [...before, event];
        }
        case 'response.refusal.done': {
          const before = heldDelta(
            event,
            'response.refusal.delta',
            texts,
            `response.refusal.delta:${keyOf(event)}`,
          );
          visitField(event, 'refusal', (t) => session.restore(t));
          return [...before, event];
        }
        case 'response.function_call_arguments.delta':
          if (typeof event.delta === 'string')
            event.delta = restorerOf(
              args,
              keyOf({ item_id: event.item_id, output_index: event.output_index }),
              true,
            ).push(event.delta);
          return [event];
        case 'response.function_call_arguments.done': {
          const before = heldDelta(
            event,
            'response.function_call_arguments.delta',
            args,
            keyOf({ item_id: event.item_id, output_index: event.output_index }),
          );
          visitField(event, 'arguments', (t) => session.restoreJsonEscaped(t));
          return [...before, event];
        }
        case 'response.content_part.done':
        case 'response.content_part.added':
          if (isObject(event.part))
            visitContent({ content: [event.part] }, 'content', (t) => session.restore(t));
          return [event];
        case 'response.output_item.done':
        case 'response.output_item.added':
          restoreResponseOutput([event.item], session);
          return [event];
        case 'response.completed':
        case 'response.incomplete':
        case 'response.failed':
          if (isObject(event.response)) restoreResponseBody('responses', event.response, session);
          return [event];
        default:
          return [event];
      }
    },
    flush() {
      const out: Json[] = [];
      for (const [key, r] of texts) {
        const rest = r.flush();
        if (!rest) continue;
        const [type, itemId, contentIndex] = key.split(':');
        out.push({ type, item_id: itemId, content_index: Number(contentIndex), delta: rest });
      }
      for (const [key, r] of args) {
        const rest = r.flush();
        if (!rest) continue;
        out.push({ type: 'response.function_call_arguments.delta', item_id: key.split(':')[0], delta: rest });
      }
      texts.clear();
      args.clear();
      return out;
    },
  };
}
