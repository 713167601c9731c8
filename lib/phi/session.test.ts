import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { PhiSession } from './session';

const NOTE =
  'Patient John Smith (MRN: 12345678) was seen by Dr. Foley on 7/22. Call 410-555-1234 or email jsmith@example.com.';

/** Feeds `text` to a stream restorer cut at the given offsets and joins what it emits. */
function streamed(session: PhiSession, text: string, cuts: number[], jsonEscaped = false): string {
  const r = session.streamRestorer({ jsonEscaped });
  const points = [...new Set(cuts)].filter((c) => c > 0 && c < text.length).sort((a, b) => a - b);
  let out = '';
  let at = 0;
  for (const p of points) {
    out += r.push(text.slice(at, p));
    at = p;
  }
  out += r.push(text.slice(at));
  return out + r.flush();
}

describe('PhiSession', () => {
  it('tokenizes by type with per-request numbering and restores the original', () => {
    const s = new PhiSession();
    const scrubbed = s.scrub(NOTE);
    expect(scrubbed).toContain('[NAME_1]');
    expect(scrubbed).toContain('[MRN_1]');
    expect(scrubbed).toContain('[DATE_1]');
    expect(scrubbed).toContain('[PHONE_1]');
    expect(scrubbed).toContain('[EMAIL_1]');
    expect(scrubbed).not.toContain('12345678');
    expect(scrubbed).not.toContain('jsmith@example.com');
    expect(s.restore(scrubbed)).toBe(NOTE);
  });

  it('maps the same value to the same token across calls of one session', () => {
    const s = new PhiSession();
    const a = s.scrub('Dr. Foley called.');
    const b = s.scrub('Later Dr. Foley came back; Dr. Marder too.');
    expect(a).toBe('Dr. [NAME_1] called.');
    expect(b).toBe('Later Dr. [NAME_1] came back; Dr. [NAME_2] too.');
    expect(s.counts()).toEqual({ NAME: 3 });
    expect(s.total()).toBe(3);
  });

  it('keeps no state between sessions', () => {
    const a = new PhiSession();
    const b = new PhiSession();
    a.scrub('Dr. Marder called.');
    expect(b.restore('[NAME_1]')).toBe('[NAME_1]');
    expect(b.scrub('Dr. Foley called.')).toBe('Dr. [NAME_1] called.');
    expect(a.restore('[NAME_1]')).toBe('Marder');
    expect(b.restore('[NAME_1]')).toBe('Foley');
  });

  it('restores the ways models bend tokens, and only issued tokens', () => {
    const s = new PhiSession();
    s.scrub('Dr. Foley saw him on 7/22.');
    expect(s.restore("[NAME_1]'s note")).toBe("Foley's note");
    expect(s.restore('NAME_1 agreed')).toBe('Foley agreed');
    expect(s.restore('[Name_1] and [name_1]')).toBe('Foley and Foley');
    expect(s.restore('**[NAME_1]** on `[DATE_1]`')).toBe('**Foley** on `7/22`');
    expect(s.restore('\\[NAME\\_1\\]')).toBe('Foley');
    expect(s.restore('[NAME_99] [NAME_10] [DATE_2] MY_NAME_1 NAME_1x')).toBe(
      '[NAME_99] [NAME_10] [DATE_2] MY_NAME_1 Foleyx',
    );
    expect(s.restore('no tokens at all')).toBe('no tokens at all');
  });

  it('JSON-escapes restored values for text inside a JSON string', () => {
    const s = new PhiSession();
    const scrubbed = s.scrubEntities('Ann "Jo" O\\Neil\nx', [{ start: 0, end: 15, type: 'NAME' }]);
    expect(scrubbed).toBe('[NAME_1]\nx');
    const args = '{"who":"[NAME_1]"}';
    const restored = s.restoreJsonEscaped(args);
    expect(JSON.parse(restored)).toEqual({ who: 'Ann "Jo" O\\Neil' });
  });

  it('never issues a token number that the caller already wrote literally', () => {
    const s = new PhiSession();
    const out = s.scrub('Template [NAME_1] stays; Dr. Foley is real.');
    expect(out).toBe('Template [NAME_1] stays; Dr. [NAME_2] is real.');
    expect(s.restore(out)).toBe('Template [NAME_1] stays; Dr. Foley is real.');
  });

  it('returns text without PHI unchanged and counts nothing', () => {
    const s = new PhiSession();
    const q = 'What is the usual dose of metoprolol for a 64 year old with AF?';
    expect(s.scrub(q)).toBe(q);
    expect(s.total()).toBe(0);
    expect(s.counts()).toEqual({});
  });
});

