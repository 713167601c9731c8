import type { Metadata } from 'next';
import Link from 'next/link';
import { headers } from 'next/headers';
import { requireUser } from '@/lib/auth/session';
import { appAccess } from '@/lib/apps/access';
import { appForSamples, listOwnedApps } from '@/lib/apps/queries';
import { gatewayConfig } from '@/lib/config';
import { env } from '@/lib/env';
import { AppPicker } from '@/components/guide/app-picker';
import { API_VERSION, sampleGroups, type SampleGroup } from '@/guide/samples';
import { Alert } from '@/components/ui/alert';
import { StatusBadge } from '@/components/ui/badge';
import { buttonClass, LinkButton } from '@/components/ui/button';
import { Card, PageHeader, Section } from '@/components/ui/card';
import { CopyButton } from '@/components/ui/copy-button';
import { SampleTabs } from '@/components/guide/sample-tabs';
import { endpointSamples } from '@/components/guide/endpoint-samples';

export const metadata: Metadata = { title: 'Getting started' };

async function baseUrl(): Promise<string> {
  const configured = env().PORTICO_PUBLIC_URL;
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

type OwnedApp = Awaited<ReturnType<typeof listOwnedApps>>[number];
type SampleApp = Pick<
  OwnedApp,
  'id' | 'name' | 'status' | 'allowedModels' | 'allowedAdapters' | 'allowedEndpoints' | 'allowByoKey'
>;
type Endpoint = NonNullable<ReturnType<ReturnType<typeof gatewayConfig>['endpoints']['get']>>;

// Long URLs break anywhere rather than widen the page on a phone.
const code = (text: string) => (
  <code className="rounded bg-slate-100 px-1 py-0.5 text-[13px] [overflow-wrap:anywhere]">{text}</code>
);

/**
 * The app the samples are for: the one asked for (`?app=`) among the user's own, or any other they may see, else their
 * first; approved apps first, as those have keys. A rejected app never gets any, so it is not offered.
 */
async function sampleApp(
  user: Awaited<ReturnType<typeof requireUser>>,
  wanted: string | undefined,
  owned: OwnedApp[],
) {
  const choices = owned
    .filter((a) => a.status !== 'rejected')
    .sort((a, b) => Number(b.status === 'approved') - Number(a.status === 'approved'));
  let app: SampleApp | undefined = choices.find((a) => a.id === wanted) ?? choices[0];
  if (
    wanted &&
    !choices.some((a) => a.id === wanted) &&
    typeof wanted === 'string' &&
    (await appAccess(user, wanted)).view
  ) {
    app = (await appForSamples(wanted)) ?? app;
  }
  return { app, choices };
}

export default async function GettingStartedPage({
  searchParams,
}: {
  searchParams: Promise<{ app?: string }>;
}) {
  const user = await requireUser();
  const [{ app: wanted }, owned, base] = await Promise.all([searchParams, listOwnedApps(user.id), baseUrl()]);
  const { app, choices } = await sampleApp(user, wanted, owned);
  const configured = [...gatewayConfig().models.keys()];
  const deployments = app?.status === 'approved' && app.allowedModels.length ? app.allowedModels : [];
  const deployment = deployments[0] ?? configured[0] ?? 'gpt-4o-mini-2024-07-18';
  const approved = app?.status === 'approved';
  const configuredAdapters = [...gatewayConfig().adapters.keys()];
  const allowedAdapters = approved ? app!.allowedAdapters : [];
  const byoKey = approved && app!.allowByoKey;
  const endpoints = gatewayConfig().endpoints;
  // Granted ones the config still has, with the example body its samples send.
  const grantedEndpoints = (approved ? app!.allowedEndpoints : []).flatMap((n) => {
    const e = endpoints.get(n);
    return e ? [e] : [];
  });
  const groups = sampleGroups({
    baseUrl: base,
    deployment,
    adapter: allowedAdapters[0] ?? configuredAdapters[0] ?? 'openai',
    byoKey,
  });
  const intro = intros({
    base,
    app,
    byoKey,
    configuredAdapters,
    allowedAdapters,
    grantedEndpoints,
    endpoints,
  });

  return (
    <>
      <PageHeader
        title="Getting started"
        description="Call the approved models from your backend with the official OpenAI SDKs, unchanged. Portico removes PHI on the way and meters usage per app."
      />
      <div className="space-y-6">
        <Steps />
        <AppChoice app={app} choices={choices} rejected={owned.filter((a) => a.status === 'rejected')} />
        <ConnectionDetails base={base} deployments={deployments} configured={configured} />

        <nav aria-label="Samples" className="text-sm">
          <span className="font-medium text-slate-700">Samples: </span>
          {[
            ...groups.map((g) => [g.id, g.title] as const),
            ...(endpoints.size ? [['endpoints', 'Custom endpoints'] as const] : []),
            ['api-reference', 'API reference'] as const,
          ].map(([id, title], i) => (
            <span key={id}>
              {i > 0 && <span className="text-slate-400"> · </span>}
              <a href={`#${id}`} className="text-brand-700 hover:underline">
                {title}
              </a>
            </span>
          ))}
        </nav>

        {groups
          .filter((g) => g.id !== 'adapters' || configuredAdapters.length > 0)
          .map((g) => (
            <SampleSection key={g.id} group={g} intro={intro[g.id]} />
          ))}
        {configuredAdapters.length === 0 && (
          <section aria-labelledby="adapters-title" className="space-y-2">
            <h2 id="adapters-title" className="text-lg font-semibold">
              HTTP adapters
            </h2>
            <p className="max-w-3xl text-sm text-slate-700">{intro.adapters}</p>
          </section>
        )}

        {endpoints.size > 0 && (
          <EndpointSection base={base} intro={intro.endpoints} granted={grantedEndpoints} />
        )}
        <ApiReference base={base} />
        <Questions />
      </div>
    </>
  );
}

/** What to know before each group of samples: the URLs, the headers, and what this app may call. */
function intros({
  base,
  app,
  byoKey,
  configuredAdapters,
  allowedAdapters,
  grantedEndpoints,
  endpoints,
}: {
  base: string;
  app: SampleApp | undefined;
  byoKey: boolean;
  configuredAdapters: string[];
  allowedAdapters: string[];
  grantedEndpoints: Endpoint[];
  endpoints: ReturnType<typeof gatewayConfig>['endpoints'];
}): Record<string, React.ReactNode> {
  return {
    sdks: (
      <>
        Send your key as {code('api-key')} (or {code('Authorization: Bearer')}). Azure clients use the
        endpoint {code(`${base}/api/public/oai`)}; OpenAI-style clients the base URL{' '}
        {code(`${base}/api/public/oai/v1`)}. Streaming, tools and the Responses API work as they do upstream.
      </>
    ),
    'phi-chat': (
      <>
        For callers of a CompliantChatGPT-style API: {code(`POST ${base}/v1/chat/completions`)} with your
        Portico key in {code('x-compliantchatgpt-key')}. PHI is handled by the app’s policy, and the answer is
        OpenAI’s chat completion plus a top-level {code('content')}. Defaults: {code('model')} “gpt-3.5-turbo”
        (mapped to a configured model), {code('temperature')} 0.7, {code('n')} 1. Errors: 400 invalid body or
        OpenAI key, 401 missing or invalid gateway key, 429 quota, 500 server error.{' '}
        {byoKey ? (
          <>
            {app!.name} may bring its own OpenAI key: send it in {code('x-openai-key')} and it is used as the
            upstream credential, never stored or logged.
          </>
        ) : (
          <>
            Your own OpenAI key in {code('x-openai-key')} is used only for apps a reviewer allowed to bring
            their own key{app ? `; ${app.name} is not, so the header is ignored` : ''}.
          </>
        )}
      </>
    ),
    adapters: (
      <>
        {code(`ANY ${base}/api/public/http/<adapter>/<path>`)} passes a request to a configured upstream, with
        its credentials added by Portico and the same {code('api-key')} header.{' '}
        {configuredAdapters.length === 0 ? (
          'No adapters are configured on this server.'
        ) : allowedAdapters.length ? (
          <>
            Adapters {app!.name} may use:{' '}
            {allowedAdapters.map((a, i) => (
              <span key={a}>
                {i > 0 && ', '}
                {code(a)}
              </span>
            ))}
            .
          </>
        ) : (
          <>
            {app
              ? `${app.name} may not use any adapter yet`
              : 'An app may use the adapters a reviewer allows'}
            : ask a reviewer. Configured: {configuredAdapters.join(', ')}.
          </>
        )}
      </>
    ),
    endpoints: (
      <>
        {code(`POST ${base}/api/public/v1/endpoints/<name>`)} runs a task the Portico team set up, with a
        prompt you do not write: send the fields it asks for as JSON, with the same {code('api-key')} header;
        the answer’s {code('output')} holds the result. PHI is handled by the app’s policy.{' '}
        {grantedEndpoints.length ? (
          <>
            Endpoints {app!.name} may call:{' '}
            {grantedEndpoints.map((e, i) => (
              <span key={e.name}>
                {i > 0 && ', '}
                {code(e.name)}
              </span>
            ))}
            .
          </>
        ) : (
          <>
            {app
              ? `${app.name} may not call any endpoint yet: owners ask for them on the app’s request and a reviewer grants them`
              : 'An app may call the endpoints a reviewer grants'}
            . Configured: {[...endpoints.keys()].join(', ')}.
          </>
        )}
      </>
    ),
    'portico-api': (
      <>
        The same {code('api-key')} header. {code('GET /api/public/v1/usage')} returns your app’s usage
        (totals, per day, model and key) and what is left of its monthly budgets;{' '}
        {code('POST /api/public/v1/phi/deidentify')} returns the text with each identifier replaced by a typed
        token, and what was found (types and offsets, never values).
      </>
    ),
  };
}

/** The four steps from request to call. */
function Steps() {
  return (
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
  );
}

/** Which app the samples are for (a picker when there are several), or why there is none. */
function AppChoice({
  app,
  choices,
  rejected,
}: {
  app: SampleApp | undefined;
  choices: OwnedApp[];
  rejected: OwnedApp[];
}) {
  return (
    <>
      {!app && rejected.length > 0 ? (
        <Alert tone="info" title="None of your apps can call Portico" live={false}>
          {rejected.length === 1
            ? `Your request for ${rejected[0]!.name} was rejected`
            : `Your ${rejected.length} requests (${rejected.map((a) => a.name).join(', ')}) were rejected`}
          , and a rejected app gets no keys. The samples below use a configured model; to run them, request
          access for a use case again.{' '}
          <Link href="/apps/new" className="font-semibold underline">
            Request access
          </Link>
        </Alert>
      ) : !app ? (
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
    </>
  );
}

/** The URLs, deployments, API version and key header a client is configured with. */
function ConnectionDetails({
  base,
  deployments,
  configured,
}: {
  base: string;
  deployments: string[];
  configured: string[];
}) {
  return (
    <Section id="connection" title="Connection details">
      <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[auto_minmax(0,1fr)]">
        <dt className="font-medium text-slate-500">Azure OpenAI endpoint</dt>
        <dd className="min-w-0">
          <CopyUrl url={`${base}/api/public/oai`} testId="endpoint" />
        </dd>
        <dt className="font-medium text-slate-500">OpenAI base URL</dt>
        <dd className="min-w-0">
          <CopyUrl url={`${base}/api/public/oai/v1`} />
        </dd>
        <dt className="font-medium text-slate-500">Azure v1 base URL</dt>
        <dd className="min-w-0 space-y-1">
          <CopyUrl url={`${base}/api/public/oai/openai/v1`} />
          <span className="block text-slate-600">
            Vercel AI SDK’s <code>createAzure</code>:
          </span>
          <CopyUrl url={`${base}/api/public/oai/openai`} />
        </dd>
        <dt className="font-medium text-slate-500">PHI-safe chat</dt>
        <dd className="min-w-0">
          <CopyUrl url={`${base}/v1/chat/completions`} />
          <span className="text-slate-600">(POST)</span>
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
          <code className="rounded bg-slate-100 px-1.5 py-0.5">Authorization: Bearer</code>). The samples read
          it from the <code className="rounded bg-slate-100 px-1.5 py-0.5">PORTICO_API_KEY</code> environment
          variable.
        </dd>
      </dl>
    </Section>
  );
}

/** The custom endpoints: what they are, then each one this app may call with its samples. */
function EndpointSection({
  base,
  intro,
  granted,
}: {
  base: string;
  intro: React.ReactNode;
  granted: Endpoint[];
}) {
  return (
    <section id="endpoints" aria-labelledby="endpoints-title" className="scroll-mt-4 space-y-4">
      <div>
        <h2 id="endpoints-title" className="text-lg font-semibold">
          Custom endpoints
        </h2>
        <p className="mt-1 max-w-3xl text-sm leading-relaxed break-words text-slate-700">{intro}</p>
      </div>
      {granted.map((e) => (
        <div key={e.name} className="space-y-2">
          <h3 className="font-semibold">
            <code className="text-[15px]">{e.name}</code>
          </h3>
          <p className="max-w-3xl text-sm leading-relaxed break-words text-slate-700">
            {e.description}{' '}
            {e.output ? (
              <>
                Answers JSON: {code('output')} is checked against the endpoint’s schema before it is returned.
              </>
            ) : (
              <>
                Answers text in {code('output')}; add {code('?stream=true')} to receive it as it is written
                (server-sent events).
              </>
            )}
          </p>
          <SampleTabs
            groupId={`${e.name} endpoint`}
            samples={endpointSamples(base, {
              name: e.name,
              example: e.example,
              outputFields: e.output ? outputFields(e.output) : undefined,
            })}
          />
        </div>
      ))}
    </section>
  );
}

function ApiReference({ base }: { base: string }) {
  return (
    <section id="api-reference" aria-labelledby="api-reference-title" className="scroll-mt-4">
      <Card className="flex flex-wrap items-center justify-between gap-4 p-5">
        <div className="max-w-3xl">
          <h2 id="api-reference-title" className="text-lg font-semibold">
            API reference
          </h2>
          <p className="mt-1 text-sm text-slate-700">
            Every public endpoint with its parameters, errors and examples. Choose “Authorize”, paste your
            key, then “Try it out”. The OpenAPI 3.1 document is at {code(`${base}/api/openapi.json`)}.
          </p>
        </div>
        {/* Served by the proxy, not the portal: a plain link, not a client-side navigation. */}
        <a href="/api" className={buttonClass('secondary')}>
          Open the API reference
        </a>
      </Card>
    </section>
  );
}

function Questions() {
  return (
    <section aria-labelledby="faq-title">
      <h2 id="faq-title" className="mb-3 text-lg font-semibold">
        Questions
      </h2>
      <div className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white shadow-sm">
        {FAQ.map(([q, a]) => (
          <details key={q} className="group px-5 py-3">
            <summary className="cursor-pointer font-medium text-slate-900 marker:text-slate-400">{q}</summary>
            <div className="mt-2 max-w-3xl text-sm leading-relaxed text-slate-700">{a}</div>
          </details>
        ))}
      </div>
    </section>
  );
}

/** The top-level fields of an endpoint's JSON answer, from its output schema. */
function outputFields(schema: unknown): string[] {
  const props = (schema as { properties?: unknown }).properties;
  return props && typeof props === 'object' ? Object.keys(props) : [];
}

/** A group of samples: a heading, what to know, and the samples as tabs, each with a copy button. */
function SampleSection({ group, intro }: { group: SampleGroup; intro: React.ReactNode }) {
  return (
    <section id={group.id} aria-labelledby={`${group.id}-title`} className="scroll-mt-4 space-y-4">
      <div>
        <h2 id={`${group.id}-title`} className="text-lg font-semibold">
          {group.title}
        </h2>
        {intro && (
          <p className="mt-1 max-w-3xl text-sm leading-relaxed break-words text-slate-700">{intro}</p>
        )}
      </div>
      <SampleTabs groupId={group.title} samples={group.samples} />
    </section>
  );
}

/** A URL to copy: it wraps on a phone instead of overflowing, and has its own Copy button. */
function CopyUrl({ url, testId }: { url: string; testId?: string }) {
  return (
    <span className="flex min-w-0 flex-wrap items-center gap-2">
      <code className="min-w-0 rounded bg-slate-100 px-1.5 py-0.5 break-all" data-testid={testId}>
        {url}
      </code>
      <CopyButton text={url} label="Copy" />
    </span>
  );
}
