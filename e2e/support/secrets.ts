import { appendFileSync } from 'node:fs';
import path from 'node:path';

/** Keys and passwords the specs handled; global teardown checks none reached the server's log. */
export const SECRETS_FILE = path.resolve(import.meta.dirname, '..', '..', '.data', 'e2e', 'secrets-seen.txt');

export function rememberSecret(value: string): void {
  appendFileSync(SECRETS_FILE, `${value}\n`);
}
