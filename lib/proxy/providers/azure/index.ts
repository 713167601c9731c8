import { OP_PATH, type HttpProvider } from '../types';

/**
 * Azure OpenAI: deployment-scoped paths with `api-version` (the client's, else the provider's); the
 * Responses API lives on Azure's v1 surface with the deployment as the body's model.
 */
export const azureProvider: HttpProvider = {
  url: (provider, op, model, apiVersion) => {
    if (op === 'responses') return `${provider.baseUrl}/openai/v1/responses`;
    const version = encodeURIComponent(apiVersion ?? provider.apiVersion ?? '2025-01-01-preview');
    return `${provider.baseUrl}/openai/deployments/${encodeURIComponent(model.deployment)}/${OP_PATH[op]}?api-version=${version}`;
  },
  body: (body, model) => Object.assign(body, { model: model.deployment }),
  credentialHeader: (key) => ['api-key', key],
};
