import { randomUUID } from 'node:crypto';
import { pgPool } from '../db/pool';
import { env } from '../env';
import { log } from '../log';
import { every } from '../timers';
import type { TokenEntries } from '../phi/session';
import { deriveKey, openEntries, sealEntries } from './seal';

// Upstream objects an app created through Portico (responses and their items, conversations, files, batches) and
// the token maps their tokens belong to. An object row says whose the object is and which provider holds it; a map
// row holds one chain's map, sealed (seal.ts). Plain SQL on the proxy's pool: these run on the request path.

// Times are kept in UTC without a zone, as Prisma writes and reads them: now() AT TIME ZONE 'UTC'.

export type ObjectKind = 'response' | 'item' | 'conversation' | 'file' | 'batch_file' | 'batch';

export interface UpstreamObject {
  objectId: string;
  kind: ObjectKind;
  /** The token map its tokens belong to; null for an app without PHI, or once the map expired. */
  mapId: string | null;
  /** The provider (config name) that holds it. */
  provider: string;
  /** Usage of a batch's output is metered once, when it is first read. */
  meteredAt: Date | null;
}

/** A token map opened for one request: its entries and the version it was read at. */
export interface OpenedMap {
  id: string;
  entries: TokenEntries;
  version: number;
}

/** Raised when no PORTICO_TOKEN_MAP_KEY is configured: no map can be kept or read. */
export class NoTokenMapKey extends Error {}

let cachedKey: { secret: string; key: Buffer } | undefined;
function key(): Buffer {
  const secret = env().PORTICO_TOKEN_MAP_KEY;
  if (!secret) throw new NoTokenMapKey('PORTICO_TOKEN_MAP_KEY is not set');
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: deriveKey(secret) };
  return cachedKey.key;
}

/** How long a token map is kept after its last use (PORTICO_TOKEN_MAP_TTL_HOURS). */
export function mapTtlMs(): number {
  return env().PORTICO_TOKEN_MAP_TTL_HOURS * 3_600_000;
}

/** Ownership of a response, item or conversation is kept as long as OpenAI keeps them by default. */
const OBJECT_DAYS = 30;

/** The app's own objects among `ids` (another app's, or an unknown one, is simply absent). */
export async function findObjects(
  appId: string,
  ids: readonly string[],
): Promise<Map<string, UpstreamObject>> {
  const out = new Map<string, UpstreamObject>();
  if (ids.length === 0) return out;
  const { rows } = await pgPool().query<{
    object_id: string;
    kind: ObjectKind;
    map_id: string | null;
    provider: string;
    metered_at: Date | null;
  }>(
    `SELECT object_id, kind, map_id, provider, metered_at FROM upstream_objects
      WHERE app_id = $1 AND object_id = ANY($2::text[]) AND (expires_at IS NULL OR expires_at > (now() AT TIME ZONE 'UTC'))`,
    [appId, [...new Set(ids)]],
  );
  for (const r of rows)
    out.set(r.object_id, {
      objectId: r.object_id,
      kind: r.kind,
      mapId: r.map_id,
      provider: r.provider,
      meteredAt: r.metered_at,
    });
  return out;
}

/** Which of `ids` another app created through Portico (never reachable from this one). */
export async function ownedByOthers(appId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await pgPool().query<{ object_id: string }>(
    `SELECT DISTINCT object_id FROM upstream_objects WHERE app_id <> $1 AND object_id = ANY($2::text[])`,
    [appId, [...new Set(ids)]],
  );
  return new Set(rows.map((r) => r.object_id));
}

/** The app's objects of one kind, newest first (lists are filtered to them). */
export async function listObjects(appId: string, kinds: readonly ObjectKind[]): Promise<Set<string>> {
  const { rows } = await pgPool().query<{ object_id: string }>(
    `SELECT object_id FROM upstream_objects WHERE app_id = $1 AND kind = ANY($2::text[])
      AND (expires_at IS NULL OR expires_at > (now() AT TIME ZONE 'UTC'))`,
    [appId, [...kinds]],
  );
  return new Set(rows.map((r) => r.object_id));
}

