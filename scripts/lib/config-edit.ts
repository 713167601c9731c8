import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { Document, isMap, isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import { builtinConfigYaml, parseConfig, type ConfigFile } from '../../lib/config';

export interface AdapterInput {
  name: string;
  baseUrl: string;
  headers: Record<string, string>;
  timeoutMs?: number;
  scrubPhi?: boolean;
  force?: boolean;
}

export class ConfigEditError extends Error {
  override name = 'ConfigEditError';
}

function entryYaml(name: string, node: Record<string, unknown>, indent: number): string {
  const text = new Document({ [name]: node }).toString({ lineWidth: 0 });
  const pad = ' '.repeat(indent);
  return text
    .trimEnd()
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}

/**
 * Adds an entry to a top-level map of the YAML config (adapters, endpoints) by inserting its text, so that every
 * other line (comments and alignment included) stays as it was; validates the result with `landed` (the entry
 * parsed back as written), writes it, and returns a unified diff.
 */
function addEntry(
  file: string,
  section: 'adapters' | 'endpoints',
  name: string,
  node: Record<string, unknown>,
  force: boolean | undefined,
  landed: (parsed: ConfigFile) => boolean,
): { diff: string; created: boolean } {
  const what = section === 'adapters' ? 'an adapter' : 'an endpoint';
  const created = !existsSync(file);
  const before = created ? builtinConfigYaml().trimStart() : readFileSync(file, 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(before, { lineCounter: lines });
  if (doc.errors.length) throw new ConfigEditError(`${file}: not valid YAML: ${doc.errors[0]!.message}`);
  const map = doc.get(section, true) as Node | undefined;
  let after: string;
  if (isMap(map) && !map.flow && map.items.length > 0) {
    const existing = map.items.find((p) => isScalar(p.key) && p.key.value === name);
    if (existing && !force)
      throw new ConfigEditError(`${file} already has ${what} "${name}" (use --force to replace it)`);
    const firstKey = map.items[0]!.key as Node;
    const indent = lines.linePos(firstKey.range![0]).col - 1;
    if (existing) {
      // Replace the entry's lines: from its key's line to the line before the next entry (or the map's end).
      const idx = map.items.indexOf(existing);
      const start = before.lastIndexOf('\n', (existing.key as Node).range![0]) + 1;
      const next = map.items[idx + 1];
      const end = next ? before.lastIndexOf('\n', (next.key as Node).range![0]) + 1 : map.range![1];
      const tail = before.slice(start, end).match(/\n*$/)![0];
      after = before.slice(0, start) + entryYaml(name, node, indent) + (tail || '\n') + before.slice(end);
    } else {
      const insertAt = map.range![1];
      const lead = before.slice(0, insertAt).endsWith('\n') ? '' : '\n';
      after =
        before.slice(0, insertAt) + lead + entryYaml(name, node, indent) + '\n' + before.slice(insertAt);
    }
  } else if (map !== undefined) {
    // The section is present but empty (`adapters: {}` or no value): replace that line.
    const pair =
      doc.contents && isMap(doc.contents)
        ? doc.contents.items.find((p) => isScalar(p.key) && p.key.value === section)
        : undefined;
    const keyStart = (pair!.key as Node).range![0];
    const lineStart = before.lastIndexOf('\n', keyStart) + 1;
    const lineEnd = before.indexOf('\n', keyStart);
    after =
      before.slice(0, lineStart) +
      `${section}:\n` +
      entryYaml(name, node, 2) +
      before.slice(lineEnd === -1 ? before.length : lineEnd);
  } else {
    after = before.replace(/\n*$/, '\n') + `\n${section}:\n` + entryYaml(name, node, 2) + '\n';
  }
  let parsed;
  try {
    parsed = parseConfig(after, file);
  } catch (err) {
    throw new ConfigEditError((err as Error).message);
  }
  if (!landed(parsed))
    throw new ConfigEditError(`${file}: could not add ${what} without disturbing the file; add it by hand`);
  writeFileSync(file, after);
  const rel = path.relative(process.cwd(), file);
  const label = rel.startsWith('..') ? file : rel;
  return {
    diff: createTwoFilesPatch(
      created ? '/dev/null' : `a/${label}`,
      `b/${label}`,
      created ? '' : before,
      after,
    ),
    created,
  };
}

/** Adds (or with force replaces) an HTTP adapter. */
export function addAdapter(file: string, a: AdapterInput): { diff: string; created: boolean } {
  const node: Record<string, unknown> = { baseUrl: a.baseUrl };
  if (Object.keys(a.headers).length) node.headers = a.headers;
  if (a.timeoutMs !== undefined) node.timeoutMs = a.timeoutMs;
  if (a.scrubPhi) node.scrubPhi = true;
  return addEntry(file, 'adapters', a.name, node, a.force, (c) => c.adapters[a.name]?.baseUrl === a.baseUrl);
}

export interface EndpointInput {
  name: string;
  /** The endpoint as it goes under endpoints.<name> (description, model, templates, schemas, …). */
  definition: Record<string, unknown>;
  force?: boolean;
}

/** Adds (or with force replaces) a custom endpoint; the result is validated like any config (templates included). */
export function addEndpoint(file: string, e: EndpointInput): { diff: string; created: boolean } {
  return addEntry(
    file,
    'endpoints',
    e.name,
    e.definition,
    e.force,
    (c) => c.endpoints[e.name]?.model === e.definition.model,
  );
}
