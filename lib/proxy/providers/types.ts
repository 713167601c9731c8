import type { Readable } from 'node:stream';
import type { Model, Provider } from '../../config';
import type { FormData } from 'undici';
import type { MediaOp, Operation } from '../routes';

export interface UpstreamRequest {
  op: Exclude<Operation, 'models'> | MediaOp;
  model: Model;
  /** The body as it leaves Portico (already scrubbed, `model` set for the upstream). */
  body: Record<string, unknown>;
  /** The client's api-version, forwarded to Azure upstreams. */
  apiVersion?: string;
  /** Replaces the configured credential (bring-your-own-key apps); never stored or logged. */
  credentialOverride?: string;
  /** A body sent as is instead of JSON (multipart audio uploads). */
  raw?: FormData;
  /** The request's controller: aborted when the client leaves, and by the provider's total timeout. */
  abort: AbortController;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

/** How one provider type builds the upstream HTTP request: data and a few small functions. ("Adapter" is the HTTP pass-through of lib/proxy/adapters.ts.) */
export interface HttpProvider {
  url(provider: Provider, op: UpstreamRequest['op'], model: Model, apiVersion?: string): string;
  /** Rewrites the body for the upstream (the upstream's model name, …), in place. */
  body(body: Record<string, unknown>, model: Model): Record<string, unknown>;
  credentialHeader(key: string): [string, string];
}

export const OP_PATH: Record<UpstreamRequest['op'], string> = {
  chat: 'chat/completions',
  completions: 'completions',
  embeddings: 'embeddings',
  responses: 'responses',
  images: 'images/generations',
  transcriptions: 'audio/transcriptions',
  speech: 'audio/speech',
};
