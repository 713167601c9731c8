import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { configSchema, type ConfigFile } from './schema';

export class ConfigError extends Error {}

/** The config Portico runs with when there is no file: the built-in echo provider serving the guide's model names. */
export const BUILTIN_CONFIG_YAML = `
providers:
  echo:
    type: echo
models:
  gpt-4o-mini-2024-07-18:
    provider: echo
    price: { inputPerMillion: 0.15, outputPerMillion: 0.6 }
  gpt-4o:
    provider: echo
    price: { inputPerMillion: 2.5, outputPerMillion: 10 }
  text-embedding-3-small:
    provider: echo
    price: { inputPerMillion: 0.02, outputPerMillion: 0 }
`;

/**
 * The built-in config as text: the echo setup above plus the custom endpoints of the shipped example file
 * (portico.config.example.yaml), when it is there and its endpoints use the built-in models, so that a first
 * start shows them working.
 */
export function builtinConfigYaml(cwd = process.cwd()): string {
  const example = path.resolve(cwd, 'portico.config.example.yaml');
  if (!existsSync(/* turbopackIgnore: true */ example)) return BUILTIN_CONFIG_YAML;
  const doc = parseDocument(readFileSync(/* turbopackIgnore: true */ example, 'utf8'));
  const endpoints = doc.errors.length ? undefined : doc.get('endpoints', true);
  if (!endpoints) return BUILTIN_CONFIG_YAML;
  const builtin = parseDocument(BUILTIN_CONFIG_YAML);
  builtin.set('endpoints', endpoints);
  const text = builtin.toString({ lineWidth: 0 });
  try {
    parseConfig(text, 'built-in');
    return text;
  } catch {
    return BUILTIN_CONFIG_YAML; // the example names models the built-in setup does not serve
  }
}

const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Replaces ${{ NAME }} with the environment's value; a missing variable is an error naming it. */
export function resolvePlaceholders(
  value: string,
  where: string,
  source: Record<string, string | undefined>,
  missing: string[],
): string {
  return value.replace(PLACEHOLDER, (_m, name: string) => {
    const v = source[name];
    if (v === undefined || v === '') {
      missing.push(`${where} needs environment variable ${name}, which is not set`);
      return '';
    }
    return v;
  });
}

export interface LoadedConfig {
  file: ConfigFile;
  /** Where it came from: a path, or "built-in" */
  source: string;
}

export function configPath(explicit?: string, cwd = process.cwd()): string | undefined {
  if (explicit) return path.resolve(cwd, explicit);
  const fallback = path.resolve(cwd, 'portico.config.yaml');
  return existsSync(/* turbopackIgnore: true */ fallback) ? fallback : undefined;
}

/** Parses and validates YAML text; errors name the file, the path in it, the line and what is expected. */
export function parseConfig(text: string, source: string): ConfigFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      `${source}: not valid YAML:\n${doc.errors.map((e) => `  ${e.message}`).join('\n')}`,
    );
  }
  const result = configSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const at = issue.path.map(String);
      let node = doc.getIn(at, true) as { range?: [number, number, number] } | undefined;
      for (let n = at.length - 1; !node?.range && n >= 0; n--)
        node = doc.getIn(at.slice(0, n), true) as typeof node;
      const line = node?.range ? ` (line ${lineCounter.linePos(node.range[0]).line})` : '';
      return `  ${at.join('.') || '(top level)'}${line}: ${issue.message}`;
    });
    throw new ConfigError(`${source}: invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** Loads the gateway config (PORTICO_CONFIG, else ./portico.config.yaml, else the built-in echo setup). */
export function loadConfig(explicit?: string, cwd = process.cwd()): LoadedConfig {
  const p = configPath(explicit, cwd);
  if (!p) return { file: parseConfig(builtinConfigYaml(cwd), 'built-in'), source: 'built-in' };
  if (!existsSync(/* turbopackIgnore: true */ p))
    throw new ConfigError(`${p}: PORTICO_CONFIG names a file that does not exist`);
  return { file: parseConfig(readFileSync(/* turbopackIgnore: true */ p, 'utf8'), p), source: p };
}
