import { test, expect, type Locator, type Page } from '@playwright/test';
import { SYSTEM } from '../lib/audit';
import { db } from '../lib/db';
import { createKey } from '../lib/keys/manage';
import { BUCKETS } from '../lib/usage/histogram';
import { seedApp, uid } from '../test/support/seed';
import { formatCell, longDay } from '../components/usage/format';
import { download, MODEL, screenshot, signedIn, signIn } from './support/fixtures';

const BIG = 'gpt-4o';
const DAY_MS = 86_400_000;
const dayOf = (back: number) => new Date(Date.now() - back * DAY_MS).toISOString().slice(0, 10);
const int = (n: number) => new Intl.NumberFormat('en-US').format(n);

/** The cells of an HTML table's rows (header row included), as text. */
async function tableText(table: Locator): Promise<string[][]> {
  return table
    .locator('tr')
    .evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('th,td')].map((c) => c.textContent!.trim())),
    );
}

/** The headline number under a label. */
function stat(page: Page, label: string) {
  return page.locator(
    `xpath=//dl[@aria-label="Totals for the range"]//dt[normalize-space()="${label}"]/following-sibling::dd[1]`,
  );
}

/** Sums from the database itself, not from the portal's queries. */
async function sums(where: { appId?: string; from: string; to: string }) {
  const rows = await db().usageDaily.findMany({
    where: {
      ...(where.appId ? { appId: where.appId } : {}),
      day: { gte: new Date(`${where.from}T00:00:00Z`), lte: new Date(`${where.to}T00:00:00Z`) },
    },
  });
  const total = { requests: 0, errors: 0, prompt: 0, completion: 0, cost: 0 };
  const byDay = new Map<string, typeof total>();
  const byDayModel = new Map<string, number>();
  // Calls that reached no model are counted apart.
  const other = { requests: 0, errors: 0 };
  for (const r of rows) {
    if (r.model === '-' || r.model === '') {
      other.requests += r.requests;
      other.errors += r.errors;
      continue;
    }
    const day = r.day.toISOString().slice(0, 10);
    const d = byDay.get(day) ?? { requests: 0, errors: 0, prompt: 0, completion: 0, cost: 0 };
    for (const t of [total, d]) {
      t.requests += r.requests;
      t.errors += r.errors;
      t.prompt += Number(r.promptTokens);
      t.completion += Number(r.completionTokens);
      t.cost += r.costUsd;
    }
    byDay.set(day, d);
    byDayModel.set(`${day} ${r.model}`, (byDayModel.get(`${day} ${r.model}`) ?? 0) + r.requests);
  }
  return { total, byDay, byDayModel, other };
}

/** Rollup rows for days, models and keys (with latency histograms), and image / audio request records. */
async function seedUsage(appId: string, keys: string[]) {
  const rows = [];
  for (const back of [0, 1, 2, 3, 5, 6, 8, 12, 20, 40]) {
    for (const [mi, model] of [MODEL, BIG].entries()) {
      for (const [ki, keyId] of keys.entries()) {
        const requests = 5 + ((back * 7 + mi * 3 + ki * 5) % 11);
        const promptTokens = requests * 120 + back * 10;
        const completionTokens = requests * 40 + mi * 5;
        const buckets = new Array<number>(BUCKETS).fill(0);
        buckets[4] = requests - 3;
        buckets[6] = 2;
        buckets[8] = 1;
        rows.push({
          day: new Date(`${dayOf(back)}T00:00:00Z`),
          appId,
          model,
          keyId,
          requests,
          errors: (back + mi + ki) % 3 === 0 ? 1 : 0,
          promptTokens: BigInt(promptTokens),
          completionTokens: BigInt(completionTokens),
          costUsd:
            mi === 0
              ? (promptTokens * 0.15 + completionTokens * 0.6) / 1e6
              : (promptTokens * 2.5 + completionTokens * 10) / 1e6,
          latencyMsSum: BigInt(requests * 120),
          latencyBuckets: buckets,
          phiEntities: 0,
        });
      }
    }
  }
  // Refused before a model or key was known.
  rows.push({
    day: new Date(`${dayOf(2)}T00:00:00Z`),
    appId,
    model: '-',
    keyId: '',
    requests: 2,
    errors: 2,
    promptTokens: 0n,
    completionTokens: 0n,
    costUsd: 0,
    latencyMsSum: 4n,
    latencyBuckets: [2, ...new Array<number>(BUCKETS - 1).fill(0)],
    phiEntities: 0,
  });
  await db().usageDaily.createMany({ data: rows });
  const event = (back: number, model: string, unit: string, units: number, op: string) => ({
    requestId: `e2e-${uid()}${uid()}`,
    createdAt: new Date(Date.now() - back * DAY_MS),
    appId,
    keyId: keys[0]!,
    model,
    operation: op,
    route: `/api/public/oai/v1/${op}`,
    status: 200,
    latencyMs: 900,
    units,
    unit,
  });
  await db().usageEvent.createMany({
    data: [
      event(1, BIG, 'images', 2, 'images/generations'),
      event(1, BIG, 'images', 1, 'images/generations'),
      event(2, BIG, 'images', 4, 'images/generations'),
      event(2, MODEL, 'seconds', 12.5, 'audio/transcriptions'),
    ],
  });
}

