import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { PhiSession } from './session';
import { SPEC_TYPES } from './openai-vocabulary';
import {
  MEDIA_TYPES,
  TEXT_TYPES,
  createStreamRestorer,
  detectInRequestBody,
  mediaParts,
  requestTexts,
  restoreResponseBody,
  scrubRequestBody,
} from './payloads';

type Json = Record<string, unknown>;

function session(): PhiSession {
  const s = new PhiSession();
  // Issues NAME_1 = Foley, NAME_2 = O'Brien "JJ", DATE_1 = 7/22.
  s.scrub('Dr. Foley saw him on 7/22.');
  s.scrubEntities('Jane O\'Brien "JJ"', [{ start: 5, end: 17, type: 'NAME' }]);
  return s;
}

/** Splits `text` at the given offsets. */
function split(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))]
    .filter((c) => c > 0 && c < text.length)
    .sort((a, b) => a - b);
  const out: string[] = [];
  let at = 0;
  for (const p of points) {
    out.push(text.slice(at, p));
    at = p;
  }
  out.push(text.slice(at));
  return out;
}

describe('scrubRequestBody', () => {
  it('scrubs every text-bearing chat field and leaves the rest untouched', () => {
    const s = new PhiSession();
    const body: Json = {
      model: 'gpt-4o',
      temperature: 0.2,
      user: 'Dr. Foley',
      messages: [
        { role: 'system', content: 'You help clinicians.' },
        {
          role: 'user',
          name: 'Dr. Foley',
          content: [
            { type: 'text', text: 'Mr. Nicholson was seen on 7/22.' },
            { type: 'image_url', image_url: { url: 'https://x.example/a.png' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'c1',
              type: 'function',
              function: { name: 'lookup', arguments: '{"patient": "Mr. Nicholson", "phone":"410-555-1234"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: '{"dob":"7/22/1950","email":"jn@example.com"}' },
      ],
    };
    scrubRequestBody('chat', body, s);
    const messages = body.messages as Json[];
    // The end user's id goes upstream too: it is scanned like the messages.
    expect(body.user).toBe('Dr. [NAME_1]');
    expect(body.temperature).toBe(0.2);
    expect(messages[0]).toEqual({ role: 'system', content: 'You help clinicians.' });
    expect(messages[1]?.name).toBe('Dr. NAME_1');
    expect(messages[1]?.content).toEqual([
      { type: 'text', text: 'Mr. [NAME_2] was seen on [DATE_1].' },
      { type: 'image_url', image_url: { url: 'https://x.example/a.png' } },
    ]);
    const call = (messages[2]?.tool_calls as Json[])[0] as { function: { arguments: string } };
    expect(JSON.parse(call.function.arguments)).toEqual({ patient: 'Mr. [NAME_2]', phone: '[PHONE_1]' });
    expect(messages[3]?.content).toBe('{"dob":"[DATE_2]","email":"[EMAIL_1]"}');
    expect(s.counts()).toEqual({ NAME: 4, DATE: 2, PHONE: 1, EMAIL: 1 });
  });

  it('uses tool argument keys as hints for short values', () => {
    const s = new PhiSession();
    const args =
      '{"last_name":"Smith","city":"Springfield","dob":"1950-01-02","drug":"Lasix","note":"stable"}';
    const body: Json = {
      messages: [
        {
          role: 'assistant',
          tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: args } }],
        },
      ],
    };
    scrubRequestBody('chat', body, s);
    const out =
      ((body.messages as Json[])[0]?.tool_calls as { function: { arguments: string } }[])[0]?.function
        .arguments ?? '';
    expect(JSON.parse(out)).toEqual({
      last_name: '[NAME_1]',
      city: '[LOCATION_1]',
      dob: '[DATE_1]',
      drug: 'Lasix',
      note: 'stable',
    });
    expect(
      detectInRequestBody('chat', {
        messages: [{ role: 'assistant', tool_calls: [{ function: { arguments: args } }] }],
      }),
    ).toEqual({ NAME: 1, LOCATION: 1, DATE: 1 });
  });

  it('keeps PHI-free tool arguments byte for byte', () => {
    const s = new PhiSession();
    const args = '{ "drug" : "metoprolol",\n  "dose_mg": 25 }';
    const body: Json = {
      messages: [
        {
          role: 'assistant',
          tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: args } }],
        },
      ],
    };
    scrubRequestBody('chat', body, s);
    expect(
      ((body.messages as Json[])[0]?.tool_calls as { function: { arguments: string } }[])[0]?.function
        .arguments,
    ).toBe(args);
  });

  it('scrubs Responses input items and instructions', () => {
    const s = new PhiSession();
    const body: Json = {
      model: 'gpt-4.1',
      instructions: 'Answer Dr. Foley briefly.',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Mr. Nicholson, seen 7/22.' },
            { type: 'input_image', image_url: 'data:...' },
          ],
        },
        {
          type: 'message',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Noted for Mr. Nicholson.' }],
        },
        { type: 'function_call', call_id: 'x', name: 'f', arguments: '{"who":"Dr. Foley"}' },
        { type: 'function_call_output', call_id: 'x', output: 'Paged Dr. Foley at 410-555-1234' },
      ],
    };
    scrubRequestBody('responses', body, s);
    expect(body.instructions).toBe('Answer Dr. [NAME_1] briefly.');
    const input = body.input as Json[];
    expect((input[0]?.content as Json[])[0]).toEqual({
      type: 'input_text',
      text: 'Mr. [NAME_2], seen [DATE_1].',
    });
    expect((input[0]?.content as Json[])[1]).toEqual({ type: 'input_image', image_url: 'data:...' });
    expect((input[1]?.content as Json[])[0]).toEqual({
      type: 'output_text',
      text: 'Noted for Mr. [NAME_2].',
    });
    expect(input[2]?.arguments).toBe('{"who":"Dr. [NAME_1]"}');
    expect(input[3]?.output).toBe('Paged Dr. [NAME_1] at [PHONE_1]');

    const plain: Json = { input: 'Mr. Nicholson on 7/22' };
    scrubRequestBody('responses', plain, new PhiSession());
    expect(plain.input).toBe('Mr. [NAME_1] on [DATE_1]');
  });

  it('scrubs embeddings and completions text but not token arrays', () => {
    const s = new PhiSession();
    const e1: Json = { input: 'Mr. Nicholson' };
    const e2: Json = { input: ['Mr. Nicholson', 'no phi'] };
    const e3: Json = { input: [1, 2, 3] };
    const e4: Json = { input: [[1, 2], [3]] };
    scrubRequestBody('embeddings', e1, s);
    scrubRequestBody('embeddings', e2, s);
    scrubRequestBody('embeddings', e3, s);
    scrubRequestBody('embeddings', e4, s);
    expect(e1.input).toBe('Mr. [NAME_1]');
    expect(e2.input).toEqual(['Mr. [NAME_1]', 'no phi']);
    expect(e3.input).toEqual([1, 2, 3]);
    expect(e4.input).toEqual([[1, 2], [3]]);
    const c: Json = { prompt: ['Dr. Foley on 7/22', 'plain'] };
    scrubRequestBody('completions', c, s);
    expect(c.prompt).toEqual(['Dr. [NAME_2] on [DATE_1]', 'plain']);
  });

  it('counts PHI by type for policy block without changing the body', () => {
    const body: Json = {
      messages: [{ role: 'user', content: 'Mr. Nicholson, MRN: 12345678, seen 7/22 and 7/23.' }],
    };
    const copy = structuredClone(body);
    expect(detectInRequestBody('chat', body)).toEqual({ NAME: 1, MRN: 1, DATE: 2 });
    expect(body).toEqual(copy);
    expect(
      detectInRequestBody('chat', { messages: [{ role: 'user', content: 'What is a normal INR?' }] }),
    ).toEqual({});
  });
});

