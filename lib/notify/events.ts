import type { NOTIFY_EVENTS } from '../config/schema';
import { env } from '../env';

export type NotifyEventName = (typeof NOTIFY_EVENTS)[number];

export type Decision =
  | 'approved'
  | 'rejected'
  | 'changes_requested'
  | 'suspended'
  | 'reinstated'
  | 'amendment_approved'
  | 'amendment_rejected';

/**
 * What happened, with what a person needs to act on it: apps, keys by their display form, people's emails,
 * numbers. Never a prompt, an answer, a PHI value or a key.
 */
export type NotifyEvent =
  | {
      event: 'app.requested';
      appId: string;
      appName: string;
      /** The requester's email: reviewers and admins are told, but not the requester. */
      requestedBy: string;
      resubmitted: boolean;
      /** An approved app's owners ask for more (an amendment), not for a first approval. */
      amendment?: boolean;
    }
  | {
      event: 'app.decided';
      appId: string;
      appName: string;
      decision: Decision;
      reason?: string | null;
      decidedBy: string;
    }
  | {
      event: 'key.expiring';
      appId: string;
      appName: string;
      keyId: string;
      keyName: string;
      /** `prefix…last4`, as the portal shows it. */
      keyDisplay: string;
      expiresAt: Date;
    }
  | {
      event: 'budget.threshold';
      appId: string;
      appName: string;
      /** YYYY-MM, UTC. */
      month: string;
      kind: 'tokens' | 'cost';
      /** Percent of the budget reached. */
      threshold: 80 | 100;
      used: number;
      budget: number;
    };

/** The one-per-event key of notifications sent once (see NotificationSent); null: sent each time. */
export function dedupeKey(e: NotifyEvent): string | null {
  switch (e.event) {
    case 'key.expiring':
      return `key.expiring:${e.keyId}`;
    case 'budget.threshold':
      return `budget.threshold:${e.appId}:${e.month}:${e.kind}:${e.threshold}`;
    default:
      return null;
  }
}

function portalUrl(path: string): string {
  const e = env();
  const base = (e.PORTICO_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return `${base}${path}`;
}

/** An event in words: the email's subject and body, the chat line, the link. */
export interface Rendered {
  subject: string;
  /** One line: the chat message and the email's first paragraph. */
  summary: string;
  /** Further paragraphs of the email. */
  details: string[];
  url: string;
  linkLabel: string;
}

const DECIDED: Record<Decision, (app: string) => string> = {
  approved: (app) => `Access approved: ${app}`,
  rejected: (app) => `Access rejected: ${app}`,
  changes_requested: (app) => `Changes requested: ${app}`,
  suspended: (app) => `App suspended: ${app}`,
  reinstated: (app) => `App reinstated: ${app}`,
  amendment_approved: (app) => `More access approved: ${app}`,
  amendment_rejected: (app) => `More access rejected: ${app}`,
};

const DECIDED_VERB: Record<Decision, string> = {
  approved: 'approved',
  rejected: 'rejected',
  changes_requested: 'asked for changes to',
  suspended: 'suspended',
  reinstated: 'reinstated',
  amendment_approved: 'approved the request for more access of',
  amendment_rejected: 'rejected the request for more access of',
};

const fmtTokens = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtUsd = (n: number) => `$${n.toFixed(2)}`;

export function render(e: NotifyEvent): Rendered {
  switch (e.event) {
    case 'app.requested': {
      if (e.amendment)
        return {
          subject: `[Portico] More access requested: ${e.appName}`,
          summary: `${e.requestedBy} asked for more access for "${e.appName}".`,
          details: ['The app keeps working as approved while it waits in the review queue.'],
          url: portalUrl(`/review/${e.appId}`),
          linkLabel: 'Review the request',
        };
      const subject = e.resubmitted
        ? `Access request resubmitted: ${e.appName}`
        : `New access request: ${e.appName}`;
      return {
        subject: `[Portico] ${subject}`,
        summary: e.resubmitted
          ? `${e.requestedBy} resubmitted the access request of "${e.appName}".`
          : `${e.requestedBy} requested access for "${e.appName}".`,
        details: ['It waits in the review queue.'],
        url: portalUrl(`/review/${e.appId}`),
        linkLabel: 'Review the request',
      };
    }
    case 'app.decided':
      return {
        subject: `[Portico] ${DECIDED[e.decision](e.appName)}`,
        summary: `${e.decidedBy} ${DECIDED_VERB[e.decision]} "${e.appName}".`,
        details: [
          ...(e.reason ? [`Reason: ${e.reason}`] : []),
          ...(e.decision === 'changes_requested' ? ['Edit the request and resubmit it.'] : []),
          ...(e.decision === 'suspended' ? ["The app's keys are refused until it is reinstated."] : []),
          ...(e.decision === 'amendment_approved' ? ['The new access applies to the next request.'] : []),
          ...(e.decision === 'amendment_rejected' ? ['The app keeps the access it had.'] : []),
        ],
        url: portalUrl(`/apps/${e.appId}`),
        linkLabel: 'Open the app',
      };
    case 'key.expiring': {
      const at = e.expiresAt.toISOString().slice(0, 16).replace('T', ' ');
      return {
        subject: `[Portico] API key expiring: ${e.appName} / ${e.keyName}`,
        summary: `The key "${e.keyName}" (${e.keyDisplay}) of "${e.appName}" expires on ${at} UTC.`,
        details: ['Rotate it before then: requests with an expired key are refused.'],
        url: portalUrl(`/apps/${e.appId}`),
        linkLabel: 'Open the app',
      };
    }
    case 'budget.threshold': {
      const what = e.kind === 'tokens' ? 'token' : 'cost';
      const fmt = e.kind === 'tokens' ? fmtTokens : fmtUsd;
      return {
        subject: `[Portico] ${e.appName} has used ${e.threshold}% of its monthly ${what} budget`,
        summary: `"${e.appName}" has used ${fmt(e.used)} of its monthly ${what} budget of ${fmt(e.budget)} in ${e.month} (UTC).`,
        details: [
          e.threshold >= 100
            ? 'Its requests are refused (429) until the month ends or the budget is raised.'
            : 'At 100% its requests are refused (429) until the month ends.',
        ],
        url: portalUrl(`/apps/${e.appId}`),
        linkLabel: 'Open the app',
      };
    }
  }
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function emailBody(r: Rendered): { text: string; html: string } {
  const paragraphs = [r.summary, ...r.details];
  const text = [...paragraphs, `${r.linkLabel}: ${r.url}`, '-- \nPortico'].join('\n\n') + '\n';
  const html =
    paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n') +
    `\n<p><a href="${escapeHtml(r.url)}">${escapeHtml(r.linkLabel)}</a></p>\n<p style="color:#666">Portico</p>\n`;
  return { text, html };
}

/** Slack's mrkdwn: &, < and > are escaped; a link is <url|label>. */
const escapeSlack = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function slackText(r: Rendered): string {
  const reason = r.details.find((d) => d.startsWith('Reason: '));
  return `${escapeSlack(r.summary)}${reason ? ` ${escapeSlack(reason)}` : ''} <${r.url}|${escapeSlack(r.linkLabel)}>`;
}

/** Portico's JSON payload: the event, when, the app, the event's own fields and the portal link. */
export function jsonPayload(e: NotifyEvent, r: Rendered, occurredAt: Date): Record<string, unknown> {
  const { event, appId, appName, ...fields } = e;
  return {
    event,
    occurredAt: occurredAt.toISOString(),
    app: { id: appId, name: appName },
    ...fields,
    url: r.url,
  };
}
