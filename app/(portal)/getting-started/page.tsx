import type { Metadata } from 'next';
import Link from 'next/link';
import { headers } from 'next/headers';
import { requireUser } from '@/lib/auth/session';
import { appAccess } from '@/lib/apps/access';
import { listOwnedApps } from '@/lib/apps/queries';
import { db } from '@/lib/db';
import { gatewayConfig } from '@/lib/config';
import { AppPicker } from '@/components/guide/app-picker';
import { API_VERSION, samples } from '@/components/guide/samples';
import { Alert } from '@/components/ui/alert';
import { StatusBadge } from '@/components/ui/badge';
import { LinkButton } from '@/components/ui/button';
import { Card, PageHeader, Section } from '@/components/ui/card';
import { CopyButton } from '@/components/ui/copy-button';

export const metadata: Metadata = { title: 'Getting started' };

async function baseUrl(): Promise<string> {
  const configured = process.env.PORTICO_PUBLIC_URL;
  if (configured) return configured.replace(/\/+$/, '');
  const h = await headers();
  return `${h.get('x-forwarded-proto') ?? 'http'}://${h.get('host') ?? 'localhost:3000'}`;
}

const FAQ: [string, React.ReactNode][] = [
  [
    'Can I call Portico from a browser or a mobile app?',
    <>
      No. Portico is for backends: a key in a browser or an app can be read by anyone who uses it. Requests
      that come from a browser (an <code>Origin</code> header or a CORS preflight) are refused with 403. Call
      Portico from your server and let your front end talk to your server.
    </>,
  ],
  [
    'Why one app per use case?',
    <>
      Approval, allowed models, limits, the PHI policy and usage reports are all per app. A reviewer approves
      a use case, not a team, so a new use case needs its own request. One app can have several owners and
      several keys (one per environment or deployment).
    </>,
  ],
  [
    'How should I handle keys?',
    <>
      Like passwords. Keep them in your secret manager or your deployment’s environment, never in code, git,
      tickets, chat or logs. Portico shows a key once and keeps only its SHA-256 hash, so it cannot show it
      again. Rotate keys with a grace period so you can deploy the new one without downtime; if a key leaks,
      revoke it: every Portico instance refuses it within seconds.
    </>,
  ],
  [
    'Who can see my usage?',
    <>
      The app’s owners, reviewers and admins see request counts, tokens, cost, errors and how many PHI
      identifiers were removed, per app, model and key. Prompts, answers and PHI values are never stored, so
      nobody can read them, admins included.
    </>,
  ],
  [
    'What happens to PHI in my prompts?',
    <>
      It depends on the app’s PHI policy, set at approval. With <em>scrub</em> (the default), names, dates,
      record numbers and the other identifiers become tokens before the request leaves and are put back in the
      answer; <em>redact</em> leaves the tokens; <em>block</em> refuses a request that contains PHI.
    </>,
  ],
  [
    'What if I hit a limit?',
    <>
      Calls over the app’s per-minute limits or monthly budget get 429 with a <code>Retry-After</code> header;
      the SDKs wait and retry. Ask a Portico admin if the limits no longer fit.
    </>,
  ],
];

