import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';
import { pgConfigFromUrl } from './db/pg-config';
import { env } from './env';

export { Prisma } from './generated/prisma/client';
export type * from './generated/prisma/client';

function create() {
  const { DATABASE_URL: url, PORTICO_DB_POOL_SIZE } = env();
  if (!url)
    throw new Error('DATABASE_URL is not set: start Portico with `npm start`, which sets up the database');
  const adapter = new PrismaPg({
    ...pgConfigFromUrl(url),
    max: PORTICO_DB_POOL_SIZE,
    connectionTimeoutMillis: 5_000,
    // A dead server must fail queries quickly, not hang the request that asked.
    query_timeout: 15_000,
  });
  // Secret columns are never read unless a query asks for them by name.
  return new PrismaClient({ adapter, omit: { user: { passwordHash: true } } });
}

type Db = ReturnType<typeof create>;
const KEY = Symbol.for('portico.prisma');
type Holder = { [KEY]?: Db };

/** The process-wide Prisma client (shared by the fast path and Next.js through globalThis). */
export function db(): Db {
  const g = globalThis as Holder;
  g[KEY] ??= create();
  return g[KEY];
}

export async function disconnectDb(): Promise<void> {
  const g = globalThis as Holder;
  const client = g[KEY];
  g[KEY] = undefined;
  await client?.$disconnect();
}
