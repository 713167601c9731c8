import { FormData } from 'undici';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Model, Provider } from '../config';
import { isObj, type Json } from '../json';
import {
  detectInRequestBody,
  PhiSession,
  requestTexts,
  restoreJsonValue,
  scrubRequestBody,
  type PhiCounts,
  type PhiOperation,
} from '../phi';
import type { TokenEntries } from '../phi/session';
import { ScanTooLarge } from '../phi/offload';
import {
  createMap,
  findObjects,
  ownedByOthers,
  forgetObject,
  listObjects,
  mapTtlMs,
  markMetered,
  NoTokenMapKey,
  openMap,
  recordObjects,
  touchMap,
  updateMap,
  type ObjectKind,
  type OpenedMap,
  type UpstreamObject,
} from '../token-maps/store';
import { env } from '../env';
import { errors, ProxyError } from './errors';
import { upstreamFailureError, withApiKey, type ApiContext, type ProxyDeps } from './api-call';
import { BASE_HEADERS, collect, readJsonObject, sendJson, sendRaw } from './http';
import { readUpload, type Upload } from './media';
import { pumpSse } from './model-call';
import {
  checkMediaParts,
  phiBlocked,
  scanOutgoing,
  streamRestorer,
  sumCounts,
  type PhiState,
} from './phi-step';
import { callProvider, hasObjectApi, type ProviderCall, type UpstreamResponse } from './providers';
import type { ObjectRoute } from './routes';
import { mapUpstreamError } from './upstream-errors';
import { validateBody } from './validate';
import { readUsage } from './usage-events';

// Stateful and asynchronous APIs: stored responses, background responses, conversations, files and batches. The
// upstream keeps state that holds tokens, so a token map belongs to a chain of upstream objects, not to one request:
// the same value keeps its token along the chain, a new value gets the next number, and every answer, event and
// retrieved object is restored with the chain's map. Maps are kept sealed (lib/token-maps) for apps a reviewer
// allowed (apps.stateful_phi), and erased with their objects or after PORTICO_TOKEN_MAP_TTL_HOURS. Every object an
// app creates is recorded as its own: another app's id is a 404, and lists show an app only its own objects.

type Kind = ObjectKind;

/** A document an app uploaded, or a batch's input, output or error file. */
const FILES: readonly Kind[] = ['file', 'batch_file'];

/** Whether this app's requests carry tokens that need a map (any policy but `off`). */
const tokenized = (ctx: ApiContext) => ctx.principal.app.phiPolicy !== 'off';

const notStateful = errors.statefulNotAllowed;
const notFound = (kind: Kind, id: string, param: string | null = null) =>
  errors.objectNotFound(kind === 'batch_file' ? 'file' : kind, id, param);
const mapExpired = (id: string, param: string | null = null) =>
  errors.tokenMapExpired(id, env().PORTICO_TOKEN_MAP_TTL_HOURS, param);
const noKey = errors.tokenMapsUnavailable;
const conflict = errors.conversationBusy;

/** Runs a store operation, turning a missing key into its 503. */
async function store<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof NoTokenMapKey) throw noKey();
    throw err;
  }
}

/** The entries of several maps as one; a token that means two values cannot be one map. */
function mergeEntries(maps: OpenedMap[], param: string): TokenEntries {
  const byKey = new Map<string, string>();
  for (const m of maps)
    for (const [k, v] of m.entries) {
      const seen = byKey.get(k);
      if (seen !== undefined && seen !== v) throw errors.conflictingTokenMaps(param);
      byKey.set(k, v);
    }
  return [...byKey];
}

// ---------------------------------------------------------------------------------------------------------------
// POST /responses: a turn that continues upstream state or leaves some.

/** An object a Responses request refers to, and where. */
interface Reference {
  id: string;
  kind: Kind;
  param: string;
}

function references(body: Json): Reference[] {
  const refs: Reference[] = [];
  if (typeof body.previous_response_id === 'string')
    refs.push({ id: body.previous_response_id, kind: 'response', param: 'previous_response_id' });
  const conv = isObj(body.conversation) ? body.conversation.id : body.conversation;
  if (typeof conv === 'string') refs.push({ id: conv, kind: 'conversation', param: 'conversation' });
  if (Array.isArray(body.input))
    body.input.forEach((item, i) => {
      if (isObj(item) && item.type === 'item_reference' && typeof item.id === 'string')
        refs.push({ id: item.id, kind: 'item', param: `input[${i}].id` });
    });
  // Files this app uploaded through Portico: a batch's or a document's tokens are in its map.
  const files = (v: unknown, at: string): void => {
    if (Array.isArray(v)) v.forEach((x, i) => files(x, `${at}[${i}]`));
    else if (isObj(v)) {
      // A file given as input (not one a citation names).
      if ((v.type === 'input_file' || v.type === 'input_image') && typeof v.file_id === 'string')
        refs.push({ id: v.file_id, kind: 'file', param: `${at}.file_id` });
      for (const [k, x] of Object.entries(v)) files(x, `${at}.${k}`);
    }
  };
  files(body.input, 'input');
  return refs;
}

