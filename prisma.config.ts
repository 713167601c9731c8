// Prisma 6.19 with its JavaScript engines: generate, migrate and db push run offline (see README).
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { pgConfigFromUrl } from './lib/db/pg-config';

// The schema engine's introspection returns catalog types (name, "char", regproc, oidvector, …) that the
// adapter refuses to decode (prisma#27403). This file only configures the CLI, so its connections report
// those columns as text.
const CATALOG_TYPES_AS_TEXT = new Set([
  18, 19, 22, 24, 28, 29, 30, 194, 1033, 2202, 2203, 2204, 2205, 2206, 3734, 3769, 4089, 4096,
]);
const TEXT_OID = 25;
type Result = { fields?: { dataTypeID: number }[] } | undefined;
const asText = (r: Result) => {
  for (const f of r?.fields ?? []) if (CATALOG_TYPES_AS_TEXT.has(f.dataTypeID)) f.dataTypeID = TEXT_OID;
  return r;
};
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function queryWithCatalogTypesAsText(this: pg.Client, ...args: unknown[]) {
  const last = args.at(-1);
  if (typeof last === 'function') {
    args[args.length - 1] = (err: unknown, r: Result) =>
      (last as (e: unknown, r: Result) => void)(err, asText(r));
  }
  const result = query.apply(this, args);
  return result instanceof Promise ? result.then(asText) : result;
} as typeof pg.Client.prototype.query;

export default defineConfig({
  schema: 'prisma/schema.prisma',
  experimental: { adapter: true },
  engine: 'js',
  async adapter() {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set (npm run cli -- db url prints the embedded one)');
    // allowExitOnIdle: idle pooled connections must not keep the CLI alive after it is done.
    return new PrismaPg({ ...pgConfigFromUrl(url), allowExitOnIdle: true });
  },
});
