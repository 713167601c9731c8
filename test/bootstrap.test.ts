import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../lib/db/embedded';
import { migrate } from '../lib/db/migrate';
import { verifyPassword } from '../lib/auth/password';
import { cli } from './support/cli';

const ROOT = path.resolve(import.meta.dirname, '..');

function firstAdmin(
  env: Record<string, string>,
): Promise<{ email: string; generatedPassword?: string; password: string } | null> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'test/support/first-admin.ts'],
      { cwd: ROOT, env: { ...process.env, ...env } },
      (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as never)),
    ),
  );
}

/** A database of its own: the first-admin step only acts where there is no admin yet. */
describe('first admin at start-up', () => {
  let db: EmbeddedPostgres;
  let client: pg.Client;
  const dataDir = path.join(ROOT, '.data', `test-bootstrap-${process.pid}`);
  beforeAll(async () => {
    db = await startEmbeddedPostgres({ dataDir, port: 54389, fast: true });
    await migrate(db.url, ROOT);
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('promotes a password-less account with the admin email and gives it a password, shown once', async () => {
    const email = `boss-${process.pid}@example.com`;
    expect(
      (
        await cli(['app', 'add', '--name', `first-${process.pid}`, '--owner', email], {
          DATABASE_URL: db.url,
        })
      ).code,
    ).toBe(0);
    const made = await firstAdmin({
      DATABASE_URL: db.url,
      PORTICO_ADMIN_EMAIL: email,
      PORTICO_ADMIN_PASSWORD: '',
    });
    expect(made).toMatchObject({ email, password: 'generated' });
    const { rows } = await client.query('SELECT role, password_hash FROM users WHERE email = $1', [email]);
    expect(rows[0].role).toBe('admin');
    expect(await verifyPassword(rows[0].password_hash, made!.generatedPassword!)).toBe(true);
    // Once there is an admin, nothing happens.
    expect(await firstAdmin({ DATABASE_URL: db.url, PORTICO_ADMIN_EMAIL: email })).toBeNull();
  });

  it('the CLI uses the embedded database already running, whatever port it was told', async () => {
    const list = await cli(['app', 'list'], {
      DATABASE_URL: '',
      PORTICO_DATA_DIR: dataDir,
      PORTICO_EMBEDDED_PG_PORT: '54390',
    });
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`first-${process.pid}`);
  });

  it('an unexpected CLI failure is one line, with where to find the details', async () => {
    const bad = await cli(['app', 'list'], { DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^error: .*\(LOG_LEVEL=debug shows the details\)$/m);
  });
});

/** The release step of the deploy kit (compose's `migrate` service, the Helm hook), on a database of its own. */
describe('the release step (deploy/migrate.ts)', () => {
  let db: EmbeddedPostgres;
  const dataDir = path.join(ROOT, '.data', `test-release-${process.pid}`);
  beforeAll(async () => {
    db = await startEmbeddedPostgres({ dataDir, port: 54391, fast: true });
  });
  afterAll(async () => {
    await db?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const release = (env: Record<string, string | undefined>) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'deploy/migrate.ts'],
        {
          cwd: ROOT,
          env: { ...process.env, DATABASE_URL: undefined, PORTICO_ADMIN_PASSWORD: undefined, ...env },
        },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      ),
    );

  it('applies the migrations and creates the first admin once; a second run finds nothing to do', async () => {
    const first = await release({ DATABASE_URL: db.url, PORTICO_ADMIN_EMAIL: 'ops@hospital.test' });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/applied migrations: \d{14}_/);
    expect(first.stdout).toMatch(/first admin: ops@hospital\.test {2}password: \S{20} {2}\(shown once/);
    const again = await release({ DATABASE_URL: db.url, PORTICO_ADMIN_EMAIL: 'ops@hospital.test' });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('no pending migration');
    expect(again.stdout).toContain('an admin exists');
  });

  it('runs only against DATABASE_URL, never an embedded database', async () => {
    const r = await release({});
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('DATABASE_URL is not set');
  });
});
