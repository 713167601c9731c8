import { expect, test } from '@playwright/test';
import { seedApp } from '../test/support/seed';
import { screenshot } from './support/fixtures';

test('the API reference at /api documents the endpoints and performs a "try it" call with an api-key', async ({
  page,
}) => {
  const { key } = await seedApp({ models: ['gpt-4o-mini-2024-07-18'] });
  const external: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(process.env.E2E_BASE_URL!) && !r.url().startsWith('data:'))
      external.push(r.url());
  });
  await page.goto('/api');
  await expect(page.getByText('Portico public API')).toBeVisible();
  await expect(page.getByText('/api/public/v1/whoami')).toBeVisible();
  await screenshot(page, 'api-reference');

  // Swagger UI's authorization modal: the first scheme is the api-key header.
  await page.getByRole('button', { name: 'Authorize' }).first().click();
  const apiKeyScheme = page.locator('.modal-ux .auth-container').first();
  await apiKeyScheme.locator('input').fill(key!);
  await apiKeyScheme.getByRole('button', { name: 'Apply credentials' }).click();
  await apiKeyScheme.getByRole('button', { name: 'Close' }).click();

  const op = page.locator('#operations-Portico-whoami');
  await op.locator('.opblock-summary').click();
  await op.getByRole('button', { name: 'Execute' }).click();
  const response = op.locator('.responses-wrapper .live-responses-table');
  await expect(response).toContainText('200');
  await expect(response).toContainText('"models"');
  await screenshot(page, 'api-reference-try-it');
  expect(external).toEqual([]);
});
