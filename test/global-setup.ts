import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { prepareDatabase, type PreparedDatabase } from '../lib/db/prepare';

let database: PreparedDatabase | undefined;

/**
 * One PostgreSQL for the integration tests: DATABASE_URL when given, else an embedded server under
 * .data/test (fsync off). Migrations applied the same way `npm start` applies them.
 */
export async function setup(project: TestProject) {
  const root = path.resolve(import.meta.dirname, '..');
  database = await prepareDatabase({
    dataDir: '.data/test',
    port: Number(process.env.PORTICO_TEST_PG_PORT ?? 54339),
    root,
    fast: true,
  });
  project.provide('databaseUrl', database.url);
}

export async function teardown() {
  await database?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}
