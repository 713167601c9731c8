import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildIfNeeded } from '../../scripts/lib/build';
import { spawnReady } from '../../scripts/lib/spawn';
import { startFakeUpstream } from '../../scripts/lib/fake-upstream';
import { prepareDatabase } from '../../lib/db/prepare';
import { persistentSecret } from '../../scripts/lib/secrets';
import { startLocalOidc } from './oidc';
import { SECRETS_FILE } from './secrets';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/**
 * The real product for the browser: a fake upstream, PostgreSQL (embedded under .data/e2e unless
 * DATABASE_URL is set), and Portico (portal + proxy) built and started as `npm start` would.
 */
export default async function globalSetup() {
  process.env.NEXT_TELEMETRY_DISABLED = '1';
  buildIfNeeded(ROOT, (m) => process.stdout.write(`[e2e] ${m}\n`));
  const database = await prepareDatabase({
    dataDir: '.data/e2e',
    port: Number(process.env.PORTICO_E2E_PG_PORT ?? 54359),
    root: ROOT,
    fast: true,
  });
  const upstream = await startFakeUpstream();
  const dir = mkdtempSync(path.join(tmpdir(), 'portico-e2e-'));
  const configFile = path.join(dir, 'portico.config.yaml');
  writeFileSync(
    configFile,
    `providers:
  upstream:
    type: openai-compatible
    baseUrl: ${upstream.url}/v1
    headers:
      Authorization: Bearer \${{ UPSTREAM_KEY }}
models:
  gpt-4o-mini-2024-07-18:
    provider: upstream
    upstreamModel: gpt-4o-mini
    price: { inputPerMillion: 0.15, outputPerMillion: 0.6 }
  gpt-4o:
    provider: upstream
    price: { inputPerMillion: 2.5, outputPerMillion: 10 }
adapters:
  openai:
    baseUrl: ${upstream.url}
    headers:
      Authorization: Bearer \${{ UPSTREAM_KEY }}
  search:
    baseUrl: ${upstream.url}/search
    scrubPhi: true
endpoints:
  summarize-note:
    description: Summarises a clinical note into its problems, medications and follow-up.
    model: gpt-4o-mini-2024-07-18
    system: Summarise the note for a colleague taking over care.
    user: '{{note}}'
    input:
      type: object
      required: [note]
      additionalProperties: false
      properties:
        note: { type: string, minLength: 1, maxLength: 100000 }
        note_type: { type: string, enum: [progress, discharge, consult, emergency, other], default: progress }
    output:
      type: object
      additionalProperties: false
      required: [summary, problems, medications, follow_up]
      properties:
        summary: { type: string }
        problems: { type: array, items: { type: string } }
        medications: { type: array, items: { type: string } }
        follow_up: { type: array, items: { type: string } }
    example:
      note_type: progress
      note: Maria Gonzalez, 67, seen 03/14/2025 for type 2 diabetes. Continue metformin 1000 mg twice daily; it's working.
  patient-letter:
    description: Writes a plain-language letter to the patient from a discharge summary.
    model: gpt-4o-mini-2024-07-18
    user: 'Write a letter from this discharge summary: {{discharge_summary}}'
    input:
      type: object
      required: [discharge_summary]
      additionalProperties: false
      properties:
        discharge_summary: { type: string, minLength: 1, maxLength: 100000 }
portal:
  attestation: I confirm this app is for internal use only and will not be offered to customers.
`,
  );
  const port = Number(process.env.PORTICO_E2E_PORT ?? 3917);
  const baseUrl = `http://localhost:${port}`;
  // A real OpenID provider for the single sign-on test, started before the server that points at it.
  const oidc = await startLocalOidc({
    port: Number(process.env.PORTICO_E2E_OIDC_PORT ?? 3918),
    redirectUri: `${baseUrl}/api/auth/callback/oidc`,
  });
  writeFileSync(SECRETS_FILE, '');
  const env = {
    DATABASE_URL: database.url,
    PORTICO_CONFIG: configFile,
    UPSTREAM_KEY: 'sk-e2e-upstream',
    PORT: String(port),
    PORTICO_PORTAL: '1',
    NODE_ENV: 'production',
    NEXTAUTH_URL: baseUrl,
    PORTICO_PUBLIC_URL: baseUrl,
    NEXTAUTH_SECRET: persistentSecret(path.join(ROOT, '.data', 'e2e'), 'nextauth-secret'),
    LOG_LEVEL: 'info',
    OIDC_ISSUER: oidc.issuer,
    OIDC_CLIENT_ID: oidc.clientId,
    OIDC_CLIENT_SECRET: oidc.clientSecret,
    OIDC_NAME: 'Hospital SSO',
    ...(process.env.E2E_EXTRA_ENV ? (JSON.parse(process.env.E2E_EXTRA_ENV) as Record<string, string>) : {}),
  };
  const server = await spawnReady(ROOT, 'scripts/lib/proxy-main.ts', [], env, 120_000).catch(
    async (err: unknown) => {
      await oidc.close();
      await upstream.close();
      await database.stop();
      throw err;
    },
  );
  process.env.DATABASE_URL = database.url;
  // Seeding in the test workers checks models and adapters against the same config as the server.
  process.env.PORTICO_CONFIG = configFile;
  process.env.UPSTREAM_KEY = env.UPSTREAM_KEY;
  process.env.E2E_BASE_URL = baseUrl;
  const state = globalThis as unknown as { __e2e: unknown };
  state.__e2e = { database, upstream, server, configFile, oidc };
  writeFileSync(path.join(ROOT, '.data', 'e2e', 'server.log.path'), '');
}
