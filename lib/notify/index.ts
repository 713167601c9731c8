import { db } from '../db';
import { env } from '../env';
import { EXPIRES_SOON_MS } from '../keys/state';
import { errorSummary, log } from '../log';
import { budgetUse } from '../usage/queries';
import { sendEmails } from './email';
import { dedupeKey, render, type NotifyEvent, type Rendered } from './events';
import { notificationsConfig, postWebhooks } from './webhooks';
import { every } from '../timers';

export type { Decision, NotifyEvent, NotifyEventName } from './events';
export { setNotificationsConfig, type NotificationsConfig } from './webhooks';

/** Whether any channel is configured: without one, notifications go to the portal's lists only. */
function enabled(): boolean {
  return Boolean(env().PORTICO_SMTP_URL) || notificationsConfig().webhooks.length > 0;
}

/**
 * Takes a notification that is sent once (an expiring key, a budget threshold) for this instance: true when its
 * row was inserted here, false when another instance (or an earlier sweep) already has it.
 */
async function claim(key: string, event: string): Promise<boolean> {
  const { count } = await db().notificationSent.createMany({
    data: [{ dedupeKey: key, event }],
    skipDuplicates: true,
  });
  return count === 1;
}

interface Recipient {
  id: string;
  email: string;
}

/** Who is told: reviewers and admins of a request (not its requester); otherwise the app's owners. Enabled users only. */
async function recipients(e: NotifyEvent): Promise<Recipient[]> {
  if (e.event === 'app.requested') {
    const requester = e.requestedBy.toLowerCase();
    const users = await db().user.findMany({
      where: { role: { in: ['reviewer', 'admin'] }, disabled: false },
      select: { id: true, email: true },
      orderBy: { email: 'asc' },
    });
    return users.filter((u) => u.email.toLowerCase() !== requester);
  }
  const owners = await db().appOwner.findMany({
    where: { appId: e.appId, user: { disabled: false } },
    select: { user: { select: { id: true, email: true } } },
    orderBy: { user: { email: 'asc' } },
  });
  return owners.map((o) => o.user);
}

/** Each recipient's list in the portal: what was emailed, or would have been where no email is set up. */
async function keep(e: NotifyEvent, r: Rendered, to: Recipient[], at: Date): Promise<void> {
  if (to.length === 0) return;
  await db().notification.createMany({
    data: to.map((u) => ({
      userId: u.id,
      event: e.event,
      appId: e.appId,
      subject: r.subject.replace(/^\[Portico\] /, ''),
      summary: r.summary,
      details: r.details,
      url: r.url,
      createdAt: at,
    })),
  });
}

async function deliver(e: NotifyEvent, occurredAt: Date): Promise<void> {
  const key = dedupeKey(e);
  if (key && !(await claim(key, e.event))) return;
  const rendered = render(e);
  const to = await recipients(e);
  await keep(e, rendered, to, occurredAt);
  if (!enabled()) return;
  const emails = to.map((u) => u.email);
  const results = await Promise.allSettled([
    sendEmails(e.event, emails, rendered),
    postWebhooks(e, rendered, occurredAt),
  ]);
  for (const r of results)
    if (r.status === 'rejected')
      log().warn({ event: e.event, err: (r.reason as Error).name }, 'notification delivery failed');
}

/**
 * Emails the people concerned and posts to the configured webhooks. Never throws: failures are logged. The
 * returned promise settles when every delivery has been attempted (callers do `void notify(…)`; tests await it).
 * key.expiring and budget.threshold are sent once across every instance (NotificationSent).
 */
export function notify(event: NotifyEvent, occurredAt: Date = new Date()): Promise<void> {
  return deliver(event, occurredAt).catch((err: unknown) =>
    log().error({ event: event.event, err: errorSummary(err) }, 'notification failed'),
  );
}

const THRESHOLDS = [100, 80] as const;
/** A hair of tolerance for sums of costs in floating point ($2.40 of $3 is 0.7999999999999999). */
const EPSILON = 1e-9;

/** The highest threshold reached (percent), if any. */
function thresholdReached(used: number, budget: number | null): 80 | 100 | undefined {
  if (!budget || budget <= 0) return undefined;
  return THRESHOLDS.find((t) => used / budget >= t / 100 - EPSILON);
}

/** Keys that expire within EXPIRES_SOON_MS: not revoked, not already replaced by a rotation, of approved apps. */
async function expiringKeys(now: Date): Promise<NotifyEvent[]> {
  const keys = await db().apiKey.findMany({
    where: {
      revokedAt: null,
      expiresAt: { gt: now, lte: new Date(now.getTime() + EXPIRES_SOON_MS) },
      rotatedTo: { is: null },
      app: { status: 'approved' },
    },
    select: {
      id: true,
      name: true,
      prefix: true,
      last4: true,
      expiresAt: true,
      app: { select: { id: true, name: true } },
    },
  });
  return keys.map((k) => ({
    event: 'key.expiring',
    appId: k.app.id,
    appName: k.app.name,
    keyId: k.id,
    keyName: k.name,
    keyDisplay: `${k.prefix}…${k.last4}`,
    expiresAt: k.expiresAt!,
  }));
}

/** Monthly budgets at 80% or 100% this month (UTC): the highest threshold reached, per budget kind. */
async function budgetThresholds(now: Date): Promise<NotifyEvent[]> {
  const out: NotifyEvent[] = [];
  for (const b of await budgetUse({ minShare: 0.8 - EPSILON, now })) {
    const kinds = [
      { kind: 'tokens', used: b.tokensUsed, budget: b.tokenBudget },
      { kind: 'cost', used: b.costUsd, budget: b.costBudgetUsd },
    ] as const;
    for (const { kind, used, budget } of kinds) {
      const threshold = thresholdReached(used, budget);
      if (threshold && budget)
        out.push({
          event: 'budget.threshold',
          appId: b.appId,
          appName: b.name,
          month: b.month,
          kind,
          threshold,
          used,
          budget,
        });
    }
  }
  return out;
}

/**
 * Finds expiring keys and budgets past a threshold and notifies each once (safe on every instance at once).
 * Never throws: failures are logged.
 */
export async function sweepNotifications(now: Date = new Date()): Promise<void> {
  // Swept with or without a channel: the portal lists them either way.
  for (const [what, find] of [
    ['keys', expiringKeys],
    ['budgets', budgetThresholds],
  ] as const) {
    try {
      for (const e of await find(now)) await notify(e, now);
    } catch (err) {
      log().warn({ sweep: what, err: errorSummary(err) }, 'notification sweep failed');
    }
  }
}

/** Runs the sweep every `everyMs` (first after a minute); timers never hold the process open. Returns stop. */
export function scheduleNotifications(everyMs = 300_000): () => void {
  return every(sweepNotifications, everyMs);
}

/** A person's notifications in the portal, newest first (their own only). */
export function listNotifications(userId: string, take = 100) {
  return db().notification.findMany({
    where: { userId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take,
    select: { id: true, subject: true, summary: true, details: true, url: true, createdAt: true },
  });
}

/** Whether notifications are emailed on this server (PORTICO_SMTP_URL). */
export function emailConfigured(): boolean {
  return Boolean(env().PORTICO_SMTP_URL);
}
