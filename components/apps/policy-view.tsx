import type { ReactNode } from 'react';
import { DefinitionList } from '@/components/ui/card';
import { formatNumber, formatUsd } from '@/components/ui/format';
import type { AppDetail } from '@/lib/apps/queries';
import { PHI_POLICIES } from './phi-policies';
import { statefulWords } from '@/lib/token-maps/words';

const names = (list: string[], none: string) =>
  list.length ? (
    <span className="font-mono text-xs break-words">{list.join(', ')}</span>
  ) : (
    <span className="text-slate-500">{none}</span>
  );

/** The app's models, endpoints, PHI policy and limits, read-only. */
export function PolicyView({ app }: { app: AppDetail }) {
  const policy = PHI_POLICIES.find((p) => p.value === app.phiPolicy);
  const none = <span className="text-slate-500">No limit</span>;
  return (
    <DefinitionList
      stacked
      items={[
        ['Allowed models', names(app.allowedModels, 'None')],
        ['Custom endpoints', names(app.allowedEndpoints, 'None')],
        [
          'PHI policy',
          policy ? (
            <>
              <span className="font-semibold">{policy.label}</span>
              <span className="block text-xs text-slate-600">{policy.summary}</span>
            </>
          ) : (
            app.phiPolicy
          ),
        ],
        [
          'HTTP adapters',
          app.allowedAdapters.length ? (
            <span className="font-mono text-xs">{app.allowedAdapters.join(', ')}</span>
          ) : (
            <span className="text-slate-500">None</span>
          ),
        ],
        [
          'Own OpenAI key (x-openai-key)',
          app.allowByoKey ? (
            'Allowed on the PHI-safe chat endpoint'
          ) : (
            <span className="text-slate-500">Not allowed</span>
          ),
        ],
        [
          'Images',
          app.allowImages ? (
            <>
              Allowed
              <span className="block text-xs text-amber-800">PHI inside an image cannot be scrubbed.</span>
            </>
          ) : (
            <span className="text-slate-500">Not allowed</span>
          ),
        ],
        [
          'Audio',
          app.allowAudio ? (
            <>
              Allowed
              <span className="block text-xs text-amber-800">PHI inside audio cannot be scrubbed.</span>
            </>
          ) : (
            <span className="text-slate-500">Not allowed</span>
          ),
        ],
        [
          'Stateful calls',
          app.statefulPhi ? (
            <>
              Allowed
              <span className="block text-xs text-slate-600">
                {statefulWords(true)}, sealed; erased with their objects.
              </span>
            </>
          ) : (
            <span className="text-slate-500">Not allowed (store: false is forced upstream)</span>
          ),
        ],
        ['Requests per minute', app.rpmLimit ? formatNumber(app.rpmLimit) : none],
        ['Tokens per minute', app.tpmLimit ? formatNumber(app.tpmLimit) : none],
        [
          'Monthly tokens',
          app.monthlyTokenBudget ? (
            formatNumber(app.monthlyTokenBudget)
          ) : (
            <span className="text-slate-500">No budget</span>
          ),
        ],
        [
          'Monthly cost',
          app.monthlyCostBudgetUsd ? (
            formatUsd(app.monthlyCostBudgetUsd)
          ) : (
            <span className="text-slate-500">No budget</span>
          ),
        ],
      ]}
    />
  );
}

export function RequestDetails({ app, stacked = false }: { app: AppDetail; stacked?: boolean }) {
  return (
    <DefinitionList
      stacked={stacked}
      items={[
        ['Description', app.description],
        ['Use case', app.useCase],
        ['Executive sponsor', app.sponsor],
        ['Expected return', app.expectedReturn],
        ['Expected volume', app.expectedVolume],
        ['Handles PHI', app.involvesPhi ? 'Yes' : 'No'],
        ['Requested models', names(app.requestedModels, 'None')],
        ...(app.requestedEndpoints.length
          ? [['Requested endpoints', names(app.requestedEndpoints, 'None')] as [string, ReactNode]]
          : []),
        ['Internal use only', app.internalOnlyAttested ? 'Attested by the requester' : 'Not attested'],
      ]}
    />
  );
}
