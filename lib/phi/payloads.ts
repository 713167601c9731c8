import { detect, detectIdentifier, isIdentifier } from './detect';
import { detectRemembered } from './remembered';
import { SPEC_ENUMS, SPEC_KEYS, SPEC_OPAQUE } from './openai-vocabulary';
import { Kind, kindOf, wordEntry } from './wordindex';
import { keyHint, shapeHint } from './records';
import type { PhiSession, TextStreamRestorer } from './session';
import type { PhiCounts, PhiEntity, PhiType } from './types';

// Default deny: every string and every object key of a request body is scanned, at any depth, in every operation,
// fields no specification names yet included. What is left alone is only what cannot hold text: the API's own
// words (property names and enum values from OpenAI's specification, generated into openai-vocabulary.ts), the
// model the route resolved, ids an upstream made, encrypted fields the upstream produced, and the binary payload
// of media parts (which follow the app's media setting instead). Answers are restored the same way: every string.

/** The request shapes Portico forwards. Only the stream restorers and the top-level `model` depend on it. */
export type PhiOperation =
  | 'chat'
  | 'responses'
  | 'embeddings'
  | 'completions'
  | 'images'
  | 'speech'
  | 'transcriptions'
  | 'conversations'
  | 'batches'
  /** A pass-through adapter's request (path segments, query pairs, body): nothing in it is the API's model. */
  | 'http';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const API_KEYS: ReadonlySet<string> = new Set(SPEC_KEYS);
const API_ENUMS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries(SPEC_ENUMS).map(([k, v]) => [k, new Set(v)]),
);
const OPAQUE: ReadonlySet<string> = new Set(SPEC_OPAQUE);
const OPAQUE_BLOB = /^[A-Za-z0-9+/_=-]{40,}$/;

/** Finds the entities of texts and of identifiers (see detectIdentifier): the engine, or a worker's answers. */
export interface Finder {
  text(s: string): PhiEntity[];
  identifier(s: string): PhiEntity[];
}

// Identifiers repeat from request to request (tool and property names): a bounded memo of those found free of PHI.
// Only PHI-free strings are kept, so no identifier value outlives its request here.
const CLEAN_IDENTIFIERS = new Set<string>();
const MAX_CLEAN_IDENTIFIERS = 20_000;

function cachedIdentifier(s: string): PhiEntity[] {
  if (CLEAN_IDENTIFIERS.has(s)) return [];
  const found = detectIdentifier(s);
  if (found.length === 0 && s.length <= 64) {
    if (CLEAN_IDENTIFIERS.size >= MAX_CLEAN_IDENTIFIERS) CLEAN_IDENTIFIERS.clear();
    CLEAN_IDENTIFIERS.add(s);
  }
  return found;
}

export const engineFinder: Finder = { text: detect, identifier: cachedIdentifier };

/** The engine for one app's request: a text the app sent before is answered from that scan (lib/phi/remembered.ts). */
export function appFinder(app: string): Finder {
  return { text: (s) => detectRemembered(app, s), identifier: cachedIdentifier };
}

/** What a string is, for scanning. */
type Kind = 'text' | 'identifier';

/**
 * The walk's visitor: gets each string to scan and gives its replacement. `hint` is what a client's own key says
 * the value is when the words alone might not ("city": "Tulsa", "patient_name": "Smith").
 */
type Visitor = (text: string, kind: Kind, hint?: PhiType) => string;

const MAX_HINTED_LENGTH = 120;
const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * What a field says of its short value: the shape of the object it is in (a FHIR HumanName's `family`, a
 * ContactPoint's `value`), else its name ("last_name", "dob", "mrn"). The API's own keys say nothing by their name
 * (its "name" is a function's or a schema's), but for `city`, which is a town wherever it is.
 */
function hintFor(key: string | undefined, value: string, parent?: Json): PhiType | undefined {
  if (key === undefined || value.length > MAX_HINTED_LENGTH || !HAS_LETTER_OR_DIGIT.test(value))
    return undefined;
  const shaped = parent ? shapeHint(parent, key) : undefined;
  if (shaped) return shaped;
  if (API_KEYS.has(key) && key !== 'city') return undefined;
  return keyHint(key);
}

// Binary payloads: a data URL, or base64 under a key that carries a media part's bytes.
const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)?((?:;[\w-]+=[\w.+-]+)*);base64,/i;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const PAYLOAD_KEYS: ReadonlySet<string> = new Set([
  'data',
  'file_data',
  'result',
  'b64_json',
  'image_url',
  'url',
]);
const MIN_PAYLOAD = 256;

