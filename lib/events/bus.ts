import { EventEmitter } from 'node:events';

/** What other instances (and this one) must forget: a key, or everything cached for an app. */
export type Invalidation = { keyId: string } | { appId: string } | { all: true };

const KEY = Symbol.for('portico.bus');
type Holder = { [KEY]?: EventEmitter };

/** In-process bus shared by the fast path and Next.js (one process, two module graphs). */
export function bus(): EventEmitter {
  const g = globalThis as Holder;
  g[KEY] ??= new EventEmitter().setMaxListeners(50);
  return g[KEY];
}

export const INVALIDATE = 'invalidate';
export const PG_CHANNEL = 'portico_invalidate';

export function onInvalidate(fn: (m: Invalidation) => void): () => void {
  bus().on(INVALIDATE, fn);
  return () => bus().off(INVALIDATE, fn);
}

export function emitLocal(m: Invalidation): void {
  bus().emit(INVALIDATE, m);
}
