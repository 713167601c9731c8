import { describe, expect, it } from 'vitest';
import { formatSse, SseParser } from './sse';

const STREAM =
  'data: {"a":1}\n\nevent: response.output_text.delta\ndata: {"b":2}\n\n: comment\ndata: [DONE]\n\n: ping\n\n';

describe('SSE parser', () => {
  it('gives the same events for every split of the stream', () => {
    for (let i = 0; i <= STREAM.length; i++) {
      for (const j of [i, Math.min(STREAM.length, i + 3)]) {
        const p = new SseParser();
        const events = [
          ...p.push(STREAM.slice(0, i)),
          ...p.push(STREAM.slice(i, j)),
          ...p.push(STREAM.slice(j)),
          ...p.end(),
        ];
        expect(events).toEqual([
          { data: '{"a":1}' },
          { event: 'response.output_text.delta', data: '{"b":2}' },
          { data: '[DONE]' },
          { data: '', comment: 'ping' },
        ]);
      }
    }
  });

  it('handles CRLF, multi-line data and a missing final blank line', () => {
    const p = new SseParser();
    expect(p.push('data: x\r\ndata: y\r\n\r\ndata: z')).toEqual([{ data: 'x\ny' }]);
    expect(p.end()).toEqual([{ data: 'z' }]);
  });

  it('formats what it parses, keep-alive comments included', () => {
    expect(formatSse({ event: 'e', data: '{}' })).toBe('event: e\ndata: {}\n\n');
    expect(formatSse({ data: '', comment: 'ping' })).toBe(': ping\n\n');
  });
});
