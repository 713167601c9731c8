/**
 * Portico's operator CLI: `npm run cli -- <command>`. Works against DATABASE_URL or the embedded
 * database (started for the command if `npm start` is not running). Exits non-zero with a message on bad input.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ZodError } from 'zod';
import { parseEnv } from '../lib/env';
import { loadConfig, resolveConfig } from '../lib/config';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = (s: string) => process.stdout.write(s + '\n');

class CliError extends Error {}

async function withDb<T>(fn: () => Promise<T>): Promise<T> {
  const env = parseEnv();
  const { prepareDatabase } = await import('../lib/db/prepare');
  const database = await prepareDatabase({
    dataDir: env.PORTICO_DATA_DIR,
    port: env.PORTICO_EMBEDDED_PG_PORT,
    root: ROOT,
  });
  const { disconnectDb } = await import('../lib/db');
  try {
    return await fn();
  } finally {
    await disconnectDb();
    await database.stop();
  }
}

const int = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a whole number`);
  return Number(v);
};
const money = (v: string) => {
  if (!/^\d+(\.\d+)?$/.test(v)) throw new InvalidArgumentError('must be an amount in USD, e.g. 250 or 99.50');
  return Number(v);
};
const oneOf = (choices: string[]) => (v: string) => {
  if (!choices.includes(v)) throw new InvalidArgumentError(`must be one of ${choices.join(', ')}`);
  return v;
};
const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const program = new Command('portico')
  .description('Operate Portico from the command line')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

const user = program.command('user').description('users of the portal');
user
  .command('add')
  .description('create a user')
  .requiredOption('--email <email>', 'their email (the sign-in name)')
  .option('--password <password>', 'at least 12 characters; omit for single sign-on users')
  .requiredOption('--role <role>', 'admin | reviewer | member', oneOf(['admin', 'reviewer', 'member']))
  .option('--name <name>', 'display name')
  .action(
    async (o: { email: string; password?: string; role: 'admin' | 'reviewer' | 'member'; name?: string }) => {
      await withDb(async () => {
        const { createUser } = await import('../lib/users');
        const { SYSTEM } = await import('../lib/audit');
        const u = await createUser(o, SYSTEM);
        out(`created ${u.role} ${u.email} (id ${u.id})`);
      });
    },
  );

user
  .command('password')
  .description(
    "set a user's password and end their sessions; without --password, a temporary one is printed once and must be changed at sign-in",
  )
  .requiredOption('--email <email>', 'their email')
  .option('--password <password>', 'at least 12 characters (avoid: it stays in your shell history)')
  .action(async (o: { email: string; password?: string }) => {
    await withDb(async () => {
      const { findUserByEmail, setPassword, temporaryPassword } = await import('../lib/users');
      const { SYSTEM } = await import('../lib/audit');
      const { DomainError } = await import('../lib/errors');
      const u = await findUserByEmail(o.email);
      if (!u) throw new DomainError('not_found', `no user with email ${o.email.toLowerCase()}`);
      const password = o.password ?? temporaryPassword();
      await setPassword(u.id, password, SYSTEM, { mustChange: !o.password });
      if (o.password) out(`password of ${u.email} set; their sessions have ended`);
      else out(password);
    });
  });

const app = program.command('app').description('applications');
app
  .command('add')
  .description('register an app for an owner (optionally approved at once)')
  .requiredOption('--name <name>', 'app name (one app per use case)')
  .requiredOption('--owner <email>', "owner's email; a member account is created if none exists")
  .option('--use-case <text>', 'what the app does', 'Registered from the CLI')
  .option(
    '--approve',
    'approve it now, as the operator at the server (a bootstrap, audited as such; in the portal a reviewer who neither owns nor requested the app decides)',
  )
  .option('--models <a,b>', 'allowed models (default: every configured model)', list)
  .option('--endpoints <a,b>', 'custom endpoints it asks for (and is granted with --approve)', list)
  .option(
    '--phi <policy>',
    'scrub | redact | block | off',
    oneOf(['scrub', 'redact', 'block', 'off']),
    'scrub',
  )
  .option(
    '--stateful',
    'with --approve: Portico keeps its token maps (encrypted) for stateful calls (stored responses, conversations, batches)',
  )
  .action(
    async (o: {
      name: string;
      owner: string;
      useCase: string;
      approve?: boolean;
      models?: string[];
      endpoints?: string[];
      phi: 'scrub' | 'redact' | 'block' | 'off';
      stateful?: boolean;
    }) => {
      const cfg = resolveConfig(loadConfig(process.env.PORTICO_CONFIG, ROOT));
      const models = o.models ?? [...cfg.models.keys()];
      const endpoints = o.endpoints ?? [];
      const unknown = models.filter((m) => !cfg.models.has(m));
      if (unknown.length)
        throw new CliError(
          `unknown model(s): ${unknown.join(', ')} (configured: ${[...cfg.models.keys()].join(', ')})`,
        );
      const unknownEndpoints = endpoints.filter((e) => !cfg.endpoints.has(e));
      if (unknownEndpoints.length)
        throw new CliError(
          `unknown endpoint(s): ${unknownEndpoints.join(', ')} (configured: ${[...cfg.endpoints.keys()].join(', ') || 'none'})`,
        );
      await withDb(async () => {
        const { db } = await import('../lib/db');
        const { SYSTEM } = await import('../lib/audit');
        const { createUser } = await import('../lib/users');
        const { requestAccess, approve } = await import('../lib/apps');
        const email = o.owner.toLowerCase();
        const owner =
          (await db().user.findUnique({ where: { email } })) ??
          (await createUser({ email, role: 'member' }, SYSTEM));
        const created = await requestAccess(
          {
            name: o.name,
            description: o.useCase,
            useCase: o.useCase,
            sponsor: 'CLI',
            expectedReturn: 'n/a',
            involvesPhi: o.phi !== 'off',
            requestedModels: models,
            requestedEndpoints: endpoints,
            expectedVolume: 'n/a',
            internalOnlyAttested: true,
          },
          owner.id,
          SYSTEM,
        );
        if (o.approve) {
          await approve(
            created.id,
            {
              allowedModels: models,
              allowedEndpoints: endpoints,
              phiPolicy: o.phi,
              statefulPhi: o.stateful === true,
              rpmLimit: null,
              tpmLimit: null,
              monthlyTokenBudget: null,
              monthlyCostBudgetUsd: null,
            },
            SYSTEM,
          );
        }
        out(
          `created app "${created.name}" (id ${created.id}), owner ${email}, ${o.approve ? `approved for ${[...models, ...endpoints.map((e) => `endpoint ${e}`)].join(', ')}, PHI policy ${o.phi}${o.stateful ? ', stateful calls allowed' : ''}` : 'pending review'}`,
        );
      });
    },
  );
app
  .command('policy')
  .description("change an approved app's PHI policy or stateful calls, as the operator (audited)")
  .requiredOption('--name <name>', 'the app')
  .option('--phi <policy>', 'scrub | redact | block | off', oneOf(['scrub', 'redact', 'block', 'off']))
  .option(
    '--stateful <on|off>',
    'on: Portico keeps its token maps (encrypted) for stateful calls; off: it keeps none and such calls are refused',
    oneOf(['on', 'off']),
  )
  .action(
    async (o: { name: string; phi?: 'scrub' | 'redact' | 'block' | 'off'; stateful?: 'on' | 'off' }) => {
      if (!o.phi && !o.stateful) throw new CliError('say what changes: --phi and/or --stateful');
      await withDb(async () => {
        const { SYSTEM } = await import('../lib/audit');
        const { findAppByIdOrName, updatePolicy } = await import('../lib/apps');
        const found = await findAppByIdOrName(o.name);
        if (!found) throw new CliError(`no app named "${o.name}"`);
        await updatePolicy({
          appId: found.id,
          policy: {
            ...(o.phi ? { phiPolicy: o.phi } : {}),
            ...(o.stateful ? { statefulPhi: o.stateful === 'on' } : {}),
          },
          actor: SYSTEM,
        });
        out(
          `app "${o.name}": ${[o.phi ? `PHI policy ${o.phi}` : '', o.stateful ? `stateful calls ${o.stateful}` : ''].filter(Boolean).join(', ')}`,
        );
      });
    },
  );
app
  .command('list')
  .description('list apps')
  .action(async () => {
    await withDb(async () => {
      const { db } = await import('../lib/db');
      const apps = await db().app.findMany({
        orderBy: { createdAt: 'asc' },
        include: {
          owners: { include: { user: { select: { email: true } } } },
          keys: { select: { revokedAt: true, expiresAt: true } },
        },
      });
      if (apps.length === 0) return out('no apps yet');
      const now = new Date();
      for (const a of apps) {
        // Keys that work now; revoked and expired ones are counted apart.
        const active = a.keys.filter((k) => !k.revokedAt && (!k.expiresAt || k.expiresAt > now)).length;
        const revoked = a.keys.filter((k) => k.revokedAt).length;
        const expired = a.keys.length - active - revoked;
        const ended = [revoked && `${revoked} revoked`, expired && `${expired} expired`].filter(Boolean);
        out(
          `${a.id}  ${a.name}  [${a.status}]  phi=${a.phiPolicy}  models=${a.allowedModels.join(',') || '-'}  owners=${a.owners.map((o) => o.user.email).join(',')}  keys=${active}${ended.length ? ` (${ended.join(', ')})` : ''}`,
        );
      }
    });
  });
app
  .command('limits <app>')
  .description("set an app's limits (0 removes a limit)")
  .option('--rpm <n>', 'requests per minute', int('--rpm'))
  .option('--tpm <n>', 'tokens per minute', int('--tpm'))
  .option('--monthly-tokens <n>', 'monthly token budget', int('--monthly-tokens'))
  .option('--monthly-cost <usd>', 'monthly cost budget in USD', money)
  .action(
    async (name: string, o: { rpm?: number; tpm?: number; monthlyTokens?: number; monthlyCost?: number }) => {
      if ([o.rpm, o.tpm, o.monthlyTokens, o.monthlyCost].every((v) => v === undefined)) {
        throw new CliError('give at least one of --rpm, --tpm, --monthly-tokens, --monthly-cost');
      }
      const orNull = (v: number | undefined) => (v === undefined ? undefined : v === 0 ? null : v);
      await withDb(async () => {
        const { findAppByIdOrName, setLimits } = await import('../lib/apps');
        const { SYSTEM } = await import('../lib/audit');
        const a = await findAppByIdOrName(name);
        if (!a) throw new CliError(`no app with id or name "${name}"`);
        await setLimits({
          appId: a.id,
          limits: {
            rpmLimit: orNull(o.rpm),
            tpmLimit: orNull(o.tpm),
            monthlyTokenBudget: orNull(o.monthlyTokens),
            monthlyCostBudgetUsd: orNull(o.monthlyCost),
          },
          actor: SYSTEM,
        });
        out(`limits of "${a.name}" updated`);
      });
    },
  );

const key = program.command('key').description('API keys');
key
  .command('add')
  .description('create an API key for an approved app; the key is printed once')
  .requiredOption('--app <idOrName>', 'app id or name')
  .option('--name <name>', 'a name for the key', 'cli')
  .option('--expires-days <n>', 'days until it expires', int('--expires-days'))
  .action(async (o: { app: string; name: string; expiresDays?: number }) => {
    await withDb(async () => {
      const { findAppByIdOrName } = await import('../lib/apps');
      const { createKey } = await import('../lib/keys/manage');
      const { SYSTEM } = await import('../lib/audit');
      const a = await findAppByIdOrName(o.app);
      if (!a) throw new CliError(`no app with id or name "${o.app}"`);
      const created = await createKey(a.id, { name: o.name, expiresInDays: o.expiresDays ?? null }, SYSTEM);
      process.stderr.write(
        `created key ${created.record.id} for "${a.name}"${created.record.expiresAt ? `, expires ${created.record.expiresAt.toISOString()}` : ''}. It is shown once:\n`,
      );
      out(created.key);
    });
  });
key
  .command('revoke <keyId>')
  .description('revoke a key (refused by the proxy within seconds)')
  .action(async (keyId: string) => {
    await withDb(async () => {
      const { revokeKey } = await import('../lib/keys/manage');
      const { SYSTEM } = await import('../lib/audit');
      await revokeKey({ keyId: keyId, actor: SYSTEM });
      out(`revoked ${keyId}`);
    });
  });

const adapter = program
  .command('adapter')
  .description('pass-through HTTP adapters (/api/public/http/<name>/…)');
adapter
  .command('add')
  .description('add an HTTP adapter to the config file, keeping its comments, and print the diff')
  .requiredOption('--name <name>', 'adapter name (lowercase letters, digits, -)')
  .requiredOption('--base-url <url>', 'upstream base URL, e.g. https://api.openai.com')
  .option('-H, --header <header...>', "header to inject, 'Name: value'; secrets as ${{ ENV_VAR }}")
  .option('--timeout-ms <n>', 'upstream timeout', int('--timeout-ms'))
  .option('--scrub-phi', 'scrub PHI from JSON request bodies sent through it')
  .option('-f, --file <path>', 'config file (default: PORTICO_CONFIG, else ./portico.config.yaml)')
  .option('--force', 'replace an adapter of the same name')
  .action(
    async (o: {
      name: string;
      baseUrl: string;
      header?: string[];
      timeoutMs?: number;
      scrubPhi?: boolean;
      file?: string;
      force?: boolean;
    }) => {
      const { addAdapter } = await import('./lib/config-edit');
      const file = path.resolve(ROOT, o.file ?? process.env.PORTICO_CONFIG ?? 'portico.config.yaml');
      const headers: Record<string, string> = {};
      for (const h of o.header ?? []) {
        const m = /^\s*([A-Za-z0-9-]+)\s*:\s*(.+)$/.exec(h);
        if (!m) throw new CliError(`-H "${h}" is not a header: use 'Name: value'`);
        headers[m[1]!] = m[2]!.trim();
      }
      const { diff, created } = addAdapter(file, {
        name: o.name,
        baseUrl: o.baseUrl,
        headers,
        timeoutMs: o.timeoutMs,
        scrubPhi: o.scrubPhi,
        force: o.force,
      });
      out(diff);
      const vars = [
        ...new Set(
          Object.values(headers).flatMap((v) =>
            [...v.matchAll(/\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]!),
          ),
        ),
      ];
      process.stderr.write(
        `${created ? 'created' : 'updated'} ${path.relative(process.cwd(), file) || file}: adapter "${o.name}" → ${o.baseUrl}\n` +
          (vars.length ? `Set ${vars.join(', ')} in Portico's environment. ` : '') +
          `Restart Portico to load it, allow it for an app at review, then try: npm run cli -- call /api/public/http/${o.name}/v1/models --key <app key>\n`,
      );
    },
  );

/** A template from the command line: the text, or `@file` for a file's content. */
function textOrFile(v: string): string {
  if (!v.startsWith('@')) return v;
  try {
    return readFileSync(path.resolve(v.slice(1)), 'utf8').replace(/\n$/, '');
  } catch {
    throw new CliError(`cannot read ${v.slice(1)}`);
  }
}

