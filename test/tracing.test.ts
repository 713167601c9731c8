// OpenTelemetry traces against a real OTLP/HTTP receiver: a span per request and one per upstream attempt, with
// the GenAI conventions, and nothing of the prompt, the answer, a PHI value or the key.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveEnv } from '../lib/env';
import { startHarness, type Harness } from './support/portico';
import { seedApp } from './support/seed';

const MODEL = 'gpt-4o-mini-2024-07-18';
const bodies: string[] = [];
let receiver: http.Server;
let h: Harness;

interface OtlpSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: { key: string; value: Record<string, unknown> }[];
  status?: { code?: number };
}
const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v ? (v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : v.boolValue)) : undefined;
};
const spans = (): OtlpSpan[] =>
  bodies.flatMap((b) =>
    (JSON.parse(b) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }).resourceSpans.flatMap(
      (r) => r.scopeSpans.flatMap((s) => s.spans),
    ),
  );

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') bodies.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  process.env.OTEL_SERVICE_NAME = 'portico-test';
  resolveEnv({});
  h = await startHarness();
});
afterAll(async () => {
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  delete process.env.OTEL_SERVICE_NAME;
  resolveEnv({});
  await new Promise((r) => receiver?.close(r));
});

describe('OpenTelemetry traces', () => {
  it('a request span and its upstream attempt, with GenAI attributes and no content, PHI or key', async () => {
    const s = await seedApp({ models: [MODEL] });
    const client = new OpenAI({ baseURL: `${h.base}/api/public/oai/v1`, apiKey: s.key!, maxRetries: 0 });
    const prompt = 'Patient Maria Gonzalez, MRN 4481234, called 413-555-0142 about her results.';
    await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: prompt }] });
    const stream = await client.chat.completions.create({
      model: MODEL,
      stream: true,
      messages: [{ role: 'user', content: 'a streamed one' }],
    });
    for await (const c of stream) void c;
    // Closing flushes the spans still buffered.
    await h.close();

    const all = spans();
    const requests = all.filter((x) => x.kind === 2); // SERVER
    const attempts = all.filter((x) => x.kind === 3); // CLIENT
    expect(requests).toHaveLength(2);
    expect(attempts).toHaveLength(2);
    for (const r of requests) {
      expect(r.name).toBe(`chat ${MODEL}`);
      expect(attr(r, 'gen_ai.operation.name')).toBe('chat');
      expect(attr(r, 'gen_ai.request.model')).toBe(MODEL);
      expect(attr(r, 'gen_ai.usage.input_tokens')).toBeGreaterThan(0);
      expect(attr(r, 'http.response.status_code')).toBe(200);
      expect(attr(r, 'portico.upstream.target')).toBe('upstream');
      // Each attempt is a child of its request, in the same trace.
      const child = attempts.find((a) => a.parentSpanId === r.spanId)!;
      expect(child.traceId).toBe(r.traceId);
      expect(attr(child, 'gen_ai.system')).toBe('openai');
      expect(attr(child, 'server.address')).toBe('127.0.0.1');
      expect(attr(child, 'portico.upstream.attempt')).toBe(1);
    }
    const raw = bodies.join('\n');
    for (const secret of ['Maria', 'Gonzalez', '4481234', '555-0142', 'a streamed one', s.key!])
      expect(raw).not.toContain(secret);
    expect(raw).toContain('portico-test');
  });
});
