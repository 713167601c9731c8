import { isObj, type Json } from '../json';
import { createHash, randomBytes } from 'node:crypto';
import { schemaValue } from '../config/endpoints';
import type { UpstreamRequest } from '../proxy/providers/types';

/**
 * The built-in `echo` upstream: answers chat, completions, responses and embeddings from exactly what it
 * received, so a newcomer can see the round trip (and what left Portico) without an upstream account.
 */
export interface EchoAnswer {
  status: number;
  /** A JSON body, the SSE text chunks of a streamed answer, or bytes (speech). */
  json?: unknown;
  sse?: string[];
  bytes?: Buffer;
  contentType?: string;
}

const approxTokens = (s: string) => Math.max(1, Math.ceil(s.length / 4));
const rid = (p: string) => `${p}${randomBytes(12).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) => (isObj(p) && typeof p.text === 'string' ? p.text : ''))
      .filter(Boolean)
      .join('\n');
  }
  return '';
}

function promptText(body: Json): string {
  if (Array.isArray(body.messages))
    return body.messages.map((m) => (isObj(m) ? textOf(m.content) : '')).join('\n');
  if (typeof body.input === 'string') return body.input;
  if (Array.isArray(body.input))
    return body.input.map((i) => (isObj(i) ? textOf(i.content ?? i.output) : String(i))).join('\n');
  if (typeof body.prompt === 'string') return body.prompt;
  return '';
}

/** The message the echo answers: the last user turn, or the last tool result. */
function lastTurn(body: Json): { role: string; text: string } {
  const list = Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : null;
  if (!list) return { role: 'user', text: typeof body.input === 'string' ? body.input : textOf(body.prompt) };
  for (let i = list.length - 1; i >= 0; i--) {
    const m = list[i];
    if (!isObj(m)) continue;
    if (m.role === 'tool' || m.type === 'function_call_output')
      return { role: 'tool', text: textOf(m.content ?? m.output) };
    if (m.role === 'user' || m.role === undefined) return { role: 'user', text: textOf(m.content) };
  }
  return { role: 'user', text: '' };
}

interface ToolChoice {
  name: string;
  args: string;
}

/** Offered tools → a call to the first (or the forced) tool, its string arguments filled with the user's text. */
function pickTool(body: Json, userText: string, responsesShape: boolean): ToolChoice | null {
  const tools = Array.isArray(body.tools) ? body.tools.filter(isObj) : [];
  if (tools.length === 0 || body.tool_choice === 'none') return null;
  const fn = (t: Json): Json | undefined => (responsesShape ? t : isObj(t.function) ? t.function : undefined);
  let chosen = tools.map(fn).find((f) => f && typeof f.name === 'string');
  const forced = isObj(body.tool_choice)
    ? isObj(body.tool_choice.function)
      ? body.tool_choice.function.name
      : body.tool_choice.name
    : undefined;
  if (typeof forced === 'string') chosen = tools.map(fn).find((f) => f?.name === forced) ?? chosen;
  if (!chosen) return null;
  const params = isObj(chosen.parameters) ? chosen.parameters : {};
  const props = isObj(params.properties) ? params.properties : {};
  const args: Json = {};
  for (const [k, schema] of Object.entries(props)) {
    const t = isObj(schema) ? schema.type : undefined;
    args[k] =
      t === 'number' || t === 'integer'
        ? 1
        : t === 'boolean'
          ? true
          : t === 'array'
            ? [userText]
            : t === 'object'
              ? {}
              : userText;
  }
  return { name: String(chosen.name), args: JSON.stringify(args) };
}

/** The answer's text: the user's turn, or a value of the requested schema when the request asks for one. */
function answerText(body: Json, text: string): string {
  const rf = body.response_format;
  if (isObj(rf) && rf.type === 'json_schema' && isObj(rf.json_schema))
    return JSON.stringify(schemaValue(rf.json_schema.schema, text));
  return text;
}

/** Splits text into small pieces the way a model streams it (a few characters at a time). */
function pieces(text: string, size = 8): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

const sse = (data: unknown, event?: string) =>
  `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

