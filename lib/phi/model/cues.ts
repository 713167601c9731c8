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
const AMBIGUOUS_CREDENTIALS = new Set([
  'pt',
  'pa',
  'ot',
  'rt',
  'sw',
  'do',
  'rd',
  'ld',
  'dpt',
  'cns',
  'phd',
  'pac',
]);
// Facility words that are also the kind of place ("go to rehab", "the memorial service"): they need a name before them.
const STRONG_FACILITY = new Set([
  'hospital',
  'hospitals',
  'hosp',
  'hsp',
  'infirmary',
  'hospice',
  'sanatorium',
  'clinic',
  'clinics',
  'manor',
  'institute',
  'healthcare',
  'memorial',
  'regional',
  'adventist',
  'rehab',
  'rehabilitation',
  'center',
  'centre',
  'ctr',
]);

/** The word after token i, past at most one of `between` (a dot, a comma, a colon) on the same line; -1 if none. */
function next(text: string, toks: readonly MTok[], i: number, between = '.,:'): number {
  let j = i + 1;
  const t = toks[j];
  if (t && !t.alnum) {
    if (t.nl || !between.includes(text[t.start] ?? '')) return -1;
    j++;
  }
  const n = toks[j];
  return n?.alnum && !n.nl ? j : -1;
}

function nameWord(t: MTok | undefined, docCase: number): boolean {
  if (
    !t ||
    !t.alnum ||
    t.kind === K_NUMBER ||
    t.kind === K_ALNUM ||
    t.kind === Kind.Stop ||
    t.kind === Kind.Clinical
  )
    return false;
  // "MR d/t MVR": a letter glued to a slash is an abbreviation.
  if (t.end - t.start === 1) return false;
  if (t.kind === Kind.Name || t.kind === Kind.Unknown || t.kind === Kind.Weak) return true;
  // An ordinary word after a title is a surname when written like one ("Dr. Baker", "DR MILLER").
  return docCase !== 0 || t.casing !== 0;
}

/** Marks `from` and the name-like words right after it (a middle initial, a surname). */
function markName(
  text: string,
  toks: readonly MTok[],
  labels: Uint8Array,
  from: number,
  docCase: number,
): void {
  put(labels, from, NAME);
  let j = from;
  for (let n = 0; n < 2; n++) {
    const k = next(text, toks, j);
    const t = toks[k];
    if (k < 0 || !t) return;
    const gap = text.slice(toks[j]?.end ?? 0, t.start);
    if (!/^(?:[ \t]+|\.[ \t]*|[ \t]*-[ \t]*)$/.test(gap)) return;
    const initial = t.end - t.start === 1 && t.casing !== 0;
    if (!(
      initial ||
      ((t.kind === Kind.Name || t.kind === Kind.Unknown) && (docCase !== 0 || t.casing !== 0))
    ))
      return;
    put(labels, k, NAME);
    j = k;
  }
}

const NO_MARKS = new Uint8Array(0);
let marks: Uint8Array = NO_MARKS;

function put(labels: Uint8Array, i: number, label: number): void {
  labels[i] = label;
  marks[i] = 1;
}

/**
 * Applies every cue; returns, per token, whether a cue asserted its label (whatever the tagger said): `cued`, one
 * zero per token, when given.
 */
export function applyCues(
  text: string,
  toks: readonly MTok[],
  labels: Uint8Array,
  docCase: number,
  cued: Uint8Array = new Uint8Array(toks.length),
): Uint8Array {
  marks = cued;
  try {
    cues(text, toks, labels, docCase);
  } finally {
    marks = NO_MARKS;
  }
  return cued;
}

