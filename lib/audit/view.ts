import { z } from 'zod';
import { statefulWords } from '../token-maps/words';
import { db } from '../db';
import type { AuditFilter } from '.';

/** What each action is called in the portal and the export. */
export const ACTION_LABELS: Record<string, string> = {
  'auth.signin_failure_burst': 'Repeated sign-in failures',
  'app.requested': 'Access requested',
  'app.resubmitted': 'Request resubmitted',
  'app.request_edited': 'Request edited',
  'app.withdrawn': 'Request withdrawn',
  'app.approved': 'App approved',
  'app.rejected': 'App rejected',
  'app.changes_requested': 'Sent back for changes',
  'app.suspended': 'App suspended',
  'app.reinstated': 'App reinstated',
  'app.policy_changed': 'Policy changed',
  'app.amendment_requested': 'More access asked for',
  'app.amendment_approved': 'More access approved',
  'app.amendment_rejected': 'More access rejected',
  'app.amendment_withdrawn': 'Request for more access withdrawn',
  'app.owner_added': 'Owner added',
  'app.owner_removed': 'Owner removed',
  'key.created': 'Key created',
  'key.rotated': 'Key rotated',
  'key.revoked': 'Key revoked',
  'user.created': 'User created',
  'user.created_by_sso': 'User created by SSO',
  'user.sso_linked': 'Account linked to SSO',
  'user.role_changed': 'Role changed',
  'user.disabled': 'User disabled',
  'user.enabled': 'User enabled',
  'user.password_set': 'Password set',
  'user.password_reset': 'Password reset by an admin',
  'user.password_changed': 'Password changed',
  'user.signed_out_everywhere': 'Signed out everywhere',
};

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .optional()
  .catch(undefined);

