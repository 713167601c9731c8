import type { PoolConfig } from 'pg';
import { env } from '../env';

/** Discrete pg connection fields from a postgres:// URL (Prisma's migration adapter needs fields, not a string). */
export function pgConfigFromUrl(url: string): PoolConfig {
  const u = new URL(url);
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new Error(`DATABASE_URL must start with postgres:// or postgresql:// (got ${u.protocol})`);
  }
  const host = u.searchParams.get('host') ?? decodeURIComponent(u.hostname || 'localhost');
  return {
    host,
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username || env().PGUSER || 'postgres'),
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
    ssl: sslFrom(u.searchParams.get('sslmode')),
  };
}

function sslFrom(mode: string | null): PoolConfig['ssl'] {
  if (!mode || mode === 'disable' || mode === 'prefer' || mode === 'allow') return undefined;
  return { rejectUnauthorized: mode === 'verify-full' || mode === 'verify-ca' };
}
