import OpenAI, { AzureOpenAI, toFile } from 'openai';
import { generateText, type ModelMessage } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { Agent, run, setDefaultOpenAIClient, setTracingDisabled } from '@openai/agents';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pgPool } from '../lib/db/pool';
import { sweepTokenMaps } from '../lib/token-maps/store';
import { startHarness, type Harness } from './support/portico';
import { seedApp, usageFor } from './support/seed';

// Stateful calls keep one token map per chain of upstream objects: the right patient on every turn, whichever way
// the chain is continued (previous_response_id, item references, a conversation, a batch), through the real SDKs
// against a fake upstream that keeps state the way OpenAI does (scripts/lib/fake-stateful.ts).

const MODEL = 'gpt-4o-mini-2024-07-18';
const JOHN = 'Patient John Smith, DOB 03/04/1961. Summarize.';
const MARY = 'Patient Mary Jones, DOB 07/22/1975. Summarize.';
const SECRETS = ['John Smith', 'Smith', '03/04/1961', 'Mary Jones', 'Jones', '07/22/1975'];

let h: Harness;
let stateful: { key: string; appId: string };
let stateless: { key: string; appId: string };
let other: { key: string; appId: string };

beforeAll(async () => {
  h = await startHarness();
  const seed = async (o: Parameters<typeof seedApp>[0]) => {
    const s = await seedApp(o);
    return { key: s.key!, appId: s.app.id };
  };
  stateful = await seed({ models: [MODEL], phiPolicy: 'scrub', statefulPhi: true });
  stateless = await seed({ models: [MODEL], phiPolicy: 'scrub' });
  other = await seed({ models: [MODEL], phiPolicy: 'scrub', statefulPhi: true });
});
afterAll(async () => h?.close());
beforeEach(() => h.upstream.reset());

const client = (key: string) =>
  new OpenAI({ baseURL: `${h.base}/api/public/oai/v1`, apiKey: key, maxRetries: 0 });
const upstreamSaw = () => h.upstream.received.map((r) => r.raw).join('\n');
function noPhiUpstream() {
  const seen = upstreamSaw();
  for (const s of SECRETS) expect(seen).not.toContain(s);
}

describe('a chain of stored responses with two patients', () => {
  it('gives John Smith where the model refers to turn 1 and Mary Jones where it refers to turn 2', async () => {
    const c = client(stateful.key);
    const t1 = await c.responses.create({ model: MODEL, store: true, input: JOHN });
    expect(t1.output_text).toBe(JOHN);
    const t2 = await c.responses.create({ model: MODEL, previous_response_id: t1.id, input: MARY });
    expect(t2.output_text).toBe(`Previously: ${JOHN} | Now: ${MARY}`);
    const t3 = await c.responses.create({
      model: MODEL,
      previous_response_id: t2.id,
      input: 'What was the date of birth?',
    });
    expect(t3.output_text).toBe(`Previously: ${MARY} | Now: What was the date of birth?`);
    noPhiUpstream();
    // One token per value along the chain: turn 2 gave Mary the next number, not turn 1's.
    const turn2 = h.upstream.received[1]!.raw;
    expect(turn2).toContain('[NAME_2]');
    expect(turn2).not.toContain('[NAME_1]');
  });

  it('does the same streamed, and the retrieval routes answer restored', async () => {
    const c = client(stateful.key);
    const t1 = await c.responses.create({ model: MODEL, store: true, input: JOHN });
    let text = '';
    const stream = await c.responses.create({
      model: MODEL,
      previous_response_id: t1.id,
      input: MARY,
      stream: true,
    });
    let id = '';
    for await (const e of stream) {
      if (e.type === 'response.output_text.delta') text += e.delta;
      if (e.type === 'response.completed') id = e.response.id;
    }
    expect(text).toBe(`Previously: ${JOHN} | Now: ${MARY}`);
    const got = await c.responses.retrieve(id);
    expect(got.output_text).toBe(`Previously: ${JOHN} | Now: ${MARY}`);
    const items = await c.responses.inputItems.list(id);
    expect(JSON.stringify(items.data)).toContain('Mary Jones');
    noPhiUpstream();
  });

  it('background: polled until done, answered restored', async () => {
    const c = client(stateful.key);
    const r = await c.responses.create({ model: MODEL, background: true, input: JOHN });
    expect(r.status).toBe('queued');
    const done = await c.responses.retrieve(r.id);
    expect(done.status).toBe('completed');
    expect(done.output_text).toBe(JOHN);
    noPhiUpstream();
  });

  it('the AI SDK default Responses model, whose follow-up turns send item references', async () => {
    const openai = createOpenAI({ baseURL: `${h.base}/api/public/oai/v1`, apiKey: stateful.key });
    const history: ModelMessage[] = [{ role: 'user', content: JOHN }];
    const first = await generateText({ model: openai.responses(MODEL), messages: history });
    expect(first.text).toBe(JOHN);
    history.push(...first.response.messages, { role: 'user', content: MARY });
    const sent = h.upstream.received.length;
    const second = await generateText({ model: openai.responses(MODEL), messages: history });
    expect(h.upstream.received[sent]!.raw).toContain('item_reference');
    expect(second.text).toBe(`Previously: ${JOHN} | Now: ${MARY}`);
    noPhiUpstream();
  });

  it('the OpenAI Agents SDK, continuing with previousResponseId', async () => {
    setTracingDisabled(true);
    setDefaultOpenAIClient(client(stateful.key));
    const agent = new Agent({
      name: 'Ward assistant',
      instructions: 'Summarize for the team.',
      model: MODEL,
    });
    const first = await run(agent, JOHN);
    expect(first.finalOutput).toBe(JOHN);
    const second = await run(agent, MARY, { previousResponseId: first.lastResponseId });
    expect(second.finalOutput).toBe(`Previously: ${JOHN} | Now: ${MARY}`);
    noPhiUpstream();
  });

  it('deleting a response erases its map; another app cannot see it', async () => {
    const c = client(stateful.key);
    const r = await c.responses.create({ model: MODEL, input: JOHN });
    const maps = async () =>
      (await pgPool().query('SELECT count(*)::int AS n FROM token_maps WHERE app_id = $1', [stateful.appId]))
        .rows[0].n as number;
    const before = await maps();
    await expect(client(other.key).responses.retrieve(r.id)).rejects.toMatchObject({ status: 404 });
    await expect(
      client(other.key).responses.create({ model: MODEL, previous_response_id: r.id, input: 'x' }),
    ).rejects.toMatchObject({ status: 404 });
    await c.responses.delete(r.id);
    expect(await maps()).toBe(before - 1);
    await expect(c.responses.retrieve(r.id)).rejects.toMatchObject({ status: 404 });
  });

  it('an expired map is erased by the sweeper, and its chain says so (410), never answering with tokens', async () => {
    const c = client(stateful.key);
    const r = await c.responses.create({ model: MODEL, input: JOHN });
    await pgPool().query(
      `UPDATE token_maps SET expires_at = (now() AT TIME ZONE 'UTC') - interval '1 minute'
        WHERE id = (SELECT map_id FROM upstream_objects WHERE app_id = $1 AND object_id = $2)`,
      [stateful.appId, r.id],
    );
    expect((await sweepTokenMaps()).maps).toBeGreaterThanOrEqual(1);
    await expect(c.responses.retrieve(r.id)).rejects.toMatchObject({ status: 410 });
    await expect(
      c.responses.create({ model: MODEL, previous_response_id: r.id, input: MARY }),
    ).rejects.toMatchObject({ status: 410 });
  });
});