/** What a Responses call keeps across requests, decided before the model call and finished after it. */
export interface ResponsesState {
  /** The chain's map to continue (absent: a new one, or no map at all). */
  session?: PhiSession;
  /** The ids of the app's own objects the request refers to: upstream ids, left as they are. */
  keep?: ReadonlySet<string>;
  /** Runs after the scan: the grown map is kept before anything is sent. */
  afterScan(phi: PhiState): Promise<void>;
  /** Whether the answer's ids must be read (the answer is then parsed). */
  keepsIds: boolean;
  /** Sees each streamed event (the response's id and its items' ids). */
  observe(event: Json): void;
  /** Records the objects of a JSON answer, or of a stream once it ended. */
  answered(json?: unknown): Promise<void>;
}

/**
 * Prepares a Responses request: refuses stateful requests for apps without stateful calls (forcing `store: false`
 * for them), checks that every object the request refers to is the app's, and opens their chain's map.
 */
export async function prepareResponses(ctx: ApiContext, body: Json, model: Model): Promise<ResponsesState> {
  const refs = references(body);
  const background = body.background === true;
  const stored = body.store !== false;
  const app = ctx.principal.app;
  const none: ResponsesState = {
    afterScan: async () => {},
    keepsIds: false,
    observe: () => {},
    answered: async () => {},
  };
  if (tokenized(ctx) && !app.statefulPhi) {
    // A document the app uploaded carries no tokens; everything else referred to does.
    const first = refs.find((r) => r.kind !== 'file');
    if (first) throw notStateful(first.param, 'continues state the upstream keeps');
    if (background) throw notStateful('background', 'asks the upstream to keep the response for later');
    // Nothing stored upstream: its tokens would outlive the only map that explains them.
    body.store = false;
    return none;
  }
  const owned = await findObjects(
    app.id,
    refs.map((r) => r.id),
  );
  // Another app's object is never reachable. An id Portico never recorded is the upstream's business for an app
  // without PHI; an app whose tokens need a map can continue only its own chains.
  const strangers = refs.filter((r) => !owned.has(r.id));
  if (strangers.length > 0) {
    const theirs = await ownedByOthers(
      app.id,
      strangers.map((r) => r.id),
    );
    const refused = strangers.find((r) => theirs.has(r.id) || (tokenized(ctx) && r.kind !== 'file'));
    if (refused) throw notFound(refused.kind, refused.id, refused.param);
  }
  // The built-in echo keeps nothing: there is no object to come back to.
  const keeps = (stored || background) && hasObjectApi(model.provider);
  const keep = new Set(refs.map((r) => r.id));
  const provider = () => model.targets.find((t) => t.name === ctx.meter.upstream)?.provider ?? model.provider;
  const ids = new Set<string>();
  let responseId: string | undefined;
  let mapId: string | null = null;
  const record = async () => {
    if (!responseId) return;
    const p = provider().name;
    await recordObjects(app.id, [
      { objectId: responseId, kind: 'response', mapId, provider: p },
      ...[...ids].map((id) => ({ objectId: id, kind: 'item' as const, mapId, provider: p })),
    ]);
  };
  const collectIds = (json: unknown) => {
    if (!isObj(json)) return;
    if (typeof json.id === 'string' && json.object === 'response') responseId = json.id;
    if (Array.isArray(json.output))
      for (const o of json.output) if (isObj(o) && typeof o.id === 'string') ids.add(o.id);
  };
  const state: ResponsesState = {
    keep,
    afterScan: async () => {},
    keepsIds: keeps,
    observe(e) {
      if (isObj(e.response)) collectIds(e.response);
      if (isObj(e.item) && typeof e.item.id === 'string') ids.add(e.item.id);
    },
    async answered(json) {
      if (json !== undefined) collectIds(json);
      if (keeps) await store(record);
    },
  };
  if (!tokenized(ctx)) return state;

  // The chain's map: a conversation's is one map that grows; a stored response gets its own copy of the map its
  // turn saw (responses branch), so two turns from one response never disagree on a token.
  const conv = refs.find((r) => r.kind === 'conversation');
  const maps: OpenedMap[] = [];
  let live: { map: OpenedMap; id: string } | undefined;
  for (const r of refs) {
    const o = owned.get(r.id);
    if (!o || o.kind === 'file') continue; // a document: nothing of it was tokenized
    if (!o.mapId) throw mapExpired(r.id, r.param);
    if (maps.some((m) => m.id === o.mapId)) continue;
    const m = await store(() => openMap(app.id, o.mapId!));
    if (!m) throw mapExpired(r.id, r.param);
    maps.push(m);
    if (r === conv) live = { map: m, id: r.id };
  }
  state.session = PhiSession.continuing(mergeEntries(maps, refs[0]?.param ?? 'input'));
  state.afterScan = async () => {
    const entries = state.session!.entries();
    if (live) {
      if (!(await store(() => updateMap(app.id, live.map, entries)))) throw conflict(live.id);
      mapId = live.map.id;
    } else if (keeps) {
      mapId = await store(() => createMap(app.id, entries));
    }
    for (const m of maps) if (m !== live?.map) await touchMap(app.id, m.id);
  };
  return state;
}