function chat(body: Json, model: string): EchoAnswer {
  const turn = lastTurn(body);
  const tool = turn.role === 'tool' ? null : pickTool(body, turn.text, false);
  const content = turn.role === 'tool' ? `The tool returned: ${turn.text}` : answerText(body, turn.text);
  const n = typeof body.n === 'number' && body.n >= 1 && body.n <= 8 ? Math.floor(body.n) : 1;
  const promptTokens = approxTokens(promptText(body));
  const completionTokens = approxTokens(tool ? tool.args : content) * n;
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  const id = rid('chatcmpl-echo');
  const created = now();
  const callId = rid('call_');
  if (body.stream !== true) {
    const choices = Array.from({ length: n }, (_, index) => ({
      index,
      message: tool
        ? {
            role: 'assistant',
            content: null,
            refusal: null,
            tool_calls: [
              { id: callId, type: 'function', function: { name: tool.name, arguments: tool.args } },
            ],
          }
        : { role: 'assistant', content, refusal: null },
      logprobs: null,
      finish_reason: tool ? 'tool_calls' : 'stop',
    }));
    return {
      status: 200,
      json: {
        id,
        object: 'chat.completion',
        created,
        model,
        choices,
        usage,
        system_fingerprint: 'portico-echo',
      },
    };
  }
  const chunk = (choices: unknown[], extra: Json = {}) =>
    sse({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      system_fingerprint: 'portico-echo',
      choices,
      ...extra,
    });
  const out: string[] = [];
  for (let index = 0; index < n; index++) {
    if (tool) {
      out.push(
        chunk([
          {
            index,
            delta: {
              role: 'assistant',
              content: null,
              tool_calls: [
                { index: 0, id: callId, type: 'function', function: { name: tool.name, arguments: '' } },
              ],
            },
            finish_reason: null,
          },
        ]),
      );
      for (const p of pieces(tool.args))
        out.push(
          chunk([
            { index, delta: { tool_calls: [{ index: 0, function: { arguments: p } }] }, finish_reason: null },
          ]),
        );
      out.push(chunk([{ index, delta: {}, finish_reason: 'tool_calls' }]));
    } else {
      out.push(chunk([{ index, delta: { role: 'assistant', content: '' }, finish_reason: null }]));
      for (const p of pieces(content))
        out.push(chunk([{ index, delta: { content: p }, finish_reason: null }]));
      out.push(chunk([{ index, delta: {}, finish_reason: 'stop' }]));
    }
  }
  const opts = isObj(body.stream_options) ? body.stream_options : {};
  if (opts.include_usage === true) out.push(chunk([], { usage }));
  out.push('data: [DONE]\n\n');
  return { status: 200, sse: out };
}

function completions(body: Json, model: string): EchoAnswer {
  const prompt = Array.isArray(body.prompt) ? body.prompt.map(String).join('\n') : textOf(body.prompt);
  const usage = {
    prompt_tokens: approxTokens(prompt),
    completion_tokens: approxTokens(prompt),
    total_tokens: 2 * approxTokens(prompt),
  };
  const id = rid('cmpl-echo');
  const created = now();
  if (body.stream !== true) {
    return {
      status: 200,
      json: {
        id,
        object: 'text_completion',
        created,
        model,
        choices: [{ index: 0, text: prompt, logprobs: null, finish_reason: 'stop' }],
        usage,
      },
    };
  }
  const out = pieces(prompt).map((p) =>
    sse({
      id,
      object: 'text_completion',
      created,
      model,
      choices: [{ index: 0, text: p, logprobs: null, finish_reason: null }],
    }),
  );
  out.push(
    sse({
      id,
      object: 'text_completion',
      created,
      model,
      choices: [{ index: 0, text: '', logprobs: null, finish_reason: 'stop' }],
    }),
  );
  const opts = isObj(body.stream_options) ? body.stream_options : {};
  if (opts.include_usage === true)
    out.push(sse({ id, object: 'text_completion', created, model, choices: [], usage }));
  out.push('data: [DONE]\n\n');
  return { status: 200, sse: out };
}

function vector(text: string, dims: number): number[] {
  const out: number[] = [];
  let seed = createHash('sha256').update(text).digest();
  while (out.length < dims) {
    for (let i = 0; i + 4 <= seed.length && out.length < dims; i += 4)
      out.push(seed.readInt32LE(i) / 2 ** 31);
    seed = createHash('sha256').update(seed).digest();
  }
  const norm = Math.hypot(...out) || 1;
  return out.map((v) => v / norm);
}

function embeddings(body: Json, model: string): EchoAnswer {
  const inputs: string[] =
    typeof body.input === 'string'
      ? [body.input]
      : Array.isArray(body.input)
        ? body.input.map((i) => (typeof i === 'string' ? i : JSON.stringify(i)))
        : [];
  const dims =
    typeof body.dimensions === 'number' && body.dimensions > 0 && body.dimensions <= 4096
      ? Math.floor(body.dimensions)
      : 64;
  const base64 = body.encoding_format === 'base64';
  const data = inputs.map((text, index) => {
    const v = vector(text, dims);
    return {
      object: 'embedding',
      index,
      embedding: base64 ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v,
    };
  });
  const tokens = inputs.reduce((s, t) => s + approxTokens(t), 0);
  return {
    status: 200,
    json: { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } },
  };
}

const ONE_PIXEL_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

