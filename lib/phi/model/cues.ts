import { F, Kind } from '../wordindex';
import { K_ALNUM, K_NUMBER, type MTok } from './features';

// Cues that outweigh what a word is otherwise: a title or a credential before a word makes it a name ("Dr. Foley",
// "NP Carol"), a relation before a given name too ("son bill"), and words before a facility's head word name the
// facility ("Union Hosp", "sacred heart hospital"). They add to the tagger's labels, never remove any.

const NAME = 1;
const PLACE = 2;

// Titles that also mean something else ("MS" multiple sclerosis, "Dear" in a greeting) need a capital or a name.
const AMBIGUOUS_TITLES = new Set(['ms', 'dear', 'hi', 'hello', 'miss', 'madam']);
// Credentials that are also everyday abbreviations ("PT" patient, "DO" ditto).
const AMBIGUOUS_CREDENTIALS = new Set(['pt', 'pa', 'ot', 'rt', 'sw', 'do', 'rd', 'ld', 'dpt', 'cns', 'phd', 'pac']);
// Facility words that are also the kind of place ("go to rehab", "the memorial service"): they need a name before them.
const STRONG_FACILITY = new Set(['hospital', 'hospitals', 'hosp', 'hsp', 'infirmary', 'hospice', 'sanatorium', 'clinic', 'clinics', 'manor', 'institute', 'healthcare', 'memorial', 'regional', 'adventist', 'rehab', 'rehabilitation', 'center', 'centre', 'ctr']);

/** The word after token i, past at most one dot, comma or colon on the same line; -1 if there is none. */
function next(text: string, toks: readonly MTok[], i: number): number {
  let j = i + 1;
  const t = toks[j];
  if (t && !t.alnum) {
    if (t.nl || !'.,:'.includes(text[t.start] ?? '')) return -1;
    j++;
  }
  const n = toks[j];
  return n?.alnum && !n.nl ? j : -1;
}

function nameWord(t: MTok | undefined, docCase: number): boolean {
  if (!t || !t.alnum || t.kind === K_NUMBER || t.kind === K_ALNUM || t.kind === Kind.Stop) return false;
  // "MR d/t MVR": a letter glued to a slash is an abbreviation.
  if (t.end - t.start === 1) return false;
  if (t.kind === Kind.Name || t.kind === Kind.Unknown || t.kind === Kind.Weak) return true;
  // An ordinary word after a title is a surname when written like one ("Dr. Baker", "DR MILLER").
  return docCase !== 0 || t.casing !== 0;
}

/** Marks `from` and the name-like words right after it (a middle initial, a surname). */
function markName(text: string, toks: readonly MTok[], labels: Uint8Array, from: number, docCase: number): void {
  labels[from] = NAME;
  let j = from;
  for (let n = 0; n < 2; n++) {
    const k = next(text, toks, j);
    const t = toks[k];
    if (k < 0 || !t) return;
    const gap = text.slice(toks[j]?.end ?? 0, t.start);
    if (!/^(?:[ \t]+|\.[ \t]*|[ \t]*-[ \t]*)$/.test(gap)) return;
    const initial = t.end - t.start === 1 && t.casing !== 0;
    if (!(initial || ((t.kind === Kind.Name || t.kind === Kind.Unknown) && (docCase !== 0 || t.casing !== 0)))) return;
    labels[k] = NAME;
    j = k;
  }
}

/** Applies every cue; returns, per token, whether a cue (not the tagger) gave it its label. */
export function applyCues(text: string, toks: readonly MTok[], labels: Uint8Array, docCase: number): Uint8Array {
  const before = labels.slice();
  cues(text, toks, labels, docCase);
  for (let i = 0; i < before.length; i++) before[i] = labels[i] !== before[i] ? 1 : 0;
  return before;
}

