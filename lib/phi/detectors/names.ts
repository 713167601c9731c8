import { hasZip, loadDictionaries } from '../dictionaries';
import { WordTable, type PackedWordTable } from '../wordtable';
import { GATE_WORD_FLAG, GATE_WORDS } from './gates';
import * as lexicon from '../lexicon';
import { PRIORITY, type Candidate } from '../types';

// Names and places from words: dictionaries filtered by safe lists, and the context around each word.

// Plain constants: read once, not through the module's live bindings on every word.
const {
  words,
  CLINICAL_WORDS,
  CREDENTIALS,
  EPONYM_HEADS,
  FACILITY_GENERIC,
  FACILITY_WORDS,
  MONTHS,
  RELATION_WORDS,
  STOP_WORDS,
  STREET_SUFFIXES,
  TITLES,
  US_STATES,
} = lexicon;

/** How a word reads against the dictionaries. */
const enum Kind {
  Stop, // function word or note verb
  Clinical, // medical vocabulary, eponyms, drugs, abbreviations
  Name, // a name and not an ordinary word
  Weak, // a name that is also an ordinary word ("Bill", "White")
  Word, // an ordinary word
  Unknown, // in no dictionary (a rare surname, a typo)
}

export interface Token {
  start: number;
  end: number;
  /** The word as written. */
  raw: string;
  lower: string;
  /** Lower case without a possessive "'s". */
  base: string;
  kind: Kind;
  cap: boolean;
  /** Text between the previous token and this one. */
  gap: string;
  /** Glued to a slash or a digit ("d/c", "c/o", "PDE5"). */
  slash: boolean;
  /** Which word lists hold this word (bits of `F`): one lookup instead of one per rule. */
  flags: number;
}

const F = {
  GIVEN: 1,
  CITY_FIRST: 2,
  TITLE: 4,
  RELATION: 8,
  CREDENTIAL: 16,
  FACILITY: 32,
  REGION: 64,
  RESIDENCE: 128,
  PLACE_PREP: 256,
  STREET_SUFFIX: 512,
  /** An ordinary or a lower-case medical word: what a typo would be a typo of. */
  KNOWN: 1024,
  /** A town name that is not also a word (one word, or several joined by a space). */
  CITY: 2048,
  /** Any town name. */
  ANY_CITY: 4096,
  /** A disease, sign or device named after a person ("Gitelman", "Kussmaul"). */
  EPONYM: 8192,
  /** A word after which an employer is named ("works at", "CEO of"). */
  WORK: 16384,
  /** A label word of a pattern gate (gates.ts): matched on the word as written. */
  GATE: GATE_WORD_FLAG,
} as const;
// Lists matched on the word without its possessive ("son's" is a son); the others on the word as written.
const BASE_FLAGS =
  F.GIVEN |
  F.CITY_FIRST |
  F.RELATION |
  F.FACILITY |
  F.REGION |
  F.RESIDENCE |
  F.KNOWN |
  F.CITY |
  F.ANY_CITY |
  F.EPONYM |
  F.WORK;

