import { PRIORITY, type Candidate } from '../types';
import { G } from './gates';

// Dates tied to a person (every element but the year alone) and ages over 89.

const MONTH = String.raw`(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`;
// A two-digit year after a comma counts where a clock time or the line's end follows ("21 Apr, 21 0700").
const YEAR_TAIL = String.raw`(?:,?\s*(?:'\d{2}|\d{4})(?!\d)|,[ \t]*\d{2}(?=[ \t]+(?:[01]\d|2[0-3]):?[0-5]\d(?!\d)|[ \t]*(?:\r?\n|$)))?`;

// The digits come first and the look-behind checks what stands before them: a pattern that opens with a
// look-behind is tried at every position of the text, one that opens with a digit only where digits are.
const NUMERIC =
  /(\d{1,2})(?<=(?:^|[^\w/.:'-]|[A-Za-z][:-])\1)([/-])(\d{1,2})(?:\2(\d{4}|\d{2}))?(?![\w/]|[-:]\d|\.\d|%)/g;
const MONTH_YEAR_NUMERIC = /(?<![\w/.:-])(0?[1-9]|1[0-2])\/(\d{4}|\d{2})(?![\w/]|\.\d)/g;
// A clock time written with the date belongs to it ("2000-04-16 11:34:35", "2021-03-04T10:00Z").
const ISO =
  /(?<![\w/.-])(?:19|20)\d{2}([-/.])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?(?![\w/]|\.\d)/g;
const DOTTED = /(?<![\w/.-])(?:0?[1-9]|[12]\d|3[01])\.(?:0?[1-9]|1[0-2])\.(?:19|20)\d{2}(?![\w/]|\.\d)/g;
const MONTH_DAY = new RegExp(
  String.raw`\b(?<m>${MONTH})\.?\s*(?<d>[0-3]?\d)(?:st|nd|rd|th)?(?![\d:/]|\.\d)${YEAR_TAIL}`,
  'gi',
);
const DAY_MONTH = new RegExp(
  String.raw`(?<![\w/.])(?<d>[0-3]?\d)(?:st|nd|rd|th)?(?:\s*(?:of\s+)?|-)(?<m>${MONTH})\b\.?${YEAR_TAIL}`,
  'gi',
);
const MONTH_YEAR = new RegExp(
  String.raw`\b(?<m>${MONTH})\.?,?\s+(?:of\s+)?(?:'\d{2}|(?:19|20)\d{2})(?!\d)`,
  'gi',
);
const MONTH_ALONE =
  /\b(?:in|on|since|until|till|by|from|early|late|mid|last|next|this|of|during|through)\s+(?<v>january|february|april|june|july|august|september|october|november|december|sept|nov|jan|feb)\b/gi;
const DAY_RANGE_MONTH = new RegExp(String.raw`\b\d{1,2}\s*(?:-+>?|to|&|and)\s*\d{1,2}\s+${MONTH}\b`, 'gi');
// A full date glued to a word ("on10/14/82") is still a date.
// Two dates run together ("10/03/10/04") and a year after a dot ("11/21.93").
const DATE_PAIR =
  /(?<![\w/.])(?:0?[1-9]|1[0-2])\/(?:0?[1-9]|[12]\d|3[01])\/(?:0?[1-9]|1[0-2])\/(?:0?[1-9]|[12]\d|3[01])(?![\w/]|\.\d)/g;
const DOT_YEAR = /(?<![\w/.])(?:0?[1-9]|1[0-2])\/(?:0?[1-9]|[12]\d|3[01])\.\d{2}(?![\w/.%])/g;
const GLUED_FULL_DATE =
  /[A-Za-z]{2}(?<v>(?:0?[1-9]|1[0-2])\/(?:0?[1-9]|[12]\d|3[01])\/(?:\d{4}|\d{2}))(?![\d/%])/g;
const ORDINAL_DAY =
  /\bthe\s+(?<v>(?:[12]?\d|3[01])(?:st|nd|rd|th))\b(?!\s*(?:ventricle|nerve|cranial|rib|ribs|toe|finger|digit|intercostal|ics|degree|grade|stage|floor|time|times|dose|day|days|week|weeks|month|months|year|years|generation|percentile|line|trimester|cycle|round|attempt|try|lumbar|thoracic|cervical|metatarsal|metacarpal|web|space|heart))/gi;
// Ventilator and strength settings read like dates: "PSV increased to 10/5", "PS 5/5".
const SETTINGS_NEAR =
  /\b(?:ps|psv|peep|cpap|bi-?pap|ipap|epap|pressure\s+support|strength|motor|flow-?by|settings?)\b(?:\s*(?:of|at|to|on|is|was|were|now|increased|decreased|weaned|changed|trial|with|:|=))*\s*$/i;
const STRENGTH_NEAR = /(?<![\d/])[0-5]\/5(?![\d/])|strength|motor|power/i;
// Small pairs written near ventilator talk are settings ("SIMV/PS 600x4 & 5/10").
const VENT_NEAR = /\b(?:simv|imv|ps|psv|peep|cpap|bi-?pap|a\/?c|vent|fio2|tv|settings?)\b[^\n]{0,30}$/i;
const COUNT_AFTER =
  /^\s*(?:pillows?|times|days?|hours?|hrs?|weeks?|wks?|months?|years?|yrs?|units?|tabs?|puffs?|liters?|l\b|episodes?|beats|mm|cm|mg|ml|cc|x\b|pts?|people|drops?)/i;
const AFTER_EVENT = /\b(?:post|s\/p|after|prior\s+to|dated)\s*$/i;
const PAIN_NEAR =
  /pain|\bcp\b|discomfort|\brate[sd]?\b|rating|scale|score|severity|severe|intensity|worst|headache|\bha\b|sore|ache|angina|pressure|radiat|c\/o/i;
const DATE_CUE_BEFORE =
  /\b(?:on|since|from|until|till|dated|of|thru|through|post|s\/p|after|before|prior\s+to|admitted|admit|date|dob|born|started|begun|since)\s*:?\s*$/i;
// "CVA 74'.", "AAA repair in 14'": a year written with a trailing apostrophe after a history item. Distances and
// angles take the same mark ("ambulated 30'", "HOB 30'"), and ranges ("70-80'") are rates: those words are excluded.
const APOSTROPHE_YEAR = /(?<![\w'’.,/-])(\d{2})['’](?![\w'’])/g;
const APOSTROPHE_YEAR_BEFORE =
  /(?:^|\n)[ \t]*(?:[-*•][ \t]*)?(?:[A-Za-z][A-Za-z/&]*[ \t]+){1,3}$|\b(?:in|since|s\/p|until|dx|diagnosed)[ \t]+$/i;
const DISTANCE_WORDS =
  /\b(?:hob|amb|ambulated?|ambulating|ambulates|walk|walks|walked|walking|x|ft|feet|foot|hall|hallway|corridor|distance|elevated|raised|head|bed|up|about|approx|approximately|tubing|line|cord|height|ht|degrees?|angle|rr|hr|bp|sbp|map|sats?|o2|fio2|peep|ps|tv|vt|falls?|fell|ladder|roof|stairs|story|storey|drop|dropped|jumped|long|wide|deep|tall)\b/i;

const NEW_YEAR = /new\s+year/i;
const HOLIDAY =
  /\b(?:christmas(?:\s+(?:eve|day))?|thanksgiving(?:\s+day)?|easter(?:\s+sunday)?|new\s+year'?s(?:\s+(?:day|eve))?|independence\s+day|labor\s+day|memorial\s+day|halloween|valentine'?s\s+day)\b/gi;

const AGE_UNIT =
  /(?<![\w.])(?<v>9\d|1[0-4]\d)(?:\s*|-)(?:y\/o|y\.o\.?|yo|yr?s?\.?(?:\s*|-)old|years?(?:\s*|-)old|yrs?\b|years?\b|y\b|yoM|yoF|yom|yof)/gi;
const AGE_LABEL = /\b(?:age[ds]?|aged)\s*(?:[:=]|of|is)?\s*(?<v>9\d|1[0-4]\d)\b(?!\.\d)/gi;
const AGE_LINE_START =
  /(?:^|\n)[ \t]*(?<v>9\d|1[0-4]\d)\s+(?:s\/p|w\/|with|male|female|man|woman|gentleman|lady|gent|m\b|f\b)/gi;
const AGE_DECADE = /\bin\s+(?:his|her|their)\s+(?<v>(?:late\s+|early\s+|mid-?\s*)?(?:90'?s|nineties))/gi;
const AGE_WORDS =
  /\b(?<v>(?:ninety|one\s+hundred)(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?)(?:\s*|-)years?(?:\s*|-)old\b/gi;

// Fractions, strengths and ventilator settings written like m/d ("1/2 NS", "5/5 strength", "PS 10/5").
const FRACTION_BEFORE =
  /(?:\b(?:co\/ci|ci|co|flowby|ps|peep|cpap|bipap|ipap|epap|psv|vent|settings?|strength|str|grade|power|motor|pain|scale|score|gcs|rated|ratio|murmur|sem|bp|x|now|at|of|hr|rr|fio2|ie|i:e|tv|rate|trial)\s*[:=]?\s*|[+-])$/i;
const FRACTION_AFTER =
  /^\s*(?:(?:ns|nss|normal|strength|str|tabs?|tablets?|pills?|of|inch|cups?|doses?|pain|scale|score|mg|mcg|gm?|ml|cc|l|units?|amps?|hrs?|murmur|sem|sm|hsm|power|motor|bil|b\/l|x|times|breaths|ps|peep|cpap|bipap|psv|up|way|lumen|systolic|diastolic|holosystolic|in\s+strength|throughout|bilat)\b|%|\+)/i;

function push(out: Candidate[], start: number, end: number, type: 'DATE' | 'AGE'): void {
  if (end > start) out.push({ start, end, type, priority: PRIORITY[type] });
}

function scanGroup(text: string, re: RegExp, type: 'DATE' | 'AGE', out: Candidate[]): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const v = m.groups?.v ?? m[0];
    const start = m.index + m[0].indexOf(v);
    push(out, start, start + v.length, type);
  }
}

// "may", "mar" and "dec" are also ordinary words ("may", MAR, decrease): only capitalised do they name a month.
function monthOk(m: string): boolean {
  const lower = m.toLowerCase();
  if (lower === 'may' || lower === 'mar' || lower === 'dec') return m[0] !== lower[0];
  return true;
}

export function detectDates(text: string, gates: number, out: Candidate[]): void {
  const digits = HAS_DIGIT.test(text);
  if (digits && (text.includes('/') || text.includes('-') || text.includes('.')))
    detectNumericDates(text, out);
  if (gates & G.month) detectMonthDates(text, digits, out);
  if (digits && (text.includes("'") || text.includes('’'))) detectApostropheYears(text, out);
  // "year" is in most notes ("67 year old"): New Year's is looked for only where "new year" is written.
  if (gates & G.holiday || (gates & G.newYear && NEW_YEAR.test(text))) scanGroup(text, HOLIDAY, 'DATE', out);
  if (digits) scanGroup(text, ORDINAL_DAY, 'DATE', out);
  if (gates & G.age) detectAges(text, out);
}

const HAS_DIGIT = /\d/;

// British shorthand for a duration: N/7 days, N/52 weeks, N/12 months, N/40 weeks of pregnancy ("3/7 hx",
// "review in 1/52", "6/12 ago"). N/52 and N/40 are never a month and a day; N/7 and N/12 are read as durations
// where a duration cue stands beside them or the text uses the shorthand elsewhere.
const DURATION_SHORTHAND =
  /(?<![\w/.])(?:[1-9]|[1-4]\d|5[0-2])\/(?:52|40)(?![\w/]|\.\d)|(?<![\w/.])[1-9]\/(?:7|12)[ \t]+(?:ago|hx|hist|history|duration)\b/i;
const DURATION_BEFORE =
  /\b(?:for|x|past|last|over|in|within|every|each|next|another|further|approx|about|~)[ \t]*$/i;
const DURATION_AFTER =
  /^[ \t]*(?:ago|hx|hist|history|duration|course|of\s+(?:symptoms|sx|pain|cough|diarrh?oea|vomiting|fever)|h\/o|sx|symptoms)\b/i;
const DATE_LABEL_BEFORE = /\b(?:dob|d\.o\.b\.?|born|dated?|on)[ \t]*:?[ \t]*$/i;

const OF_BEFORE = /\bof\s*$/i;
const DURATION_NOUN_AFTER = /^[ \t]*(?:ago|hx|hist|history)\b/i;

function isDuration(text: string, at: number, end: number, denominator: number, shorthand: boolean): boolean {
  const before = text.slice(Math.max(0, at - 12), at);
  if (DATE_LABEL_BEFORE.test(before)) return false;
  // "2/5 hx of SOB", "4/7 ago": a date is never followed by "ago" or "history".
  if (DURATION_NOUN_AFTER.test(text.slice(end, end + 12))) return true;
  if (denominator === 52 || denominator === 40) return true;
  if (denominator !== 7 && denominator !== 12) return false;
  return shorthand || DURATION_BEFORE.test(before) || DURATION_AFTER.test(text.slice(end, end + 24));
}

function detectNumericDates(text: string, out: Candidate[]): void {
  const shorthand = DURATION_SHORTHAND.test(text);
  NUMERIC.lastIndex = 0;
  for (let m = NUMERIC.exec(text); m; m = NUMERIC.exec(text)) {
    const a = Number(m[1]);
    const b = Number(m[3]);
    const year = m[4];
    const sep = m[2];
    const monthDay = a >= 1 && a <= 12 && b >= 1 && b <= 31;
    // Day first ("22/7") only with a year: without one, "13/10" is a setting more often than a date.
    const dayMonth = b >= 1 && b <= 12 && a >= 1 && a <= 31 && year !== undefined;
    if (!monthDay && !dayMonth) continue;
    if (!year && sep === '/' && isDuration(text, m.index, m.index + m[0].length, b, shorthand)) continue;
    if (!year) {
      // "1-2 days" is a range, not a date, unless a date cue comes before it ("on 7-8").
      if (sep === '-' && !DATE_CUE_BEFORE.test(text.slice(Math.max(0, m.index - 12), m.index))) continue;
      if (sep === '-' && COUNT_AFTER.test(text.slice(m.index + m[0].length, m.index + m[0].length + 12)))
        continue;
      const before = text.slice(Math.max(0, m.index - 12), m.index);
      const after = text.slice(m.index + m[0].length, m.index + m[0].length + 16);
      // "1/2 of the dose" is a fraction; "the morning of 8/14" a date.
      if ((FRACTION_BEFORE.test(before) && !(b > 8 && OF_BEFORE.test(before))) || FRACTION_AFTER.test(after))
        continue;
      if (SETTINGS_NEAR.test(text.slice(Math.max(0, m.index - 40), m.index))) continue;
      if (b <= 10 && a <= 25 && VENT_NEAR.test(text.slice(Math.max(0, m.index - 40), m.index))) continue;
      // "4/10" is a pain score when pain is mentioned around it.
      if (
        b === 10 &&
        a <= 10 &&
        PAIN_NEAR.test(text.slice(Math.max(0, m.index - 30), m.index + m[0].length + 40))
      )
        continue;
      // Common fractions ("1/2", "2/3") count as dates only with a cue before them.
      if (a < b && b <= 4 && !DATE_CUE_BEFORE.test(before)) continue;
      // Motor strength grades come in series: "5/5 in the arms and 4/5 in the legs".
      if (
        b === 5 &&
        a <= 5 &&
        STRENGTH_NEAR.test(text.slice(Math.max(0, m.index - 40), m.index + 40).replace(m[0], ' '))
      )
        continue;
      // "2/2" and "5/5" are scores far more often than Feb 2nd or May 5th.
      if (a === b && a <= 5 && !AFTER_EVENT.test(before)) continue;
    }
    push(out, m.index, m.index + m[0].length, 'DATE');
  }
  MONTH_YEAR_NUMERIC.lastIndex = 0;
  for (let m = MONTH_YEAR_NUMERIC.exec(text); m; m = MONTH_YEAR_NUMERIC.exec(text)) {
    const y = m[2] ?? '';
    if (y.length === 2 && Number(y) <= 31) continue;
    if (isDuration(text, m.index, m.index + m[0].length, Number(y), shorthand)) continue;
    const after = text.slice(m.index + m[0].length, m.index + m[0].length + 16);
    if (FRACTION_AFTER.test(after)) continue;
    push(out, m.index, m.index + m[0].length, 'DATE');
  }
  scanGroup(text, ISO, 'DATE', out);
  scanGroup(text, DOTTED, 'DATE', out);
  scanGroup(text, GLUED_FULL_DATE, 'DATE', out);
  scanGroup(text, DATE_PAIR, 'DATE', out);
  scanGroup(text, DOT_YEAR, 'DATE', out);
}

function detectApostropheYears(text: string, out: Candidate[]): void {
  APOSTROPHE_YEAR.lastIndex = 0;
  for (let m = APOSTROPHE_YEAR.exec(text); m; m = APOSTROPHE_YEAR.exec(text)) {
    const before = text.slice(Math.max(0, m.index - 40), m.index);
    const lineBefore = before.slice(before.lastIndexOf('\n') + 1);
    if (!APOSTROPHE_YEAR_BEFORE.test(before) || DISTANCE_WORDS.test(lineBefore)) continue;
    push(out, m.index, m.index + 2, 'DATE');
  }
}

function detectMonthDates(text: string, digits: boolean, out: Candidate[]): void {
  for (const re of digits ? [MONTH_DAY, DAY_MONTH] : []) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const d = Number(m.groups?.d);
      if (d < 1 || d > 31 || !monthOk(m.groups?.m ?? '')) continue;
      push(out, m.index, m.index + m[0].length, 'DATE');
    }
  }
  MONTH_YEAR.lastIndex = 0;
  for (let m = digits ? MONTH_YEAR.exec(text) : null; m; m = MONTH_YEAR.exec(text)) {
    if (!monthOk(m.groups?.m ?? '')) continue;
    push(out, m.index, m.index + m[0].length, 'DATE');
  }
  scanGroup(text, MONTH_ALONE, 'DATE', out);
  if (digits) scanGroup(text, DAY_RANGE_MONTH, 'DATE', out);
}

function detectAges(text: string, out: Candidate[]): void {
  scanGroup(text, AGE_UNIT, 'AGE', out);
  scanGroup(text, AGE_LABEL, 'AGE', out);
  scanGroup(text, AGE_LINE_START, 'AGE', out);
  scanGroup(text, AGE_DECADE, 'AGE', out);
  scanGroup(text, AGE_WORDS, 'AGE', out);
}
