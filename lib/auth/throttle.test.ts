import { describe, expect, it } from 'vitest';
import { lockedFor, recordFailure, recordSuccess, signinKeys } from './throttle';

let n = 0;
const fresh = (what: string) => `${what}-${++n}`;

describe('sign-in throttle', () => {
  it('an address spraying passwords over many accounts is throttled, even when it signs in to its own between tries', () => {
    const ip = fresh('10.0.0');
    const t = 1_000_000;
    let refusedAt = -1;
    for (let i = 0; i < 100 && refusedAt < 0; i++) {
      const victim = `victim${i}@hospital.example`;
      if (lockedFor(signinKeys(victim, ip), t + i) > 0) refusedAt = i;
      else recordFailure(signinKeys(victim, ip), t + i);
      recordSuccess('attacker@hospital.example', ip); // its own account, correctly
    }
    expect(refusedAt).toBe(30);
  });

  it('five wrong passwords from one address lock the account there only: its owner elsewhere still signs in', () => {
    const admin = `${fresh('admin')}@hospital.example`;
    const attacker = fresh('203.0.113');
    const owner = fresh('198.51.100');
    const t = 2_000_000;
    for (let i = 0; i < 5; i++) recordFailure(signinKeys(admin, attacker), t + i);
    expect(lockedFor(signinKeys(admin, attacker), t + 10)).toBeGreaterThan(0);
    expect(lockedFor(signinKeys(admin, owner), t + 10)).toBe(0);
  });

  it('the lock grows with each burst and ends', () => {
    const who = `${fresh('u')}@x.example`;
    const ip = fresh('192.0.2');
    let t = 3_000_000;
    for (let i = 0; i < 5; i++) recordFailure(signinKeys(who, ip), t);
    const first = lockedFor(signinKeys(who, ip), t);
    t += first;
    expect(lockedFor(signinKeys(who, ip), t)).toBe(0);
    for (let i = 0; i < 5; i++) recordFailure(signinKeys(who, ip), t);
    expect(lockedFor(signinKeys(who, ip), t)).toBeGreaterThan(first);
  });
});
