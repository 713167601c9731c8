import { loadDictionaries } from './dictionaries';
import { GATE_WORD_FLAG, GATE_WORDS } from './detectors/gates';
import {
  CLINICAL_WORDS,
  CREDENTIALS,
  EPONYM_HEADS,
  FACILITY_WORDS,
  MONTHS,
  NOT_NAMES,
  RELATION_WORDS,
  STOP_WORDS,
  STREET_SUFFIXES,
  TITLES,
  US_STATES,
  words,
} from './lexicon';
import { hashOf, WordTable, type PackedWordTable } from './wordtable';

// What the engine knows of a word, from the dictionaries: one packed table, one lookup per word.

/** How a word reads against the dictionaries (the low 3 bits of its entry). */
export const Kind = {
  /** A function word or a note verb. */
  Stop: 0,
  /** Medical vocabulary, eponyms, drugs, abbreviations. */
  Clinical: 1,
  /** A name and not an ordinary word. */
  Name: 2,
  /** A name that is also an ordinary word ("Bill", "White"). */
  Weak: 3,
  /** An ordinary word. */
  Word: 4,
  /** In no dictionary (a rare surname, a typo). */
  Unknown: 5,
} as const;

/** Which word lists hold a word (the entry's bits above the kind). */
export const F = {
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
  /** An ordinary or a lower-case medical word. */
  KNOWN: 1024,
  /** A town name that is not also a word (one word, or several joined by a space). */
  CITY: 2048,
  /** Any town name. */
  ANY_CITY: 4096,
  /** A disease, sign or device named after a person ("Gitelman", "Kussmaul"). */
  EPONYM: 8192,
  /** A word after which an employer is named ("works at", "CEO of"). */
  WORK: 16384,
  /** A label word of a pattern gate (gates.ts). */
  GATE: GATE_WORD_FLAG,
  /** A US state or its postal code. */
  STATE: 1 << 16,
  /** A country's name in English (one word). */
  COUNTRY: 1 << 17,
  /** A month or a weekday. */
  CALENDAR: 1 << 18,
  /** A word that heads a disease or sign named after a person ("syndrome", "sign"). */
  EPONYM_HEAD: 1 << 19,
  /** Not in the index: set by the tokenizer on an unknown word one edit from a known one ("moniotr"). */
  TYPO: 1 << 20,
} as const;

export const KIND_MASK = 7;
export const FLAG_SHIFT = 3;
/** Kind bits of an entry that only carries list flags (a town's first word, a multi-word town). */
const NO_KIND = 7;

const WEEKDAYS = words(
  `monday mon tuesday tue tues wednesday wed thursday thu thur thurs friday fri saturday sat sunday sun`,
);
const REGION_HEADS = words(
  `shore coast side end county parish township borough valley hills heights island peninsula panhandle`,
);
const RESIDENCE_VERBS = words(
  `lives live living resides reside residing moved relocated grew born originally native hometown flew travelled traveled trip vacation visiting staying stays raised`,
);
const PLACE_PREPOSITIONS = words(`in from to at near of outside into`);
const WORK_CUES = words(
  `work works worked working employed employee employees employer job jobs retired ceo cfo coo cto president vp director owner founder cofounder manager engineer executive partner`,
);

interface WordIndex {
  table: WordTable;
  /** Valid ZIP codes, one bit each. */
  zips: Uint8Array;
  /** Every known word with one letter deleted, as a Bloom filter: the typo test's other half. */
  deletions: Uint32Array;
}

// The Bloom filter of deletions: 2^25 bits (4 MB) and four probes hold the ~2.5 million deletions of the known
// words with under 0.5% false positives.
const BLOOM_BITS = 25;
const BLOOM_MASK = (1 << BLOOM_BITS) - 1;

/** FNV-1a and a second hash of `w` without the letter at `skip` (-1: the whole word). */
function hashPair(w: string, skip: number): [number, number] {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let k = 0; k < w.length; k++) {
    if (k === skip) continue;
    const c = w.charCodeAt(k);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return [h1 >>> 0, (h2 >>> 0) | 1];
}

