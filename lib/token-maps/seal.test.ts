import { describe, expect, it } from 'vitest';
import { deriveKey, openEntries, sealEntries } from './seal';

describe('sealed token maps', () => {
  const key = deriveKey('a secret of at least thirty-two characters');
  const entries: [string, string][] = [
    ['NAME_1', 'John Smith'],
    ['DATE_1', '03/04/1961'],
  ];

  it('open with the key, the app and the map they were sealed for, and hold no value in the clear', () => {
    const sealed = sealEntries(key, 'app-1', 'map-1', entries);
    expect(sealed.toString('latin1')).not.toContain('Smith');
    expect(sealed.toString('latin1')).not.toContain('03/04/1961');
    expect(openEntries(key, 'app-1', 'map-1', sealed)).toEqual(entries);
  });

  it('refuse another app, another map, another key, or a changed byte', () => {
    const sealed = sealEntries(key, 'app-1', 'map-1', entries);
    expect(() => openEntries(key, 'app-2', 'map-1', sealed)).toThrow();
    expect(() => openEntries(key, 'app-1', 'map-2', sealed)).toThrow();
    expect(() =>
      openEntries(deriveKey('another secret of thirty-two characters!'), 'app-1', 'map-1', sealed),
    ).toThrow();
    const bent = Buffer.from(sealed);
    bent[bent.length - 1]! ^= 1;
    expect(() => openEntries(key, 'app-1', 'map-1', bent)).toThrow();
  });

  it('seal the same map differently each time (a fresh IV)', () => {
    expect(sealEntries(key, 'a', 'm', entries).equals(sealEntries(key, 'a', 'm', entries))).toBe(false);
  });
});
