import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureOpenAI } from 'openai';
import { db } from '../lib/db';
import { spawnReady } from '../scripts/lib/spawn';
import { startFakeUpstream, type FakeUpstream } from '../scripts/lib/fake-upstream';
import { cli } from './support/cli';
import { startHarness, TEST_SECRETS, testConfigYaml, type Harness } from './support/portico';
import { uid } from './support/seed';

const ROOT = path.resolve(import.meta.dirname, '..');
const MODEL = 'gpt-4o-mini-2024-07-18';

describe('CLI', () => {
  let h: Harness;
  let configFile: string;
  beforeAll(async () => {
    h = await startHarness();
    configFile = path.join(mkdtempSync(path.join(tmpdir(), 'portico-cli-')), 'portico.config.yaml');
    writeFileSync(configFile, testConfigYaml(h.upstream.url));
  });
  afterAll(async () => h?.close());
  const env = () => ({ PORTICO_CONFIG: configFile, ...TEST_SECRETS });

  it('creates an approved app and a key printed once, which works until revoked', async () => {
    const name = `cli-${uid()}`;
    const added = await cli(
      [
        'app',
        'add',
        '--name',
        name,
        '--owner',
        `${name}@test.portico`,
        '--approve',
        '--models',
        MODEL,
        '--phi',
        'redact',
      ],
      env(),
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(
      new RegExp(`created app "${name}".*approved for ${MODEL}, PHI policy redact`),
    );
    const k = await cli(['key', 'add', '--app', name, '--name', 'ci', '--expires-days', '30'], env());
    expect(k.code).toBe(0);
    const key = k.stdout.trim();
    expect(key).toMatch(/^ptc_[0-9A-Za-z]{43}$/);
    const stored = await db().apiKey.findFirst({ where: { app: { name } } });
    expect(stored?.hash).not.toContain(key);
    expect(JSON.stringify(stored)).not.toContain(key.slice(8));
    const client = new AzureOpenAI({
      endpoint: `${h.base}/api/public/oai`,
      apiKey: key,
      apiVersion: '2025-01-01-preview',
      deployment: MODEL,
      maxRetries: 0,
    });
    const res = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'cli key works' }],
    });
    expect(res.choices[0]?.message.content).toBe('cli key works');
    const list = await cli(['app', 'list'], env());
    expect(list.stdout).toMatch(new RegExp(`${name}\\s+\\[approved\\]\\s+phi=redact.*keys=1\n`));
    const revoked = await cli(['key', 'revoke', stored!.id], env());
    expect(revoked.code).toBe(0);
    // A revoked key no longer counts as one the app has.
    expect((await cli(['app', 'list'], env())).stdout).toMatch(
      new RegExp(`${name}\\s.*keys=0 \\(1 revoked\\)\n`),
    );
    // Another process revoked it: this server hears it through PostgreSQL NOTIFY.
    await expect
      .poll(
        async () =>
          client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }).then(
            () => 200,
            (e: { status: number }) => e.status,
          ),
        { timeout: 5_000 },
      )
      .toBe(401);
  });

  it('exits non-zero with a clear message on bad input', async () => {
    const role = await cli(
      ['user', 'add', '--email', 'x@test.portico', '--password', 'long enough password', '--role', 'owner'],
      env(),
    );
    expect(role.code).not.toBe(0);
    expect(role.stderr).toMatch(/must be one of admin, reviewer, member/);
    const short = await cli(
      ['user', 'add', '--email', `u-${uid()}@test.portico`, '--password', 'short', '--role', 'member'],
      env(),
    );
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/at least 12 characters/);
    const model = await cli(
      ['app', 'add', '--name', `x-${uid()}`, '--owner', 'o@test.portico', '--models', 'nope'],
      env(),
    );
    expect(model.code).toBe(1);
    expect(model.stderr).toMatch(/unknown model\(s\): nope/);
    const app = await cli(['key', 'add', '--app', 'no-such-app'], env());
    expect(app.code).toBe(1);
    expect(app.stderr).toMatch(/no app with id or name "no-such-app"/);
    const days = await cli(['key', 'add', '--app', 'x', '--expires-days', 'soon'], env());
    expect(days.code).not.toBe(0);
    expect(days.stderr).toMatch(/--expires-days must be a whole number/);
  });

  it('config check names the file, the path in it and what is expected', async () => {
    const ok = await cli(['config', 'check'], env());
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/OK/);
    const missing = await cli(['config', 'check'], {
      PORTICO_CONFIG: configFile,
      ...TEST_SECRETS,
      UPSTREAM_KEY: '',
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/needs environment variable UPSTREAM_KEY/);
    const bad = path.join(path.dirname(configFile), 'bad.yaml');
    writeFileSync(bad, 'providers:\n  u:\n    type: azure\nmodels: {}\n');
    const invalid = await cli(['config', 'check'], { PORTICO_CONFIG: bad });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain(bad);
    expect(invalid.stderr).toMatch(/providers\.u\.baseUrl/);

    // Webhooks are listed, with no secret: a URL from a variable by its name (and whether it is set).
    const hooks = path.join(path.dirname(configFile), 'hooks.yaml');
    writeFileSync(
      hooks,
      `${readFileSync(configFile, 'utf8')}
notifications:
  webhooks:
    - url: \${{ CHECK_SLACK_URL }}
      format: slack
    - url: https://hooks.example.org/portico/s3cr3t-path
      format: json
      events: [key.expiring, budget.threshold]
`,
    );
    const listed = await cli(['config', 'check'], { PORTICO_CONFIG: hooks, ...TEST_SECRETS });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(
      'webhook 1: slack → URL from CHECK_SLACK_URL (warning: CHECK_SLACK_URL not set: this webhook is skipped); events: all',
    );
    expect(listed.stdout).toContain(
      'webhook 2: json → https://hooks.example.org/…; events: key.expiring, budget.threshold',
    );
    expect(listed.stdout).not.toContain('s3cr3t');
  });
});

