import { z } from 'zod';

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** Base URL clients use to reach this server (shown in SDK samples); defaults to http://localhost:PORT. */
  PORTICO_PUBLIC_URL: optionalString.pipe(z.url().optional()),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  REDIS_URL: optionalString.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional(),
  ),
  NEXTAUTH_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  /** The portal's own URL for sign-in callbacks (next-auth reads it); start-up sets it from PORTICO_PUBLIC_URL. */
  NEXTAUTH_URL: optionalString.pipe(z.url().optional()),
  /** The user a postgres:// URL without one connects as (libpq's convention). */
  PGUSER: optionalString,
  PORTICO_CONFIG: optionalString,
  PORTICO_DATA_DIR: z.string().default('.data'),
  /** OpenTelemetry: traces go to <endpoint>/v1/traces (OTLP over HTTP) when set; the service is named OTEL_SERVICE_NAME. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString.pipe(z.url().optional()),
  OTEL_SERVICE_NAME: z.string().default('portico'),
  /** The local journal of usage records not yet in the database (survives a kill); `off` for none. Default: <data dir>/usage-spool/<a hash of the database's host, port and name>. */
  PORTICO_USAGE_SPOOL_DIR: optionalString,
  PORTICO_EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  PORTICO_ADMIN_EMAIL: optionalString.pipe(z.email().optional()),
  PORTICO_ADMIN_PASSWORD: optionalString.pipe(
    z.string().min(12, 'must be at least 12 characters').optional(),
  ),
  PORTICO_KEY_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9]{1,11}$/, 'must be 2-12 lowercase letters or digits, starting with a letter')
    .default('ptc'),
  /** Largest request body the proxy accepts, in bytes. */
  PORTICO_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024),
  /** Largest request body a portal route (sign-in, forms, exports) accepts, in bytes: 413 before reading more. */
  PORTICO_PORTAL_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  /**
   * Slowest a request body may arrive, in bytes per second, after a 10 s grace (408 below it): a client that
   * trickles a body holds a connection for nothing.
   */
  PORTICO_MIN_BODY_RATE: z.coerce
    .number()
    .int()
    .min(0)
    .default(8 * 1024),
  /** Most client connections the server holds at once; more are refused at accept. */
  PORTICO_MAX_CONNECTIONS: z.coerce.number().int().min(10).default(10_000),
  /**
   * Processes serving the instance, one per core with `auto`: they share the port, the per-app limits (held by the
   * primary process when no REDIS_URL shares them) and /metrics (every worker's figures added up).
   */
  PORTICO_WORKERS: z
    .string()
    .trim()
    .regex(/^(?:auto|[1-9]\d{0,2})$/, 'must be a whole number of processes (1 or more), or auto')
    .default('1'),
  /** Worker threads that scan large requests for PHI off the event loop (0: every scan runs inline). */
  PORTICO_PHI_WORKERS: z.coerce.number().int().min(0).max(16).default(1),
  /** Requests whose texts total at least this many characters are scanned on a PHI worker thread. */
  PORTICO_PHI_OFFLOAD_CHARS: z.coerce
    .number()
    .int()
    .min(0)
    .default(32 * 1024),
  /** The most characters of text one request may ask the PHI scan to read (413 past it). */
  PORTICO_PHI_MAX_CHARS: z.coerce
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024),
  /** The secret token maps are sealed under (32 characters or more); `npm start` generates one into the data folder. */
  PORTICO_TOKEN_MAP_KEY: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  /** How long a token map is kept after its chain's last use, in hours. */
  PORTICO_TOKEN_MAP_TTL_HOURS: z.coerce
    .number()
    .min(0.01)
    .max(24 * 365)
    .default(24),
  /** How long SIGTERM waits for in-flight requests before closing them, in ms. */
  PORTICO_DRAIN_MS: z.coerce.number().int().min(0).default(10_000),
  /** Largest file upload (/v1/files: batch input, documents), in bytes. */
  PORTICO_MAX_FILE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(100 * 1024 * 1024),
  /** Largest audio upload, in bytes. */
  PORTICO_MAX_AUDIO_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(25 * 1024 * 1024),
  /** Slow clients: headers must arrive within this, the whole request within the next (ms). */
  PORTICO_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(20_000),
  PORTICO_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(300_000),
  /** Verified keys are served from memory this long; while the database is down, this long at most. */
  PORTICO_KEY_CACHE_FRESH_MS: z.coerce.number().int().min(100).default(30_000),
  PORTICO_KEY_CACHE_STALE_MS: z.coerce.number().int().min(1_000).default(300_000),
  PORTICO_DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** When set, /metrics requires Authorization: Bearer <token>; unset, it answers this machine only. */
  PORTICO_METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  /** How many proxies in front of Portico append to X-Forwarded-For (0: use the connection's address). */
  PORTICO_TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  /**
   * Notification email over SMTP, e.g. smtp://user:pass@host:587 or smtps://user:pass@host:465 (unset: no email).
   * It holds a password: never logged.
   */
  PORTICO_SMTP_URL: optionalString.pipe(
    z
      .string()
      .regex(/^smtps?:\/\/[^/]/, 'must be an smtp:// or smtps:// URL')
      .optional(),
  ),
  /** The From of notification emails. */
  PORTICO_MAIL_FROM: z
    .string()
    .trim()
    .min(3, 'must be an address, e.g. "Portico <portico@example.org>"')
    .default('Portico <portico@localhost>'),
  OIDC_ISSUER: optionalString.pipe(z.url().optional()),
  OIDC_CLIENT_ID: optionalString,
  OIDC_CLIENT_SECRET: optionalString,
  OIDC_NAME: z.string().default('Single sign-on'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof schema>;

/**
 * How much longer than PORTICO_DRAIN_MS a stopping Portico may take (closing the database, stopping the embedded
 * PostgreSQL) before it exits anyway; a deployment's grace period must cover both.
 */
export const SHUTDOWN_MARGIN_MS = 20_000;

/** Every variable Portico reads (the deploy kit's test checks its files against this list). */
export const ENV_VARIABLES: readonly string[] = Object.keys(schema.shape);

export class EnvError extends Error {}

/** Validates the environment; a bad value names the variable and what is expected. */
export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new EnvError(`Invalid environment:\n${lines.join('\n')}`);
  }
  const env = result.data;
  const oidc = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET];
  if (oidc.some(Boolean) && !oidc.every(Boolean)) {
    throw new EnvError(
      'Invalid environment:\n  OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together',
    );
  }
  return env;
}

let cached: Env | undefined;
/** The validated environment: the only way Portico's code reads its settings. */
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}

/** Settings start-up resolves itself (the embedded database's URL, a generated secret, the public URL). */
export type Resolved = Partial<
  Record<
    'DATABASE_URL' | 'NEXTAUTH_SECRET' | 'NEXTAUTH_URL' | 'PORTICO_PUBLIC_URL' | 'PORTICO_TOKEN_MAP_KEY',
    string
  >
>;

/**
 * Records values start-up resolved. They go into the process environment too, because the libraries that read it
 * themselves (Next.js and next-auth in this process, the Prisma CLI in a child) and Next.js's own copy of this
 * module must see them; env() is parsed again on its next call.
 */
export function resolveEnv(values: Resolved): void {
  for (const [k, v] of Object.entries(values)) if (v !== undefined) process.env[k] = v;
  cached = undefined;
}

/**
 * The environment as it is, for what is named only at run time (the gateway config's \${{ NAME }} placeholders)
 * and for child processes, which inherit it.
 */
export function rawEnv(): NodeJS.ProcessEnv {
  return process.env;
}
