import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Document, parseDocument } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, testConfigYaml, type Harness } from './support/portico';
import { seedApp, usageFor } from './support/seed';

// Custom endpoints (issue 18), with the shipped example file's endpoints served by the fake upstream, called the
// way the README shows (its curl and fetch samples, run as they are written).

const ROOT = path.resolve(import.meta.dirname, '..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const MODEL = 'gpt-4o-mini-2024-07-18';
const NOTE =
  'Maria Gonzalez, 67, seen 03/14/2025 for type 2 diabetes. Continue metformin 1000 mg twice daily; call 413-555-0142 with questions.';

/** The `endpoints:` section of portico.config.example.yaml, as YAML text. */
function shippedEndpoints(): string {
  const doc = parseDocument(readFileSync(path.join(ROOT, 'portico.config.example.yaml'), 'utf8'));
  const out = new Document({});
  out.set('endpoints', doc.get('endpoints', true));
  return out.toString({ lineWidth: 0 });
}

/** The code block that follows `<!-- sample: name -->` in the README. */
function readmeSample(name: string): string {
  const at = README.indexOf(`<!-- sample: ${name} -->`);
  if (at < 0) throw new Error(`README has no sample ${name}`);
  const m = README.slice(at).match(/```\w*\n([\s\S]*?)```/);
  return m![1]!;
}

type Answer = {
  id: string;
  endpoint: string;
  model: string;
  output: Record<string, unknown> | string;
  finish_reason: string | null;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
};

let h: Harness;
let granted: { key: string; appId: string };
let notGranted: string;
const post = (name: string, key: string, body: unknown, query = '') =>
  fetch(`${h.base}/api/public/v1/endpoints/${name}${query}`, {
    method: 'POST',
    headers: { 'api-key': key, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const lastUpstreamText = () => JSON.stringify(h.upstream.received.at(-1)!.body);

beforeAll(async () => {
  h = await startHarness({ yaml: (url) => testConfigYaml(url) + shippedEndpoints() });
  const a = await seedApp({ models: [], allowedEndpoints: ['summarize-note', 'patient-letter'] });
  granted = { key: a.key!, appId: a.app.id };
  notGranted = (await seedApp({ models: [MODEL] })).key!;
});
afterAll(async () => h?.close());
beforeEach(() => h.upstream.reset());

describe('summarize-note (structured output)', () => {
  it('answers the README curl sample with a checked summary, PHI scrubbed upstream and restored', async () => {
    // The sample names localhost:3000; the test's Portico listens elsewhere.
    expect(readmeSample('endpoint-curl')).toContain(
      'http://localhost:3000/api/public/v1/endpoints/summarize-note',
    );
    const sample = readmeSample('endpoint-curl').replace('http://localhost:3000', h.base);
    const run = await promisify(execFile)('bash', ['-c', sample], {
      env: { ...process.env, PORTICO_API_KEY: granted.key },
      encoding: 'utf8',
    });
    const answer = JSON.parse(run.stdout) as Answer;
    expect(answer).toMatchObject({ endpoint: 'summarize-note', model: MODEL, finish_reason: 'stop' });
    const out = answer.output as {
      summary: string;
      problems: string[];
      medications: string[];
      follow_up: string[];
    };
    expect(Object.keys(out).sort()).toEqual(['follow_up', 'medications', 'problems', 'summary']);
    // The echo fills each string with what it received: the model saw tokens, the caller gets the values back.
    expect(out.summary).toContain('Maria Gonzalez');
    expect(out.problems[0]).toContain('413-555-0142');
    const sent = lastUpstreamText();
    expect(sent).not.toContain('Maria Gonzalez');
    expect(sent).not.toContain('413-555-0142');
    expect(sent).toMatch(/\[NAME_1\]/);
    const body = h.upstream.received.at(-1)!.body as Record<string, unknown>;
    expect(body).toMatchObject({
      model: 'gpt-4o-mini',
      temperature: 0.1,
      max_tokens: 800,
      response_format: { type: 'json_schema', json_schema: { name: 'summarize_note', strict: true } },
    });
    expect(answer.usage.total_tokens).toBeGreaterThan(0);
  });

  it('answers the README fetch sample', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'portico-fetch-'));
    const file = path.join(dir, 'sample.mjs');
    writeFileSync(file, readmeSample('endpoint-fetch').replace('http://localhost:3000', h.base));
    const run = await promisify(execFile)(process.execPath, [file], {
      env: { ...process.env, PORTICO_API_KEY: granted.key },
      encoding: 'utf8',
    });
    expect(run.stdout).toMatch(/^200 \{/);
    expect(run.stdout).toContain('Maria Gonzalez');
    expect(run.stdout).toContain('total_tokens');
  });

  it('fills the schema defaults into the template, and meters the call under the endpoint', async () => {
    const res = await post('summarize-note', granted.key, { note: 'Stable. No changes.' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const messages = (h.upstream.received.at(-1)!.body as { messages: { role: string; content: string }[] })
      .messages;
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(messages[1]!.content).toBe('Note type: progress\n\nStable. No changes.');
    const answer = (await res.json()) as Answer;
    await expect
      .poll(async () => (await usageFor(granted.appId)).find((u) => u.requestId === answer.id))
      .toMatchObject({ model: 'endpoint:summarize-note', operation: 'endpoint', status: 200 });
    const row = (await usageFor(granted.appId)).find((u) => u.requestId === answer.id)!;
    expect(row.costUsd).toBeGreaterThan(0);
    expect(row.promptTokens).toBe(answer.usage.prompt_tokens);
  });

  it('refuses a body that does not match the input schema, naming the field', async () => {
    const missing = await post('summarize-note', granted.key, { note_type: 'progress' });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error).toMatchObject({
      param: 'note',
      message: 'note: is required',
      code: 'invalid_request',
    });
    const badEnum = await post('summarize-note', granted.key, { note: 'x', note_type: 'haiku' });
    expect((await badEnum.json()).error).toMatchObject({ param: 'note_type' });
    expect(badEnum.status).toBe(400);
    const extra = await post('summarize-note', granted.key, { note: 'x', temperature: 2 });
    expect((await extra.json()).error).toMatchObject({
      param: 'temperature',
      message: 'temperature: is not a field of this endpoint',
    });
    const notJson = await post('summarize-note', granted.key, '{"note":');
    expect(notJson.status).toBe(400);
    expect(h.upstream.received).toHaveLength(0);
  });

  it('answers 502 when the model returns invalid JSON or JSON that does not match, never passing it on', async () => {
    const reply = (content: string, finish = 'stop') => ({
      kind: 'status' as const,
      status: 200,
      body: {
        id: 'x',
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finish }],
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      },
    });
    h.upstream.queue(reply('Here is your summary: the patient is fine.'));
    const notJson = await post('summarize-note', granted.key, { note: NOTE });
    expect(notJson.status).toBe(502);
    const e1 = (await notJson.json()).error;
    expect(e1).toMatchObject({ code: 'invalid_model_output' });
    expect(e1.message).toMatch(/not valid JSON/);
    expect(e1.message).not.toContain('patient is fine');

    h.upstream.queue(reply(JSON.stringify({ summary: 'ok', problems: 'none' })));
    const wrong = await post('summarize-note', granted.key, { note: NOTE });
    expect(wrong.status).toBe(502);
    expect((await wrong.json()).error.message).toMatch(/did not match its output schema/);

    h.upstream.queue(reply('{"summary": "cut', 'length'));
    const cut = await post('summarize-note', granted.key, { note: NOTE });
    expect(cut.status).toBe(502);
    expect((await cut.json()).error.message).toMatch(/cut off/);
    // Still metered: the tokens were spent.
    await expect
      .poll(
        async () =>
          (await usageFor(granted.appId)).filter((u) => u.errorCode === 'invalid_model_output').length,
      )
      .toBe(3);
  });

  it('refuses streaming a structured endpoint', async () => {
    const res = await post('summarize-note', granted.key, { note: 'x' }, '?stream=true');
    expect(res.status).toBe(400);
    expect((await res.json()).error.param).toBe('stream');
  });
});

describe('patient-letter (text)', () => {
  const SUMMARY =
    'John Smith (MRN 4482913) was admitted 11/02/2025 with pneumonia. Follow up with Dr. Patel.';

  it('answers with text, PHI restored', async () => {
    const res = await post('patient-letter', granted.key, { discharge_summary: SUMMARY });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as Answer;
    expect(typeof answer.output).toBe('string');
    expect(answer.output).toContain('John Smith');
    expect(answer.output).toContain('4482913');
    expect(lastUpstreamText()).not.toContain('John Smith');
    expect(lastUpstreamText()).not.toContain('4482913');
    expect(h.upstream.received.at(-1)!.body).not.toHaveProperty('response_format');
  });

  it('streams delta events with PHI restored, then done with the usage', async () => {
    const res = await post('patient-letter', granted.key, { discharge_summary: SUMMARY }, '?stream=true');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = (await res.text())
      .trim()
      .split('\n\n')
      .map((block) => ({
        event: block.match(/^event: (.*)$/m)?.[1],
        data: JSON.parse(block.match(/^data: (.*)$/m)![1]!) as Record<string, unknown>,
      }));
    const text = events
      .filter((e) => e.event === 'delta')
      .map((e) => e.data.text)
      .join('');
    expect(text).toContain('John Smith (MRN 4482913)');
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { finish_reason: 'stop' } });
    expect((events.at(-1)!.data.usage as { total_tokens: number }).total_tokens).toBeGreaterThan(0);
    expect(lastUpstreamText()).not.toContain('John Smith');
  });

  it('applies the endpoint’s PHI policy when it is stricter than the app’s, and the app’s when that is', async () => {
    // The app's policy is off (its owner declared no PHI): the endpoint's scrub applies.
    const off = (await seedApp({ models: [], phiPolicy: 'off', allowedEndpoints: ['patient-letter'] })).key!;
    expect((await post('patient-letter', off, { discharge_summary: SUMMARY })).status).toBe(200);
    expect(lastUpstreamText()).not.toContain('John Smith');
    // The app's block is stricter than the endpoint's scrub: refused, nothing sent.
    const block = (await seedApp({ models: [], phiPolicy: 'block', allowedEndpoints: ['patient-letter'] }))
      .key!;
    h.upstream.reset();
    const refused = await post('patient-letter', block, { discharge_summary: SUMMARY });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.code).toBe('phi_detected');
    expect(h.upstream.received).toHaveLength(0);
    // redact: the model sees tokens and so does the caller.
    const redact = (await seedApp({ models: [], phiPolicy: 'redact', allowedEndpoints: ['patient-letter'] }))
      .key!;
    const answer = (await (
      await post('patient-letter', redact, { discharge_summary: SUMMARY })
    ).json()) as Answer;
    expect(answer.output).not.toContain('John Smith');
    expect(answer.output).toMatch(/\[NAME_1\]/);
  });
});