// ---------------------------------------------------------------------------------------------------------------
// Object routes: /responses/{id}, /conversations, /files, /batches.

interface ObjectCtx {
  ctx: ApiContext;
  req: IncomingMessage;
  res: ServerResponse;
  route: ObjectRoute;
  url: URL;
}

/** GET, POST and DELETE on upstream objects, inside `withApiKey`. */
export function handleObjects(
  req: IncomingMessage,
  res: ServerResponse,
  route: ObjectRoute,
  url: URL,
  deps: ProxyDeps,
): Promise<void> {
  const methods =
    route.id === undefined || route.sub === 'items' ? ['GET', 'POST'] : ['GET', 'POST', 'DELETE'];
  return withApiKey(
    { op: route.resource, route: `${route.style}:${route.resource}`, methods },
    (rq, rs, ctx) => objects({ ctx, req: rq, res: rs, route, url }),
  )(req, res, deps);
}

async function objects(o: ObjectCtx): Promise<void> {
  const { route } = o;
  const method = o.req.method ?? 'GET';
  o.ctx.meter.model = '';
  switch (route.resource) {
    case 'responses':
      return response(o, method);
    case 'conversations':
      return conversation(o, method);
    case 'files':
      return file(o, method);
    case 'batches':
      return batch(o, method);
  }
}

const wrongMethod = (method: string, allowed: string) => errors.methodNotAllowed(method, allowed);

/** The object, if it is the app's; 404 otherwise. */
async function owned(o: ObjectCtx, id: string, kinds: readonly Kind[]): Promise<UpstreamObject> {
  const found = (await findObjects(o.ctx.principal.app.id, [id])).get(id);
  if (!found || !kinds.includes(found.kind)) throw notFound(kinds[0]!, id);
  return found;
}

/** The provider that holds an object, or the one new objects go to: the first of the app's models that keeps any. */
function providerOf(o: ObjectCtx, name?: string): Provider {
  if (name) {
    const p = o.ctx.config.providers.get(name);
    if (!p) throw errors.upstreamUnavailable(name);
    if (!hasObjectApi(p)) throw noObjects();
    return p;
  }
  for (const m of o.ctx.principal.app.allowedModels) {
    const model = o.ctx.config.models.get(m);
    if (model && hasObjectApi(model.provider)) return model.provider;
  }
  throw noObjects();
}

const noObjects = errors.objectsUnavailable;

/** The map an object's tokens belong to, opened; none for an app without PHI. */
async function sessionOf(
  o: ObjectCtx,
  obj: UpstreamObject,
): Promise<{ session?: PhiSession; map?: OpenedMap }> {
  if (!tokenized(o.ctx)) return {};
  if (!obj.mapId) throw mapExpired(obj.objectId);
  const map = await store(() => openMap(o.ctx.principal.app.id, obj.mapId!));
  if (!map) throw mapExpired(obj.objectId);
  return { session: PhiSession.continuing(map.entries), map };
}

async function send(
  o: ObjectCtx,
  provider: Provider,
  c: Omit<ProviderCall, 'abort'>,
): Promise<UpstreamResponse> {
  const t0 = performance.now();
  let up: UpstreamResponse;
  try {
    up = await callProvider(provider, { ...c, abort: o.ctx.abort });
  } catch (err) {
    throw upstreamFailureError(err, provider.name);
  }
  o.ctx.meter.upstreamMs = Math.round(performance.now() - t0);
  o.ctx.meter.upstream = provider.name;
  if (up.status < 200 || up.status >= 300) throw await mapUpstreamError(up, provider.name);
  return up;
}

