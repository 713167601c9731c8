import { describe, expect, it } from 'vitest';
import { SseParser } from './sse';
import { streamedUsage } from './usage-events';

/** The events of a literal stream, parsed as Portico parses them, split at every offset. */
function events(text: string, cut: number): Record<string, unknown>[] {
  const p = new SseParser();
  const out = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut)), ...p.end()];
  return out
    .filter((e) => e.data && e.data !== '[DONE]')
    .map((e) => JSON.parse(e.data) as Record<string, unknown>);
}

const CHAT = [
  'data: {"id":"c","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n',
  'data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n',
  'data: {"id":"c","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}\n\n',
  'data: [DONE]\n\n',
].join('');

const RESPONSES = [
  'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"Hi"}\n\n',
  'event: response.completed\ndata: {"type":"response.completed","response":{"id":"r","usage":{"input_tokens":7,"output_tokens":2,"total_tokens":9}}}\n\n',
].join('');

describe('the streamed usage step', () => {
  it('reads the usage chunk and drops it for a client that did not ask, however the stream is split', () => {
    for (let cut = 0; cut <= CHAT.length; cut += 7) {
      const got = events(CHAT, cut).map((e) => streamedUsage('chat', e, false));
      expect(got.map((g) => g.drop)).toEqual([false, false, true]);
      expect(got[2]?.usage).toEqual({ prompt: 12, completion: 3 });
    }
  });

  it('keeps the chunk for a client that asked, and deletes a usage field riding on a choice chunk otherwise', () => {
    const [, , last] = events(CHAT, CHAT.length).map((e) => streamedUsage('chat', e, true));
    expect(last).toEqual({ usage: { prompt: 12, completion: 3 }, drop: false });
    const riding = { choices: [{ index: 0, delta: {} }], usage: { prompt_tokens: 1, completion_tokens: 1 } };
    expect(streamedUsage('completions', riding, false)).toEqual({
      usage: { prompt: 1, completion: 1 },
      drop: false,
    });
    expect(riding).not.toHaveProperty('usage');
  });

  it("reads a Responses stream's usage from response.completed and leaves it for everyone", () => {
    const got = events(RESPONSES, 30).map((e) => streamedUsage('responses', e, false));
    expect(got).toEqual([
      { usage: null, drop: false },
      { usage: { prompt: 7, completion: 2 }, drop: false },
    ]);
  });
});