describe('an app without stateful calls', () => {
  it('is told clearly what to do instead, and the upstream keeps nothing', async () => {
    const c = client(stateless.key);
    const r = await c.responses.create({ model: MODEL, input: JOHN });
    expect(r.output_text).toBe(JOHN);
    expect(JSON.parse(h.upstream.received[0]!.raw).store).toBe(false);
    for (const body of [
      { previous_response_id: 'resp_abc123def456abc123', input: MARY },
      { conversation: 'conv_abc123def456abc123', input: MARY },
      { background: true, input: MARY },
    ]) {
      const err = await c.responses.create({ model: MODEL, ...body }).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 400, code: 'stateful_not_allowed' });
      expect((err as Error).message).toMatch(/store": false/);
    }
    await expect(c.conversations.create({ items: [] })).rejects.toMatchObject({ status: 400 });
  });
});

describe('conversations', () => {
  it('one map for the conversation: items, turns and retrieval restored', async () => {
    const c = client(stateful.key);
    const conv = await c.conversations.create({
      metadata: { patient: 'John Smith' },
      items: [{ type: 'message', role: 'user', content: JOHN }],
    });
    expect(conv.metadata).toEqual({ patient: 'John Smith' });
    const turn = await c.responses.create({ model: MODEL, conversation: conv.id, input: MARY });
    expect(turn.output_text).toBe(`Previously: ${JOHN} | Now: ${MARY}`);
    const items = await c.conversations.items.list(conv.id);
    const text = JSON.stringify(items.data);
    expect(text).toContain('John Smith');
    expect(text).toContain('Mary Jones');
    expect((await c.conversations.retrieve(conv.id)).metadata).toEqual({ patient: 'John Smith' });
    noPhiUpstream();
    await c.conversations.delete(conv.id);
    await expect(c.conversations.retrieve(conv.id)).rejects.toMatchObject({ status: 404 });
  });
});