function responses(body: Json, model: string): EchoAnswer {
  const turn = lastTurn(body);
  const tool = turn.role === 'tool' ? null : pickTool(body, turn.text, true);
  const text = turn.role === 'tool' ? `The tool returned: ${turn.text}` : turn.text;
  const inputTokens = approxTokens(
    promptText(body) + (typeof body.instructions === 'string' ? body.instructions : ''),
  );
  const outputTokens = approxTokens(tool ? tool.args : text);
  const usage = {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + outputTokens,
  };
  const id = rid('resp_echo');
  const itemId = rid(tool ? 'fc_' : 'msg_');
  const callId = rid('call_');
  const base = {
    id,
    object: 'response',
    created_at: now(),
    model,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    parallel_tool_calls: true,
    tool_choice: body.tool_choice ?? 'auto',
    tools: Array.isArray(body.tools) ? body.tools : [],
    temperature: body.temperature ?? 1,
    top_p: body.top_p ?? 1,
    metadata: isObj(body.metadata) ? body.metadata : {},
    text: { format: { type: 'text' } },
  };
  const item = tool
    ? {
        type: 'function_call',
        id: itemId,
        call_id: callId,
        name: tool.name,
        arguments: tool.args,
        status: 'completed',
      }
    : {
        type: 'message',
        id: itemId,
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text, annotations: [] }],
      };
  // The image tool, when offered, makes one (a 1×1 PNG): what it makes is metered as an image.
  const image =
    Array.isArray(body.tools) && body.tools.some((t) => isObj(t) && t.type === 'image_generation')
      ? [{ type: 'image_generation_call', id: rid('ig_'), status: 'completed', result: ONE_PIXEL_PNG }]
      : [];
  const done = { ...base, status: 'completed', output: [...image, item], usage };
  if (body.stream !== true) return { status: 200, json: done };
  let seq = 0;
  const ev = (type: string, data: Json) => sse({ type, sequence_number: seq++, ...data }, type);
  const out = [
    ev('response.created', { response: { ...base, status: 'in_progress', output: [], usage: null } }),
    ev('response.in_progress', { response: { ...base, status: 'in_progress', output: [], usage: null } }),
    ...image.map((item) => ev('response.output_item.done', { output_index: 0, item })),
  ];
  if (tool) {
    out.push(
      ev('response.output_item.added', {
        output_index: 0,
        item: { ...item, arguments: '', status: 'in_progress' },
      }),
    );
    for (const p of pieces(tool.args))
      out.push(ev('response.function_call_arguments.delta', { item_id: itemId, output_index: 0, delta: p }));
    out.push(
      ev('response.function_call_arguments.done', { item_id: itemId, output_index: 0, arguments: tool.args }),
    );
  } else {
    out.push(
      ev('response.output_item.added', {
        output_index: 0,
        item: { type: 'message', id: itemId, status: 'in_progress', role: 'assistant', content: [] },
      }),
    );
    out.push(
      ev('response.content_part.added', {
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [] },
      }),
    );
    for (const p of pieces(text))
      out.push(
        ev('response.output_text.delta', {
          item_id: itemId,
          output_index: 0,
          content_index: 0,
          delta: p,
          logprobs: [],
        }),
      );
    out.push(
      ev('response.output_text.done', {
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        text,
        logprobs: [],
      }),
    );
    out.push(
      ev('response.content_part.done', {
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        part: { type: 'output_text', text, annotations: [] },
      }),
    );
  }
  out.push(ev('response.output_item.done', { output_index: 0, item }));
  out.push(ev('response.completed', { response: done }));
  return { status: 200, sse: out };
}

// A 1×1 transparent PNG: what the echo "draws".
const PIXEL =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

function images(body: Json): EchoAnswer {
  const n = typeof body.n === 'number' && body.n >= 1 && body.n <= 10 ? Math.floor(body.n) : 1;
  const prompt = typeof body.prompt === 'string' ? body.prompt : '';
  return {
    status: 200,
    json: {
      created: now(),
      data: Array.from({ length: n }, () => ({ b64_json: PIXEL, revised_prompt: prompt })),
    },
  };
}

/** Transcriptions: the echo "hears" the prompt it was given and the size of the audio (16 kB a second). */
function transcriptions(body: Json): EchoAnswer {
  const file = isObj(body.file) ? body.file : {};
  const size = typeof file.size === 'number' ? file.size : 0;
  const seconds = Math.max(1, Math.round(size / 16_000));
  const text = `${typeof body.prompt === 'string' && body.prompt ? `${body.prompt} ` : ''}(${size} bytes of audio)`;
  return { status: 200, json: { text, usage: { type: 'duration', seconds } } };
}

/** Speech: a short silent WAV, as long as the text would take to say. */
function speech(body: Json): EchoAnswer {
  const input = typeof body.input === 'string' ? body.input : '';
  const samples = Math.min(8_000 * Math.max(1, Math.ceil(input.length / 15)), 8_000 * 60);
  const wav = Buffer.alloc(44 + samples);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + samples, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(8_000, 24);
  wav.writeUInt32LE(8_000, 28);
  wav.writeUInt16LE(1, 32);
  wav.writeUInt16LE(8, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(samples, 40);
  wav.fill(128, 44);
  return { status: 200, bytes: wav, contentType: 'audio/wav' };
}

export function echoAnswer(req: Pick<UpstreamRequest, 'op' | 'body'>): EchoAnswer {
  const model = typeof req.body.model === 'string' ? req.body.model : 'echo';
  switch (req.op) {
    case 'images':
      return images(req.body);
    case 'transcriptions':
      return transcriptions(req.body);
    case 'speech':
      return speech(req.body);
    case 'chat':
      return chat(req.body, model);
    case 'completions':
      return completions(req.body, model);
    case 'embeddings':
      return embeddings(req.body, model);
    case 'responses':
      return responses(req.body, model);
  }
}
