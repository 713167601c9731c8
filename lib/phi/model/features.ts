import { F, FLAG_SHIFT, kindOf, Kind, lastWordHash, nearKnownWord, wordEntry } from '../wordindex';

// Tokens and hashed features of the name and place tagger. The same code serves training (scripts/phi-train.ts)
// and inference (tagger.ts): a feature is an integer, hashed from a template number and a value, never a string.

export const LABELS = ['O', 'NAME', 'LOCATION'] as const;
export type Label = 0 | 1 | 2;
export const NUM_LABELS = 3;

// Word kinds 0..5 come from the word index (stop word, clinical, name, name that is also a word, word, unknown).
export const K_UNKNOWN = 5;
export const K_NUMBER = 6;
export const K_ALNUM = 7;
export const K_PUNCT = 8;

/** How a token is written: lower case, Capitalised, ALL CAPS, or no letters. */
const CASE_LOWER = 0;
const CASE_CAP = 1;
const CASE_UPPER = 2;
const CASE_NONE = 3;

export interface MTok {
  start: number;
  end: number;
  /** Lower case, without a possessive "'s" (empty for punctuation). */
  lower: string;
  kind: number;
  /** Word-list bits (names.ts WORD_FLAGS); 0 for numbers and punctuation. */
  flags: number;
  /** Hash of the lower-case word (numbers: of their shape, so that no value is learned). */
  word: number;
  shape: number;
  prefix: number;
  suffix: number;
  casing: number;
  len: number;
  /** A line break stands between this token and the one before. */
  nl: boolean;
  /** First token of a sentence or a line. */
  first: boolean;
  /** Letters or digits: a token the tagger labels. */
  alnum: boolean;
}

// Hashes are kept as signed 32-bit integers: the features read only their bits (Math.imul, ^, &), and a signed
// value is a small integer to V8, where an unsigned one over 2^31 is a boxed number (four per token, each allocated).

