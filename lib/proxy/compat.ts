import { errors, ProxyError } from './errors';
import type { RouteVariant } from './oai';

/** The defaults that API documents. */
const DOCUMENTED_DEFAULT_MODEL = 'gpt-3.5-turbo';
const BYO_KEY = /^[A-Za-z0-9_\-.:]{16,256}$/;

type Json = Record<string, unknown>;

/**
 * POST /v1/chat/completions, compatible with a PHI-substituting chat API its callers already use:
 * the Portico key in `x-compliantchatgpt-key`, an optional `x-openai-key` (used only for apps allowed to
 * bring their own key; forwarded, never stored or logged), its documented defaults, the answer with a
 * top-level `content`, and its four error statuses (400, 401, 429, 500).
 */
export const compatChat: RouteVariant = {
  keyHeader: 'x-compliantchatgpt-key',
  streaming: false,
  defaults(body, cfg) {
    if (
      body.model === undefined ||
      (body.model === DOCUMENTED_DEFAULT_MODEL && !cfg.models.has(DOCUMENTED_DEFAULT_MODEL))
    ) {
      if (cfg.compatDefaultModel) body.model = cfg.compatDefaultModel;
    }
    body.temperature ??= 0.7;
    body.n ??= 1;
  },
  credential(req, principal, headers, model) {
    // An OpenAI key only ever goes to OpenAI, never to an Azure or third-party provider.
    const openAiProvider = model.provider.type === 'openai';
    const v = req.headers['x-openai-key'];
    if (typeof v !== 'string' || v.trim() === '') return undefined;
    if (!principal.app.allowByoKey || !openAiProvider) {
      // Callers of that API always send their key; apps not approved to bring one use the gateway's.
      headers['x-portico-openai-key'] = 'ignored';
      return undefined;
    }
    const key = v.trim();
    if (!BYO_KEY.test(key)) throw errors.invalidOpenAiKey(false);
    headers['x-portico-openai-key'] = 'used';
    return key;
  },
  decorate(json: Json) {
    const first = Array.isArray(json.choices) ? (json.choices[0] as Json | undefined) : undefined;
    const message =
      first && typeof first.message === 'object' && first.message !== null
        ? (first.message as Json)
        : undefined;
    json.content = typeof message?.content === 'string' ? message.content : null;
  },
  mapError(e) {
    if (e.code === 'missing_api_key')
      return new ProxyError(
        401,
        e.code,
        'No API key was sent. Send your Portico key in the x-compliantchatgpt-key header.',
      );
    if (e.status === 401 || e.status === 400 || e.status === 429) return e;
    if (e.code === 'app_not_approved') return new ProxyError(401, e.code, e.message);
    if (e.code === 'browser_requests_refused') return e;
    if (e.status === 404 || e.status === 405 || e.status === 413 || e.status === 415 || e.status === 422) {
      return new ProxyError(400, e.code, e.message, { param: e.opts.param ?? null });
    }
    if (e.status >= 500 || e.status === 403)
      return new ProxyError(500, e.code, e.message, { type: 'api_error', headers: e.opts.headers });
    return e;
  },
};

export const COMPAT_PATH = '/v1/chat/completions';
