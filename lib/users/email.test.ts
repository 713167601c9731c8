import { describe, expect, it } from 'vitest';
import { emailSchema } from '.';

describe('email fields', () => {
  const first = (v: string) => emailSchema.safeParse(v).error?.issues[0]?.message;
  it('say "is required" when empty, before "must be an email address"', () => {
    expect(first('')).toBe('is required');
    expect(first('   ')).toBe('is required');
    expect(first('not-an-email')).toBe('must be an email address');
  });
  it('keep the address in lower case, trimmed', () => {
    expect(emailSchema.parse('  Dana.K@Example.ORG ')).toBe('dana.k@example.org');
  });
});
