import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { detect } from './detect';
import { joinWindows, PhiOffload, ScanTooLarge, TASK_CHARS, windows } from './offload';

const NOTE =
  'Pt Maria Gonzalez (MRN 00912345) seen by Dr. Alan Brooks at Mercy General on 11/3. Daughter Ana at 413-555-0142.\n' +
  'HPI: 78F with CHF, AFib on warfarin 5 mg daily. Plan: diurese, repeat BMP in AM.\n';

describe('windows of a long text', () => {
  it('cover the text, overlap, and give the entities of the whole text', () => {
    const text = NOTE.repeat(Math.ceil((TASK_CHARS * 2.5) / NOTE.length));
    const parts = windows(text);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    expect(parts[0]!.start).toBe(0);
    expect(parts.at(-1)!.end).toBe(text.length);
    for (let k = 1; k < parts.length; k++) expect(parts[k]!.start).toBeLessThan(parts[k - 1]!.end);
    const joined = joinWindows(
      text,
      parts,
      parts.map((p) => detect(text.slice(p.start, p.end))),
    );
    const whole = detect(text);
    // Every identifier of the whole text is found whole (a window may add a repeated name the whole scan also has).
    const key = (e: { start: number; end: number }) => `${e.start}:${e.end}`;
    const got = new Set(joined.map(key));
    expect(whole.filter((e) => !got.has(key(e)))).toEqual([]);
  });
});

describe('a name found in one window', () => {
  it('is found at each of its whole-word occurrences in the text, and nowhere else', () => {
    // Words around a name of one or two words: the name alone, inside longer words, cut by punctuation.
    const word = fc.constantFrom(
      'Ana',
      'Lowe',
      'Ana Lowe',
      'Anabel',
      'Lowes',
      'xAna',
      'saw',
      '12',
      'Dr.',
      '-',
      '_',
    );
    const gap = fc.constantFrom(' ', ', ', '\n', '-', '', '. ');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(word, gap), { minLength: 1, maxLength: 40 }),
        fc.constantFrom('Ana', 'Ana Lowe'),
        (parts, name) => {
          const text = `Dr. ${name} saw her. ${parts.map(([w, g]) => w + g).join('')}`;
          const at = 4;
          const joined = joinWindows(
            text,
            [{ start: 0, end: text.length }],
            [[{ start: at, end: at + name.length, type: 'NAME' }]],
          );
          const whole = new RegExp(`(?<![\\p{L}\\p{N}])${name}(?![\\p{L}\\p{N}])`, 'gu');
          const expected = [...text.matchAll(whole)].map((m) => `${m.index}:${m.index + name.length}`);
          expect(joined.map((e) => `${e.start}:${e.end}`)).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('PhiOffload', () => {
  const served: string[] = [];
  const pool = new PhiOffload(0, 1, undefined, undefined, 2_000_000, (app) => served.push(app));
  afterAll(() => pool.close());

  it('refuses more text than one request may ask to scan', async () => {
    await expect(
      pool.finderFor({ texts: ['x'.repeat(2_000_001)], identifiers: [] }, 'a'),
    ).rejects.toBeInstanceOf(ScanTooLarge);
  });

  it('serves an app that was idle before the rest of a large scan of another app', async () => {
    const big = NOTE.repeat(Math.ceil((TASK_CHARS * 6) / NOTE.length));
    const done: string[] = [];
    const a = pool.finderFor({ texts: [big], identifiers: [] }, 'app-a').then((f) => {
      done.push('a');
      return f;
    });
    const b = pool
      .finderFor({ texts: ['Call Ana at 413-555-0142.'], identifiers: ['Maria_Gonzalez'] }, 'app-b')
      .then((f) => {
        done.push('b');
        return f;
      });
    const [fa, fb] = await Promise.all([a, b]);
    expect(done).toEqual(['b', 'a']);
    // The idle app's task ran right after the one task that was running, not after the large scan.
    expect(served.filter((x) => x === 'app-a').length).toBeGreaterThanOrEqual(6);
    expect(served.indexOf('app-b')).toBe(1);
    // And the answers are the engine's.
    expect(fb.text('Call Ana at 413-555-0142.')).toEqual(detect('Call Ana at 413-555-0142.'));
    expect(fb.identifier('Maria_Gonzalez')[0]?.type).toBe('NAME');
    expect(fa.text(big).length).toBeGreaterThanOrEqual(detect(NOTE).length * 6);
  });
});
