import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const SKIP = new Set(['node_modules', '.next', '.data', 'generated', 'tmp']);

function files(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    if (SKIP.has(e)) continue;
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.(ts|tsx)$/.test(e) && !e.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** Interpolations into SQL text that are reviewed and bound to constants, not to input (file: expression). */
const ALLOWED = new Set([
  'lib/events/listen.ts: ${PG_CHANNEL}',
  'lib/db/embedded.ts: ${database.replace(/"/g, \'""\')}',
]);

describe('no SQL is built from input', () => {
  const sources = ['lib', 'app', 'scripts', 'components']
    .flatMap((d) => files(path.join(ROOT, d)))
    .concat(path.join(ROOT, 'server.ts'));

  it('never uses Prisma’s unsafe raw queries', () => {
    for (const f of sources) expect(readFileSync(f, 'utf8'), f).not.toMatch(/\$(query|execute)RawUnsafe/);
  });

  it('passes values as parameters: SQL text given to node-postgres has no interpolation but reviewed constants', () => {
    const found: string[] = [];
    for (const f of sources) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/\.query(?:<[^>]*>)?\(\s*`([^`]*)`/g)) {
        for (const i of m[1]!.matchAll(/\$\{[^}]*\}/g)) {
          const rel = path.relative(ROOT, f);
          if (!ALLOWED.has(`${rel}: ${i[0]}`)) found.push(`${rel}: ${i[0]}`);
        }
      }
    }
    expect(found).toEqual([]);
  });
});
