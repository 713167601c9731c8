import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { PRIORITY, type Candidate, type PhiType } from '../types';
import { G } from './gates';

// Validated patterns and labelled identifiers. Every regex is compiled once, here.

function push(out: Candidate[], start: number, end: number, type: PhiType, bonus: number): void {
  if (end > start) out.push({ start, end, type, priority: PRIORITY[type] + bonus });
}

/** Runs a global regex whose group `v` (or the whole match) is the identifier. */
/** Labelled findings ("IMEI 4901…") outrank bare patterns (a Luhn-valid number) when they overlap. */
const LABELLED = 5;

function scan(
  text: string,
  re: RegExp,
  type: PhiType,
  out: Candidate[],
  accept?: (value: string, m: RegExpExecArray) => boolean,
): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const v = m.groups?.v ?? m[0];
    const start = m.index + m[0].lastIndexOf(v);
    if (accept && !accept(v, m)) continue;
    push(out, start, start + trimEnd(v), type, m.groups?.v !== undefined ? LABELLED : 0);
  }
}

/** Length of `v` without trailing punctuation that belongs to the sentence. */
function trimEnd(v: string): number {
  let n = v.length;
  while (n > 0 && '.,;:!?)]}>\'"'.includes(v[n - 1] ?? '')) n--;
  return n;
}

