import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { detect } from './detect';
import { withinCells, type TableSpan } from './detectors/records';
import { scrubRequestBody } from './payloads';
import { PhiSession } from './session';

// Structured patient records, read by meaning: FHIR resources, JSON with the usual field names, HL7 v2 segments,
// tables with a header, and names written last name first. Hand-written cases of each shape (issue 26).

type Json = Record<string, unknown>;
const leaks = (out: unknown, values: string[]) => values.filter((v) => JSON.stringify(out).includes(v));

/** The body a chat request sends with `content` as a tool's result, scrubbed. */
function scrubbedTool(content: string): string {
  const body: Json = { messages: [{ role: 'tool', tool_call_id: 'call_1', content }] };
  scrubRequestBody('chat', body, new PhiSession());
  return (body.messages as Json[])[0]!.content as string;
}

describe('FHIR resources', () => {
  const patient = {
    resourceType: 'Patient',
    id: 'example',
    identifier: [
      { system: 'http://hospital.example.org/mrn', value: '48291137', type: { coding: [{ code: 'MR' }] } },
    ],
    name: [{ use: 'official', family: 'Kowalczyk', given: ['Agnieszka', 'Maria'], prefix: ['Ms.'] }],
    telecom: [
      { system: 'phone', value: '(555) 018-2231', use: 'home' },
      { system: 'email', value: 'a.kowalczyk@example.net' },
    ],
    gender: 'female',
    birthDate: '1948-07-22',
    address: [
      { line: ['1532 Larkspur Lane', 'Apt 4'], city: 'Greenfield', state: 'MA', postalCode: '01301' },
    ],
    contact: [{ relationship: [{ text: 'daughter' }], name: { family: 'Nowak', given: ['Ewa'] } }],
  };
  const values = [
    'Kowalczyk',
    'Agnieszka',
    'Nowak',
    'Ewa',
    '48291137',
    '018-2231',
    'a.kowalczyk',
    '1948-07-22',
    'Larkspur',
    'Greenfield',
    '01301',
  ];

  it('a Patient in a tool result: names, identifiers, telecom, birth date and address', () => {
    const out = scrubbedTool(JSON.stringify(patient, null, 2));
    expect(leaks(out, values)).toEqual([]);
    // Still the same JSON, its structure and its other values as they were.
    const parsed = JSON.parse(out) as typeof patient;
    expect(parsed.gender).toBe('female');
    expect(parsed.address[0]!.state).toBe('MA');
    expect(parsed.name[0]!.given).toHaveLength(2);
  });

  it('the same Patient as a JSON field of the request (not text)', () => {
    const body: Json = { input: 'Summarize', metadata_record: structuredClone(patient) };
    scrubRequestBody('responses', body, new PhiSession());
    expect(leaks(body.metadata_record, values)).toEqual([]);
  });

  it('one value, one token, wherever it appears', () => {
    const s = new PhiSession();
    const body: Json = {
      messages: [
        {
          role: 'tool',
          tool_call_id: 'c',
          content: JSON.stringify({ name: [{ family: 'Kowalczyk', given: ['Agnieszka'] }] }),
        },
        { role: 'user', content: 'Is Agnieszka Kowalczyk due for her flu shot?' },
      ],
    };
    scrubRequestBody('chat', body, s);
    const tokens = JSON.stringify(body).match(/NAME_\d+/g) ?? [];
    expect(leaks(body, ['Kowalczyk', 'Agnieszka'])).toEqual([]);
    expect(new Set(tokens).size).toBeGreaterThanOrEqual(1);
  });
});

describe('JSON with the usual field names, in any case', () => {
  it.each([
    [
      { first_name: 'Tomasz', last_name: 'Wieczorek', dob: '03/04/1961', mrn: 48291137 },
      ['Tomasz', 'Wieczorek', '03/04/1961', '48291137'],
    ],
    [
      { firstName: 'Tomasz', lastName: 'Wieczorek', dateOfBirth: '1961-03-04', phoneNumber: '555 018 2231' },
      ['Tomasz', 'Wieczorek', '1961-03-04', '018 2231'],
    ],
    [
      { PATIENT_NAME: 'WIECZOREK, TOMASZ', SSN: '123-45-6789', Address_Line1: '77 Orchard Rd', ZIP: '01301' },
      ['WIECZOREK', 'TOMASZ', '123-45-6789', 'Orchard', '01301'],
    ],
  ])('%j', (record, values) => {
    expect(leaks(scrubbedTool(JSON.stringify(record)), values)).toEqual([]);
  });
});

describe('HL7 v2', () => {
  it('PID, NK1 and PV1 fields by their meaning', () => {
    const msg = [
      'MSH|^~\\&|ADT|GENHOSP|LAB|GENHOSP|202401020304||ADT^A01|MSG00001|P|2.5',
      'PID|1||48291137^^^GENHOSP^MR||WIECZOREK^TOMASZ^J||19610304|M|||77 ORCHARD RD^^GREENFIELD^MA^01301||(555)018-2231|||||ACC-99881|123-45-6789',
      'NK1|1|WIECZOREK^ANNA|SPO|77 ORCHARD RD^^GREENFIELD^MA^01301|(555)018-2232',
      'PV1|1|I|ICU^12^1|||||1234^LINDQVIST^ERIK^^^DR',
    ].join('\r');
    const found = detect(msg).map((e) => msg.slice(e.start, e.end));
    const text = found.join(' | ');
    for (const v of [
      '48291137',
      'WIECZOREK^TOMASZ',
      '19610304',
      'ORCHARD',
      '018-2231',
      '123-45-6789',
      'ANNA',
      'LINDQVIST',
    ])
      expect(text, v).toContain(v);
    // The message's own structure (sender, event type) is no identifier.
    expect(text).not.toContain('ADT^A01');
    // Typed by their field, not by their shape: PID-7 is a birth date, PID-5 a name.
    const typeOf = (v: string) => detect(msg).find((e) => msg.slice(e.start, e.end).includes(v))?.type;
    expect([typeOf('19610304'), typeOf('WIECZOREK^TOMASZ')]).toEqual(['DATE', 'NAME']);
  });
});

