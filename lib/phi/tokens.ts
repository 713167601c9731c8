import { PHI_TYPES, type PhiType } from './types';

// The token grammar, shared by the whole-text restore and the streaming hold-back so that both agree.
// Tolerated bends: any letter case, "\_" for "_" (Markdown escaping), "\[" and "\]", missing brackets.

export function tokenKey(type: PhiType, n: number): string {
  return `${type}_${n}`;
}

export function formatToken(key: string): string {
  return `[${key}]`;
}

const SEP = String.raw`(?:\\?_)`;
const TYPE_ALT = [...PHI_TYPES]
  .sort((a, b) => b.length - a.length)
  .map((t) => t.split('_').join(SEP))
  .join('|');

/**
 * Group 1: opening bracket (bracketed form), 2: type, 3: number, 4: closing bracket;
 * group 5: type, 6: number, 7: closing bracket (bare form, which must start a word: checked after the type by a
 * look-behind over it, since a pattern that opens with a look-behind is tried at every position of the text).
 */
export const TOKEN_RE = new RegExp(
  String.raw`(\\?\[)(${TYPE_ALT})${SEP}(\d{1,6})(?!\d)(\\?\])?|(${TYPE_ALT})(?<![A-Za-z0-9_]\5)${SEP}(\d{1,6})(?!\d)(\\?\])?`,
  'gi',
);

const BACKSLASHES = /\\/g;

/** Canonical key of a matched token: "name\_1" -> "NAME_1". */
export function canonicalKey(type: string, n: string): string {
  return `${type.replace(BACKSLASHES, '').toUpperCase()}_${Number(n)}`;
}

const MAX_TOKEN_LENGTH = 40;

function isLetter(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
}

function isWordChar(c: string | undefined): boolean {
  return isLetter(c) || c === '_' || (c !== undefined && c >= '0' && c <= '9');
}

/**
 * True when `s` (all the text from a candidate start to the end of what has arrived) could still
 * grow into a token of one of `types`: the streaming restorer must hold it back.
 */
function couldGrow(s: string, start: number, bracketed: boolean, types: readonly string[]): boolean {
  let i = start;
  if (bracketed) {
    if (s[i] === '\\') i++;
    if (i === s.length) return true;
    if (s[i] !== '[') return false;
    i++;
    if (i === s.length) return true;
  }
  for (const type of types) {
    if (typeCouldGrow(s, i, type)) return true;
  }
  return false;
}

function typeCouldGrow(s: string, from: number, type: string): boolean {
  let i = from;
  // The type name, its underscores possibly escaped.
  for (let k = 0; k < type.length; k++) {
    if (i === s.length) return true;
    const want = type[k];
    if (want === '_') {
      if (s[i] === '\\') {
        i++;
        if (i === s.length) return true;
      }
      if (s[i] !== '_') return false;
      i++;
      continue;
    }
    if ((s[i] ?? '').toUpperCase() !== want) return false;
    i++;
  }
  // The separator.
  if (i === s.length) return true;
  if (s[i] === '\\') {
    i++;
    if (i === s.length) return true;
  }
  if (s[i] !== '_') return false;
  i++;
  if (i === s.length) return true;
  // The number: while only digits have come, more digits or a closing bracket may follow.
  let digits = 0;
  while (i < s.length && s[i]! >= '0' && s[i]! <= '9') {
    i++;
    digits++;
  }
  if (digits === 0 || digits > 6) return false;
  if (i === s.length) return true;
  // "\" could still become "\]".
  return s[i] === '\\' && i === s.length - 1;
}

/** Index from which `text` must be held back because a token could still be forming there. */
export function holdBackStart(text: string, types: readonly string[], prevChar: string | undefined): number {
  if (types.length === 0) return text.length;
  const from = Math.max(0, text.length - MAX_TOKEN_LENGTH);
  for (let p = from; p < text.length; p++) {
    const c = text[p];
    const before = p > 0 ? text[p - 1] : prevChar;
    if (c === '[' || c === '\\') {
      if (couldGrow(text, p, true, types)) return p;
    }
    if (isLetter(c) && !isWordChar(before)) {
      if (couldGrow(text, p, false, types)) return p;
    }
  }
  return text.length;
}
