import { Kind } from '../wordindex';
import {
  K_ALNUM,
  K_NUMBER,
  documentCase,
  labelFeatures,
  MAX_FEATURES,
  NUM_LABELS,
  staticFeatures,
  tokenizeForTagger,
  usage,
  type MTok,
} from './features';

// A linear tagger over hashed features (an averaged perceptron), decoded greedily from left to right: each word
// or number gets O, NAME or LOCATION from its own shape, its neighbours, the word lists and the labels before it.

export interface Weights {
  /** log2 of the number of feature buckets. */
  bits: number;
  /** One row of NUM_LABELS weights per bucket. */
  w: Float32Array | Int8Array;
  /** What one unit of `w` is worth (1 for float weights). */
  scale: number;
  /** Added to a label's score: raising NAME and LOCATION trades precision for recall. */
  bias: readonly number[];
}

export interface Tagged {
  toks: MTok[];
  /** Per token: 0 O, 1 NAME, 2 LOCATION (punctuation always 0). */
  labels: Uint8Array;
}

/** Written with a capital, and not a clinical abbreviation ("HR", "CXR" stand beside numbers all day long). */
function capitalisedName(t: MTok | undefined): boolean {
  return (
    !!t &&
    t.casing !== 0 &&
    t.casing !== 3 &&
    !(t.casing === 2 && t.kind === Kind.Clinical) &&
    t.kind !== Kind.Stop
  );
}
const nameLike = (t: MTok | undefined): boolean =>
  !!t && (t.kind === Kind.Name || t.kind === Kind.Weak || t.kind === Kind.Unknown || t.kind === K_ALNUM);

/**
 * Whether a token can be part of a name or a place at all, so that most words are never scored: function words,
 * clinical abbreviations and ordinary words written in lower case where capitals mean something, and numbers
 * with no name or capital beside them. The same test holds in training, so the model learns only the rest.
 */
function candidate(toks: readonly MTok[], i: number, labels: Uint8Array, docCase: number): boolean {
  const t = toks[i];
  if (!t?.alnum || t.kind === Kind.Stop) return false;
  if (t.kind === K_NUMBER) {
    let p = i - 1;
    while (p >= 0 && !toks[p]?.alnum) p--;
    let n = i + 1;
    while (n < toks.length && !toks[n]?.alnum) n++;
    const before = toks[p];
    const after = toks[n];
    return (
      (labels[p] ?? 0) === 2 ||
      capitalisedName(before) ||
      capitalisedName(after) ||
      nameLike(before) ||
      nameLike(after)
    );
  }
  if (docCase === 0) {
    if (t.casing === 0 && (t.kind === Kind.Word || t.kind === Kind.Clinical)) return false;
    // "CXR", "BMP": an abbreviation the medical lists hold, in capitals among mixed-case text.
    if (t.casing === 2 && t.kind === Kind.Clinical) return false;
  }
  return true;
}

/** Previous label of a word, with a bit for punctuation between the two. */
function prevCode(labels: Uint8Array, toks: readonly MTok[], i: number, back: number): number {
  let seen = 0;
  let punct = false;
  for (let j = i - 1; j >= 0; j--) {
    const t = toks[j];
    if (!t) break;
    if (!t.alnum) {
      punct = true;
      continue;
    }
    if (++seen === back) return (labels[j] ?? 0) + (punct ? 3 : 0) + (t.nl || toks[j + 1]?.nl ? 6 : 0);
  }
  return 9;
}

const feats = new Int32Array(MAX_FEATURES);
const EMPTY_USAGE = new Map<number, number>();
const scores = new Float64Array(NUM_LABELS);

/** The labels' scores of the first `n` features. */
export function score(wt: Weights, features: Int32Array, n: number, out: Float64Array): void {
  const mask = (1 << wt.bits) - 1;
  const w = wt.w;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  for (let k = 0; k < n; k++) {
    // Masked into the table, whose length is (mask + 1) * NUM_LABELS: every read is in bounds.
    const at = (features[k]! & mask) * NUM_LABELS;
    s0 += w[at]!;
    s1 += w[at + 1]!;
    s2 += w[at + 2]!;
  }
  out[0] = s0 * wt.scale + (wt.bias[0] ?? 0);
  out[1] = s1 * wt.scale + (wt.bias[1] ?? 0);
  out[2] = s2 * wt.scale + (wt.bias[2] ?? 0);
}

