import { gatewayConfig } from '../config';
import { resolvePlaceholders } from '../config/load';
import type { ConfigFile, WebhookConfig } from '../config/schema';
import { rawEnv } from '../env';
import { log } from '../log';
import { jsonPayload, slackText, type NotifyEvent, type Rendered } from './events';

export type NotificationsConfig = ConfigFile['notifications'];

const KEY = Symbol.for('portico.notificationsConfig');
type Holder = { [KEY]?: NotificationsConfig };

/** The gateway config's `notifications` section, unless a test replaced it. */
export function notificationsConfig(): NotificationsConfig {
  return (globalThis as Holder)[KEY] ?? gatewayConfig().notifications;
}

/** Replaces the notifications settings (tests; a process that loaded its config some other way). */
export function setNotificationsConfig(cfg: NotificationsConfig | undefined): void {
  (globalThis as Holder)[KEY] = cfg;
}

export const WEBHOOK_TIMEOUT_MS = 5_000;

/** The webhook's URL with its ${{ VAR }} resolved now; undefined (and logged, by name) when one is missing. */
function resolveUrl(hook: WebhookConfig, index: number): URL | undefined {
  const missing: string[] = [];
  const resolved = resolvePlaceholders(hook.url, `notifications.webhooks.${index}.url`, rawEnv(), missing);
  if (missing.length > 0) {
    log().warn({ webhook: index, missing }, 'notification webhook skipped');
    return undefined;
  }
  try {
    const url = new URL(resolved);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // fall through
  }
  log().warn({ webhook: index }, 'notification webhook skipped: its URL is not an http(s) URL');
  return undefined;
}

async function post(
  hook: WebhookConfig,
  index: number,
  e: NotifyEvent,
  r: Rendered,
  at: Date,
): Promise<void> {
  const url = resolveUrl(hook, index);
  if (!url) return;
  const body = hook.format === 'slack' ? { text: slackText(r) } : jsonPayload(e, r, at);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Portico-Notifications' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    await res.body?.cancel();
    if (!res.ok)
      log().warn({ event: e.event, webhook: index, status: res.status }, 'notification webhook failed');
  } catch (err) {
    // The URL (and its secret) stays out of the log: the event, which webhook and why.
    const cause = (err as { cause?: { code?: unknown } }).cause;
    const reason = typeof cause?.code === 'string' ? cause.code : (err as Error).name;
    log().warn({ event: e.event, webhook: index, error: reason }, 'notification webhook failed');
  }
}

/** Posts the event to every configured webhook that takes it, in parallel; failures are logged. */
export async function postWebhooks(e: NotifyEvent, r: Rendered, at: Date): Promise<void> {
  const hooks = notificationsConfig().webhooks;
  await Promise.all(
    hooks.map((hook, i) =>
      !hook.events || hook.events.includes(e.event) ? post(hook, i, e, r, at) : Promise.resolve(),
    ),
  );
}
