import { describe, expect, it } from 'vitest';
import { Prisma } from '../generated/prisma/client';
import { DomainError, fromDatabase } from '.';

const known = (code: string, meta?: Record<string, unknown>) =>
  new Prisma.PrismaClientKnownRequestError('db said no', { code, clientVersion: 'test', meta });

describe('database errors as domain errors', () => {
  it('a unique name taken by a racing request is a conflict naming the field', () => {
    const e = fromDatabase(known('P2002', { target: ['name'] }));
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('conflict');
    expect((e as DomainError).message).toBe('that name is already taken; choose another');
    expect((fromDatabase(known('P2002', { target: 'users_email_key' })) as DomainError).message).toMatch(
      /email address/,
    );
  });

  it('a record gone between read and write is not found; a dangling reference is invalid', () => {
    expect((fromDatabase(known('P2025')) as DomainError).code).toBe('not_found');
    expect((fromDatabase(known('P2003')) as DomainError).code).toBe('invalid');
  });

  it('leaves every other error as it is', () => {
    const other = new Error('boom');
    expect(fromDatabase(other)).toBe(other);
    const unknownCode = known('P1001');
    expect(fromDatabase(unknownCode)).toBe(unknownCode);
  });
});