/** Opens a map of the app, or undefined when it expired or was erased. */
export async function openMap(appId: string, mapId: string): Promise<OpenedMap | undefined> {
  const { rows } = await pgPool().query<{ sealed: Buffer; version: number }>(
    `SELECT sealed, version FROM token_maps WHERE id = $1 AND app_id = $2 AND expires_at > (now() AT TIME ZONE 'UTC')`,
    [mapId, appId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { id: mapId, entries: openEntries(key(), appId, mapId, row.sealed), version: row.version };
}

/** Keeps a new map for the app; returns its id. */
export async function createMap(appId: string, entries: TokenEntries, ttlMs = mapTtlMs()): Promise<string> {
  const id = randomUUID();
  await pgPool().query(
    `INSERT INTO token_maps (id, app_id, sealed, version, expires_at) VALUES ($1, $2, $3, 1, (now() AT TIME ZONE 'UTC') + $4 * interval '1 millisecond')`,
    [id, appId, sealEntries(key(), appId, id, entries), ttlMs],
  );
  return id;
}

/**
 * Replaces a map read at `version` with its grown entries, and keeps it another TTL. False when another request
 * changed it meanwhile (the caller reads it again and redoes its work).
 */
export async function updateMap(appId: string, map: OpenedMap, entries: TokenEntries): Promise<boolean> {
  const r = await pgPool().query(
    `UPDATE token_maps SET sealed = $1, version = version + 1, updated_at = (now() AT TIME ZONE 'UTC'),
            expires_at = GREATEST(expires_at, (now() AT TIME ZONE 'UTC') + $5 * interval '1 millisecond')
      WHERE id = $2 AND app_id = $3 AND version = $4`,
    [sealEntries(key(), appId, map.id, entries), map.id, appId, map.version, mapTtlMs()],
  );
  return r.rowCount === 1;
}

/** Keeps a map another TTL from now (its chain is in use). */
export async function touchMap(appId: string, mapId: string, ttlMs = mapTtlMs()): Promise<void> {
  await pgPool().query(
    `UPDATE token_maps SET expires_at = GREATEST(expires_at, (now() AT TIME ZONE 'UTC') + $3 * interval '1 millisecond')
      WHERE id = $1 AND app_id = $2`,
    [mapId, appId, ttlMs],
  );
}

/** Records objects the app created (upserted: a retried record does no harm). Files and batches live until deleted. */
export async function recordObjects(
  appId: string,
  objects: readonly { objectId: string; kind: ObjectKind; mapId: string | null; provider: string }[],
): Promise<void> {
  if (objects.length === 0) return;
  await pgPool().query(
    `INSERT INTO upstream_objects (app_id, object_id, kind, map_id, provider, expires_at)
     SELECT $1, o.object_id, o.kind, o.map_id, o.provider,
            CASE WHEN o.kind IN ('file', 'batch_file', 'batch') THEN NULL
                 ELSE (now() AT TIME ZONE 'UTC') + $6::int * interval '1 day' END
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS o(object_id, kind, map_id, provider)
     ON CONFLICT (app_id, object_id) DO UPDATE SET map_id = COALESCE(EXCLUDED.map_id, upstream_objects.map_id)`,
    [
      appId,
      objects.map((o) => o.objectId),
      objects.map((o) => o.kind),
      objects.map((o) => o.mapId),
      objects.map((o) => o.provider),
      OBJECT_DAYS,
    ],
  );
}

/** Marks a batch output as metered; true for the one request that marked it. */
export async function markMetered(appId: string, objectId: string): Promise<boolean> {
  const r = await pgPool().query(
    `UPDATE upstream_objects SET metered_at = (now() AT TIME ZONE 'UTC') WHERE app_id = $1 AND object_id = $2 AND metered_at IS NULL`,
    [appId, objectId],
  );
  return r.rowCount === 1;
}

/**
 * Forgets an object the upstream deleted, and erases its map when no other response, conversation, file or batch
 * refers to it any more (a deleted response takes its own map and its items' with it; a conversation's map goes
 * with the conversation, not with one of its responses).
 */
export async function forgetObject(appId: string, objectId: string): Promise<void> {
  await pgPool().query(
    `WITH gone AS (DELETE FROM upstream_objects WHERE app_id = $1 AND object_id = $2 RETURNING map_id)
     DELETE FROM token_maps m USING gone
      WHERE m.id = gone.map_id AND m.app_id = $1
        AND NOT EXISTS (SELECT 1 FROM upstream_objects o
                         WHERE o.map_id = m.id AND o.object_id <> $2 AND o.kind <> 'item')`,
    [appId, objectId],
  );
}

/** Erases expired maps (their objects keep their owner, without a map) and expired object rows. */
export async function sweepTokenMaps(): Promise<{ maps: number; objects: number }> {
  const maps = await pgPool().query(`DELETE FROM token_maps WHERE expires_at <= (now() AT TIME ZONE 'UTC')`);
  const objects = await pgPool().query(
    `DELETE FROM upstream_objects WHERE expires_at <= (now() AT TIME ZONE 'UTC')`,
  );
  return { maps: maps.rowCount ?? 0, objects: objects.rowCount ?? 0 };
}

/** Erases expired token maps every few minutes (off the request path); returns the function that stops it. */
export function scheduleTokenMapSweep(everyMs = 10 * 60_000): () => void {
  return every(
    () =>
      sweepTokenMaps().catch((err: unknown) =>
        log().warn({ err: (err as Error).message }, 'token map sweep failed'),
      ),
    everyMs,
  );
}
