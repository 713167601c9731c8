import { detectAddresses } from './detectors/addresses';
import { detectDates } from './detectors/dates';
import { wordGates } from './detectors/gates';
import { detectPatterns } from './detectors/patterns';
import { detectHl7, detectTables, withinCells, type TableSpan } from './detectors/records';
import { documentCase, K_ALNUM, tokenizeForTagger, type MTok } from './model/features';
import { applyCues } from './model/cues';
import { shippedWeights } from './model/shipped';
import { labelledSpans, tagTokens, type Weights } from './model/tagger';
import { firstEndingAfter } from './sorted';
import { PRIORITY, type Candidate, type PhiEntity } from './types';
import { F, Kind, kindOf, wordEntry } from './wordindex';

/** Overlapping findings become one entity typed by the most specific finding. */
function merge(candidates: Candidate[]): PhiEntity[] {
  candidates.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: PhiEntity[] = [];
  let cur: Candidate | undefined;
  for (const c of candidates) {
    if (cur && c.start < cur.end) {
      if (c.end > cur.end) cur.end = c.end;
      if (c.priority > cur.priority) {
        cur.type = c.type;
        cur.priority = c.priority;
      }
      continue;
    }
    if (cur) out.push({ start: cur.start, end: cur.end, type: cur.type });
    cur = { start: c.start, end: c.end, type: c.type, priority: c.priority };
  }
  if (cur) out.push({ start: cur.start, end: cur.end, type: cur.type });
  return out;
}

const ADDRESS_GAP = /^[\s,.;:#-]{0,6}$/;

/**
 * What the tagger's labels imply beyond each word: a name stays a name wherever the text repeats it, and an
 * initial beside a name belongs to it ("R. Hale", "Dana K.").
 */
function extendLabels(
  text: string,
  toks: readonly MTok[],
  labels: Uint8Array,
  docCase: number,
  cued: Uint8Array,
): void {
  if (!labels.includes(1) && !labels.includes(2)) return;
  // "Nil fevers" after "nil radiating": where capitals mean something, a word the text also writes in lower case is
  // an ordinary word opening its line or sentence, not a name (unless a cue said otherwise).
  if (docCase === 0) {
    let lowered: Set<string> | undefined;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (
        !t ||
        !labels[i] ||
        cued[i] ||
        !t.first ||
        t.casing !== 1 ||
        (t.kind !== Kind.Weak && t.kind !== Kind.Word)
      )
        continue;
      lowered ??= new Set(toks.filter((x) => x.alnum && x.casing === 0).map((x) => x.lower));
      // A given name joined to the name after it stays one ("Patient: Maria Gonzalez", though "maria" is a word).
      const next = toks[i + 1];
      if (t.flags & F.GIVEN && next?.alnum && !next.nl && labels[i + 1] === 1) continue;
      if (lowered.has(t.lower)) labels[i] = 0;
    }
  }
  // A title is never part of the name it announces ("Dr", "Mrs").
  for (let i = 0; i < toks.length; i++) if (labels[i] === 1 && (toks[i]?.flags ?? 0) & F.TITLE) labels[i] = 0;
  // Words labelled somewhere, by their lower-case form: ordinary words ("Heart" of a hospital's name) excluded.
  const named = new Map<string, number>();
  // Of those, the ones labelled where a sentence does not open, or after a title ("Ms. Lindqvist"): stronger
  // evidence.
  const midSentence = new Set<string>();
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    const label = labels[i] ?? 0;
    if (!t || label === 0 || t.end - t.start < 2 || t.kind > Kind.Unknown) continue;
    if (t.flags & F.TYPO || (docCase === 0 && t.casing === 0)) continue;
    if (t.kind === Kind.Name || t.kind === Kind.Unknown || (label === 1 && t.kind === Kind.Weak)) {
      named.set(t.lower, label);
      if (!t.first || (toks[i - 2]?.flags ?? 0) & F.TITLE || (toks[i - 1]?.flags ?? 0) & F.TITLE)
        midSentence.add(t.lower);
    }
  }
  for (let i = 0; named.size > 0 && i < toks.length; i++) {
    const t = toks[i];
    if (!t || labels[i] || !t.alnum) continue;
    const label = named.get(t.lower);
    // In mixed-case text a lower-case "bill" is not the Bill named elsewhere, but a lower-case "gonzalez" is the
    // Gonzalez named elsewhere: a name no ordinary word spells, or a word no list holds that was named mid-sentence.
    if (
      label !== undefined &&
      (docCase !== 0 ||
        t.casing !== 0 ||
        t.kind === Kind.Name ||
        (t.kind === Kind.Unknown && midSentence.has(t.lower)))
    )
      labels[i] = label;
  }
  // A given name right before a name, written alike, belongs to it ("Pt: Maria Gonzalez" where the text also writes
  // "maria", "maria gonzalez" where Gonzalez is named), from right to left ("Mary Ann Gonzalez").
  for (let i = toks.length - 1; i > 0; i--) {
    const t = toks[i];
    const p = toks[i - 1];
    if (!t || !p?.alnum || labels[i] !== 1 || labels[i - 1] || t.nl || p.end !== t.start - 1) continue;
    if (!(p.flags & F.GIVEN) || p.flags & NOT_NAME_FLAGS || (p.kind !== Kind.Name && p.kind !== Kind.Weak))
      continue;
    if (p.casing === t.casing || (p.casing === 1 && t.casing === 2)) labels[i - 1] = 1;
  }
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    // A capital letter alone (the tokenizer's casing: capitalised, which a lone letter is only as a capital).
    if (!t || labels[i] || t.end - t.start !== 1 || t.casing !== 1) continue;
    const dot = toks[i + 1];
    const after = dot && text[dot.start] === '.' ? toks[i + 2] : undefined;
    const before = toks[i - 1];
    if (
      (after && labels[i + 2] === 1 && !after.nl) ||
      (before && labels[i - 1] === 1 && !t.nl && before.end === t.start - 1)
    )
      labels[i] = 1;
  }
}

