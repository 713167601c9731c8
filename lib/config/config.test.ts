import { describe, expect, it } from 'vitest';
import { BUILTIN_CONFIG_YAML, ConfigError, parseConfig, resolveConfig } from '.';

const MINIMAL = `providers:
  upstream:
    type: openai-compatible
    baseUrl: http://127.0.0.1:4010/v1
    headers:
      Authorization: Bearer \${{ UPSTREAM_KEY }}
models:
  gpt-4o-mini-2024-07-18:
    provider: upstream
    upstreamModel: gpt-4o-mini
`;

describe('gateway config', () => {
  it('accepts the minimal file other tools write, resolving ${{ VAR }} from the environment', () => {
    const cfg = resolveConfig(
      { file: parseConfig(MINIMAL, 'x.yaml'), source: 'x.yaml' },
      { UPSTREAM_KEY: 'sk-1' },
    );
    const model = cfg.models.get('gpt-4o-mini-2024-07-18')!;
    expect(model.upstreamModel).toBe('gpt-4o-mini');
    expect(model.provider.headers.Authorization).toBe('Bearer sk-1');
    expect(model.provider.baseUrl).toBe('http://127.0.0.1:4010/v1');
    expect(model.provider.connectTimeoutMs).toBeGreaterThan(0);
  });

  it('stops on a missing variable, naming it and where it is used', () => {
    expect(() => resolveConfig({ file: parseConfig(MINIMAL, 'x.yaml'), source: 'x.yaml' }, {})).toThrow(
      /providers\.upstream\.headers\.Authorization needs environment variable UPSTREAM_KEY/,
    );
  });

  it('names the file, the path, the line and what is expected', () => {
    const bad = MINIMAL.replace('baseUrl: http://127.0.0.1:4010/v1', 'baseUrl: not a url');
    const err = (() => {
      try {
        parseConfig(bad, 'portico.config.yaml');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.message).toMatch(/^portico\.config\.yaml: invalid configuration/);
    expect(err?.message).toMatch(/providers\.upstream\.baseUrl \(line 4\): .*URL/i);
  });

  it('refuses a model naming an unknown provider and unknown keys', () => {
    expect(() => parseConfig(MINIMAL.replace('provider: upstream', 'provider: nope'), 'f')).toThrow(
      /models\.gpt-4o-mini-2024-07-18\.provider.*"nope"/,
    );
    expect(() => parseConfig(MINIMAL + 'surprise: 1\n', 'f')).toThrow(/surprise/);
    expect(() => parseConfig('providers: [', 'f')).toThrow(/not valid YAML/);
  });

  it('refuses a credential written into the file instead of an environment variable, without echoing it', () => {
    const leaky = MINIMAL.replace('Bearer ${{ UPSTREAM_KEY }}', 'Bearer sk-live-0123456789');
    expect(() => parseConfig(leaky, 'f')).toThrow(
      /providers\.upstream\.headers\.Authorization .*environment variable/,
    );
    expect(() => parseConfig(leaky, 'f')).not.toThrow(/sk-live/);
    expect(() =>
      parseConfig(
        MINIMAL.replace('Authorization: Bearer ${{ UPSTREAM_KEY }}', 'OpenAI-Beta: assistants=v2'),
        'f',
      ),
    ).not.toThrow();
  });

  it('runs with the built-in echo provider serving the guide’s model when there is no file', () => {
    const cfg = resolveConfig({ file: parseConfig(BUILTIN_CONFIG_YAML, 'built-in'), source: 'built-in' }, {});
    expect(cfg.models.get('gpt-4o-mini-2024-07-18')?.provider.type).toBe('echo');
  });
});
