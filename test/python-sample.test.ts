import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/portico';
import { seedApp } from './support/seed';

/** The guide's Python sample, unchanged but for the URL and the key. */
const SAMPLE = (endpoint: string, key: string) => `from openai import AzureOpenAI

client = AzureOpenAI(
    api_version='2025-01-01-preview',
    api_key='${key}',
    azure_endpoint="${endpoint}",
)

completion = client.chat.completions.create(
    model='gpt-4o-mini-2024-07-18',
    messages=[
        {
            "role": "user",
            "content": "How do I output all files in a directory using Python?",
        },
    ],
)
print(completion.to_json())
`;

const PY = path.resolve(import.meta.dirname, '..', '.data', 'pyvenv', 'bin', 'python');

describe('the guide’s Python AzureOpenAI sample', () => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    // Made by `npm run test:integration` (scripts/python-env.sh) before the tests start.
    if (!existsSync(PY)) throw new Error(`${PY} is missing: run bash scripts/python-env.sh`);
    h = await startHarness();
    key = (await seedApp({ models: ['gpt-4o-mini-2024-07-18'] })).key!;
  });
  afterAll(async () => h?.close());

  it('gets an answer through Portico', async () => {
    // Async: the server under test runs in this process and must keep serving while Python waits.
    const { stdout: out } = await promisify(execFile)(PY, ['-c', SAMPLE(`${h.base}/api/public/oai`, key)], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const completion = JSON.parse(out) as { choices: { message: { content: string } }[] };
    expect(completion.choices[0]!.message.content).toBe(
      'How do I output all files in a directory using Python?',
    );
    expect(h.upstream.received.at(-1)!.path).toBe('/v1/chat/completions');
  });
});
