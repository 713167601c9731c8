import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
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

  it('gives the events of the whole stream however it is cut, line ends of either kind included', () => {
    const line = fc.oneof(
      fc.constantFrom('data: {"a":1}', 'data: x', 'data:', 'event: e', ': ping', 'id: 7', 'data: [DONE]'),
      fc.string({ maxLength: 8 }).map((t) => `data: ${t.replace(/[\r\n]/g, '')}`),
    );
    const eol = fc.constantFrom('\n', '\r\n');
    const stream = fc
      .array(fc.tuple(fc.array(fc.tuple(line, eol), { minLength: 1, maxLength: 3 }), eol), { maxLength: 6 })
      .map((evs) => evs.map(([ls, e]) => ls.map(([l, x]) => l + x).join('') + e).join(''));
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 12 }), (s, cuts) => {
        const whole = new SseParser();
        const expected = [...whole.push(s), ...whole.end()];
        const at = [...new Set(cuts.map((c) => c % (s.length + 1)))].sort((a, b) => a - b);
        const p = new SseParser();
        const got: unknown[] = [];
        let from = 0;
        for (const c of [...at, s.length]) {
          got.push(...p.push(s.slice(from, c)));
          from = c;
        }
        got.push(...p.end());
        expect(got).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
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
