import { describe, expect, it } from 'vitest';
import { matchOai } from './routes';

describe('OpenAI / Azure routes', () => {
  it.each([
    [
      '/api/public/oai/openai/deployments/gpt-4o-mini-2024-07-18/chat/completions',
      { op: 'chat', deployment: 'gpt-4o-mini-2024-07-18', style: 'azure-deployment' },
    ],
    ['/api/public/oai/openai/deployments/emb/embeddings', { op: 'embeddings', deployment: 'emb' }],
    ['/api/public/oai/openai/deployments/a%2Fb/responses', { op: 'responses', deployment: 'a/b' }],
    ['/api/public/oai/v1/chat/completions', { op: 'chat', style: 'openai' }],
    ['/api/public/oai/v1/models', { op: 'models' }],
    ['/api/public/oai/openai/v1/responses', { op: 'responses', style: 'azure-v1' }],
    ['/api/public/oai/openai/chat/completions', { op: 'chat', style: 'azure-v1' }],
  ])('%s', (path, expected) => {
    expect(matchOai(path)).toMatchObject(expected);
  });

  it.each([
    '/api/public/oai/v1/unknown',
    '/api/public/oai/openai/deployments/x/models',
    '/api/public/other',
    '/api/public/oai/openai/deployments/%E0%A4%A/chat/completions',
  ])('does not match %s', (path) => expect(matchOai(path)).toBeNull());
});
