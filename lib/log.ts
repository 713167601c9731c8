import pino, { type Logger } from 'pino';
import { env } from './env';

const KEY = Symbol.for('portico.logger');

/** The configured level; a log line must still be written while the environment itself is being refused. */
function logLevel(): string {
  try {
    return env().LOG_LEVEL;
  } catch {
    return 'info';
  }
}
type Holder = { [KEY]?: Logger };

/**
 * The process logger: JSON lines on stdout. Log counts, ids and timings only: never a prompt, an answer,
 * a PHI value, a key or a password. The redaction below is a second line of defence, not the first.
 */
export function log(): Logger {
  const g = globalThis as Holder;
  g[KEY] ??= pino({
    level: logLevel(),
    base: { svc: 'portico' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["api-key"]',
        'req.headers["x-openai-key"]',
        'req.headers["x-compliantchatgpt-key"]',
        'req.headers.cookie',
        'headers.authorization',
        'headers["api-key"]',
        'password',
        'key',
        'secret',
      ],
      censor: '[redacted]',
    },
  });
  return g[KEY];
}

/**
 * An error as a log line may carry it: its name and the first line of its message, cut at 200 characters.
 * Database errors echo the query's arguments (emails, names) from their second line on.
 */
export function errorSummary(err: unknown): string {
  return err instanceof Error
    ? `${err.name}: ${(err.message.split('\n')[0] ?? '').slice(0, 200)}`
    : 'unknown';
}