/** [start, end) without white space or punctuation at either edge; undefined when nothing else is left. */
function trimSpan(text: string, start: number, end: number): [number, number] | undefined {
  while (start < end && EDGE.test(text[start]!)) start++;
  while (end > start && EDGE.test(text[end - 1]!)) end--;
  return end > start ? [start, end] : undefined;
}
const EDGE = /[\s,;|"]/;

/** Index of the first token ending after `pos` (tokens are sorted and disjoint): spans are judged from there, so
 * that judging every span costs its own length, not the text's (a text of 20,000 short spans stays linear). */
function tokenAt(toks: readonly MTok[], pos: number): number {
  return firstEndingAfter(toks, pos);
}

/** Whether a cue (a title, a relation, a facility's head word) labelled some word of the span. */
function cuedWithin(toks: readonly MTok[], cued: Uint8Array, start: number, end: number): boolean {
  for (let i = tokenAt(toks, start); i < toks.length; i++) {
    const t = toks[i];
    if (!t) continue;
    if (t.start >= end) break;
    if (cued[i]) return true;
  }
  return false;
}

/**
 * A run the tagger labelled holds something that can name a person or a place: a name, a word no dictionary
 * knows, a town, a facility, or (where capitals mean something) a capitalised word. "via foley 50" does not.
 */
function substantive(
  text: string,
  toks: readonly MTok[],
  start: number,
  end: number,
  label: number,
  docCase: number,
): boolean {
  let some = false;
  let initialsOnly = true;
  let regionOnly = true;
  let firstAt = -1;
  for (let i = tokenAt(toks, start); i < toks.length; i++) {
    const t = toks[i]!;
    if (t.start >= end) break;
    if (!t.alnum) continue;
    if (firstAt < 0) firstAt = i;
    if (t.end - t.start > 1) initialsOnly = false;
    if (!(t.flags & (F.STATE | F.COUNTRY))) regionOnly = false;
    // A facility's head word ("Institute", "Hospital") or a street type is the kind of place, not its name.
    if (t.flags & (F.FACILITY | F.STREET_SUFFIX) && !(t.kind === Kind.Name || t.kind === Kind.Unknown))
      continue;
    // Where capitals mean something, a word also in the dictionary written in lower case is that word ("heart").
    if (
      docCase === 0 &&
      t.casing === 0 &&
      t.kind !== Kind.Name &&
      t.kind !== Kind.Unknown &&
      t.kind <= Kind.Unknown
    )
      continue;
    // A quantity with its unit ("80MG", "50cc", "10u") names no one and nowhere.
    if (t.kind === K_ALNUM && MEASURE.test(text.slice(t.start, t.end))) continue;
    if (t.kind === Kind.Name || t.kind === Kind.Weak || t.kind === Kind.Unknown || t.kind === K_ALNUM)
      some = true;
    else if (t.flags & (F.ANY_CITY | F.GIVEN)) some = true;
    else if (docCase === 0 && t.casing !== 0 && t.kind <= Kind.Unknown && t.kind !== Kind.Stop && !t.first)
      some = true;
  }
  // A state or a country alone is no identifier.
  if (regionOnly) return false;
  // "B.S.", "I.D.", "P.T.": letters with dots are abbreviations unless a title stands before them.
  if (label === 1 && initialsOnly) {
    const at = firstAt;
    const before = at > 0 ? (toks[at - 1]?.alnum ? toks[at - 1] : toks[at - 2]) : undefined;
    return !!before && (before.flags & F.TITLE) !== 0 && !text.slice(before.end, start).includes('\n');
  }
  return some;
}

const MEASURE =
  /^\d+(?:mg|mcg|ug|g|kg|lb|lbs|ml|cc|l|dl|u|iu|units?|meq|mmol|mm|cm|m|in|hr|hrs|h|min|mins|sec|bpm|lpm|mmhg|cmh2o|f|c)$/i;

// A line of a postal address: a unit ("Suite 245"), or a few words each opening with a capital or a digit
// ("Porto Alegre", ", RS", "Cyprus (Greek) 51034", "KRISTIANSUND N"), perhaps after a quoting ">".
const ADDRESS_LINE =
  /^[ \t>]*,?[ \t]*(?:(?:apt|apartment|suite|ste|unit|flat|box|p\.?o\.? box)\.?[ \t]*#?[ \t]*[\p{L}\d-]+|[\p{Lu}\d(][\p{L}\p{N}'’.()/-]*(?:[ \t]*,?[ \t]+[\p{Lu}\d(][\p{L}\p{N}'’.()/-]*){0,5})[ \t]*,?[ \t]*$/u;

/**
 * Addresses are written as blocks of short lines (street, unit, town, region and postcode, country): a place
 * found at the end of a line takes the address-like lines after it, and the rest of its own line when that is
 * a list of capitalised words ("…Apt. 105, ISHAM, United Kingdom").
 */
function extendAddresses(text: string, entities: PhiEntity[]): void {
  const others = identifiersBesidePlaces(entities);
  let nextBreak = -1;
  for (const e of entities) {
    if (e.type !== 'LOCATION') continue;
    const from = Math.max(0, e.start - 12);
    const before = NUMBER_BEFORE.exec(text.slice(from, e.start));
    if (before?.[1] && /^\d/.test(text[e.start] ?? ''))
      e.start = from + before.index + before[0].indexOf(before[1]);
    let end = e.end;
    // The line's end, found again only past the last one found: places on one long line share it.
    if (nextBreak < end) {
      nextBreak = text.indexOf('\n', end);
      if (nextBreak < 0) nextBreak = text.length;
    }
    let lineEnd = nextBreak;
    const rest = text.slice(end, lineEnd);
    if (
      rest.trim() &&
      (!rest.trimStart().startsWith(',') || !(ADDRESS_LINE.test(rest) || ADDRESS_TAIL.test(rest)))
    )
      continue;
    if (rest.trim()) {
      // ", Baltimore, MD 21201": a town, a state and a ZIP code end an address whatever the town was taken for.
      if (!ADDRESS_TAIL.test(rest) && others(end, lineEnd)) continue;
      end = end + rest.trimEnd().replace(/\.$/, '').length;
    }
    let skipped = false;
    for (let lines = 0; lines < 4 && lineEnd < text.length; lines++) {
      const from = lineEnd + 1;
      let to = text.indexOf('\n', from);
      if (to < 0) to = text.length;
      const line = text.slice(from, to);
      if (!line.trim() && !skipped && to < text.length) {
        // One blank line may stand before the country and its postcode, the address's last line
        // ("Riisa\n\n Estonia 62488").
        let next = text.indexOf('\n', to + 1);
        if (next < 0) next = text.length;
        if (COUNTRY_POSTCODE_LINE.test(text.slice(to + 1, next))) {
          skipped = true;
          lineEnd = to;
          continue;
        }
      }
      if (!line.trim() || line.length > 80) break;
      if (!ADDRESS_LINE.test(line) && COUNTRY_POSTCODE_LINE.test(line)) {
        if (!others(from, to)) end = from + line.trimEnd().length;
        break;
      }
      if (!ADDRESS_LINE.test(line) || line.length > 48) {
        // The last line of an address may go on with the sentence: "Cyprus 36903? I am in…".
        const last = ADDRESS_LAST_LINE.exec(line);
        if (last && !others(from, from + last[0].length)) end = from + last[0].length;
        break;
      }
      // A line holding another kind of identifier ("Dr. Foley") is not part of the address.
      if (others(from, to)) break;
      end = from + line.trimEnd().length;
      lineEnd = to;
    }
    e.end = end;
  }
  // Parts of one address found apart ("Suite 464" and "79367" on the lines after a street) become one: each place
  // joins the one before it when only a comma or white space stands between them (in one pass, kept in place).
  let kept = 0;
  let prevEnd = -1;
  for (let k = 0; k < entities.length; k++) {
    const b = entities[k]!;
    const a = kept > 0 ? entities[kept - 1]! : undefined;
    const ownEnd = b.end;
    if (
      a &&
      a.type === 'LOCATION' &&
      b.type === 'LOCATION' &&
      entities[k - 1]!.type === 'LOCATION' &&
      ADDRESS_JOIN.test(text.slice(prevEnd, b.start))
    )
      a.end = Math.max(a.end, b.end);
    else entities[kept++] = b;
    prevEnd = ownEnd;
  }
  entities.length = kept;
}

/**
 * Whether an entity other than a place overlaps [from, to), in O(log n): a text of thousands of addresses asks
 * this for each of them (extendAddresses changes places only, so the others are fixed).
 */
function identifiersBesidePlaces(entities: readonly PhiEntity[]): (from: number, to: number) => boolean {
  const others = entities.filter((o) => o.type !== 'LOCATION').sort((a, b) => a.start - b.start);
  // The furthest end of the others up to each one: extendNames may have made two of them overlap.
  const reach = new Array<number>(others.length);
  let far = -1;
  for (let i = 0; i < others.length; i++) reach[i] = far = Math.max(far, others[i]!.end);
  return (from, to) => {
    // How many others start before `to`; one of them overlaps when the furthest end among them passes `from`.
    let lo = 0;
    let hi = others.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (others[mid]!.start < to) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && reach[lo - 1]! > from;
  };
}

const ADDRESS_JOIN = /^[\s,>]{0,6}$/;
// Capitalised words and a postcode of four to six digits, alone on their line.
// Perhaps after a bullet ("• Sweden 67626", or the "???" a bullet becomes in the wrong encoding).
const COUNTRY_POSTCODE_LINE =
  /^[ \t>]*(?:(?:[•·*]|\?{1,3})[ \t]+)?\p{Lu}[\p{L}'’.()-]*(?:[ \t]+\p{Lu}[\p{L}'’.()-]*){0,3}[ \t]+\d{4,6}[ \t]*$/u;
const ADDRESS_TAIL = /^,[ \t]*\p{Lu}[\p{L}'’ .-]*,[ \t]*[A-Z]{2}\.?[ \t]+\d{5}(?:-\d{4})?[ \t]*\.?[ \t]*$/u;
// A country or a town and a postcode opening a line that goes on with other words.
const ADDRESS_LAST_LINE =
  /^[ \t>]*,?[ \t]*\p{Lu}[\p{L}'’.()-]*(?:[ \t]+[\p{Lu}(][\p{L}'’.()-]*){0,3}[ \t]+\d{3,6}(?:[ -]\d{2,4})?(?=[ \t]*[?.!,;]|[ \t]+\p{Ll})/u;
// A house or building number written before the street's own number ("1987 74 Diakou Street").
const NUMBER_BEFORE = /(?:^|[ \t>:,])(\d{1,6})[ \t]+$/;

/**
 * Eponyms stay: a labelled run right before a disease's or a sign's head word ("Cohen syndrome", "Brooke-Spiegler
 * syndrome", "Duchenne muscular dystrophy") names a condition, not a person, unless a title or a relation stands
 * before it ("Dr. Cohen").
 */
function vetoEponyms(text: string, toks: readonly MTok[], labels: Uint8Array): void {
  let i = 0;
  while (i < toks.length) {
    if (!labels[i]) {
      i++;
      continue;
    }
    let end = i;
    while (
      end + 1 < toks.length &&
      (labels[end + 1] ||
        (!toks[end + 1]?.alnum && JOIN_CHARS.includes(text[toks[end + 1]?.start ?? 0] ?? '')))
    )
      end++;
    // Past a hyphenated or capitalised partner ("Brooke-Spiegler", "Graham Boyle Troxell"), then the head: the next
    // word, or the one after a medical or lower-case word, with nothing but spaces between.
    let j = end + 1;
    for (let n = 0; n < 4 && j + 1 < toks.length; n++) {
      const t = toks[j];
      const w = toks[j + 1];
      if (t && !t.alnum && JOIN_CHARS.includes(text[t.start] ?? '') && w?.alnum) j += 2;
      else if (t?.alnum && !t.nl && t.casing !== 0 && t.kind !== Kind.Stop && !EPONYM_VETO_HEADS.has(t.lower))
        j++;
      else break;
    }
    let head = false;
    for (let n = 0; n < 2 && j < toks.length; n++, j++) {
      const t = toks[j];
      if (!t?.alnum || t.nl) break;
      // "cell# 410-322-1419", "line: 2": a word used as a label is no head.
      if (EPONYM_VETO_HEADS.has(t.lower) && !LABEL_AFTER.test(text.slice(t.end, t.end + 2))) {
        head = true;
        break;
      }
      if (!(t.kind === Kind.Clinical || (t.kind === Kind.Word && t.casing === 0))) break;
    }
    let p = i - 1;
    while (p >= 0 && !toks[p]?.alnum) p--;
    const cue = toks[p];
    if (head && !(cue && cue.flags & (F.TITLE | F.RELATION))) for (let k = i; k <= end; k++) labels[k] = 0;
    i = end + 1;
  }
}

/**
 * In a text all in capitals a cue reads less: "MS. TOLERATING EXTUBATION" is a mental status, not Ms. Tolerating. A
 * word a cue labelled that is an ordinary word and in no list of names is no name there.
 */
function uncueOrdinaryWords(toks: readonly MTok[], labels: Uint8Array, cued: Uint8Array): void {
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    // Names only: a facility's words are ordinary ones ("LAUREL REGIONAL").
    if (!t || !cued[i] || labels[i] !== 1 || t.kind !== Kind.Word || t.flags & (F.GIVEN | F.ANY_CITY))
      continue;
    labels[i] = 0;
    cued[i] = 0;
  }
}

