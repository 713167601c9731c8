import fc from 'fast-check';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as engine from './detect';
import { PhiOffload, TASK_CHARS } from './offload';
import { detectRemembered, forgetAll, MIN_REMEMBERED_CHARS } from './remembered';

vi.mock('./detect', async (original) => {
  const real = await original<typeof import('./detect')>();
  return { ...real, detect: vi.fn(real.detect) };
});
const scans = vi.mocked(engine.detect);

const NOTE =
  'Pt Maria Gonzalez (MRN 00912345) seen by Dr. Alan Brooks at Mercy General on 11/3. Daughter Ana at 413-555-0142.';

beforeEach(() => {
  forgetAll();
  scans.mockClear();
});

describe('a text an app sent before', () => {
  it('is not scanned again, and gets what the scan found', () => {
    const first = detectRemembered('app-a', NOTE);
    const again = detectRemembered('app-a', NOTE);
    expect(scans).toHaveBeenCalledTimes(1);
    expect(again).toEqual(first);
    expect(first.map((e) => NOTE.slice(e.start, e.end))).toContain('Maria Gonzalez');
  });

  it("is scanned anew for another app: one app's texts never answer another's", () => {
    detectRemembered('app-a', NOTE);
    detectRemembered('app-b', NOTE);
    expect(scans).toHaveBeenCalledTimes(2);
  });

  it('is answered with a copy that a caller may change', () => {
    const first = detectRemembered('app-a', NOTE);
    first[0]!.end = 0;
    first.pop();
    expect(detectRemembered('app-a', NOTE)).toEqual(engine.detect(NOTE));
  });

  it('is forgotten once 20,000 others were scanned after it', () => {
    detectRemembered('app-a', NOTE);
    for (let k = 0; k < 20_000; k++)
      detectRemembered('app-a', `Seen on ${k}. `.padEnd(MIN_REMEMBERED_CHARS, '.'));
    scans.mockClear();
    detectRemembered('app-a', NOTE);
    expect(scans).toHaveBeenCalledTimes(1);
  });

  it('gives what the engine gives, the first time and the next (generated texts)', () => {
    const word = fc.constantFrom(
      'Dr.',
      'Maria',
      'Gonzalez',
      'seen',
      'on',
      '3/4/2021',
      'at',
      'Mercy',
      'Hospital',
      'call',
      '410-555-0142',
      'CHF',
      'BID',
      'Boston,',
      'MA',
      '\n',
      'daughter',
      'Ana',
    );
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 40 }),
        fc.constantFrom('a', 'b'),
        (words, app) => {
          const text = words.join(' ');
          const want = engine.detect(text);
          expect(detectRemembered(app, text)).toEqual(want);
          expect(detectRemembered(app, text)).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the worker threads', () => {
  it('are not given a large text the app sent before', async () => {
    const big = NOTE.repeat(Math.ceil((TASK_CHARS * 2) / NOTE.length));
    let offloaded = 0;
    const counting = new PhiOffload(0, 1, () => offloaded++);
    try {
      const first = await counting.finderFor({ texts: [big], identifiers: [] }, 'app-a');
      const found = first.text(big);
      const again = await counting.finderFor({ texts: [big], identifiers: [] }, 'app-a');
      expect(offloaded).toBe(1);
      expect(again.text(big)).toEqual(found);
      await counting.finderFor({ texts: [big], identifiers: [] }, 'app-b');
      expect(offloaded).toBe(2);
    } finally {
      await counting.close();
    }
  });
});
