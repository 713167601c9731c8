import { test, expect } from '@playwright/test';
import { seedApp } from '../test/support/seed';
import { MODEL, screenshot, signedIn } from './support/fixtures';

const PHONE = { width: 390, height: 844 };

test('at phone width every page of the navigation is in sight, and wide tables say they scroll', async ({
  browser,
}) => {
  const s = await seedApp({ models: [MODEL] });
  const admin = await signedIn(browser, 'admin', PHONE);
  const p = admin.page;

  await p.goto('/audit');
  const nav = p.getByRole('navigation', { name: 'Main' });
  const links = nav.getByRole('link');
  await expect(links).toHaveCount(9);
  // All nine fit in the width (the list wraps), the current one among them.
  for (const link of await links.all()) {
    await expect(link).toBeInViewport();
    const box = (await link.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
  }
  await expect(nav.getByRole('link', { name: 'Audit log' })).toHaveAttribute('aria-current', 'page');
  expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  await screenshot(p, 'audit-phone');

  // The list of all apps is wider than a phone: a line says so, and goes once the last column is in view.
  await p.goto(`/all-apps?q=${s.app.name}`);
  const cue = p.getByTestId('scroll-cue');
  await expect(cue).toHaveText('Scroll sideways for more columns →');
  await p
    .locator('table')
    .first()
    .evaluate((t) => t.parentElement!.scrollTo({ left: 10_000 }));
  await expect(cue).toHaveText('← More columns on the left');
  await screenshot(p, 'all-apps-phone');

  for (const [path, name] of [
    [`/apps/${s.app.id}`, 'app-phone'],
    ['/apps/new', 'request-access-phone'],
    ['/account', 'account-phone'],
    ['/users', 'users-phone'],
    ['/notifications', 'notifications-phone'],
  ] as const) {
    await p.goto(path);
    expect(await p.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(
      PHONE.width,
    );
    await screenshot(p, name);
  }

  // On a wide screen the same table fits and says nothing.
  await p.setViewportSize({ width: 1280, height: 860 });
  await p.goto(`/all-apps?q=${s.app.name}`);
  await expect(p.getByRole('table').first()).toBeVisible();
  await expect(cue).toHaveCount(0);
  await admin.context.close();
});