function isPayload(key: string | undefined, value: string): boolean {
  if (value.length < MIN_PAYLOAD) return false;
  if (DATA_URL.test(value)) return true;
  return key !== undefined && PAYLOAD_KEYS.has(key) && BASE64.test(value.slice(0, 4096));
}

/** A data URL that carries text (text/plain, JSON, CSV): its text is scanned like any other. */
function textDataUrl(value: string): { head: string; text: string } | undefined {
  const m = DATA_URL.exec(value);
  if (!m || !m[1] || !/^(?:text\/|application\/(?:json|xml|csv|x-ndjson|jsonl))/i.test(m[1]))
    return undefined;
  try {
    return { head: m[0], text: Buffer.from(value.slice(m[0].length), 'base64').toString('utf8') };
  } catch {
    return undefined;
  }
}

let zones: ReadonlySet<string> | undefined;
/** IANA time-zone names ("America/Chicago"): a closed list, not an address. */
function isTimeZone(v: string): boolean {
  zones ??= new Set(
    (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [],
  );
  return zones.has(v);
}

const URL_START = /^https?:\/\/[^\s]+$/i;
const URL_KEYS: ReadonlySet<string> = new Set(['url', 'server_url', 'image_url', 'file_url']);

/**
 * A URL field (an MCP server, an image's address) is an address the upstream must reach: scanned by its parts
 * (host, path segments, query), and replaced whole when one of them holds an identifier.
 */
function urlParts(value: string): string[] | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return undefined;
  }
  const parts = [u.hostname, ...u.pathname.split('/')];
  for (const [k, v] of u.searchParams) parts.push(k, v);
  if (u.hash) parts.push(u.hash.slice(1));
  if (u.username) parts.push(u.username);
  return parts
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    })
    .filter((p) => p.length > 0);
}

const looksLikeJson = (text: string): boolean => {
  const t = text.trimStart();
  return t.startsWith('{') || t.startsWith('[');
};

/**
 * Every string and key of a request, in place. `model` at the top is the model the route resolved; enum values and
 * the API's own keys are words of the API; ids an upstream made and encrypted fields pass (detectIdentifier leaves
 * machine-made ids alone); everything else goes to `visit`.
 */
function walkRequest(
  op: PhiOperation,
  body: Json,
  visit: Visitor,
  find: Finder,
  keep?: ReadonlySet<string>,
): void {
  const ctx: Walk = { visit, find, keep };
  let renamed: Map<string, string> | undefined;
  for (const key of Object.keys(body)) {
    if (key === 'model' && op !== 'http' && typeof body[key] === 'string') continue;
    body[key] = walkValue(body[key], key, ctx);
    if (API_KEYS.has(key)) continue;
    const nk = visitKey(key, visit);
    if (nk !== key) (renamed ??= new Map()).set(key, nk);
  }
  if (!renamed) return;
  // The top-level object keeps its identity (the caller holds it): its keys are rewritten in place, in order.
  const entries = Object.entries(renameKeys(body, renamed));
  for (const k of Object.keys(body)) delete body[k];
  for (const [k, v] of entries) body[k] = v;
}

interface Walk {
  visit: Visitor;
  /** Values left as they are: ids of upstream objects Portico recorded as the app's own. */
  keep?: ReadonlySet<string>;
  /** Looks without rewriting (the parts of a URL). */
  find: Finder;
}

