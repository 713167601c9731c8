import { execFile } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { pgConfigFromUrl } from './pg-config';
import { rawEnv } from '../env';

const run = promisify(execFile);

/** The migrations committed under prisma/migrations, in order. */
export function committedMigrations(root: string): string[] {
  const dir = path.join(root, 'prisma', 'migrations');
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort();
}

/** Names of committed migrations the database has not finished applying (all of them on a new database). */
export async function pendingMigrations(databaseUrl: string, root = process.cwd()): Promise<string[]> {
  const all = committedMigrations(root);
  const client = new pg.Client(pgConfigFromUrl(databaseUrl));
  await client.connect();
  try {
    const exists = await client.query(`SELECT to_regclass('_prisma_migrations') IS NOT NULL AS ok`);
    if (!exists.rows[0]?.ok) return all;
    const done = await client.query<{ migration_name: string }>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const applied = new Set(done.rows.map((r) => r.migration_name));
    return all.filter((m) => !applied.has(m));
  } finally {
    await client.end();
  }
}

/** Applies the committed migrations (prisma/migrations) with Prisma's own `migrate deploy`, when any are pending. */
export async function migrate(databaseUrl: string, root = process.cwd()): Promise<string[]> {
  const pending = await pendingMigrations(databaseUrl, root);
  if (pending.length === 0) return [];
  const cli = path.join(root, 'node_modules', 'prisma', 'build', 'index.js');
  try {
    await run(
      process.execPath,
      ['-r', path.join(root, 'scripts', 'prisma-preload.cjs'), cli, 'migrate', 'deploy'],
      {
        cwd: root,
        env: { ...rawEnv(), DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
        timeout: 120_000,
      },
    );
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    const detail = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`database migration failed:\n${detail || e.message}`);
  }
  return pending;
}
