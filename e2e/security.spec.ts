import { test, expect, type BrowserContext, type Page } from '@playwright/test';
import { seedApp, seedUser } from '../test/support/seed';
import { db } from '../lib/db';
import { callWithKey, MODEL, signedIn, signIn } from './support/fixtures';

interface Captured {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** Lets the browser send a server action but stops it on the way out, so the test can replay it as someone else. */
async function captureAction(page: Page, trigger: () => Promise<void>): Promise<Captured> {
  let captured: Captured | undefined;
  await page.route('**/*', async (route) => {
    const req = route.request();
    if (req.method() === 'POST' && req.headers()['next-action'] && !captured) {
      captured = { url: req.url(), headers: req.headers(), body: req.postDataBuffer() ?? Buffer.alloc(0) };
      await route.abort();
    } else {
      await route.continue();
    }
  });
  await trigger();
  await expect.poll(() => captured !== undefined).toBe(true);
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  return captured!;
}

function replay(ctx: BrowserContext, a: Captured, opts: { origin?: string; body?: Buffer } = {}) {
  return ctx.request.post(a.url, {
    headers: {
      'next-action': a.headers['next-action']!,
      'content-type': a.headers['content-type']!,
      accept: 'text/x-component',
      origin: opts.origin ?? new URL(a.url).origin,
      ...(a.headers['next-router-state-tree']
        ? { 'next-router-state-tree': a.headers['next-router-state-tree'] }
        : {}),
    },
    data: opts.body ?? a.body,
    maxRedirects: 0,
  });
}

test('a member cannot see or touch another owner’s app, nor review; actions check the caller and the origin', async ({
  browser,
}) => {
  const other = await seedApp({ models: [MODEL] });
  const pending = await seedApp({ models: [MODEL], approved: false });
  const mine = await seedApp({ models: [MODEL] });
  const memberCtx = await browser.newContext({ baseURL: process.env.E2E_BASE_URL });
  const m = await memberCtx.newPage();
  await signIn(m, mine.owner.email, mine.owner.password);

  await test.step('another owner’s app and the reviewer and admin pages answer 404', async () => {
    for (const path of [
      `/apps/${other.app.id}`,
      `/apps/${other.app.id}/edit`,
      '/review',
      `/review/${pending.app.id}`,
      '/all-apps',
      '/audit',
      '/users',
    ]) {
      const res = await m.goto(path);
      expect(res?.status(), path).toBe(404);
      await expect(m.getByRole('heading', { name: 'Not found' })).toBeVisible();
    }
    await expect(
      m.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Review queue/ }),
    ).toHaveCount(0);
    await m.goto(`/getting-started?app=${other.app.id}`);
    await expect(m.locator('body')).not.toContainText(other.app.name);
  });

