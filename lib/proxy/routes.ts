/** The operations the OpenAI-compatible routes serve; OpenAI's chat completions format is the pivot. */
export type Operation = 'chat' | 'completions' | 'embeddings' | 'responses' | 'models';
/** Images and audio: opt-in per app, since PHI in an image or in audio cannot be scrubbed. */
export type MediaOp = 'images' | 'transcriptions' | 'speech';

/** The objects an upstream keeps: stored responses, conversations, files and batches. */
export type ObjectResource = 'responses' | 'conversations' | 'files' | 'batches';

/** A route to an upstream object: `{resource}`, `{resource}/{id}`, `{resource}/{id}/{sub}[/{subId}]`. */
export interface ObjectRoute {
  kind: 'object';
  resource: ObjectResource;
  id?: string;
  sub?: 'cancel' | 'input_items' | 'items' | 'content';
  subId?: string;
  style: 'azure-v1' | 'openai';
}

export interface OaiRoute {
  kind: 'oai' | 'media';
  op: Operation | MediaOp;
  /** Azure style: the deployment named in the path is the model. Otherwise the body's `model`. */
  deployment?: string;
  style: 'azure-deployment' | 'azure-v1' | 'openai' | 'compat';
  /** GET …/models/{id}: the model asked about. */
  modelId?: string;
}

const OP_PATHS: Record<string, Operation | MediaOp> = {
  'chat/completions': 'chat',
  completions: 'completions',
  embeddings: 'embeddings',
  responses: 'responses',
  models: 'models',
  'images/generations': 'images',
  'audio/transcriptions': 'transcriptions',
  'audio/speech': 'speech',
};
const MEDIA = new Set<string>(['images', 'transcriptions', 'speech']);
const kindOf = (op: Operation | MediaOp): OaiRoute['kind'] => (MEDIA.has(op) ? 'media' : 'oai');

export const OAI_PREFIX = '/api/public/oai/';

const OBJECT_PATH =
  /^(responses|conversations|files|batches)(?:\/([^/]+)(?:\/(cancel|input_items|items|content)(?:\/([^/]+))?)?)?$/;
const SUBS: Record<ObjectResource, readonly string[]> = {
  responses: ['cancel', 'input_items'],
  conversations: ['items'],
  files: ['content'],
  batches: ['cancel'],
};

/**
 * Parses a pathname under /api/public/oai/ that names upstream objects: `v1/…` (OpenAI), `openai/v1/…` and
 * `openai/…` (Azure). `responses` alone is the model call, not an object route.
 */
export function matchObjects(pathname: string): ObjectRoute | null {
  if (!pathname.startsWith(OAI_PREFIX)) return null;
  const rest = pathname.slice(OAI_PREFIX.length).replace(/\/+$/, '');
  const m = /^(v1|openai(?:\/v1)?)\/(.+)$/.exec(rest);
  if (!m) return null;
  const o = OBJECT_PATH.exec(m[2]!);
  if (!o) return null;
  const resource = o[1] as ObjectResource;
  if (resource === 'responses' && o[2] === undefined) return null;
  if (o[3] !== undefined && !SUBS[resource].includes(o[3])) return null;
  if (o[4] !== undefined && !(resource === 'conversations' && o[3] === 'items')) return null;
  const decode = (v: string | undefined) => {
    if (v === undefined) return undefined;
    const d = decodeURIComponent(v);
    // An id is an upstream's: letters, digits, "_", "-" (never a path of its own).
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(d)) throw new Error('bad id');
    return d;
  };
  try {
    return {
      kind: 'object',
      resource,
      id: decode(o[2]),
      sub: o[3] as ObjectRoute['sub'],
      subId: decode(o[4]),
      style: m[1] === 'v1' ? 'openai' : 'azure-v1',
    };
  } catch {
    return null;
  }
}

/** Parses a pathname (no query) under /api/public/oai/. */
export function matchOai(pathname: string): OaiRoute | null {
  if (!pathname.startsWith(OAI_PREFIX)) return null;
  const rest = pathname.slice(OAI_PREFIX.length).replace(/\/+$/, '');
  // Azure: openai/deployments/{deployment}/{op}
  const dep = /^openai\/deployments\/([^/]+)\/(.+)$/.exec(rest);
  if (dep) {
    const op = OP_PATHS[dep[2]!];
    if (!op || op === 'models') return null;
    let deployment: string;
    try {
      deployment = decodeURIComponent(dep[1]!);
    } catch {
      return null;
    }
    return { kind: kindOf(op), op, deployment, style: 'azure-deployment' };
  }
  // One model: v1/models/{id} (OpenAI), openai/v1/models/{id} and openai/models/{id} (Azure v1).
  const one = /^(v1|openai(?:\/v1)?)\/models\/(.+)$/.exec(rest);
  if (one) {
    let modelId: string;
    try {
      modelId = decodeURIComponent(one[2]!);
    } catch {
      return null;
    }
    return { kind: 'oai', op: 'models', style: one[1] === 'v1' ? 'openai' : 'azure-v1', modelId };
  }
  // Azure v1 API and the bare form the AI SDK sends: openai/v1/{op}, openai/{op}
  const v1 = /^openai\/(?:v1\/)?(.+)$/.exec(rest);
  if (v1) {
    const op = OP_PATHS[v1[1]!];
    return op ? { kind: kindOf(op), op, style: 'azure-v1' } : null;
  }
  // OpenAI: v1/{op}
  const oa = /^v1\/(.+)$/.exec(rest);
  if (oa) {
    const op = OP_PATHS[oa[1]!];
    return op ? { kind: kindOf(op), op, style: 'openai' } : null;
  }
  return null;
}
