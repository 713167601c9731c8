import pg from 'pg';
import { env } from '../env';
import { pgConfigFromUrl } from './pg-config';

const KEY = Symbol.for('portico.pgPool');
type Holder = { [KEY]?: pg.Pool };

/**
 * A small node-postgres pool for the proxy's hot-path writes (usage batches), which are plain parameterised
 * SQL: cheaper per row than going through the ORM. The portal and everything else use Prisma (lib/db.ts).
 */
export function pgPool(): pg.Pool {
  const g = globalThis as Holder;
  if (!g[KEY]) {
    const url = env().DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set');
    const pool = new pg.Pool({
      ...pgConfigFromUrl(url),
      max: 3,
      connectionTimeoutMillis: 5_000,
      query_timeout: 30_000,
      allowExitOnIdle: true,
    });
    pool.on('error', () => {}); // an idle client dropped by the server: the pool replaces it
    g[KEY] = pool;
  }
  return g[KEY];
}

export async function closePgPool(): Promise<void> {
  const g = globalThis as Holder;
  const pool = g[KEY];
  g[KEY] = undefined;
  await pool?.end().catch(() => {});
}