const JOIN_CHARS = "-'’";
const LABEL_AFTER = /^[ \t]?[#:]/;

// A field's name and its number: "Fax: +41 …", "Page# 4512".
const NUMBER_FIELD_AFTER = /^[ \t]?[#:][ \t]*[+(]?\d/;

/**
 * "Fax: 9498777106", "MRN# 0091": a word that labels one of the patterns, naming a field whose value is a number,
 * is neither a name nor a place, though some are also given names ("Fax", "Page"). Followed by words it keeps its
 * label: "June: I feel better" names the speaker of a transcript.
 */
function unlabelFieldNames(text: string, toks: readonly MTok[], labels: Uint8Array): void {
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (!t || !labels[i] || !(t.flags & F.GATE)) continue;
    if (NUMBER_FIELD_AFTER.test(text.slice(t.end, t.end + 6))) labels[i] = 0;
  }
}
// Heads that make the name before them a condition, a sign or a method; generic nouns ("cell", "line", "study")
// follow names of people as often.
const EPONYM_VETO_HEADS = new Set(
  `disease diseases syndrome syndromes sign signs test maneuver manoeuvre palsy reflex criteria score scale classification
procedure operation repair fracture phenomenon law triad tetrad pentad lymphoma sarcoma tumor tumour equation formula
index stain murmur angina tenosynovitis granulomatosis purpura thyroiditis encephalopathy porphyria anemia anaemia
dystrophy ataxia virus disorder deformity malformation dysplasia type cyst contracture neuroma neuralgia aneurysm
hernia diverticulum diverticulitis glomerulonephritis nephritis arthritis myopathy neuropathy cardiomyopathy
carcinoma leukemia leukaemia fever ulcer effect method rule nomogram doctrine principle hypothesis theory theorem
curve ratio line lines node nodes body bodies cell cells`.split(/\s+/),
);

export interface DetectOptions {
  /** The name and place tagger's weights (default: the shipped model); null: none. */
  tagger?: Weights | null;
}

// Room for a call's per-token arrays (labels, cue marks), kept between calls: a typed array over 64 bytes has its
// memory outside V8's heap, and allocating two per call cost ~2 µs of a 50 µs detect. Nothing holds them past the
// call (detect is synchronous); a long text's room is not kept.
const KEPT_ROOM = 1 << 16;
let room = new Uint8Array(1024);

/** `n` zeros, valid until the next call. */
function scratch(n: number): Uint8Array {
  if (n > KEPT_ROOM) return new Uint8Array(n);
  if (n > room.length) room = new Uint8Array(Math.min(KEPT_ROOM, Math.max(n, room.length * 2)));
  const view = room.subarray(0, n);
  view.fill(0);
  return view;
}

export function detectWith(text: string, opts: DetectOptions): PhiEntity[] {
  if (text.length === 0) return [];
  const candidates: Candidate[] = [];
  const toks = tokenizeForTagger(text);
  const gates = wordGates(text, toks);
  const docCase = documentCase(toks);
  detectPatterns(text, gates, candidates);
  detectDates(text, gates, candidates);
  detectAddresses(text, docCase === 0, toks, candidates);
  // Tables first: the tagger's findings stay within their cells.
  const tables: TableSpan[] = [];
  detectTables(text, candidates, tables);
  const wt = opts.tagger === undefined ? shippedWeights() : opts.tagger;
  if (wt) {
    const n = toks.length;
    const room = scratch(2 * n);
    const tagged = tagTokens(wt, toks, undefined, room.subarray(0, n));
    const cued = applyCues(text, toks, tagged.labels, docCase, room.subarray(n, 2 * n));
    if (docCase === 2) uncueOrdinaryWords(toks, tagged.labels, cued);
    extendLabels(text, toks, tagged.labels, docCase, cued);
    vetoEponyms(text, toks, tagged.labels);
    unlabelFieldNames(text, toks, tagged.labels);
    const spans = labelledSpans(text, tagged);
    // Parts of one address ("541", "Avenida Pedro Ulisses 888", "Apt. 120") are judged together.
    let from = 0;
    for (let k = 0; k < spans.length; k++) {
      const s = spans[k];
      const next = spans[k + 1];
      if (!s) continue;
      if (next && next.label === s.label && s.label === 2 && ADDRESS_GAP.test(text.slice(s.end, next.start)))
        continue;
      const first = spans[from] ?? s;
      from = k + 1;
      if (
        !cuedWithin(toks, cued, first.start, s.end) &&
        !substantive(text, toks, first.start, s.end, s.label, docCase)
      )
        continue;
      const type = s.label === 1 ? 'NAME' : 'LOCATION';
      if (tables.length === 0) {
        candidates.push({ start: first.start, end: s.end, type, priority: PRIORITY[type] });
        continue;
      }
      for (const [a, b] of withinCells(first.start, s.end, tables)) {
        // Trimmed of what stood between the cells (a space after the delimiter, the line's end).
        const t = trimSpan(text, a, b);
        if (t) candidates.push({ start: t[0], end: t[1], type, priority: PRIORITY[type] });
      }
    }
  }
  joinedIdentifiers(text, candidates);
  lastCommaFirst(text, candidates);
  detectHl7(text, candidates);
  const entities = merge(candidates);
  extendNames(text, entities);
  extendAddresses(text, entities);
  // Extending may have reached a neighbour: overlaps become one entity again (spans stay disjoint and sorted).
  return merge(
    entities.map((e) => ({ start: e.start, end: e.end, type: e.type, priority: PRIORITY[e.type] })),
  );
}

/**
 * Finds the Safe Harbor identifiers in `text`: sorted, non-overlapping, UTF-16 offsets, end exclusive.
 * Throws if a dictionary or the model cannot be loaded: callers must fail the request rather than send PHI.
 */
export function detect(text: string): PhiEntity[] {
  return detectWith(text, {});
}

// An identifier: one run of letters and digits joined by separators or case ("maria_gonzalez", "JohnSmith1961",
// "john.smith@example.org", "call_DdmO9pD3xa9XTPNJ32zg2hcA"), no spaces.
const IDENTIFIER = /^[\p{L}\p{N}][\p{L}\p{N}_.:@+'’-]*$/u;
export const MAX_IDENTIFIER_LENGTH = 256;

/** Whether `s` is written as one identifier (a name, a key, an id) rather than as words. */
export function isIdentifier(s: string): boolean {
  return s.length <= MAX_IDENTIFIER_LENGTH && IDENTIFIER.test(s);
}

// What an upstream issues: a short lower-case prefix, then random letters and digits mixed ("call_DdmO9pD3xa9",
// "resp_68a1b2c3d4e5", "file-AbC123xYz456"), or a UUID.
const MACHINE_ID = /^[a-z]{1,16}[_-]([A-Za-z0-9_-]{8,200})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^[0-9a-f]{16,}$/;
const LETTER_RUN = /\p{Lu}?\p{Ll}+|\p{Lu}+(?!\p{Ll})/gu;

/**
 * An id an upstream made: random letters mixed with digits, with no run of letters that reads as a name or a town
 * ("call_JohnSmith1961" is not one). Digits alone after a prefix may be a record number: not machine-made here.
 */
function machineMade(id: string): boolean {
  if (UUID.test(id)) return true;
  const m = MACHINE_ID.exec(id);
  if (!m) return false;
  const rest = m[1]!;
  // Hexadecimal: its letters (a to f) spell no name worth the name ("ada", "bea" are chance).
  if (HEX.test(rest)) return true;
  // Short ones need digits among their letters; in long random ones a chance short name ("Ann", "Leo") is no name,
  // and only runs of four letters or more are looked up.
  const long = rest.length >= 16;
  if (!long && !(/\d/.test(rest) && /[A-Za-z]/.test(rest))) return false;
  for (const r of rest.matchAll(LETTER_RUN)) {
    const w = r[0].toLowerCase();
    if (w.length < (long ? 4 : 3)) continue;
    const entry = wordEntry(w);
    const kind = kindOf(entry, w);
    const flags = entry === undefined ? 0 : entry >>> 3;
    if (kind === Kind.Name || (!long && kind === Kind.Weak) || flags & (F.GIVEN | F.ANY_CITY)) return false;
  }
  return true;
}

/** The words of an identifier, each its own word: "maria_gonzalez" → "maria gonzalez", "JohnSmith1961" → "John Smith 1961". */
export function identifierWords(id: string): string {
  return id
    .replace(FILE_EXTENSION, '')
    .replace(/[_.:@+-]+/g, ' ')
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{L})(\p{N})/gu, '$1 $2')
    .replace(/(\p{N})(\p{L})/gu, '$1 $2')
    .trim();
}

