// One pass over the words of a text decides which labelled patterns can possibly match, so that
// a pattern whose label word is absent never runs: most clinical prompts mention no fax, no VIN.

export const G = {
  ssn: 1 << 0,
  fax: 1 << 1,
  pager: 1 << 2,
  mrn: 1 << 3,
  plan: 1 << 4,
  account: 1 << 5,
  license: 1 << 6,
  vehicle: 1 << 7,
  device: 1 << 8,
  biometric: 1 << 9,
  id: 1 << 10,
  month: 1 << 11,
  holiday: 1 << 12,
  age: 1 << 13,
  newYear: 1 << 14,
  /** A word or number of 17 characters or more: a VIN's length (no label word). */
  long: 1 << 15,
} as const;

const LABELS: Record<Exclude<keyof typeof G, 'long'>, string> = {
  ssn: 'ssn ss social',
  fax: 'fax',
  pager:
    'pager pgr beeper beep bpr pg page cell cellphone mobile tel telephone phone ph ext extension call home work office contact reach reached number',
  mrn: 'mrn mr medical med hospital unit chart patient pt',
  plan: 'member subscriber beneficiary medicare medicaid insurance insurer insured plan policy group hicn mbi hic payer bcbs blue',
  account: 'account acct billing invoice encounter visit fin claim bank routing iban',
  license:
    'license licence licensed lic dea npi cert certificate certification certified registration permit passport',
  vehicle: 'vin vehicle plate tag',
  device: 'serial sn device udi imei meid lot implant pacemaker icd generator pump model',
  biometric:
    'fingerprint fingerprints finger retina retinal iris voice voiceprint face faceprint facial palm palmprint biometric dna',
  id: 'ref reference case order requisition accession confirmation conf ticket specimen tracking employee badge identifier id file record policy',
  month:
    'january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec',
  holiday: 'christmas thanksgiving easter independence labor memorial halloween valentine',
  age: 'age aged ages ninety hundred',
  newYear: 'new',
};

const GATE_OF = new Map<string, number>();
for (const [key, words] of Object.entries(LABELS) as [keyof typeof LABELS, string][]) {
  for (const w of words.split(' ')) GATE_OF.set(w, (GATE_OF.get(w) ?? 0) | G[key]);
}

/** Every label word: the word index marks them so that only those words are looked up here. */
export const GATE_WORDS: readonly string[] = [...GATE_OF.keys()];

/** The bit of a token's list flags that says its written form (lower case) is a label word. */
export const GATE_WORD_FLAG = 1 << 15;

// Ages over 89 are numbers, not words: "98 yo", "age 101".
const OLD_AGE_NUMBER = /(?:^|\D)(?:9\d|1[0-4]\d)(?!\d)/;

/**
 * Bit mask of the gates whose label words occur among the words (lower case) of `text`. A word whose `flags`
 * lack GATE_WORD_FLAG is no label word and is not looked up.
 */
export function wordGates(
  text: string,
  words: readonly { lower: string; flags: number; len: number }[],
): number {
  let mask = 0;
  for (const w of words) {
    if (w.len >= 17) mask |= G.long;
    if ((w.flags & GATE_WORD_FLAG) === 0) continue;
    const g = GATE_OF.get(w.lower);
    if (g !== undefined) mask |= g;
  }
  if (OLD_AGE_NUMBER.test(text)) mask |= G.age;
  return mask;
}
