/**
 * Run in the image's build stage right after `npm run build`: records the digest of the portal's sources the way
 * `npm start` checks it (scripts/lib/build.ts). Without it the container would build the portal again at start,
 * which the runtime image cannot do (no dev dependencies, and its user does not own the sources).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBuildStamp } from '../scripts/lib/build';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

if (!existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) {
  process.stderr.write('[portico] no portal build in .next: run `npm run build` first\n');
  process.exit(1);
}
writeBuildStamp(ROOT);