function fnv(s: string, from = 0, to = s.length): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** Mixes two 32-bit values into one (murmur3's finaliser over a combination). */
export function mix(a: number, b: number): number {
  const h = Math.imul(Math.imul(a, 0x9e3779b1) ^ b, 0x85ebca6b);
  return h ^ (h >>> 15);
}

const NON_ASCII_LETTER = /\p{L}/u;
function isLetter(c: number): boolean {
  if (c < 128) return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return c >= 0xc0 && NON_ASCII_LETTER.test(String.fromCharCode(c));
}
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
function isSpace(c: number): boolean {
  return (
    c === 32 ||
    c === 9 ||
    c === 10 ||
    c === 13 ||
    c === 0xa0 ||
    c === 12 ||
    c === 11 ||
    (c >= 0x2000 && c <= 0x200b)
  );
}

function upperCode(c: number): boolean {
  if (c < 128) return c >= 65 && c <= 90;
  const ch = String.fromCharCode(c);
  return ch !== ch.toLowerCase();
}

const PUNCT_HASH: number[] = [];
function punctHash(c: number): number {
  if (c >= 128) return mix(0x70756e63, c);
  return (PUNCT_HASH[c] ??= mix(0x70756e63, c));
}

/** Whether the character with this code ends a sentence or opens a list item: . ! ? : ; • * > - */
function endsSentence(c: number): boolean {
  return (
    c === 46 ||
    c === 33 ||
    c === 63 ||
    c === 58 ||
    c === 59 ||
    c === 0x2022 ||
    c === 42 ||
    c === 62 ||
    c === 45
  );
}

/** Every run of letters or digits (an apostrophe inside a word kept) and every other visible character. */
export function tokenizeForTagger(text: string): MTok[] {
  const toks: MTok[] = [];
  const n = text.length;
  let i = 0;
  let nl = true;
  // The character of the token before when it was punctuation, else -1.
  let prevPunct = -1;
  // Texts repeat their words: each unknown word is checked for a typo once.
  const typos = new Map<string, boolean>();
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      if (c === 10) nl = true;
      i++;
      continue;
    }
    const start = i;
    if (isLetter(c) || isDigit(c)) {
      let letters = 0;
      let digits = 0;
      let uppers = 0;
      // The word's shape, hashed in the same pass: "Baker" Xxx, "BAKER" XX, "SBPs" XXx, "B0J" XdX, "O'Brien" X'Xxx
      // (classes of characters, runs cut at two, at most eight), without building the string.
      let shape = 0x811c9dc5;
      let last = -1;
      let run = 0;
      let written = 0;
      while (i < n) {
        const d = text.charCodeAt(i);
        let cls: number;
        if (isLetter(d)) {
          letters++;
          if (upperCode(d)) {
            uppers++;
            cls = 88;
          } else cls = 120;
        } else if (isDigit(d)) {
          digits++;
          cls = 100;
        } else if (
          (d === 39 || d === 0x2019) &&
          i + 1 < n &&
          isLetter(text.charCodeAt(i + 1)) &&
          letters > 0
        ) {
          // O'Brien, Parkinson's: an apostrophe between letters belongs to the word
          cls = d;
        } else break;
        i++;
        if (written === 8) continue;
        run = cls === last ? run + 1 : 1;
        last = cls;
        if (run > 2) continue;
        shape = Math.imul(shape ^ cls, 0x01000193);
        written++;
      }
      const raw = text.slice(start, i);
      // No capital in it: lower case already.
      const lower = uppers === 0 ? raw : raw.toLowerCase();
      const first = nl || endsSentence(prevPunct) || toks.length === 0;
      let kind: number;
      let flags = 0;
      let word: number;
      let casing: number;
      let base = lower;
      if (digits === 0) {
        const len = lower.length;
        if (len > 2 && lower[len - 1] === 's' && (lower[len - 2] === "'" || lower[len - 2] === '’'))
          base = lower.slice(0, -2);
        const entry = wordEntry(base);
        // The table hashed the word to look it up: the same FNV-1a the features use.
        word = lastWordHash() | 0;
        kind = kindOf(entry, base);
        flags = entry === undefined ? 0 : entry >>> FLAG_SHIFT;
        if (kind === Kind.Unknown && base.length >= 4) {
          let typo = typos.get(base);
          if (typo === undefined) typos.set(base, (typo = nearKnownWord(base)));
          if (typo) flags |= F.TYPO;
        }
        casing = !upperCode(c) ? CASE_LOWER : letters > 1 && uppers === letters ? CASE_UPPER : CASE_CAP;
      } else {
        kind = letters === 0 ? K_NUMBER : K_ALNUM;
        // A number's own digits are never a feature: only how many there are.
        word = letters === 0 ? mix(0x6e756d, Math.min(digits, 12)) : mix(0x616c6e, shape);
        casing = letters === 0 ? CASE_NONE : uppers === letters ? CASE_UPPER : CASE_LOWER;
      }
      toks.push({
        start,
        end: i,
        lower: base,
        kind,
        flags,
        word,
        shape,
        // Affixes serve the scored word only, and function words are never scored.
        prefix: digits === 0 && kind !== Kind.Stop ? fnv(lower, 0, Math.min(3, lower.length)) : 0,
        suffix: digits === 0 && kind !== Kind.Stop ? fnv(lower, Math.max(0, lower.length - 3)) : 0,
        casing,
        len: raw.length,
        nl,
        first,
        alnum: true,
      });
      prevPunct = -1;
    } else {
      i++;
      const hash = punctHash(c);
      toks.push({
        start,
        end: i,
        lower: '',
        kind: K_PUNCT,
        flags: 0,
        word: hash,
        shape: hash,
        prefix: 0,
        suffix: 0,
        casing: CASE_NONE,
        len: 1,
        nl,
        first: false,
        alnum: false,
      });
      prevPunct = c;
    }
    nl = false;
  }
  return toks;
}

/** Whether capitals carry information in this text: 0 mixed case, 1 all lower case, 2 all capitals. */
export function documentCase(toks: readonly MTok[]): number {
  let upper = 0;
  let lower = 0;
  for (const t of toks) {
    if (t.kind > K_UNKNOWN) continue;
    if (t.casing === CASE_UPPER) upper += t.len;
    else if (t.casing === CASE_CAP) {
      upper++;
      lower += t.len - 1;
    } else lower += t.len;
  }
  const share = upper + lower === 0 ? 0 : upper / (upper + lower);
  return share < 0.02 ? 1 : share > 0.5 ? 2 : 0;
}

/**
 * Per word, how else the text writes it: bit 1 somewhere in lower case, bit 2 capitalised in the middle of a
 * sentence. A word a mixed-case text also writes in lower case is seldom a name.
 */
export function usage(toks: readonly MTok[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const t of toks) {
    if (t.kind > K_UNKNOWN || t.kind === 0) continue;
    const bit = t.casing === CASE_LOWER ? 1 : t.first ? 0 : 2;
    if (bit) m.set(t.word, (m.get(t.word) ?? 0) | bit);
  }
  return m;
}