const POSSESSIVE = /['’]s$/;

// A word glued to a slash or a digit is an abbreviation or a code ("d/c", "PDE5"), not a name.
function gluedAfter(c: string | undefined): boolean {
  return c === '/' || (c !== undefined && c >= '0' && c <= '9');
}

function gluedBefore(c: string | undefined): boolean {
  return gluedAfter(c) || c === "'" || c === '’';
}

const WEEKDAYS = words(
  `monday mon tuesday tue tues wednesday wed thursday thu thur thurs friday fri saturday sat sunday sun`,
);

// One table for every word the engine knows: its kind in the low bits, the word lists holding it above.
const KIND_MASK = 7;
const FLAG_SHIFT = 3;
/** Kind bits of an entry that only carries list flags (a town's first word, a multi-word town). */
const NO_KIND = 7;

interface WordIndex {
  table: WordTable;
  /** Valid ZIP codes, one bit each. */
  zips: Uint8Array;
  /** Longest town name in words. */
  maxCityWords: number;
}

let index: WordIndex | undefined;

/**
 * Built once from the dictionaries (about a second): one lookup per word at run time. The word lists are
 * dropped afterwards; only the packed table stays (a few MB instead of the lists' ~130 MB).
 */
function wordIndex(): WordIndex {
  if (index) return index;
  const d = loadDictionaries();
  const m = new Map<string, number>();
  for (const w of d.english) m.set(w, Kind.Word);
  for (const w of d.medical) m.set(w, Kind.Clinical);
  // A name that is also a word or an eponym ("White", "Foley", "Parkinson") needs context to count.
  for (const w of d.names) {
    // A given name the medical list happens to hold in lower case ("keeley") is still a name.
    const common = d.medicalCommon.has(w) && !(d.givenNames.has(w) && w.length > 3);
    m.set(w, d.english.has(w) || common ? Kind.Weak : Kind.Name);
  }
  for (const w of CLINICAL_WORDS) m.set(w, Kind.Clinical);
  for (const list of [STOP_WORDS, WEEKDAYS, RELATION_WORDS, lexicon.NOT_NAMES])
    for (const w of list) m.set(w, Kind.Stop);
  const flag = (list: Iterable<string>, bit: number): void => {
    for (const w of list) m.set(w, (m.get(w) ?? NO_KIND) | (bit << FLAG_SHIFT));
  };
  flag(d.givenNames, F.GIVEN);
  flag(d.cityFirstWords, F.CITY_FIRST);
  flag(TITLES, F.TITLE);
  flag(RELATION_WORDS, F.RELATION);
  flag(CREDENTIALS, F.CREDENTIAL);
  flag(FACILITY_WORDS, F.FACILITY);
  flag(REGION_HEADS, F.REGION);
  flag(RESIDENCE_VERBS, F.RESIDENCE);
  flag(PLACE_PREPOSITIONS, F.PLACE_PREP);
  flag(STREET_SUFFIXES, F.STREET_SUFFIX);
  for (const list of [d.english, d.medicalCommon])
    for (const w of list) if (w.length > 1) m.set(w, (m.get(w) ?? NO_KIND) | (F.KNOWN << FLAG_SHIFT));
  flag(d.cities, F.CITY);
  flag(d.allCities, F.ANY_CITY);
  flag(d.eponyms, F.EPONYM);
  flag(WORK_CUES, F.WORK);
  flag(GATE_WORDS, F.GATE);
  index = { table: new WordTable(m), zips: d.zips, maxCityWords: d.maxCityWords };
  return index;
}

/** The built word index as plain data, so that a worker thread can use it without loading the word lists. */
export interface PackedWordIndex {
  table: PackedWordTable;
  zips: Uint8Array;
  maxCityWords: number;
}

export function exportWordIndex(): PackedWordIndex {
  const i = wordIndex();
  return { table: i.table.pack(), zips: i.zips, maxCityWords: i.maxCityWords };
}

/** Installs an index built elsewhere (see exportWordIndex); the word lists are then never loaded here. */
export function importWordIndex(p: PackedWordIndex): void {
  index = { table: new WordTable(p.table), zips: p.zips, maxCityWords: p.maxCityWords };
}

/** The list flags (bits of `F`) of a word or phrase. */
function flagsOf(w: string): number {
  const e = wordIndex().table.get(w);
  return e === undefined ? 0 : e >> FLAG_SHIFT;
}

const isGiven = (w: string): boolean => (flagsOf(w) & F.GIVEN) !== 0;
const isCity = (w: string): boolean => (flagsOf(w) & F.CITY) !== 0;

// O'Brien, D'Angelo: the prefix makes a surname whatever the lists say.
const SURNAME_PREFIX = /^(?:o|d)['’][a-z]{3,}$/;

/** The kind of a word from its index entry, with the shapes no list holds. */
function kindOf(entry: number | undefined, base: string): Kind {
  const bits = entry === undefined ? NO_KIND : entry & KIND_MASK;
  const kind = bits === NO_KIND ? undefined : (bits as Kind);
  if ((kind === undefined || kind === Kind.Clinical) && SURNAME_PREFIX.test(base) && base !== "o'clock")
    return Kind.Name;
  // "con't", "rec'd", "he'll": contractions, never names.
  if (kind === undefined && APOSTROPHE.test(base)) return Kind.Stop;
  // A word no list holds with the ending of a disease, a procedure or a drug stem is clinical, not a rare name.
  if (kind === undefined && base.length >= 7 && MEDICAL_ENDING.test(base)) return Kind.Clinical;
  return kind ?? Kind.Unknown;
}

// Endings of diseases and procedures ("-itis", "-ectomy") and USAN drug stems ("-mycin", "-pril", "-mab").
const MEDICAL_ENDING =
  /(?:itis|osis|emia|aemia|ectomy|otomy|ostomy|plasty|scopy|graphy|pathy|algia|penia|megaly|uria|plegia|trophy|oma|omas|mycin|cillin|cycline|oxacin|conazole|azole|pril|sartan|olol|dipine|statin|parin|xaban|gatran|tidine|prazole|setron|triptan|tinib|mab|vir|afil|azepam|azolam|barbital|caine|curonium|profen|olone|asone|gliptin|gliflozin|glutide|lukast|terol|tropium|dronate|peridol|azine|triptyline|oxetine|faxine|pine|vudine)$/;

const NON_ASCII_LETTER = /\p{L}/u;

// ASCII first; accented letters ("José García") through the Unicode letter class.
function isLetterCode(c: number): boolean {
  if (c < 128) return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return c >= 0xc0 && NON_ASCII_LETTER.test(String.fromCharCode(c));
}

function isCapital(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 128) return c >= 65 && c <= 90;
  return ch !== ch.toLowerCase();
}

/** Words are runs of ASCII letters, joined by an apostrophe ("O'Brien", "Parkinson's"); scanned by hand to spare a match object per word. */
function tokenize(text: string): Token[] {
  const m = wordIndex().table;
  const tokens: Token[] = [];
  let prevEnd = 0;
  let i = 0;
  const len = text.length;
  while (i < len) {
    if (!isLetterCode(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < len) {
      const c = text.charCodeAt(i);
      if (isLetterCode(c)) i++;
      else if ((c === 39 || c === 0x2019) && i + 1 < len && isLetterCode(text.charCodeAt(i + 1))) i += 2;
      else break;
    }
    const word = text.slice(start, i);
    const lower = word.toLowerCase();
    const n = lower.length;
    const base =
      n > 2 && lower[n - 1] === 's' && (lower[n - 2] === "'" || lower[n - 2] === '’')
        ? lower.slice(0, -2)
        : lower;
    const entry = m.get(base);
    let kind = kindOf(entry, base);
    let flags = entry === undefined ? 0 : entry >> FLAG_SHIFT;
    if (lower !== base) {
      // "pt's": the possessive's own entry may say stop word; lists of written forms read the whole word.
      const whole = m.get(lower);
      if (whole !== undefined && (whole & KIND_MASK) === Kind.Stop) kind = Kind.Stop;
      flags = (flags & BASE_FLAGS) | ((whole === undefined ? 0 : whole >> FLAG_SHIFT) & ~BASE_FLAGS);
    }
    tokens.push({
      start,
      end: i,
      raw: word,
      lower,
      base,
      kind,
      cap: isCapital(word[0] ?? ''),
      gap: text.slice(prevEnd, start),
      slash: gluedBefore(text[start - 1]) || gluedAfter(text[i]),
      flags,
    });
    prevEnd = i;
  }
  return tokens;
}

/** Capital letters tell names apart only in mixed-case text; all-caps or all-lower notes give no signal. */
/** Share of capital letters, counted per word from its first and last letters. */
function capitalShare(tokens: readonly Token[]): number {
  // Counted per word from its first and last letters: "Word" is one capital, "WORD" all capitals.
  let upper = 0;
  let lower = 0;
  for (const t of tokens) {
    const n = t.raw.length;
    if (!t.cap) lower += n;
    else if (n > 1 && isCapital(t.raw[n - 1] ?? '')) upper += n;
    else {
      upper++;
      lower += n - 1;
    }
  }
  const letters = upper + lower;
  return letters === 0 ? 0 : upper / letters;
}

// Gaps and shapes tested in the rules, compiled once.
const APOSTROPHE = /['’]/;
const NEWLINE = /[\n]/;
const INITIAL_BEFORE = /(?:^|[\s(,;:&-])$/;
const HYPHEN_GAP = /^-$/;
const SPACE_OR_HYPHEN_GAP = /^[ \t]*-?[ \t]*$/;
const SPACE_OR_COLON_GAP = /^[ \t]*:?[ \t]*$/;
const SPACE_OR_COMMA_GAP = /^[ \t]*,?[ \t]*$/;
const DOT_SPACE_GAP = /^\.[ \t]+$/;
const PLURAL_ACRONYM = /^[A-Z]+s$/;
const FACILITY_GAP = /^[ \t]*$|^\.[ \t]*$|^[ \t]*-[ \t]*$/;
const LINK_WORD = /^(?:to|with|and|or|in)$/;
const COMMA_OR_SPACE_GAP = /^,?[ \t]*$/;
const EMERGENCY_WARD = /^(?:ew|er)$/;
const HOSPITAL_UNIT = /^(?:ew|er|ed|icu|micu|ccu|cath)$/;
const SPACE_GAP = /^[ \t]*$/;
const CAPITAL_START = /^[A-Z]/;
const JOIN_GAP = /^[ \t]*[-.]?[ \t]*$/;
const SAME_PHRASE = /^[ \t]*$|^[ \t]*-[ \t]*$/;
const INITIAL_GAP = /^\.?[ \t]*$/;
const SENTENCE_START = /(?:^|[.!?:;]\s*|\n\s*)$/;
const RELATION_GAP = /^[ \t]*(?:[,:(-]|-+>|=)?[ \t]*$/;
const LIST_GAP = /^[ \t]*(?:,|&|,?[ \t]*and)[ \t]*$/;
const TITLE_GAP = INITIAL_GAP;
const CREDENTIAL_GAP = SPACE_OR_COMMA_GAP;
const NUMBER_BEFORE = /\b\d{1,6}(?:-\d{1,4})?[A-Za-z]?[ \t]+(?:[NSEW]\.?[ \t]+)?$/;

/** Names that a capital makes believable in mixed-case text; every word counts in single-case text. */
function caseOk(t: Token, mixed: boolean): boolean {
  return !mixed || t.cap;
}

function isInitial(text: string, t: Token): boolean {
  if (t.end - t.start !== 1 || text[t.end] !== '.') return false;
  // "A." and "P." opening a line are assessment and plan headings; "R>L." is no initial.
  if (NEWLINE.test(t.gap) && 'SOAPsoap'.includes(text[t.start] ?? '')) return false;
  return INITIAL_BEFORE.test(t.gap) || t.start === 0;
}

/** A word that can belong to a name once context says a name is there. */
function nameish(t: Token, mixed: boolean, allowWords: boolean): boolean {
  switch (t.kind) {
    case Kind.Name:
    case Kind.Unknown:
      return caseOk(t, mixed) || t.kind === Kind.Name;
    case Kind.Weak:
      return caseOk(t, mixed);
    case Kind.Word:
    case Kind.Clinical:
      return allowWords && caseOk(t, mixed) && (mixed || t.kind === Kind.Word);
    default:
      return false;
  }
}

interface Ctx {
  text: string;
  tokens: Token[];
  mixed: boolean;
  /** Almost all lower case: a capital there is a deliberate one. */
  lowerText: boolean;
  name: Uint8Array; // 1 = part of a name
  place: Uint8Array; // 1 = part of a place
  /** Names found from context ("Dr.", "son", a signature): no place rule overrides them. */
  contextual: Uint8Array;
  /** Wards end after their number ("Quartermain 5"): token index -> end offset. */
  wardEnd: Map<number, number>;
  /** Typo answers for this text's words, dropped with the text. */
  typos: Map<string, boolean>;
}

/** Marks tokens from i onward (up to `max`) that continue a name on the same line. */
function markForward(c: Ctx, i: number, max: number, allowWords: boolean, continuation = true): number {
  let n = 0;
  let j = i;
  while (j < c.tokens.length && n < max) {
    const t = c.tokens[j];
    if (!t) break;
    if (
      (n > 0 || continuation) &&
      !SAME_PHRASE.test(t.gap) &&
      !(isInitial(c.text, c.tokens[j - 1] ?? t) && INITIAL_GAP.test(t.gap))
    )
      break;
    const ok = !t.slash && (isInitial(c.text, t) || nameish(t, c.mixed, allowWords));
    if (!ok) break;
    c.name[j] = 1;
    n++;
    j++;
  }
  return n;
}

function isEponym(c: Ctx, i: number): boolean {
  const t = c.tokens[i];
  if (!t) return false;
  let j = i + 1;
  // "Ludwig's angina", "De Quervain's tenosynovitis": a possessive before a medical word names a disease.
  const first = c.tokens[j];
  if (
    POSSESSIVE.test(t.lower) &&
    first &&
    SPACE_GAP.test(first.gap) &&
    first.kind === Kind.Clinical &&
    !first.cap
  )
    return true;
  // "Jackson-Pratt drain", "Austin Flint murmur", "Ottawa ankle rules": look past the partners.
  let lowerWords = 0;
  for (let partners = 0; partners < 3; partners++) {
    const next = c.tokens[j];
    if (!next || !SPACE_OR_HYPHEN_GAP.test(next.gap)) return false;
    if (EPONYM_HEADS.has(next.lower) || EPONYM_HEADS.has(next.base)) return true;
    if (next.kind === Kind.Stop) return false;
    if (c.mixed && !next.cap) {
      // One lower-case word may stand between the name and its head ("Charlson comorbidity index").
      if (++lowerWords > 1) return false;
    } else if (next.kind === Kind.Word || next.kind === Kind.Clinical) {
      // A partner is another name ("Austin Flint murmur"); "Sacred Heart Vital signs" is no eponym.
      return false;
    }
    j++;
  }
  return false;
}

/** The second half of a hyphenated eponym ("Jackson-Pratt drain"). */
function isHyphenEponym(c: Ctx, i: number): boolean {
  const t = c.tokens[i];
  return !!t && HYPHEN_GAP.test(t.gap) && i > 0 && isEponym(c, i - 1);
}

function isAllCaps(text: string, t: Token): boolean {
  const w = t.raw;
  return w.length > 1 && w === w.toUpperCase();
}

function titleRule(c: Ctx): void {
  const { tokens, text } = c;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i];
    const next = tokens[i + 1];
    if (!t || !next || !(t.flags & F.TITLE) || !TITLE_GAP.test(next.gap)) continue;
    // "MR d/t MVR": mitral regurgitation before an abbreviation, not a title before a name.
    if (next.slash && next.end - next.start === 1) continue;
    if (c.mixed && !t.cap && (t.lower === 'ms' || t.lower === 'hi')) continue;
    // "MS" is also multiple sclerosis and mental status: only a real name may follow it.
    const ambiguous = t.lower === 'ms' || t.lower === 'hi' || t.lower === 'dear' || t.lower === 'hello';
    const first = next.kind;
    // "mr I remained", "MS S. CARE": a capital initial stands for the surname.
    const after = tokens[i + 2];
    const splitPrefix =
      (next.lower === 'o' || next.lower === 'd') &&
      !!after &&
      SAME_PHRASE.test(after.gap) &&
      (after.kind === Kind.Name || after.kind === Kind.Unknown);
    const initial =
      splitPrefix ||
      isInitial(text, next) ||
      (next.end - next.start === 1 && next.cap && t.lower !== 'dear' && t.lower !== 'hi');
    const ok = ambiguous
      ? first === Kind.Name ||
        (first === Kind.Unknown && caseOk(next, c.mixed)) ||
        (first === Kind.Weak && next.cap && c.mixed) ||
        (initial && t.lower === 'ms')
      : initial ||
        first === Kind.Name ||
        first === Kind.Unknown ||
        first === Kind.Weak ||
        ((first === Kind.Word || first === Kind.Clinical) && (c.mixed ? next.cap : first === Kind.Clinical));
    if (!ok) continue;
    c.name[i + 1] = 1;
    markForward(c, i + 2, 3, c.mixed);
  }
}

function relationRule(c: Ctx): void {
  const { tokens } = c;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i];
    if (!t || !(t.flags & F.RELATION)) continue;
    let j = i + 1;
    // "son-in-law Bob", "dtr in law: Rita"
    const inLaw = tokens[j]?.lower === 'in' && tokens[j + 1]?.lower === 'law';
    if (inLaw) j += 2;
    for (let listed = 0; listed < 6; listed++) {
      const n = tokens[j];
      if (!n) break;
      const gapOk = listed === 0 ? RELATION_GAP.test(n.gap) : LIST_GAP.test(n.gap);
      if (!gapOk) break;
      const ok =
        n.kind === Kind.Name ||
        (n.kind === Kind.Weak && caseOk(n, c.mixed) && (isGiven(n.base) || (c.mixed && n.cap))) ||
        (n.kind === Kind.Unknown && caseOk(n, c.mixed) && n.end - n.start > 2) ||
        (n.kind === Kind.Clinical &&
          n.cap &&
          isGiven(n.base) &&
          (!CLINICAL_WORDS.has(n.lower) || (c.mixed && !isAllCaps(c.text, n))));
      if (!ok || n.slash) break;
      if (n.kind === Kind.Clinical) c.name[j] = 1;
      const marked =
        n.kind === Kind.Clinical ? 1 + markForward(c, j + 1, 2, false) : markForward(c, j, 3, false, false);
      if (marked === 0) break;
      j += marked;
    }
  }
}

// Words and phrases right before or after a name ("seen by X", "X aware").
const CONTEXT_BEFORE = new Set([
  'patient is',
  'pt is',
  'name is',
  'names are',
  'patient named',
  'by',
  'paged',
  'notified',
  'told',
  'informed',
  'contacted',
  'consulted',
  'named',
  'signed',
  'spoke with',
  'discussed with',
  'met with',
  'talked with',
  'spoke to',
  'talked to',
  'called',
  'page',
  'paging',
]);
const CONTEXT_BEFORE_CAP = words(
  `patient pt name per with from attending resident intern fellow nurse pcp surgeon cardiologist caseworker coordinator sw therapist`,
);
const STRONG_AFTER = words(`called phoned visited`);
const CONTEXT_AFTER = words(
  `family aware notified paged informed ordered recommended requested agrees agreed consented phoned called came saw visited updated examined evaluated wrote spoke`,
);

function contextRule(c: Ctx): void {
  const { tokens } = c;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t || c.name[i] || t.slash || t.end - t.start < 2) continue;
    const named = t.kind === Kind.Name;
    const other =
      ((t.kind === Kind.Unknown && c.mixed && t.cap && !isAllCaps(c.text, t)) ||
        (t.kind === Kind.Weak && caseOk(t, c.mixed))) &&
      t.end - t.start > 2;
    if (!named && !other) continue;
    if (!named && likelyTypo(c, t)) continue;
    const prev = tokens[i - 1];
    const prev2 = tokens[i - 2];
    const next = tokens[i + 1];
    const tight = SPACE_OR_COLON_GAP.test(t.gap);
    const pair = prev && prev2 ? `${prev2.lower} ${prev.lower}` : '';
    let before = tight && !!prev && (CONTEXT_BEFORE.has(prev.lower) || CONTEXT_BEFORE.has(pair));
    // Looser cues count only for a capitalised word in mixed-case text.
    if (
      !before &&
      tight &&
      prev &&
      CONTEXT_BEFORE_CAP.has(prev.lower) &&
      c.mixed &&
      t.cap &&
      !isAllCaps(c.text, t) &&
      (t.kind !== Kind.Weak || isGiven(t.base))
    )
      before = true;
    const after = !!next && CONTEXT_AFTER.has(next.lower) && SPACE_OR_COMMA_GAP.test(next.gap);
    if (!before && !after) continue;
    // In single-case text a given name that is also a word needs a strong cue: "son bill called", "patient is john smith".
    const givenCue =
      !c.mixed &&
      t.kind === Kind.Weak &&
      isGiven(t.base) &&
      ((after && STRONG_AFTER.has(next?.lower ?? '')) ||
        (before && (CONTEXT_BEFORE.has(pair) || prev?.lower === 'named')));
    if (!named && t.kind === Kind.Weak && !(c.mixed && t.cap) && !givenCue) continue;
    if (isEponym(c, i)) continue;
    c.name[i] = 1;
    markForward(c, i + 1, 2, c.mixed && t.cap);
  }
}