describe('JSON text nested deeper than any record', () => {
  it('is scanned as text: its PHI replaced, the request not refused for want of stack', () => {
    const deep = `${'['.repeat(5000)}"Maria Gonzalez, DOB 03/04/1961"${']'.repeat(5000)}`;
    const body = {
      messages: [
        {
          role: 'assistant',
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: deep } }],
        },
      ],
    };
    scrubRequestBody('chat', body, new PhiSession());
    const out = body.messages[0]!.tool_calls[0]!.function.arguments;
    expect(out).not.toContain('Maria');
    expect(out).not.toContain('03/04/1961');
    expect(out.startsWith('[['.repeat(2500))).toBe(true);
  });
});

describe('requestTexts', () => {
  it('lists every text the scrub would scan (JSON arguments by value) and leaves the body as it was', () => {
    const body: Json = {
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'c',
              type: 'function',
              function: { name: 'f', arguments: '{"patient_name":"Ann Lee","n":3}' },
            },
          ],
        },
        {
          role: 'user',
          name: 'clinician',
          content: [
            { type: 'text', text: 'Call Ann Lee.' },
            { type: 'image_url', image_url: { url: 'https://x' } },
          ],
        },
      ],
    };
    const copy = structuredClone(body);
    // Default deny: ids and names too (short ones are checked as they are; the image's address by its parts).
    expect(requestTexts('chat', body)).toEqual({
      texts: ['Be brief.', 'c', 'f', 'Ann Lee', 'clinician', 'Call Ann Lee.'],
      identifiers: ['patient_name'],
    });
    expect(body).toEqual(copy);
  });
});

