import { CLINICAL_WORDS, STOP_WORDS, STREET_SUFFIXES, US_STATES, words } from '../lexicon';
import { PRIORITY, type Candidate } from '../types';
import { isZip } from '../wordindex';

// Street addresses, post boxes and ZIP codes by their written shape: a number and a street type, a
// street type of another language and a number, a state and five digits. The tagger finds the rest.

const UNIT = String.raw`(?:,?[ \t]*(?:[Aa]pt|APT|[Aa]partment|[Uu]nit|UNIT|[Ss]uite|SUITE|[Ss]te|STE|[Ff]lat|#)\.?[ \t]*#?[A-Za-z0-9-]+)?`;
const STREET_US = new RegExp(
  String.raw`\b\d{1,6}(?:-\d{1,4})?[A-Za-z]?[ \t]+(?:[NSEW]\.?[ \t]+)?(?<words>(?:[A-Za-z][A-Za-z'.-]*[ \t]+){1,4})(?<suffix>${[...STREET_SUFFIXES].join('|')})\b\.?${UNIT}`,
  'gi',
);
// Street types written before the name, and ones glued to its end, in European languages.
const STREET_PREFIX_FOREIGN = String.raw`(?:rue|avenue|boulevard|chemin|allée|impasse|viale|piazza|piazzale|corso|largo|vicolo|calle|avenida|paseo|plaza|carrer|rua|travessa|praça|alameda|ul\.|ulica|aleja|al\.|utca|ulice|náměstí|strada|bulevardul|calea|sokak|caddesi)`;
const STREET_SUFFIX_FOREIGN = String.raw`(?:stra(?:ss|ß)e|str\.|gasse|weg|allee|platz|damm|ufer|vej|vei|veien|vegen|gata|gatan|vägen|väg|gränd|katu|tie|kuja|polku|kaari|laan|straat|plein|gracht|kade|steeg|dreef|singel|utca|út|tér)`;
// The street's name after the type opens with a capital ("Rue de la Gare 12", "ul. Narewska 94").
const STREET_FOREIGN_PREFIXED = new RegExp(
  String.raw`(?<![\p{L}])${STREET_PREFIX_FOREIGN}[ \t]+(?=\p{Lu})(?:[\p{L}'-]+\.?[ \t]+){0,4}\d{1,5}[a-zA-Z]?\b${UNIT}`,
  'giu',
);
// Case matters here: the words before a glued street type are capitalised names ("Villacher Strasse 89"). Like the
// next one, it starts only where a word starts: from inside a hyphenated run ("Ab-Ab-…") every start re-read the run.
const STREET_FOREIGN_SUFFIXED = new RegExp(
  String.raw`(?<![\p{L}'’-])(?:\p{Lu}[\p{L}'-]*[ \t]+){0,2}\p{Lu}[\p{L}-]+${STREET_SUFFIX_FOREIGN}[ \t]+\d{1,5}[a-zA-Z]?\b${UNIT}`,
  'gu',
);
// A street type written as a word of its own after the name ("Király u. 15.", "Eleftheriou Venizelou str 159").
const STREET_SEPARATE_SUFFIX = new RegExp(
  String.raw`(?<![\p{L}'’-])(?:\p{Lu}[\p{L}'-]*[ \t]+){1,3}(?:u\.|utca|út|tér|str\.?|stra(?:ss|ß)e|gasse|weg|vej|vei|gata|gatan|katu|tie|laan|straat|plein)[ \t]+\d{1,5}[a-zA-Z]?\b\.?${UNIT}`,
  'gu',
);
// "the corner of Main St and 5th Ave": two streets that meet, up to the end of the sentence.
const CORNER =
  /\b(?:the[ \t]+)?corner[ \t]+of[ \t]+(?=[\p{Lu}\d]|[\p{Ll}]+[ \t]+\d)[^\n.?!;,]{2,60}?[ \t]+and[ \t]+[^\n?!;,]{2,40}?(?=[.?!;,]?[ \t]*(?:$|\n)|[.?!;,][ \t])/gmu;
