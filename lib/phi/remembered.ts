import { hash, randomBytes } from 'node:crypto';
import { detect } from './detect';
import { PHI_TYPES, type PhiEntity } from './types';

// Chats resend their whole history with every turn, agents their tool results with every step, apps their system
// prompt with every call: most of a request's text was scanned at an earlier request. What `detect` found in a text
// is remembered here under a hash of the app, the text and a secret this process drew at start (never written
// anywhere), so a text scanned once is not scanned again by this process.
//
// - No text and no value is kept: only the hash, and offsets and types of what was found.
// - One app's texts never answer another's: the app is part of the hash, so how fast a request is scanned tells an
//   app nothing about what other apps sent.
// - Bounded: at most MAX_TEXTS hashes, the least recently used dropped first, each with its findings packed into
//   three integers apiece (a few MB in all).
// - Exact: the engine is a pure function of the text, and the process's engine never changes while it runs.

const SECRET = randomBytes(32).toString('base64');
const MAX_TEXTS = 20_000;
// Below this a scan costs about what the hash does.
export const MIN_REMEMBERED_CHARS = 48;

// Per text: start, end and type (an index into PHI_TYPES) of each finding.
const found = new Map<string, Int32Array>();
const TYPE_INDEX = new Map<string, number>(PHI_TYPES.map((t, i) => [t, i]));

function keyOf(app: string, text: string): string {
  return hash('sha256', `${SECRET}\u0000${app}\u0000${text}`, 'base64');
}

function pack(es: readonly PhiEntity[]): Int32Array {
  const out = new Int32Array(es.length * 3);
  es.forEach((e, k) => {
    out[k * 3] = e.start;
    out[k * 3 + 1] = e.end;
    out[k * 3 + 2] = TYPE_INDEX.get(e.type)!;
  });
  return out;
}

function unpack(packed: Int32Array): PhiEntity[] {
  const out: PhiEntity[] = [];
  for (let k = 0; k < packed.length; k += 3)
    out.push({ start: packed[k]!, end: packed[k + 1]!, type: PHI_TYPES[packed[k + 2]!]! });
  return out;
}

function lookup(key: string): PhiEntity[] | undefined {
  const hit = found.get(key);
  if (!hit) return undefined;
  // Most recently used last: the first key is the one to drop.
  found.delete(key);
  found.set(key, hit);
  return unpack(hit);
}

function store(key: string, entities: readonly PhiEntity[]): void {
  if (found.size >= MAX_TEXTS) found.delete(found.keys().next().value!);
  found.set(key, pack(entities));
}

/** What an earlier request of `app` found in `text`, if this process scanned it; else undefined. */
export function recall(app: string, text: string): PhiEntity[] | undefined {
  return text.length < MIN_REMEMBERED_CHARS ? undefined : lookup(keyOf(app, text));
}

/** Keeps what was found in `text` for `app`'s later requests. */
export function remember(app: string, text: string, entities: readonly PhiEntity[]): void {
  if (text.length >= MIN_REMEMBERED_CHARS) store(keyOf(app, text), entities);
}

/** `detect`, answered from an earlier scan of the same text by the same app when this process made one. */
export function detectRemembered(app: string, text: string): PhiEntity[] {
  if (text.length < MIN_REMEMBERED_CHARS) return detect(text);
  const key = keyOf(app, text);
  const hit = lookup(key);
  if (hit) return hit;
  const entities = detect(text);
  store(key, entities);
  return entities;
}

/** Forgets every text (tests). */
export function forgetAll(): void {
  found.clear();
}