describe('access', () => {
  it('refuses an app not granted the endpoint with 403, and an unknown endpoint with 404', async () => {
    const res = await post('summarize-note', notGranted, { note: NOTE });
    expect(res.status).toBe(403);
    expect((await res.json()).error).toMatchObject({
      code: 'endpoint_not_allowed',
      type: 'permission_error',
    });
    const unknown = await post('nope', granted.key, { note: NOTE });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.message).toContain('summarize-note, patient-letter');
    expect((await post('summarize-note', 'ptc_wrong', {})).status).toBe(401);
    const get = await fetch(`${h.base}/api/public/v1/endpoints/summarize-note`, {
      headers: { 'api-key': granted.key },
    });
    expect(get.status).toBe(405);
    expect(h.upstream.received).toHaveLength(0);
  });

  it('counts against the app’s rate limit', async () => {
    const limited = (await seedApp({ models: [], rpmLimit: 1, allowedEndpoints: ['summarize-note'] })).key!;
    expect((await post('summarize-note', limited, { note: 'a' })).status).toBe(200);
    const second = await post('summarize-note', limited, { note: 'b' });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBeTruthy();
  });

  it('whoami lists the granted endpoints', async () => {
    const me = await (
      await fetch(`${h.base}/api/public/v1/whoami`, { headers: { 'api-key': granted.key } })
    ).json();
    expect(me.endpoints).toEqual([
      expect.objectContaining({
        name: 'summarize-note',
        url: '/api/public/v1/endpoints/summarize-note',
        output: 'json',
      }),
      expect.objectContaining({ name: 'patient-letter', output: 'text' }),
    ]);
  });

  it('documents each endpoint in /api/openapi.json with its schemas and example', async () => {
    const doc = await (await fetch(`${h.base}/api/openapi.json`)).json();
    // Still a valid OpenAPI 3.1 document with the config's JSON Schemas inside it.
    await SwaggerParser.validate(structuredClone(doc) as never);
    const op = doc.paths['/api/public/v1/endpoints/summarize-note'].post;
    expect(op.tags).toEqual(['Custom endpoints']);
    expect(op.description).toContain('Summarises a clinical note');
    const body = op.requestBody.content['application/json'];
    expect(body.schema.required).toEqual(['note']);
    expect(body.example.note).toContain('Maria Gonzalez');
    expect(op.responses['200'].content['application/json'].schema.properties.output.required).toEqual([
      'summary',
      'problems',
      'medications',
      'follow_up',
    ]);
    const letter = doc.paths['/api/public/v1/endpoints/patient-letter'].post;
    expect(letter.responses['200'].content).toHaveProperty('text/event-stream');
  });
});