describe('engine failure', () => {
  it('lets the error reach the caller so that the request fails', () => {
    const fail = (): never => {
      throw new Error('dictionary missing');
    };
    const broken = { text: fail, identifier: fail };
    const body: Json = { messages: [{ role: 'user', content: 'Mr. Nicholson' }] };
    expect(() => scrubRequestBody('chat', body, new PhiSession(), broken)).toThrow('dictionary missing');
    expect(() => detectInRequestBody('chat', body, broken)).toThrow('dictionary missing');
    expect((body.messages as Json[])[0]?.content).toBe('Mr. Nicholson');
  });
});

describe('restoreResponseBody', () => {
  it('restores every chat choice, tool-call arguments JSON-escaped, and refusals', () => {
    const s = session();
    const body = {
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Dr. [NAME_1] saw [NAME_2] on [DATE_1].', refusal: null },
        },
        {
          index: 1,
          message: {
            role: 'assistant',
            content: null,
            refusal: 'I cannot discuss [NAME_2].',
            tool_calls: [
              {
                id: 't',
                type: 'function',
                function: { name: 'f', arguments: '{"who":"[NAME_2]","when":"[DATE_1]"}' },
              },
            ],
          },
        },
      ],
    };
    restoreResponseBody('chat', body, s);
    expect(body.choices[0]?.message.content).toBe('Dr. Foley saw O\'Brien "JJ" on 7/22.');
    expect(body.choices[1]?.message.refusal).toBe('I cannot discuss O\'Brien "JJ".');
    expect(JSON.parse(body.choices[1]?.message.tool_calls?.[0]?.function.arguments ?? '')).toEqual({
      who: 'O\'Brien "JJ"',
      when: '7/22',
    });
  });

  it('keeps both keys when a restored key meets one already there, the later with underscores added', () => {
    const s = new PhiSession();
    s.scrubEntities('J', [{ start: 0, end: 1, type: 'NAME' }]);
    const body = { x: { J: 1, J_: 2, NAME_1: 3, NAME_1_: 4 } as Record<string, number> };
    restoreResponseBody('chat', body, s);
    // NAME_1 is J again: J and J_ are taken, so it becomes J__; NAME_1_ (J_ again) the next free one, J___.
    expect(body.x).toEqual({ J: 1, J_: 2, J__: 3, J___: 4 });
  });

  it('restores legacy completions and Responses output', () => {
    const s = session();
    const c = { choices: [{ index: 0, text: 'Seen by [NAME_1]' }] };
    restoreResponseBody('completions', c, s);
    expect(c.choices[0]?.text).toBe('Seen by Foley');
    const r = {
      output: [
        {
          type: 'message',
          content: [{ type: 'output_text', text: '[NAME_1] on [DATE_1]', annotations: [] }],
        },
        { type: 'function_call', arguments: '{"n":"[NAME_2]"}' },
      ],
      output_text: '[NAME_1] on [DATE_1]',
    };
    restoreResponseBody('responses', r, s);
    expect(r.output[0]?.content?.[0]?.text).toBe('Foley on 7/22');
    expect(JSON.parse(r.output[1]?.arguments ?? '')).toEqual({ n: 'O\'Brien "JJ"' });
    expect(r.output_text).toBe('Foley on 7/22');
  });
});

