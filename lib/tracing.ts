import { SpanKind, SpanStatusCode, trace, ROOT_CONTEXT, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

/**
 * OpenTelemetry traces, when OTEL_EXPORTER_OTLP_ENDPOINT is set: a span per proxied request and one per upstream
 * attempt (a child), with the GenAI semantic conventions (operation, model, tokens, the deployment that answered).
 * Spans carry names, counts and statuses only: never a prompt, an answer, a PHI value or a key. Without the
 * variable nothing is loaded into the request path but a null check.
 */
interface Tracing {
  provider: TracerProvider;
  tracer: Tracer;
}

const KEY = Symbol.for('portico.tracing');
type Holder = { [KEY]?: Tracing };

export function startTracing(endpoint: string | undefined, serviceName = 'portico'): void {
  const g = globalThis as Holder;
  if (!endpoint || g[KEY]) return;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }),
        scheduledDelayMillis: 1_000,
      }),
    ],
  });
  g[KEY] = { provider, tracer: provider.getTracer('portico') };
}

/** Sends what is buffered and stops (at shutdown). */
export async function stopTracing(): Promise<void> {
  const g = globalThis as Holder;
  const t = g[KEY];
  g[KEY] = undefined;
  await t?.provider.shutdown().catch(() => {});
}

/** OpenAI operation → the GenAI conventions' gen_ai.operation.name. */
const OPERATION: Record<string, string> = {
  chat: 'chat',
  completions: 'text_completion',
  embeddings: 'embeddings',
  responses: 'chat',
};

/** The request's span, or undefined when tracing is off. */
export function requestSpan(op: string, model: string): Span | undefined {
  const t = (globalThis as Holder)[KEY];
  if (!t) return undefined;
  const operation = OPERATION[op] ?? op;
  return t.tracer.startSpan(`${operation} ${model}`, {
    kind: SpanKind.SERVER,
    attributes: { 'gen_ai.operation.name': operation, 'gen_ai.request.model': model },
  });
}

/** One upstream attempt, a child of the request's span. */
export function attemptSpan(
  parent: Span | undefined,
  a: { op: string; model: string; target: string; system: string; address: string; attempt: number },
): Span | undefined {
  const t = (globalThis as Holder)[KEY];
  if (!t || !parent) return undefined;
  const operation = OPERATION[a.op] ?? a.op;
  return t.tracer.startSpan(
    `${operation} ${a.model}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.operation.name': operation,
        'gen_ai.request.model': a.model,
        'gen_ai.system': a.system,
        'server.address': a.address,
        'portico.upstream.target': a.target,
        'portico.upstream.attempt': a.attempt,
      },
    },
    trace.setSpan(ROOT_CONTEXT, parent),
  );
}

/** Ends a span with an HTTP status (and an error type when it failed). */
export function endSpan(span: Span | undefined, status: number, errorType?: string | null): void {
  if (!span) return;
  span.setAttribute('http.response.status_code', status);
  if (status >= 400 || errorType) {
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.setAttribute('error.type', errorType ?? String(status));
  }
  span.end();
}
