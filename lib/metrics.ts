import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { isClusterWorker, shareRegistry } from './cluster';

function create() {
  const registry = new Registry();
  // A worker of a multi-process instance answers the primary's collection with this registry.
  if (isClusterWorker()) shareRegistry(registry);
  // Gauges of this process's state (usage buffer, resting deployments), read when the registry is collected: by a
  // scrape of this process, or by the cluster primary adding up every worker's registry.
  let readState: (() => void) | undefined;
  collectDefaultMetrics({ register: registry, prefix: 'portico_' });
  const m = {
    registry,
    requests: new Counter({
      name: 'portico_requests_total',
      help: 'Proxied requests by app, model, operation and status',
      labelNames: ['app', 'model', 'operation', 'status'] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'portico_request_duration_seconds',
      help: 'Time from request to the end of the answer',
      labelNames: ['operation', 'streamed'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    upstreamLatency: new Histogram({
      name: 'portico_upstream_duration_seconds',
      help: 'Time until the upstream answered (headers), per deployment (target) of a model',
      labelNames: ['provider', 'model', 'target'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    tokens: new Counter({
      name: 'portico_tokens_total',
      help: 'Tokens by app, model and direction',
      labelNames: ['app', 'model', 'direction'] as const,
      registers: [registry],
    }),
    cost: new Counter({
      name: 'portico_cost_usd_total',
      help: 'Cost in USD by app and model',
      labelNames: ['app', 'model'] as const,
      registers: [registry],
    }),
    phi: new Counter({
      name: 'portico_phi_entities_total',
      help: 'PHI entities replaced, by type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    upstreamErrors: new Counter({
      name: 'portico_upstream_errors_total',
      help: 'Upstream failures by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    limiter: new Counter({
      name: 'portico_limiter_decisions_total',
      help: 'Rate limit and budget decisions',
      labelNames: ['decision'] as const,
      registers: [registry],
    }),
    authFailures: new Counter({
      name: 'portico_auth_failures_total',
      help: 'Requests refused before reaching an app (401/403)',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    phiOffloaded: new Counter({
      name: 'portico_phi_offloaded_total',
      help: 'Requests whose PHI scan ran on a worker thread (large bodies)',
      registers: [registry],
    }),
    upstreamAttempts: new Counter({
      name: 'portico_upstream_attempts_total',
      help: 'Attempts per deployment (target) of a model: ok, or why it failed (connect, timeout, status code)',
      labelNames: ['model', 'target', 'outcome'] as const,
      registers: [registry],
    }),
    upstreamCooldown: new Gauge({
      name: 'portico_upstream_cooldown_seconds',
      help: 'Seconds left before a resting deployment (target) is tried again; absent when it is in use',
      labelNames: ['model', 'target'] as const,
      registers: [registry],
      // Registered before the other state gauges: collected first, it refreshes them all.
      collect: () => readState?.(),
    }),
    usagePending: new Gauge({
      name: 'portico_usage_pending',
      help: 'Usage records waiting to be written',
      registers: [registry],
    }),
    usageDropped: new Gauge({
      name: 'portico_usage_dropped',
      help: 'Usage records dropped because the buffer was full',
      registers: [registry],
    }),
    /** What sets the state gauges before each collection (the server's usage recorder and router). */
    onCollect(fn: () => void) {
      readState = fn;
    },
  };
  return m;
}

const KEY = Symbol.for('portico.metrics');
type Holder = { [KEY]?: ReturnType<typeof create> };

/** Prometheus metrics (npm prom-client): labels are bounded (apps, models, operations), never content. */
export function metrics() {
  const g = globalThis as Holder;
  g[KEY] ??= create();
  return g[KEY];
}