describe('graceful shutdown', () => {
  let upstream: FakeUpstream;
  beforeAll(async () => {
    upstream = await startFakeUpstream();
  });
  afterAll(async () => upstream?.close());

  it('on SIGTERM finishes in-flight streams, writes their usage, and exits 0', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'portico-drain-'));
    const configFile = path.join(dir, 'portico.config.yaml');
    writeFileSync(configFile, testConfigYaml(upstream.url));
    const { seedApp } = await import('./support/seed');
    const s = await seedApp({ models: [MODEL] });
    const server = await spawnReady(ROOT, 'scripts/lib/proxy-main.ts', [], {
      DATABASE_URL: process.env.DATABASE_URL!,
      PORTICO_CONFIG: configFile,
      ...TEST_SECRETS,
      PORTICO_DRAIN_MS: '10000',
    });
    upstream.always({ kind: 'slow-stream', chunkDelayMs: 40 });
    const client = new AzureOpenAI({
      endpoint: `http://127.0.0.1:${server.port}/api/public/oai`,
      apiKey: s.key!,
      apiVersion: '2025-01-01-preview',
      deployment: MODEL,
      maxRetries: 0,
    });
    const text = 'a streamed answer long enough to still be running when the signal arrives';
    let firstChunks = 0;
    const runs = Array.from({ length: 5 }, async () => {
      const stream = await client.chat.completions.create({
        model: MODEL,
        stream: true,
        messages: [{ role: 'user', content: text }],
      });
      let out = '';
      let started = false;
      for await (const c of stream) {
        if (!started) firstChunks++;
        started = true;
        out += c.choices[0]?.delta.content ?? '';
      }
      return out;
    });
    await expect.poll(() => firstChunks, { timeout: 10_000 }).toBe(5);
    const exit = server.stop('SIGTERM');
    expect(await Promise.all(runs)).toEqual(Array(5).fill(text));
    expect(await exit).toBe(0);
    upstream.always(null);
    expect(await db().usageEvent.count({ where: { appId: s.app.id, status: 200, streamed: true } })).toBe(5);
    // Closed to new connections once draining began.
    await expect(fetch(`http://127.0.0.1:${server.port}/healthz`)).rejects.toThrow();
  });
});