function walkValue(v: unknown, key: string | undefined, ctx: Walk, parent?: Json): unknown {
  if (typeof v === 'string') return visitString(v, key, ctx, parent);
  // A number a record's field names as an identifier ("mrn": 4829113, "dob": 19610304) is one: it goes as a token.
  if (typeof v === 'number' && key !== undefined && Number.isInteger(v) && Math.abs(v) >= 1000) {
    const hint = hintFor(key, String(v), parent);
    if (hint && hint !== 'NAME' && hint !== 'LOCATION') {
      const text = String(v);
      const out = ctx.visit(text, 'text', hint);
      return out === text ? v : out;
    }
    return v;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = walkValue(v[i], key, ctx, parent);
    return v;
  }
  if (!isObject(v)) return v;
  let renamed: [string, string][] | undefined;
  for (const k of Object.keys(v)) {
    v[k] = walkValue(v[k], k, ctx, v);
    if (API_KEYS.has(k)) continue;
    const nk = visitKey(k, ctx.visit);
    if (nk !== k) (renamed ??= []).push([k, nk]);
  }
  return renamed ? renameKeys(v, new Map(renamed)) : v;
}

/** The object with some keys renamed, in the same order (a clash keeps both: the second gets a suffix). */
function renameKeys(obj: Json, names: Map<string, string>): Json {
  const out: Json = {};
  // Per name, how many underscores its last clash took: the next clash goes on from there instead of from none
  // (every slot below is taken, and keys are only added).
  const taken = new Map<string, number>();
  for (const k of Object.keys(obj)) {
    const base = names.get(k) ?? k;
    let nk = base;
    if (Object.hasOwn(out, nk)) {
      let n = taken.get(base) ?? 0;
      do nk = base + '_'.repeat(++n);
      while (Object.hasOwn(out, nk));
      taken.set(base, n);
    }
    out[nk] = obj[k];
  }
  return out;
}

/**
 * A field name that is one lower-case English word ("ward", "notes", "brown") names a field, not a person: a key has
 * no context that would make it a name. Capitalised words and words no dictionary holds ("gonzalez") are scanned.
 */
function plainWordKey(k: string): boolean {
  if (!/^[a-z]{2,24}$/.test(k)) return false;
  // "ward", "bill", "rose" are names too, but a lower-case word alone as a field's name is that word.
  const kind = kindOf(wordEntry(k), k);
  return kind === Kind.Word || kind === Kind.Stop || kind === Kind.Clinical || kind === Kind.Weak;
}

function visitKey(k: string, visit: Visitor): string {
  if (plainWordKey(k)) return k;
  return bareTokens(joinedWords(k) ? visit(k, 'identifier') : visit(k, 'text'));
}

const JOINS = /[\p{L}\p{N}][_.:@+-]|\p{Ll}\p{Lu}|\p{L}\p{N}|\p{N}\p{L}/u;

/** Words written as one (snake_case, camelCase, an email, an id): scanned word by word, replaced whole. */
function joinedWords(s: string): boolean {
  return isIdentifier(s) && JOINS.test(s);
}

const BRACKETED_TOKEN = /\[([A-Z]+(?:_[A-Z]+)?_\d+)\]/g;
const bareTokens = (s: string): string => (s.includes('[') ? s.replace(BRACKETED_TOKEN, '$1') : s);
/** A programming identifier keeps that shape when replaced ("NAME_1"); other values get "[NAME_1]". */
const CODE_IDENTIFIER = /^(?=[\d_-]*[A-Za-z])[A-Za-z0-9_-]+$/;

