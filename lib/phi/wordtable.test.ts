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
          // Rebuilt from its packed form (as a worker thread does, after a structured clone): the same answers.
          const copy = new WordTable(structuredClone(t.pack()));
          for (const k of [...keys, ...probes]) expect(copy.get(k)).toBe(m.get(k));
        },
      ),
    );
  });

  it('looks up an edit of a word like the edited word itself', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[ab]{0,5}$/), { maxLength: 40 }),
        fc.stringMatching(/^[ab]{0,5}$/),
        fc.nat(),
        fc.nat(2),
        fc.stringMatching(/^[ab]{0,2}$/),
        (keys, w, atSeed, skipSeed, insert) => {
          const t = new WordTable(new Map(keys.map((k, i) => [k, i])));
          const at = atSeed % (w.length + 1);
          const skip = Math.min(skipSeed, w.length - at);
          const edited = w.slice(0, at) + insert + w.slice(at + skip);
          expect(t.getEdited(w, at, skip, insert)).toBe(t.get(edited));
        },
      ),
    );
  });

  it('refuses a packed table whose parts do not fit together', () => {
    const p = new WordTable(
      new Map([
        ['a', 1],
        ['b', 2],
      ]),
    ).pack();
    expect(() => new WordTable({ ...p, values: new Uint32Array(1) })).toThrow(/inconsistent/);
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
