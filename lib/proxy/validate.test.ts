import { describe, expect, it } from 'vitest';
import type { ProxyError } from './errors';
import { validateBody } from './validate';

describe("request validation (OpenAI's specification)", () => {
  const ok =
    (op: Parameters<typeof validateBody>[0], body: Record<string, unknown>, deployment?: string) => () =>
      validateBody(op, body, deployment);
  const param = (f: () => void): string | null | undefined => {
    try {
      f();
    } catch (e) {
      return (e as ProxyError).opts.param;
    }
    return undefined;
  };

  it('takes null for a nullable field as if it were absent', () => {
    expect(
      ok('chat', {
        model: 'm',
        messages: [{ role: 'user', content: 'hi' }],
        stream: null,
        n: null,
        temperature: null,
        stream_options: null,
      }),
    ).not.toThrow();
    expect(
      ok('responses', { model: 'm', input: 'hi', stream: null, instructions: null, reasoning: null }),
    ).not.toThrow();
    expect(ok('completions', { model: 'm', prompt: 'hi', stream: null, suffix: null })).not.toThrow();
  });

  it("ignores the body's model on an Azure deployment route, null included", () => {
    expect(ok('chat', { model: null, messages: [{ role: 'user', content: 'hi' }] }, 'gpt-4o')).not.toThrow();
    expect(ok('embeddings', { model: null, input: 'hi' }, 'ada')).not.toThrow();
    expect(param(ok('chat', { model: null, messages: [{ role: 'user', content: 'hi' }] }))).toBe('model');
  });

  it('refuses a wrong type, a value out of range or of the wrong enum, naming the field', () => {
    const m = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
    expect(param(ok('chat', { ...m, temperature: 'hot' }))).toBe('temperature');
    expect(param(ok('chat', { ...m, temperature: 3 }))).toBe('temperature');
    expect(param(ok('chat', { ...m, n: 0 }))).toBe('n');
    expect(param(ok('chat', { ...m, n: 1.5 }))).toBe('n');
    expect(param(ok('chat', { ...m, stream: 'yes' }))).toBe('stream');
    expect(param(ok('chat', { ...m, reasoning_effort: 'extreme' }))).toBe('reasoning_effort');
    expect(param(ok('chat', { ...m, user: null }))).toBe('user');
    expect(param(ok('embeddings', { model: 'm', input: 'x', encoding_format: 'hex' }))).toBe(
      'encoding_format',
    );
  });

  it('checks the messages and inputs Portico reads', () => {
    expect(param(ok('chat', { model: 'm', messages: [] }))).toBe('messages');
    expect(param(ok('chat', { model: 'm' }))).toBe('messages');
    expect(param(ok('chat', { model: 'm', messages: [{ content: 'no role' }] }))).toBe('messages[0].role');
    expect(param(ok('chat', { model: 'm', messages: [{ role: 'user', content: 7 }] }))).toBe(
      'messages[0].content',
    );
    expect(
      param(ok('chat', { model: 'm', messages: [{ role: 'user', content: [{ text: 'no type' }] }] })),
    ).toBe('messages[0].content[0]');
    expect(
      ok('chat', { model: 'm', messages: [{ role: 'assistant', content: null, tool_calls: [] }] }),
    ).not.toThrow();
    expect(param(ok('embeddings', { model: 'm', input: [1, 'a'] }))).toBe('input');
    expect(ok('embeddings', { model: 'm', input: [[1, 2], [3]] })).not.toThrow();
    expect(param(ok('responses', { model: 'm', input: ['a'] }))).toBe('input[0]');
  });

  it('lets fields it does not know through (provider extensions), prototype names included', () => {
    expect(
      ok(
        'chat',
        JSON.parse(
          '{"model":"m","messages":[{"role":"user","content":"hi"}],"__proto__":false,"constructor":1}',
        ) as Record<string, unknown>,
      ),
    ).not.toThrow();
    expect(
      ok('chat', {
        model: 'm',
        messages: [{ role: 'user', content: 'hi' }],
        data_sources: [{ type: 'azure_search' }],
        top_k: 5,
      }),
    ).not.toThrow();
  });
});

describe('usage from the tail of a JSON answer', () => {
  it('reads the top-level usage without parsing the rest, and ignores a "usage" inside strings', async () => {
    const { usageFromJsonTail } = await import('./usage-events');
    const answer = {
      id: 'x',
      choices: [{ message: { content: 'the "usage": {"prompt_tokens": 999} in text' } }],
      usage: {
        prompt_tokens: 12,
        completion_tokens: 34,
        total_tokens: 46,
        prompt_tokens_details: { cached_tokens: 0 },
      },
    };
    expect(usageFromJsonTail(Buffer.from(JSON.stringify(answer)))).toEqual({ prompt: 12, completion: 34 });
    expect(usageFromJsonTail(Buffer.from(JSON.stringify(answer, null, 2)))).toEqual({
      prompt: 12,
      completion: 34,
    });
    expect(
      usageFromJsonTail(
        Buffer.from(JSON.stringify({ choices: [{ message: { content: 'no usage "usage"' } }] })),
      ),
    ).toBeNull();
    expect(usageFromJsonTail(Buffer.from('{"usage": {"input_tokens": 3, "output_tokens": 4}}'))).toEqual({
      prompt: 3,
      completion: 4,
    });
  });
});