function chatChunk(delta: Json, finish: string | null = null, index = 0): Json {
  return {
    id: 'c',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [{ index, delta, finish_reason: finish }],
  };
}

/** Replays chat chunks through a restorer and joins the content and tool arguments per choice. */
function replayChat(
  s: PhiSession,
  chunks: Json[],
): { content: Record<number, string>; args: Record<string, string>; finishes: number } {
  const r = createStreamRestorer('chat', s);
  const content: Record<number, string> = {};
  const args: Record<string, string> = {};
  let finishes = 0;
  const take = (events: Json[]): void => {
    for (const e of events) {
      for (const ch of (e.choices as Json[]) ?? []) {
        const i = ch.index as number;
        const d = (ch.delta ?? {}) as Json;
        if (typeof d.content === 'string') content[i] = (content[i] ?? '') + d.content;
        for (const call of (d.tool_calls as Json[]) ?? []) {
          const key = `${i}:${String(call.index)}`;
          args[key] = (args[key] ?? '') + String((call.function as Json | undefined)?.arguments ?? '');
        }
        if (ch.finish_reason) {
          finishes++;
          // Nothing of this choice may be held back once it has finished.
          expect(r.flush().filter((x) => ((x.choices as Json[]) ?? []).some((c) => c.index === i))).toEqual(
            [],
          );
        }
      }
    }
  };
  for (const c of chunks) take(r.transform(structuredClone(c)));
  take(r.flush());
  return { content, args, finishes };
}

