import { ConfigError, loadConfig, resolvePlaceholders, type LoadedConfig } from './load';
import type { ConfigFile } from './schema';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { compileSchema, exampleFor, strictCompatible, templateVariables, type JsonSchema } from './endpoints';
import { env, rawEnv } from '../env';

export {
  ConfigError,
  loadConfig,
  parseConfig,
  BUILTIN_CONFIG_YAML,
  builtinConfigYaml,
  configPath,
} from './load';
export type { ConfigFile } from './schema';

export type ProviderType = 'openai' | 'openai-compatible' | 'azure' | 'echo';

export interface Provider {
  name: string;
  type: ProviderType;
  /** No trailing slash. Empty for echo. */
  baseUrl: string;
  apiVersion?: string;
  /** Resolved from ${{ VAR }} placeholders: secrets, kept in memory only. */
  headers: Record<string, string>;
  connectTimeoutMs: number;
  totalTimeoutMs: number;
}

/** One deployment a model can be sent to. A model without a group has one, its provider. */
export interface Target {
  /** Unique within the model; shown in x-portico-upstream and metrics (never a secret). */
  name: string;
  provider: Provider;
  upstreamModel: string;
  deployment: string;
  weight: number;
  priority: number;
  /** Its quota per minute, when the config gives one (counted per instance). */
  rpm: number | null;
  tpm: number | null;
}

export interface Model {
  name: string;
  /** The first target's: what a single-target model always uses. */
  provider: Provider;
  upstreamModel: string;
  deployment: string;
  /** Every deployment of the model (one unless the config gives a group). */
  targets: Target[];
  strategy: 'weighted' | 'least-busy' | 'latency';
  inputPerMillion: number;
  outputPerMillion: number;
  perImage: number;
  perAudioMinute: number;
  perMillionCharacters: number;
  /** Batch API prices per million tokens. */
  batchInputPerMillion: number;
  batchOutputPerMillion: number;
  fallbacks: string[];
}

export interface Adapter {
  name: string;
  baseUrl: URL;
  headers: Record<string, string>;
  timeoutMs: number;
  scrubPhi: boolean;
  binaryBodies: boolean;
}

/** A custom endpoint of the config file, ready to serve (schemas compiled). */
export interface Endpoint {
  name: string;
  description: string;
  model: string;
  system: string | undefined;
  user: string;
  input: JsonSchema;
  output: JsonSchema | undefined;
  /** Chat Completions fields sent as they are (temperature, max_tokens, …). */
  settings: Record<string, unknown>;
  phiPolicy: 'scrub' | 'redact' | 'block' | undefined;
  /** A valid request body, for the reference and the samples. */
  example: Record<string, unknown>;
  /** The variables the templates use. */
  variables: string[];
  /** Fills the schema's defaults into the body it checks. */
  validateInput: ValidateFunction;
  validateOutput: ValidateFunction | undefined;
  /** Whether OpenAI's strict structured output takes the output schema as it is. */
  strictOutput: boolean;
}

export interface GatewayConfig {
  source: string;
  providers: Map<string, Provider>;
  models: Map<string, Model>;
  adapters: Map<string, Adapter>;
  endpoints: Map<string, Endpoint>;
  portal: ConfigFile['portal'];
  usage: ConfigFile['usage'];
  /** Webhooks for portal events; their URLs are resolved when a notification is sent. */
  notifications: ConfigFile['notifications'];
  /** The model POST /v1/chat/completions uses by default. */
  compatDefaultModel: string | undefined;
}

const trimSlash = (u: string) => u.replace(/\/+$/, '');