export default async function GettingStartedPage({
  searchParams,
}: {
  searchParams: Promise<{ app?: string }>;
}) {
  const user = await requireUser();
  const [{ app: wanted }, owned, base] = await Promise.all([searchParams, listOwnedApps(user.id), baseUrl()]);
  // Approved apps first: those are the ones with keys.
  const choices = [...owned].sort(
    (a, b) => Number(b.status === 'approved') - Number(a.status === 'approved'),
  );
  let app:
    | { id: string; name: string; status: (typeof owned)[number]['status']; allowedModels: string[] }
    | undefined = choices.find((a) => a.id === wanted) ?? choices[0];
  if (
    wanted &&
    !choices.some((a) => a.id === wanted) &&
    typeof wanted === 'string' &&
    (await appAccess(user, wanted)).view
  ) {
    app =
      (await db().app.findUnique({
        where: { id: wanted },
        select: { id: true, name: true, status: true, allowedModels: true },
      })) ?? app;
  }
  const configured = [...gatewayConfig().models.keys()];
  const deployments = app?.status === 'approved' && app.allowedModels.length ? app.allowedModels : [];
  const deployment = deployments[0] ?? configured[0] ?? 'gpt-4o-mini-2024-07-18';

  return (
    <>
      <PageHeader
        title="Getting started"
        description="Call the approved models from your backend with the official OpenAI SDKs, unchanged. Portico removes PHI on the way and meters usage per app."
      />
      <div className="space-y-6">
        <Card className="p-5">
          <ol className="grid gap-4 text-sm md:grid-cols-4">
            {[
              ['Request access', 'One app per use case, with a sponsor and the models you need.'],
              ['Get approved', 'A reviewer sets the allowed models, limits and PHI policy.'],
              ['Create a key', 'On the app’s page. It is shown once: store it like a password.'],
              ['Call Portico', 'From your backend, with one of the samples below.'],
            ].map(([title, text], i) => (
              <li key={title} className="flex gap-3">
                <span
                  aria-hidden="true"
                  className="flex size-7 shrink-0 items-center justify-center rounded-full bg-brand-50 font-semibold text-brand-700"
                >
                  {i + 1}
                </span>
                <span>
                  <span className="block font-semibold text-slate-900">{title}</span>
                  <span className="text-slate-600">{text}</span>
                </span>
              </li>
            ))}
          </ol>
        </Card>

        {!app ? (
          <Alert tone="info" title="You have no app yet" live={false}>
            The samples below use a configured model; to run them you need an approved app and a key.{' '}
            <Link href="/apps/new" className="font-semibold underline">
              Request access
            </Link>
          </Alert>
        ) : (
          <div className="flex flex-wrap items-end justify-between gap-4">
            {choices.length > 1 ? (
              <AppPicker
                apps={choices.map((a) => ({ id: a.id, name: a.name, status: a.status }))}
                current={app.id}
              />
            ) : (
              <p className="text-sm text-slate-700">
                Samples for <span className="font-semibold">{app.name}</span>
              </p>
            )}
            <div className="flex items-center gap-3">
              <StatusBadge status={app.status} />
              <LinkButton href={`/apps/${app.id}`} variant="secondary" size="sm">
                {app.status === 'approved' ? 'Create or manage keys' : 'Open the app'}
              </LinkButton>
            </div>
          </div>
        )}
        {app && app.status !== 'approved' && (
          <Alert tone="warning" live={false}>
            {app.name} is not approved yet, so its keys do not exist and the deployment names below are
            examples.
          </Alert>
        )}

        <Section id="connection" title="Connection details">
          <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[auto_1fr]">
            <dt className="font-medium text-slate-500">Azure OpenAI endpoint</dt>
            <dd className="flex flex-wrap items-center gap-2">
              <code
                className="rounded bg-slate-100 px-1.5 py-0.5"
                data-testid="endpoint"
              >{`${base}/api/public/oai`}</code>
              <CopyButton text={`${base}/api/public/oai`} label="Copy" />
            </dd>
            <dt className="font-medium text-slate-500">OpenAI base URL</dt>
            <dd>
              <code className="rounded bg-slate-100 px-1.5 py-0.5">{`${base}/api/public/oai/v1`}</code>
            </dd>
            <dt className="font-medium text-slate-500">Deployments (models)</dt>
            <dd>
              {deployments.length ? (
                <ul className="flex flex-wrap gap-2">
                  {deployments.map((d) => (
                    <li key={d}>
                      <code className="rounded bg-slate-100 px-1.5 py-0.5">{d}</code>
                    </li>
                  ))}
                </ul>
              ) : (
                <span className="text-slate-600">
                  Set when your app is approved. Configured models: {configured.join(', ')}
                </span>
              )}
            </dd>
            <dt className="font-medium text-slate-500">API version</dt>
            <dd>
              <code className="rounded bg-slate-100 px-1.5 py-0.5">{API_VERSION}</code>
            </dd>
            <dt className="font-medium text-slate-500">Key</dt>
            <dd>
              Header <code className="rounded bg-slate-100 px-1.5 py-0.5">api-key</code> (or{' '}
              <code className="rounded bg-slate-100 px-1.5 py-0.5">Authorization: Bearer</code>). The samples
              read it from the <code className="rounded bg-slate-100 px-1.5 py-0.5">PORTICO_API_KEY</code>{' '}
              environment variable.
            </dd>
          </dl>
        </Section>

        <section aria-labelledby="samples-title" className="space-y-4">
          <h2 id="samples-title" className="text-lg font-semibold">
            Samples
          </h2>
          {samples(base, deployment).map((s) => (
            <Card key={s.id} className="overflow-hidden">
              <div className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-100 px-5 py-3">
                <h3 id={`sample-${s.id}`} className="font-semibold">
                  {s.title}
                </h3>
                <div className="flex items-center gap-3">
                  {s.install && <code className="text-xs text-slate-600">{s.install}</code>}
                  <CopyButton text={s.code} label="Copy code" />
                </div>
              </div>
              <pre
                aria-labelledby={`sample-${s.id}`}
                tabIndex={0}
                className="relative overflow-x-auto bg-slate-900 px-5 py-4 text-[13px] leading-relaxed text-slate-100"
              >
                <code data-language={s.language}>{s.code}</code>
              </pre>
            </Card>
          ))}
        </section>

        <section aria-labelledby="faq-title">
          <h2 id="faq-title" className="mb-3 text-lg font-semibold">
            Questions
          </h2>
          <div className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white shadow-sm">
            {FAQ.map(([q, a]) => (
              <details key={q} className="group px-5 py-3">
                <summary className="cursor-pointer font-medium text-slate-900 marker:text-slate-400">
                  {q}
                </summary>
                <div className="mt-2 max-w-3xl text-sm leading-relaxed text-slate-700">{a}</div>
              </details>
            ))}
          </div>
        </section>
      </div>
    </>
  );
}
