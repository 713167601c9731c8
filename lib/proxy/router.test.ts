import { describe, expect, it } from 'vitest';
import { parseConfig, resolveConfig } from '../config';
import { quotaSpentMs, retryAfterMs, Router } from './router';

const cfg = resolveConfig(
  {
    file: parseConfig(
      `providers: { a: { type: echo }, b: { type: echo }, c: { type: echo } }
models:
  g:
    strategy: least-busy
    targets:
      - { name: a, provider: a }
      - { name: b, provider: b }
      - { name: c, provider: c, priority: 1 }
`,
      'test',
    ),
    source: 'test',
  },
  {},
);
const model = cfg.models.get('g')!;
const [a, b, c] = model.targets as [
  (typeof model.targets)[0],
  (typeof model.targets)[0],
  (typeof model.targets)[0],
];

describe('the router', () => {
  it('least-busy picks the deployment with fewer requests in flight; the next tier comes last', () => {
    const r = new Router(() => 0);
    r.start(model, a);
    expect(r.order(model).map((t) => t.name)).toEqual(['b', 'a', 'c']);
  });

  it('a failing deployment rests 1 s, then 2 s after another failure; a success closes the breaker', () => {
    let now = 0;
    const r = new Router(() => now);
    r.start(model, a);
    r.finish(model, a, { ok: false, kind: 'connect' });
    expect(r.order(model).map((t) => t.name)).toEqual(['b', 'c', 'a']);
    // Still resting just before its second is up; back in its tier (half-open: tried first) just after.
    now = 999;
    expect(r.order(model).map((t) => t.name)).toEqual(['b', 'c', 'a']);
    now = 1_001;
    expect(r.order(model).map((t) => t.name)).toEqual(['a', 'b', 'c']);
    r.start(model, a);
    r.finish(model, a, { ok: false, kind: 'status', status: 503 });
    now = 2_500;
    expect(r.order(model).at(-1)!.name).toBe('a');
    now = 3_002;
    r.start(model, a);
    r.finish(model, a, { ok: true, latencyMs: 10 });
    expect(r.cooling()).toEqual([]);
  });

  it('reads how long an upstream asks to wait', () => {
    expect(retryAfterMs({ 'retry-after-ms': '250' })).toBe(250);
    expect(retryAfterMs({ 'retry-after': '3' })).toBe(3_000);
    expect(quotaSpentMs({ 'x-ratelimit-remaining-requests': '5' })).toBeUndefined();
    expect(quotaSpentMs({ 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '6m0s' })).toBe(
      360_000,
    );
    expect(quotaSpentMs({ 'x-ratelimit-remaining-requests': '0' })).toBe(1_000);
    void b;
    void c;
  });
});