// A file's type is no word of its name ("a.png").
const FILE_EXTENSION =
  /\.(?:png|jpe?g|gif|webp|bmp|tiff?|heic|pdf|docx?|xlsx?|pptx?|txt|csv|tsv|json|jsonl|xml|html?|md|rtf|wav|mp3|m4a|ogg|flac|webm|mp4|mov|zip|dcm|hl7)$/i;

const titleCase = (s: string): string =>
  s.replace(/\p{L}+/gu, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase());

/**
 * The identifiers in a value written as one identifier, as one entity over the whole value (its most specific
 * type), or none: its patterns as written (an SSN, a date, an email keep their separators), names and places among
 * its words ("maria_gonzalez" is Maria Gonzalez, in any case). An upstream's own ids are left alone.
 */
export function detectIdentifier(id: string): PhiEntity[] {
  if (id.length === 0 || machineMade(id)) return [];
  const toks = tokenizeForTagger(id);
  const found: Candidate[] = [];
  const gates = wordGates(id, toks);
  detectPatterns(id, gates, found);
  detectDates(id, gates, found);
  const words = identifierWords(id);
  // Identifiers ignore case ("maria_gonzalez"): their words are also read capitalised, when each is a word of two
  // letters or more.
  const variants = new Set([words]);
  if (/^\p{L}{2,}(?: \p{L}{2,})*$/u.test(words)) variants.add(titleCase(words));
  if (words.length > 0)
    for (const v of variants)
      for (const e of detect(v))
        found.push({ start: e.start, end: e.end, type: e.type, priority: PRIORITY[e.type] });
  if (found.length === 0) return [];
  let best = found[0]!;
  for (const c of found) if (c.priority > best.priority) best = c;
  return [{ start: 0, end: id.length, type: best.type }];
}