// Template numbers: part of the model's format (a change means retraining).
const T = {
  bias: 1,
  w0: 2,
  wm1: 3,
  wp1: 4,
  wm2: 5,
  wp2: 6,
  shape0: 7,
  shapem1: 8,
  shapep1: 9,
  suffix: 10,
  prefix: 11,
  kind0: 12,
  kindm1: 13,
  kindp1: 14,
  flag0: 15,
  flagm1: 16,
  flagp1: 17,
  flagm2: 18,
  flagp2: 19,
  len: 20,
  first: 21,
  lines: 22,
  wm1shape: 23,
  wp1shape: 24,
  usage: 25,
  kind3: 26,
  case3: 27,
  wm2shape: 28,
  wm1kind: 29,
  wm2kind: 30,
  wp1kind: 31,
  wp2kind: 32,
  pwkind: 33,
  nwkind: 34,
  w0case: 35,
  typo: 36,
  prev: 40,
  prev2: 41,
  prevShape: 42,
  prevKind: 43,
} as const;

const NONE: MTok = {
  start: 0,
  end: 0,
  lower: '',
  kind: 9,
  flags: 0,
  word: 0x5eed,
  shape: 0x5eed,
  prefix: 0,
  suffix: 0,
  casing: 4,
  len: 0,
  nl: true,
  first: false,
  alnum: false,
};

/** A token's kind and casing in one small number. */
function kc(x: MTok): number {
  return x.kind * 8 + x.casing;
}

/** Room for one token's features: 28 templates and at most 21 list flags on each of three tokens. */
export const MAX_FEATURES = 128;

// `mix(template, value)` spelt out for the tagger's inner loop, where it runs about forty times per scored word: a
// call each is a tenth of the tagger's time once the compiler's inlining budget is spent (the features are
// the same numbers). `S[t]` is the first half of `mix` for template t, computed once.
const K1 = 0x9e3779b1;
const K2 = 0x85ebca6b;
const S = new Int32Array(64);
for (let t = 0; t < S.length; t++) S[t] = Math.imul(t, K1);
const S_BIAS = mix(T.bias, 0);

function pushFlags(out: Int32Array, n: number, template: number, flags: number): number {
  const s = S[template]!;
  // Only the set bits: lowest first, each cleared in turn.
  for (let f = flags; f !== 0; f &= f - 1) {
    const h = Math.imul(s ^ (31 - Math.clz32(f & -f)), K2);
    out[n++] = h ^ (h >>> 15);
  }
  return n;
}

/** The alphanumeric token nearest to i in direction `step` within three tokens, whatever punctuation stands between. */
function nearestWord(toks: readonly MTok[], i: number, step: 1 | -1): MTok {
  for (let k = 1; k <= 3; k++) {
    const t = toks[i + k * step];
    if (!t) break;
    if (t.alnum) return t;
  }
  return NONE;
}

/**
 * Writes the label-free features of token i into `out` from index 0 and returns how many (the caller adds
 * `labelFeatures`). Features are hashes; `out` holds them as int32, which `& mask` reads the same. Each is
 * `mix(template, value)`, written out (see S above).
 */