/** Labels every word and number of `text`. */
export function tag(wt: Weights, text: string): Tagged {
  return tagTokens(wt, tokenizeForTagger(text));
}

/**
 * Labels every word and number of `toks`. `learn`, used in training only, is called per word with its features
 * (a view valid during the call) and the predicted label, and returns the label to continue with. `labels`, one
 * zero per token, receives the labels (a new array when not given).
 */
export function tagTokens(
  wt: Weights,
  toks: MTok[],
  learn?: (i: number, features: Int32Array, predicted: number) => number,
  labels: Uint8Array = new Uint8Array(toks.length),
): Tagged {
  const docCase = documentCase(toks);
  const use = docCase === 0 ? usage(toks) : EMPTY_USAGE;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (!t || !candidate(toks, i, labels, docCase)) continue;
    let n = staticFeatures(toks, i, docCase, use, feats);
    n = labelFeatures(t, prevCode(labels, toks, i, 1), prevCode(labels, toks, i, 2), feats, n);
    score(wt, feats, n, scores);
    let best = 0;
    for (let c = 1; c < NUM_LABELS; c++) if (scores[c]! > scores[best]!) best = c;
    labels[i] = learn ? learn(i, feats.subarray(0, n), best) : best;
  }
  return { toks, labels };
}

// What may stand between two words of one name ("O'Brien", "J. Smith", "Mary-Ann") or one place, whose
// parts an address also separates by commas, hashes, slashes and line breaks.
const NAME_JOIN = new Set(['.', '-', "'", '’']);
const PLACE_JOIN = new Set(['.', '-', "'", '’', ',', '#', '/', '(', ')']);
// Small words inside names of people and places: "University of Vermont", "Rue de la Gare", "Mary and John".
const CONNECTORS = new Set([
  'of',
  'de',
  'la',
  'le',
  'les',
  'del',
  'della',
  'van',
  'von',
  'der',
  'den',
  'da',
  'di',
  'du',
  'dos',
  'das',
  'do',
  'y',
  'e',
  'et',
  'and',
  'upon',
  'on',
  'the',
  'al',
  'el',
  'bin',
  'ibn',
  'ter',
  'ten',
  'op',
]);

/** A dot after a word joins a name only after an initial ("J. Smith"), a place only after an abbreviation or a number ("St. Agnes"). */
function dotJoins(prev: MTok | undefined, label: number): boolean {
  if (!prev?.alnum) return false;
  const n = prev.end - prev.start;
  return label === 1 ? n === 1 : n <= 3 || prev.kind === K_NUMBER;
}

/** Runs of words with one label, as offsets into the text. */
export function labelledSpans(
  text: string,
  { toks, labels }: Tagged,
): { start: number; end: number; label: number }[] {
  const out: { start: number; end: number; label: number }[] = [];
  let i = 0;
  while (i < toks.length) {
    const label = labels[i] ?? 0;
    const first = toks[i];
    if (!first || label === 0) {
      i++;
      continue;
    }
    const join = label === 1 ? NAME_JOIN : PLACE_JOIN;
    let last = i;
    let j = i + 1;
    for (; j < toks.length; j++) {
      const t = toks[j];
      if (!t) break;
      if (t.nl && label === 1) break;
      if (t.alnum) {
        if ((labels[j] ?? 0) !== label) {
          const before = toks[j - 1];
          const after = toks[j + 1];
          const bridge =
            CONNECTORS.has(t.lower) &&
            before?.alnum &&
            before.kind !== K_NUMBER &&
            after?.alnum &&
            after.kind !== K_NUMBER &&
            labels[j + 1] === label &&
            !after.nl;
          if (bridge) continue;
          break;
        }
        last = j;
      } else {
        const ch = text[t.start] ?? '';
        if (!join.has(ch) || (ch === '.' && !dotJoins(toks[j - 1], label))) break;
      }
    }
    const lt = toks[last];
    if (lt) {
      let end = lt.end;
      // An initial keeps its dot: "J." is the name, not "J".
      if (lt.end - lt.start === 1 && text[end] === '.') end++;
      out.push({ start: first.start, end, label });
    }
    i = last + 1;
  }
  return out;
}