/** The audit log's filters as the page's query string carries them (bad values are ignored, not errors). */
export const auditQuerySchema = z.object({
  action: z
    .string()
    .max(80)
    .regex(/^[a-z_.]*$/)
    .optional()
    .catch(undefined),
  actor: z.string().trim().max(254).optional().catch(undefined),
  target: z.string().trim().max(80).optional().catch(undefined),
  from: day,
  to: day,
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

/** The query string's filters as lib/audit takes them (`to` is inclusive in the form, exclusive below). */
export function auditFilter(q: AuditQuery): AuditFilter {
  const from = q.from ? new Date(`${q.from}T00:00:00Z`) : undefined;
  const to = q.to ? new Date(new Date(`${q.to}T00:00:00Z`).getTime() + 86_400_000) : undefined;
  return {
    action: q.action || undefined,
    actor: q.actor || undefined,
    target: q.target || undefined,
    from: from && !isNaN(+from) ? from : undefined,
    to: to && !isNaN(+to) ? to : undefined,
  };
}

// Details in words: the label of each field, in the order a reader wants them (jsonb does not keep order).
const FIELDS: [string, string][] = [
  ['name', 'Name'],
  ['email', 'Email'],
  ['role', 'Role'],
  ['from', 'From'],
  ['to', 'To'],
  ['reason', 'Reason'],
  ['requestedModels', 'Requested models'],
  ['requestedEndpoints', 'Requested endpoints'],
  ['models', 'Asked models'],
  ['endpoints', 'Asked endpoints'],
  ['adapters', 'Asked adapters'],
  ['images', 'Asked images'],
  ['audio', 'Asked audio'],
  ['allowedModels', 'Models'],
  ['phiPolicy', 'PHI policy'],
  ['rpmLimit', 'Requests per minute'],
  ['tpmLimit', 'Tokens per minute'],
  ['monthlyTokenBudget', 'Monthly tokens'],
  ['monthlyCostBudgetUsd', 'Monthly budget (USD)'],
  ['allowedAdapters', 'Adapters'],
  ['allowedEndpoints', 'Custom endpoints'],
  ['allowByoKey', 'Own OpenAI key'],
  ['allowImages', 'Images'],
  ['allowAudio', 'Audio'],
  ['graceMinutes', 'Old key kept (minutes)'],
  ['oldKeyEndsAt', 'Old key stops'],
  ['statefulPhi', 'Stateful calls (token maps kept)'],
  ['failures', 'Failures'],
  ['sessions', 'Sessions ended'],
  ['selfApproved', 'Self-approved (one-person install)'],
  ['by', 'By'],
];
const FIELD_LABEL = new Map(FIELDS);
const rank = (k: string) => {
  const i = FIELDS.findIndex(([f]) => f === k);
  return i < 0 ? FIELDS.length : i;
};
// Ids shown as the names they stand for (the target column links them).
const HIDDEN = new Set(['appId', 'userId', 'rotatedFromId']);
const LIMITS = new Set(['rpmLimit', 'tpmLimit', 'monthlyTokenBudget', 'monthlyCostBudgetUsd']);

function value(key: string, v: unknown): string {
  if (v === null) return LIMITS.has(key) ? 'no limit' : 'none';
  if (typeof v === 'boolean' && key === 'statefulPhi') return statefulWords(v);
  if (typeof v === 'boolean') return key === 'selfApproved' ? '' : v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.length ? v.join(', ') : 'none';
  if (key === 'by' && v === 'operator') return 'the operator (CLI)';
  if (typeof v === 'number') return v.toLocaleString('en-US');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** An event's details as a reader reads them: "Models: a, b · PHI policy: scrub · Requests per minute: no limit". */
export function readableDetails(d: unknown): string {
  if (!d || typeof d !== 'object') return '';
  return Object.entries(d as Record<string, unknown>)
    .filter(([k, v]) => v !== undefined && !HIDDEN.has(k) && !(k === 'selfApproved' && v !== true))
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([k, v]) => {
      const label = FIELD_LABEL.get(k) ?? k;
      const shown = value(k, v);
      return shown ? `${label}: ${shown}` : label;
    })
    .join(' · ')
    .slice(0, 600);
}

export interface AuditTarget {
  type: string;
  /** A name a person recognises: the app's name, the key's name and prefix…last4, the user's email. */
  label: string;
  /** The page of the target, when it still exists. */
  href: string | null;
  id: string;
}

interface EventRef {
  targetType: string | null;
  targetId: string | null;
  details: unknown;
}

const detail = (d: unknown, k: string) =>
  d && typeof d === 'object' && typeof (d as Record<string, unknown>)[k] === 'string'
    ? ((d as Record<string, unknown>)[k] as string)
    : undefined;

/** The targets of a page of events by name, with links: one query per kind of target. */
export async function auditTargets(events: EventRef[]): Promise<Map<string, AuditTarget>> {
  const ids = (type: string) => [
    ...new Set(events.filter((e) => e.targetType === type && e.targetId).map((e) => e.targetId!)),
  ];
  const [apps, keys, users] = await Promise.all([
    db().app.findMany({ where: { id: { in: ids('app') } }, select: { id: true, name: true } }),
    db().apiKey.findMany({
      where: { id: { in: ids('key') } },
      select: {
        id: true,
        name: true,
        prefix: true,
        last4: true,
        appId: true,
        app: { select: { name: true } },
      },
    }),
    db().user.findMany({ where: { id: { in: ids('user') } }, select: { id: true, email: true } }),
  ]);
  const appById = new Map(apps.map((a) => [a.id, a]));
  const keyById = new Map(keys.map((k) => [k.id, k]));
  const userById = new Map(users.map((u) => [u.id, u]));
  const out = new Map<string, AuditTarget>();
  for (const e of events) {
    if (!e.targetType || !e.targetId) continue;
    const id = e.targetId;
    let t: AuditTarget;
    if (e.targetType === 'app') {
      const a = appById.get(id);
      t = a
        ? { type: 'app', id, label: a.name, href: `/apps/${id}` }
        : { type: 'app', id, label: `${detail(e.details, 'name') ?? 'an app'} (deleted)`, href: null };
    } else if (e.targetType === 'key') {
      const k = keyById.get(id);
      t = k
        ? {
            type: 'key',
            id,
            label: `${k.name} (${k.prefix}…${k.last4}) of ${k.app.name}`,
            href: `/apps/${k.appId}#keys`,
          }
        : { type: 'key', id, label: `${detail(e.details, 'name') ?? 'a key'} (deleted)`, href: null };
    } else if (e.targetType === 'user') {
      const u = userById.get(id);
      const email = u?.email ?? detail(e.details, 'email');
      t = {
        type: 'user',
        id,
        label: email ?? 'a user (deleted)',
        href: u ? `/users?q=${encodeURIComponent(u.email)}` : null,
      };
    } else t = { type: e.targetType, id, label: id, href: null };
    out.set(`${e.targetType}:${id}`, t);
  }
  return out;
}