function visitString(v: string, key: string | undefined, ctx: Walk, parent?: Json): string {
  const visit = ctx.visit;
  if (v.length === 0 || ctx.keep?.has(v)) return v;
  if (key !== undefined) {
    if (API_ENUMS.get(key)?.has(v)) return v;
    // Encrypted content the upstream produced is a long base64 blob; anything else a client wrote there is scanned.
    if (OPAQUE.has(key) && OPAQUE_BLOB.test(v)) return v;
    if (key === 'timezone' && isTimeZone(v)) return v;
  }
  if (isPayload(key, v)) {
    const t = textDataUrl(v);
    if (!t) return v; // binary: the media check decided on it
    const scrubbed = visit(t.text, 'text');
    return scrubbed === t.text ? v : t.head + Buffer.from(scrubbed, 'utf8').toString('base64');
  }
  if (key !== undefined && URL_KEYS.has(key) && URL_START.test(v)) {
    const parts = urlParts(v);
    if (parts) {
      // A part of a URL is no URL itself: what counts is a name, a date, a number in it.
      const holds = parts.some((p) =>
        (isIdentifier(p) ? ctx.find.identifier(p) : ctx.find.text(p)).some((e) => e.type !== 'URL'),
      );
      return holds ? visit(v, 'text', 'URL') : v;
    }
  }
  if (joinedWords(v)) return visit(v, 'identifier', hintFor(key, v, parent));
  // A participant's or a function's name must stay one word for the upstream: tokens in it are written bare.
  if (key === 'name') return bareTokens(visit(v, 'text', undefined));
  if (looksLikeJson(v)) {
    const json = jsonDocument(v, ctx);
    if (json !== undefined) return json;
  }
  return visit(v, 'text', hintFor(key, v, parent));
}

// JSON text (tool-call arguments, a tool's result, a record pasted as a message) is read as the record it is: every
// string and key by its field and its object's shape, at any depth. Written back only when something changed, with
// the document's own indentation; a document without PHI goes out byte for byte.
const INDENT = /\n([ \t]+)["{\[\]}]/;
/** The deepest JSON text inside a string that is walked as a record (a request body itself may nest 64 deep). */
const MAX_DOCUMENT_DEPTH = 64;

/** Whether a parsed JSON value nests deeper than `limit` levels (checked without recursion). */
function nestsDeeper(value: object, limit: number): boolean {
  const stack: [object, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (d > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v))
      if (typeof child === 'object' && child !== null) stack.push([child, d + 1]);
  }
  return false;
}

function jsonDocument(text: string, ctx: Walk): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  // A document nested deeper than any record is read as the text it is (its strings are scanned as words there):
  // walking it field by field would recurse as deep as the client made it.
  if (nestsDeeper(parsed, MAX_DOCUMENT_DEPTH)) return undefined;
  let changed = false;
  const inner: Walk = {
    ...ctx,
    visit: (t, kind, hint) => {
      const out = ctx.visit(t, kind, hint);
      if (out !== t) changed = true;
      return out;
    },
  };
  const walked = walkValue(parsed, undefined, inner);
  if (!changed) return text;
  const indent = text.includes('\n') ? (INDENT.exec(text)?.[1] ?? '  ') : undefined;
  return JSON.stringify(walked, null, indent);
}

const NON_SPACE = /\S/;
const BRACKETED = /^\[(.*)\]$/;

/** Whether the entities found cover all of `s` (so that a hinted value is one identifier, typed by its key). */
function coversAll(s: string, found: readonly PhiEntity[]): boolean {
  return (
    found.length === 1 &&
    (found[0]?.start ?? 1) <= s.search(NON_SPACE) &&
    (found[0]?.end ?? 0) >= s.trimEnd().length
  );
}

/**
 * Replaces PHI in every string and key of a request body with the session's tokens, in place (the top-level object
 * keeps its identity; renamed keys rebuild the objects below it). Throws if detection fails: the caller must then
 * fail the request. A value written as one identifier is replaced whole by a bare token ("NAME_1"), so that it
 * stays a valid name for the upstream.
 */
export function scrubRequestBody(
  op: PhiOperation,
  body: Record<string, unknown>,
  session: PhiSession,
  find: Finder = engineFinder,
  keep?: ReadonlySet<string>,
): void {
  const whole = (s: string, type: PhiType): string =>
    session.scrubEntities(s, [{ start: 0, end: s.length, type }]);
  walkRequest(
    op,
    body,
    (text, kind, hint) => {
      if (kind === 'identifier') {
        const found = find.identifier(text);
        const type = found[0]?.type ?? hint;
        if (!type) return text;
        const token = whole(text, type);
        return CODE_IDENTIFIER.test(text) ? token.replace(BRACKETED, '$1') : token;
      }
      const found = find.text(text);
      if (hint && (found.length === 0 || coversAll(text, found))) return whole(text, hint);
      return session.scrubEntities(text, found);
    },
    find,
    keep,
  );
}

