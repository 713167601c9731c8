import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { PreparedDatabase } from '../../lib/db/prepare';
import type { FakeUpstream } from '../../scripts/lib/fake-upstream';
import type { Child } from '../../scripts/lib/spawn';

export default async function globalTeardown() {
  const state = (globalThis as unknown as { __e2e?: { database: PreparedDatabase; upstream: FakeUpstream; server: Child } }).__e2e;
  if (!state) return;
  await state.server.stop();
  // The server's log of the whole run, for the log-hygiene checks and for reading after a failure.
  const dir = path.resolve(import.meta.dirname, '..', 'artifacts');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'server.log'), state.server.output());
  await state.upstream.close();
  await state.database.stop();
}