async function readJson(o: ObjectCtx, up: UpstreamResponse, provider: Provider): Promise<Json> {
  const raw = await collect(up.body, 256 * 1024 * 1024, () => errors.upstreamError(provider.name, up.status));
  try {
    const json: unknown = JSON.parse(raw.toString('utf8'));
    if (isObj(json)) return json;
  } catch {
    // below
  }
  throw errors.upstreamError(provider.name, up.status);
}

/** Sends an object back, restored with its map. */
function answer(o: ObjectCtx, json: Json, session?: PhiSession): void {
  o.ctx.meter.status = 200;
  sendJson(o.res, 200, session ? restoreJsonValue(json, session) : json, o.ctx.headers);
}

/** The body of a POST on an object, scanned under the app's policy with the chain's session. */
async function scanned(
  o: ObjectCtx,
  op: PhiOperation,
  session: PhiSession | undefined,
): Promise<{ body: Json; phi: PhiState }> {
  const body = await readJsonObject(o.req, o.ctx.deps.maxBodyBytes);
  checkMediaParts(op, body, o.ctx.principal.app);
  const phi = await scanOutgoing(o.ctx, op, body, { session, param: null });
  return { body, phi };
}

/** Keeps a grown conversation map before its change goes upstream. */
async function keepGrown(
  o: ObjectCtx,
  id: string,
  map: OpenedMap | undefined,
  session: PhiSession | undefined,
) {
  if (!map || !session || session.size === map.entries.length) return;
  if (!(await store(() => updateMap(o.ctx.principal.app.id, map, session.entries())))) throw conflict(id);
}

/** The app's own objects of a list, each restored with its map. */
async function ownList(o: ObjectCtx, json: Json, kinds: readonly Kind[]): Promise<Json> {
  const mine = await listObjects(o.ctx.principal.app.id, kinds);
  const data = Array.isArray(json.data)
    ? json.data.filter((x) => isObj(x) && typeof x.id === 'string' && mine.has(x.id))
    : [];
  if (tokenized(o.ctx) && data.length > 0) {
    const objs = await findObjects(
      o.ctx.principal.app.id,
      data.map((x) => (x as Json).id as string),
    );
    for (let i = 0; i < data.length; i++) {
      const obj = objs.get((data[i] as Json).id as string);
      if (!obj?.mapId) continue;
      const map = await store(() => openMap(o.ctx.principal.app.id, obj.mapId!));
      if (map) data[i] = restoreJsonValue(data[i], PhiSession.continuing(map.entries));
    }
  }
  return {
    ...json,
    data,
    first_id: (data[0] as Json | undefined)?.id ?? null,
    last_id: (data.at(-1) as Json | undefined)?.id ?? null,
  };
}

// --- /responses/{id}, /responses/{id}/cancel, /responses/{id}/input_items

async function response(o: ObjectCtx, method: string): Promise<void> {
  const { route } = o;
  const id = route.id!;
  const obj = await owned(o, id, ['response']);
  const provider = providerOf(o, obj.provider);
  const { session } = await sessionOf(o, obj);
  if (route.sub === 'cancel') {
    if (method !== 'POST') throw wrongMethod(method, 'POST');
    const up = await send(o, provider, { method: 'POST', path: `responses/${id}/cancel` });
    return answer(o, await readJson(o, up, provider), session);
  }
  if (route.sub === 'input_items') {
    if (method !== 'GET') throw wrongMethod(method, 'GET');
    const up = await send(o, provider, {
      method: 'GET',
      path: `responses/${id}/input_items`,
      search: o.url.search,
    });
    return answer(o, await readJson(o, up, provider), session);
  }
  if (method === 'DELETE') {
    const up = await send(o, provider, { method: 'DELETE', path: `responses/${id}` });
    const json = await readJson(o, up, provider);
    await forgetObject(o.ctx.principal.app.id, id);
    return answer(o, json);
  }
  if (method !== 'GET') throw wrongMethod(method, 'GET or DELETE');
  const up = await send(o, provider, { method: 'GET', path: `responses/${id}`, search: o.url.search });
  if (String(up.headers['content-type'] ?? '').includes('text/event-stream')) {
    o.ctx.meter.streamed = true;
    const model = o.ctx.config.models.values().next().value as Model;
    return pumpSse(o.res, up, {
      op: 'responses',
      model,
      requestBytes: 0,
      clientWantsUsage: true,
      meter: o.ctx.meter,
      headers: o.ctx.headers,
      signal: o.ctx.abort.signal,
      restorer: streamRestorer('responses', session),
    });
  }
  const json = await readJson(o, up, provider);
  // A background response's items appear once it ran: they belong to its chain too.
  if (Array.isArray(json.output)) {
    const items = json.output
      .filter((x) => isObj(x) && typeof x.id === 'string')
      .map((x) => (x as Json).id as string);
    await recordObjects(
      o.ctx.principal.app.id,
      items.map((objectId) => ({
        objectId,
        kind: 'item' as const,
        mapId: obj.mapId,
        provider: obj.provider,
      })),
    );
  }
  answer(o, json, session);
}