function cues(text: string, toks: readonly MTok[], labels: Uint8Array, docCase: number): void {
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (!t?.alnum || t.kind === K_NUMBER) continue;
    if (t.flags & F.TITLE && !(docCase === 0 && t.casing === 0 && AMBIGUOUS_TITLES.has(t.lower))) {
      // A title is followed by its name, or its dot and its name ("ms: cont" is a heading).
      const j = next(text, toks, i, '.');
      const n = toks[j];
      if (j < 0 || !n) continue;
      // "Ms." and "Ms" (not "MS", multiple sclerosis) in mixed-case text are titles like any other.
      const dotted = text[t.end] === '.';
      const ambiguous =
        AMBIGUOUS_TITLES.has(t.lower) &&
        !((t.lower === 'ms' || t.lower === 'miss') && (dotted || (docCase === 0 && t.casing === 1)));
      // "Dr. griffin": after a title and its dot even a word written in lower case is the name.
      const afterDot = text[t.end] === '.' && n.kind !== Kind.Clinical && n.end - n.start > 2;
      // "Dr. Foley", "DR FOLEY": a medical word written as a name after a title is the surname.
      const clinicalName = n.kind === Kind.Clinical && n.len >= 4 && (docCase !== 0 || n.casing === 1);
      const ok = ambiguous
        ? (n.kind === Kind.Name || n.kind === Kind.Unknown) &&
          (docCase !== 0 || n.casing !== 0) &&
          !(n.flags & F.TYPO)
        : nameWord(n, docCase) ||
          afterDot ||
          clinicalName ||
          (n.end - n.start === 1 && n.casing !== 0 && text[n.end] === '.');
      if (ok && !(n.flags & (F.TITLE | F.CALENDAR | F.STATE))) markName(text, toks, labels, j, docCase);
    } else if (
      t.flags & F.CREDENTIAL &&
      !AMBIGUOUS_CREDENTIALS.has(t.lower) &&
      (docCase !== 0 || t.casing === 2)
    ) {
      // "NP Carol", "RN Patty", "per md Saeed": a credential before a given name or a name.
      const j = next(text, toks, i);
      const n = toks[j];
      if (
        j >= 0 &&
        n &&
        labels[j] !== PLACE &&
        (n.kind === Kind.Name || (n.flags & F.GIVEN && n.kind !== Kind.Stop && n.kind !== Kind.Clinical))
      )
        markName(text, toks, labels, j, docCase);
    } else if (t.flags & F.RELATION) {
      // "son bill", "Son, Ed", "wife: Mary": a relation before a given name.
      const j = next(text, toks, i);
      const n = toks[j];
      if (
        j >= 0 &&
        n &&
        labels[j] !== PLACE &&
        n.kind !== Kind.Stop &&
        n.kind !== Kind.Clinical &&
        (n.flags & F.GIVEN || n.kind === Kind.Name) &&
        (docCase !== 0 || n.casing !== 0 || n.kind !== Kind.Word)
      )
        markName(text, toks, labels, j, docCase);
    }
    if (t.flags & F.FACILITY && STRONG_FACILITY.has(t.lower)) facility(text, toks, labels, i, docCase);
    if (t.flags & F.RESIDENCE) residence(toks, labels, i, docCase);
    if (t.flags & F.WORK) employer(toks, labels, i, docCase);
    if ((t.lower === 'university' || t.lower === 'univ') && (docCase !== 0 || t.casing !== 0))
      university(toks, labels, i, docCase);
    // "U Maryland", "U Penn", "U OF VT": a university called by its state or its town.
    if (t.lower === 'u' && t.casing !== 0) {
      const of = toks[i + 1]?.lower === 'of' && !toks[i + 1]?.nl ? 1 : 0;
      const n = toks[i + 1 + of];
      if (n?.alnum && !n.nl && n.casing !== 0 && n.flags & (F.STATE | F.CITY)) {
        for (let k = i; k <= i + 1 + of; k++) put(labels, k, PLACE);
      }
    }
    if ((t.lower === 'st' || t.lower === 'saint') && (docCase !== 0 || t.casing !== 0))
      saintName(text, toks, labels, i);
    if (t.flags & F.PLACE_PREP && t.lower !== 'in' && t.lower !== 'of')
      hospitalAcronym(text, toks, labels, i);
    unknownPair(toks, labels, i, docCase);
    if (t.flags & F.CREDENTIAL) signature(text, toks, labels, i, docCase);
    if (t.flags & F.PLACE_PREP) cityAfter(toks, labels, i, docCase);
    // "GBMC", "UMMC": an acronym ending in MC names a medical center wherever it stands.
    if (
      t.kind === Kind.Unknown &&
      t.casing === 2 &&
      t.len <= 5 &&
      MEDICAL_CENTER.test(text.slice(t.start, t.end))
    )
      put(labels, i, PLACE);
    // "Nicole: Right.", "tracy: i'm roberto's daughter": a speaker's name opening a line before a colon.
    // Headings ("DH:", "Plan:") are ordinary, clinical or short all-capital words.
    if (
      t.nl &&
      text[toks[i + 1]?.start ?? 0] === ':' &&
      !labels[i] &&
      (t.kind === Kind.Name ||
        (t.kind === Kind.Unknown && t.len >= 4) ||
        (t.kind === Kind.Weak && t.flags & F.GIVEN)) &&
      (docCase === 0 ? t.casing === 1 : docCase === 1) &&
      !(t.flags & F.TYPO)
    )
      put(labels, i, NAME);
  }
  coordinate(text, toks, labels, docCase);
  ofPlace(toks, labels, docCase);
}