// Words joined as code joins them, inside text: snake_case and camelCase runs ("Maria_Gonzalez", "johnSmith"), which
// the tagger reads as one odd token. Each is judged as an identifier and replaced whole. A capital first ("McBurney",
// "DeShawn") is a name as written, the tagger's to read; short runs are units and abbreviations ("mmHg", "tLC").
export const JOINED =
  /(?<![\p{L}\p{N}'’])(?:[\p{L}\p{N}]+(?:_+[\p{L}\p{N}]+)+|\p{Ll}{2,}\p{Lu}\p{Ll}{2,}[\p{L}\p{N}]*)/gu;

// Where a joined identifier can be: an underscore, or a lower-case letter before a capital.
const JOIN_SEED = /_|\p{Ll}\p{Lu}/gu;
const RUN_CHAR = /[\p{L}\p{N}_]/u;
const runChar = (text: string, i: number): boolean => {
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  // Half of a pair (a letter beyond the first plane, or not): kept in the run, so that no pair is cut in two.
  return (c >= 0xd800 && c <= 0xdfff) || RUN_CHAR.test(text[i] ?? '');
};

/**
 * Where JOINED matches in `text`, as [offset, identifier] pairs. JOINED is tried only on the runs of letters, digits
 * and underscores that hold a seed (with the one character before each run, which its look-behind reads): the same
 * matches as over the whole text, without trying JOINED at every position of it.
 */
export function joinedMatches(text: string): [number, string][] {
  const found: [number, string][] = [];
  JOIN_SEED.lastIndex = 0;
  for (let seed = JOIN_SEED.exec(text); seed; seed = JOIN_SEED.exec(text)) {
    let from = seed.index;
    while (from > 0 && runChar(text, from - 1)) from--;
    let to = seed.index + seed[0].length;
    while (to < text.length && runChar(text, to)) to++;
    const base = from > 0 ? from - 1 : 0;
    const run = text.slice(base, to);
    JOINED.lastIndex = 0;
    for (let m = JOINED.exec(run); m; m = JOINED.exec(run)) found.push([base + m.index, m[0]]);
    JOIN_SEED.lastIndex = Math.max(JOIN_SEED.lastIndex, to);
  }
  return found;
}

function joinedIdentifiers(text: string, out: Candidate[]): void {
  for (const [start, id] of joinedMatches(text)) {
    if (id.length > MAX_IDENTIFIER_LENGTH) continue;
    const type = detectIdentifier(id)[0]?.type;
    if (type) out.push({ start, end: start + id.length, type, priority: PRIORITY[type] });
  }
}

/** The kind and list flags of a word (lower case). */
function wordInfo(w: string): { kind: number; flags: number } {
  const entry = wordEntry(w);
  return { kind: kindOf(entry, w), flags: entry === undefined ? 0 : entry >>> 3 };
}

const NOT_NAME_FLAGS = F.TITLE | F.CREDENTIAL | F.RELATION | F.CALENDAR | F.STATE | F.COUNTRY | F.FACILITY;

const isUpper = (w: string) => w === w.toUpperCase();

/**
 * A word that may be a surname: a name, or one no dictionary knows, not a title, a month or a state. Written in
 * capitals, where case says nothing, a name that is also an ordinary word ("SPRAY", "GIVEN") is not taken.
 */
function surnameLike(w: string, strongGiven = false): boolean {
  const { kind, flags } = wordInfo(w.toLowerCase());
  if (flags & NOT_NAME_FLAGS) return false;
  if (isUpper(w) && !strongGiven) return kind === Kind.Name || kind === Kind.Unknown;
  return kind === Kind.Name || kind === Kind.Weak || kind === Kind.Unknown;
}

/** A given name that is not also a function word or a clinical one ("WILL", "MAG"). */
function givenName(w: string): boolean {
  const { kind, flags } = wordInfo(w.toLowerCase());
  if (!(flags & F.GIVEN) || flags & NOT_NAME_FLAGS) return false;
  return kind === Kind.Name || kind === Kind.Weak;
}

// "Smith, John", "SMITH, JOHN A.", "Gonzalez, Maria": a surname, a comma, then a given name (and an initial).
const LAST_FIRST =
  /(?<![\p{L}\p{N}])(\p{Lu}[\p{L}'’-]{1,30}),[ \t]+(\p{Lu}[\p{L}'’-]{1,30})(?:[ \t]+\p{Lu}\.?)?(?![\p{L}\p{N}])/gu;

/** Names written last name first: the second word a given name, the first one that may be a surname. */
function lastCommaFirst(text: string, out: Candidate[]): void {
  if (!text.includes(',')) return;
  LAST_FIRST.lastIndex = 0;
  for (let m = LAST_FIRST.exec(text); m; m = LAST_FIRST.exec(text)) {
    // An item of a list goes on after a comma ("LASIX, NTG SPRAY, ASA, ALLOPURINOL"): no name there.
    if (LIST_GOES_ON.test(text.slice(m.index + m[0].length, m.index + m[0].length + 4))) continue;
    if (!givenName(m[2]!) || !surnameLike(m[1]!, true)) continue;
    // Read from its order, a name whatever the tagger made of its words ("SMITH, JOHN" was typed a place).
    out.push({ start: m.index, end: m.index + m[0].length, type: 'NAME', priority: PRIORITY.LOCATION + 1 });
  }
}

const LIST_GOES_ON = /^[ \t]*,[ \t]*\p{L}/u;
const NEXT_WORD = /^[ \t]+(\p{Lu}[\p{L}'’-]{1,30})(?![\p{L}\p{N}])/u;
const LAST_WORD = /(\p{L}[\p{L}'’-]*)$/u;

/**
 * A name found by its given name goes on over the surname after it ("John Smith 03/04/1961": the date after the
 * surname had left "Smith" out): a capitalised word that may be a surname, right after a given name.
 */
function extendNames(text: string, entities: PhiEntity[]): void {
  // Entities come sorted and disjoint, and stay so: only the next one can stand in the way.
  for (let k = 0; k < entities.length; k++) {
    const e = entities[k]!;
    if (e.type !== 'NAME') continue;
    // The entity's last 64 characters hold its last word if it is a given name (the regex, anchored at the end,
    // would otherwise start again at every letter of a long cell).
    const last = LAST_WORD.exec(text.slice(Math.max(e.start, e.end - 64), e.end))?.[1];
    if (!last || !givenName(last)) continue;
    const next = NEXT_WORD.exec(text.slice(e.end, e.end + 40));
    if (!next || !surnameLike(next[1]!)) continue;
    const end = e.end + next[0].length;
    if ((entities[k + 1]?.start ?? Infinity) < end) continue;
    e.end = end;
  }
}

/** Loads the dictionaries and the model and builds the word index now (about a second), not on the first request. */
export function warmUpPhi(): void {
  detect('Warm-up: Dr. Foley saw Mr. Nicholson on 7/22 at 410-555-0100.');
}