function cues(text: string, toks: readonly MTok[], labels: Uint8Array, docCase: number): void {
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (!t?.alnum || t.kind === K_NUMBER) continue;
    if (t.flags & F.TITLE && !(docCase === 0 && t.casing === 0 && AMBIGUOUS_TITLES.has(t.lower))) {
      const j = next(text, toks, i);
      const n = toks[j];
      if (j < 0 || !n || labels[j]) continue;
      // "Ms." and "Ms" (not "MS", multiple sclerosis) in mixed-case text are titles like any other.
      const dotted = text[t.end] === '.';
      const ambiguous = AMBIGUOUS_TITLES.has(t.lower) && !((t.lower === 'ms' || t.lower === 'miss') && (dotted || (docCase === 0 && t.casing === 1)));
      const ok = ambiguous
        ? (n.kind === Kind.Name || n.kind === Kind.Unknown) && (docCase !== 0 || n.casing !== 0)
        : nameWord(n, docCase) || (n.end - n.start === 1 && n.casing !== 0 && text[n.end] === '.');
      if (ok && !(n.flags & (F.TITLE | F.CALENDAR | F.STATE))) markName(text, toks, labels, j, docCase);
    } else if (t.flags & F.CREDENTIAL && !AMBIGUOUS_CREDENTIALS.has(t.lower) && (docCase !== 0 || t.casing === 2)) {
      // "NP Carol", "RN Patty", "per md Saeed": a credential before a given name or a name.
      const j = next(text, toks, i);
      const n = toks[j];
      if (j >= 0 && n && !labels[j] && (n.kind === Kind.Name || (n.flags & F.GIVEN && n.kind !== Kind.Stop && n.kind !== Kind.Clinical)))
        markName(text, toks, labels, j, docCase);
    } else if (t.flags & F.RELATION) {
      // "son bill", "Son, Ed", "wife: Mary": a relation before a given name.
      const j = next(text, toks, i);
      const n = toks[j];
      if (j >= 0 && n && !labels[j] && n.kind !== Kind.Stop && n.kind !== Kind.Clinical && (n.flags & F.GIVEN || n.kind === Kind.Name) && (docCase !== 0 || n.casing !== 0 || n.kind !== Kind.Word))
        markName(text, toks, labels, j, docCase);
    }
    if (t.flags & F.FACILITY && STRONG_FACILITY.has(t.lower)) facility(text, toks, labels, i, docCase);
    if (t.flags & F.RESIDENCE) residence(toks, labels, i, docCase);
    if ((t.lower === 'st' || t.lower === 'saint') && (docCase !== 0 || t.casing !== 0)) saintName(text, toks, labels, i);
    if (t.flags & F.PLACE_PREP) hospitalAcronym(text, toks, labels, i);
    // "Nicole: Right.", "tracy: i'm roberto's daughter": a speaker's name opening a line before a colon.
    // Headings ("DH:", "Plan:") are ordinary, clinical or short all-capital words.
    if (
      t.nl &&
      text[toks[i + 1]?.start ?? 0] === ':' &&
      !labels[i] &&
      (t.kind === Kind.Name || (t.kind === Kind.Unknown && t.len >= 4) || (t.kind === Kind.Weak && t.flags & F.GIVEN)) &&
      (docCase === 0 ? t.casing === 1 : docCase === 1) &&
      !(t.flags & F.TYPO)
    )
      labels[i] = NAME;
  }
  coordinate(text, toks, labels, docCase);
}

/** "lives in Rockport", "moved here from Fortaleza", "grew up in Laax": a place after where someone lives or is from. */
function residence(toks: readonly MTok[], labels: Uint8Array, i: number, docCase: number): void {
  for (let j = i + 1, n = 0; j < toks.length && n < 4; j++) {
    const t = toks[j];
    if (!t || t.nl) return;
    if (!t.alnum) return;
    n++;
    if (!(t.flags & F.PLACE_PREP)) continue;
    const k = j + 1;
    const p = toks[k];
    if (!p?.alnum || labels[k] || p.nl || p.flags & (F.STATE | F.COUNTRY | F.CALENDAR)) return;
    const placeLike = p.kind === Kind.Name || p.kind === Kind.Unknown || p.kind === Kind.Weak || (p.flags & F.ANY_CITY) !== 0;
    if (!placeLike || (docCase === 0 && p.casing === 0) || p.flags & F.TYPO) return;
    labels[k] = PLACE;
    // A town of two or three words ("Port Paien", "Novo mesto").
    for (let m = k + 1; m < k + 3 && m < toks.length; m++) {
      const q = toks[m];
      if (!q?.alnum || q.nl || q.kind === Kind.Stop || (docCase === 0 && q.casing === 0) || q.flags & (F.STATE | F.COUNTRY)) break;
      labels[m] = PLACE;
    }
    return;
  }
}

/** "Monjeau, Graves and Reed": names listed with a name are names, when written as names. */
function coordinate(text: string, toks: readonly MTok[], labels: Uint8Array, docCase: number): void {
  for (let pass = 0; pass < 2; pass++)
    for (let i = 0; i < toks.length; i++) {
      if (labels[i] !== NAME) continue;
      for (const dir of [1, -1]) {
        // The neighbour across ", ", " and ", " & ", " or ".
        let j = i + dir;
        const link = toks[j];
        if (!link) continue;
        const linkText = link.alnum ? link.lower : text[link.start] ?? '';
        if (!(linkText === ',' || linkText === 'and' || linkText === '&' || linkText === 'or')) continue;
        j += dir;
        const n = toks[j];
        if (!n?.alnum || labels[j] || n.nl || link.nl) continue;
        const nameLike = n.kind === Kind.Name || n.kind === Kind.Unknown || (n.kind === Kind.Weak && (n.flags & F.GIVEN) !== 0);
        if (nameLike && !(n.flags & (F.TYPO | F.STATE | F.COUNTRY | F.CALENDAR)) && (docCase !== 0 ? n.kind !== Kind.Weak : n.casing === 1)) labels[j] = NAME;
      }
    }
}

