// The app rules hold whoever calls them (portal, CLI, a future route): they live in lib/apps, not in a form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { approve, requestAccess, updatePolicy } from '../lib/apps';
import { SYSTEM } from '../lib/audit';
import { db } from '../lib/db';
import { startHarness, type Harness } from './support/portico';
import { seedApp, seedUser } from './support/seed';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const request = async (involvesPhi: boolean) => {
  const owner = await seedUser('member');
  return requestAccess(
    {
      name: `rules-${Math.random().toString(36).slice(2, 10)}`,
      description: 'd',
      useCase: 'u',
      sponsor: 's',
      expectedReturn: 'e',
      involvesPhi,
      requestedModels: ['gpt-4o-mini-2024-07-18'],
      expectedVolume: 'low',
      internalOnlyAttested: true,
    },
    owner.id,
    SYSTEM,
  );
};
const issue = async (p: Promise<unknown>) => {
  const e = await p.catch((err: unknown) => err);
  expect(e).toBeInstanceOf(ZodError);
  return (e as ZodError).issues[0];
};

describe('app rules in lib/apps', () => {
  it('an app that handles PHI is never approved with the policy off', async () => {
    const app = await request(true);
    expect(
      await issue(
        approve(
          app.id,
          {
            allowedModels: ['gpt-4o-mini-2024-07-18'],
            phiPolicy: 'off',
            rpmLimit: null,
            tpmLimit: null,
            monthlyTokenBudget: null,
            monthlyCostBudgetUsd: null,
          },
          SYSTEM,
        ),
      ),
    ).toMatchObject({ path: ['phiPolicy'] });
    expect((await db().app.findUniqueOrThrow({ where: { id: app.id } })).status).toBe('pending');
  });

  it('only configured models and adapters, each once', async () => {
    const app = await request(false);
    const base = {
      phiPolicy: 'scrub' as const,
      rpmLimit: null,
      tpmLimit: null,
      monthlyTokenBudget: null,
      monthlyCostBudgetUsd: null,
    };
    expect(
      (await issue(approve(app.id, { ...base, allowedModels: ['no-such-model'] }, SYSTEM)))?.message,
    ).toMatch(/not configured \(no-such-model\)/);
    expect(
      (
        await issue(
          approve(
            app.id,
            { ...base, allowedModels: ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini-2024-07-18'] },
            SYSTEM,
          ),
        )
      )?.message,
    ).toMatch(/twice/);
    expect(
      (
        await issue(
          approve(
            app.id,
            { ...base, allowedModels: ['gpt-4o-mini-2024-07-18'], allowedAdapters: ['nope'] },
            SYSTEM,
          ),
        )
      )?.message,
    ).toMatch(/not configured/);
  });

  it('a policy change obeys the same rules, and its review and audit are written with it', async () => {
    const { app } = await seedApp({ models: ['gpt-4o-mini-2024-07-18'] });
    expect(await issue(updatePolicy(app.id, { phiPolicy: 'off' }, SYSTEM))).toMatchObject({
      path: ['phiPolicy'],
    });
    await updatePolicy(app.id, { phiPolicy: 'redact' }, SYSTEM);
    const audits = await db().auditEvent.count({ where: { targetId: app.id, action: 'app.policy_changed' } });
    const reviews = await db().accessReview.count({ where: { appId: app.id, decision: 'policy_changed' } });
    expect([audits, reviews]).toEqual([1, 1]);
  });
});
