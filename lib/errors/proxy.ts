/** An error a public route answers with, in OpenAI's shape so that the SDKs raise the right exception. */
export class ProxyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly opts: { type?: string; param?: string | null; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }

  get type(): string {
    return this.opts.type ?? defaultType(this.status);
  }

  body(): { error: { message: string; type: string; param: string | null; code: string } } {
    return {
      error: { message: this.message, type: this.type, param: this.opts.param ?? null, code: this.code },
    };
  }
}

function defaultType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}