function bloomAdd(bits: Uint32Array, w: string, skip: number): void {
  const [h1, h2] = hashPair(w, skip);
  for (let i = 0; i < 4; i++) {
    const b = (h1 + Math.imul(i, h2)) & BLOOM_MASK;
    bits[b >>> 5] = (bits[b >>> 5] ?? 0) | (1 << (b & 31));
  }
}

function bloomHas(bits: Uint32Array, w: string, skip: number): boolean {
  const [h1, h2] = hashPair(w, skip);
  for (let i = 0; i < 4; i++) {
    const b = (h1 + Math.imul(i, h2)) & BLOOM_MASK;
    if (((bits[b >>> 5] ?? 0) & (1 << (b & 31))) === 0) return false;
  }
  return true;
}

let index: WordIndex | undefined;

/** One-word country names in English, from the runtime's ICU data (ISO 3166 region codes). */
function countryWords(): string[] {
  const names = new Intl.DisplayNames(['en'], { type: 'region' });
  const out: string[] = [];
  for (let a = 65; a <= 90; a++)
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      let n: string | undefined;
      try {
        n = names.of(code);
      } catch {
        n = undefined;
      }
      if (n && n !== code && !n.includes(' ')) out.push(n.toLowerCase());
    }
  return out;
}

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
  for (const w of d.names) {
    // A given name the medical list happens to hold in lower case ("keeley") is still a name.
    const common = d.medicalCommon.has(w) && !(d.givenNames.has(w) && w.length > 3);
    m.set(w, d.english.has(w) || common ? Kind.Weak : Kind.Name);
  }
  for (const w of CLINICAL_WORDS) m.set(w, Kind.Clinical);
  for (const list of [STOP_WORDS, WEEKDAYS, RELATION_WORDS, NOT_NAMES])
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
  flag(US_STATES, F.STATE);
  flag(countryWords(), F.COUNTRY);
  flag([...MONTHS.keys(), ...WEEKDAYS], F.CALENDAR);
  flag(EPONYM_HEADS, F.EPONYM_HEAD);
  const deletions = new Uint32Array(1 << (BLOOM_BITS - 5));
  for (const list of [d.english, d.medicalCommon])
    for (const w of list)
      if (w.length >= 4 && w.length <= 24) for (let k = 0; k < w.length; k++) bloomAdd(deletions, w, k);
  index = { table: new WordTable(m), zips: d.zips, deletions };
  return index;
}

/** The built word index as plain data, so that a worker thread can use it without loading the word lists. */
export interface PackedWordIndex {
  table: PackedWordTable;
  zips: Uint8Array;
  deletions: Uint32Array;
}

export function exportWordIndex(): PackedWordIndex {
  const i = wordIndex();
  return { table: i.table.pack(), zips: i.zips, deletions: i.deletions };
}

/** Installs an index built elsewhere (see exportWordIndex); the word lists are then never loaded here. */
export function importWordIndex(p: PackedWordIndex): void {
  index = { table: new WordTable(p.table), zips: p.zips, deletions: p.deletions };
  hotWords.fill(undefined);
}

// The words every text repeats ("the", "with", "mg", "daily"), kept at hand: the table is megabytes, and each of its
// lookups reads three places of it that a request's other work has pushed out of the processor's caches. Only
// entries that can name no one and nowhere are kept (an ordinary, clinical or function word, in no list of names,
// towns or eponyms), so that what stays in memory between requests is dictionary words, never a patient's.
const HOT_BITS = 12;
const HOT_MASK = (1 << HOT_BITS) - 1;
const hotWords: (string | undefined)[] = new Array<string | undefined>(1 << HOT_BITS);
const hotEntries = new Uint32Array(1 << HOT_BITS);
const NAMING = (F.GIVEN | F.CITY_FIRST | F.CITY | F.ANY_CITY | F.EPONYM) << FLAG_SHIFT;
let lastHash = 0;