const UNAMBIGUOUS_SUFFIX = words(
  `street avenue ave road rd boulevard blvd lane ln drive highway hwy parkway pkwy terrace turnpike tpke circle`,
);
const PO_BOX = /\bP\.?[ \t]?O\.?[ \t]+Box[ \t]+\d+\b/gi;
// US military post: "PSC 3294, Box 9168", "Unit 1293 Box 4311", "APO AA 61487".
const MILITARY_BOX = /\b(?:PSC|CMR|Unit)[ \t]+\d{3,5},?[ \t]+Box[ \t]+\d{2,5}\b/g;
const MILITARY_POST = /\b[AFD]PO[ \t]+A[AEP][ \t]+\d{5}\b/g;
// An apartment or suite with its number stands for an address wherever it is written.
const SECONDARY = /\b(?:apt|apartment|suite|ste|flat)\.?[ \t]*#?[ \t]*\d+[A-Za-z]?\b/gi;
// A ZIP code after a state ("MD 21201"): found from the five digits, then the word before them checked.
const ZIP_CODE = /\b\d{5}(?:-\d{4})?\b/g;
const STATE_BEFORE = /\b([A-Za-z]+)\.?,?[ \t]+$/;
// Postal codes after their label, in the shapes countries write them (US, Brazil and Japan with a dash, Canada, UK,
// the Netherlands, others).
const ZIP_LABEL =
  /\b(?:[Zz][Ii][Pp](?:[ \t]*(?:[Cc]ode|CODE))?|(?:[Pp]ost(?:al)?|POST(?:AL)?)[ \t]*(?:[Cc]ode|CODE))[ \t]*(?:is[ \t]*)?[:#]?[ \t]*(?<v>\d{5}-\d{3,4}|\d{3}-\d{4}|[A-Z]\d[A-Z][ -]?\d[A-Z]\d|[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[A-Z]{2}|\d{4}[ ]?[A-Z]{2}|\d{2,3}[ -]\d{2,3}|\d{3,6})\b/g;
const WHITESPACE = /\s+/;
const NON_WORD = /\W/g;
const CAPITAL_START = /^[A-Z]/;
const FIVE_DIGITS = /\d{5}/;
const DIGIT = /\d/;
const CORNER_WORD = /corner/i;

/** A street name never holds a function word or a clinical abbreviation ("12 units of the drip"). */
function ordinaryWord(w: string): boolean {
  const plain = w.toLowerCase().replace(NON_WORD, '');
  return STOP_WORDS.has(plain) || CLINICAL_WORDS.has(plain);
}

function push(out: Candidate[], start: number, end: number): void {
  out.push({ start, end, type: 'LOCATION', priority: PRIORITY.LOCATION + 5 });
}

function scan(text: string, re: RegExp, out: Candidate[]): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const v = m.groups?.v ?? m[0];
    const start = m.index + m[0].lastIndexOf(v);
    push(out, start, start + v.length);
  }
}

/** `mixed`: the text uses capitals as ordinary prose does, so a capital means something. */
/** The words of a text, as the tagger's tokenizer gives them: enough to tell which patterns can match at all. */
export interface AddressWords {
  lower: string;
  alnum: boolean;
  casing: number;
  /** Word-list bits: only STREET_SUFFIX (512) is read here. */
  flags: number;
  kind: number;
}

