import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What the portal build reads: a change to any of them means a rebuild (the Docker image copies them all). */
export const BUILD_INPUTS = [
  'app',
  'components',
  'lib',
  'public',
  'proxy.ts',
  'next.config.mjs',
  'postcss.config.mjs',
  'tsconfig.json',
  'package-lock.json',
];
const SKIP = new Set(['node_modules', '.next', '.data', 'generated']);

function walk(p: string, out: string[]) {
  if (!existsSync(p)) return;
  const st = statSync(p);
  if (st.isFile()) {
    if (!p.endsWith('.test.ts')) out.push(p);
    return;
  }
  for (const e of readdirSync(p)) if (!SKIP.has(e)) walk(path.join(p, e), out);
}

/** A digest of everything the portal build depends on: `npm start` rebuilds only when it changed. */
export function sourceDigest(root: string): string {
  const files: string[] = [];
  for (const i of BUILD_INPUTS) walk(path.join(root, i), files);
  const h = createHash('sha256');
  for (const f of files.sort()) h.update(path.relative(root, f)).update('\0').update(readFileSync(f));
  return h.digest('hex');
}

const stampFile = (root: string) => path.join(root, '.next', 'portico-build-digest');

/** Whether `.next` holds a portal build of exactly these sources (its stamp matches their digest). */
export function buildUpToDate(root: string): boolean {
  const stamp = stampFile(root);
  return (
    existsSync(path.join(root, '.next', 'BUILD_ID')) &&
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8') === sourceDigest(root)
  );
}

/** Records that `.next` was built from the sources as they are now (`npm start`, and the image's build stage). */
export function writeBuildStamp(root: string): void {
  writeFileSync(stampFile(root), sourceDigest(root));
}

export function buildIfNeeded(root: string, log: (m: string) => void): void {
  if (buildUpToDate(root)) return;
  log('building the portal (next build) — the first start takes about a minute');
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    },
  );
  if (r.status !== 0) throw new Error('next build failed (see the output above)');
  writeBuildStamp(root);
}