export function staticFeatures(
  toks: readonly MTok[],
  i: number,
  docCase: number,
  use: Map<number, number>,
  out: Int32Array,
): number {
  const t = toks[i] ?? NONE;
  const m1 = toks[i - 1] ?? NONE;
  const m2 = toks[i - 2] ?? NONE;
  const p1 = toks[i + 1] ?? NONE;
  const p2 = toks[i + 2] ?? NONE;
  const kct = kc(t);
  const k0 = kct * 4 + docCase;
  // The nearest words, whatever punctuation stands between ("Dr. Knight", "Jones, RN").
  const pw = nearestWord(toks, i, -1);
  const nw = nearestWord(toks, i, 1);
  let h: number;
  // Values that are themselves mixes of two (a word with a shape or a kind).
  let v: number;
  out[0] = S_BIAS;
  h = Math.imul(S[T.w0]! ^ t.word, K2);
  out[1] = h ^ (h >>> 15);
  h = Math.imul(S[T.wm1]! ^ m1.word, K2);
  out[2] = h ^ (h >>> 15);
  h = Math.imul(S[T.wp1]! ^ p1.word, K2);
  out[3] = h ^ (h >>> 15);
  h = Math.imul(S[T.wm2]! ^ m2.word, K2);
  out[4] = h ^ (h >>> 15);
  h = Math.imul(S[T.wp2]! ^ p2.word, K2);
  out[5] = h ^ (h >>> 15);
  h = Math.imul(S[T.shape0]! ^ (t.shape ^ docCase), K2);
  out[6] = h ^ (h >>> 15);
  h = Math.imul(S[T.shapem1]! ^ m1.shape, K2);
  out[7] = h ^ (h >>> 15);
  h = Math.imul(S[T.shapep1]! ^ p1.shape, K2);
  out[8] = h ^ (h >>> 15);
  h = Math.imul(S[T.kind0]! ^ k0, K2);
  out[9] = h ^ (h >>> 15);
  h = Math.imul(S[T.kindm1]! ^ kc(m1), K2);
  out[10] = h ^ (h >>> 15);
  h = Math.imul(S[T.kindp1]! ^ kc(p1), K2);
  out[11] = h ^ (h >>> 15);
  h = Math.imul(S[T.len]! ^ (Math.min(t.len, 10) * 16 + t.kind), K2);
  out[12] = h ^ (h >>> 15);
  h = Math.imul(S[T.first]! ^ ((t.first ? 1 : 0) * 256 + k0), K2);
  out[13] = h ^ (h >>> 15);
  h = Math.imul(S[T.lines]! ^ ((t.nl ? 1 : 0) + (p1.nl ? 2 : 0)), K2);
  out[14] = h ^ (h >>> 15);
  const m1w = Math.imul(m1.word, K1);
  const p1w = Math.imul(p1.word, K1);
  v = Math.imul(m1w ^ t.shape, K2);
  h = Math.imul(S[T.wm1shape]! ^ (v ^ (v >>> 15)), K2);
  out[15] = h ^ (h >>> 15);
  v = Math.imul(p1w ^ t.shape, K2);
  h = Math.imul(S[T.wp1shape]! ^ (v ^ (v >>> 15)), K2);
  out[16] = h ^ (h >>> 15);
  h = Math.imul(S[T.case3]! ^ (((m1.casing * 5 + t.casing) * 5 + p1.casing) * 3 + docCase), K2);
  out[17] = h ^ (h >>> 15);
  v = Math.imul(Math.imul(t.word, K1) ^ (t.casing * 4 + docCase), K2);
  h = Math.imul(S[T.w0case]! ^ (v ^ (v >>> 15)), K2);
  out[18] = h ^ (h >>> 15);
  v = Math.imul(m1w ^ k0, K2);
  h = Math.imul(S[T.wm1kind]! ^ (v ^ (v >>> 15)), K2);
  out[19] = h ^ (h >>> 15);
  v = Math.imul(p1w ^ k0, K2);
  h = Math.imul(S[T.wp1kind]! ^ (v ^ (v >>> 15)), K2);
  out[20] = h ^ (h >>> 15);
  v = Math.imul(Math.imul(pw.word, K1) ^ k0, K2);
  h = Math.imul(S[T.pwkind]! ^ (v ^ (v >>> 15)), K2);
  out[21] = h ^ (h >>> 15);
  v = Math.imul(Math.imul(nw.word, K1) ^ k0, K2);
  h = Math.imul(S[T.nwkind]! ^ (v ^ (v >>> 15)), K2);
  out[22] = h ^ (h >>> 15);
  let n = 23;
  if (t.prefix) {
    h = Math.imul(S[T.prefix]! ^ t.prefix, K2);
    out[n++] = h ^ (h >>> 15);
    h = Math.imul(S[T.suffix]! ^ t.suffix, K2);
    out[n++] = h ^ (h >>> 15);
  }
  if (docCase === 0 && t.kind <= K_UNKNOWN) {
    h = Math.imul(S[T.usage]! ^ (((use.get(t.word) ?? 0) * 5 + t.casing) * 3 + docCase), K2);
    out[n++] = h ^ (h >>> 15);
  }
  if (t.flags) n = pushFlags(out, n, T.flag0, t.flags);
  if (m1.flags) n = pushFlags(out, n, T.flagm1, m1.flags);
  return p1.flags ? pushFlags(out, n, T.flagp1, p1.flags) : n;
}

/** Writes the features of the labels already given to the tokens before this one at `out[n]`; returns the new count. */
export function labelFeatures(t: MTok, prev: number, prev2: number, out: Int32Array, n: number): number {
  let h = Math.imul(S[T.prev]! ^ prev, K2);
  out[n] = h ^ (h >>> 15);
  h = Math.imul(S[T.prev2]! ^ (prev * 4 + prev2), K2);
  out[n + 1] = h ^ (h >>> 15);
  const v = Math.imul(Math.imul(prev, K1) ^ t.shape, K2);
  h = Math.imul(S[T.prevShape]! ^ (v ^ (v >>> 15)), K2);
  out[n + 2] = h ^ (h >>> 15);
  h = Math.imul(S[T.prevKind]! ^ (prev * 64 + t.kind * 8 + t.casing), K2);
  out[n + 3] = h ^ (h >>> 15);
  return n + 4;
}
