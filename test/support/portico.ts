import { parseConfig, resolveConfig } from '../../lib/config';
import { startServer, type RunningServer, type ServerOptions } from '../../server';
import { startFakeUpstream, type FakeUpstream } from '../../scripts/lib/fake-upstream';

export interface Harness {
  upstream: FakeUpstream;
  portico: RunningServer;
  base: string;
  close(): Promise<void>;
}

/** The gateway config the tests run with: the minimal file, plus an Azure-typed provider. */
export function testConfigYaml(
  upstreamUrl: string,
  extra: { providers?: string; models?: string } = {},
): string {
  return `
providers:${extra.providers ?? ''}
  upstream:
    type: openai-compatible
    baseUrl: ${upstreamUrl}/v1
    headers:
      Authorization: Bearer \${{ UPSTREAM_KEY }}
  azure-up:
    type: azure
    baseUrl: ${upstreamUrl}
    apiVersion: 2024-10-21
    headers:
      api-key: \${{ UPSTREAM_KEY }}
    timeouts: { connectMs: 2000, totalMs: 3000 }
  openai-up:
    type: openai
    baseUrl: ${upstreamUrl}/v1
    headers:
      Authorization: Bearer \${{ UPSTREAM_KEY }}
models:${extra.models ?? ''}
  gpt-4o-mini-2024-07-18:
    provider: upstream
    upstreamModel: gpt-4o-mini
    price: { inputPerMillion: 0.15, outputPerMillion: 0.6 }
  azure-gpt-4o:
    provider: azure-up
    deployment: prod-gpt-4o
    price: { inputPerMillion: 2.5, outputPerMillion: 10 }
  text-embedding-3-small:
    provider: upstream
    price: { inputPerMillion: 0.02, outputPerMillion: 0 }
  gpt-4o-2024-05-13:
    provider: openai-up
    upstreamModel: gpt-4o
    price: { inputPerMillion: 2.5, outputPerMillion: 10 }
  dall-e-3:
    provider: upstream
    price: { perImage: 0.04 }
  whisper-1:
    provider: upstream
    price: { perAudioMinute: 0.006 }
  tts-1:
    provider: upstream
    price: { perMillionCharacters: 15 }
compatChat:
  defaultModel: gpt-4o-mini-2024-07-18
adapters:
  openai:
    baseUrl: ${upstreamUrl}
    headers:
      Authorization: Bearer \${{ OPENAI_API_TOKEN }}
      OpenAI-Organization: \${{ OPENAI_ORG_ID }}
    timeoutMs: 1500
  openai-phi:
    baseUrl: ${upstreamUrl}/v1
    headers:
      Authorization: Bearer \${{ OPENAI_API_TOKEN }}
    scrubPhi: true
  files-phi:
    baseUrl: ${upstreamUrl}/v1
    headers:
      Authorization: Bearer \${{ OPENAI_API_TOKEN }}
    scrubPhi: true
    binaryBodies: true
`;
}

export const UPSTREAM_KEY = 'sk-upstream-secret-for-tests';
export const ADAPTER_TOKEN = 'sk-adapter-secret-for-tests';
/** The environment variables testConfigYaml names. */
export const TEST_SECRETS = { UPSTREAM_KEY, OPENAI_API_TOKEN: ADAPTER_TOKEN, OPENAI_ORG_ID: 'org-test' };

/** A fake upstream and Portico's proxy (in this process, no portal) in front of it. */
export async function startHarness(
  opts: Partial<ServerOptions> & { yaml?: (upstreamUrl: string) => string } = {},
): Promise<Harness> {
  const upstream = await startFakeUpstream();
  const yaml = (opts.yaml ?? testConfigYaml)(upstream.url);
  const config = resolveConfig(
    { file: parseConfig(yaml, 'test config'), source: 'test config' },
    { ...process.env, ...TEST_SECRETS },
  );
  const portico = await startServer({
    port: 0,
    host: '127.0.0.1',
    portal: false,
    config,
    drainMs: 2_000,
    usage: { flushIntervalMs: 50 },
    ...opts,
  });
  return {
    upstream,
    portico,
    base: portico.url,
    async close() {
      await portico.close();
      await upstream.close();
    },
  };
}
