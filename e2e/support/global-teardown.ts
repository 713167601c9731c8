import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PreparedDatabase } from '../../lib/db/prepare';
import type { FakeUpstream } from '../../scripts/lib/fake-upstream';
import type { Child } from '../../scripts/lib/spawn';
import type { LocalOidc } from './oidc';
import { SECRETS_FILE } from './secrets';

export default async function globalTeardown() {
  const state = (
    globalThis as unknown as {
      __e2e?: { database: PreparedDatabase; upstream: FakeUpstream; server: Child; oidc: LocalOidc };
    }
  ).__e2e;
  if (!state) return;
  await state.server.stop();
  // The server's log of the whole run, for the log-hygiene checks and for reading after a failure.
  const dir = path.resolve(import.meta.dirname, '..', 'artifacts');
  mkdirSync(dir, { recursive: true });
  const output = state.server.output();
  writeFileSync(path.join(dir, 'server.log'), output);
  await state.oidc.close();
  await state.upstream.close();
  await state.database.stop();
  // Keys and passwords the specs saw must never have reached the server's log.
  const secrets = existsSync(SECRETS_FILE)
    ? readFileSync(SECRETS_FILE, 'utf8').split('\n').filter(Boolean)
    : [];
  const leaked = secrets.filter((s) => output.includes(s));
  if (leaked.length)
    throw new Error(
      `${leaked.length} key(s) or password(s) used by the e2e specs appear in the server log (e2e/artifacts/server.log)`,
    );
}
