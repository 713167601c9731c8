// The stateful half of the test upstream: OpenAI's Responses (stored, chained by previous_response_id or a
// conversation, background runs), Conversations, Files and Batches, kept in memory and answered like the echo.
import type http from 'node:http';
import { randomBytes } from 'node:crypto';
import busboy from 'busboy';
import { isObj, type Json } from '../../lib/json';
import { echoAnswer } from '../../lib/echo';

export interface StatefulFake {
  /** Answers the request when it is one of the stateful routes; false leaves it to the caller. */
  handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    raw: Buffer,
    body: Json | null,
  ): Promise<boolean>;
  /** Forgets every response, item, conversation, file and batch. */
  reset(): void;
}

interface StoredResponse {
  obj: Json;
  /** The request's input items, with ids. */
  input: Json[];
  conversation: string | null;
  /** What a background response becomes when it is next looked at. */
  pending: Json | null;
}

interface Conversation {
  obj: Json;
  items: Json[];
}

interface StoredFile {
  obj: Json;
  bytes: Buffer;
}

/** Responses and items kept at most (the benchmarks send many): the oldest are forgotten first. */
const CAP = 20_000;

const rid = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);
const approxTokens = (s: string) => Math.max(1, Math.ceil(s.length / 4));
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObj) : []);

const ITEM_PREFIX: Record<string, string> = {
  message: 'msg_',
  function_call: 'fc_',
  function_call_output: 'fco_',
  reasoning: 'rs_',
};

/** The route without its Azure, version and deployment prefixes: `/openai/v1/files?x` and `/v1/files` are `/files`. */
export function routeOf(path: string): string {
  const p = (path.split('?')[0] ?? '/')
    .replace(/^\/openai(?=\/|$)/, '')
    .replace(/^\/v1(?=\/|$)/, '')
    .replace(/^\/deployments\/[^/]+(?=\/)/, '');
  return p.replace(/\/+$/, '') || '/';
}

/** The text of a message's content: a string, or its text parts joined as the echo joins them. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  return objects(content)
    .map((p) => str(p.text) ?? '')
    .filter(Boolean)
    .join('\n');
}

/** The text an item carries: a message's, a tool result's, a call's arguments. */
function itemText(item: Json): string {
  if (item.type === 'function_call_output') return str(item.output) ?? textOf(item.output);
  if (item.type === 'function_call') return str(item.arguments) ?? '';
  return textOf(item.content);
}

/** An item as OpenAI stores it: typed, its string content made parts, with an id. */
function normaliseItem(v: Json): Json {
  const item = structuredClone(v);
  if (item.type === undefined && typeof item.role === 'string') item.type = 'message';
  if (item.type === 'message') {
    if (typeof item.content === 'string')
      item.content = [{ type: item.role === 'assistant' ? 'output_text' : 'input_text', text: item.content }];
    item.status ??= 'completed';
  }
  if (item.type !== 'item_reference' && typeof item.id !== 'string')
    item.id = rid(ITEM_PREFIX[String(item.type)] ?? 'item_');
  return item;
}

function inputItems(input: unknown): Json[] {
  if (typeof input === 'string')
    return [normaliseItem({ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] })];
  return objects(input).map(normaliseItem);
}

const isReference = (item: Json) => item.type === 'item_reference' && typeof item.id === 'string';

function list(data: Json[]): Json {
  return {
    object: 'list',
    data,
    first_id: str(data[0]?.id) ?? null,
    last_id: str(data.at(-1)?.id) ?? null,
    has_more: false,
  };
}

function send(res: http.ServerResponse, status: number, json: unknown): true {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
  return true;
}

function fail(
  res: http.ServerResponse,
  status: number,
  message: string,
  code: string | null,
  param: string | null = null,
): true {
  return send(res, status, { error: { message, type: 'invalid_request_error', param, code } });
}