const MEDICAL_CENTER = /^[A-Z]{1,3}MC$/;
// Credentials that are also everyday words or abbreviations sign only at a line's end ("PT" patient).
const LOOSE_SIGN = new Set([
  'rn',
  'rrt',
  'crt',
  'lpn',
  'licsw',
  'lcsw',
  'msw',
  'cna',
  'md',
  'crnp',
  'pharmd',
  'aprn',
  'fnp',
  'np',
  'pa',
]);

/** "Jean Hudson, RN", "Q. LANDER RRT", "Stord-Painter MD plans…": the words before a credential sign a note. */
function signature(
  text: string,
  toks: readonly MTok[],
  labels: Uint8Array,
  i: number,
  docCase: number,
): void {
  const cred = toks[i];
  if (!cred || (docCase === 0 && cred.casing === 0)) return;
  const after = toks[i + 1];
  const atEnd = !after || after.nl || (!after.alnum && ',.;)'.includes(text[after.start] ?? ''));
  // "K. MADDEN PA and …": inside a sentence, a credential that is not a loose signature (or is also an everyday
  // abbreviation) signs a name only after an initial and a surname.
  const ambiguousInside = !atEnd && (!LOOSE_SIGN.has(cred.lower) || AMBIGUOUS_CREDENTIALS.has(cred.lower));
  // Back over the name: words and initials on the same line, a comma at most before the credential.
  let k = i - 1;
  if (toks[k] && !toks[k]?.alnum && text[toks[k]?.start ?? 0] === ',') k--;
  const words: number[] = [];
  for (; k >= 0 && words.length < 4; k--) {
    const t = toks[k];
    if (!t || toks[k + 1]?.nl) break;
    if (!t.alnum) {
      const ch = text[t.start] ?? '';
      if (ch === '-' || (ch === '.' && toks[k - 1]?.len === 1)) continue;
      break;
    }
    const initial = t.len === 1 && t.casing !== 0;
    if (!(
      initial ||
      t.kind === Kind.Name ||
      t.kind === Kind.Unknown ||
      t.kind === Kind.Weak ||
      (t.flags & F.GIVEN && t.kind !== Kind.Stop)
    ))
      break;
    if (docCase === 0 && t.casing === 0) break;
    words.push(k);
  }
  // A real name holds a given name, a name or an unknown word, not only initials or ordinary words ("SKIN CARE RN").
  const strong = words.some((w) => {
    const t = toks[w];
    return !!t && t.len > 1 && (t.kind === Kind.Name || t.kind === Kind.Unknown) && !(t.flags & F.TYPO);
  });
  const first = toks[words[words.length - 1] ?? -1];
  // An initial and a surname ("Q. LANDER"), a given name and a surname, or a double-barrelled name ("Stord-Painter").
  const initialAndMore =
    words.length >= 2 && words.some((w) => toks[w]?.len === 1) && words.some((w) => (toks[w]?.len ?? 0) > 1);
  const hyphenated = words.length >= 2 && words.some((w) => text[toks[w]?.end ?? 0] === '-');
  // "K. MADDEN": the name opens with an initial and its dot, then words written as names.
  const dottedInitialFirst =
    !!first &&
    first.len === 1 &&
    text[first.end] === '.' &&
    words.every((w) => w === words[words.length - 1] || (toks[w]?.casing ?? 0) !== 0);
  const real = ambiguousInside
    ? initialAndMore && dottedInitialFirst
    : strong ||
      initialAndMore ||
      hyphenated ||
      (words.length >= 2 && !!first && (first.flags & F.GIVEN) !== 0);
  if (real) for (const w of words) put(labels, w, NAME);
}

/** "moved from Seattle", "transfer to Baltimore": a town no dictionary calls a word, after a place preposition. */
function cityAfter(toks: readonly MTok[], labels: Uint8Array, i: number, docCase: number): void {
  const n = toks[i + 1];
  if (!n?.alnum || n.nl || labels[i + 1]) return;
  if (!(n.flags & F.CITY) || n.kind === Kind.Word || n.kind === Kind.Clinical || n.kind === Kind.Stop) return;
  if (docCase === 0 && n.casing === 0) return;
  put(labels, i + 1, PLACE);
}