/** "John Smith", "LEONA LABOWICH", "mary souza": a given name and a surname. */
function fullNameRule(c: Ctx): void {
  const { tokens } = c;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i];
    const n = tokens[i + 1];
    if (!t || !n || !(t.flags & F.GIVEN) || t.slash || n.slash || !SAME_PHRASE.test(n.gap)) continue;
    if (t.kind === Kind.Stop || CLINICAL_WORDS.has(t.base)) continue;
    if (
      n.kind === Kind.Stop ||
      CLINICAL_WORDS.has(n.base) ||
      n.end - n.start < 2 ||
      isEponym(c, i + 1) ||
      isEponym(c, i)
    )
      continue;
    if (MONTHS.has(n.base) || US_STATES.has(n.base) || FACILITY_WORDS.has(n.base) || MONTHS.has(t.base))
      continue;
    if (c.mixed && t.cap && n.cap) {
      if (n.kind === Kind.Word && !POSSESSIVE.test(n.lower) && n.end - n.start > 6) continue;
      if (isAllCaps(c.text, n) && !isAllCaps(c.text, t)) continue;
    } else if (c.mixed && (t.cap || n.cap)) {
      continue;
    } else {
      // Single-case text: the given name or the surname must be unambiguous.
      const given = t.kind === Kind.Name;
      const surname = n.kind === Kind.Name || (given && n.kind === Kind.Unknown);
      if (!(surname && (given || t.kind === Kind.Weak)) && !(given && n.kind === Kind.Weak)) continue;
      if (n.kind === Kind.Unknown && n.end - n.start < 4) continue;
    }
    c.name[i] = 1;
    c.name[i + 1] = 1;
    // "KAREN ANN YANULIS": a middle name, then the surname.
    const third = tokens[i + 2];
    if (
      third &&
      SAME_PHRASE.test(third.gap) &&
      !third.slash &&
      (third.kind === Kind.Name || third.kind === Kind.Unknown) &&
      caseOk(third, c.mixed) &&
      third.end - third.start > 3
    ) {
      c.name[i + 2] = 1;
    }
  }
}

