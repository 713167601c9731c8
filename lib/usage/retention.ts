import { pgPool } from '../db/pool';
import { log } from '../log';
import { every } from '../timers';

/**
 * Deletes raw usage events older than the retention (daily rollups stay), in small batches so that it
 * never holds long locks. Safe to run on every instance at once.
 */
export async function pruneUsageEvents(retentionDays: number, batch = 5_000): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await pgPool().query(
      `DELETE FROM usage_events WHERE id IN (
         SELECT id FROM usage_events WHERE created_at < (now() AT TIME ZONE 'UTC') - make_interval(days => $1) LIMIT $2)`,
      [retentionDays, batch],
    );
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < batch) break;
  }
  if (total > 0) log().info({ deleted: total, retentionDays }, 'pruned raw usage events past retention');
  return total;
}

export function scheduleRetention(retentionDays: number, everyMs = 3_600_000): () => void {
  return every(
    () =>
      pruneUsageEvents(retentionDays).catch((err: unknown) =>
        log().warn({ err: (err as Error).message }, 'usage retention run failed'),
      ),
    everyMs,
  );
}
