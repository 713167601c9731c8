import { db } from '../db';
import { emitLocal, PG_CHANNEL, type Invalidation } from './bus';

/**
 * Tells every instance to forget cached state for a key or an app: this process at once, the others
 * through PostgreSQL NOTIFY (lib/events/listen.ts). Call after the change is committed.
 */
export async function publishInvalidation(m: Invalidation): Promise<void> {
  emitLocal(m);
  await db().$executeRaw`SELECT pg_notify(${PG_CHANNEL}, ${JSON.stringify(m)})`;
}