/** After the rules: initials before a name ("W. Marotta"), and names joined by "and" ("Suzette and Hank"). */
function extendNames(c: Ctx): void {
  const { tokens, text } = c;
  for (let i = 0; i < tokens.length; i++) {
    if (!c.name[i]) continue;
    const t = tokens[i];
    const prev = tokens[i - 1];
    if (t && prev && !c.name[i - 1] && isInitial(text, prev) && INITIAL_GAP.test(t.gap)) c.name[i - 1] = 1;
    const and = tokens[i + 1];
    const n = tokens[i + 2];
    if (!and || !n || c.name[i + 2] || n.slash) continue;
    if (
      !(and.lower === 'and' || and.lower === 'or') ||
      !SAME_PHRASE.test(and.gap) ||
      !SAME_PHRASE.test(n.gap)
    )
      continue;
    const given = isGiven(n.base) && n.kind !== Kind.Stop && !CLINICAL_WORDS.has(n.base);
    if (
      (given && caseOk(n, c.mixed)) ||
      (n.kind === Kind.Name && caseOk(n, c.mixed)) ||
      (n.kind === Kind.Unknown && c.mixed && n.cap)
    ) {
      c.name[i + 2] = 1;
      markForward(c, i + 3, 1, false);
    }
  }
  // "j. o'brien", "d. renna": an initial, a dot and a surname no dictionary calls a word.
  for (let i = 0; i + 1 < tokens.length; i++) {
    const ini = tokens[i];
    const n = tokens[i + 1];
    if (
      !ini ||
      !n ||
      c.name[i + 1] ||
      !isInitial(text, ini) ||
      !DOT_SPACE_GAP.test(n.gap) ||
      n.slash ||
      ini.slash
    )
      continue;
    if ((n.kind === Kind.Name || n.kind === Kind.Unknown) && caseOk(n, c.mixed) && n.end - n.start >= 3) {
      c.name[i] = 1;
      c.name[i + 1] = 1;
    }
  }
}

/** "Lopie Certusi": two capitalised words no dictionary knows, side by side in mixed-case text. */
function unknownPairRule(c: Ctx): void {
  const { tokens, text } = c;
  if (!c.mixed) return;
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i];
    const n = tokens[i + 1];
    if (
      !t ||
      !n ||
      t.kind !== Kind.Unknown ||
      n.kind !== Kind.Unknown ||
      !t.cap ||
      !n.cap ||
      t.slash ||
      n.slash
    )
      continue;
    if (
      !SAME_PHRASE.test(n.gap) ||
      isAllCaps(text, t) ||
      isAllCaps(text, n) ||
      t.end - t.start < 4 ||
      n.end - n.start < 4
    )
      continue;
    c.name[i] = 1;
    c.name[i + 1] = 1;
  }
}

/** "NP Carol", "RN Patty": a credential before a given name. */
const AMBIGUOUS_CREDENTIALS = words(`pt pa ot rt sw do rd ld sn crt`);

function credentialTitleRule(c: Ctx): void {
  const { tokens } = c;
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i];
    const n = tokens[i + 1];
    // "PT" before a word is the patient far more often than a physical therapist.
    if (
      !t ||
      !n ||
      !(t.flags & F.CREDENTIAL) ||
      AMBIGUOUS_CREDENTIALS.has(t.lower) ||
      (c.mixed && !t.cap) ||
      !SAME_PHRASE.test(n.gap) ||
      n.slash
    )
      continue;
    if (
      !(isGiven(n.base) || n.kind === Kind.Name) ||
      n.kind === Kind.Stop ||
      CLINICAL_WORDS.has(n.base) ||
      !caseOk(n, c.mixed)
    )
      continue;
    if (!c.mixed && !(c.lowerText && n.cap) && !isGiven(n.base) && nearWord(n.base)) continue;
    c.name[i + 1] = 1;
    markForward(c, i + 2, 1, false);
  }
}

// Credentials that are also common abbreviations ("PT", "OT", "DO") sign a note only at a line end or after a comma.
const LOOSE_CREDENTIALS = words(`rn rrt crt lpn licsw lcsw msw cna md crnp pharmd aprn fnp`);
const CREDENTIAL_END = /^[ \t]*(?:$|\n|[.,;)])/;