/** A JSON Schema or example from a .json or .yaml file, or inline JSON. */
function jsonOrFile(v: string, what: string): Record<string, unknown> {
  let text = v;
  let from = 'the value';
  if (!v.trimStart().startsWith('{')) {
    from = v;
    try {
      text = readFileSync(path.resolve(v), 'utf8');
    } catch {
      throw new CliError(`${what}: cannot read ${v} (give a .json or .yaml file, or inline JSON)`);
    }
  }
  let value: unknown;
  try {
    value = parseYaml(text); // YAML is a superset of JSON
  } catch (err) {
    throw new CliError(`${what}: ${from} is not JSON or YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new CliError(`${what}: ${from} must hold an object`);
  return value as Record<string, unknown>;
}

const FIELD_TYPES = ['string', 'number', 'integer', 'boolean'];

/**
 * An input schema from `--field` specs (`name`, `name:type`, a trailing `?` for optional), or from the templates'
 * variables (each a required string) when none is given.
 */
function inputFromFields(fields: string[] | undefined, variables: string[]): Record<string, unknown> {
  const specs = fields?.length ? fields : variables;
  if (!specs.length)
    throw new CliError(
      'give the body with --input <schema file> or --field <name[:type][?]>, or use {{variables}} in --user',
    );
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const spec of specs) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?(\?)?$/.exec(spec);
    if (!m || (m[2] && !FIELD_TYPES.includes(m[2])))
      throw new CliError(
        `--field "${spec}": write name, name:type or name:type? (types: ${FIELD_TYPES.join(', ')})`,
      );
    properties[m[1]!] = { type: m[2] ?? 'string' };
    if (!m[3]) required.push(m[1]!);
  }
  return { type: 'object', required, additionalProperties: false, properties };
}

/** `--set temperature=0.2`: a generation setting, its value read as JSON when it is JSON. */
function settingsFrom(pairs: string[] | undefined): Record<string, unknown> | undefined {
  if (!pairs?.length) return undefined;
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1) throw new CliError(`--set "${pair}": write name=value, e.g. temperature=0.2`);
    const raw = pair.slice(at + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string (e.g. reasoning_effort=low)
    }
    out[pair.slice(0, at)] = value;
  }
  return out;
}

const endpoint = program
  .command('endpoint')
  .description('custom endpoints (POST /api/public/v1/endpoints/<name>), defined in the config file');
endpoint
  .command('add')
  .description('add a custom endpoint to the config file, keeping its comments, and print the diff')
  .requiredOption('--name <name>', 'endpoint name (lowercase letters, digits, -)')
  .requiredOption('--model <model>', 'a model of the config file')
  .requiredOption('--description <text>', 'what it does (shown to owners, reviewers and in /api)')
  .requiredOption(
    '--user <template>',
    'the user message, with {{variables}} from the body; @file reads a file',
  )
  .option('--system <template>', 'the system message, with {{variables}}; @file reads a file')
  .option('--input <schema>', 'JSON Schema of the body (.json/.yaml file or inline JSON)')
  .option('--field <spec...>', 'instead of --input: a body field, name[:type][?] (? = optional)')
  .option('--output <schema>', 'JSON Schema of the answer (structured output); text when absent')
  .option('--set <name=value...>', 'a generation setting, e.g. temperature=0.2 max_tokens=800')
  .option(
    '--phi-policy <policy>',
    'at least this strict: scrub | redact | block',
    oneOf(['scrub', 'redact', 'block']),
  )
  .option(
    '--example <json>',
    'an example body for the reference and samples (.json/.yaml file or inline JSON)',
  )
  .option('-f, --file <path>', 'config file (default: PORTICO_CONFIG, else ./portico.config.yaml)')
  .option('--force', 'replace an endpoint of the same name')
  .action(
    async (o: {
      name: string;
      model: string;
      description: string;
      user: string;
      system?: string;
      input?: string;
      field?: string[];
      output?: string;
      set?: string[];
      phiPolicy?: string;
      example?: string;
      file?: string;
      force?: boolean;
    }) => {
      const { addEndpoint } = await import('./lib/config-edit');
      const { templateVariables } = await import('../lib/config/endpoints');
      if (o.input && o.field?.length) throw new CliError('give --input or --field, not both');
      const file = path.resolve(ROOT, o.file ?? process.env.PORTICO_CONFIG ?? 'portico.config.yaml');
      const user = textOrFile(o.user);
      const system = o.system === undefined ? undefined : textOrFile(o.system);
      const variables = [
        ...new Set([...templateVariables(system ?? '').variables, ...templateVariables(user).variables]),
      ];
      const definition: Record<string, unknown> = {
        description: o.description,
        model: o.model,
        ...(system !== undefined ? { system } : {}),
        user,
        input: o.input ? jsonOrFile(o.input, '--input') : inputFromFields(o.field, variables),
        ...(o.output ? { output: jsonOrFile(o.output, '--output') } : {}),
        ...(settingsFrom(o.set) ? { settings: settingsFrom(o.set) } : {}),
        ...(o.phiPolicy ? { phiPolicy: o.phiPolicy } : {}),
        ...(o.example ? { example: jsonOrFile(o.example, '--example') } : {}),
      };
      const { diff, created } = addEndpoint(file, { name: o.name, definition, force: o.force });
      out(diff);
      process.stderr.write(
        `${created ? 'created' : 'updated'} ${path.relative(process.cwd(), file) || file}: endpoint "${o.name}" → ${o.model}\n` +
          `Restart Portico to load it and grant it to an app at review, then try: npm run cli -- call /api/public/v1/endpoints/${o.name} -X POST -d '<body>' --key <app key>\n`,
      );
    },
  );
endpoint
  .command('list')
  .description('list the custom endpoints of the config file')
  .action(() => {
    const cfg = resolveConfig(loadConfig(process.env.PORTICO_CONFIG, ROOT));
    if (cfg.endpoints.size === 0) {
      out(`${cfg.source}: no custom endpoints`);
      return;
    }
    for (const e of cfg.endpoints.values()) {
      const required = Array.isArray(e.input.required) ? (e.input.required as string[]) : [];
      const fields = Object.keys((e.input.properties ?? {}) as object).map((f) =>
        required.includes(f) ? f : `${f}?`,
      );
      out(
        `${e.name}  → ${e.model}  ${e.output ? 'json' : 'text'}  body: ${fields.join(', ')}${e.phiPolicy ? `  phi≥${e.phiPolicy}` : ''}\n  ${e.description}\n  POST /api/public/v1/endpoints/${e.name}`,
      );
    }
  });

program
  .command('call <path>')
  .description(
    'call a Portico route with an app key and print the answer (e.g. /api/public/http/openai/v1/models)',
  )
  .requiredOption('--key <key>', "an app's API key (or set PORTICO_API_KEY)", process.env.PORTICO_API_KEY)
  .option('-X, --method <method>', 'HTTP method', 'GET')
  .option('-d, --data <json>', 'a JSON body')
  .option('--url <base>', 'Portico base URL (default: PORTICO_PUBLIC_URL, else http://localhost:$PORT)')
  .action(async (p: string, o: { key: string; method: string; data?: string; url?: string }) => {
    const base = o.url ?? process.env.PORTICO_PUBLIC_URL ?? `http://localhost:${process.env.PORT ?? 3000}`;
    if (!p.startsWith('/'))
      throw new CliError('the path must start with /, e.g. /api/public/http/openai/v1/models');
    if (o.data !== undefined) {
      try {
        JSON.parse(o.data);
      } catch {
        throw new CliError('--data is not valid JSON');
      }
    }
    let res: Response;
    try {
      res = await fetch(new URL(p, base), {
        method: o.method.toUpperCase(),
        headers: { 'api-key': o.key, ...(o.data ? { 'content-type': 'application/json' } : {}) },
        body: o.data,
      });
    } catch (err) {
      throw new CliError(`cannot reach ${base}: ${(err as Error).message} (is Portico running? set --url)`);
    }
    const text = await res.text();
    process.stderr.write(`HTTP ${res.status} ${res.statusText}\n`);
    let shown = text;
    try {
      shown = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      // not JSON: print as is
    }
    out(shown);
    if (res.status >= 400) process.exitCode = 1;
  });

/**
 * A webhook as config check shows it: its format, its events, and where it posts without any secret: a URL from a
 * variable is named by the variable (and whether it is set), a URL written out by its origin only.
 */
function webhookLine(w: { url: string; format: string; events?: string[] }, i: number): string {
  const vars = [...w.url.matchAll(/\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]!);
  let where: string;
  if (vars.length) {
    const missing = vars.filter((v) => !process.env[v]);
    where = `URL from ${vars.join(', ')}${missing.length ? ` (warning: ${missing.join(', ')} not set: this webhook is skipped)` : ''}`;
  } else {
    try {
      where = `${new URL(w.url).origin}/…`;
    } catch {
      where = 'an invalid URL';
    }
  }
  return `  webhook ${i + 1}: ${w.format} → ${where}; events: ${w.events?.join(', ') ?? 'all'}`;
}

const config = program.command('config').description('the gateway config file');
config
  .command('check')
  .description('validate the config file and the environment variables it names')
  .action(() => {
    const loaded = loadConfig(process.env.PORTICO_CONFIG, ROOT);
    const cfg = resolveConfig(loaded);
    out(`${cfg.source}: OK`);
    for (const p of cfg.providers.values())
      out(`  provider ${p.name}: ${p.type}${p.baseUrl ? ` ${p.baseUrl}` : ''}`);
    for (const m of cfg.models.values()) {
      const price = `($${m.inputPerMillion}/$${m.outputPerMillion} per 1M in/out)`;
      if (m.targets.length === 1) {
        out(`  model ${m.name} → ${m.provider.name}/${m.upstreamModel} ${price}`);
        continue;
      }
      out(`  model ${m.name} → group of ${m.targets.length} deployments, ${m.strategy} ${price}`);
      for (const t of m.targets)
        out(
          `    ${t.name}: ${t.provider.name}/${t.provider.type === 'azure' ? t.deployment : t.upstreamModel} (tier ${t.priority}, weight ${t.weight})`,
        );
    }
    for (const a of cfg.adapters.values()) out(`  adapter ${a.name} → ${a.baseUrl.href}`);
    for (const e of cfg.endpoints.values()) {
      out(
        `  endpoint ${e.name} → ${e.model} (${e.output ? 'json, checked against its output schema' : 'text'}; variables: ${e.variables.join(', ') || 'none'})`,
      );
      // Declared but never in a template: checked on every call, yet it never reaches the model.
      const unused = Object.keys((e.input.properties ?? {}) as object).filter(
        (f) => !e.variables.includes(f),
      );
      if (unused.length)
        out(
          `    warning: input field${unused.length > 1 ? 's' : ''} ${unused.join(', ')} ${unused.length > 1 ? 'are' : 'is'} in no template: the model never sees ${unused.length > 1 ? 'them' : 'it'}`,
        );
    }
    cfg.notifications.webhooks.forEach((w, i) => out(webhookLine(w, i)));
  });

async function main() {
  try {
    await program.parseAsync(process.argv);
  } catch (caught) {
    if (caught instanceof CommanderError) process.exit(caught.exitCode === 0 ? 0 : 2);
    const { DomainError, fromDatabase } = await import('../lib/errors');
    const err = fromDatabase(caught);
    if (err instanceof ZodError) {
      process.stderr.write(
        `error: ${err.issues.map((i) => `${i.path.join('.') || 'value'} ${i.message}`).join('; ')}\n`,
      );
    } else if (
      err instanceof CliError ||
      err instanceof DomainError ||
      (err instanceof Error && err.name === 'ConfigEditError') ||
      (err instanceof Error && /Invalid environment|configuration|config/.test(err.message))
    ) {
      process.stderr.write(`error: ${err.message}\n`);
    } else {
      // One line; the stack only when asked for (LOG_LEVEL=debug).
      const message = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
      const debug = process.env.LOG_LEVEL === 'debug' && err instanceof Error;
      process.stderr.write(
        debug ? `error: ${err.stack}\n` : `error: ${message} (LOG_LEVEL=debug shows the details)\n`,
      );
    }
    process.exit(1);
  }
}

void main();