const STREET_SUFFIX_BIT = 512;
const GLUED_SUFFIX = new RegExp(`${STREET_SUFFIX_FOREIGN}$`, 'u');
const NUMBER_KIND = 6;
// Words that make one of the patterns worth running, by the pattern they open: one lookup per word.
const SECONDARY_WORD = 1;
const BOX_WORD = 2;
const ZIP_WORD = 4;
const SEPARATE_SUFFIX_WORD = 8;
const PREFIX_WORD = 16;
const OPENING_WORDS = new Map<string, number>();
for (const [bit, list] of [
  [SECONDARY_WORD, `apt apartment suite ste flat`],
  [BOX_WORD, `box psc cmr apo fpo dpo`],
  [ZIP_WORD, `zip postal post postcode`],
  [
    SEPARATE_SUFFIX_WORD,
    `u utca út tér str straße strasse gasse weg vej vei gata gatan katu tie laan straat plein`,
  ],
  [
    PREFIX_WORD,
    `rue avenue boulevard chemin allée impasse viale piazza piazzale corso largo vicolo calle avenida paseo plaza carrer rua travessa praça alameda ul ulica aleja al utca ulice náměstí strada bulevardul calea sokak caddesi`,
  ],
] as const)
  for (const w of words(list)) OPENING_WORDS.set(w, (OPENING_WORDS.get(w) ?? 0) | bit);

/** `mixed`: the text uses capitals as ordinary prose does, so a capital means something. */
export function detectAddresses(
  text: string,
  mixed: boolean,
  toks: readonly AddressWords[],
  out: Candidate[],
): void {
  if (!DIGIT.test(text)) return;
  // One pass over the words decides which of the patterns can match: most prompts hold no address at all.
  let suffix = false;
  let opening = 0;
  let glued = false;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (!t?.alnum) continue;
    if (t.flags & STREET_SUFFIX_BIT) suffix = true;
    const w = t.lower;
    opening |= OPENING_WORDS.get(w) ?? 0;
    // A capitalised word before a number may end in a street type of its own ("Ziegelgasse 19").
    if (
      !glued &&
      t.casing !== 0 &&
      t.casing !== 3 &&
      toks[i + 1]?.kind === NUMBER_KIND &&
      GLUED_SUFFIX.test(w)
    )
      glued = true;
  }
  const secondary = (opening & SECONDARY_WORD) !== 0;
  const box = (opening & BOX_WORD) !== 0;
  const zip = (opening & ZIP_WORD) !== 0;
  const separate = (opening & SEPARATE_SUFFIX_WORD) !== 0;
  const prefixed = (opening & PREFIX_WORD) !== 0;
  if (suffix) scanStreetsUs(text, mixed, out);
  if (separate) scan(text, STREET_SEPARATE_SUFFIX, out);
  if (CORNER_WORD.test(text)) scan(text, CORNER, out);
  if (prefixed) scan(text, STREET_FOREIGN_PREFIXED, out);
  if (glued) scan(text, STREET_FOREIGN_SUFFIXED, out);
  if (box) {
    scan(text, PO_BOX, out);
    scan(text, MILITARY_BOX, out);
    scan(text, MILITARY_POST, out);
  }
  if (secondary) scan(text, SECONDARY, out);
  if (FIVE_DIGITS.test(text)) {
    ZIP_CODE.lastIndex = 0;
    for (let m = ZIP_CODE.exec(text); m; m = ZIP_CODE.exec(text)) {
      const state = STATE_BEFORE.exec(text.slice(Math.max(0, m.index - 24), m.index))?.[1];
      if (!state || !US_STATES.has(state.toLowerCase()) || !isZip(m[0].slice(0, 5))) continue;
      push(out, m.index, m.index + m[0].length);
    }
  }
  if (zip) scan(text, ZIP_LABEL, out);
}

function scanStreetsUs(text: string, mixed: boolean, out: Candidate[]): void {
  STREET_US.lastIndex = 0;
  for (let m = STREET_US.exec(text); m; m = STREET_US.exec(text)) {
    const suffix = (m.groups?.suffix ?? '').toLowerCase();
    const ws = (m.groups?.words ?? '').trim().split(WHITESPACE);
    if (ws.some(ordinaryWord)) continue;
    if (!UNAMBIGUOUS_SUFFIX.has(suffix) && (!mixed || !ws.every((w) => CAPITAL_START.test(w)))) continue;
    push(out, m.index, m.index + m[0].length);
  }
}
