import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { MemoryLimitStore } from './limits/memory';
import type { AppLimits, Decision, LimitStore, MonthToDate, Reservation } from './limits/types';

// One instance on every core (PORTICO_WORKERS): a primary process forks the workers, which share one listening port
// (node:cluster hands the connections round). What must stay exact across them goes through the primary: the
// per-app limits when no Redis holds them (this file), and /metrics, which adds up every worker's figures. Key
// revocations and app changes reach every worker as they reach every instance (PostgreSQL NOTIFY).

const LIMITS = 'portico:limits';
const METRICS = 'portico:metrics';

interface LimitCall {
  type: typeof LIMITS;
  id: number;
  op: 'reserve' | 'settle' | 'reset';
  args: unknown[];
}
interface LimitReply {
  type: typeof LIMITS;
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}
interface MetricsCall {
  type: typeof METRICS;
  id: number;
}
interface MetricsReply {
  type: typeof METRICS;
  id: number;
  text?: string;
  contentType?: string;
  error?: string;
}

/** How many workers PORTICO_WORKERS asks for: a number, or `auto` for one per core this process may use. */
export function workerCount(setting: string): number {
  if (setting === 'auto') return availableParallelism();
  const n = Number(setting);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new Error(`PORTICO_WORKERS must be a whole number from 1 to 256, or auto (got ${setting})`);
  return n;
}

/** This process is a worker of a Portico primary (not any other use of node:cluster). */
export const isClusterWorker = (): boolean => cluster.isWorker && process.env.PORTICO_CLUSTER_WORKER === '1';

// ---- worker side ----

let nextId = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
let listening = false;

function listen(): void {
  if (listening) return;
  listening = true;
  process.on('message', (m: LimitReply | MetricsReply) => {
    if (!m || (m.type !== LIMITS && m.type !== METRICS)) return;
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if ('ok' in m) {
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(m.error ?? 'limit call failed'));
    } else if (m.error !== undefined) p.reject(new Error(m.error));
    else p.resolve(m);
  });
}

function ask<T>(message: Omit<LimitCall, 'id'> | Omit<MetricsCall, 'id'>): Promise<T> {
  listen();
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    if (!process.send?.({ ...message, id })) {
      pending.delete(id);
      reject(new Error('the primary process is gone'));
    }
  });
}

/** The per-app limit counters of the primary process, for every worker of the instance to share. */
export class ClusterLimitStore implements LimitStore {
  reserve(
    appId: string,
    limits: AppLimits,
    estimate: { tokens: number; costUsd: number },
    now: number,
  ): Promise<Decision> {
    return ask<Decision>({ type: LIMITS, op: 'reserve', args: [appId, limits, estimate, now] });
  }

  async settle(r: Reservation, actual: { tokens: number; costUsd: number }): Promise<void> {
    // The reservation may carry its store (Limiter adds it): only the fields the primary needs travel.
    const { appId, minute, month, tokens, costUsd, minuteReserved, budgets } = r;
    await ask({
      type: LIMITS,
      op: 'settle',
      args: [{ appId, minute, month, tokens, costUsd, minuteReserved, budgets }, actual],
    });
  }

  reset(): void {
    void ask({ type: LIMITS, op: 'reset', args: [] }).catch(() => {});
  }
}

/** Every worker's metrics added up, from the primary (counters summed; see prom-client's AggregatorRegistry). */
export async function clusterMetrics(): Promise<{ text: string; contentType: string }> {
  const m = await ask<MetricsReply>({ type: METRICS });
  return { text: m.text ?? '', contentType: m.contentType ?? 'text/plain' };
}

/** Lets the primary collect this worker's registry when any worker is scraped. */
export function shareRegistry(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  // prom-client answers the primary's requests once an AggregatorRegistry exists in the worker (its constructor adds
  // the listener); this one is never read.
  new AggregatorRegistry();
}

// ---- primary side ----

export interface Primary {
  /** Forwards SIGTERM to every worker and resolves when all have drained and exited. */
  close(): Promise<void>;
}

/**
 * Forks `workers` processes running this same entry point (they see PORTICO_CLUSTER_WORKER=1), serves them the
 * shared limits and the added-up metrics, and forks a replacement when one dies unexpectedly (at most one a second).
 */
export function startPrimary(opts: {
  workers: number;
  monthToDate: MonthToDate;
  say: (m: string) => void;
}): Primary {
  const limits = new MemoryLimitStore(opts.monthToDate);
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  let lastFork = 0;

  const answerLimits = async (w: Worker, m: LimitCall) => {
    const reply: LimitReply = { type: LIMITS, id: m.id, ok: true };
    try {
      if (m.op === 'reserve') {
        const [appId, l, estimate, now] = m.args as Parameters<MemoryLimitStore['reserve']>;
        reply.value = await limits.reserve(appId, l, estimate, now);
      } else if (m.op === 'settle') {
        const [r, actual] = m.args as Parameters<MemoryLimitStore['settle']>;
        await limits.settle(r, actual);
      } else limits.reset();
    } catch (err) {
      reply.ok = false;
      reply.error = (err as Error).message;
    }
    if (w.isConnected()) w.send(reply);
  };
  const answerMetrics = async (w: Worker, m: MetricsCall) => {
    const reply: MetricsReply = { type: METRICS, id: m.id };
    try {
      reply.text = (await aggregator.clusterMetrics()) as string;
      reply.contentType = aggregator.contentType;
    } catch (err) {
      reply.error = (err as Error).message;
    }
    if (w.isConnected()) w.send(reply);
  };

  const fork = () => {
    lastFork = Date.now();
    const w = cluster.fork({ PORTICO_CLUSTER_WORKER: '1' });
    w.on('message', (m: LimitCall | MetricsCall) => {
      if (m?.type === LIMITS) void answerLimits(w, m);
      else if (m?.type === METRICS) void answerMetrics(w, m);
    });
    return w;
  };
  cluster.on('exit', (w, code, signal) => {
    if (stopping) return;
    opts.say(`worker ${w.process.pid} exited (${signal ?? code}); starting another`);
    setTimeout(fork, Math.max(0, 1_000 - (Date.now() - lastFork)));
  });
  for (let i = 0; i < opts.workers; i++) fork();

  return {
    close: () => {
      stopping = true;
      const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
      return Promise.all(
        alive.map(
          (w) =>
            new Promise<void>((resolve) => {
              w.once('exit', () => resolve());
              w.process.kill('SIGTERM');
            }),
        ),
      ).then(() => undefined);
    },
  };
}

/**
 * Resolves when every worker has said it listens (`announceReady`), with the port they share (workers that listen on
 * port 0 get the same port from the primary).
 */
export function workersReady(count: number): Promise<number> {
  return new Promise((resolve) => {
    let ready = 0;
    const on = (_w: Worker, m: { type?: string; port?: number }) => {
      if (m?.type !== 'portico:ready') return;
      if (++ready === count) {
        cluster.off('message', on);
        resolve(m.port ?? 0);
      }
    };
    cluster.on('message', on);
  });
}

export function announceReady(port: number): void {
  process.send?.({ type: 'portico:ready', port });
}