/** "Emily Parker, RN", "ROBERT V. DEGIORGIO, RRT": the words before a credential are a name. */
function signatureRule(c: Ctx): void {
  const { tokens, text } = c;
  for (let i = 1; i < tokens.length; i++) {
    const cred = tokens[i];
    if (!cred || !(cred.flags & F.CREDENTIAL) || !CREDENTIAL_GAP.test(cred.gap)) continue;
    if (c.mixed && !cred.cap) continue;
    const p1 = tokens[i - 1];
    const p2 = tokens[i - 2];
    // "J. Chang PA", "WARREN KAVALIUNAS NP": a full name before any credential signs.
    const fullName =
      !!p1 &&
      !!p2 &&
      SAME_PHRASE.test(cred.gap) &&
      (SAME_PHRASE.test(p1.gap) || INITIAL_GAP.test(p1.gap)) &&
      (isInitial(text, p2) || (isGiven(p2.base) && p2.kind !== Kind.Stop)) &&
      (p1.kind === Kind.Name || p1.kind === Kind.Unknown || p1.kind === Kind.Weak);
    if (
      !fullName &&
      !LOOSE_CREDENTIALS.has(cred.lower) &&
      !cred.gap.includes(',') &&
      !CREDENTIAL_END.test(text.slice(cred.end, cred.end + 3))
    )
      continue;
    // "Baltimore, MD" is a city and a state, not a signature.
    const before = tokens[i - 1];
    if (US_STATES.has(cred.lower) && before && isCity(before.base)) continue;
    let taken = 0;
    for (let j = i - 1; j >= 0 && taken < 4; j--) {
      const t = tokens[j];
      const after = tokens[j + 1];
      if (!t || !after || t.slash) break;
      if (j < i - 1 && !SAME_PHRASE.test(after.gap) && !(isInitial(text, t) && INITIAL_GAP.test(after.gap)))
        break;
      if (c.mixed && !t.cap) break;
      if (t.end - t.start === 1 && !isInitial(text, t)) break;
      let ok = isInitial(text, t) || t.kind === Kind.Name || t.kind === Kind.Weak || t.kind === Kind.Unknown;
      // "Q. LANDER RRT", "Bernard Foley CRT": an ordinary word is a surname after an initial or a given name.
      if (
        !ok &&
        (t.kind === Kind.Clinical || t.kind === Kind.Word) &&
        j === i - 1 &&
        LOOSE_CREDENTIALS.has(cred.lower)
      ) {
        const p = tokens[j - 1];
        ok = !!p && SAME_PHRASE.test(t.gap.replace('.', '')) && (isInitial(text, p) || isGiven(p.base));
      }
      if (!ok) break;
      c.name[j] = 1;
      taken++;
    }
    // A signature holds at least one word that reads as a name: "SKIN CARE RN" does not.
    let real = false;
    for (let j = i - taken; j < i; j++) {
      const t = tokens[j];
      if (t && (t.kind === Kind.Name || t.kind === Kind.Unknown || isInitial(text, t))) real = true;
    }
    // "Nancy Jones, RN": a given name and a surname sign too, even when both are also words.
    const firstOfChain = tokens[i - taken];
    if (taken >= 2 && firstOfChain && isGiven(firstOfChain.base)) real = true;
    if (!real) for (let j = i - taken; j < i; j++) c.name[j] = 0;
  }
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz';
const MAX_TYPO_LENGTH = 24;

/** True when one deletion, insertion, substitution or swap turns `w` into an ordinary or medical word. */
function nearWord(w: string): boolean {
  // The candidates grow with the square of the length: long words are never typos of short ones here.
  if (w.length > MAX_TYPO_LENGTH) return false;
  // Each candidate is looked up as an edit of `w` (no string is built for it).
  const table = wordIndex().table;
  const known = (at: number, skip: number, insert: string): boolean => {
    if (w.length - skip + insert.length < 2) return false;
    const e = table.getEdited(w, at, skip, insert);
    return e !== undefined && ((e >> FLAG_SHIFT) & F.KNOWN) !== 0;
  };
  const n = w.length;
  for (let i = 0; i < n; i++) {
    if (known(i, 1, '')) return true;
    // A swap of two equal letters gives the word itself.
    if (i + 1 < n && w[i] !== w[i + 1] && known(i, 2, (w[i + 1] ?? '') + (w[i] ?? ''))) return true;
  }
  for (let i = 0; i <= n; i++) {
    for (const ch of ALPHABET) {
      if (i < n && ch !== w[i] && known(i, 1, ch)) return true;
      if (known(i, 0, ch)) return true;
    }
  }
  return false;
}

/** A rare or unknown word one edit away from an ordinary one reads as a typo ("Cardic", "swolen"), not a name. */
function likelyTypo(c: Ctx, t: Token): boolean {
  if (t.kind !== Kind.Name && t.kind !== Kind.Unknown) return false;
  if (t.base.length < 3 || isGiven(t.base) || (c.lowerText && t.cap)) return false;
  // Notes repeat their words: remember the answer for this text only.
  let typo = c.typos.get(t.base);
  if (typo === undefined) {
    typo = nearWord(t.base);
    c.typos.set(t.base, typo);
  }
  return typo;
}

function dictionaryRule(c: Ctx): void {
  const { tokens, text } = c;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t || c.name[i] || t.kind !== Kind.Name || t.base.length < 3 || t.slash) continue;
    if (!caseOk(t, c.mixed) || isEponym(c, i) || isHyphenEponym(c, i)) continue;
    // In mixed-case text an all-caps word is an acronym ("RASS"), not a name.
    if (c.mixed && isAllCaps(c.text, t)) continue;
    if (MONTHS.has(t.base) || US_STATES.has(t.base)) continue;
    // In single-case notes a rare "name" one letter away from a word is mostly a typo ("STAS", "REMIAN").
    if (!c.mixed && likelyTypo(c, t)) continue;
    // "BSs", "TVs": a plural acronym.
    if (c.mixed && PLURAL_ACRONYM.test(t.raw)) continue;
    c.name[i] = 1;
    // A given name or initial before, more name words after.
    const prev = tokens[i - 1];
    if (
      prev &&
      !c.name[i - 1] &&
      (SAME_PHRASE.test(t.gap) || (isInitial(text, prev) && INITIAL_GAP.test(t.gap)))
    ) {
      if (
        isInitial(text, prev) ||
        ((prev.kind === Kind.Weak || prev.kind === Kind.Unknown) &&
          caseOk(prev, c.mixed) &&
          isGiven(prev.base))
      )
        c.name[i - 1] = 1;
    }
    const next = tokens[i + 1];
    if (
      next &&
      !c.name[i + 1] &&
      SAME_PHRASE.test(next.gap) &&
      (next.kind === Kind.Weak || next.kind === Kind.Unknown) &&
      c.mixed &&
      next.cap
    ) {
      c.name[i + 1] = 1;
    }
  }
}

// "SR TO ST", "NSR WITH ST": sinus tachycardia, not a saint.
const RHYTHM_BEFORE = words(`sr nsr sb sinus rhythm af afib hr paced junctional`);
// Words also used for the kind of place ("go to rehab", "needs a clinic"), not only its name.
const WEAK_FACILITY = words(`rehab rehabilitation clinic clinics center centre ctr hospice house institute`);
const RUN_QUALIFIERS = words(
  `right left bilateral upper lower cool warm current new old next same big small large high low full general regular normal clear good poor fair total more less room bed floor unit home baseline comfort pain care surgery medicine dialysis physical occupational speech social case nursing`,
);
const REGION_HEADS = words(
  `shore coast side end county parish township borough valley hills heights island peninsula panhandle`,
);
const COAST_HEADS = words(`shore coast side end valley hills heights island peninsula panhandle`);
const DIRECTIONS = words(
  `east eastern west western north northern south southern upper lower northeast northwest southeast southwest`,
);
const PLACE_LINKS = words(`in to from at near`);
const RESIDENCE_VERBS = words(`lives live living resides reside residing moved relocated`);
const MEDICAL_CENTER = /^[A-Z]{1,4}MC$/;
const HOSPITAL_ACRONYM = /^(?:[A-Za-z]{0,3}[Hh]|[A-Za-z]{1,3}[Mm][Cc])$/;
const WARD_AFTER =
  /^[ \t]?\d{1,2}(?!\d|[.,]\d|\s*%|\s*(?:mg|mcg|ml|cc|units?|x|hrs?|cm|mm|l|bags?|doses?|tabs?|times|days?|liters?)\b)/i;
const WARD_CUES = words(`to on from at or transfer plan tx trans transferred transfered admitted`);
const PLACE_PREPOSITIONS = new Set(['in', 'from', 'to', 'at', 'near', 'of', 'outside', 'into', '@']);
const PLACE_VERBS = words(
  `referred arrival come comes enroute adm sent transfer transferred transfered trans txd tx admitted sent discharged discharge dc going go goes brought taken moved returned return arrived came presented followed transport transported lives living resides home screened accepted admit dispo d/c`,
);
const FACILITY_QUALIFIERS = new Set([
  'outside',
  'local',
  'another',
  'other',
  'previous',
  'prior',
  'referring',
  'transferring',
  'receiving',
  'community',
  'nearby',
  'area',
  'same',
  'different',
  'short',
  'term',
  'long',
  'acute',
  'inpatient',
  'outpatient',
  'physical',
  'pulmonary',
  'cardiac',
  'psychiatric',
  'psych',
  'state',
  'county',
  'children',
  "children's",
  'teaching',
  'city',
  'veterans',
  'va',
  'rehab',
  'a',
  'the',
  'our',
  'this',
  'that',
  'his',
  'her',
  'their',
  'private',
  'general',
  'medical',
  'health',
  'nursing',
  'home',
]);

function cityAt(c: Ctx, i: number): number {
  const { tokens } = c;
  const { maxCityWords } = wordIndex();
  if (!((tokens[i]?.flags ?? 0) & F.CITY_FIRST)) return 0;
  let best = 0;
  let phrase = '';
  for (let n = 0; n < maxCityWords; n++) {
    const t = tokens[i + n];
    if (!t) break;
    if (n > 0 && !SAME_PHRASE.test(t.gap)) break;
    if (t.kind === Kind.Stop || (t.kind === Kind.Clinical && CLINICAL_WORDS.has(t.base))) break;
    phrase = n === 0 ? t.base : `${phrase} ${t.base}`;
    if (isCity(phrase) && tokens.slice(i, i + n + 1).every((x) => caseOk(x, c.mixed))) best = n + 1;
  }
  return best;
}

function markPlace(c: Ctx, from: number, to: number): void {
  for (let j = from; j < to; j++) {
    c.place[j] = 1;
    c.name[j] = 0;
  }
}

