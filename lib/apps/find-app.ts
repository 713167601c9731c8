import { db } from '../db';

/** An app by its id, or by its name (in any case; a live app before a rejected one of the same name). */
export async function findAppByIdOrName(idOrName: string) {
  return (
    (await db().app.findUnique({ where: { id: idOrName } })) ??
    db().app.findFirst({
      where: { name: { equals: idOrName, mode: 'insensitive' } },
      orderBy: [{ status: 'asc' }, { createdAt: 'desc' }],
    })
  );
}
