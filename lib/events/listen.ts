import pg from 'pg';
import { log } from '../log';
import { pgConfigFromUrl } from '../db/pg-config';
import { emitLocal, PG_CHANNEL, type Invalidation } from './bus';

/**
 * Listens for invalidations published by any instance. Reconnects with backoff; while disconnected it
 * cannot hear revocations, so it asks caches to drop everything when the connection comes back.
 */
export function listenForInvalidations(databaseUrl: string): { stop(): Promise<void> } {
  let client: pg.Client | undefined;
  let stopped = false;
  let delay = 500;
  let timer: NodeJS.Timeout | undefined;
  let everConnected = false;

  const connect = async () => {
    if (stopped) return;
    const c = new pg.Client({
      ...pgConfigFromUrl(databaseUrl),
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
    });
    c.on('notification', (n) => {
      if (n.channel !== PG_CHANNEL || !n.payload) return;
      try {
        emitLocal(JSON.parse(n.payload) as Invalidation);
      } catch {
        log().warn({ channel: n.channel }, 'ignored a malformed invalidation message');
      }
    });
    c.on('error', () => retry(c));
    c.on('end', () => retry(c));
    try {
      await c.connect();
      await c.query(`LISTEN ${PG_CHANNEL}`);
      client = c;
      delay = 500;
      if (everConnected) emitLocal({ all: true });
      everConnected = true;
    } catch {
      retry(c);
    }
  };
  const retry = (c: pg.Client) => {
    c.removeAllListeners('end');
    c.removeAllListeners('error');
    c.on('error', () => {});
    void c.end().catch(() => {});
    if (client === c) client = undefined;
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delay);
    timer.unref();
    delay = Math.min(delay * 2, 10_000);
  };
  void connect();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      if (c) {
        c.removeAllListeners('end');
        await c.end().catch(() => {});
      }
    },
  };
}
