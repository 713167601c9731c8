import { Time } from '@/components/ui/time';
import { formatNumber, formatUsd } from '@/components/ui/format';
import type { AppDetail } from '@/lib/apps/queries';
import { phiPolicyLabel } from './phi-policies';
import { statefulWords } from '@/lib/token-maps/words';

type Review = AppDetail['reviews'][number];

export const DECISION_LABEL: Record<Review['decision'], string> = {
  submitted: 'Requested',
  resubmitted: 'Resubmitted',
  edited: 'Request edited',
  approved: 'Approved',
  rejected: 'Rejected',
  changes_requested: 'Sent back for changes',
  suspended: 'Suspended',
  reinstated: 'Reinstated',
  policy_changed: 'Policy changed',
  amendment_requested: 'Asked for more access',
  amendment_approved: 'More access approved',
  amendment_rejected: 'More access rejected',
  amendment_withdrawn: 'Request for more access withdrawn',
};

const DOT: Record<Review['decision'], string> = {
  submitted: 'bg-slate-400',
  resubmitted: 'bg-slate-400',
  edited: 'bg-slate-400',
  approved: 'bg-emerald-500',
  rejected: 'bg-red-500',
  changes_requested: 'bg-violet-500',
  suspended: 'bg-red-500',
  reinstated: 'bg-emerald-500',
  policy_changed: 'bg-sky-500',
  amendment_requested: 'bg-slate-400',
  amendment_approved: 'bg-emerald-500',
  amendment_rejected: 'bg-red-500',
  amendment_withdrawn: 'bg-slate-400',
};

/** What an amendment asked for, in one line: "models: gpt-4o · images · requests/min 120". */
export function askedSummary(details: unknown): string | null {
  if (!details || typeof details !== 'object') return null;
  const d = details as Record<string, unknown>;
  const parts: string[] = [];
  const list = (k: string, label: string) => {
    if (Array.isArray(d[k]) && d[k].length) parts.push(`${label}: ${(d[k] as string[]).join(', ')}`);
  };
  list('models', 'models');
  list('endpoints', 'endpoints');
  list('adapters', 'adapters');
  if (d.images === true) parts.push('images');
  if (d.audio === true) parts.push('audio');
  const limit = (k: string, label: string, fmt: (n: number) => string = formatNumber) => {
    if (typeof d[k] === 'number') parts.push(`${label} ${fmt(d[k])}`);
  };
  limit('rpmLimit', 'requests/min');
  limit('tpmLimit', 'tokens/min');
  limit('monthlyTokenBudget', 'monthly tokens');
  limit('monthlyCostBudgetUsd', 'monthly cost', formatUsd);
  return parts.length ? parts.join(' · ') : null;
}

/** What an approval or policy change set, in one line. */
export function policySummary(details: unknown): string | null {
  if (!details || typeof details !== 'object') return null;
  const d = details as Record<string, unknown>;
  const parts: string[] = [];
  if (Array.isArray(d.allowedModels))
    parts.push(d.allowedModels.length ? `models: ${d.allowedModels.join(', ')}` : 'no models');
  if (Array.isArray(d.allowedEndpoints))
    parts.push(d.allowedEndpoints.length ? `endpoints: ${d.allowedEndpoints.join(', ')}` : 'no endpoints');
  if (typeof d.phiPolicy === 'string') parts.push(`PHI: ${phiPolicyLabel(d.phiPolicy).toLowerCase()}`);
  if (Array.isArray(d.allowedAdapters))
    parts.push(d.allowedAdapters.length ? `adapters: ${d.allowedAdapters.join(', ')}` : 'no adapters');
  const flag = (k: string, label: string) => {
    if (typeof d[k] === 'boolean') parts.push(`${label} ${d[k] ? 'allowed' : 'not allowed'}`);
  };
  flag('allowByoKey', 'own OpenAI key');
  flag('allowImages', 'images');
  flag('allowAudio', 'audio');
  if (typeof d.statefulPhi === 'boolean') parts.push(statefulWords(d.statefulPhi));
  const limit = (k: string, label: string, fmt: (n: number) => string = formatNumber) => {
    if (k in d) parts.push(d[k] === null ? `no ${label}` : `${label} ${fmt(Number(d[k]))}`);
  };
  limit('rpmLimit', 'requests/min');
  limit('tpmLimit', 'tokens/min');
  limit('monthlyTokenBudget', 'monthly tokens');
  limit('monthlyCostBudgetUsd', 'monthly cost', formatUsd);
  return parts.length ? parts.join(' · ') : null;
}

/** The app's status history, oldest first: each request, decision and change, with who and why. */
export function StatusHistory({ reviews }: { reviews: Review[] }) {
  return (
    <ol className="space-y-4">
      {reviews.map((r) => {
        const summary =
          r.decision === 'approved' || r.decision === 'policy_changed' || r.decision === 'amendment_approved'
            ? policySummary(r.details)
            : r.decision === 'amendment_requested'
              ? askedSummary(r.details)
              : null;
        return (
          <li key={r.id} className="flex gap-3">
            <span aria-hidden="true" className={`mt-1.5 size-2.5 shrink-0 rounded-full ${DOT[r.decision]}`} />
            <div className="min-w-0 text-sm">
              <p>
                <span className="font-semibold text-slate-900">{DECISION_LABEL[r.decision]}</span>
                <span className="text-slate-600"> by {r.reviewer?.email ?? 'the command line'}</span>
              </p>
              <p className="text-xs text-slate-500">
                <Time date={r.createdAt} />
              </p>
              {r.reason && (
                <blockquote className="mt-1 border-l-2 border-slate-200 pl-3 whitespace-pre-line text-slate-800">
                  {r.reason}
                </blockquote>
              )}
              {summary && <p className="mt-1 text-slate-600">{summary}</p>}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