/** "Neil Meitz of Towson", "daughter Grace of Reisterstown": a place after a person's name and "of". */
function ofPlace(toks: readonly MTok[], labels: Uint8Array, docCase: number): void {
  for (let i = 1; i + 1 < toks.length; i++) {
    const of = toks[i];
    if (of?.lower !== 'of' || labels[i - 1] !== NAME || !toks[i - 1]?.alnum) continue;
    const n = toks[i + 1];
    if (!n?.alnum || n.nl || labels[i + 1] || n.flags & (F.STATE | F.COUNTRY)) continue;
    const placeLike =
      n.kind === Kind.Name ||
      n.kind === Kind.Unknown ||
      (n.flags & F.ANY_CITY && n.kind !== Kind.Word && n.kind !== Kind.Clinical);
    if (placeLike && (docCase !== 0 || n.casing === 1)) put(labels, i + 1, PLACE);
  }
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
    const placeLike =
      p.kind === Kind.Name ||
      p.kind === Kind.Unknown ||
      (p.flags & F.CITY) !== 0 ||
      // A name that is also a word ("Early", "Hope") is a town only where it is written as one.
      (docCase === 0 &&
        p.casing === 1 &&
        (p.kind === Kind.Weak || ((p.flags & F.ANY_CITY) !== 0 && p.kind !== Kind.Clinical)));
    // Where capitals mean something a lower-case place must be a word no dictionary knows ("lives in rockport").
    const lowerOk = p.kind === Kind.Name || p.kind === Kind.Unknown;
    if (!placeLike || (docCase === 0 && p.casing === 0 && !lowerOk) || p.flags & F.TYPO) return;
    put(labels, k, PLACE);
    // A town of two or three words ("Port Paien", "Novo mesto").
    for (let m = k + 1; m < k + 3 && m < toks.length; m++) {
      const q = toks[m];
      if (
        !q?.alnum ||
        q.nl ||
        q.kind === Kind.Stop ||
        (docCase === 0 && q.casing === 0) ||
        q.flags & (F.STATE | F.COUNTRY)
      )
        break;
      put(labels, m, PLACE);
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
        const linkText = link.alnum ? link.lower : (text[link.start] ?? '');
        if (!(linkText === ',' || linkText === 'and' || linkText === '&' || linkText === 'or')) continue;
        j += dir;
        const n = toks[j];
        if (!n?.alnum || labels[j] || n.nl || link.nl) continue;
        // An eponym's name listed with a person's is that person's colleague ("Drs Lowe and Pratt").
        const nameLike =
          n.kind === Kind.Name ||
          n.kind === Kind.Unknown ||
          (n.kind === Kind.Weak && (n.flags & F.GIVEN) !== 0) ||
          (n.flags & F.EPONYM) !== 0;
        // In mixed-case text the partner is written as a name: capitalised, or in capitals like the name it is
        // listed with ("DRS LOWE AND PRATT").
        const writtenAsName = n.casing === 1 || (n.casing === 2 && toks[i]?.casing === 2);
        if (
          nameLike &&
          !(n.flags & (F.TYPO | F.STATE | F.COUNTRY | F.CALENDAR)) &&
          (docCase !== 0 ? n.kind !== Kind.Weak || (n.flags & (F.GIVEN | F.EPONYM)) !== 0 : writtenAsName)
        )
          put(labels, j, NAME);
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
function facility(
  text: string,
  toks: readonly MTok[],
  labels: Uint8Array,
  head: number,
  docCase: number,
): void {
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
    const nameLike =
      t.kind === Kind.Name ||
      (t.kind === Kind.Unknown && t.len >= 4 && !(t.flags & F.TYPO)) ||
      t.kind === Kind.Weak;
    if (saint || nameLike || t.flags & (F.ANY_CITY | F.STATE)) named = true;
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
  if (lowerRun >= 2 && afterPreposition) named = true;
  // "poss rehab", "BEGIN REHAB": where capitals say nothing, a generic head needs a place expected before it too.
  if (!hospital && docCase !== 0 && !afterPreposition) return;
  if (!(named || (hospital && (afterPreposition || (docCase === 0 && toks[first]?.casing !== 0))))) return;
  for (let j = first; j <= head; j++) if (toks[j]?.alnum) put(labels, j, PLACE);
}

/** "St. Agnes", "Saint Joseph's", "ST MARY": a saint's name names a hospital or a town (a street after a number). */
function saintName(text: string, toks: readonly MTok[], labels: Uint8Array, i: number): void {
  const j = next(text, toks, i);
  const n = toks[j];
  if (j < 0 || !n || n.kind === Kind.Stop || !(n.flags & F.GIVEN || n.kind === Kind.Name)) return;
  // "12 Main St. Mary …": the street's suffix, not a saint.
  for (let k = i - 1; k >= 0 && k >= i - 4; k--) if (toks[k]?.kind === K_NUMBER) return;
  put(labels, i, PLACE);
  put(labels, j, PLACE);
}

// Hospitals called by acronym end in H or MC ("MGH", "BWH", "UMMC").
const HOSPITAL_ACRONYM = /^(?:[A-Z]{2,4}H|[A-Z]{1,3}MC)$/;

/** "TRANSFER TO MGH", "seen at BWH": a hospital's acronym after a place preposition. */
function hospitalAcronym(text: string, toks: readonly MTok[], labels: Uint8Array, i: number): void {
  const n = toks[i + 1];
  if (!n?.alnum || labels[i + 1] || n.nl || !(n.kind === Kind.Unknown || n.kind === Kind.Name)) return;
  if (n.casing !== 2 || n.flags & (F.STATE | F.COUNTRY)) return;
  if (HOSPITAL_ACRONYM.test(text.slice(n.start, n.end))) put(labels, i + 1, PLACE);
}

function unknownCapitalised(t: MTok): boolean {
  return t.kind === Kind.Unknown && t.casing === 1 && t.len >= 3 && !(t.flags & F.TYPO);
}

/**
 * "Lopie Certusi": two capitalised words in a row that no dictionary knows (and that are no typo of a known word)
 * are a name, where capitals mean something.
 */
function unknownPair(toks: readonly MTok[], labels: Uint8Array, i: number, docCase: number): void {
  if (docCase !== 0) return;
  const a = toks[i];
  const b = toks[i + 1];
  if (docCase !== 0 || !a || !b || !b.alnum || b.nl) return;
  if (unknownCapitalised(a) && unknownCapitalised(b)) {
    put(labels, i, NAME);
    put(labels, i + 1, NAME);
  }
}

/** "the University of Vermont hospital", "Univ of Michigan": a university named after its state or its town. */
function university(toks: readonly MTok[], labels: Uint8Array, i: number, docCase: number): void {
  const of = toks[i + 1];
  const n = toks[i + 2];
  if (of?.lower !== 'of' || !n?.alnum || n.nl || (docCase === 0 && n.casing === 0)) return;
  const named = n.flags & (F.STATE | F.ANY_CITY) || n.kind === Kind.Name || n.kind === Kind.Unknown;
  if (!named && !(docCase === 0 && n.casing === 1 && n.kind !== Kind.Stop && n.kind !== Kind.Clinical))
    return;
  put(labels, i, PLACE);
  put(labels, i + 2, PLACE);
  // "of New Mexico", "of South Florida": a second capitalised word of the name.
  const m = toks[i + 3];
  if (
    m?.alnum &&
    !m.nl &&
    (docCase !== 0 || m.casing !== 0) &&
    (m.kind !== Kind.Stop || m.flags & (F.STATE | F.COUNTRY)) &&
    (m.flags & (F.STATE | F.COUNTRY | F.ANY_CITY | F.FACILITY) ||
      m.kind === Kind.Name ||
      m.kind === Kind.Unknown)
  )
    put(labels, i + 3, PLACE);
}

const WORK_LINKS = new Set(['at', 'for', 'by', 'of', 'from', 'with']);

/** "EMPLOYED BY NORTEK", "CEO of QVX", "works at Raytheon": an employer names a place that identifies. */
function employer(toks: readonly MTok[], labels: Uint8Array, i: number, docCase: number): void {
  const link = toks[i + 1];
  const n = toks[i + 2];
  if (!link?.alnum || !WORK_LINKS.has(link.lower) || !n?.alnum || n.nl || labels[i + 2]) return;
  if (
    n.kind > Kind.Unknown ||
    n.flags & (F.STATE | F.COUNTRY | F.CALENDAR) ||
    n.kind === Kind.Stop ||
    n.kind === Kind.Clinical
  )
    return;
  // Where capitals say nothing, only a word no dictionary knows; elsewhere a capitalised word or an acronym too.
  const named = n.kind === Kind.Name || n.kind === Kind.Unknown;
  if (!(named || (docCase === 0 && n.casing !== 0 && n.kind !== Kind.Word))) return;
  if (docCase === 0 && n.casing === 0) return;
  put(labels, i + 2, PLACE);
  // "Bethlehem Steel", "Acme Tools Inc": the next capitalised words of the name.
  for (let k = i + 3; k < i + 5; k++) {
    const m = toks[k];
    if (!m?.alnum || m.nl || m.kind === Kind.Stop || (docCase === 0 ? m.casing === 0 : m.kind === Kind.Word))
      break;
    put(labels, k, PLACE);
  }
}