describe('CLI', () => {
  it('endpoint add writes one into the config file keeping its comments; list and config check show it', async () => {
    const { cli } = await import('./support/cli');
    const { TEST_SECRETS } = await import('./support/portico');
    const dir = mkdtempSync(path.join(tmpdir(), 'portico-endpoint-'));
    const file = path.join(dir, 'portico.config.yaml');
    writeFileSync(file, readFileSync(path.join(ROOT, 'portico.config.example.yaml'), 'utf8'));
    const before = readFileSync(file, 'utf8');
    const add = await cli([
      'endpoint',
      'add',
      '-f',
      file,
      '--name',
      'discharge-codes',
      '--model',
      MODEL,
      '--description',
      'Suggests ICD-10 codes for a discharge summary.',
      '--user',
      'Summary: {{summary}}',
      '--field',
      'summary',
      '--field',
      'visit:string?',
      '--output',
      '{"type":"object","additionalProperties":false,"required":["codes"],"properties":{"codes":{"type":"array","items":{"type":"string"}}}}',
      '--set',
      'temperature=0',
      'max_tokens=400',
    ]);
    expect(add.stderr).toMatch(/endpoint "discharge-codes"/);
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/^\+  discharge-codes:$/m);
    const after = readFileSync(file, 'utf8');
    for (const line of before.split('\n')) expect(after).toContain(line);

    const env = {
      PORTICO_CONFIG: file,
      ...TEST_SECRETS,
      OPENAI_API_KEY: 'x',
      AZURE_OPENAI_API_KEY: 'x',
      AZURE_OPENAI_WEST_API_KEY: 'x',
    };
    const list = await cli(['endpoint', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      /discharge-codes {2}→ gpt-4o-mini-2024-07-18 {2}json {2}body: summary, visit\?/,
    );
    const check = await cli(['config', 'check'], env);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/endpoint discharge-codes → gpt-4o-mini-2024-07-18 \(json/);
    // `visit` is checked but in no template: said, not refused.
    expect(check.stdout).toMatch(/warning: input field visit is in no template/);

    const again = await cli([
      'endpoint',
      'add',
      '-f',
      file,
      '--name',
      'discharge-codes',
      '--model',
      MODEL,
      '--description',
      'd',
      '--user',
      '{{a}}',
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already has an endpoint "discharge-codes"/);
    const undeclared = await cli([
      'endpoint',
      'add',
      '-f',
      file,
      '--name',
      'x',
      '--model',
      MODEL,
      '--description',
      'd',
      '--user',
      'Hi {{b}}',
      '--input',
      '{"type":"object","properties":{"a":{"type":"string"}}}',
    ]);
    expect(undeclared.code).toBe(1);
    expect(undeclared.stderr).toMatch(
      /endpoints\.x\.user \(line \d+\): uses \{\{b\}\}, not declared under input\.properties \(declared: a\)/,
    );
    expect(readFileSync(file, 'utf8')).toBe(after);
  });
});
