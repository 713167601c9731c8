import { describe, expect, it } from 'vitest';
import { KeyGuard } from './guard';

describe('key guessing guard', () => {
  it('blocks an address after a burst of invalid keys, for a while, and only that address', () => {
    let now = 0;
    const g = new KeyGuard({ burst: 3, windowMs: 60_000, blockMs: 30_000, now: () => now });
    g.fail('a');
    g.fail('a');
    expect(g.blockedFor('a')).toBe(0);
    g.fail('a');
    expect(g.blockedFor('a')).toBe(30);
    expect(g.blockedFor('b')).toBe(0);
    now = 30_001;
    expect(g.blockedFor('a')).toBe(0);
  });

  it('forgets failures outside the window', () => {
    let now = 0;
    const g = new KeyGuard({ burst: 3, windowMs: 1_000, now: () => now });
    g.fail('a');
    g.fail('a');
    now = 2_000;
    g.fail('a');
    expect(g.blockedFor('a')).toBe(0);
  });
});

describe('client address', () => {
  const req = (xff: string | undefined, remote = '10.0.0.9') => ({
    headers: { 'x-forwarded-for': xff },
    socket: { remoteAddress: remote },
  });
  it('is the socket address unless trusted proxies are configured, then the hop they appended', async () => {
    const { clientAddress } = await import('./guard');
    expect(clientAddress(req('1.2.3.4'), 0)).toBe('10.0.0.9');
    // The client wrote "6.6.6.6"; the trusted proxy appended the real address.
    expect(clientAddress(req('6.6.6.6, 203.0.113.7'), 1)).toBe('203.0.113.7');
    expect(clientAddress(req('6.6.6.6, 203.0.113.7, 10.1.1.1'), 2)).toBe('203.0.113.7');
    expect(clientAddress(req(undefined), 2)).toBe('10.0.0.9');
  });
});