describe('batches', () => {
  it('a batch of 50 lines with PHI: scrubbed line by line, output restored by custom_id, metered at batch prices', async () => {
    const c = client(stateful.key);
    const patients = Array.from(
      { length: 50 },
      (_, i) =>
        `Patient ${['John Smith', 'Mary Jones'][i % 2]} (bed ${i + 1}), DOB ${i % 2 ? '07/22/1975' : '03/04/1961'}. Draft a discharge summary.`,
    );
    const jsonl = patients
      .map((p, i) =>
        JSON.stringify({
          custom_id: `note-${i}`,
          method: 'POST',
          url: '/v1/chat/completions',
          body: { model: MODEL, messages: [{ role: 'user', content: p }] },
        }),
      )
      .join('\n');
    const file = await c.files.create({
      file: await toFile(Buffer.from(jsonl), 'smith_john_discharges.jsonl'),
      purpose: 'batch',
    });
    const uploaded = h.upstream.received.at(-1)!.raw;
    for (const s of SECRETS) expect(uploaded).not.toContain(s);
    expect(uploaded).not.toContain('smith_john');
    const batch = await c.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    const done = await c.batches.retrieve(batch.id);
    expect(done.status).toBe('completed');
    const output = await (await c.files.content(done.output_file_id!)).text();
    const lines = output
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            custom_id: string;
            response: { body: { choices: { message: { content: string } }[] } };
          },
      );
    expect(lines).toHaveLength(50);
    for (const l of lines) {
      const i = Number(l.custom_id.split('-')[1]);
      expect(l.response.body.choices[0]!.message.content).toBe(patients[i]);
    }
    noPhiUpstream();
    // Metered once, when the output is read: at half the model's prices.
    await expect
      .poll(async () => (await usageFor(stateful.appId)).find((e) => e.operation === 'batch'))
      .toMatchObject({
        unit: 'batch requests',
        units: 50,
      });
    const metered = (await usageFor(stateful.appId)).find((e) => e.operation === 'batch')!;
    // gpt-4o-mini at 0.15 / 0.60 per million: the batch price is half.
    expect(metered.costUsd).toBeCloseTo(
      (metered.promptTokens * 0.075 + metered.completionTokens * 0.3) / 1e6,
      9,
    );
    await c.files.content(done.output_file_id!);
    const batches = (await usageFor(stateful.appId)).filter((e) => e.operation === 'batch');
    expect(batches).toHaveLength(1);
    // Lists show an app only its own objects.
    expect((await client(other.key).batches.list()).data.map((b) => b.id)).not.toContain(batch.id);
    expect((await c.batches.list()).data.map((b) => b.id)).toContain(batch.id);
    await expect(client(other.key).files.content(done.output_file_id!)).rejects.toMatchObject({
      status: 404,
    });
  });

  it('the Azure routes (AzureOpenAI client): upload, batch, output', async () => {
    const azure = new AzureOpenAI({
      endpoint: `${h.base}/api/public/oai`,
      apiKey: stateful.key,
      apiVersion: '2025-03-01-preview',
      maxRetries: 0,
    });
    const line = JSON.stringify({
      custom_id: 'a',
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: MODEL, messages: [{ role: 'user', content: JOHN }] },
    });
    const file = await azure.files.create({
      file: await toFile(Buffer.from(line), 'in.jsonl'),
      purpose: 'batch',
    });
    const batch = await azure.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    const done = await azure.batches.retrieve(batch.id);
    const out = JSON.parse((await (await azure.files.content(done.output_file_id!)).text()).trim()) as {
      response: { body: { choices: { message: { content: string } }[] } };
    };
    expect(out.response.body.choices[0]!.message.content).toBe(JOHN);
    expect((await azure.files.list()).data.map((f) => f.id)).toContain(file.id);
    noPhiUpstream();
  });

  it('documents follow the media setting; a malformed line is refused naming it', async () => {
    const c = client(stateful.key);
    await expect(
      c.files.create({ file: await toFile(Buffer.from('%PDF-1.4'), 'chart.pdf'), purpose: 'user_data' }),
    ).rejects.toMatchObject({ status: 403 });
    const bad = [
      JSON.stringify({
        custom_id: 'a',
        method: 'POST',
        url: '/v1/chat/completions',
        body: { model: MODEL, messages: [{ role: 'user', content: 'x' }] },
      }),
      JSON.stringify({
        custom_id: 'b',
        method: 'POST',
        url: '/v1/chat/completions',
        body: { model: 'gpt-4o', messages: [] },
      }),
    ].join('\n');
    const err = await c.files
      .create({ file: await toFile(Buffer.from(bad), 'in.jsonl'), purpose: 'batch' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400 });
    expect((err as Error).message).toMatch(/Line 2/);
  });
});

describe('nothing readable at rest', () => {
  it('no table holds a name or a date of birth of the chains above', async () => {
    const { rows } = await pgPool().query<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    for (const { t } of rows) {
      const dump = await pgPool().query(`SELECT * FROM "${t.replace(/"/g, '')}"`);
      const text = JSON.stringify(dump.rows, (_k, v: unknown) =>
        typeof v === 'bigint' ? String(v) : Buffer.isBuffer(v) ? v.toString('latin1') : v,
      );
      for (const s of SECRETS) expect(text, t).not.toContain(s);
    }
  });
});
