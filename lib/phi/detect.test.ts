import { beforeAll, describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { detect, JOINED, joinedMatches, warmUpPhi } from './detect';
import { PhiSession } from './session';
import { PHI_FREE_QUESTIONS } from './fixtures/phi-free-questions';
import { IDENTIFIER_CASES } from './fixtures/identifiers';

// The word lists load once (a second or two, more on a busy machine): not inside the first test's time.
beforeAll(() => warmUpPhi(), 60_000);

describe('PHI-free clinical questions', () => {
  it('has at least 150 hand-written questions', () => {
    expect(PHI_FREE_QUESTIONS.length).toBeGreaterThanOrEqual(150);
  });

  it.each(PHI_FREE_QUESTIONS.map((q) => [q]))('%s comes through scrub unchanged', (q) => {
    const s = new PhiSession();
    const found = detect(q).map((e) => `${e.type}:${q.slice(e.start, e.end)}`);
    expect(found).toEqual([]);
    expect(s.scrub(q)).toBe(q);
  });
});

describe('identifiers the corpus lacks', () => {
  it.each(IDENTIFIER_CASES.map((c) => [c.text, c]))('%s', (_text, c) => {
    const entities = detect(c.text);
    for (const { type, value } of c.expect) {
      const at = c.text.indexOf(value);
      expect(at, `fixture value ${value}`).toBeGreaterThanOrEqual(0);
      const covering = entities.find((e) => e.start <= at && e.end >= at + value.length);
      expect(
        covering && `${covering.type}:${c.text.slice(covering.start, covering.end)}`,
        `${type} ${value}`,
      ).toBe(covering ? `${type}:${c.text.slice(covering.start, covering.end)}` : `${type}:${value}`);
    }
    const scrubbed = new PhiSession().scrub(c.text);
    for (const { value } of c.expect) expect(scrubbed).not.toContain(value);
  });
});

describe('detect', () => {
  it('returns sorted, non-overlapping UTF-16 spans', () => {
    const text = 'Ünïcödé 😀 Dr. Foley saw Mr. Nicholson on 7/22 at 410-555-1234.';
    const entities = detect(text);
    for (let i = 1; i < entities.length; i++)
      expect(entities[i]!.start).toBeGreaterThanOrEqual(entities[i - 1]!.end);
    const found = entities.map((e) => text.slice(e.start, e.end));
    for (const v of ['Foley', 'Nicholson', '7/22', '410-555-1234']) expect(found).toContain(v);
  });

  it('keeps clinical words that are also names, and relative times', () => {
    for (const t of [
      'Foley draining clear yellow urine.',
      'FOLEY TO GRAVITY. MAE. PERRL.',
      'Surgery 3 days ago; rounds in 2 weeks.',
      "Hx of Parkinson's, on Sinemet.",
      'Born in 1948, she is 76.',
    ]) {
      expect(detect(t)).toEqual([]);
    }
  });

  it('finds names from context in all-caps and lower-case notes', () => {
    const caps = 'DR SMITH AWARE. SON BILL CALLED.';
    expect(detect(caps).map((e) => caps.slice(e.start, e.end))).toEqual(['SMITH', 'BILL']);
    const lower = 'spoke with dr healey. daughter maria in to visit.';
    expect(detect(lower).map((e) => lower.slice(e.start, e.end))).toEqual(['healey', 'maria']);
  });

  it('stays linear on hostile input (one huge word, long runs of digits and symbols)', () => {
    const started = performance.now();
    for (const t of [
      'a'.repeat(100_000),
      'transfer to ' + 'b'.repeat(50_000) + ' 5',
      '1-'.repeat(50_000),
      'a@'.repeat(20_000),
      '#a1 '.repeat(20_000),
    ]) {
      detect(t);
    }
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('keeps the shapes the newer rules look for when their cue is missing', () => {
    const cases: [string, string[]][] = [
      // A two-digit year after a comma needs a clock time or the line's end after it.
      ['On Apr 3, 12 units were given.', ['DATE:Apr 3']],
      // Feet, degrees and ranges take the same apostrophe as a year.
      ["AMBULATED 40' X2. HOB 30'. HR 70-80' WITH PVCS.", []],
      ["HPI:\n Fall from ladder 12'.\n Laceration 3 cm long.", []],
      // A work cue needs a name after it; a lower-case generic place is no name.
      ['Works at home; retired from teaching; director of nursing aware.', []],
      ['The Director of Nursing Services and the consultant for Pulmonary Medicine are on leave.', []],
      ['She was sent to the cancer Institute for a second opinion.', []],
      // A lower-case facility name counts only where a place is expected.
      ['Sacred heart Memorial service planned by the family chaplain.', []],
      // "MR d/t": mitral regurgitation, not a title; a percentage is no ward number; an old state abbreviation is no town.
      ['Severe MR d/t MVR; daughter visiting from calif.', []],
      ['weaned to ventimask 40% overnight, sats 94%.', []],
      // A disease named after a person after "from" is no place.
      ['How is Bartter syndrome told apart from Gitelman syndrome or from Liddle syndrome?', []],
      // Drugs and diseases no list holds, known by their endings.
      ['Discussed Tralokinumab Lebrikizumab with the team; Nocardiosis Aspergillomas ruled out.', []],
      // Units listed with slashes around a word that is not a name.
      ['MICU/Surgery/CCU teams aware, vanco/zosyn continued.', []],
    ];
    for (const [t, want] of cases)
      expect(
        detect(t).map((e) => `${e.type}:${t.slice(e.start, e.end)}`),
        t,
      ).toEqual(want);
  });

  it('treats a year alone and relative dates as not PHI but month/day as a date', () => {
    const t = 'MI in 1992, CABG 7/22, seen Nov 3rd, 3 days ago.';
    expect(detect(t).map((e) => `${e.type}:${t.slice(e.start, e.end)}`)).toEqual([
      'DATE:7/22',
      'DATE:Nov 3rd',
    ]);
  });
});

describe('phone numbers as notes write them', () => {
  it('finds a US number whatever the spaces around its dashes or dots', () => {
    const sep = fc.constantFrom('-', '.', ' ', '- ', ' -', ' - ', '. ');
    const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n });
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 9 }),
        digits(2),
        digits(3),
        digits(4),
        sep,
        sep,
        (a, b, c, d, s1, s2) => {
          const phone = `${a}${b.join('')}${s1}${c.join('')}${s2}${d.join('')}`;
          const text = `Call the daughter at ${phone} after rounds.`;
          const at = text.indexOf(phone);
          const e = detect(text).find((x) => x.type === 'PHONE');
          expect(e && text.slice(e.start, e.end)).toBe(phone);
          expect(e?.start).toBe(at);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('quantities with their units', () => {
  it('are never part of a place, after a time or alone (generated)', () => {
    const unit = fc.constantFrom('MG', 'mg', 'CC', 'cc', 'MEQ', 'mEq', 'u', 'U', 'ML', 'mcg', 'KG');
    const drug = fc.constantFrom('LASIX', 'KCL', 'reg insulin', 'NS', 'heparin', 'Zosyn', 'D5W', 'ativan');
    const time = fc.integer({ min: 0, max: 2359 }).map((n) => String(n).padStart(4, '0'));
    fc.assert(
      fc.property(time, fc.integer({ min: 1, max: 999 }), unit, drug, fc.boolean(), (at, n, u, d, upper) => {
        const raw = `Gave 40 mg at 1400, ALSO AT ${at} ${n}${u} ${d} IV GIVEN.`;
        const text = upper ? raw.toUpperCase() : raw;
        const qty = upper ? `${n}${u}`.toUpperCase() : `${n}${u}`;
        const q = text.indexOf(` ${qty} `, 20) + 1;
        expect(q).toBeGreaterThan(0);
        const covering = detect(text).filter((e) => e.type === 'LOCATION' && e.start <= q && e.end > q);
        expect(covering).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('leave a street address whole', () => {
    const text = 'Lives at 1600 Pennsylvania Avenue, Washington DC 20500; seen at 22 Baker Street 3B.';
    const places = detect(text)
      .filter((e) => e.type === 'LOCATION')
      .map((e) => text.slice(e.start, e.end));
    expect(places).toEqual(['1600 Pennsylvania Avenue, Washington DC 20500', '22 Baker Street 3B']);
  });
});

describe('postal codes after their label', () => {
  it('are found whole in the dashed shapes of the US, Brazil and Japan (generated)', () => {
    const label = fc.constantFrom(
      'ZIP:',
      'Zip code',
      'my zip code is',
      'Postal code:',
      'POSTCODE',
      'Postcode #',
    );
    const digits = (n: number) => fc.stringMatching(new RegExp(`^\\d{${n}}$`));
    const code = fc.oneof(
      fc.tuple(digits(5), digits(4)).map(([a, b]) => `${a}-${b}`),
      fc.tuple(digits(5), digits(3)).map(([a, b]) => `${a}-${b}`),
      fc.tuple(digits(3), digits(4)).map(([a, b]) => `${a}-${b}`),
    );
    fc.assert(
      fc.property(label, code, (l, c) => {
        const text = `Send it to her, ${l} ${c}, by Friday.`;
        const at = text.indexOf(c);
        const covering = detect(text).filter((e) => e.start <= at && e.end >= at + c.length);
        // A location, or an id where a "#" stands before it: replaced whole either way.
        expect(covering).toHaveLength(1);
      }),
      { numRuns: 300 },
    );
  });
});

describe("an address's last line", () => {
  it('keeps its postcode after a blank line or behind a bullet (generated)', () => {
    const street = fc.constantFrom('42 Oak Street', '1200 Main St', '9 Harbor Road', '77 Elm Avenue');
    const town = fc.constantFrom('Springfield', 'Boston', 'Portland', 'Denver', 'Oxford');
    const country = fc.constantFrom('Denmark', 'Estonia', 'New Zealand', 'Sweden', 'Finland', 'Brazil');
    const postcode = fc.integer({ min: 10_000, max: 99_999 }).map(String);
    const blank = fc.boolean();
    // "???" is what a bullet becomes in the wrong encoding.
    const bullet = fc.constantFrom('', '• ', '??? ');
    fc.assert(
      fc.property(street, town, country, postcode, blank, bullet, (s, t, c, z, gap, b) => {
        const text = `Ship to:\n ${s}\n Suite 12\n ${t}\n${gap ? '\n' : ''} ${b}${c} ${z}`;
        const at = text.lastIndexOf(z);
        const covering = detect(text).filter((e) => e.start <= at && e.end >= at + z.length);
        expect(covering.map((e) => e.type)).toEqual(['LOCATION']);
      }),
      { numRuns: 300 },
    );
  });
});

describe('words joined as code joins them', () => {
  it('are found where a scan of the whole text finds them, only faster (generated)', () => {
    // Letters of both cases (also beyond ASCII and beyond the first plane), digits, underscores, apostrophes and the
    // separators around them: every way a run can start, end or be cut.
    const piece = fc.constantFrom(
      'a',
      'b',
      'x',
      'A',
      'B',
      'Z',
      'é',
      'É',
      'ß',
      '𝐀',
      '𝐚',
      '😀',
      '1',
      '9',
      '_',
      '__',
      "'",
      '’',
      ' ',
      '-',
      '.',
      '\n',
      'john',
      'Smith',
      'maria_gonzalez',
      'johnSmith',
      'mmHg',
      'O',
      'McBurney',
      'déjàVu',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        const whole = [...text.matchAll(JOINED)].map((m): [number, string] => [m.index, m[0]]);
        expect(joinedMatches(text)).toEqual(whole);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("a field's name before its number", () => {
  it('is no name, also when the label word is a given name too ("Fax", "Page") (generated)', () => {
    const label = fc.constantFrom(
      'Fax',
      'FAX',
      'fax',
      'Page',
      'Pager',
      'Phone',
      'Tel',
      'Mobile',
      'Cell',
      'Home',
      'Work',
    );
    const number = fc.constantFrom(
      '+41 (0)62 585 51 90',
      '9498777106',
      '345-899-3560x4587',
      '(898)666-3621x0135',
      '0490 39 07 81',
      '4512',
    );
    const person = fc.constantFrom('Maria Gonzalez', 'Dr. Alan Brooks', 'Kim Nakamura', 'Olle Lindqvist');
    fc.assert(
      fc.property(
        person,
        fc.array(fc.tuple(label, fc.constantFrom(': ', ':', '# ', ' : '), number), {
          minLength: 1,
          maxLength: 4,
        }),
        (who, fields) => {
          const lines = fields.map(([l, sep, n]) => `${l}${sep}${n}`);
          const text = `Contact: ${who}\n${lines.join('\n')}`;
          const found = detect(text);
          let at = text.indexOf('\n') + 1;
          for (const [l] of fields) {
            const start = at;
            expect(
              found.filter(
                (e) => e.start < start + l.length && e.end > start && e.type !== 'FAX' && e.type !== 'PHONE',
              ),
            ).toEqual([]);
            at = text.indexOf('\n', at) + 1;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('a name the text also writes in lower case', () => {
  it('is found whole where it is capitalised, and again where it is not (generated)', () => {
    // Given names that are also words ("maria", "grace", "mark"), surnames no ordinary word spells.
    const given = fc.constantFrom('Maria', 'Grace', 'Mark', 'Rose', 'Faith', 'Hope', 'Joy');
    const surname = fc.constantFrom(
      'Gonzalez',
      'Okonkwo',
      'Wieczorek',
      'Lindqvist',
      'Nakamura',
      'Brzezinski',
    );
    const label = fc.constantFrom('Patient: ', 'Pt: ', 'Name: ', '');
    fc.assert(
      fc.property(given, surname, label, (g, s, l) => {
        const full = `${g} ${s}`;
        const text = `${l}${full}. Ms. ${s} reports pain; ${full.toLowerCase()} signed the consent.`;
        const found = detect(text);
        const covered = (at: number, len: number) => found.some((e) => e.start <= at && e.end >= at + len);
        expect(covered(l.length, full.length), `${full} in ${text}`).toBe(true);
        expect(covered(text.lastIndexOf(s.toLowerCase()), s.length), `${s.toLowerCase()} in ${text}`).toBe(
          true,
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe('a title in a note written all in capitals', () => {
  it('names no ordinary word after it, and still the names after it (generated)', () => {
    const title = fc.constantFrom('MS.', 'MS', 'DR.', 'MR.');
    const word = fc.constantFrom('TOLERATING', 'IMPROVING', 'UNCHANGED', 'FOLLOWING', 'DECREASED', 'APPEARS');
    const name = fc.constantFrom('GONZALEZ', 'OKONKWO', 'WIECZOREK', 'LINDQVIST', 'NAKAMURA');
    fc.assert(
      fc.property(title, word, name, (t, w, n) => {
        const text = `NEURO: ALERT. ${t} ${w} EXTUBATION, NO DISTRESS. SEEN BY DR. ${n} THIS AM. PLAN: CONT TO MONITOR.`;
        const found = detect(text);
        const at = text.indexOf(` ${w} `) + 1;
        expect(found.filter((e) => e.start < at + w.length && e.end > at)).toEqual([]);
        const nameAt = text.indexOf(n);
        expect(found.some((e) => e.type === 'NAME' && e.start <= nameAt && e.end >= nameAt + n.length)).toBe(
          true,
        );
      }),
      { numRuns: 120 },
    );
  });
});
