import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { Document, isMap, isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import { BUILTIN_CONFIG_YAML, parseConfig } from '../../lib/config';

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

function entryYaml(a: AdapterInput, indent: number): string {
  const node: Record<string, unknown> = { baseUrl: a.baseUrl };
  if (Object.keys(a.headers).length) node.headers = a.headers;
  if (a.timeoutMs !== undefined) node.timeoutMs = a.timeoutMs;
  if (a.scrubPhi) node.scrubPhi = true;
  const text = new Document({ [a.name]: node }).toString({ lineWidth: 0 });
  const pad = ' '.repeat(indent);
  return text
    .trimEnd()
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}

/**
 * Adds an HTTP adapter to the YAML config by inserting its text, so that every other line (comments and
 * alignment included) stays as it was; validates the result, writes it, and returns a unified diff.
 */
export function addAdapter(file: string, a: AdapterInput): { diff: string; created: boolean } {
  const created = !existsSync(file);
  const before = created ? BUILTIN_CONFIG_YAML.trimStart() : readFileSync(file, 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(before, { lineCounter: lines });
  if (doc.errors.length) throw new ConfigEditError(`${file}: not valid YAML: ${doc.errors[0]!.message}`);
  const adapters = doc.get('adapters', true) as Node | undefined;
  let after: string;
  if (isMap(adapters) && !adapters.flow && adapters.items.length > 0) {
    const existing = adapters.items.find((p) => isScalar(p.key) && p.key.value === a.name);
    if (existing && !a.force)
      throw new ConfigEditError(`${file} already has an adapter "${a.name}" (use --force to replace it)`);
    const firstKey = adapters.items[0]!.key as Node;
    const indent = lines.linePos(firstKey.range![0]).col - 1;
    if (existing) {
      // Replace the entry's lines: from its key's line to the line before the next entry (or the map's end).
      const idx = adapters.items.indexOf(existing);
      const start = before.lastIndexOf('\n', (existing.key as Node).range![0]) + 1;
      const next = adapters.items[idx + 1];
      const end = next ? before.lastIndexOf('\n', (next.key as Node).range![0]) + 1 : adapters.range![1];
      const tail = before.slice(start, end).match(/\n*$/)![0];
      after = before.slice(0, start) + entryYaml(a, indent) + (tail || '\n') + before.slice(end);
    } else {
      const insertAt = adapters.range![1];
      const lead = before.slice(0, insertAt).endsWith('\n') ? '' : '\n';
      after = before.slice(0, insertAt) + lead + entryYaml(a, indent) + '\n' + before.slice(insertAt);
    }
  } else if (adapters !== undefined) {
    // `adapters:` present but empty (`adapters: {}` or no value): replace that line.
    const pair =
      doc.contents && isMap(doc.contents)
        ? doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'adapters')
        : undefined;
    const keyStart = (pair!.key as Node).range![0];
    const lineStart = before.lastIndexOf('\n', keyStart) + 1;
    const lineEnd = before.indexOf('\n', keyStart);
    after =
      before.slice(0, lineStart) +
      'adapters:\n' +
      entryYaml(a, 2) +
      before.slice(lineEnd === -1 ? before.length : lineEnd);
  } else {
    after = before.replace(/\n*$/, '\n') + '\nadapters:\n' + entryYaml(a, 2) + '\n';
  }
  let parsed;
  try {
    parsed = parseConfig(after, file);
  } catch (err) {
    throw new ConfigEditError((err as Error).message);
  }
  if (parsed.adapters[a.name]?.baseUrl !== a.baseUrl)
    throw new ConfigEditError(
      `${file}: could not add the adapter without disturbing the file; add it by hand`,
    );
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