/** Every text and identifier `scrubRequestBody` would scan, without changing the body (to scan them elsewhere first). */
export function requestTexts(
  op: PhiOperation,
  body: Record<string, unknown>,
  keep?: ReadonlySet<string>,
): { texts: string[]; identifiers: string[] } {
  const texts: string[] = [];
  const identifiers: string[] = [];
  // Every visit returns its text unchanged, so the walk leaves the body as it was (no copy of a large body).
  walkRequest(
    op,
    body,
    (text, kind) => {
      (kind === 'identifier' ? identifiers : texts).push(text);
      return text;
    },
    engineFinder,
    keep,
  );
  return { texts, identifiers };
}

/** Counts the identifiers in a request body by type, without changing it (policy `block`). */
export function detectInRequestBody(
  op: PhiOperation,
  body: Record<string, unknown>,
  find: Finder = engineFinder,
  keep?: ReadonlySet<string>,
): PhiCounts {
  const counts: PhiCounts = {};
  const add = (type: PhiType) => (counts[type] = (counts[type] ?? 0) + 1);
  walkRequest(
    op,
    body,
    (text, kind, hint) => {
      const found = kind === 'identifier' ? find.identifier(text) : find.text(text);
      if (hint && (found.length === 0 || coversAll(text, found))) add(hint);
      else for (const e of found) add(e.type);
      // Handed back unchanged: the body is never touched (and never copied, however large).
      return text;
    },
    find,
    keep,
  );
  return counts;
}

// ---------------------------------------------------------------------------------------------------------------
// Answers: every string and key that comes back gets the original values, in JSON bodies and in every stream event.

const TOKEN_MARK = /_/;

/**
 * Restores every string and key of a JSON value, in place (returns the value, rebuilt where a key changed). Text that
 * is itself JSON (tool-call arguments) gets JSON-escaped values. `logprobs` describe the tokens the model saw, not
 * the restored text: they are removed (null, or an empty list) wherever a token was issued.
 */
function restoreTree(v: unknown, session: PhiSession, key?: string): unknown {
  if (typeof v === 'string') return restoreString(v, session);
  if (Array.isArray(v)) {
    if (key === 'logprobs' || key === 'top_logprobs') return [];
    for (let i = 0; i < v.length; i++) v[i] = restoreTree(v[i], session);
    return v;
  }
  if (!isObject(v)) return v;
  if (key === 'logprobs') return null;
  let renamed: [string, string][] | undefined;
  for (const k of Object.keys(v)) {
    v[k] = restoreTree(v[k], session, k);
    if (TOKEN_MARK.test(k) && !API_KEYS.has(k)) {
      const nk = session.restore(k);
      if (nk !== k) (renamed ??= []).push([k, nk]);
    }
  }
  return renamed ? renameKeys(v, new Map(renamed)) : v;
}

function restoreString(s: string, session: PhiSession): string {
  if (!TOKEN_MARK.test(s)) return s;
  if (looksLikeJson(s)) {
    try {
      JSON.parse(s);
      return session.restoreJsonEscaped(s);
    } catch {
      // text that opens with a bracket ("[NAME_1] was seen"): plain text
    }
  }
  return session.restore(s);
}

/** Restores every string and key of any JSON value (a structured answer parsed by Portico); returns it. */
export function restoreJsonValue<T>(value: T, session: PhiSession): T {
  return session.hasTokens() ? (restoreTree(value, session) as T) : value;
}

/** Puts the original values back into a JSON answer, in place: every string and key, whatever the operation. */
export function restoreResponseBody(_op: PhiOperation, body: unknown, session: PhiSession): void {
  if (!isObject(body) || !session.hasTokens()) return;
  for (const k of Object.keys(body)) body[k] = restoreTree(body[k], session, k);
}

