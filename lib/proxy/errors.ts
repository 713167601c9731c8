import { ProxyError } from '../errors/proxy';

export { ProxyError };

/**
 * Every error a public route answers with, in one place (the class is lib/errors/proxy.ts). compat.ts only re-states
 * some of these with its route's own statuses.
 */
export const errors = {
  missingKey: () =>
    new ProxyError(
      401,
      'missing_api_key',
      'No API key was sent. Send your Portico key in the `api-key` header (or `Authorization: Bearer <key>`).',
    ),
  invalidKey: () =>
    new ProxyError(
      401,
      'invalid_api_key',
      'The API key is not valid. Check that you copied the whole key; an app owner can create a new one in the portal.',
    ),
  revokedKey: () =>
    new ProxyError(
      401,
      'invalid_api_key',
      'This API key has been revoked. An app owner can create a new one in the portal.',
    ),
  expiredKey: () =>
    new ProxyError(
      401,
      'invalid_api_key',
      'This API key has expired. An app owner can create or rotate a key in the portal.',
    ),
  tooManyInvalidKeys: (retryAfterS: number) =>
    new ProxyError(
      429,
      'too_many_invalid_keys',
      `Too many invalid API keys were sent from this address. Wait ${retryAfterS} s, and check the key you are using.`,
      {
        headers: { 'retry-after': String(retryAfterS) },
      },
    ),
  keyCheckUnavailable: () =>
    new ProxyError(
      503,
      'service_unavailable',
      'Portico cannot verify API keys right now. Retry in a few seconds.',
      {
        headers: { 'retry-after': '2' },
      },
    ),
  browserRefused: () =>
    new ProxyError(
      403,
      'browser_requests_refused',
      'Portico API keys must not be used from a browser: this request carries an Origin header. Call the API from your backend service and keep the key there.',
    ),
  appNotApproved: (status: string) =>
    new ProxyError(
      403,
      'app_not_approved',
      status === 'suspended'
        ? 'This app is suspended. Its owners can see why on the app page in the portal.'
        : `This app is ${status.replace('_', ' ')}, not approved. Its owners can follow the review in the portal.`,
    ),
  modelNotFound: (model: string, allowed: string[]) =>
    new ProxyError(
      404,
      'model_not_found',
      `The model or deployment "${model}" does not exist or this app is not approved for it. ${
        allowed.length
          ? `Models this app may use: ${allowed.join(', ')}.`
          : 'This app is approved for no models yet.'
      }`,
      { param: 'model' },
    ),
  badRequest: (message: string, param: string | null = null) =>
    new ProxyError(400, 'invalid_request', message, { param }),
  notFound: (path: string) =>
    new ProxyError(404, 'not_found', `Portico has no route ${path}. See /api for the public routes.`),
  methodNotAllowed: (method: string, allowed: string) =>
    new ProxyError(405, 'method_not_allowed', `${method} is not supported here; use ${allowed}.`, {
      headers: { allow: allowed },
    }),
  /** The client went away mid-request: recorded as 499, not logged as a server fault. */
  clientClosed: () => new ProxyError(499, 'client_closed', 'client closed the connection'),
  tooLarge: (limit: number) =>
    new ProxyError(
      413,
      'request_too_large',
      `The request body is larger than ${limit} bytes, the most Portico accepts.`,
    ),
  /** More text than the PHI scan takes in one request (PORTICO_PHI_MAX_CHARS): refused before any scan. */
  phiScanTooLarge: (chars: number, limit: number) =>
    new ProxyError(
      413,
      'request_too_large',
      `This request holds ${chars} characters of text to check for PHI; Portico checks at most ${limit} in one request. Split it into smaller requests.`,
    ),
  /** The PHI engine failed: the request is refused, so that PHI never leaves because of an error. */
  phiEngine: () =>
    new ProxyError(
      500,
      'phi_engine_error',
      'Portico could not check this request for PHI, so it was not sent. Retry; if it persists, give the x-request-id to the administrators.',
    ),
  bodyTooSlow: (minRate: number) =>
    new ProxyError(
      408,
      'request_timeout',
      `The request body arrived slower than ${Math.round(minRate / 1024)} KB/s. Send it in one go.`,
    ),
  upstreamTimeout: (model: string) =>
    new ProxyError(
      504,
      'upstream_timeout',
      `The upstream serving "${model}" did not answer in time. Retry, or ask for a shorter answer.`,
    ),
  upstreamUnavailable: (model: string) =>
    new ProxyError(
      502,
      'upstream_unavailable',
      `The upstream serving "${model}" could not be reached. Retry in a few seconds.`,
      {
        headers: { 'retry-after': '2' },
      },
    ),
  upstreamError: (model: string, status: number) =>
    new ProxyError(
      502,
      'upstream_error',
      `The upstream serving "${model}" failed (HTTP ${status}). Retry in a few seconds.`,
    ),
  upstreamAuth: (model: string) =>
    new ProxyError(
      502,
      'upstream_auth_failed',
      `The upstream serving "${model}" refused Portico's credentials. This is a gateway configuration problem: tell the Portico administrators.`,
    ),
  limited: (
    reason: 'rpm' | 'tpm' | 'monthly_tokens' | 'monthly_cost',
    l: {
      rpm: number | null;
      tpm: number | null;
      monthlyTokens: number | null;
      monthlyCostUsd: number | null;
    },
    retryAfterS: number,
  ) => {
    const what = {
      rpm: `its limit of ${l.rpm} requests per minute`,
      tpm: `its limit of ${l.tpm} tokens per minute`,
      monthly_tokens: `its monthly budget of ${l.monthlyTokens} tokens`,
      monthly_cost: `its monthly budget of $${l.monthlyCostUsd}`,
    }[reason];
    const monthly = reason.startsWith('monthly');
    return new ProxyError(
      429,
      monthly ? 'budget_exceeded' : 'rate_limit_exceeded',
      `This app has reached ${what}. ${monthly ? 'It resets at the start of next month; an administrator can raise it in the portal.' : `Retry after ${retryAfterS} s.`}`,
      {
        type: monthly ? 'insufficient_quota' : 'rate_limit_error',
        headers: { 'retry-after': String(retryAfterS) },
      },
    );
  },
  /** A request target no URL parser accepts ("//", "//[", …). */
  invalidRequestTarget: () =>
    new ProxyError(400, 'invalid_request_target', 'The request target is not a valid path.'),
  /** A portal request whose body has no declared length (browsers always declare one). */
  lengthRequired: () =>
    new ProxyError(411, 'length_required', 'Send a Content-Length with the request body.'),
  metricsTokenRequired: () =>
    new ProxyError(
      401,
      'metrics_token_required',
      'Send the metrics token as Authorization: Bearer <PORTICO_METRICS_TOKEN>.',
    ),
  metricsLocalOnly: () =>
    new ProxyError(
      403,
      'metrics_token_required',
      'Metrics are served to this machine only. Set PORTICO_METRICS_TOKEN to scrape from elsewhere.',
    ),
  /** This app's policy blocks PHI and the request holds some (counts by type, never values). */
  phiBlocked: (types: string, param: string | null) =>
    new ProxyError(
      400,
      'phi_detected',
      `This app's policy blocks requests that contain PHI, and this one contains: ${types}. Remove those identifiers and retry.`,
      { param },
    ),
  /** A part, item or tool that carries or makes an image, audio or a file, for an app without that media. */
  mediaPartNotAllowed: (kind: 'audio' | 'image' | 'file', param: string | null) =>
    new ProxyError(
      403,
      kind === 'audio' ? 'audio_not_allowed' : 'images_not_allowed',
      `${kind === 'audio' ? 'Audio' : kind === 'image' ? 'Images' : 'Files'} are disabled for this app: Portico cannot remove PHI from inside ${kind === 'audio' ? 'audio' : kind === 'image' ? 'an image' : 'a file'}, so only an app a reviewer enabled for ${kind === 'audio' ? 'audio' : 'images and files'} may send or ask for one. Send text, or ask a reviewer.`,
      { param },
    ),
  /** Image generation or an audio route, for an app without that media. */
  mediaRouteNotAllowed: (op: 'images' | 'audio') =>
    new ProxyError(
      403,
      op === 'images' ? 'images_not_allowed' : 'audio_not_allowed',
      `${op === 'images' ? 'Image generation' : 'Audio'} is disabled for this app. A reviewer can enable it; note that PHI inside ${op === 'images' ? 'an image' : 'audio'} cannot be scrubbed (text prompts still are, per the app's policy).`,
    ),
  /** A document or an image uploaded to /files by an app without media. */
  fileUploadNotAllowed: () =>
    new ProxyError(
      403,
      'images_not_allowed',
      'Files are disabled for this app: Portico cannot remove PHI from inside a document or an image, so only an app a reviewer enabled for images and files may upload one. Upload a batch file (purpose "batch"), or ask a reviewer.',
      { param: 'file' },
    ),
  // Stateful calls (lib/proxy/stateful.ts).
  statefulNotAllowed: (field: string, what: string) =>
    new ProxyError(
      400,
      'stateful_not_allowed',
      `"${field}" ${what}, and this app is not approved to keep token maps for stateful calls. Portico replaces PHI with tokens whose meaning only it knows, so it cannot let the upstream keep a conversation without keeping that map. Send the whole conversation in each request with "store": false, or ask a reviewer to allow stateful calls for this app.`,
      { param: field },
    ),
  objectNotFound: (what: string, id: string, param: string | null = null) =>
    new ProxyError(
      404,
      'not_found',
      `No ${what} "${id}" for this app: Portico serves only the objects this app created through it.`,
      { param },
    ),
  tokenMapExpired: (id: string, hours: number, param: string | null = null) =>
    new ProxyError(
      410,
      'token_map_expired',
      `The token map of "${id}" is gone (Portico keeps one ${hours} h after its last use, and erases it with its objects), so the PHI it holds cannot be restored. Start a new conversation, sending what it needs again.`,
      { param },
    ),
  tokenMapsUnavailable: () =>
    new ProxyError(
      503,
      'token_maps_unavailable',
      'Portico has no key to seal token maps with (PORTICO_TOKEN_MAP_KEY), so it cannot serve stateful calls. Tell the Portico administrators.',
    ),
  conversationBusy: (id: string) =>
    new ProxyError(
      409,
      'conversation_busy',
      `Another request changed "${id}" at the same moment. Retry this one.`,
    ),
  conflictingTokenMaps: (param: string) =>
    new ProxyError(
      400,
      'conflicting_token_maps',
      'This request refers to objects of two different conversations whose tokens mean different values. Refer to objects of one conversation at a time.',
      { param },
    ),
  objectsUnavailable: () =>
    new ProxyError(
      501,
      'objects_unavailable',
      "None of this app's models runs on an upstream that keeps objects (the built-in echo keeps none): stored responses, files, batches and conversations need OpenAI or Azure OpenAI.",
    ),
  // Config-defined endpoints (lib/proxy/endpoints.ts).
  endpointNotFound: (name: string, granted: readonly string[]) =>
    new ProxyError(
      404,
      'endpoint_not_found',
      `There is no endpoint "${name.slice(0, 100)}". ${granted.length ? `This app may call: ${granted.join(', ')}.` : 'This app is granted no endpoints yet.'}`,
    ),
  endpointNotAllowed: (name: string) =>
    new ProxyError(
      403,
      'endpoint_not_allowed',
      `This app is not granted the "${name}" endpoint. Its owners can ask for it in the portal (Ask for more access on the app's page); a reviewer grants it.`,
    ),
  invalidModelOutput: (name: string, why: string) =>
    new ProxyError(
      502,
      'invalid_model_output',
      `The model's answer for "${name}" ${why}, so Portico did not return it. Retry; if it persists, tell the Portico administrators (the endpoint's prompt or output schema may need a change).`,
    ),
  modelRefused: (refusal: string) =>
    new ProxyError(422, 'model_refused', `The model declined to answer this request: ${refusal}`),
  // HTTP adapters (lib/proxy/adapters.ts).
  adapterNotFound: (name: string) =>
    new ProxyError(
      404,
      'adapter_not_found',
      `There is no HTTP adapter "${name}". Adapters are configured by the Portico administrators.`,
    ),
  adapterNotAllowed: (name: string) =>
    new ProxyError(
      403,
      'adapter_not_allowed',
      `This app is not approved for the "${name}" adapter. Ask a reviewer to allow it.`,
    ),
  unreadableBody: (policyBlocks: boolean, adapter: string) =>
    new ProxyError(
      415,
      'unreadable_body',
      policyBlocks
        ? "This app's policy blocks PHI, and Portico cannot check a body that is not text (a file, an image, a multipart upload). Send JSON, a form or plain text."
        : `Portico cannot check a body that is not text (a file, an image, a multipart upload) for PHI, and the "${adapter}" adapter does not forward such bodies. Send JSON, a form or plain text, or ask the administrators to set binaryBodies on the adapter.`,
    ),
  /** A key sent in x-openai-key that is no OpenAI key, or that the upstream refused. */
  invalidOpenAiKey: (refused: boolean) =>
    new ProxyError(
      400,
      'invalid_openai_key',
      refused
        ? 'The upstream refused the OpenAI key sent in x-openai-key. Check the key, or omit the header to use the gateway’s own credentials.'
        : 'The x-openai-key header is not a valid OpenAI API key.',
      { param: 'x-openai-key' },
    ),
  upstreamRateLimited: (model: string, retryAfter: string) =>
    new ProxyError(
      429,
      'upstream_rate_limited',
      `The upstream serving "${model}" is rate limiting requests. Retry after ${retryAfter} s.`,
      { headers: { 'retry-after': retryAfter } },
    ),
  upstreamRejected: (model: string, status: number, message: string | undefined) =>
    new ProxyError(
      status,
      'upstream_rejected',
      `The upstream rejected the request for "${model}": ${message ?? `HTTP ${status}`}`,
    ),
  internal: () =>
    new ProxyError(
      500,
      'internal_error',
      'Portico failed to handle this request. Retry; if it persists, give the x-request-id to the administrators.',
    ),
};