describe('stream restorer', () => {
  it('restores a token split at every offset and emits the rest without waiting', () => {
    const s = new PhiSession();
    s.scrub(NOTE);
    const answer =
      'Dear [NAME_1], your visit with Dr. [NAME_2] on [DATE_1] is confirmed. NAME_1 should call [PHONE_1].';
    const whole = s.restore(answer);
    for (let i = 0; i <= answer.length; i++) {
      for (let j = i; j <= answer.length; j += 7) expect(streamed(s, answer, [i, j])).toBe(whole);
    }
    const r = s.streamRestorer();
    expect(r.push('Hello ')).toBe('Hello ');
    expect(r.push('[NA')).toBe('');
    expect(r.push('ME_1] and')).toBe('John Smith and');
    expect(r.push(' [NAME_1')).toBe(' ');
    expect(r.push('0] x')).toBe('[NAME_10] x');
    expect(r.flush()).toBe('');
  });

  it('gives the same result as the whole-text restore for random chunkings (property)', () => {
    const s = new PhiSession();
    s.scrub(NOTE);
    const piece = fc.constantFrom(
      '[NAME_1]',
      'NAME_1',
      '[name_1]',
      '[DATE_1]',
      '[PHONE_1]',
      '[NAME_99]',
      '[NAME_',
      'NAME',
      '[',
      ']',
      '\\',
      '_1',
      ' ',
      'x',
      '\n',
      "'s",
      '**',
      'MRN_1',
      '[MRN\\_1\\]',
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(piece, fc.string({ maxLength: 6 })), { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (parts, cuts) => {
          const text = parts.join('');
          const points = cuts.map((c) => (text.length === 0 ? 0 : c % (text.length + 1)));
          expect(streamed(s, text, points)).toBe(s.restore(text));
          expect(streamed(s, text, points, true)).toBe(s.restoreJsonEscaped(text));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('restores JSON-escaped tool-call arguments split anywhere (property)', () => {
    fc.assert(
      fc.property(
        fc
          .oneof(
            fc.string({ minLength: 1, maxLength: 12 }),
            fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
            fc.constantFrom(
              'O"Brien',
              'back\\slash',
              'two\nlines',
              'tab\there',
              'Zoë Ünal',
              '😀 emoji',
              '"',
              '\\',
              '</script>',
            ),
          )
          .filter((v) => v.trim().length > 0),
        fc.array(fc.nat(), { maxLength: 8 }),
        (value, cuts) => {
          const s = new PhiSession();
          const name = `Dr. ${value}`;
          s.scrubEntities(name, [{ start: 4, end: name.length, type: 'NAME' }]);
          const args = JSON.stringify({ clinician: '[NAME_1]', note: 'seen by [NAME_1]\n' });
          const points = cuts.map((c) => c % (args.length + 1));
          const restored = streamed(s, args, points, true);
          expect(JSON.parse(restored)).toEqual({ clinician: value, note: `seen by ${value}\n` });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('passes text straight through when the session issued no token', () => {
    const s = new PhiSession();
    const r = s.streamRestorer();
    expect(r.push('[NAME_1')).toBe('[NAME_1');
    expect(r.flush()).toBe('');
  });
});

describe('scrub then restore (property)', () => {
  const phi = fc.constantFrom(
    'Dr. Foley',
    'Mr. Nicholson',
    '7/22',
    'Nov 3rd',
    '410-555-1234',
    'jdoe@example.org',
    'MRN: 00123456',
    'SSN 123-45-6789',
    'https://portal.example.com/p/123',
    '10.20.30.40',
    'daughter Maria',
    'Baltimore',
    '19 Clover Street',
  );
  const filler = fc.constantFrom(
    ' ',
    ', ',
    '. ',
    '\n',
    ' pt stable ',
    ' on heparin ',
    ' [x] ',
    ' called ',
    ' BP 120/80 ',
    ' "quote" ',
    ' back\\slash ',
  );
  it('gives back the original text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(phi, filler, fc.string({ maxLength: 8 })), { maxLength: 20 }),
        (parts) => {
          const text = parts.join(' ');
          const s = new PhiSession();
          const scrubbed = s.scrub(text);
          expect(s.restore(scrubbed)).toBe(text);
          for (const p of ['Dr. Foley', '410-555-1234', 'jdoe@example.org', '123-45-6789']) {
            if (text.includes(p)) expect(scrubbed).not.toContain(p);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
