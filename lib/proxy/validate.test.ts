import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plainlyValidChat, requestSchemas } from './validate';

describe('chat body validation', () => {
  it('the fast check never accepts what the schema refuses', () => {
    const message = fc.oneof(fc.record({ role: fc.oneof(fc.string(), fc.constant(1)), content: fc.jsonValue() }), fc.jsonValue());
    const body = fc.record(
      {
        model: fc.oneof(fc.string(), fc.integer()),
        messages: fc.oneof(fc.array(message, { maxLength: 4 }), fc.jsonValue()),
        stream: fc.oneof(fc.boolean(), fc.jsonValue()),
        n: fc.oneof(fc.integer({ min: -2, max: 200 }), fc.double(), fc.jsonValue()),
      },
      { requiredKeys: [] },
    );
    // Plainly valid bodies too, so that the property is exercised where it matters (not only vacuously).
    const valid = fc.record(
      {
        model: fc.string(),
        messages: fc.array(fc.record({ role: fc.constantFrom('system', 'user', 'assistant'), content: fc.string() }), { minLength: 1, maxLength: 4 }),
        stream: fc.boolean(),
        n: fc.integer({ min: 1, max: 128 }),
      },
      { requiredKeys: ['messages'] },
    );
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(body, valid), (b) => {
        if (!plainlyValidChat(b)) return;
        accepted++;
        expect(requestSchemas.chat.safeParse(b).success).toBe(true);
      }),
      { numRuns: 2_000 },
    );
    expect(accepted).toBeGreaterThan(500);
  });

  it('recognises the usual request', () => {
    expect(plainlyValidChat({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true })).toBe(true);
    expect(plainlyValidChat({ messages: [] })).toBe(false);
    expect(plainlyValidChat({ messages: [{ content: 'no role' }] })).toBe(false);
  });
});

describe('usage from the tail of a JSON answer', () => {
  it('reads the top-level usage without parsing the rest, and ignores a "usage" inside strings', async () => {
    const { usageFromJsonTail } = await import('./pipeline');
    const answer = { id: 'x', choices: [{ message: { content: 'the "usage": {"prompt_tokens": 999} in text' } }], usage: { prompt_tokens: 12, completion_tokens: 34, total_tokens: 46, prompt_tokens_details: { cached_tokens: 0 } } };
    expect(usageFromJsonTail(Buffer.from(JSON.stringify(answer)))).toEqual({ prompt: 12, completion: 34 });
    expect(usageFromJsonTail(Buffer.from(JSON.stringify(answer, null, 2)))).toEqual({ prompt: 12, completion: 34 });
    expect(usageFromJsonTail(Buffer.from(JSON.stringify({ choices: [{ message: { content: 'no usage "usage"' } }] })))).toBeNull();
    expect(usageFromJsonTail(Buffer.from('{"usage": {"input_tokens": 3, "output_tokens": 4}}'))).toEqual({ prompt: 3, completion: 4 });
  });
});
