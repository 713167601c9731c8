// Prisma 6.19 with its JavaScript engines: generate, migrate and db push run offline (see README).
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { pgConfigFromUrl } from './lib/db/pg-config';

// The schema engine's introspection returns catalog types the adapter cannot decode (prisma#27403): read them as text.
for (const oid of [18, 19, 22, 24, 26, 28, 29, 30, 194, 1033, 2202, 2203, 2204, 2205, 2206, 3734, 3769, 4089, 4096]) {
  pg.types.setTypeParser(oid, (v: string) => v);
}

export default defineConfig({
  schema: 'prisma/schema.prisma',
  experimental: { adapter: true },
  engine: 'js',
  async adapter() {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set (npm run cli -- db url prints the embedded one)');
    return new PrismaPg(pgConfigFromUrl(url));
  },
});