/** Capitalised words in a row from i (mixed-case text only): "Holy Cross", "Sacred Heart Memorial". */
function capitalisedRun(c: Ctx, i: number, max: number): number {
  let n = 0;
  while (n < max) {
    const t = c.tokens[i + n];
    if (!t || !t.cap || t.kind === Kind.Stop || t.slash) break;
    if (n > 0 && !SAME_PHRASE.test(t.gap)) break;
    if (t.kind === Kind.Clinical && CLINICAL_WORDS.has(t.base)) break;
    n++;
  }
  return n;
}

// Words that make the name after "at", "for", "by", "of", "from" an employer: an organisation that identifies.
const WORK_CUES = words(
  `work works worked working employed employee employees employer job jobs retired ceo cfo coo cto president vp director owner founder cofounder manager engineer executive partner`,
);
// Units a ward stands among in a list ("MICU/Quartermain/CCU").
const WARD_UNITS = words(
  `icu micu sicu ccu csru ctic nicu picu ticu cvicu tsicu nsicu msicu vicu ctu pacu ed er ew tele stepdown floor`,
);
const WORK_LINKS = words(`at for by of from`);
const ACRONYM = /^[A-Z]{2,6}$/;

function employerAfter(c: Ctx, i: number): void {
  const { tokens, text } = c;
  const link = tokens[i + 1];
  let j = i + 2;
  if (!link || !WORK_LINKS.has(link.lower) || !SPACE_GAP.test(link.gap)) return;
  const n = tokens[j];
  if (!n || !SPACE_GAP.test(n.gap) || n.slash || c.contextual[j] || c.place[j]) return;
  if (US_STATES.has(n.base) || MONTHS.has(n.base) || TITLES.has(n.lower) || CLINICAL_WORDS.has(n.base))
    return;
  // An acronym no dictionary calls a word: "IBM", "CBS" (in a capitalised note any word is upper case).
  const acronym =
    ACRONYM.test(n.raw) && n.raw.length <= 4 && (n.kind === Kind.Unknown || n.kind === Kind.Name);
  let run = 0;
  if (acronym) run = 1;
  else if (c.mixed && n.cap && !isAllCaps(text, n)) {
    // "Raytheon", "Bethlehem Steel": a capitalised run holding a word no dictionary calls ordinary ("Night
    // Shift", "Pulmonary Medicine" are no employers).
    const len = capitalisedRun(c, j, 3);
    const ws = tokens.slice(j, j + len);
    const first = ws[0];
    if (
      first &&
      !RUN_QUALIFIERS.has(first.base) &&
      first.kind !== Kind.Clinical &&
      ws.some((w) => w.kind === Kind.Name || w.kind === Kind.Unknown) &&
      !ws.every((w) => isGiven(w.base))
    )
      run = len;
  } else if (!c.mixed && (n.kind === Kind.Unknown || n.kind === Kind.Name) && n.end - n.start >= 3) {
    // A short unknown word after the cue is an acronym ("ceo of ibm"); a long one may be a typo.
    if (n.end - n.start <= 4 || !likelyTypo(c, n)) run = 1;
  }
  if (run > 0 && !isEponym(c, j + run - 1)) {
    markPlace(c, j, j + run);
    j += run;
  }
}

