import { ProxyError } from '../errors/proxy';

export { ProxyError };

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
  internal: () =>
    new ProxyError(
      500,
      'internal_error',
      'Portico failed to handle this request. Retry; if it persists, give the x-request-id to the administrators.',
    ),
};