// --- /conversations and their items

async function conversation(o: ObjectCtx, method: string): Promise<void> {
  const { route, ctx } = o;
  const app = ctx.principal.app;
  if (route.id === undefined) {
    if (method !== 'POST') throw wrongMethod(method, 'POST');
    if (tokenized(ctx) && !app.statefulPhi) throw notStateful('conversation', 'is state the upstream keeps');
    const provider = providerOf(o);
    const session = tokenized(ctx) ? new PhiSession() : undefined;
    const { body } = await scanned(o, 'conversations', session);
    const mapId = session ? await store(() => createMap(app.id, session.entries())) : null;
    const up = await send(o, provider, {
      method: 'POST',
      path: 'conversations',
      body: JSON.stringify(body),
      contentType: 'application/json',
    });
    const json = await readJson(o, up, provider);
    if (typeof json.id === 'string')
      await recordObjects(app.id, [
        { objectId: json.id, kind: 'conversation', mapId, provider: provider.name },
      ]);
    return answer(o, json, session);
  }
  const id = route.id;
  const obj = await owned(o, id, ['conversation']);
  const provider = providerOf(o, obj.provider);
  const { session, map } = await sessionOf(o, obj);
  if (route.sub === 'items') {
    const path = route.subId ? `conversations/${id}/items/${route.subId}` : `conversations/${id}/items`;
    if (method === 'POST' && !route.subId) {
      const { body } = await scanned(o, 'conversations', session);
      await keepGrown(o, id, map, session);
      const up = await send(o, provider, {
        method: 'POST',
        path,
        search: o.url.search,
        body: JSON.stringify(body),
        contentType: 'application/json',
      });
      const json = await readJson(o, up, provider);
      await recordItems(o, json, obj);
      return answer(o, json, session);
    }
    if (method === 'DELETE' && route.subId) {
      const up = await send(o, provider, { method: 'DELETE', path });
      return answer(o, await readJson(o, up, provider), session);
    }
    if (method !== 'GET') throw wrongMethod(method, route.subId ? 'GET or DELETE' : 'GET or POST');
    const up = await send(o, provider, { method: 'GET', path, search: o.url.search });
    return answer(o, await readJson(o, up, provider), session);
  }
  if (method === 'DELETE') {
    const up = await send(o, provider, { method: 'DELETE', path: `conversations/${id}` });
    const json = await readJson(o, up, provider);
    await forgetObject(app.id, id);
    return answer(o, json);
  }
  if (method === 'POST') {
    const { body } = await scanned(o, 'conversations', session);
    await keepGrown(o, id, map, session);
    const up = await send(o, provider, {
      method: 'POST',
      path: `conversations/${id}`,
      body: JSON.stringify(body),
      contentType: 'application/json',
    });
    return answer(o, await readJson(o, up, provider), session);
  }
  const up = await send(o, provider, { method: 'GET', path: `conversations/${id}` });
  answer(o, await readJson(o, up, provider), session);
}

async function recordItems(o: ObjectCtx, json: Json, parent: UpstreamObject): Promise<void> {
  const items = Array.isArray(json.data) ? json.data : [];
  await recordObjects(
    o.ctx.principal.app.id,
    items
      .filter((x) => isObj(x) && typeof x.id === 'string')
      .map((x) => ({
        objectId: (x as Json).id as string,
        kind: 'item' as const,
        mapId: parent.mapId,
        provider: parent.provider,
      })),
  );
}

// --- /files

/** The operation a batch line's URL names. */
const BATCH_OPS: Record<string, 'chat' | 'embeddings' | 'responses' | 'completions'> = {
  '/v1/chat/completions': 'chat',
  '/v1/embeddings': 'embeddings',
  '/v1/responses': 'responses',
  '/v1/completions': 'completions',
  '/chat/completions': 'chat',
  '/embeddings': 'embeddings',
  '/responses': 'responses',
  '/completions': 'completions',
};