test('usage charts: the app page and the org-wide page show the database numbers, and the CSV matches', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const s = await seedApp({ models: [MODEL, BIG], rpmLimit: 600, tpmLimit: 100_000 });
  const formula = await createKey(s.app.id, { name: '=HYPERLINK("http://evil.example","click")' }, SYSTEM);
  await seedUsage(s.app.id, [s.keyId!, formula.record.id]);
  // Budgets: 90% of this month's tokens used, and half of the cost budget.
  const month = await sums({ appId: s.app.id, from: `${dayOf(0).slice(0, 7)}-01`, to: dayOf(0) });
  const tokenBudget = Math.ceil((month.total.prompt + month.total.completion) / 0.9);
  await db().app.update({
    where: { id: s.app.id },
    data: {
      monthlyTokenBudget: BigInt(tokenBudget),
      monthlyCostBudgetUsd: Math.ceil(month.total.cost * 200) / 100,
    },
  });
  const other = await seedApp({ models: [MODEL] });

  const ctx = await browser.newContext({ baseURL: process.env.E2E_BASE_URL });
  const o = await ctx.newPage();
  await signIn(o, s.owner.email, s.owner.password);

  await test.step('a spent budget is said at the top of the app page', async () => {
    await o.goto(`/apps/${s.app.id}`);
    await expect(o.getByText('Monthly budget spent')).toHaveCount(0);
    const used = month.total.prompt + month.total.completion;
    await db().app.update({
      where: { id: s.app.id },
      data: { monthlyTokenBudget: BigInt(Math.floor(used / 2)) },
    });
    await o.reload();
    const alert = o.getByRole('alert').filter({ hasText: 'Monthly budget spent' });
    await expect(alert).toContainText(`its ${int(Math.floor(used / 2))} tokens`);
    await expect(alert).toContainText('refused with 429 until the month ends');
    await db().app.update({ where: { id: s.app.id }, data: { monthlyTokenBudget: BigInt(tokenBudget) } });
  });

  await test.step('the app page: totals, budgets, charts and table alternatives for the last 30 days', async () => {
    await o.goto(`/apps/${s.app.id}`);
    const usage = o.getByRole('region', { name: 'Usage' });
    await expect(usage.getByRole('link', { name: '30 days' })).toHaveAttribute('aria-current', 'page');
    const want = await sums({ appId: s.app.id, from: dayOf(29), to: dayOf(0) });
    await expect(stat(o, 'Requests')).toHaveText(int(want.total.requests));
    await expect(stat(o, 'Tokens in')).toHaveText(int(want.total.prompt));
    await expect(stat(o, 'Tokens out')).toHaveText(int(want.total.completion));
    await expect(stat(o, 'Cost')).toHaveText(formatCell(want.total.cost, 'usd'));
    await expect(stat(o, 'Error rate')).toHaveText(
      formatCell((want.total.errors / want.total.requests) * 100, 'pct'),
    );
    await expect(stat(o, 'Images generated')).toHaveText('7');
    await expect(stat(o, 'Audio transcribed (seconds)')).toHaveText('12.5');

    const tokensMeter = usage.getByRole('meter', { name: 'Monthly token budget' });
    const used = month.total.prompt + month.total.completion;
    await expect(tokensMeter).toHaveAttribute(
      'aria-valuetext',
      `${int(used)} of ${int(tokenBudget)}, 90%, ${int(tokenBudget - used)} left`,
    );
    // Calls that reached no model are shown apart, not in the requests and the error rate.
    expect(want.other).toEqual({ requests: 2, errors: 2 });
    await expect(usage.getByTestId('other-calls')).toContainText(
      'Not counted above: 2 other API calls (2 refused) that reached no model',
    );
    await expect(usage.getByRole('meter', { name: 'Monthly cost budget' })).toBeVisible();
    await expect(usage).toContainText('600 requests/min · 100,000 tokens/min');

    // Every chart is drawn (an SVG with bars or lines), titled, with a CSV link and a table.
    for (const name of [
      'Requests per day by model',
      'Cost per day by model',
      'Tokens per day',
      'Latency per day',
      'Error rate per day',
    ]) {
      const fig = usage.getByRole('figure', { name });
      await expect(fig.locator('svg.recharts-surface').first()).toBeVisible();
      await expect(fig.locator('.recharts-bar-rectangle, .recharts-line-curve').first()).toBeAttached();
      await expect(fig.getByRole('link', { name: `CSV of ${name}` })).toBeVisible();
    }

    // A day's values in the table alternative are the database's.
    const day = dayOf(1);
    const tokens = usage.getByRole('figure', { name: 'Tokens per day' });
    await tokens.getByText('Show the numbers as a table').click();
    const row = tokens.getByRole('row', { name: new RegExp(longDay(day)) });
    const d = want.byDay.get(day)!;
    await expect(row.getByRole('cell')).toHaveText([
      int(d.prompt),
      int(d.completion),
      int(d.prompt + d.completion),
    ]);
    await screenshot(o, 'usage-app');
  });

  await test.step('the CSV of a chart is the table of that chart, and both are the database', async () => {
    const usage = o.getByRole('region', { name: 'Usage' });
    const fig = usage.getByRole('figure', { name: 'Requests per day by model' });
    const csv = await download(o, fig.getByRole('link', { name: 'CSV of Requests per day by model' }));
    await fig.getByText('Show the numbers as a table').click();
    const html = await tableText(fig.getByRole('table'));
    expect(csv[0]).toEqual(html[0]);
    expect(csv[0]![0]).toBe('Day (UTC)');
    expect(csv.length).toBe(31); // header + 30 days
    const want = await sums({ appId: s.app.id, from: dayOf(29), to: dayOf(0) });
    const models = csv[0]!.slice(1, -1);
    expect(new Set(models)).toEqual(new Set([MODEL, BIG]));
    for (const [i, line] of csv.slice(1).entries()) {
      const [day, ...values] = line;
      expect(html[i + 1]).toEqual([longDay(day!), ...values.map((v) => formatCell(Number(v), 'int'))]);
      const raw = (m: string) => want.byDayModel.get(`${day} ${m}`) ?? 0;
      expect(values.slice(0, -1).map(Number)).toEqual(models.map(raw));
      expect(Number(values.at(-1))).toBe(want.byDay.get(day!)?.requests ?? 0);
    }
  });

  await test.step('split by key: keys by name and prefix…last4; the CSV neutralises formulas', async () => {
    const usage = o.getByRole('region', { name: 'Usage' });
    await usage.getByRole('link', { name: 'Key', exact: true }).click();
    await expect(o).toHaveURL(/split=key/);
    await expect(usage.getByRole('figure', { name: 'Requests per day by key' })).toBeVisible();
    const keys = await db().apiKey.findMany({ where: { appId: s.app.id } });
    const byKey = usage.getByRole('table', { name: 'By key', exact: true });
    for (const k of keys) await expect(byKey).toContainText(`${k.prefix}…${k.last4}`);
    const csv = await download(o, usage.getByRole('link', { name: 'CSV of By key' }));
    expect(csv[0]!.slice(0, 3)).toEqual(['Key', 'Key id', 'Requests']);
    const evil = csv.find((r) => r[1] === `${formula.record.prefix}…${formula.record.last4}`)!;
    expect(evil[0]).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(csv.some((r) => r[0] === 'test')).toBe(true);
  });

  await test.step('a custom range and a preset are in the URL; an empty range says so', async () => {
    const usage = o.getByRole('region', { name: 'Usage' });
    await usage.getByLabel('From (UTC)').fill(dayOf(45));
    await usage.getByLabel('To (UTC, inclusive)').fill(dayOf(0));
    await usage.getByRole('button', { name: 'Show' }).click();
    await expect(o).toHaveURL(new RegExp(`from=${dayOf(45)}&to=${dayOf(0)}`));
    await expect(o).toHaveURL(/split=key/);
    const wide = await sums({ appId: s.app.id, from: dayOf(45), to: dayOf(0) });
    await expect(stat(o, 'Requests')).toHaveText(int(wide.total.requests));

    await usage.getByRole('link', { name: '7 days' }).click();
    await expect(o).toHaveURL(/range=7/);
    const week = await sums({ appId: s.app.id, from: dayOf(6), to: dayOf(0) });
    await expect(stat(o, 'Requests')).toHaveText(int(week.total.requests));

    await o.goto(`/apps/${s.app.id}?from=2020-01-01&to=2020-01-31`);
    await expect(usage.getByText('No usage in this range')).toBeVisible();
    await o.goto(`/apps/${s.app.id}?from=2020-02-01&to=2020-01-01`);
    await expect(
      usage.getByText('The start of the range is after its end. Showing the last 30 days.'),
    ).toBeVisible();

    await o.goto(`/apps/${s.app.id}?range=30`);
    await o.setViewportSize({ width: 820, height: 1180 });
    await screenshot(o, 'usage-app-tablet');
  });

  await test.step('exports check the session and the app: another owner’s app is 404, signed out is 401', async () => {
    const q = `chart=requests&from=${dayOf(29)}&to=${dayOf(0)}`;
    expect((await o.request.get(`/api/usage/apps/${other.app.id}?${q}`)).status()).toBe(404);
    expect((await o.request.get(`/api/usage/apps/nosuchapp0000?${q}`)).status()).toBe(404);
    expect((await o.request.get(`/api/usage/apps/${s.app.id}?chart=nope&${q.slice(15)}`)).status()).toBe(400);
    expect((await o.request.get(`/api/usage/org?chart=apps`)).status()).toBe(404);
    expect((await o.goto('/usage'))?.status()).toBe(404);
    const anon = await browser.newContext({ baseURL: process.env.E2E_BASE_URL });
    expect((await anon.request.get(`/api/usage/apps/${s.app.id}?${q}`)).status()).toBe(401);
    await anon.close();
  });
  await ctx.close();

  await test.step('the org-wide page: totals, top apps and apps near their budget, for reviewers', async () => {
    const reviewer = await signedIn(browser, 'reviewer');
    const r = reviewer.page;
    await r.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Usage' }).click();
    await expect(r.getByRole('heading', { name: 'Usage', level: 1 })).toBeVisible();
    // Other specs' calls may still be landing: compare once the page and the database agree.
    await expect
      .poll(async () => {
        const want = await sums({ from: dayOf(29), to: dayOf(0) });
        await r.reload();
        return (await stat(r, 'Requests').textContent()) === int(want.total.requests);
      })
      .toBe(true);
    const mine = await sums({ appId: s.app.id, from: dayOf(29), to: dayOf(0) });
    const appRow = r
      .getByRole('table', { name: 'Usage by app' })
      .getByRole('row', { name: new RegExp(s.app.name) });
    await expect(appRow.getByRole('cell').first()).toHaveText(int(mine.total.requests));

    const near = r.getByRole('list', { name: /Apps near their monthly budget/ });
    await expect(near.getByRole('meter', { name: `Tokens of ${s.app.name}` })).toHaveAttribute(
      'aria-valuetext',
      /, 90%, [\d,]+ left$/,
    );

    const top = r.getByRole('figure', { name: 'Top 10 apps by cost' });
    await expect(top.locator('.recharts-bar-rectangle').first()).toBeAttached();
    const csv = await download(r, top.getByRole('link', { name: 'CSV of Top 10 apps by cost' }));
    await top.getByText('Show the numbers as a table').click();
    const html = await tableText(top.getByRole('table'));
    expect(csv[0]).toEqual(['App', 'Cost (USD)', 'Requests', 'Tokens']);
    expect(html.map((row) => row[0])).toEqual(csv.map((row) => row[0]));
    for (const [i, line] of csv.slice(1).entries())
      expect(html[i + 1]!.slice(1)).toEqual([
        formatCell(Number(line[1]), 'usd'),
        int(Number(line[2])),
        int(Number(line[3])),
      ]);
    // The top ten costs are the database's ten largest per app.
    const costs = await db().usageDaily.groupBy({
      by: ['appId'],
      where: { day: { gte: new Date(`${dayOf(29)}T00:00:00Z`) } },
      _sum: { costUsd: true },
    });
    const largest = costs
      .map((c) => c._sum.costUsd ?? 0)
      .filter((c) => c > 0)
      .sort((a, b) => b - a)
      .slice(0, 10);
    expect(csv.slice(1).map((l) => Number(l[1]))).toEqual(largest.map((c) => Math.round(c * 1e6) / 1e6));
    await r.setViewportSize({ width: 1280, height: 900 });
    await screenshot(r, 'usage-org');
    await reviewer.context.close();
  });
});
