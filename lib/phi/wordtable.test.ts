import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { WordTable } from './wordtable';

describe('WordTable', () => {
  it('answers like the Map it was built from, for present and absent keys', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ maxLength: 12 }), { maxLength: 300 }),
        fc.array(fc.string({ maxLength: 12 }), { maxLength: 50 }),
        (keys, probes) => {
          const m = new Map(keys.map((k, i) => [k, i * 65_537]));
          const t = new WordTable(m);
          expect(t.size).toBe(m.size);
          for (const k of [...keys, ...probes]) expect(t.get(k)).toBe(m.get(k));
        },
      ),
    );
  });

  it('holds accented and multi-word keys and rejects values past 32 bits', () => {
    const t = new WordTable(
      new Map([
        ['josé', 1],
        ['new york', 2],
        ['', 3],
      ]),
    );
    expect([t.get('josé'), t.get('new york'), t.get(''), t.get('jose'), t.has('new')]).toEqual([
      1,
      2,
      3,
      undefined,
      false,
    ]);
    expect(() => new WordTable(new Map([['x', 2 ** 32]]))).toThrow();
  });
});
