import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  deriveRequestShapes,
  deriveRules,
  deriveVocabulary,
  loadSpec,
  render,
  renderVocabulary,
  specPath,
} from './gen-openai-fields';

const path = specPath();

describe.skipIf(!path)('lib/proxy/openai-fields.ts (skipped where ../shared/specs is absent)', () => {
  it('is what the OpenAI specification gives: regenerate it after the specification changes', () => {
    const committed = readFileSync(new URL('../lib/proxy/openai-fields.ts', import.meta.url), 'utf8');
    expect(committed).toBe(render(deriveRules(loadSpec(path!).schemas)));
  });

  it('lib/phi/openai-vocabulary.ts and the request shapes the tests generate bodies from are what it gives too', () => {
    const { schemas } = loadSpec(path!);
    const vocab = readFileSync(new URL('../lib/phi/openai-vocabulary.ts', import.meta.url), 'utf8');
    expect(vocab).toBe(renderVocabulary(deriveVocabulary(schemas)));
    const shapes = readFileSync(
      new URL('../test/fixtures/openai-request-shapes.json', import.meta.url),
      'utf8',
    );
    expect(JSON.parse(shapes)).toEqual(deriveRequestShapes(schemas));
  });
});
