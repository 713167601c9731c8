import { test, expect, type Locator, type Page } from '@playwright/test';
import { seedApp } from '../test/support/seed';
import { MODEL, screenshot, signedIn, signIn } from './support/fixtures';

const PHONE = { width: 390, height: 844 };

const align = (l: Locator) => l.evaluate((el) => getComputedStyle(el).textAlign);
const width = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth);

test('the rotate and revoke dialogs read from the start of the line, and getting started fits a phone', async ({
  browser,
}) => {
  const s = await seedApp({ models: [MODEL], allowedAdapters: ['search'] });
  const ctx = await browser.newContext({ baseURL: process.env.E2E_BASE_URL, viewport: PHONE });
  const o = await ctx.newPage();
  await signIn(o, s.owner.email, s.owner.password);

  await test.step('dialogs opened from the key table’s right-aligned column are left-aligned', async () => {
    await o.goto(`/apps/${s.app.id}`);
    await o.getByRole('button', { name: /^Rotate key test/ }).click();
    const rotate = o.getByRole('dialog', { name: 'Rotate test' });
    await expect(rotate).toBeVisible();
    expect(['start', 'left']).toContain(await align(rotate.getByRole('heading')));
    await screenshot(o, 'rotate-dialog-phone');
    await o.keyboard.press('Escape');
    await o.getByRole('button', { name: /^Revoke key test/ }).click();
    const revoke = o.getByRole('dialog', { name: 'Revoke test?' });
    await expect(revoke).toBeVisible();
    expect(['start', 'left']).toContain(await align(revoke.getByRole('heading')));
    await screenshot(o, 'revoke-dialog-phone');
    await o.keyboard.press('Escape');
  });

  await test.step('getting started is no wider than the phone', async () => {
    await o.goto(`/getting-started?app=${s.app.id}`);
    await expect(o.getByRole('heading', { name: 'HTTP adapters' })).toBeVisible();
    expect(await width(o)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(o, 'getting-started-phone');
  });
  await ctx.close();
});

test('a value longer than allowed is refused in words, never with the validator’s own message', async ({
  browser,
}) => {
  const { context, page: p } = await signedIn(browser, 'member');
  await p.goto('/apps/new');
  // A script or an old browser can send more than the field's maxlength.
  await p.getByLabel('Description').evaluate((el) => el.removeAttribute('maxlength'));
  await p.getByLabel('Description').fill('x'.repeat(2001));
  await p.getByRole('button', { name: 'Submit request' }).click();
  await expect(p.getByText('Description must be at most 2,000 characters.')).toBeVisible();
  await expect(p.getByText(/Too big|expected string/)).toHaveCount(0);
  await context.close();
});