const badLine = (n: number, why: string) => errors.badRequest(`Line ${n} of the batch file ${why}`, 'file');

/**
 * A batch input file, line by line: each line's body checked like a request of its endpoint (its model one this
 * app may use, renamed to the upstream's; its media under the app's setting) and scanned with one map for the
 * whole file, every field of it. Returns the scrubbed file, or refuses the first line that breaks a rule.
 */
async function scrubBatchFile(
  o: ObjectCtx,
  data: Buffer,
  provider: Provider,
): Promise<{ text: string; session?: PhiSession; counts: PhiCounts }> {
  const { ctx } = o;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw errors.badRequest('A batch file is JSON lines in UTF-8; this one is not text.', 'file');
  }
  const lines: {
    n: number;
    line: Json;
    op: PhiOperation & ('chat' | 'embeddings' | 'responses' | 'completions');
    body: Json;
  }[] = [];
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    let line: unknown;
    try {
      line = JSON.parse(raw);
    } catch {
      throw badLine(i + 1, 'is not valid JSON.');
    }
    if (!isObj(line) || !isObj(line.body) || typeof line.url !== 'string')
      throw badLine(i + 1, 'needs "custom_id", "method", "url" and a "body" object.');
    const op = BATCH_OPS[line.url.split('?')[0]!];
    if (!op)
      throw badLine(
        i + 1,
        `names "${line.url.slice(0, 60)}": a batch runs /v1/chat/completions, /v1/embeddings, /v1/responses or /v1/completions.`,
      );
    const body = line.body;
    const name = typeof body.model === 'string' ? body.model : '';
    const model = ctx.config.models.get(name);
    if (!model || !ctx.principal.app.allowedModels.includes(name))
      throw badLine(i + 1, `names the model "${name.slice(0, 60)}", which this app may not use.`);
    if (model.provider.name !== provider.name)
      throw badLine(
        i + 1,
        `names "${name}", served by another upstream than this app's files (${provider.name}).`,
      );
    try {
      validateBody(op, body);
    } catch (e) {
      if (e instanceof ProxyError) throw badLine(i + 1, `has a body Portico refuses: ${e.message}`);
      throw e;
    }
    checkMediaParts(op, body, ctx.principal.app);
    body.model = provider.type === 'azure' ? model.deployment : model.upstreamModel;
    lines.push({ n: i + 1, line, op, body });
  });
  if (lines.length === 0) throw errors.badRequest('The batch file has no request lines.', 'file');
  const policy = ctx.principal.app.phiPolicy;
  const counts: PhiCounts = {};
  let session: PhiSession | undefined;
  if (policy !== 'off') {
    // One scan of the whole file, on the worker threads in fair shares, bounded by the file limit rather than a
    // request's: a night of discharge summaries is one upload.
    const work = { texts: [] as string[], identifiers: [] as string[] };
    for (const l of lines) {
      const w = requestTexts(l.op, l.body);
      work.texts.push(...w.texts);
      work.identifiers.push(...w.identifiers);
    }
    let find;
    try {
      find = await ctx.deps.phiOffload!.finderFor(work, ctx.principal.app.id, env().PORTICO_MAX_FILE_BYTES);
    } catch (err) {
      if (err instanceof ScanTooLarge) throw errors.phiScanTooLarge(err.chars, err.limit);
      throw errors.phiEngine();
    }
    if (policy === 'block') {
      for (const l of lines) {
        const c = detectInRequestBody(l.op, l.body, find);
        if (sumCounts(c) > 0) throw phiBlocked(c, `file (line ${l.n})`);
      }
    } else {
      session = new PhiSession();
      for (const l of lines) scrubRequestBody(l.op, l.body, session, find);
      Object.assign(counts, session.counts());
    }
  }
  return {
    text: lines.map((l) => JSON.stringify(l.line)).join('\n') + '\n',
    session: policy === 'scrub' || policy === 'redact' ? session : undefined,
    counts,
  };
}