// "(", "to (": what may stand between a facility cue and a name in brackets.
const OPEN_BRACKET_GAP = /^[ \t]*\([ \t]*$/;

/**
 * "went to rehab (sacred heart Memorial)", "transferred to st ann Memorial": a name written in lower case before a
 * capitalised facility word that is not generic ("Memorial", "Manor", "Institute"). Only where a place is expected:
 * right after "to", "at", "from", or in brackets after a facility word or a move.
 */
function lowerCaseFacility(c: Ctx, i: number): void {
  const { tokens } = c;
  const t = tokens[i];
  if (!t || t.slash) return;
  let first = i;
  let named = false;
  for (let k = i - 1; k >= 0 && i - k <= 3; k--) {
    const p = tokens[k];
    const after = tokens[k + 1];
    if (!p || !after || !SPACE_GAP.test(after.gap.replace('.', ''))) break;
    if (p.cap || p.slash) break;
    const saint = p.base === 'st' || p.base === 'saint';
    if (!saint) {
      if (p.kind === Kind.Stop || p.end - p.start < 3 || !SPACE_GAP.test(after.gap)) break;
      if (CLINICAL_WORDS.has(p.base) || FACILITY_QUALIFIERS.has(p.base) || RUN_QUALIFIERS.has(p.base)) break;
      if (FACILITY_WORDS.has(p.base) || US_STATES.has(p.base) || MONTHS.has(p.base)) break;
    }
    if (saint || p.kind === Kind.Name || p.kind === Kind.Unknown) named = true;
    first = k;
  }
  // One ordinary word ("to cancer Institute") is a kind of place; two words or a name make a proper name.
  if (first === i || (i - first < 2 && !named)) return;
  const opener = tokens[first];
  const cue = tokens[first - 1];
  if (!opener || !cue) return;
  const afterPreposition =
    (cue.flags & F.PLACE_PREP) !== 0 && cue.lower !== 'of' && SPACE_GAP.test(opener.gap);
  const inBrackets =
    OPEN_BRACKET_GAP.test(opener.gap) &&
    ((cue.flags & F.FACILITY) !== 0 || (cue.flags & F.PLACE_PREP) !== 0 || PLACE_VERBS.has(cue.base));
  if (afterPreposition || inBrackets) markPlace(c, first, i + 1);
}

function placeRules(c: Ctx): void {
  const { tokens, text } = c;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t) continue;
    // Facility names: the capitalised or unknown words before "Hospital", "Rehab", "Medical Center".
    // "Sacred Heart memorial": a lower-case facility word still ends a capitalised name.
    if (t.flags & F.FACILITY && (caseOk(t, c.mixed) || tokens[i - 1]?.cap === true)) {
      let k = i - 1;
      let strong = false;
      let first = -1;
      while (k >= 0 && i - k <= 4) {
        const p = tokens[k];
        const after = tokens[k + 1];
        if (!p || !after || !FACILITY_GAP.test(after.gap)) break;
        const state = US_STATES.has(p.base) && (p.base.length > 2 || (c.mixed && isAllCaps(text, p)));
        if (
          FACILITY_QUALIFIERS.has(p.base) ||
          (p.kind === Kind.Stop && !state) ||
          p.slash ||
          p.end - p.start === 1
        )
          break;
        const named =
          p.base === 'st' ||
          p.base === 'saint' ||
          state ||
          (FACILITY_WORDS.has(p.base) && !FACILITY_GENERIC.has(p.base));
        if (c.mixed) {
          if (!p.cap || (CLINICAL_WORDS.has(p.base) && !named)) break;
        } else if ((p.kind === Kind.Clinical || p.kind === Kind.Word) && !named) {
          // "to sacred heart hospital": an ordinary word opens the name right after "to", "at", "from".
          const before = tokens[k - 1];
          const opens =
            !!before && (before.flags & F.PLACE_PREP) !== 0 && !CLINICAL_WORDS.has(p.base) && first >= 0;
          if (!opens) break;
          first = k;
          break;
        }
        // "Keeley House" but not "HOUSE STAFF": a house needs a real name before it.
        if (t.base === 'house' && p.kind !== Kind.Name && p.kind !== Kind.Unknown) break;
        strong = true;
        first = k;
        k--;
      }
      // "go to rehab", "need rehab": a generic word needs a name-like word before it ("Baltimore Rehab").
      let real = !WEAK_FACILITY.has(t.base) || (first >= 0 && i - first >= 2);
      for (let j = first; j >= 0 && j < i; j++) {
        const w = tokens[j];
        if (!w) continue;
        if (
          w.kind === Kind.Name ||
          (w.kind === Kind.Unknown && w.end - w.start >= 5) ||
          isCity(w.base) ||
          w.base === 'st' ||
          w.base === 'saint' ||
          US_STATES.has(w.base)
        )
          real = true;
        if (c.mixed && w.cap && w.kind !== Kind.Clinical) real = true;
      }
      if (first >= 0 && strong && real) markPlace(c, first, i + 1);
      else if (c.mixed && t.cap && !FACILITY_GENERIC.has(t.base)) lowerCaseFacility(c, i);
    }
    // "MICU/Quartermain/CCU teams": a ward named between units, glued to them by slashes.
    if (t.slash && (t.kind === Kind.Unknown || t.kind === Kind.Name) && t.end - t.start >= 5) {
      const p = tokens[i - 1];
      const n = tokens[i + 1];
      const unitBefore = !!p && t.gap === '/' && WARD_UNITS.has(p.base);
      const unitAfter = !!n && n.gap === '/' && WARD_UNITS.has(n.base);
      if ((unitBefore || unitAfter) && caseOk(t, c.mixed) && !likelyTypo(c, t)) markPlace(c, i, i + 1);
    }
    // "works at IBM", "CEO of Acme Tools", "retired from Bethlehem Steel": an employer after a work cue.
    if (t.flags & F.WORK && !t.slash) employerAfter(c, i);
    // "St. Mary", "Saint Agnes"
    if ((t.base === 'st' || t.base === 'saint') && caseOk(t, c.mixed) && !t.slash) {
      const n = tokens[i + 1];
      const p1 = tokens[i - 1]?.lower ?? '';
      const rhythm =
        RHYTHM_BEFORE.has(p1) || (LINK_WORD.test(p1) && RHYTHM_BEFORE.has(tokens[i - 2]?.lower ?? ''));
      const saintName =
        !!n && (isInitial(text, n) || ((n.kind === Kind.Name || isGiven(n.base)) && n.kind !== Kind.Stop));
      if (n && !rhythm && INITIAL_GAP.test(n.gap) && saintName && n.cap) {
        if (!NUMBER_BEFORE.test(text.slice(Math.max(0, t.start - 40), t.start))) markPlace(c, i, i + 2);
      }
    }
    // Cities and towns from the dictionaries.
    if (!c.place[i] && !c.contextual[i] && t.kind !== Kind.Stop && !t.slash) {
      const n = cityAt(c, i);
      if (n > 0) {
        const prev = tokens[i - 1];
        const state = tokens[i + n];
        const placeContext =
          (!!prev && PLACE_PREPOSITIONS.has(prev.lower)) ||
          (!!state &&
            US_STATES.has(state.base) &&
            COMMA_OR_SPACE_GAP.test(state.gap) &&
            (state.cap || !c.mixed));
        const single = n === 1 && (t.kind === Kind.Weak || t.kind === Kind.Word || t.kind === Kind.Clinical);
        const acronym = c.mixed && isAllCaps(text, t);
        const sentenceStart = SENTENCE_START.test(t.gap) || i === 0;
        const clinicalCity =
          t.kind === Kind.Clinical &&
          !CLINICAL_WORDS.has(t.base) &&
          c.mixed &&
          t.cap &&
          !acronym &&
          !sentenceStart;
        const typo = n === 1 && !c.mixed && !placeContext && likelyTypo(c, t);
        if (!isEponym(c, i + n - 1) && !acronym && !typo && (!single || placeContext || clinicalCity))
          markPlace(c, i, i + n);
      }
    }
    // "the Eastern Shore", "Baltimore County": regions below a state.
    if (t.flags & F.REGION && i > 0) {
      const p = tokens[i - 1];
      if (p && SPACE_OR_HYPHEN_GAP.test(t.gap) && caseOk(p, c.mixed) && caseOk(t, c.mixed) && !p.slash) {
        const directional = DIRECTIONS.has(p.base);
        const named =
          p.kind === Kind.Name ||
          p.kind === Kind.Unknown ||
          isCity(p.base) ||
          (c.mixed && p.cap && p.kind !== Kind.Stop && p.kind !== Kind.Clinical);
        if (
          (directional && COAST_HEADS.has(t.base)) ||
          (named && !directional && t.base !== 'shore' && t.base !== 'side' && t.base !== 'end')
        )
          markPlace(c, i - 1, i + 1);
      }
    }
    // "lives in DC", "moved from Hampton": where someone lives.
    if (t.flags & F.RESIDENCE) {
      const link = tokens[i + 1];
      const n = tokens[i + 2];
      if (
        link &&
        n &&
        PLACE_LINKS.has(link.lower) &&
        SPACE_GAP.test(n.gap) &&
        !n.slash &&
        !c.contextual[i + 2]
      ) {
        const dc = n.lower === 'dc' && isAllCaps(text, n); // Washington, DC
        const town =
          (flagsOf(n.base) & F.ANY_CITY) !== 0 && n.kind !== Kind.Stop && !CLINICAL_WORDS.has(n.base);
        const placeish =
          (town ||
            n.kind === Kind.Name ||
            n.kind === Kind.Unknown ||
            (n.kind === Kind.Weak && c.mixed && n.cap)) &&
          caseOk(n, c.mixed) &&
          !US_STATES.has(n.base);
        const more =
          tokens[i + 3] && SAME_PHRASE.test(tokens[i + 3]?.gap ?? '') ? capitalisedRun(c, i + 3, 2) : 0;
        if (dc || placeish) markPlace(c, i + 2, i + 3 + more);
      }
    }
    // "U Maryland", "University of Maryland": a university hospital named after its state or city.
    if ((t.base === 'u' || t.base === 'univ' || t.base === 'university') && caseOk(t, c.mixed) && !t.slash) {
      let j = i + 1;
      if (tokens[j]?.lower === 'of') j++;
      const n = tokens[j];
      if (n && INITIAL_GAP.test(n.gap) && n.cap && (US_STATES.has(n.base) || isCity(n.base)))
        markPlace(c, i, j + 1);
    }
    // "GBMC": an acronym ending in MC names a medical center wherever it stands.
    const short = t.raw.length <= 6;
    if (short && t.kind === Kind.Unknown && !t.slash && MEDICAL_CENTER.test(t.raw)) markPlace(c, i, i + 1);
    // "from kernan ew": a named hospital before its emergency ward.
    if (
      (t.kind === Kind.Unknown || t.kind === Kind.Name) &&
      t.end - t.start >= 4 &&
      !t.slash &&
      caseOk(t, c.mixed)
    ) {
      const n = tokens[i + 1];
      const p = tokens[i - 1];
      if (
        n &&
        p &&
        SAME_PHRASE.test(n.gap) &&
        EMERGENCY_WARD.test(n.lower) &&
        PLACE_PREPOSITIONS.has(p.lower)
      )
        markPlace(c, i, i + 1);
    }
    // "GH EW", "MGH ER": a hospital acronym before its emergency ward.
    if (
      short &&
      (t.kind === Kind.Unknown || t.kind === Kind.Name) &&
      !t.slash &&
      HOSPITAL_ACRONYM.test(t.raw)
    ) {
      const n = tokens[i + 1];
      if (n && SAME_PHRASE.test(n.gap) && HOSPITAL_UNIT.test(n.lower) && (isAllCaps(text, t) || !c.mixed))
        markPlace(c, i, i + 1);
    }
    // A ward: an unknown name and a number, after a move ("plan: Quartermain 2", "transfer quartermain2").
    if (
      (t.kind === Kind.Unknown || t.kind === Kind.Name) &&
      t.end - t.start >= 6 &&
      caseOk(t, c.mixed) &&
      !c.place[i] &&
      !c.contextual[i]
    ) {
      const prev = tokens[i - 1];
      const number = prev && WARD_CUES.has(prev.lower) ? WARD_AFTER.exec(text.slice(t.end, t.end + 8)) : null;
      if (prev && number && SPACE_OR_COLON_GAP.test(t.gap) && !likelyTypo(c, t)) {
        markPlace(c, i, i + 1);
        c.wardEnd.set(i, t.end + number[0].length);
      }
    }
    // "transferred to Quartermain 5", "followed at gh", "went to Holy Cross".
    if (t.flags & F.PLACE_PREP && t.lower !== 'of') {
      const verb = tokens[i - 1];
      let j = i + 1;
      if (tokens[j]?.lower === 'the') j++;
      const n = tokens[j];
      if (!n || !SPACE_GAP.test(n.gap) || c.place[j] || n.slash || c.contextual[j]) continue;
      const verbOk = !!verb && PLACE_VERBS.has(verb.base) && SPACE_GAP.test(t.gap);
      // "TRANSFERRED TO THE MCIU" is a typo for a unit, not a place: words one edit from a known word are skipped.
      const unknownPlace =
        verbOk &&
        (n.kind === Kind.Unknown || n.kind === Kind.Name) &&
        caseOk(n, c.mixed) &&
        n.end - n.start >= 3 &&
        !US_STATES.has(n.base) &&
        (n.end - n.start < 4 || !nearWord(n.base));
      // Hospital acronyms end in H or MC ("GH", "MGH", "UMMC"); a ward is a name and a number ("Quartermain 5").
      const word = n.raw;
      const upper = word === word.toUpperCase();
      const acronym =
        HOSPITAL_ACRONYM.test(word) &&
        (n.kind === Kind.Unknown ||
          n.kind === Kind.Name ||
          (verbOk && upper && n.kind === Kind.Clinical && !CLINICAL_WORDS.has(n.base))) &&
        !US_STATES.has(n.base) &&
        (verbOk || t.lower === 'at' || t.lower === 'from' || t.lower === '@' || (upper && c.mixed));
      const ward =
        (n.kind === Kind.Unknown || n.kind === Kind.Name) &&
        n.end - n.start >= 4 &&
        WARD_AFTER.test(text.slice(n.end, n.end + 12)) &&
        t.lower !== 'in';
      if (unknownPlace || acronym || ward) {
        markPlace(c, j, j + 1);
        continue;
      }
      if (
        c.mixed &&
        t.lower !== 'in' &&
        n.cap &&
        !c.name[j] &&
        !TITLES.has(n.lower) &&
        !MONTHS.has(n.base) &&
        !US_STATES.has(n.base)
      ) {
        const run = capitalisedRun(c, j, 4);
        const words = tokens.slice(j, j + run);
        const first = words[0];
        // "Sacred Heart" may hold a medical word after its first; "Right Groin", "Cool Neb" open with a qualifier.
        const placeLike =
          !!first &&
          !CLINICAL_WORDS.has(first.base) &&
          (first.kind !== Kind.Clinical || words.length >= 2) &&
          !RUN_QUALIFIERS.has(first.base) &&
          words.some(
            (w) =>
              w.kind === Kind.Name ||
              w.kind === Kind.Unknown ||
              w.kind === Kind.Weak ||
              (words.length >= 2 && w.kind === Kind.Word),
          ) &&
          !words.some(
            (w) =>
              isAllCaps(text, w) || w.base.length === 1 || (w.kind === Kind.Clinical && words.length < 2),
          );
        // "from Gitelman syndrome" is a disease; "to Sacred Heart Vital signs" a place before a new sentence.
        const eponym =
          isEponym(c, j + run - 1) &&
          words.some((w) => w.kind === Kind.Name || w.kind === Kind.Unknown || (w.flags & F.EPONYM) !== 0);
        if (run > 0 && placeLike && !eponym && !words.every((w) => isGiven(w.base))) markPlace(c, j, j + run);
      }
    }
  }
}

