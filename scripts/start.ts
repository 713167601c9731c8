/**
 * `npm start`: validates the environment and config, builds the portal if needed, starts (or connects
 * to) PostgreSQL, migrates, creates the first admin, then serves portal and proxy on PORT.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv, EnvError, resolveEnv, SHUTDOWN_MARGIN_MS } from '../lib/env';
import { ConfigError, loadConfig, resolveConfig, setGatewayConfig } from '../lib/config';
import { announceReady, isClusterWorker, startPrimary, workerCount, workersReady } from '../lib/cluster';
import { buildIfNeeded } from './lib/build';
import { persistentSecret } from './lib/secrets';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (m: string) => process.stdout.write(`[portico] ${m}\n`);

/** A worker of a multi-process instance: the primary prepared everything and set the environment it inherits. */
async function worker() {
  const env = parseEnv();
  setGatewayConfig(resolveConfig(loadConfig(env.PORTICO_CONFIG, ROOT)));
  const { startServer } = await import('../server');
  const server = await startServer({
    port: env.PORT,
    host: env.HOST,
    maxBodyBytes: env.PORTICO_MAX_BODY_BYTES,
    drainMs: env.PORTICO_DRAIN_MS,
  });
  // Ctrl-C reaches the whole process group: the primary decides, and sends SIGTERM.
  process.on('SIGINT', () => {});
  process.once('SIGTERM', () => {
    void server.close().then(async () => {
      const { disconnectDb } = await import('../lib/db');
      await disconnectDb();
      process.exit(0);
    });
  });
  announceReady(server.port);
}

async function main() {
  if (isClusterWorker()) return worker();
  const dev = process.argv.includes('--dev');
  const env = parseEnv();
  const workers = dev ? 1 : workerCount(env.PORTICO_WORKERS);
  const config = resolveConfig(loadConfig(env.PORTICO_CONFIG, ROOT));
  setGatewayConfig(config);
  const dataDir = path.resolve(ROOT, env.PORTICO_DATA_DIR);
  const publicUrl = env.PORTICO_PUBLIC_URL ?? `http://localhost:${env.PORT}`;
  resolveEnv({ NEXTAUTH_URL: env.NEXTAUTH_URL ?? publicUrl, PORTICO_PUBLIC_URL: publicUrl });
  if (!env.NEXTAUTH_SECRET) {
    resolveEnv({ NEXTAUTH_SECRET: persistentSecret(dataDir, 'nextauth-secret') });
    say(
      `NEXTAUTH_SECRET not set: using the one generated in ${path.relative(ROOT, dataDir)}/nextauth-secret`,
    );
  }
  if (!env.PORTICO_TOKEN_MAP_KEY) {
    resolveEnv({ PORTICO_TOKEN_MAP_KEY: persistentSecret(dataDir, 'token-map-key') });
    say(
      `PORTICO_TOKEN_MAP_KEY not set: token maps of stateful calls are sealed with the key generated in ${path.relative(ROOT, dataDir)}/token-map-key (set it, the same on every instance, in production)`,
    );
  }
  process.env.NEXT_TELEMETRY_DISABLED = '1';
  if (!dev) {
    buildIfNeeded(ROOT, say);
    (process.env as Record<string, string>).NODE_ENV = 'production';
  }

  const { prepareDatabase } = await import('../lib/db/prepare');
  const database = await prepareDatabase({
    dataDir: env.PORTICO_DATA_DIR,
    port: env.PORTICO_EMBEDDED_PG_PORT,
    root: ROOT,
    log: say,
  });
  const { ensureFirstAdmin } = await import('../lib/users/bootstrap');
  const admin = await ensureFirstAdmin(env.PORTICO_ADMIN_EMAIL, env.PORTICO_ADMIN_PASSWORD);

  let server: { close(): Promise<void> };
  if (workers > 1) {
    // The workers share the port; the primary holds the limits they share and adds up their metrics.
    const { monthToDateFromDb } = await import('../lib/limits');
    const ready = workersReady(workers);
    server = startPrimary({ workers, monthToDate: monthToDateFromDb, say });
    await ready;
    say(`${workers} worker processes serve port ${env.PORT} (PORTICO_WORKERS=${env.PORTICO_WORKERS})`);
  } else {
    const { startServer } = await import('../server');
    server = await startServer({
      port: env.PORT,
      host: env.HOST,
      dev,
      config,
      maxBodyBytes: env.PORTICO_MAX_BODY_BYTES,
      drainMs: env.PORTICO_DRAIN_MS,
    });
  }

  const models = [...config.models.keys()];
  const model = models[0] ?? 'gpt-4o-mini-2024-07-18';
  say(`config: ${config.source} (${models.length} models: ${models.join(', ')})`);
  // Inside the project (.data/pg), or outside it where the postgres user cannot enter the project's folder.
  const shown = (p: string) => (path.relative(ROOT, p).startsWith('..') ? p : path.relative(ROOT, p));
  say(`database: ${database.pgDir ? `embedded PostgreSQL in ${shown(database.pgDir)}` : 'DATABASE_URL'}`);
  if (admin) {
    const how = {
      generated: `  password: ${admin.generatedPassword}  (shown once: sign in and keep it safe)`,
      environment: ' (password from PORTICO_ADMIN_PASSWORD)',
      kept: ' (an existing account, promoted: its password is unchanged)',
    };
    say(`first admin: ${admin.email}${how[admin.password]}`);
  }
  process.stdout.write(`
  Portico is running: ${publicUrl}

  Portal:  ${publicUrl}  (sign in, request access for an app, get it approved, create a key)
  Or mint a key headlessly:
    npm run cli -- app add --name demo --owner you@example.com --approve
    npm run cli -- key add --app demo

  Then, from your backend (Node, openai SDK):
    import { AzureOpenAI } from 'openai';
    const client = new AzureOpenAI({
      endpoint: '${publicUrl}/api/public/oai',
      apiKey: process.env.PORTICO_API_KEY,
      apiVersion: '2025-01-01-preview',
      deployment: '${model}',
    });
    const answer = await client.chat.completions.create({
      model: '${model}',
      messages: [{ role: 'user', content: 'Tell me a joke' }],
    });
    console.log(answer.choices[0].message.content);

`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: draining in-flight requests, flushing usage, stopping`);
    const force = setTimeout(() => process.exit(1), env.PORTICO_DRAIN_MS + SHUTDOWN_MARGIN_MS);
    force.unref();
    await server.close();
    const { disconnectDb } = await import('../lib/db');
    await disconnectDb();
    await database.stop();
    say('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof EnvError || err instanceof ConfigError) {
    process.stderr.write(`[portico] cannot start: ${err.message}\n`);
  } else {
    process.stderr.write(
      `[portico] cannot start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
  }
  process.exit(1);
});
