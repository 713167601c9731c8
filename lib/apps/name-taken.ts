import { db } from '../db';
import { DomainError } from '../errors';

/**
 * Refuses a name another app holds: in any case ("discharge letters" is "Discharge Letters"), and only apps not
 * rejected (a rejected request gives its name back). The same rule as the database's partial unique index.
 */
export async function assertNameFree({ name, exceptId }: { name: string; exceptId?: string }) {
  const other = await db().app.findFirst({
    where: {
      name: { equals: name, mode: 'insensitive' },
      status: { not: 'rejected' },
      ...(exceptId ? { id: { not: exceptId } } : {}),
    },
    select: { id: true },
  });
  if (other)
    throw new DomainError('conflict', `an app named "${name}" already exists; choose another name`, 'name');
}