// ---------------------------------------------------------------------------------------------------------------
// Media: images, audio and files cannot be scrubbed, so every part and tool that carries or makes one follows the
// app's media setting. Each `type` the specification defines is classified here (a unit test fails on a new one).

export type MediaKind = 'image' | 'audio' | 'file';

/** Part, item and tool types that carry or produce an image, audio or a file. */
export const MEDIA_TYPES: Readonly<Record<string, MediaKind>> = {
  image_url: 'image',
  input_image: 'image',
  image: 'image',
  computer_screenshot: 'image',
  computer_call_output: 'image',
  image_generation: 'image',
  image_generation_call: 'image',
  computer: 'image',
  computer_use: 'image',
  computer_use_preview: 'image',
  input_audio: 'audio',
  file: 'file',
  input_file: 'file',
  code_interpreter: 'file',
  code_interpreter_call: 'file',
  base64: 'file',
};

/** `type` values that carry only text (or nothing): every other type of the specification. */
export const TEXT_TYPES: ReadonlySet<string> = new Set(
  `text refusal function custom approximate json_schema json_object content grammar allowed_tools file_search eq ne gt
  gte lt lte in nin and or web_search web_search_2025_08_26 mcp auto disabled allowlist programmatic_tool_calling
  local_shell shell container_auto skill_reference inline local container_reference namespace tool_search
  web_search_preview web_search_preview_2025_03_11 apply_patch input_text message output_text file_citation
  url_citation container_file_citation file_path file_search_call computer_call click double_click drag keypress move
  screenshot scroll type wait web_search_call search url open_page find_in_page function_call direct program
  function_call_output tool_search_call tool_search_output additional_tools reasoning summary_text reasoning_text
  compaction logs local_shell_call exec local_shell_call_output shell_call shell_call_output timeout exit
  apply_patch_call create_file delete_file update_file apply_patch_call_output mcp_list_tools mcp_approval_request
  mcp_approval_response mcp_call mcp_protocol_error mcp_tool_execution_error http_error custom_tool_call_output
  custom_tool_call compaction_trigger item_reference program_output server_vad`
    .split(/\s+/)
    .filter(Boolean),
);

const MEDIA_KEYS: Readonly<Record<string, MediaKind>> = {
  image_url: 'image',
  input_image: 'image',
  input_audio: 'audio',
  file_data: 'file',
  file_url: 'file',
};

function mimeKind(mime: string | undefined): MediaKind {
  if (mime?.startsWith('image/')) return 'image';
  if (mime?.startsWith('audio/') || mime?.startsWith('video/')) return 'audio';
  return 'file';
}

const NAMES_MEDIA = /image|audio|video|screenshot|file|computer/i;

/** A media key's value that is a part (an address, bytes, a file), not a schema that happens to use the name. */
function carriesMedia(v: unknown): boolean {
  if (typeof v === 'string') return v.length > 0;
  return (
    isObject(v) && ['url', 'data', 'file_data', 'file_id', 'image_url'].some((k) => typeof v[k] === 'string')
  );
}

/**
 * The parts of a request that are not text, with where they are: any object whose `type` carries or makes media
 * (an unknown type named after one counts), any key that holds a media part, any binary payload (a data URL, base64
 * bytes), a container with files, and audio asked for in the answer.
 */