  await test.step('pages carry a nonce CSP and the other security headers; the session cookie is HttpOnly and SameSite', async () => {
    const res = (await m.goto('/apps'))!;
    const h = res.headers();
    expect(h['content-security-policy']).toMatch(
      /script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/,
    );
    expect(h['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(h['content-security-policy']).toContain("object-src 'none'");
    expect(h['x-frame-options']).toBe('DENY');
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['referrer-policy']).toBe('same-origin');
    expect(h['cache-control']).toContain('no-store');
    const nonce = /'nonce-([^']+)'/.exec(h['content-security-policy']!)![1];
    // Every script in the page carries this response's nonce, and the browser reports no violation.
    const scripts = (await res.text()).match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((tag) => !tag.includes(`nonce="${nonce}"`))).toEqual([]);
    const violations: string[] = [];
    m.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
    });
    await m.reload();
    await m.getByRole('link', { name: 'Request access' }).first().click();
    await expect(m.getByRole('heading', { name: 'Request access' })).toBeVisible();
    expect(violations).toEqual([]);
    const session = (await memberCtx.cookies()).find((c) => c.name.endsWith('next-auth.session-token'));
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
  });

  await test.step('approving: a member’s replay gets 403, a cross-origin POST is refused, the reviewer’s own goes through', async () => {
    const reviewer = await signedIn(browser, 'reviewer');
    await reviewer.page.goto(`/review/${pending.app.id}`);
    const approve = await captureAction(reviewer.page, () =>
      reviewer.page.getByRole('button', { name: 'Approve' }).click(),
    );
    expect((await replay(memberCtx, approve)).status()).toBe(403);
    expect((await db().app.findUniqueOrThrow({ where: { id: pending.app.id } })).status).toBe('pending');
    // Next.js compares Origin with Host before running any action: this is the CSRF protection.
    const cross = await replay(reviewer.context, approve, { origin: 'https://evil.example' });
    expect(cross.status()).toBeGreaterThanOrEqual(400);
    expect((await db().app.findUniqueOrThrow({ where: { id: pending.app.id } })).status).toBe('pending');
    const own = await replay(reviewer.context, approve);
    expect(own.status()).toBe(200);
    expect((await db().app.findUniqueOrThrow({ where: { id: pending.app.id } })).status).toBe('approved');
    await reviewer.context.close();
  });

  await test.step('revoking: another owner’s key id, or app id, answers 404 and changes nothing', async () => {
    await m.goto(`/apps/${mine.app.id}`);
    await m.getByRole('button', { name: /^Revoke key test/ }).click();
    const revoke = await captureAction(m, () =>
      m.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click(),
    );
    const body = revoke.body.toString('latin1');
    expect(body).toContain(mine.keyId!);
    const swap = (s: string) => Buffer.from(s, 'latin1');
    expect(
      (await replay(memberCtx, revoke, { body: swap(body.replaceAll(mine.keyId!, other.keyId!)) })).status(),
    ).toBe(404);
    expect(
      (
        await replay(memberCtx, revoke, {
          body: swap(body.replaceAll(mine.keyId!, other.keyId!).replaceAll(mine.app.id, other.app.id)),
        })
      ).status(),
    ).toBe(404);
    expect((await db().apiKey.findUniqueOrThrow({ where: { id: other.keyId! } })).revokedAt).toBeNull();
    expect((await callWithKey(other.key!)).status).toBe(200);
    // The same request, unmodified, does revoke the member's own key.
    expect((await replay(memberCtx, revoke)).status()).toBe(200);
    expect((await db().apiKey.findUniqueOrThrow({ where: { id: mine.keyId! } })).revokedAt).not.toBeNull();
  });

  await test.step('a signed-out caller gets 401 from an action', async () => {
    const anon = await browser.newContext({ baseURL: process.env.E2E_BASE_URL });
    const stranger = await seedUser('member');
    const p = await anon.newPage();
    await signIn(p, stranger.email, stranger.password);
    await p.goto('/apps/new');
    const req = await captureAction(p, () => p.getByRole('button', { name: 'Submit request' }).click());
    await anon.clearCookies();
    expect((await replay(anon, req)).status()).toBe(401);
    await anon.close();
  });
  await memberCtx.close();
});

test('after signing in, a deep link returns to its page, and only to a page on this site', async ({
  page,
}) => {
  const pending = await seedApp({ models: [MODEL], approved: false });
  const reviewer = await seedUser('reviewer');
  await page.goto(`/review/${pending.app.id}`);
  await expect(page).toHaveURL(
    new RegExp(`/signin\\?next=${encodeURIComponent(`/review/${pending.app.id}`)}`),
  );
  await signIn(
    page,
    reviewer.email,
    reviewer.password,
    `/signin?next=${encodeURIComponent(`/review/${pending.app.id}`)}`,
  );
  await expect(page).toHaveURL(new RegExp(`/review/${pending.app.id}$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`Review ${pending.app.name}`);

  for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
    await page.goto(`/signin?next=${encodeURIComponent(next)}`);
    await expect(page).toHaveURL(/\/(apps|review)$/);
  }
});