/** Whether an entry may be kept at hand: its word is a dictionary word that names no one and nowhere. */
function harmless(entry: number): boolean {
  const kind = entry & KIND_MASK;
  return (kind === Kind.Stop || kind === Kind.Clinical || kind === Kind.Word) && (entry & NAMING) === 0;
}

/** A word's entry (kind in the low 3 bits, list flags above), looked up on its lower-case form. */
export function wordEntry(lower: string): number | undefined {
  const table = (index ?? wordIndex()).table;
  const h = hashOf(lower, 0, lower.length);
  lastHash = h;
  const slot = h & HOT_MASK;
  if (hotWords[slot] === lower) return hotEntries[slot];
  const entry = table.getHashed(lower, h);
  if (entry !== undefined && harmless(entry)) {
    hotWords[slot] = lower;
    hotEntries[slot] = entry;
  }
  return entry;
}

/** FNV-1a of the word `wordEntry` looked up last (it hashes the word anyway). */
export function lastWordHash(): number {
  return lastHash;
}

/** Whether a five-digit string is a valid US ZIP code. */
export function isZip(code: string): boolean {
  if (code.length !== 5) return false;
  const n = Number(code);
  if (!Number.isInteger(n) || n < 0) return false;
  return ((wordIndex().zips[n >> 3] ?? 0) & (1 << (n & 7))) !== 0;
}

// O'Brien, D'Angelo: the prefix makes a surname whatever the lists say.
const SURNAME_PREFIX = /^(?:o|d)['’][a-z]{3,}$/;
// Endings of diseases and procedures ("-itis", "-ectomy") and USAN drug stems ("-mycin", "-pril", "-mab").
const MEDICAL_ENDING =
  /(?:itis|osis|emia|aemia|ectomy|otomy|ostomy|plasty|scopy|graphy|pathy|algia|penia|megaly|uria|plegia|trophy|oma|omas|mycin|cillin|cycline|oxacin|conazole|azole|pril|sartan|olol|dipine|statin|parin|xaban|gatran|tidine|prazole|setron|triptan|tinib|mab|vir|afil|azepam|azolam|barbital|caine|curonium|profen|olone|asone|gliptin|gliflozin|glutide|lukast|terol|tropium|dronate|peridol|azine|triptyline|oxetine|faxine|pine|vudine)$/;

/** The kind of a word from its index entry, with the shapes no list holds. */
export function kindOf(entry: number | undefined, base: string): number {
  const bits = entry === undefined ? NO_KIND : entry & KIND_MASK;
  const kind = bits === NO_KIND ? undefined : bits;
  // Most words hold no apostrophe: the two tests below are for those that do.
  const quoted = base.includes("'") || base.includes('’');
  if (
    quoted &&
    (kind === undefined || kind === Kind.Clinical) &&
    SURNAME_PREFIX.test(base) &&
    base !== "o'clock"
  )
    return Kind.Name;
  // "con't", "rec'd", "he'll": contractions, never names.
  if (quoted && kind === undefined) return Kind.Stop;
  // A word no list holds with the ending of a disease, a procedure or a drug stem is clinical, not a rare name.
  if (kind === undefined && base.length >= 7 && MEDICAL_ENDING.test(base)) return Kind.Clinical;
  return kind ?? Kind.Unknown;
}

/**
 * True when `w` (lower case) is about one edit from an ordinary or medical word ("moniotr", "acheived"): a letter
 * too many (a deletion of `w` is known), a letter missing (`w` is a known word's deletion), or one changed or two
 * swapped (a deletion of `w` is a known word's deletion). The last test also admits a few words two edits away.
 */
export function nearKnownWord(w: string): boolean {
  if (w.length > 24 || w.length < 3) return false;
  const { table, deletions } = index ?? wordIndex();
  if (bloomHas(deletions, w, -1)) return true;
  for (let i = 0; i < w.length; i++) {
    if (w.length > 3) {
      const e = table.getEdited(w, i, 1, '');
      if (e !== undefined && ((e >>> FLAG_SHIFT) & F.KNOWN) !== 0) return true;
    }
    if (bloomHas(deletions, w, i)) return true;
  }
  return false;
}