export function mediaParts(
  op: PhiOperation,
  body: Record<string, unknown>,
): { kind: MediaKind; param: string }[] {
  const found: { kind: MediaKind; param: string }[] = [];
  // The path to the value walked, as keys and indexes: written out ("messages[0].content[1]") only for a part found,
  // so that walking a request without media builds no strings.
  const at: (string | number)[] = [];
  const path = (): string => {
    let p = '';
    for (const seg of at) p += typeof seg === 'number' ? `[${seg}]` : p ? `.${seg}` : seg;
    return p;
  };
  const walk = (v: unknown, key: string | undefined): void => {
    if (typeof v === 'string') {
      const data = DATA_URL.exec(v);
      if (data && !textDataUrl(v)) found.push({ kind: mimeKind(data[1]?.toLowerCase()), param: path() });
      else if (!data && isPayload(key, v))
        found.push({ kind: key === 'data' ? 'audio' : 'file', param: path() });
      return;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        at.push(i);
        walk(v[i], key);
        at.pop();
      }
      return;
    }
    if (!isObject(v)) return;
    const type = typeof v.type === 'string' ? v.type : undefined;
    const kind =
      type === undefined
        ? undefined
        : Object.hasOwn(MEDIA_TYPES, type)
          ? MEDIA_TYPES[type]
          : !TEXT_TYPES.has(type) && NAMES_MEDIA.test(type)
            ? 'file'
            : type === 'container_auto' && Array.isArray(v.file_ids) && v.file_ids.length > 0
              ? 'file'
              : undefined;
    if (kind) {
      found.push({ kind, param: path() });
      return;
    }
    for (const k of Object.keys(v)) {
      at.push(k);
      const mk = Object.hasOwn(MEDIA_KEYS, k) ? MEDIA_KEYS[k] : undefined;
      if (mk && carriesMedia(v[k])) found.push({ kind: mk, param: path() });
      else walk(v[k], k);
      at.pop();
    }
  };
  walk(body, undefined);
  if (op === 'chat') {
    const audioOut =
      isObject(body.audio) || (Array.isArray(body.modalities) && body.modalities.includes('audio'));
    if (audioOut) found.push({ kind: 'audio', param: isObject(body.audio) ? 'audio' : 'modalities' });
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// Streams: text that arrives in pieces (deltas) is restored with a hold-back, so that a token split across events
// is still restored; every other string of every event is restored whole.

export interface StreamRestorer {
  /** The events to emit for one parsed SSE `data:` payload, in order. */
  transform(event: Record<string, unknown>): Record<string, unknown>[];
  /** Events carrying text still held back when the stream ends without a finish. */
  flush(): Record<string, unknown>[];
}

/**
 * Restores one response stream, event by event. Each text (a choice's content, a tool call's arguments, a
 * Responses delta of any kind) has its own hold-back restorer, flushed at the latest into the chunk carrying that
 * choice's `finish_reason` or before the matching `.done` event.
 */
export function createStreamRestorer(op: PhiOperation, session: PhiSession): StreamRestorer {
  return op === 'responses' || op === 'conversations' ? responsesStream(session) : chatStream(session);
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
    // The chunk's tool calls by index, the first of each (looked up once per call, not searched for each).
    let byIndex: Map<unknown, Json> | undefined;
    for (const [index, r] of s.tools) {
      const rest = r.flush();
      if (!rest) continue;
      const d = isObject(choice.delta) ? choice.delta : (choice.delta = {});
      const calls = Array.isArray(d.tool_calls) ? d.tool_calls : (d.tool_calls = []);
      if (!byIndex) {
        byIndex = new Map();
        for (const c of calls as unknown[]) if (isObject(c) && !byIndex.has(c.index)) byIndex.set(c.index, c);
      }
      const call = byIndex.get(index);
      if (call) {
        const fn = isObject(call.function) ? call.function : (call.function = {});
        fn.arguments = (typeof fn.arguments === 'string' ? fn.arguments : '') + rest;
      } else {
        const added = { index, function: { arguments: rest } };
        calls.push(added);
        byIndex.set(index, added);
      }
    }
  };
  /** Restores a delta's pieces with hold-back; every other string of the choice whole. */
  const choiceDelta = (s: ChoiceState, choice: Json): void => {
    const delta = choice.delta;
    if (isObject(delta)) {
      const content = delta.content;
      const refusal = delta.refusal;
      const calls = Array.isArray(delta.tool_calls) ? delta.tool_calls : [];
      const args: [Json, number][] = [];
      for (const call of calls) {
        if (isObject(call) && isObject(call.function) && typeof call.function.arguments === 'string')
          args.push([call.function, typeof call.index === 'number' ? call.index : 0]);
      }
      const legacy =
        isObject(delta.function_call) && typeof delta.function_call.arguments === 'string'
          ? delta.function_call
          : undefined;
      // Everything but the pieces first (names, ids, audio transcripts), then the pieces with their hold-back.
      const held = new Map<Json, string>();
      for (const [fn] of args) held.set(fn, fn.arguments as string);
      if (legacy) held.set(legacy, legacy.arguments as string);
      for (const [fn] of held) delete fn.arguments;
      delete delta.content;
      delete delta.refusal;
      choice.delta = restoreTree(delta, session);
      const d = choice.delta as Json;
      if (typeof content === 'string') d.content = s.content.push(content);
      else if (content !== undefined) d.content = content;
      if (typeof refusal === 'string') d.refusal = s.refusal.push(refusal);
      else if (refusal !== undefined) d.refusal = refusal;
      for (const [fn, index] of args) fn.arguments = toolRestorer(s, index).push(held.get(fn) ?? '');
      if (legacy) legacy.arguments = toolRestorer(s, -1).push(held.get(legacy) ?? '');
    }
    if (typeof choice.text === 'string') choice.text = s.text.push(choice.text);
    for (const k of Object.keys(choice))
      if (k !== 'delta' && k !== 'text') choice[k] = restoreTree(choice[k], session, k);
  };
  return {
    transform(event) {
      if (!session.hasTokens()) return [event];
      last = event;
      for (const k of Object.keys(event)) if (k !== 'choices') event[k] = restoreTree(event[k], session, k);
      if (!Array.isArray(event.choices)) return [event];
      for (const choice of event.choices) {
        if (!isObject(choice)) continue;
        const s = stateOf(typeof choice.index === 'number' ? choice.index : 0);
        choiceDelta(s, choice);
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

/** A Responses event family whose deltas carry JSON text (arguments): their values are restored JSON-escaped. */
const JSON_DELTAS = /arguments/;

function responsesStream(session: PhiSession): StreamRestorer {
  // One hold-back restorer per delta family and position: "response.output_text" at item, output and content index.
  const held = new Map<string, { r: TextStreamRestorer; at: Json }>();
  const where = (e: Json): Json => {
    const at: Json = {};
    for (const k of ['item_id', 'output_index', 'content_index', 'summary_index'])
      if (e[k] !== undefined) at[k] = e[k];
    return at;
  };
  const keyOf = (family: string, e: Json): string =>
    `${family}|${String(e.item_id ?? '')}|${String(e.output_index ?? '')}|${String(e.content_index ?? '')}|${String(e.summary_index ?? '')}`;
  /** The delta event carrying a family's held-back text at one position, or nothing. */
  const release = (family: string, key: string, e?: Json): Json[] => {
    const h = held.get(key);
    held.delete(key);
    const rest = h?.r.flush() ?? '';
    if (!h || !rest) return [];
    const out: Json = { type: `${family}.delta`, ...h.at };
    if (e && 'sequence_number' in e) out.sequence_number = e.sequence_number;
    out.delta = rest;
    return [out];
  };
  return {
    transform(event) {
      if (!session.hasTokens()) return [event];
      const type = typeof event.type === 'string' ? event.type : '';
      if (type.endsWith('.delta') && typeof event.delta === 'string') {
        const family = type.slice(0, -'.delta'.length);
        const key = keyOf(family, event);
        let h = held.get(key);
        if (!h)
          held.set(
            key,
            (h = { r: session.streamRestorer({ jsonEscaped: JSON_DELTAS.test(family) }), at: where(event) }),
          );
        const delta = event.delta;
        delete event.delta;
        const restored = restoreTree(event, session) as Json;
        restored.delta = h.r.push(delta);
        return [restored];
      }
      const before = type.endsWith('.done')
        ? release(type.slice(0, -'.done'.length), keyOf(type.slice(0, -'.done'.length), event), event)
        : [];
      return [...before, restoreTree(event, session) as Json];
    },
    flush() {
      const out: Json[] = [];
      for (const key of [...held.keys()]) out.push(...release(key.split('|')[0]!, key));
      return out;
    },
  };
}
