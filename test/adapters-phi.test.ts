import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/portico';
import { seedApp } from './support/seed';

// HTTP adapters with scrubPhi: everything a request carries is scanned under the calling app's policy (the path,
// the query, any body Portico can read as text whatever its declared type), the answer is restored, a body that
// is not text follows the adapter's binaryBodies, dot segments are refused in any spelling, and an upstream's
// redirect never sends a client (or Portico's credentials) to another host.

let h: Harness;
let scrub: string;
let block: string;
const NAME = 'Maria Gonzalez';

beforeAll(async () => {
  h = await startHarness();
  const adapters = ['openai-phi', 'files-phi'];
  scrub = (
    await seedApp({ models: ['gpt-4o-mini-2024-07-18'], phiPolicy: 'scrub', allowedAdapters: adapters })
  ).key!;
  block = (
    await seedApp({ models: ['gpt-4o-mini-2024-07-18'], phiPolicy: 'block', allowedAdapters: adapters })
  ).key!;
});
afterAll(async () => h?.close());
beforeEach(() => h.upstream.reset());

function call(path: string, key: string, init: RequestInit = {}) {
  return fetch(`${h.base}/api/public/http/${path}`, {
    ...init,
    redirect: 'manual',
    headers: { 'api-key': key, ...(init.headers as Record<string, string>) },
  });
}
const sent = () => h.upstream.received.map((r) => `${r.path}\n${r.raw}`).join('\n');

describe('scrubbed adapters', () => {
  it('scrub a JSON body sent as text/plain, keys included, and restore the answer', async () => {
    const body = JSON.stringify({ [NAME]: `Patient ${NAME}, DOB 03/04/1961`, note: 'stable' });
    const res = await call('openai-phi/echo', scrub, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body,
    });
    expect(res.status).toBe(200);
    expect(sent()).not.toContain('Gonzalez');
    expect(sent()).not.toContain('03/04/1961');
    expect(JSON.parse(await res.text())).toEqual(JSON.parse(body));
  });

  it('scrub a form, plain text of any declared type, the query and the path', async () => {
    const form = new URLSearchParams({ patient: NAME, [NAME]: 'x' }).toString();
    let res = await call(
      `openai-phi/${encodeURIComponent(NAME)}/echo?who=${encodeURIComponent(NAME)}`,
      scrub,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      },
    );
    expect(res.status).toBe(200);
    expect(decodeURIComponent(sent())).not.toContain('Gonzalez');
    expect(new URLSearchParams(await res.text()).get('patient')).toBe(NAME);
    h.upstream.reset();
    res = await call('openai-phi/echo', scrub, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain' },
      body: `Discharge summary for ${NAME}, seen 03/04/2024.`,
    });
    expect(sent()).not.toContain('Gonzalez');
    expect(await res.text()).toBe(`Discharge summary for ${NAME}, seen 03/04/2024.`);
    // Declared as bytes, but text: scanned all the same (the answer of that type goes back as it came).
    h.upstream.reset();
    res = await call('openai-phi/echo', scrub, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: `Discharge summary for ${NAME}.`,
    });
    expect(res.status).toBe(200);
    expect(sent()).not.toContain('Gonzalez');
  });

  it('refuse a body that is not text, unless the adapter forwards such bodies; block apps always', async () => {
    const bytes = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0xfe, 0x01]);
    let res = await call('openai-phi/echo', scrub, { method: 'POST', body: bytes });
    expect(res.status).toBe(415);
    expect((await res.json()).error.message).toMatch(/binaryBodies/);
    res = await call('files-phi/echo', scrub, { method: 'POST', body: bytes });
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
    res = await call('files-phi/echo', block, { method: 'POST', body: bytes });
    expect(res.status).toBe(415);
    expect((await res.json()).error.message).toMatch(/policy blocks PHI/);
    expect(h.upstream.received).toHaveLength(1);
  });

  it('under block, refuse PHI wherever it is: path, query or body', async () => {
    for (const path of [
      `openai-phi/${encodeURIComponent(NAME)}/echo`,
      `openai-phi/echo?n=${encodeURIComponent(NAME)}`,
    ]) {
      const res = await call(path, block);
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe('phi_detected');
    }
    expect(h.upstream.received).toHaveLength(0);
  });

  it('refuse dot segments in any spelling', async () => {
    // Sent as written (fetch would resolve "%2e%2e" itself before sending).
    const raw = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const u = new URL(h.base);
        http
          .get({ host: u.hostname, port: u.port, path, headers: { 'api-key': scrub } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject);
      });
    for (const p of [
      'a/..;/..;/x',
      'a/..;jsessionid=1/x',
      'a/%2e%2e/x',
      'a/.%2E/x',
      'a/%252e%252e/x',
      'a/.;/x',
    ]) {
      expect(await raw(`/api/public/http/openai-phi/${p}`), p).toBe(400);
    }
    expect(h.upstream.received).toHaveLength(0);
  });

  it('return redirects to the client: under the adapter through Portico, to another host without a Location', async () => {
    h.upstream.queue({ kind: 'status', status: 302, headers: { location: 'http://attacker.example/steal' } });
    let res = await call('openai-phi/models', scrub);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('x-portico-redirect')).toMatch(/another host/);
    expect(h.upstream.received).toHaveLength(1);
    h.upstream.queue({
      kind: 'status',
      status: 307,
      headers: { location: `${h.upstream.url}/v1/models?page=2` },
    });
    res = await call('openai-phi/models', scrub);
    expect(res.headers.get('location')).toBe('/api/public/http/openai-phi/models?page=2');
  });
});
