// One place for Portico's errors: the domain's (a rule refused something: shown to the user as it is), the
// public API's (OpenAI's shape), and the mapping of database errors to the domain's, so that a race on a unique
// name says "already exists" instead of "something went wrong".
import { Prisma } from '../generated/prisma/client';

export { ProxyError } from './proxy';

/** A business rule refused the operation; the message is written for the person who asked. */
export class DomainError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict' | 'invalid' | 'forbidden',
    message: string,
    /** The input field the refusal is about, when there is one (a form marks it). */
    readonly field?: string,
  ) {
    super(message);
  }
}

// What a unique field is called in a message ("an app with this name already exists").
const FIELD_NAMES: Record<string, string> = { name: 'name', email: 'email address', keyHash: 'key' };

/**
 * The domain error a database error stands for, or the error itself: a unique constraint (two requests racing
 * for one name) is a conflict, a record gone between a read and a write is not found, a missing reference is
 * invalid. Other errors are left for the caller's generic handling.
 */
export function fromDatabase(err: unknown): unknown {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return err;
  switch (err.code) {
    case 'P2002': {
      const target = (err.meta as { target?: unknown } | undefined)?.target;
      const field = Array.isArray(target)
        ? String(target[0])
        : typeof target === 'string'
          ? /^apps_name/.test(target)
            ? 'name'
            : target.replace(/^.*_(\w+)_key$/, '$1')
          : '';
      const what = FIELD_NAMES[field] ?? (field || 'value');
      return new DomainError('conflict', `that ${what} is already taken; choose another`);
    }
    case 'P2025':
      return new DomainError('not_found', 'no such record');
    case 'P2003':
      return new DomainError('invalid', 'it refers to something that does not exist (any more)');
    default:
      return err;
  }
}
