import { OP_PATH, type HttpProvider } from '../types';

/** OpenAI and any OpenAI-compatible server: `{baseUrl}/{op}`, model in the body, Bearer credential. */
export const openaiProvider: HttpProvider = {
  url: (provider, op) => `${provider.baseUrl}/${OP_PATH[op]}`,
  body: (body, model) => Object.assign(body, { model: model.upstreamModel }),
  credentialHeader: (key) => ['authorization', `Bearer ${key}`],
};