describe('createStreamRestorer (chat)', () => {
  it('restores content and tool-call arguments split at any point, per choice and per tool call', () => {
    const s = session();
    const text = 'Dr. [NAME_1] saw NAME_2 on [DATE_1]. [NAME_99] stays';
    const args0 = '{"who":"[NAME_2]","note":"met [NAME_1]\\non [DATE_1]"}';
    const args1 = '{"x":"[NAME_1]"}';
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (cutsA, cutsB) => {
          const chunks: Json[] = [chatChunk({ role: 'assistant', content: '' })];
          for (const p of split(text, cutsA)) chunks.push(chatChunk({ content: p }));
          const a0 = split(args0, cutsB);
          const a1 = split(args1, cutsA);
          chunks.push(
            chatChunk(
              {
                tool_calls: [
                  { index: 0, id: 't0', type: 'function', function: { name: 'f', arguments: '' } },
                ],
              },
              null,
              1,
            ),
          );
          for (let i = 0; i < Math.max(a0.length, a1.length); i++) {
            const calls: Json[] = [];
            if (a0[i] !== undefined) calls.push({ index: 0, function: { arguments: a0[i] } });
            if (a1[i] !== undefined) calls.push({ index: 1, function: { arguments: a1[i] } });
            chunks.push(chatChunk({ tool_calls: calls }, null, 1));
          }
          chunks.push(chatChunk({}, 'stop', 0));
          chunks.push(chatChunk({}, 'tool_calls', 1));
          const out = replayChat(s, chunks);
          expect(out.content[0]).toBe('Dr. Foley saw O\'Brien "JJ" on 7/22. [NAME_99] stays');
          expect(JSON.parse(out.args['1:0'] ?? '')).toEqual({
            who: 'O\'Brien "JJ"',
            note: 'met Foley\non 7/22',
          });
          expect(JSON.parse(out.args['1:1'] ?? '')).toEqual({ x: 'Foley' });
          expect(out.finishes).toBe(2);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('flushes held-back text into the chunk with finish_reason', () => {
    const s = session();
    const r = createStreamRestorer('chat', s);
    const [a] = r.transform(chatChunk({ content: 'See NAME_1' }));
    expect((a?.choices as Json[])[0]?.delta).toEqual({ content: 'See ' });
    const [b] = r.transform(chatChunk({}, 'stop'));
    expect((b?.choices as Json[])[0]?.delta).toEqual({ content: 'Foley' });
    expect(r.flush()).toEqual([]);
  });

  it('emits held-back text at the end of a stream that never finished', () => {
    const s = session();
    const r = createStreamRestorer('chat', s);
    r.transform(chatChunk({ content: 'See [NAME_1' }));
    const out = r.flush();
    expect(out).toHaveLength(1);
    expect((out[0]?.choices as Json[])[0]?.delta).toEqual({ content: '[Foley' });
    expect(out[0]?.id).toBe('c');
  });

  it('passes usage chunks and legacy completion text', () => {
    const s = session();
    const r = createStreamRestorer('completions', s);
    const usage = { id: 'c', choices: [], usage: { prompt_tokens: 1 } };
    expect(r.transform(structuredClone(usage))).toEqual([usage]);
    const parts = ['Seen by [NA', 'ME_1]', ' ok'];
    let text = '';
    for (const p of parts)
      for (const e of r.transform({ choices: [{ index: 0, text: p, finish_reason: null }] }))
        text += String(((e.choices as Json[])[0] as Json).text);
    for (const e of r.transform({ choices: [{ index: 0, text: '', finish_reason: 'stop' }] }))
      text += String(((e.choices as Json[])[0] as Json).text);
    expect(text).toBe('Seen by Foley ok');
  });
});

describe('createStreamRestorer (responses)', () => {
  it('emits held-back text at the end of a stream cut before its done event', () => {
    const s = session();
    const r = createStreamRestorer('responses', s);
    const [first] = r.transform({
      type: 'response.output_text.delta',
      item_id: 'm',
      output_index: 0,
      content_index: 0,
      delta: 'See NAME_1',
    });
    expect(first?.delta).toBe('See ');
    expect(r.flush()).toEqual([
      { type: 'response.output_text.delta', item_id: 'm', output_index: 0, content_index: 0, delta: 'Foley' },
    ]);
  });

  it('restores text and argument deltas split anywhere; done events carry the full restored text', () => {
    const s = session();
    const text = 'Dr. [NAME_1] saw NAME_2 on [DATE_1]';
    const args = '{"who":"[NAME_2]"}';
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 6 }), (cuts) => {
        const r = createStreamRestorer('responses', s);
        const events: Json[] = [{ type: 'response.created', response: { id: 'r' } }];
        for (const d of split(text, cuts))
          events.push({
            type: 'response.output_text.delta',
            item_id: 'm1',
            output_index: 0,
            content_index: 0,
            delta: d,
          });
        events.push({
          type: 'response.output_text.done',
          item_id: 'm1',
          output_index: 0,
          content_index: 0,
          text,
        });
        events.push({
          type: 'response.content_part.done',
          item_id: 'm1',
          output_index: 0,
          content_index: 0,
          part: { type: 'output_text', text },
        });
        for (const d of split(args, cuts))
          events.push({
            type: 'response.function_call_arguments.delta',
            item_id: 'f1',
            output_index: 1,
            delta: d,
          });
        events.push({
          type: 'response.function_call_arguments.done',
          item_id: 'f1',
          output_index: 1,
          arguments: args,
        });
        events.push({
          type: 'response.output_item.done',
          output_index: 1,
          item: { type: 'function_call', arguments: args },
        });
        events.push({
          type: 'response.completed',
          response: {
            output: [
              { type: 'message', content: [{ type: 'output_text', text }] },
              { type: 'function_call', arguments: args },
            ],
            output_text: text,
          },
        });
        const out: Json[] = [];
        for (const e of events) out.push(...r.transform(structuredClone(e)));
        out.push(...r.flush());
        const joined = out
          .filter((e) => e.type === 'response.output_text.delta')
          .map((e) => e.delta)
          .join('');
        const expected = 'Dr. Foley saw O\'Brien "JJ" on 7/22';
        expect(joined).toBe(expected);
        // Every delta arrives before its done event.
        const doneAt = out.findIndex((e) => e.type === 'response.output_text.done');
        expect(out.slice(doneAt).some((e) => e.type === 'response.output_text.delta')).toBe(false);
        expect(out[doneAt]?.text).toBe(expected);
        expect(
          JSON.parse(
            out
              .filter((e) => e.type === 'response.function_call_arguments.delta')
              .map((e) => e.delta)
              .join(''),
          ),
        ).toEqual({ who: 'O\'Brien "JJ"' });
        expect(
          JSON.parse(String(out.find((e) => e.type === 'response.function_call_arguments.done')?.arguments)),
        ).toEqual({ who: 'O\'Brien "JJ"' });
        expect((out.find((e) => e.type === 'response.content_part.done')?.part as Json).text).toBe(expected);
        const completed = out.find((e) => e.type === 'response.completed')?.response as Json;
        expect(completed.output_text).toBe(expected);
        expect(out[0]).toEqual(events[0]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('fields besides the messages', () => {
  it('scans tools, schemas, metadata, the end user and the user location; names, types and patterns stay', () => {
    const s = new PhiSession();
    const body: Json = {
      model: 'm',
      user: 'john.doe@example.com',
      metadata: { patient_name: 'Kowalczyk', team: 'cardiology' },
      messages: [{ role: 'user', content: 'Summarize.' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'lookup_patient',
            description: 'Look up Mr. Nicholson',
            parameters: {
              type: 'object',
              required: ['mrn'],
              properties: {
                mrn: {
                  type: 'string',
                  pattern: '^[0-9]+$',
                  description: 'e.g. MRN 4829301',
                  enum: ['MRN 4829301'],
                },
              },
            },
          },
        },
      ],
      web_search_options: {
        user_location: { type: 'approximate', approximate: { city: 'Tulsa', country: 'US' } },
      },
    };
    scrubRequestBody('chat', body, s);
    expect(body.user).toBe('[EMAIL_1]');
    expect(body.metadata).toEqual({ patient_name: '[NAME_1]', team: 'cardiology' });
    const fn = (body.tools as { function: Json }[])[0]!.function;
    expect(fn.name).toBe('lookup_patient');
    expect(fn.description).toBe('Look up Mr. [NAME_2]');
    const mrn = ((fn.parameters as Json).properties as Record<string, Json>).mrn!;
    expect(mrn.pattern).toBe('^[0-9]+$');
    expect(mrn.description).toBe('e.g. MRN [MRN_1]');
    expect(mrn.enum).toEqual(['MRN [MRN_1]']);
    expect((fn.parameters as Json).required).toEqual(['mrn']);
    expect(((body.web_search_options as Json).user_location as { approximate: Json }).approximate).toEqual({
      city: '[LOCATION_1]',
      country: 'US',
    });
  });

  it('counts PHI found only in those fields (policy block)', () => {
    expect(
      detectInRequestBody('chat', { messages: [{ role: 'user', content: 'Hi' }], user: 'a.b@example.org' }),
    ).toEqual({ EMAIL: 1 });
    expect(
      detectInRequestBody('responses', {
        input: 'Hi',
        tools: [{ type: 'function', name: 'f', description: 'for Dr. Alice Smith' }],
      }),
    ).toEqual({ NAME: 1 });
  });

  it('restores what a Responses answer echoes (instructions, metadata)', () => {
    const s = new PhiSession();
    const body: Json = {
      input: 'x',
      instructions: 'Answer Dr. Alice Smith',
      metadata: { who: 'Dr. Alice Smith' },
    };
    scrubRequestBody('responses', body, s);
    const answer: Json = { output: [], instructions: body.instructions, metadata: body.metadata };
    restoreResponseBody('responses', answer, s);
    expect(answer.instructions).toBe('Answer Dr. Alice Smith');
    expect(answer.metadata).toEqual({ who: 'Dr. Alice Smith' });
  });

  it('finds images, audio and files in chat and Responses requests', () => {
    expect(
      mediaParts('chat', {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'x' },
              { type: 'image_url', image_url: { url: 'u' } },
              { type: 'input_audio', input_audio: {} },
            ],
          },
          { role: 'user', content: [{ type: 'file', file: { file_id: 'f' } }] },
        ],
        modalities: ['text', 'audio'],
      }),
    ).toEqual([
      { kind: 'image', param: 'messages[0].content[1]' },
      { kind: 'audio', param: 'messages[0].content[2]' },
      { kind: 'file', param: 'messages[1].content[0]' },
      { kind: 'audio', param: 'modalities' },
    ]);
    expect(
      mediaParts('responses', {
        input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'u' }] }],
      }),
    ).toEqual([{ kind: 'image', param: 'input[0].content[0]' }]);
    expect(mediaParts('responses', { input: 'text only' })).toEqual([]);
  });
});