async function file(o: ObjectCtx, method: string): Promise<void> {
  const { route, ctx } = o;
  const app = ctx.principal.app;
  if (route.id === undefined) {
    if (method === 'GET') {
      const provider = providerOf(o);
      const up = await send(o, provider, { method: 'GET', path: 'files', search: o.url.search });
      return answer(o, await ownList(o, await readJson(o, up, provider), FILES));
    }
    if (method !== 'POST') throw wrongMethod(method, 'GET or POST');
    return upload(o);
  }
  const id = route.id;
  const obj = await owned(o, id, FILES);
  const provider = providerOf(o, obj.provider);
  if (route.sub === 'content') {
    if (method !== 'GET') throw wrongMethod(method, 'GET');
    return content(o, obj, provider);
  }
  if (method === 'DELETE') {
    const up = await send(o, provider, { method: 'DELETE', path: `files/${id}` });
    const json = await readJson(o, up, provider);
    await forgetObject(app.id, id);
    return answer(o, json);
  }
  if (method !== 'GET') throw wrongMethod(method, 'GET or DELETE');
  const up = await send(o, provider, { method: 'GET', path: `files/${id}` });
  answer(o, await readJson(o, up, provider));
}

async function upload(o: ObjectCtx): Promise<void> {
  const { ctx } = o;
  const app = ctx.principal.app;
  const up: Upload = await readUpload(o.req, env().PORTICO_MAX_FILE_BYTES, 'the file');
  if (!up.file) throw errors.badRequest('The upload has no "file" part.', 'file');
  const purpose = up.fields.purpose ?? '';
  const provider = providerOf(o);
  let data: Buffer = up.file.data;
  let mapId: string | null = null;
  let kind: Kind = 'file';
  // The file's own name never goes upstream: it is often the patient's.
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(up.file.name)?.[1]?.toLowerCase();
  let name = ext ? `upload.${ext}` : 'upload';
  if (purpose === 'batch') {
    if (tokenized(ctx) && !app.statefulPhi)
      throw notStateful('purpose', 'is "batch": its output holds tokens only Portico can restore');
    const scrubbed = await scrubBatchFile(o, data, provider);
    data = Buffer.from(scrubbed.text, 'utf8');
    name = 'batch.jsonl';
    if (sumCounts(scrubbed.counts) > 0) ctx.meter.phiCounts = scrubbed.counts as Record<string, number>;
    ctx.headers['x-portico-phi-entities'] = String(sumCounts(scrubbed.counts));
    if (tokenized(ctx))
      mapId = await store(() => createMap(app.id, (scrubbed.session ?? new PhiSession()).entries()));
    kind = 'batch_file';
  } else if (!app.allowImages) {
    // A document or an image: PHI inside it cannot be scrubbed, so it follows the app's media setting.
    throw errors.fileUploadNotAllowed();
  }
  const form = new FormData();
  for (const [k, v] of Object.entries(up.fields)) if (k !== 'file') form.set(k, v);
  form.set(
    'file',
    new Blob([data as Uint8Array<ArrayBuffer>], { type: up.file.type || 'application/octet-stream' }),
    name,
  );
  const res = await send(o, provider, { method: 'POST', path: 'files', body: form });
  const json = await readJson(o, res, provider);
  if (typeof json.id === 'string')
    await recordObjects(app.id, [{ objectId: json.id, kind, mapId, provider: provider.name }]);
  answer(o, json);
}

/**
 * A file's content. A batch's files (its input, output and errors) are restored line by line with the batch's
 * map; the first read of an output file meters the batch's usage at the models' batch prices.
 */
async function content(o: ObjectCtx, obj: UpstreamObject, provider: Provider): Promise<void> {
  const { ctx } = o;
  const up = await send(o, provider, { method: 'GET', path: `files/${obj.objectId}/content` });
  const type = String(up.headers['content-type'] ?? 'application/octet-stream');
  if (obj.kind !== 'batch_file') {
    // A document goes back as it came (nothing of it was tokenized).
    ctx.meter.status = 200;
    o.res.writeHead(200, { ...BASE_HEADERS, ...ctx.headers, 'content-type': type });
    for await (const chunk of up.body) o.res.write(chunk as Buffer);
    o.res.end();
    return;
  }
  const { session } = await sessionOf(o, obj);
  const raw = await collect(up.body, 512 * 1024 * 1024, () => errors.upstreamError(provider.name, up.status));
  const lines = raw.toString('utf8').split('\n');
  let tokens = { prompt: 0, completion: 0, cost: 0, requests: 0 };
  const models = new Set<string>();
  const out = lines.map((line) => {
    if (!line.trim()) return line;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return session ? session.restore(line) : line;
    }
    const body =
      isObj(json) && isObj(json.response) && isObj(json.response.body) ? json.response.body : undefined;
    const usage = body ? readUsage(body.usage) : null;
    if (usage && body) {
      const model = modelFor(o, body.model);
      if (model) {
        models.add(model.name);
        tokens = {
          prompt: tokens.prompt + usage.prompt,
          completion: tokens.completion + usage.completion,
          cost:
            tokens.cost +
            (usage.prompt * model.batchInputPerMillion + usage.completion * model.batchOutputPerMillion) /
              1e6,
          requests: tokens.requests + 1,
        };
      }
    }
    return JSON.stringify(session ? restoreJsonValue(json, session) : json);
  });
  // Usage of a batch is what its output says, counted once: by the first read of it.
  if (tokens.requests > 0 && (await markMetered(ctx.principal.app.id, obj.objectId))) {
    const m = ctx.meter;
    m.op = 'batch';
    m.model = [...models][0] ?? '';
    m.promptTokens = tokens.prompt;
    m.completionTokens = tokens.completion;
    m.units = tokens.requests;
    m.unit = 'batch requests';
    m.unitCostUsd = tokens.cost;
  }
  ctx.meter.status = 200;
  sendRaw(o.res, 200, Buffer.from(out.join('\n'), 'utf8'), type, ctx.headers);
}

