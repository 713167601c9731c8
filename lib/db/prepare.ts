import path from 'node:path';
import { env, resolveEnv } from '../env';
import { startEmbeddedPostgres } from './embedded';
import { migrate } from './migrate';

export interface PreparedDatabase {
  url: string;
  embedded: boolean;
  /** The embedded server's data directory. */
  pgDir?: string;
  /** Stops the embedded server if this process started it. */
  stop(): Promise<void>;
}

/**
 * DATABASE_URL set → that server; unset → the embedded PostgreSQL under the data folder. Either way the
 * committed migrations are applied, and DATABASE_URL is set for the rest of the process.
 */
export async function prepareDatabase(opts: {
  dataDir: string;
  port: number;
  root?: string;
  log?: (m: string) => void;
  fast?: boolean;
}): Promise<PreparedDatabase> {
  const root = opts.root ?? process.cwd();
  const log = opts.log ?? (() => {});
  let url = env().DATABASE_URL;
  let stop = async () => {};
  let embedded = false;
  let pgDir: string | undefined;
  if (!url) {
    const pg = await startEmbeddedPostgres({
      dataDir: path.resolve(root, opts.dataDir),
      port: opts.port,
      log,
      fast: opts.fast,
      within: root,
    });
    url = pg.url;
    stop = pg.stop;
    embedded = true;
    pgDir = pg.pgDir;
    resolveEnv({ DATABASE_URL: url });
  }
  const applied = await migrate(url, root);
  if (applied.length) log(`applied migrations: ${applied.join(', ')}`);
  return { url, embedded, pgDir, stop };
}