const PLACE_CUES = new Set(['to', 'from', 'at', 'by', 'in', 'of', 'into']);
// Head words that name a hospital by themselves; the others ("rehab", "center", "memorial") are also the kind of
// place or a word in its own right, and need a name before them.
const HOSPITAL_HEADS = new Set(['hospital', 'hospitals', 'hosp', 'hsp', 'infirmary', 'sanatorium']);

/**
 * "TAKEN TO UNION HOSP", "to sacred heart hospital", "Baltimore Rehab": up to three words before a facility's head
 * word are its name when one of them reads as a name, or when they follow a place preposition and the head is a
 * hospital's. Only spaces, hyphens and an abbreviation's dot may stand between them.
 */
function facility(text: string, toks: readonly MTok[], labels: Uint8Array, head: number, docCase: number): void {
  let first = head;
  let named = false;
  let lowerRun = 0;
  let k = head - 1;
  for (let n = 0; k >= 0 && n < 3; k--) {
    const t = toks[k];
    if (!t) break;
    const after = toks[k + 1];
    if (after?.nl) break;
    if (!t.alnum) {
      const ch = text[t.start] ?? '';
      const prev = toks[k - 1];
      if (!(ch === '-' || ch === "'" || (ch === '.' && prev?.alnum && prev.end - prev.start <= 2))) break;
      continue;
    }
    const saint = t.lower === 'st' || t.lower === 'saint';
    if (t.kind === Kind.Stop || t.kind === K_NUMBER || (t.kind === Kind.Clinical && !saint)) break;
    // In mixed-case text a capitalised head ("oak hollow Manor") may follow a name written in lower case.
    if (docCase === 0 && t.casing === 0 && toks[head]?.casing !== 1) break;
    if (docCase === 0 && t.casing === 0) lowerRun++;
    if (saint || t.kind === Kind.Name || t.kind === Kind.Unknown || t.kind === Kind.Weak || t.flags & (F.ANY_CITY | F.STATE)) named = true;
    first = k;
    n++;
  }
  if (first === head) return;
  let p = first - 1;
  while (p >= 0 && !toks[p]?.alnum && text[toks[p]?.start ?? 0] !== '(') p--;
  const cue = toks[p];
  const bracket = !!cue && !cue.alnum;
  const afterPreposition = !!cue && (bracket || PLACE_CUES.has(cue.lower)) && !toks[first]?.nl;
  const hospital = HOSPITAL_HEADS.has(toks[head]?.lower ?? '');
  // A lower-case name needs a place expected before it and two words or a name ("to cancer Institute" is a kind).
  if (lowerRun > 0 && !(afterPreposition && (named || head - first >= 2))) return;
  if (!(named || (hospital && (afterPreposition || (docCase === 0 && toks[first]?.casing !== 0))))) return;
  for (let j = first; j <= head; j++) if (toks[j]?.alnum && !labels[j]) labels[j] = PLACE;
}

/** "St. Agnes", "Saint Joseph's", "ST MARY": a saint's name names a hospital or a town (a street after a number). */
function saintName(text: string, toks: readonly MTok[], labels: Uint8Array, i: number): void {
  const j = next(text, toks, i);
  const n = toks[j];
  if (j < 0 || !n || labels[j] || n.kind === Kind.Stop || !(n.flags & F.GIVEN || n.kind === Kind.Name)) return;
  // "12 Main St. Mary …": the street's suffix, not a saint.
  for (let k = i - 1; k >= 0 && k >= i - 4; k--) if (toks[k]?.kind === K_NUMBER) return;
  labels[i] = PLACE;
  labels[j] = PLACE;
}

// Hospitals called by acronym end in H or MC ("MGH", "BWH", "UMMC").
const HOSPITAL_ACRONYM = /^(?:[A-Z]{1,4}H|[A-Z]{1,3}MC)$/;

/** "TRANSFER TO MGH", "seen at BWH": a hospital's acronym after a place preposition. */
function hospitalAcronym(text: string, toks: readonly MTok[], labels: Uint8Array, i: number): void {
  const n = toks[i + 1];
  if (!n?.alnum || labels[i + 1] || n.nl || !(n.kind === Kind.Unknown || n.kind === Kind.Name)) return;
  if (n.casing !== 2 || n.flags & (F.STATE | F.COUNTRY)) return;
  if (HOSPITAL_ACRONYM.test(text.slice(n.start, n.end))) labels[i + 1] = PLACE;
}