/** Splits text the way the echo streams it, a few characters at a time. */
function pieces(text: string, size = 8): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** The events OpenAI streams for a finished response, in the shapes the echo uses. */
function responseEvents(done: Json): string[] {
  let seq = 0;
  const ev = (type: string, data: Json) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`;
  const start = { ...done, status: 'in_progress', output: [], usage: null };
  const out = [ev('response.created', { response: start }), ev('response.in_progress', { response: start })];
  objects(done.output).forEach((item, output_index) => {
    const item_id = str(item.id) ?? '';
    if (item.type === 'message') {
      out.push(
        ev('response.output_item.added', {
          output_index,
          item: { ...item, status: 'in_progress', content: [] },
        }),
      );
      objects(item.content).forEach((part, content_index) => {
        const text = str(part.text) ?? '';
        const at = { item_id, output_index, content_index };
        out.push(ev('response.content_part.added', { ...at, part: { ...part, text: '' } }));
        for (const delta of pieces(text))
          out.push(ev('response.output_text.delta', { ...at, delta, logprobs: [] }));
        out.push(ev('response.output_text.done', { ...at, text, logprobs: [] }));
        out.push(ev('response.content_part.done', { ...at, part }));
      });
    } else if (item.type === 'function_call') {
      const args = str(item.arguments) ?? '';
      out.push(
        ev('response.output_item.added', {
          output_index,
          item: { ...item, arguments: '', status: 'in_progress' },
        }),
      );
      for (const delta of pieces(args))
        out.push(ev('response.function_call_arguments.delta', { item_id, output_index, delta }));
      out.push(ev('response.function_call_arguments.done', { item_id, output_index, arguments: args }));
    } else {
      out.push(
        ev('response.output_item.added', {
          output_index,
          item: { type: item.type, id: item.id, status: 'in_progress' },
        }),
      );
    }
    out.push(ev('response.output_item.done', { output_index, item }));
  });
  out.push(ev('response.completed', { response: done }));
  return out;
}

interface Upload {
  fields: Record<string, string>;
  file: { filename: string; bytes: Buffer } | null;
}

/** A multipart upload with the file's bytes (null when the body is not multipart). */
function readUpload(headers: http.IncomingHttpHeaders, raw: Buffer): Promise<Upload | null> {
  return new Promise((resolve) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers });
    } catch {
      resolve(null);
      return;
    }
    const out: Upload = { fields: {}, file: null };
    bb.on('field', (k, v) => (out.fields[k] = v));
    bb.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (d: Buffer) => chunks.push(d));
      stream.on('end', () => {
        if (name === 'file') out.file = { filename: info.filename ?? 'file', bytes: Buffer.concat(chunks) };
      });
    });
    bb.on('close', () => resolve(out));
    bb.on('error', () => resolve(null));
    bb.end(raw);
  });
}

/** What a batch line's url asks for (`/v1/chat/completions`, or Azure's `/chat/completions`). */
const BATCH_OPS: Record<string, 'chat' | 'completions' | 'embeddings' | 'responses'> = {
  '/chat/completions': 'chat',
  '/completions': 'completions',
  '/embeddings': 'embeddings',
  '/responses': 'responses',
};

export function createStatefulFake(): StatefulFake {
  const responses = new Map<string, StoredResponse>();
  const items = new Map<string, Json>();
  const conversations = new Map<string, Conversation>();
  const files = new Map<string, StoredFile>();
  const batches = new Map<string, Json>();

  const keep = <V>(map: Map<string, V>, key: string, value: V) => {
    map.set(key, value);
    if (map.size <= CAP) return;
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  };
  const remember = (list: Json[]) => {
    for (const item of list)
      if (!isReference(item) && typeof item.id === 'string') keep(items, item.id, item);
  };
  const resolve = (item: Json): Json | undefined => (isReference(item) ? items.get(String(item.id)) : item);

  /** The last user text of a list of items, references followed. */
  const lastUserText = (list: Json[]): string | undefined => {
    for (let i = list.length - 1; i >= 0; i--) {
      const item = resolve(list[i]!);
      if (item?.type === 'message' && item.role === 'user') return textOf(item.content);
    }
    return undefined;
  };

  /** The last user text of a response's turn, or of the turns before it when it had none (a tool result). */
  const chainText = (start: StoredResponse): string | undefined => {
    const seen = new Set<StoredResponse>();
    for (let r: StoredResponse | undefined = start; r && !seen.has(r);) {
      seen.add(r);
      const text = lastUserText(r.input);
      if (text !== undefined) return text;
      const prev = str(r.obj.previous_response_id);
      r = prev ? responses.get(prev) : undefined;
    }
    return undefined;
  };

  const appendToConversation = (id: string | null, list: Json[]) => {
    const conv = id ? conversations.get(id) : undefined;
    if (!conv) return;
    const own = list.filter((i) => !isReference(i));
    conv.items.push(...own);
    remember(own);
  };

  /** A response reaches its final state: kept, its output remembered and added to its conversation. */
  const finish = (rec: StoredResponse, done: Json, stored: boolean) => {
    rec.obj = done;
    rec.pending = null;
    const output = objects(done.output);
    if (stored) remember(output);
    appendToConversation(rec.conversation, output);
  };

  const settle = (rec: StoredResponse) => {
    if (rec.pending && rec.obj.status === 'queued') finish(rec, rec.pending, true);
  };

  // Lenient where OpenAI is strict (unknown ids, both previous_response_id and conversation, background without
  // store): Portico's own checks are what the tests exercise, and the conformance test sends every field at once.
  function createResponse(res: http.ServerResponse, body: Json): true {
    const prevId = str(body.previous_response_id);
    const convId =
      str(body.conversation) ?? (isObj(body.conversation) ? str(body.conversation.id) : undefined);
    const prev = prevId === undefined ? undefined : responses.get(prevId);
    const conv = convId === undefined ? undefined : conversations.get(convId);
    const stored = body.store !== false;
    const background = body.background === true;
    const input = inputItems(body.input);
    const refs = input.filter(isReference);

    // The earlier turn the answer "refers to": the chain's, else the conversation's, else a referenced item.
    let previously = prev ? chainText(prev) : conv ? lastUserText(conv.items) : undefined;
    const lastRef = refs.at(-1);
    if (previously === undefined && lastRef) previously = itemText(items.get(String(lastRef.id))!);
    const chained = prev !== undefined || conv !== undefined || lastRef !== undefined;
    // A request outside any chain reads exactly as the echo's; a chained one says what it saw before.
    const compose = (said: string) =>
      !chained
        ? said
        : previously !== undefined
          ? `Previously: ${previously} | Now: ${said}`
          : `Now: ${said}`;

    const own = input.filter((i) => !isReference(i));
    const echoed = echoAnswer({ op: 'responses', body: { ...body, input: own, stream: false } }).json;
    if (!isObj(echoed)) throw new Error('the echo gave no response object');
    let answerText = '';
    const output = objects(echoed.output).map((item) => {
      if (item.type !== 'message') return item;
      const content = objects(item.content).map((p) => {
        if (p.type !== 'output_text') return p;
        const text = compose(str(p.text) ?? '');
        answerText += text;
        return { ...p, text };
      });
      return { ...item, content };
    });
    const usage = isObj(echoed.usage) ? { ...echoed.usage } : null;
    if (usage && answerText && typeof usage.input_tokens === 'number') {
      const outputTokens = approxTokens(answerText);
      usage.output_tokens = outputTokens;
      usage.total_tokens = usage.input_tokens + outputTokens;
    }
    const id = rid('resp_');
    const done: Json = {
      ...echoed,
      id,
      created_at: now(),
      status: 'completed',
      background,
      previous_response_id: prevId ?? null,
      conversation: convId !== undefined ? { id: convId } : null,
      store: stored,
      output,
      usage,
    };

    const rec: StoredResponse = { obj: done, input, conversation: convId ?? null, pending: null };
    if (stored) {
      keep(responses, id, rec);
      remember(input);
    }
    appendToConversation(rec.conversation, input);

    if (body.stream === true) {
      finish(rec, done, stored);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const chunk of responseEvents(done)) {
        if (res.destroyed) return true;
        res.write(chunk);
      }
      res.end();
      return true;
    }
    if (background) {
      rec.obj = { ...done, status: 'queued', output: [], usage: null };
      rec.pending = done;
      return send(res, 200, rec.obj);
    }
    finish(rec, done, stored);
    return send(res, 200, done);
  }

  function responseRoutes(method: string, res: http.ServerResponse, id: string, sub: string | undefined) {
    const rec = responses.get(id);
    if (!rec) return fail(res, 404, `Response with id '${id}' not found.`, 'not_found');
    if (method === 'GET' && sub === undefined) {
      settle(rec);
      return send(res, 200, rec.obj);
    }
    if (method === 'DELETE' && sub === undefined) {
      responses.delete(id);
      return send(res, 200, { id, object: 'response.deleted', deleted: true });
    }
    if (method === 'POST' && sub === 'cancel') {
      if (rec.obj.status === 'queued' || rec.obj.status === 'in_progress') {
        rec.obj = { ...rec.obj, status: 'cancelled' };
        rec.pending = null;
      }
      return send(res, 200, rec.obj);
    }
    if (method === 'GET' && sub === 'input_items') return send(res, 200, list(rec.input));
    return false;
  }

  function conversationRoutes(
    method: string,
    res: http.ServerResponse,
    body: Json | null,
    id: string,
    sub: string | undefined,
    itemId: string | undefined,
  ) {
    const conv = conversations.get(id);
    if (!conv) return fail(res, 404, `Conversation with id '${id}' not found.`, 'not_found');
    if (sub === undefined) {
      if (method === 'GET') return send(res, 200, conv.obj);
      if (method === 'POST') {
        conv.obj = { ...conv.obj, metadata: isObj(body?.metadata) ? body.metadata : {} };
        return send(res, 200, conv.obj);
      }
      if (method === 'DELETE') {
        conversations.delete(id);
        return send(res, 200, { id, object: 'conversation.deleted', deleted: true });
      }
      return false;
    }
    if (sub !== 'items') return false;
    if (itemId === undefined) {
      if (method === 'GET') return send(res, 200, list(conv.items));
      if (method === 'POST') {
        const added = objects(body?.items).map(normaliseItem);
        appendToConversation(id, added);
        return send(res, 200, list(added.filter((i) => !isReference(i))));
      }
      return false;
    }
    const at = conv.items.findIndex((i) => i.id === itemId);
    if (at < 0) return fail(res, 404, `Item with id '${itemId}' not found.`, 'not_found');
    if (method === 'GET') return send(res, 200, conv.items[at]);
    if (method === 'DELETE') {
      conv.items.splice(at, 1);
      return send(res, 200, conv.obj);
    }
    return false;
  }

  const addFile = (filename: string, purpose: string, bytes: Buffer): Json => {
    const obj: Json = {
      id: rid('file-'),
      object: 'file',
      bytes: bytes.length,
      created_at: now(),
      filename,
      purpose,
      status: 'processed',
      expires_at: null,
      status_details: null,
    };
    files.set(String(obj.id), { obj, bytes });
    return obj;
  };

  async function fileRoutes(
    method: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    raw: Buffer,
    query: URLSearchParams,
    id: string | undefined,
    sub: string | undefined,
  ) {
    if (id === undefined) {
      if (method === 'GET') {
        const purpose = query.get('purpose');
        const all = [...files.values()].map((f) => f.obj);
        return send(res, 200, list(purpose ? all.filter((f) => f.purpose === purpose) : all));
      }
      if (method !== 'POST') return false;
      const upload = await readUpload(req.headers, raw);
      if (!upload) return fail(res, 400, 'Expected a multipart/form-data body.', 'invalid_request');
      if (!upload.file)
        return fail(res, 400, "Missing required parameter: 'file'.", 'missing_required_parameter', 'file');
      const purpose = upload.fields.purpose;
      if (!purpose)
        return fail(
          res,
          400,
          "Missing required parameter: 'purpose'.",
          'missing_required_parameter',
          'purpose',
        );
      return send(res, 200, addFile(upload.file.filename, purpose, upload.file.bytes));
    }
    const file = files.get(id);
    if (!file) return fail(res, 404, `No such File object: ${id}`, 'not_found', 'id');
    if (method === 'GET' && sub === undefined) return send(res, 200, file.obj);
    if (method === 'DELETE' && sub === undefined) {
      files.delete(id);
      return send(res, 200, { id, object: 'file', deleted: true });
    }
    if (method === 'GET' && sub === 'content') {
      const jsonl = /\.jsonl$/i.test(String(file.obj.filename));
      res
        .writeHead(200, { 'content-type': jsonl ? 'application/jsonl' : 'application/octet-stream' })
        .end(file.bytes);
      return true;
    }
    return false;
  }

  /** Runs a batch's input file through the echo: a line each in the output file, or in the error file. */
  function runBatch(batch: Json): Json {
    const id = String(batch.id);
    const input = files.get(String(batch.input_file_id));
    const lines = (input?.bytes.toString('utf8') ?? '').split('\n').filter((l) => l.trim());
    const at = now();
    if (lines.length === 0)
      return {
        ...batch,
        status: 'failed',
        failed_at: at,
        errors: {
          object: 'list',
          data: [{ code: 'empty_file', message: 'The batch input file is empty.', param: null, line: null }],
        },
      };
    const out: string[] = [];
    const errors: string[] = [];
    lines.forEach((text, n) => {
      const fault = (custom_id: unknown, message: string) =>
        errors.push(
          JSON.stringify({
            id: rid('batch_req_'),
            custom_id: str(custom_id) ?? null,
            response: null,
            error: { code: 'invalid_request', message },
          }),
        );
      let line: unknown;
      try {
        line = JSON.parse(text);
      } catch {
        return fault(null, `Line ${n + 1} is not valid JSON.`);
      }
      if (!isObj(line)) return fault(null, `Line ${n + 1} is not a JSON object.`);
      const op = BATCH_OPS[routeOf(str(line.url) ?? '')];
      if (!op) return fault(line.custom_id, `Unknown url ${JSON.stringify(line.url)} on line ${n + 1}.`);
      let body: unknown = line.body;
      if (typeof body === 'string') {
        try {
          body = JSON.parse(body);
        } catch {
          return fault(line.custom_id, `The body on line ${n + 1} is not valid JSON.`);
        }
      }
      if (!isObj(body)) return fault(line.custom_id, `The body on line ${n + 1} is not a JSON object.`);
      const answer = echoAnswer({ op, body: { ...body, stream: false } });
      out.push(
        JSON.stringify({
          id: rid('batch_req_'),
          custom_id: str(line.custom_id) ?? null,
          response: { status_code: answer.status, request_id: rid('req_'), body: answer.json ?? null },
          error: null,
        }),
      );
    });
    const save = (lines: string[], kind: string) =>
      addFile(`batch_${id}_${kind}.jsonl`, 'batch_output', Buffer.from(lines.map((l) => `${l}\n`).join('')));
    return {
      ...batch,
      status: 'completed',
      in_progress_at: at,
      finalizing_at: at,
      completed_at: at,
      output_file_id: save(out, 'output').id,
      error_file_id: errors.length ? save(errors, 'error').id : null,
      request_counts: { total: lines.length, completed: out.length, failed: errors.length },
    };
  }

  function batchRoutes(
    method: string,
    res: http.ServerResponse,
    body: Json | null,
    id: string | undefined,
    sub: string | undefined,
  ) {
    if (id === undefined) {
      if (method === 'GET') return send(res, 200, list([...batches.values()]));
      if (method !== 'POST') return false;
      if (!body) return fail(res, 400, 'We could not parse the JSON body of your request.', 'invalid_json');
      const fileId = str(body.input_file_id);
      const endpoint = str(body.endpoint);
      if (!fileId || !endpoint) {
        const param = fileId ? 'endpoint' : 'input_file_id';
        return fail(res, 400, `Missing required parameter: '${param}'.`, 'missing_required_parameter', param);
      }
      if (!files.has(fileId))
        return fail(res, 404, `No such File object: ${fileId}`, 'not_found', 'input_file_id');
      const created = now();
      const batch: Json = {
        id: rid('batch_'),
        object: 'batch',
        endpoint,
        errors: null,
        input_file_id: fileId,
        completion_window: str(body.completion_window) ?? '24h',
        status: 'validating',
        output_file_id: null,
        error_file_id: null,
        created_at: created,
        in_progress_at: null,
        expires_at: created + 86_400,
        finalizing_at: null,
        completed_at: null,
        failed_at: null,
        expired_at: null,
        cancelling_at: null,
        cancelled_at: null,
        request_counts: { total: 0, completed: 0, failed: 0 },
        metadata: isObj(body.metadata) ? body.metadata : null,
      };
      batches.set(String(batch.id), batch);
      return send(res, 200, batch);
    }
    let batch = batches.get(id);
    if (!batch) return fail(res, 404, `No such Batch object: ${id}`, 'not_found', 'batch_id');
    if (method === 'GET' && sub === undefined) {
      if (batch.status === 'validating') batch = runBatch(batch);
      else if (batch.status === 'cancelling') batch = { ...batch, status: 'cancelled', cancelled_at: now() };
      batches.set(id, batch);
      return send(res, 200, batch);
    }
    if (method === 'POST' && sub === 'cancel') {
      if (batch.status === 'validating' || batch.status === 'in_progress')
        batch = { ...batch, status: 'cancelling', cancelling_at: now() };
      batches.set(id, batch);
      return send(res, 200, batch);
    }
    return false;
  }

  return {
    async handle(req, res, path, raw, body) {
      const method = req.method ?? 'GET';
      const query = new URL(req.url ?? '/', 'http://fake').searchParams;
      const [head, id, sub, subId, ...rest] = routeOf(path).split('/').filter(Boolean);
      if (rest.length > 0) return false;
      switch (head) {
        case 'responses':
          if (id === undefined) return method === 'POST' && body ? createResponse(res, body) : false;
          return subId === undefined ? responseRoutes(method, res, id, sub) : false;
        case 'conversations':
          if (id !== undefined) return conversationRoutes(method, res, body, id, sub, subId);
          if (method !== 'POST') return false;
          {
            const conv: Conversation = {
              obj: {
                id: rid('conv_'),
                object: 'conversation',
                created_at: now(),
                metadata: isObj(body?.metadata) ? body.metadata : {},
              },
              items: [],
            };
            conversations.set(String(conv.obj.id), conv);
            appendToConversation(String(conv.obj.id), objects(body?.items).map(normaliseItem));
            return send(res, 200, conv.obj);
          }
        case 'files':
          return subId === undefined ? fileRoutes(method, req, res, raw, query, id, sub) : false;
        case 'batches':
          return subId === undefined ? batchRoutes(method, res, body, id, sub) : false;
        default:
          return false;
      }
    },
    reset() {
      responses.clear();
      items.clear();
      conversations.clear();
      files.clear();
      batches.clear();
    },
  };
}
