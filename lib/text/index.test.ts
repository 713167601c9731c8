import { describe, expect, it } from 'vitest';
import { plainText, withoutBidiControls } from '.';

describe('text shown to reviewers', () => {
  it('drops bidirectional overrides and isolates, keeps everything else', () => {
    // "Summarise notes" with a right-to-left override hiding a different order on screen.
    expect(withoutBidiControls('Summarise \u202Eeton\u202C notes')).toBe('Summarise eton notes');
    expect(withoutBidiControls('a\u2066b\u2067c\u2068d\u2069e\u202Af\u202Bg\u202Dh')).toBe('abcdefgh');
    expect(withoutBidiControls('שלום, Zoë — 東京')).toBe('שלום, Zoë — 東京');
  });

  it('checks lengths on what is stored', () => {
    const schema = plainText().min(3);
    expect(schema.safeParse('\u202E\u202Eab').success).toBe(false);
    expect(schema.parse('  \u2066abc\u2069 ')).toBe('abc');
  });
});
