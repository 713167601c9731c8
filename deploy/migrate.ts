/**
 * The release step, run once per release before the instances start (compose.yaml's `migrate` service, the
 * Helm chart's pre-install/pre-upgrade Job): applies the committed migrations (lib/db/migrate.ts, Prisma's
 * `migrate deploy`) and creates the first admin when there is none. `npm start` does both too, and finds nothing
 * left to do; doing them here first keeps replicas that start together from racing to create the first admin.
 * Only against DATABASE_URL, never the embedded database.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvError, parseEnv } from '../lib/env';
import { migrate } from '../lib/db/migrate';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (m: string) => process.stdout.write(`[portico] ${m}\n`);

async function main() {
  const env = parseEnv();
  if (!env.DATABASE_URL) {
    throw new EnvError('DATABASE_URL is not set: the release step runs against an external PostgreSQL only');
  }
  const applied = await migrate(env.DATABASE_URL, ROOT);
  say(applied.length ? `applied migrations: ${applied.join(', ')}` : 'no pending migration');

  const { ensureFirstAdmin } = await import('../lib/users/bootstrap');
  const { disconnectDb } = await import('../lib/db');
  try {
    const admin = await ensureFirstAdmin(env.PORTICO_ADMIN_EMAIL, env.PORTICO_ADMIN_PASSWORD);
    const how = {
      generated: `  password: ${admin?.generatedPassword}  (shown once: sign in and change it)`,
      environment: ' (password from PORTICO_ADMIN_PASSWORD)',
      kept: ' (an existing account, promoted: its password is unchanged)',
    };
    say(admin ? `first admin: ${admin.email}${how[admin.password]}` : 'an admin exists');
  } finally {
    await disconnectDb();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    const message =
      err instanceof EnvError ? err.message : err instanceof Error ? (err.stack ?? err.message) : err;
    process.stderr.write(`[portico] release step failed: ${String(message)}\n`);
    process.exit(1);
  },
);