describe('tables with a header', () => {
  it('CSV: the columns a header names', () => {
    const csv =
      'mrn,last_name,first_name,dob,diagnosis\n48291137,Wieczorek,Tomasz,03/04/1961,CHF\n55102938,Okonkwo,Adaeze,11/09/1977,COPD\n';
    const spans = detect(csv);
    const covered = (v: string) => {
      const at = csv.indexOf(v);
      return spans.some((e) => e.start <= at && e.end >= at + v.length);
    };
    for (const v of [
      '48291137',
      'Wieczorek',
      'Tomasz',
      '03/04/1961',
      '55102938',
      'Okonkwo',
      'Adaeze',
      '11/09/1977',
    ])
      expect(covered(v), v).toBe(true);
    expect(covered('CHF')).toBe(false);
    expect(covered('COPD')).toBe(false);
  });

  it('one cell, one value, typed by its column: the table keeps its shape when scrubbed (generated)', () => {
    const given = fc.constantFrom('Hortensia', 'John', 'Adaeze', 'Tomasz', 'Maria', 'Kim', 'Erik');
    const family = fc.constantFrom(
      'Quackenbush',
      'Smith',
      'Okonkwo',
      'Wieczorek',
      'Gonzalez',
      'Nakamura',
      'Lindqvist',
    );
    const date = fc.constantFrom('1961-03-04', '03/04/1961', '1970-01-02', '11/09/1977');
    const town = fc.constantFrom('Salem', 'Greenfield', 'Baltimore', 'Springfield');
    fc.assert(
      fc.property(
        fc.constantFrom(',', '\t', ';', '|'),
        fc.array(fc.tuple(given, family, date, town), { minLength: 1, maxLength: 5 }),
        fc.constantFrom('', '\n', '\r\n'),
        (d, rows, end) => {
          const header = ['first_name', 'last_name', 'dob', 'city'];
          const csv = [header.join(d), ...rows.map((r) => r.join(d))].join('\n') + end;
          const found = detect(csv);
          // No finding runs across a delimiter or a row.
          for (const e of found) expect(csv.slice(e.start, e.end)).not.toMatch(/[\n\t,;|]/);
          // Every value is found whole, with its column's type.
          let at = csv.indexOf('\n') + 1;
          for (const row of rows) {
            row.forEach((value, k) => {
              const start = csv.indexOf(value, at);
              const e = found.find((f) => f.start <= start && f.end >= start + value.length);
              expect(e?.type, value).toBe(['NAME', 'NAME', 'DATE', 'LOCATION'][k]);
              at = start + value.length;
            });
          }
          // Scrubbed, it is still a table of as many rows and cells.
          const scrubbed = new PhiSession().scrub(csv);
          expect(scrubbed.split('\n').map((l) => l.split(d).length)).toEqual(
            csv.split('\n').map((l) => l.split(d).length),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('names in text', () => {
  it.each([
    ['Smith, John was seen today.', 'Smith, John'],
    ['SMITH, JOHN DOB 03/04/1961', 'SMITH, JOHN'],
    ['Gonzalez, Maria presented with chest pain.', 'Gonzalez, Maria'],
    ['John Smith 03/04/1961 noted.', 'John Smith'],
  ])('%s', (text, name) => {
    const found = detect(text).map((e) => [text.slice(e.start, e.end), e.type]);
    expect(found).toContainEqual([name, 'NAME']);
  });

  it('leaves commas between ordinary words alone', () => {
    for (const t of ['However, Mark the chart as reviewed.', 'Boston, Massachusetts'])
      expect(detect(t).filter((e) => e.type === 'NAME')).toEqual([]);
  });
});

describe('cells of a table', () => {
  // The parts a span keeps, by a walk over every table and every cell: what withinCells returns, found faster.
  function walked(start: number, end: number, tables: TableSpan[]): [number, number][] {
    const parts: [number, number][] = [];
    let at = start;
    for (const t of tables) {
      if (t.end <= at || t.start >= end) continue;
      if (t.start > at) parts.push([at, t.start]);
      for (let k = 0; k < t.cells.length; k += 2) {
        const a = Math.max(at, t.cells[k]!);
        const b = Math.min(end, t.cells[k + 1]!);
        if (b > a) parts.push([a, b]);
      }
      at = t.end;
    }
    if (end > at) parts.push([at, end]);
    return parts;
  }

  it('a span keeps the parts of it each cell holds and those outside every table, whatever the tables', () => {
    // Tables as detectTables makes them: sorted, disjoint, each a run of disjoint cells with gaps between them.
    const layout = fc.array(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 6 })), {
        minLength: 1,
        maxLength: 8,
      }),
      { maxLength: 5 },
    );
    fc.assert(
      fc.property(
        layout,
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 80 }),
        (ts, start, len) => {
          const tables: TableSpan[] = [];
          let at = 0;
          for (const cells of ts) {
            at += 3;
            const t: TableSpan = { start: at, end: 0, cells: [] };
            for (const [gap, width] of cells) {
              at += gap;
              t.cells.push(at, at + width);
              at += width;
            }
            t.end = t.cells[t.cells.length - 1]!;
            tables.push(t);
          }
          expect(withinCells(start, start + len, tables)).toEqual(walked(start, start + len, tables));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
