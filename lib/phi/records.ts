import type { PhiType } from './types';

// Structured records are read by meaning: what a field's name, or the shape of the object around it, says its value
// is. Shared by the payload walker (JSON bodies and JSON text) and the table detector (CSV with a header).

/** Field names, in any case and with _ or - or nothing between words, that say what a short value is. */
const KEY_HINTS: readonly [RegExp, PhiType][] = [
  [
    /(?:^|[_-])?(?:first|last|middle|given|family|full|sur|maiden|nick|patient|person|contact|mother'?s?|father'?s?|spouse|guardian|next_?of_?kin)[_-]?name$|^(?:name_?(?:first|last|given|family)|patient|physician|doctor|provider|clinician|nurse|attending|contact|guardian|proxy|caregiver|emergency_?contact|surname|forename|lname|fname|mname)$/i,
    'NAME',
  ],
  [
    /address|street|^(?:addr|line[12]?|city|town|county|district|zip|zip_?code|zipcode|postal|postal_?code|postcode)$|_city$|_zip$/i,
    'LOCATION',
  ],
  [
    /^(?:dob|d_?o_?b|date_?of_?birth|birth_?date|birth_?day|born|dod|date_?of_?death|deceased_?date(?:_?time)?|admission_?date|admit_?date|discharge_?date|visit_?date|date_?of_?service|dos)$/i,
    'DATE',
  ],
  [
    /^(?:phone|telephone|mobile|cell|home_?phone|work_?phone|phone_?(?:number|no)|tel|contact_?number|pager)$/i,
    'PHONE',
  ],
  [/^fax(?:_?(?:number|no))?$/i, 'FAX'],
  [/^e-?mail(?:_?address)?$/i, 'EMAIL'],
  [/^(?:ssn|social_?security(?:_?(?:number|no))?|sin)$/i, 'SSN'],
  [
    /^(?:mrn|medical_?record(?:_?(?:number|no))?|patient_?(?:id|number|no)|chart_?(?:number|no)|hospital_?number)$/i,
    'MRN',
  ],
  [
    /^(?:member_?id|subscriber_?id|policy_?(?:number|no)|insurance_?(?:id|number)|medicare_?(?:id|number)|medicaid_?(?:id|number)|plan_?id|group_?number)$/i,
    'HEALTH_PLAN',
  ],
  [
    /^(?:account|account_?(?:number|no)|acct|acct_?(?:number|no)|encounter_?(?:id|number)|visit_?(?:id|number))$/i,
    'ACCOUNT',
  ],
  [/^(?:license|licence|license_?number|drivers?_?licen[cs]e|dl_?number|npi|dea)$/i, 'LICENSE'],
];

/** What a field's own name says its short value is, if anything. */
export function keyHint(key: string): PhiType | undefined {
  for (const [re, type] of KEY_HINTS) if (re.test(key)) return type;
  return undefined;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const CONTACT_SYSTEMS: Readonly<Record<string, PhiType>> = {
  phone: 'PHONE',
  sms: 'PHONE',
  pager: 'PHONE',
  fax: 'FAX',
  email: 'EMAIL',
  url: 'URL',
  other: 'ID',
};

/**
 * What the shape of an object says of its fields (FHIR and similar records): a HumanName's `family`, `given` and
 * `text`; an Address's `line`, `city`, `district`, `postalCode` and `text`; a ContactPoint's `value` by its `system`;
 * an Identifier's `value`. Undefined for a field the shape says nothing about.
 */
export function shapeHint(obj: Obj, key: string): PhiType | undefined {
  if ('family' in obj || 'given' in obj) {
    if (key === 'family' || key === 'given' || key === 'text') return 'NAME';
  }
  if ('line' in obj || 'postalCode' in obj || ('city' in obj && ('state' in obj || 'country' in obj))) {
    if (key === 'line' || key === 'city' || key === 'district' || key === 'postalCode' || key === 'text')
      return 'LOCATION';
  }
  if (key === 'value' && typeof obj.system === 'string') {
    const contact = CONTACT_SYSTEMS[obj.system];
    if (contact) return contact;
    // An Identifier: a system URI names the register ("http://hospital.example/mrn", "urn:oid:…").
    if (/^(?:https?:|urn:)/.test(obj.system)) return isMrn(obj) ? 'MRN' : 'ID';
  }
  return undefined;
}

function isMrn(identifier: Obj): boolean {
  if (typeof identifier.system === 'string' && /mrn|medical.?record/i.test(identifier.system)) return true;
  const type = identifier.type;
  const codings = isObj(type) && Array.isArray(type.coding) ? type.coding : [];
  return codings.some((c) => isObj(c) && c.code === 'MR');
}
