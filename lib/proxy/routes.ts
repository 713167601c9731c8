/** The operations the OpenAI-compatible routes serve; OpenAI's chat completions format is the pivot. */
export type Operation = 'chat' | 'completions' | 'embeddings' | 'responses' | 'models';
/** Images and audio: opt-in per app, since PHI in an image or in audio cannot be scrubbed. */
export type MediaOp = 'images' | 'transcriptions' | 'speech';

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