/** Turns the validated file into the runtime config, resolving ${{ VAR }} from the environment. */
export function resolveConfig(
  loaded: LoadedConfig,
  source: Readonly<Record<string, string | undefined>> = rawEnv(),
): GatewayConfig {
  const missing: string[] = [];
  const resolveHeaders = (h: Record<string, string>, where: string) =>
    Object.fromEntries(
      Object.entries(h).map(([k, v]) => [
        k,
        resolvePlaceholders(v, `${where}.headers.${k}`, source, missing),
      ]),
    );

  const providers = new Map<string, Provider>();
  for (const [name, p] of Object.entries(loaded.file.providers)) {
    providers.set(name, {
      name,
      type: p.type,
      baseUrl: p.type === 'echo' ? '' : trimSlash(p.baseUrl),
      apiVersion: p.type === 'azure' ? p.apiVersion : undefined,
      headers: p.type === 'echo' ? {} : resolveHeaders(p.headers, `providers.${name}`),
      connectTimeoutMs: p.timeouts.connectMs,
      totalTimeoutMs: p.timeouts.totalMs,
    });
  }
  const models = new Map<string, Model>();
  for (const [name, m] of Object.entries(loaded.file.models)) {
    const specs = m.targets ?? [
      {
        provider: m.provider!,
        upstreamModel: m.upstreamModel,
        deployment: m.deployment,
        weight: 1,
        priority: 0,
      },
    ];
    const targets: Target[] = specs.map((t, i) => {
      const provider = providers.get(t.provider);
      if (!provider)
        throw new ConfigError(
          `${loaded.source}: models.${name}.targets.${i}.provider names an unknown provider`,
        );
      const upstreamModel = t.upstreamModel ?? m.upstreamModel ?? name;
      const deployment = t.deployment ?? upstreamModel;
      const label =
        'name' in t && t.name ? t.name : m.targets ? `${provider.name}:${deployment}` : provider.name;
      return {
        name: label,
        provider,
        upstreamModel,
        deployment,
        weight: t.weight,
        priority: t.priority,
        rpm: ('rpm' in t && t.rpm) || null,
        tpm: ('tpm' in t && t.tpm) || null,
      };
    });
    const names = targets.map((t) => t.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice)
      throw new ConfigError(
        `${loaded.source}: models.${name}.targets has two targets named "${twice}": give them distinct names`,
      );
    const first = targets[0]!;
    models.set(name, {
      name,
      provider: first.provider,
      upstreamModel: first.upstreamModel,
      deployment: first.deployment,
      targets,
      strategy: m.strategy,
      inputPerMillion: m.price.inputPerMillion,
      outputPerMillion: m.price.outputPerMillion,
      perImage: m.price.perImage ?? 0,
      batchInputPerMillion: m.price.batchInputPerMillion ?? m.price.inputPerMillion / 2,
      batchOutputPerMillion: m.price.batchOutputPerMillion ?? m.price.outputPerMillion / 2,
      perAudioMinute: m.price.perAudioMinute ?? 0,
      perMillionCharacters: m.price.perMillionCharacters ?? 0,
      fallbacks: m.fallbacks,
    });
  }
  const adapters = new Map<string, Adapter>();
  for (const [name, a] of Object.entries(loaded.file.adapters)) {
    adapters.set(name, {
      name,
      baseUrl: new URL(trimSlash(a.baseUrl) + '/'),
      headers: resolveHeaders(a.headers, `adapters.${name}`),
      timeoutMs: a.timeoutMs,
      scrubPhi: a.scrubPhi,
      binaryBodies: a.binaryBodies,
    });
  }
  const endpoints = new Map<string, Endpoint>();
  for (const [name, e] of Object.entries(loaded.file.endpoints)) {
    const example = e.example ?? (exampleFor(e.input) as Record<string, unknown>);
    endpoints.set(name, {
      name,
      description: e.description,
      model: e.model,
      system: e.system,
      user: e.user,
      input: e.input,
      output: e.output,
      settings: e.settings,
      phiPolicy: e.phiPolicy,
      example,
      variables: [
        ...new Set([...templateVariables(e.system ?? '').variables, ...templateVariables(e.user).variables]),
      ],
      validateInput: compileSchema(e.input, 'input'),
      validateOutput: e.output ? compileSchema(e.output, 'output') : undefined,
      strictOutput: e.output ? strictCompatible(e.output) : false,
    });
  }
  if (missing.length > 0)
    throw new ConfigError(`${loaded.source}:\n${missing.map((m) => `  ${m}`).join('\n')}`);
  const compatDefaultModel = loaded.file.compatChat.defaultModel ?? models.keys().next().value;
  return {
    source: loaded.source,
    providers,
    models,
    adapters,
    endpoints,
    portal: loaded.file.portal,
    usage: loaded.file.usage,
    notifications: loaded.file.notifications,
    compatDefaultModel,
  };
}

const KEY = Symbol.for('portico.gatewayConfig');
type Holder = { [KEY]?: GatewayConfig };

/** The process-wide config (shared by the fast path and Next.js through globalThis). */
export function gatewayConfig(): GatewayConfig {
  const g = globalThis as Holder;
  g[KEY] ??= resolveConfig(loadConfig(env().PORTICO_CONFIG));
  return g[KEY];
}

export function setGatewayConfig(cfg: GatewayConfig): void {
  (globalThis as Holder)[KEY] = cfg;
}

/** The models of the gateway config, by the names clients use. */
export function configuredModels(): string[] {
  return [...gatewayConfig().models.keys()];
}

/** The HTTP pass-through adapters of the config file, by name. */
export function configuredAdapters(): string[] {
  return [...gatewayConfig().adapters.keys()];
}

/** The custom endpoints of the config file, by name. */
export function configuredEndpoints(): string[] {
  return [...gatewayConfig().endpoints.keys()];
}

/** The endpoints an owner can ask for and a reviewer can grant, with what they do, plus any granted the config no longer has. */
export function endpointChoices(alsoAllowed: string[] = []) {
  const configured = gatewayConfig().endpoints;
  const choices = [...configured.values()].map((e) => ({
    name: e.name,
    description: e.description,
    model: e.model,
    structured: !!e.output,
  }));
  for (const name of alsoAllowed)
    if (!configured.has(name)) choices.push({ name, description: '', model: '', structured: false });
  return choices;
}

/**
 * The adapters a reviewer can choose from, with where they go (host only: never headers, which may hold
 * credentials), plus any the app is still allowed but the config file no longer has.
 */
export function adapterChoices(alsoAllowed: string[] = []) {
  const configured = gatewayConfig().adapters;
  const choices = [...configured.values()].map((a) => ({
    name: a.name,
    host: a.baseUrl.host,
    scrubPhi: a.scrubPhi,
  }));
  for (const name of alsoAllowed)
    if (!configured.has(name)) choices.push({ name, host: '', scrubPhi: false });
  return choices;
}

/** The price table of the configured models (USD), for the people choosing them. */
export function modelPrices() {
  return [...gatewayConfig().models.values()].map((m) => {
    const other = [
      m.perImage ? `$${m.perImage} per image` : '',
      m.perAudioMinute ? `$${m.perAudioMinute} per audio minute` : '',
      m.perMillionCharacters ? `$${m.perMillionCharacters} per 1M characters` : '',
    ].filter(Boolean);
    return {
      model: m.name,
      inputPerMillion: m.inputPerMillion,
      outputPerMillion: m.outputPerMillion,
      ...(other.length ? { other: other.join(', ') } : {}),
    };
  });
}