describe('default deny: every string and key that leaves', () => {
  const planted = ['Maria Gonzalez', 'Gonzalez', 'maria.gonzalez@example.com', '03/04/1961', '123-45-6789'];
  const leaks = (body: unknown): string[] => {
    const text = JSON.stringify(body);
    return planted.filter((p) => text.includes(p));
  };

  it('scans fields no list names: unknown fields, stop, cache keys, metadata keys, property names, MCP servers', () => {
    const body: Json = {
      model: 'gpt-4o',
      patient_note: 'Maria Gonzalez, DOB 03/04/1961, SSN 123-45-6789',
      stop: ['Maria Gonzalez', 'END'],
      prompt_cache_key: 'maria.gonzalez@example.com',
      metadata: { Maria_Gonzalez: 'x', 'Maria Gonzalez': 'y' },
      messages: [{ role: 'user', name: 'Maria_Gonzalez', content: 'Hi' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'lookup_Maria_Gonzalez',
            parameters: {
              type: 'object',
              properties: { Maria_Gonzalez: { type: 'string', pattern: '^Maria Gonzalez$' } },
              required: ['Maria_Gonzalez'],
            },
          },
        },
        {
          type: 'mcp',
          server_label: 'records',
          server_url: 'https://mcp.example.org/patients/maria-gonzalez',
          headers: { 'X-Patient': 'Maria Gonzalez' },
        },
      ],
      future_field: { nested: [{ deeper: 'born 03/04/1961' }] },
    };
    const s = new PhiSession();
    scrubRequestBody('chat', body, s);
    expect(leaks(body)).toEqual([]);
    // A name written as one identifier is replaced whole and stays an identifier.
    expect((body.messages as Json[])[0]?.name).toMatch(/^NAME_\d+$/);
    const fn = (body.tools as { function: Json }[])[0]!.function;
    expect(fn.name).toMatch(/^NAME_\d+$/);
    const props = (fn.parameters as { properties: Json }).properties;
    expect(Object.keys(props)[0]).toMatch(/^NAME_\d+$/);
    // The same value keeps its token in a key, a name and a required list, so the schema still holds together.
    expect((fn.parameters as { required: string[] }).required[0]).toBe(Object.keys(props)[0]);
    expect(body.model).toBe('gpt-4o');
    // Under block, the same body is refused for what any of those fields holds.
    const again: Json = { model: 'm', stop: ['Maria Gonzalez'], messages: [{ role: 'user', content: 'Hi' }] };
    expect(detectInRequestBody('chat', again)).toEqual({ NAME: 1 });
  });

  it('leaves what cannot hold text: enum values, ids an upstream made, encrypted content, time zones', () => {
    const body: Json = {
      model: 'gpt-4o',
      input: [
        {
          type: 'reasoning',
          id: 'rs_68a1b2c3d4e5f60718293a4b',
          encrypted_content: 'gAAAAABpM0Yj-Xy9_12mQ3vZt8Rk2LpW9xYb4NcH7dF1sJ0aE6uT5oI',
        },
        { type: 'function_call_output', call_id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA', output: 'ok' },
        { type: 'item_reference', id: 'msg_0123456789abcdef0123456789abcdef' },
      ],
      previous_response_id: 'resp_68a1b2c3d4e5f60718293a4b5c6d7e8f',
      tools: [{ type: 'web_search', user_location: { type: 'approximate', timezone: 'America/Chicago' } }],
      audio: { voice: 'sage', format: 'wav' },
      user: 'Sage',
    };
    const copy = structuredClone(body);
    scrubRequestBody('responses', body, new PhiSession());
    expect({ ...body, user: copy.user }).toEqual(copy);
    // "sage" is a voice where the API says voice; as an end user's name it is scanned like any other text.
    expect(requestTexts('responses', copy).texts).toContain('Sage');
  });

  it('restores every string and key of an answer, and drops logprobs of tokens', () => {
    const s = new PhiSession();
    const body: Json = {
      messages: [{ role: 'user', name: 'Maria_Gonzalez', content: 'Call Maria Gonzalez' }],
    };
    scrubRequestBody('chat', body, s);
    const name = (body.messages as Json[])[0]!.name as string;
    const answer: Json = {
      choices: [
        {
          message: {
            role: 'assistant',
            content: 'Calling [NAME_2]',
            tool_calls: [{ function: { name, arguments: `{"${name}": "[NAME_2]"}` } }],
          },
          logprobs: { content: [{ token: '[', logprob: -1 }] },
        },
      ],
      future: { echo: 'for [NAME_2]' },
    };
    restoreResponseBody('chat', answer, s);
    const choice = (answer.choices as Json[])[0]!;
    const msg = choice.message as { content: string; tool_calls: { function: Json }[] };
    expect(msg.content).toBe('Calling Maria Gonzalez');
    expect(msg.tool_calls[0]!.function.name).toBe('Maria_Gonzalez');
    expect(JSON.parse(msg.tool_calls[0]!.function.arguments as string)).toEqual({
      Maria_Gonzalez: 'Maria Gonzalez',
    });
    expect(choice.logprobs).toBeNull();
    expect(answer.future).toEqual({ echo: 'for Maria Gonzalez' });
  });

  it('restores every event of a Responses stream, deltas of any kind included', () => {
    const s = session();
    const r = createStreamRestorer('responses', s);
    const created = r.transform({
      type: 'response.created',
      response: { instructions: 'About NAME_1', metadata: { who: '[NAME_1]' }, output: [] },
    });
    expect(created[0]).toMatchObject({
      response: { instructions: 'About Foley', metadata: { who: 'Foley' } },
    });
    const out = [
      ...r.transform({
        type: 'response.reasoning_summary_text.delta',
        item_id: 'r',
        summary_index: 0,
        delta: '[NA',
      }),
      ...r.transform({
        type: 'response.reasoning_summary_text.delta',
        item_id: 'r',
        summary_index: 0,
        delta: 'ME_1] ok',
      }),
      ...r.transform({
        type: 'response.reasoning_summary_text.done',
        item_id: 'r',
        summary_index: 0,
        text: '[NAME_1] ok',
      }),
      ...r.transform({
        type: 'response.output_text.delta',
        item_id: 'm',
        content_index: 0,
        delta: 'x',
        logprobs: [{ token: '[' }],
      }),
    ];
    expect(
      out
        .filter((e) => e.type === 'response.reasoning_summary_text.delta')
        .map((e) => e.delta)
        .join(''),
    ).toBe('Foley ok');
    expect(out.find((e) => e.type === 'response.reasoning_summary_text.done')?.text).toBe('Foley ok');
    expect(out.at(-1)?.logprobs).toEqual([]);
  });

  it('classifies every part, item and tool type the specification defines as text or media', () => {
    const unclassified = SPEC_TYPES.filter((t) => !Object.hasOwn(MEDIA_TYPES, t) && !TEXT_TYPES.has(t));
    expect(unclassified).toEqual([]);
  });

  it('finds media in any part, item or tool that carries or makes one', () => {
    const kinds = (body: Json) => mediaParts('responses', body).map((p) => `${p.kind}@${p.param}`);
    expect(
      kinds({
        input: [{ type: 'computer_call_output', call_id: 'c', output: { type: 'computer_screenshot' } }],
      }),
    ).toEqual(['image@input[0]']);
    expect(kinds({ input: 'x', tools: [{ type: 'image_generation' }] })).toEqual(['image@tools[0]']);
    expect(kinds({ input: 'x', tools: [{ type: 'code_interpreter', container: { type: 'auto' } }] })).toEqual(
      ['file@tools[0]'],
    );
    const png = `data:image/png;base64,${'A'.repeat(400)}`;
    expect(kinds({ input: 'x', someday: { picture: png } })).toEqual(['image@someday.picture']);
    // A tool's parameter named like a media key is a schema, not a part.
    expect(
      kinds({
        input: 'x',
        tools: [
          { type: 'function', name: 'f', parameters: { properties: { image_url: { type: 'string' } } } },
        ],
      }),
    ).toEqual([]);
    // A text data URL is text: scanned, not refused.
    const note = `data:text/plain;base64,${Buffer.from('Maria Gonzalez '.repeat(20)).toString('base64')}`;
    expect(kinds({ input: 'x', attachment: note })).toEqual([]);
    const body: Json = { input: 'x', attachment: note };
    scrubRequestBody('responses', body, new PhiSession());
    expect(Buffer.from((body.attachment as string).split(',')[1]!, 'base64').toString()).not.toContain(
      'Gonzalez',
    );
  });
});
