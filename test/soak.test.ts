import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The soak, short: `npm run soak` runs the same thing for 10 minutes. */
it('a short soak: throughput, flat memory and descriptors, SIGTERM under load, usage rows = answered requests, clean logs', async () => {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'portico-soak-')), 'soak.json');
  const code = await new Promise<number>((resolve) => {
    execFile(
      process.execPath,
      [
        path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        'scripts/soak.ts',
        '--seconds',
        '20',
        '--concurrency',
        '8',
        '--json',
        out,
      ],
      { cwd: ROOT, timeout: 120_000 },
      (err) => resolve(err ? ((err as { code?: number }).code ?? 1) : 0),
    );
  });
  const report = JSON.parse(readFileSync(out, 'utf8')) as {
    answered: number;
    usageRows: number;
    checks: Record<string, boolean>;
  };
  expect(report.checks).toEqual({
    'usage rows = answered requests': true,
    'server exited 0 after SIGTERM': true,
    'no descriptor growth after warm-up (±10)': true,
    'RSS flat after warm-up (last third peak < 1.5 × first third peak)': true,
    'no PHI value or key in the server log': true,
  });
  expect(report.answered).toBeGreaterThan(1000);
  expect(report.usageRows).toBe(report.answered);
  expect(code).toBe(0);
}, 150_000);
