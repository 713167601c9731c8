import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deriveRules, loadSpec, render, specPath } from './gen-openai-fields';

const path = specPath();

describe.skipIf(!path)('lib/proxy/openai-fields.ts (skipped where ../shared/specs is absent)', () => {
  it('is what the OpenAI specification gives: regenerate it after the specification changes', () => {
    const committed = readFileSync(new URL('../lib/proxy/openai-fields.ts', import.meta.url), 'utf8');
    expect(committed).toBe(render(deriveRules(loadSpec(path!).schemas)));
  });
});