const WHITESPACE = /\s+/;
const FIVE_DIGITS = /\d{5}/;
const NON_WORD = /\W/g;
const STREET = new RegExp(
  String.raw`\b\d{1,6}(?:-\d{1,4})?[A-Za-z]?[ \t]+(?:[NSEW]\.?[ \t]+)?(?<words>(?:[A-Za-z][A-Za-z'.-]*[ \t]+){1,4})(?<suffix>${[...STREET_SUFFIXES].join('|')})\b\.?(?:,?[ \t]*(?:apt|apartment|unit|suite|ste|#)\.?[ \t]*#?[A-Za-z0-9-]+)?`,
  'gi',
);
const UNAMBIGUOUS_SUFFIX = words(
  `street avenue ave road rd boulevard blvd lane ln drive highway hwy parkway pkwy terrace turnpike tpke circle`,
);
const PO_BOX = /\bP\.?\s?O\.?\s+Box\s+\d+\b/gi;
// A ZIP code after a state ("MD 21201"): found from the five digits, then the word before them checked.
const ZIP_CODE = /\b\d{5}(?:-\d{4})?\b/g;
const STATE_BEFORE = /\b([A-Za-z]+)\.?,?[ \t]+$/;
const ZIP_WORD = /zip/i;
const ZIP_LABEL = /\bzip(?:\s*code)?\s*[:#]?\s*(?<v>\d{5}(?:-\d{4})?)\b/gi;

function streetRules(text: string, c: Ctx, out: Candidate[]): void {
  let suffixes = false;
  let box = false;
  for (const t of c.tokens) {
    if (t.flags & F.STREET_SUFFIX) suffixes = true;
    if (t.lower === 'box') box = true;
  }
  STREET.lastIndex = 0;
  for (let m = suffixes ? STREET.exec(text) : null; m; m = STREET.exec(text)) {
    const suffix = (m.groups?.suffix ?? '').toLowerCase();
    const words = (m.groups?.words ?? '').trim().split(WHITESPACE);
    const wordsOk = words.every(
      (w) =>
        !STOP_WORDS.has(w.toLowerCase().replace(NON_WORD, '')) &&
        !CLINICAL_WORDS.has(w.toLowerCase().replace(NON_WORD, '')),
    );
    if (!wordsOk) continue;
    if (!UNAMBIGUOUS_SUFFIX.has(suffix) && (!c.mixed || !words.every((w) => CAPITAL_START.test(w)))) continue;
    out.push({
      start: m.index,
      end: m.index + m[0].length,
      type: 'LOCATION',
      priority: PRIORITY.LOCATION + 5,
    });
  }
  const zip = FIVE_DIGITS.test(text);
  if (zip) {
    ZIP_CODE.lastIndex = 0;
    for (let m = ZIP_CODE.exec(text); m; m = ZIP_CODE.exec(text)) {
      const state = STATE_BEFORE.exec(text.slice(Math.max(0, m.index - 24), m.index))?.[1];
      if (!state || !US_STATES.has(state.toLowerCase()) || !hasZip(wordIndex().zips, m[0].slice(0, 5)))
        continue;
      out.push({
        start: m.index,
        end: m.index + m[0].length,
        type: 'LOCATION',
        priority: PRIORITY.LOCATION + 5,
      });
    }
  }
  for (const re of [box ? PO_BOX : undefined, zip && ZIP_WORD.test(text) ? ZIP_LABEL : undefined]) {
    if (!re) continue;
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const v = m.groups?.v ?? m[0];
      if (m.groups?.v && !hasZip(wordIndex().zips, v.slice(0, 5))) continue;
      const start = m.index + m[0].lastIndexOf(v);
      out.push({ start, end: start + v.length, type: 'LOCATION', priority: PRIORITY.LOCATION + 5 });
    }
  }
}

function emit(c: Ctx, marks: Uint8Array, type: 'NAME' | 'LOCATION', out: Candidate[]): void {
  const { tokens, text } = c;
  let i = 0;
  while (i < tokens.length) {
    if (!marks[i]) {
      i++;
      continue;
    }
    const first = tokens[i];
    let j = i;
    // Join neighbours separated by a space, a hyphen or an initial's dot.
    while (j + 1 < tokens.length && marks[j + 1] && JOIN_GAP.test(tokens[j + 1]?.gap ?? '')) j++;
    const last = tokens[j];
    if (first && last) {
      let end = type === 'LOCATION' ? (c.wardEnd.get(j) ?? last.end) : last.end;
      if (end - last.start === 1 && text[end] === '.') end++;
      out.push({ start: first.start, end, type, priority: PRIORITY[type] });
    }
    i = j + 1;
  }
}

/** The words of a text, each classed once against the dictionaries; shared by every detector. */
export function tokenizeText(text: string): Token[] {
  return tokenize(text);
}

export function detectNamesAndPlaces(text: string, tokens: Token[], out: Candidate[]): void {
  const share = capitalShare(tokens);
  const c: Ctx = {
    text,
    tokens,
    mixed: share > 0.02 && share < 0.5,
    lowerText: share <= 0.02,
    name: new Uint8Array(tokens.length),
    place: new Uint8Array(tokens.length),
    contextual: new Uint8Array(0),
    wardEnd: new Map(),
    typos: new Map(),
  };
  titleRule(c);
  relationRule(c);
  signatureRule(c);
  contextRule(c);
  fullNameRule(c);
  credentialTitleRule(c);
  extendNames(c);
  c.contextual = c.name.slice();
  dictionaryRule(c);
  extendNames(c);
  unknownPairRule(c);
  placeRules(c);
  for (let i = 0; i < tokens.length; i++) if (c.place[i]) c.name[i] = 0;
  emit(c, c.name, 'NAME', out);
  emit(c, c.place, 'LOCATION', out);
  streetRules(text, c, out);
}