/** The configured model an upstream answer names (its upstream model or deployment), if any. */
function modelFor(o: ObjectCtx, name: unknown): Model | undefined {
  if (typeof name !== 'string') return undefined;
  const direct = o.ctx.config.models.get(name);
  if (direct) return direct;
  for (const m of o.ctx.config.models.values())
    if (
      o.ctx.principal.app.allowedModels.includes(m.name) &&
      (name.startsWith(m.upstreamModel) || name === m.deployment)
    )
      return m;
  return undefined;
}

// --- /batches

async function batch(o: ObjectCtx, method: string): Promise<void> {
  const { route, ctx } = o;
  const app = ctx.principal.app;
  if (route.id === undefined) {
    if (method === 'GET') {
      const provider = providerOf(o);
      const up = await send(o, provider, { method: 'GET', path: 'batches', search: o.url.search });
      return answer(o, await ownList(o, await readJson(o, up, provider), ['batch']));
    }
    if (method !== 'POST') throw wrongMethod(method, 'GET or POST');
    const body = await readJsonObject(o.req, ctx.deps.maxBodyBytes);
    const input = typeof body.input_file_id === 'string' ? body.input_file_id : '';
    if (!input)
      throw errors.badRequest(
        '"input_file_id" is required: upload the batch file first (purpose "batch").',
        'input_file_id',
      );
    const file = await owned(o, input, ['batch_file']);
    const provider = providerOf(o, file.provider);
    const { session, map } = await sessionOf(o, file);
    await scanOutgoing(ctx, 'batches', body, { session, param: null, keep: new Set([input]) });
    await keepGrown(o, input, map, session);
    const up = await send(o, provider, {
      method: 'POST',
      path: 'batches',
      body: JSON.stringify(body),
      contentType: 'application/json',
    });
    const json = await readJson(o, up, provider);
    if (typeof json.id === 'string')
      await recordObjects(app.id, [
        { objectId: json.id, kind: 'batch', mapId: file.mapId, provider: provider.name },
      ]);
    if (file.mapId) await touchMap(app.id, file.mapId, mapTtlMs() + 24 * 3_600_000);
    return answer(o, json, session);
  }
  const id = route.id;
  const obj = await owned(o, id, ['batch']);
  const provider = providerOf(o, obj.provider);
  const { session } = await sessionOf(o, obj);
  let json: Json;
  if (route.sub === 'cancel') {
    if (method !== 'POST') throw wrongMethod(method, 'POST');
    json = await readJson(
      o,
      await send(o, provider, { method: 'POST', path: `batches/${id}/cancel` }),
      provider,
    );
  } else {
    if (method !== 'GET') throw wrongMethod(method, 'GET');
    json = await readJson(o, await send(o, provider, { method: 'GET', path: `batches/${id}` }), provider);
  }
  // Its output and error files hold the batch's tokens: they are the app's, restored with the batch's map.
  const files = [json.output_file_id, json.error_file_id].filter((f): f is string => typeof f === 'string');
  if (files.length > 0)
    await recordObjects(
      app.id,
      files.map((objectId) => ({
        objectId,
        kind: 'batch_file' as const,
        mapId: obj.mapId,
        provider: obj.provider,
      })),
    );
  if (
    obj.mapId &&
    (json.status === 'in_progress' || json.status === 'validating' || json.status === 'finalizing')
  )
    await touchMap(app.id, obj.mapId);
  answer(o, json, session);
}
