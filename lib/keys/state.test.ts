import { describe, expect, it } from 'vitest';
import { keyState } from './state';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const at = (minutes: number) => new Date(NOW + minutes * 60_000);

describe('keyState: what the portal says about a key', () => {
  it('active, expiring soon (under 7 days), expired', () => {
    expect(keyState({ revokedAt: null, expiresAt: null }, NOW)).toEqual({ kind: 'active' });
    expect(keyState({ revokedAt: null, expiresAt: at(8 * 24 * 60) }, NOW).kind).toBe('active');
    expect(keyState({ revokedAt: null, expiresAt: at(6 * 24 * 60) }, NOW)).toEqual({
      kind: 'expires_soon',
      at: at(6 * 24 * 60),
    });
    expect(keyState({ revokedAt: null, expiresAt: at(-1) }, NOW)).toEqual({
      kind: 'expired',
      at: at(-1),
      rotated: false,
    });
  });

  it('a rotated key is rotating until its grace ends, then expired (rotated)', () => {
    expect(keyState({ revokedAt: null, expiresAt: at(1), rotatedTo: { id: 'k2' } }, NOW)).toEqual({
      kind: 'rotating',
      until: at(1),
    });
    expect(keyState({ revokedAt: null, expiresAt: at(0), rotatedTo: { id: 'k2' } }, NOW)).toEqual({
      kind: 'expired',
      at: at(0),
      rotated: true,
    });
  });

  it('revocation wins over everything else', () => {
    expect(keyState({ revokedAt: at(-5), expiresAt: at(-1), rotatedTo: { id: 'k2' } }, NOW)).toEqual({
      kind: 'revoked',
      at: at(-5),
    });
  });
});
