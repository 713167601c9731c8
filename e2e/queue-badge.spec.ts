import { test, expect, type Page } from '@playwright/test';
import { countPending } from '../lib/apps/queries';
import { seedApp } from '../test/support/seed';
import { MODEL, signedIn } from './support/fixtures';

/** The number on the navigation's review-queue link (0 when it shows none). */
async function badge(p: Page): Promise<number> {
  const text = await p
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: /Review queue/ })
    .innerText();
  return Number(/\d+/.exec(text)?.[0] ?? 0);
}

test('the review-queue badge counts what waits right after each decision, and Back offers no decision already taken', async ({
  browser,
}) => {
  const first = await seedApp({ models: [MODEL], approved: false });
  const second = await seedApp({ models: [MODEL], approved: false });
  const reviewer = await signedIn(browser, 'reviewer');
  const r = reviewer.page;
  await r.goto('/review');
  expect(await badge(r)).toBe(await countPending());

  await test.step('approving takes one off the badge at once', async () => {
    await r.getByRole('link', { name: `Review ${first.app.name}` }).click();
    const before = await badge(r);
    await r.getByRole('button', { name: 'Approve' }).click();
    await expect(r.getByText(`${first.app.name}: approved.`)).toBeVisible();
    expect(await badge(r)).toBe(before - 1);
    expect(await badge(r)).toBe(await countPending());
  });

  await test.step('Back shows the request as decided, not a working Approve button', async () => {
    await r.goBack();
    await expect(r).toHaveURL(new RegExp(`/review/${first.app.id}$`));
    await expect(r.getByText('Already decided: approved')).toBeVisible();
    await expect(r.getByRole('button', { name: 'Approve' })).toHaveCount(0);
    await r.goForward();
  });

  await test.step('sending back takes one off too', async () => {
    await r.goto(`/review/${second.app.id}`);
    const before = await badge(r);
    await r.getByLabel('Reason or comment for the owner').fill('Say which wards will use it.');
    await r.getByRole('button', { name: 'Send back for changes' }).click();
    await expect(r.getByText(`${second.app.name}: changes requested.`)).toBeVisible();
    expect(await badge(r)).toBe(before - 1);
  });
  await reviewer.context.close();
});