export function luhn(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

// A local part has at most 64 characters (RFC 5321): the bound keeps a long run before an "@" from being read
// again from each of its word boundaries.
const EMAIL = /\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g;
const URL_SCHEME = /\b(?:https?|ftp|sftp):\/\/[^\s<>"'`]+/gi;
const URL_WWW = /\bwww\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:\/[^\s<>"'`]*)?/gi;
const URL_BARE =
  /\b(?<![@.\w-])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|org|net|edu|gov|io|us|info|health|care|biz|co\.uk|ly)\b(?:\/[^\s<>"'`]*)?(?![\w@])/gi;
const IPV4 =
  /(?<![\w./])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\/\d{1,2})?(?![\w.]*\d)/g;
const IPV6 = /(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){2,7}(?::|[0-9A-Fa-f]{1,4})(?:::?[0-9A-Fa-f]{1,4})*(?![\w:])/g;
const MAC = /\b(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}\b/g;

const SSN_FORMATTED = /\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b/g;
const SSN_LABELLED =
  /\b(?:SSN|SS#|SS\s?No\.?|social\s+security(?:\s+(?:number|no\.?|#))?)[\s:#]*(?:is[\s:#]*)?(?<v>\d{3}[- ]?\d{2}[- ]?\d{4})\b/gi;

// US-style phone numbers, including the bent forms seen in notes ("(240444-1243)", "301 944-5032", a space around
// the dashes: "410- 555- 2301").
const PHONE_US =
  /(?<![\w/.]|\d-)(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}(?:\s?[.-]\s?|\s)?|\(\d{3})\d{3}(?:\s?[.-]\s?|\s)?\d{4}(?:\s*(?:x|ext\.?|extension)\s*\d{1,5})?(?![\d/-]|\.\d)/gi;
const PHONE_INTL = /(?<![\w+])\+\d[\d\s().-]{6,18}\d/g;
const PHONE_SPACED = /(?<!\d)\(?\d{3}\)?\s\d{3}\s\d{4,5}\)?(?!\d)/g;
const PAGER =
  /\b(?:pager|pgr|beeper|bpr|pg|page|cell|cellphone|mobile|tel|telephone|phone|ph|ext|extension|call|beep)\s*(?:#|no\.?|number|num)?\s*[:#-]?\s*(?<v>\d{4,5})(?!\d|[/:.]\d|\s*(?:mg|ml|cc|units?|am|pm)\b)/gi;
// A seven-digit local number only with a phone word before it: "555-1234" alone is as likely a range.
const PHONE_LOCAL =
  /\b(?:phone|ph|cell|tel|telephone|call|home|work|office|contact|reached\s+at|reach\s+at|number|mobile)\s*(?:#|no\.?|number)?\s*[:#-]?\s*(?:is\s*)?(?<v>\d{3}[-.]\d{4})(?![\d-])/gi;
const FAX_LABEL = /\bfax\b[^\n\d]{0,24}?(?<v>\+?[\d(][\d\s().-]{6,16}\d)/gi;

const MRN =
  /\b(?:MRN|MR\s?#|MR\s?No\.?|med(?:ical)?\s+rec(?:ord)?s?(?:\s+(?:number|no\.?|#))?|hospital\s+(?:number|no\.?|#)|unit\s+(?:number|no\.?|#)|chart\s+(?:number|no\.?|#)|patient\s+(?:id|number|no\.?|#)|pt\s+(?:id|#))[\s:#]*(?:is[\s:#]*)?(?<v>[A-Z]{0,4}[-]?\d[\d-]{3,}[A-Z0-9]*)/gi;
const HEALTH_PLAN =
  /\b(?:member|subscriber|beneficiary|medicare|medicaid|insurance|insurer|health\s+plan|plan|policy|group|HICN|MBI|HIC|payer|BCBS|blue\s+cross)(?:\s+(?:id|identifier|number|no\.?|#|card))*[\s:#]*(?:is[\s:#]*)?(?<v>(?=[A-Z0-9-]{0,64}\d)[A-Z0-9][A-Z0-9-]{4,})/gi;
const MBI =
  /\b[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y]{2}\d{2}\b/g;
const ACCOUNT =
  /\b(?:account|acct|billing|invoice|encounter|visit|FIN|claim|bank|routing|iban)(?:\s+(?:id|number|no\.?|#))*[\s:#]*(?:is[\s:#]*)?(?<v>(?=[A-Z0-9-]{0,64}\d)[A-Z0-9][A-Z0-9-]{3,})/gi;
const CARD = /(?<![\d-])(?:\d{4}[ -]?){3}\d{1,7}(?![\d-])/g;
const LICENSE =
  /\b(?:licen[cs]e|lic|DEA|NPI|certificate|cert|certification|registration|permit|driver'?s\s+licen[cs]e|passport)(?:\s+(?:id|number|no\.?|#))*[\s:#]*(?:is[\s:#]*)?(?<v>(?=[A-Z0-9-]{0,64}\d)[A-Z0-9][A-Z0-9-]{3,})/gi;
const DEA = /\b[ABCDEFGHJKLMNPRSTUX][A-Z9]\d{7}\b/g;
const VIN = /\b[A-HJ-NPR-Z0-9]{17}\b/g;
const VIN_LABEL =
  /\b(?:VIN|vehicle\s+(?:id|identification)(?:\s+(?:number|no\.?|#))?)\s*[:#]?\s*(?<v>[A-HJ-NPR-Z0-9]{11,17})\b/gi;
const PLATE =
  /\b(?:licen[cs]e\s+plate|plate|tag)(?:\s+(?:number|no\.?|#))?\s*[:#]?\s*(?<v>(?=[A-Z0-9-]{0,64}\d)[A-Z0-9][A-Z0-9 -]{1,7}[A-Z0-9])\b/gi;
const DEVICE =
  /\b(?:serial|S\/N|SN|device(?:\s+id)?|UDI|IMEI|MEID|lot|model\/serial|implant(?:\s+id)?|pacemaker|ICD|generator|pump)(?:\s+(?:id|number|no\.?|#))*\s*(?:is\s*)?[:#]\s*(?<v>(?=[A-Z0-9-]{0,64}\d)[A-Z0-9][A-Z0-9-]{3,})/gi;
const DEVICE_UNLABELLED_COLON =
  /\b(?:serial|S\/N|IMEI|UDI|MEID)(?:\s+(?:number|no\.?|#))?\s+(?<v>(?=[A-Z0-9-]{0,64}\d)[A-Z0-9][A-Z0-9-]{3,})/gi;
const UDI = /\(01\)\d{14}(?:\(\d{2}\)[A-Z0-9]+)*/g;
const BIOMETRIC =
  /\b(?:fingerprint|finger\s?print|retina(?:l)?(?:\s+scan)?|iris(?:\s+(?:scan|template))?|voice\s?print|face\s?print|facial\s+template|palm\s?print|biometric|DNA\s+profile)(?:\s+(?:id|identifier|template|hash|number|no\.?|#|record))*\s*[:#]\s*(?<v>(?=[A-Za-z0-9-]{0,64}\d)[A-Za-z0-9][A-Za-z0-9-]{3,})/gi;
const GENERIC_ID =
  /\b(?:ref|reference|case|order|requisition|accession|confirmation|conf|ticket|specimen|tracking|employee|badge|identifier|id|file|record|policy)\s*(?:#|no\.?|number)\s*[:#]?\s*(?<v>(?=[A-Za-z0-9-]{0,64}\d)[A-Za-z0-9][A-Za-z0-9-]*)/gi;
// "ID HP-2231", "Id: 44-5521": an identifier of any shape with a digit after "ID" (case matters: "id" is a word).
const ID_LABEL = /\b(?:ID|Id)\b[ \t]*[:#]?[ \t]*#?(?<v>(?=[A-Za-z0-9-]{0,64}\d)[A-Za-z0-9][A-Za-z0-9-]{3,})/g;
const HASH_ID =
  /(?<![\w&])#\s?(?<v>(?=[A-Za-z0-9-]{0,64}\d)(?:[A-Za-z]{1,4}\d[A-Za-z0-9-]*|\d{4,}[A-Za-z0-9-]*))/g;
const LONG_NUMBER = /(?<![\w.,/-])\d{7,}(?![\w.,/-]?\d)/g;
// International bank account numbers, plain or in groups of four; kept only when the ISO 13616 check holds.
const IBAN_START = /[A-Za-z]{2}\d{2}[ ]?[A-Za-z0-9]{4}/;
const IBAN = /\b[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]{4}){2,7}(?:[ ]?[A-Za-z0-9]{1,4})?\b/g;
// Phone numbers as countries write them: groups of digits with spaces, dots or dashes, perhaps a country code and
// an area code in brackets ("01.84.17.61.18", "+46 (0)157 548 89", "(37) 788-063", "78 651 450").
const PHONE_GROUPED =
  /(?=[\d+(])(?<![\w.+/-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{1,5}(?:[ .-]\d{2,6}){1,5}(?!\w|-\d|[./]\d)/g;
const PHONE_CUE =
  /\b(?:phone|ph|tel|telephone|call|called|calling|cell|mobile|mob|fax|office|desk|home|work|contact|reach|reached|number|no|text|txt|whatsapp|answering|dial|ring|messages?|sms|receiving|reach)\b[^\d]{0,16}$/i;
const OPENS_LIKE_PHONE = /^[+(]/;
const DECIMAL_START = /^\d\.\d/;
const CLOCK_RANGE = /(?:^|\D)(?:[01]\d|2[0-3])[0-5]\d[ ]?-[ ]?(?:[01]\d|2[0-3])[0-5]\d(?:\D|$)/;
const DATE_SHAPE = /^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$/;

const HAS_LETTER = /[A-Za-z]/;
const TLD_END = /\.[a-z]+$/i;
const ABBREVIATION = /^(?:e\.g|i\.e)\b/i;
const NON_DIGITS = /\D/g;
const HAS_DIGIT = /\d/;
const HAS_CAPITAL = /[A-Z]/;
const HEX_LETTER = /[A-Fa-f]/;
const HAS_WWW = /www\./i;
const HAS_SN = /s\/n/i;
const MAC_SHAPE = /^(?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/;
const TEN_DIGITS = /^\d{10}$/;
const HAS_TLD = /\.(?:com|org|net|edu|gov|io|us|info|health|care|biz|co\.uk|ly)\b/i;
const HAS_COLON_HEX = /[0-9A-Fa-f]:[0-9A-Fa-f]{1,4}:/;

const TLD_HIT = /\.(?:com|org|net|edu|gov|io|us|info|health|care|biz|co\.uk|ly)\b/gi;
const URL_BOUNDARY = /[\s<>"'`(]/;

/** Bare domains: the URL regex runs only on the word around each domain ending, not the whole text. */
function scanAroundTlds(text: string, out: Candidate[]): void {
  TLD_HIT.lastIndex = 0;
  let done = 0;
  for (let m = TLD_HIT.exec(text); m; m = TLD_HIT.exec(text)) {
    let start = m.index;
    while (start > done && !URL_BOUNDARY.test(text[start - 1] ?? ' ')) start--;
    let end = m.index + m[0].length;
    while (end < text.length && !URL_BOUNDARY.test(text[end] ?? ' ')) end++;
    if (start < done) continue;
    const word = text.slice(start, end);
    const found: Candidate[] = [];
    scan(
      word,
      URL_BARE,
      'URL',
      found,
      (v) => HAS_LETTER.test(v.replace(TLD_END, '')) && !ABBREVIATION.test(v),
    );
    for (const f of found)
      out.push({ start: f.start + start, end: f.end + start, type: f.type, priority: f.priority });
    done = end;
    TLD_HIT.lastIndex = end;
  }
}

const EMAIL_CHAR = /[A-Za-z0-9._%+@-]/;

/** E-mail addresses: the pattern runs only on the run of address characters around each "@". */
function scanAroundAts(text: string, out: Candidate[]): void {
  let from = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', from)) {
    // At most a local part's 64 characters before it and a domain's 255 after (RFC 5321): an address is no longer.
    let start = at;
    const least = Math.max(from, at - 64);
    while (start > least && EMAIL_CHAR.test(text[start - 1] ?? ' ')) start--;
    let end = at + 1;
    const most = Math.min(text.length, at + 1 + 255);
    while (end < most && EMAIL_CHAR.test(text[end] ?? ' ')) end++;
    const found: Candidate[] = [];
    scan(text.slice(start, end), EMAIL, 'EMAIL', found);
    for (const f of found)
      out.push({ start: f.start + start, end: f.end + start, type: f.type, priority: f.priority });
    from = end;
  }
}

function phoneDigits(v: string): string {
  return v.replace(NON_DIGITS, '');
}

/** ISO 13616: the account moved behind its country and check digits, letters as numbers, modulo 97 is 1. */
function validIban(v: string): boolean {
  const s = v.replace(/ /g, '').toUpperCase();
  if (s.length < 15 || s.length > 34) return false;
  const moved = s.slice(4) + s.slice(0, 4);
  let rest = 0;
  for (const ch of moved) {
    const code = ch.charCodeAt(0);
    const digits = code >= 65 ? String(code - 55) : ch;
    for (const d of digits) rest = (rest * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rest === 1;
}

/** Grouped digits read as a phone number: three groups or more, or two after a phone word. */
function groupedPhone(text: string, out: Candidate[]): void {
  PHONE_GROUPED.lastIndex = 0;
  for (let m = PHONE_GROUPED.exec(text); m; m = PHONE_GROUPED.exec(text)) {
    const v = m[0];
    const digits = phoneDigits(v).length;
    if (digits < 7 || digits > 15 || DATE_SHAPE.test(v)) continue;
    // "7.38-33-169", "7.38 47 72 95": a blood gas opens with a decimal, a phone number never does.
    if (DECIMAL_START.test(v)) continue;
    const groups = v.split(/[ .()-]+/).filter(Boolean).length;
    const cue = PHONE_CUE.test(text.slice(Math.max(0, m.index - 32), m.index));
    // "500 14 5" and "120 80" are numbers in a row; a phone has long groups or a cue before it.
    const long = digits >= 10;
    if (
      !cue &&
      !long &&
      (groups < 3 || digits < 8 || (v.includes(' ') && !OPENS_LIKE_PHONE.test(v) && groups < 4))
    )
      continue;
    // "0700-1900" is a shift, not a number to call.
    if (CLOCK_RANGE.test(v)) continue;
    // Below a labelled identifier's priority: "Case # 2023-11-0045" is an ID, whatever its shape.
    push(out, m.index, m.index + v.length, 'PHONE', -10);
  }
}

const VIN_LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ';
const VIN_LETTER_VALUES = [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9];
const VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/** ISO 3779 check digit (position 9). */
function validVin(v: string): boolean {
  if (!HAS_DIGIT.test(v) || !HAS_CAPITAL.test(v)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const c = v[i] ?? '';
    const value = c >= '0' && c <= '9' ? Number(c) : (VIN_LETTER_VALUES[VIN_LETTERS.indexOf(c)] ?? 0);
    sum += value * (VIN_WEIGHTS[i] ?? 0);
  }
  const check = sum % 11 === 10 ? 'X' : String(sum % 11);
  return v[8] === check;
}

function validDea(v: string): boolean {
  const d = v.slice(2);
  const n = (i: number): number => Number(d[i]);
  const sum = n(0) + n(2) + n(4) + 2 * (n(1) + n(3) + n(5));
  return sum % 10 === n(6);
}

export function detectPatterns(text: string, gates: number, out: Candidate[]): void {
  // Cheap gates first: most clinical text has no "@", no "://" and no domain ending.
  if (text.includes('@')) scanAroundAts(text, out);
  if (text.includes('://')) scan(text, URL_SCHEME, 'URL', out);
  if (HAS_WWW.test(text)) scan(text, URL_WWW, 'URL', out);
  if (HAS_TLD.test(text)) scanAroundTlds(text, out);
  if (!HAS_DIGIT.test(text)) return;
  if (text.includes('.')) scan(text, IPV4, 'IP', out);
  if (HAS_COLON_HEX.test(text)) {
    scan(
      text,
      IPV6,
      'IP',
      out,
      (v) => !MAC_SHAPE.test(v) && (v.includes('::') || (v.split(':').length >= 6 && HEX_LETTER.test(v))),
    );
    scan(text, MAC, 'DEVICE', out);
  }

  scan(text, SSN_FORMATTED, 'SSN', out);
  if (gates & G.ssn) scan(text, SSN_LABELLED, 'SSN', out);

  if (gates & G.fax) scan(text, FAX_LABEL, 'FAX', out);
  scan(text, PHONE_US, 'PHONE', out, (v) => {
    const d = phoneDigits(v);
    const core = d.length === 11 && d.startsWith('1') ? d.slice(1) : d.slice(0, 10);
    // An unformatted run of ten digits is as likely an account number: leave it to the labelled rules.
    if (TEN_DIGITS.test(v)) return false;
    return core.length === 10 && core[0] !== '0';
  });
  if (text.includes('+'))
    scan(text, PHONE_INTL, 'PHONE', out, (v) => parsePhoneNumberFromString(v)?.isPossible() ?? false);
  scan(text, PHONE_SPACED, 'PHONE', out);
  groupedPhone(text, out);
  if (IBAN_START.test(text)) scan(text, IBAN, 'ACCOUNT', out, validIban);
  if (gates & G.pager) {
    scan(text, PAGER, 'PHONE', out);
    scan(text, PHONE_LOCAL, 'PHONE', out);
  }

  if (gates & G.mrn) scan(text, MRN, 'MRN', out);
  if (gates & G.plan) scan(text, HEALTH_PLAN, 'HEALTH_PLAN', out);
  scan(text, MBI, 'HEALTH_PLAN', out);
  if (gates & G.account) scan(text, ACCOUNT, 'ACCOUNT', out);
  scan(text, CARD, 'ACCOUNT', out, (v) => {
    const d = phoneDigits(v);
    return d.length >= 13 && d.length <= 19 && luhn(d);
  });
  if (gates & G.license) scan(text, LICENSE, 'LICENSE', out);
  scan(text, DEA, 'LICENSE', out, validDea);
  if (gates & G.vehicle) {
    scan(text, VIN_LABEL, 'VEHICLE', out);
    scan(text, PLATE, 'VEHICLE', out);
  }
  // A VIN is one run of 17 capitals and digits, so one word of the text at least that long.
  if (gates & G.long) scan(text, VIN, 'VEHICLE', out, validVin);
  if (gates & G.device || HAS_SN.test(text)) {
    scan(text, DEVICE, 'DEVICE', out);
    scan(text, DEVICE_UNLABELLED_COLON, 'DEVICE', out);
  }
  if (text.includes('(01)')) scan(text, UDI, 'DEVICE', out);
  if (gates & G.biometric) scan(text, BIOMETRIC, 'BIOMETRIC', out);
  if (gates & G.id) scan(text, GENERIC_ID, 'ID', out);
  if (text.includes('#')) scan(text, HASH_ID, 'ID', out);
  if (text.includes('ID') || text.includes('Id')) scan(text, ID_LABEL, 'ID', out, (v) => !DATE_SHAPE.test(v));
  scan(text, LONG_NUMBER, 'ID', out);
}
