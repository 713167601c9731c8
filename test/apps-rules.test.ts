// The app rules hold whoever calls them (portal, CLI, a future route): they live in lib/apps, not in a form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import {
  approve,
  reinstate,
  reject,
  requestAccess,
  resubmit,
  suspend,
  updatePolicy,
  withdraw,
} from '../lib/apps';
import { addOwner } from '../lib/apps/owners';
import { createUser } from '../lib/users';
import { gatewayConfig, setGatewayConfig } from '../lib/config';
import { DomainError } from '../lib/errors';
import { SYSTEM, type Actor } from '../lib/audit';
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
  it('app names: any script, unique whatever the case, and given back by a rejected request', async () => {
    const owner = await seedUser('member');
    const ask = (name: string) =>
      requestAccess(
        {
          name,
          description: 'd',
          useCase: 'u',
          sponsor: 's',
          expectedReturn: 'e',
          involvesPhi: true,
          requestedModels: ['gpt-4o-mini-2024-07-18'],
          expectedVolume: 'low',
          internalOnlyAttested: true,
        },
        owner.id,
        SYSTEM,
      );
    const tag = Math.random().toString(36).slice(2, 8);
    const first = await ask(`Discharge Letters ${tag}`);
    await expect(ask(`discharge letters ${tag}`)).rejects.toMatchObject({ code: 'conflict', field: 'name' });
    expect((await ask(`Ward Rounds Ω ${tag}`)).name).toBe(`Ward Rounds Ω ${tag}`);
    await reject({ appId: first.id, reason: 'not this quarter, sorry', actor: SYSTEM });
    expect((await ask(`discharge letters ${tag}`)).name).toBe(`discharge letters ${tag}`);
  });

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
    expect(
      await issue(updatePolicy({ appId: app.id, policy: { phiPolicy: 'off' }, actor: SYSTEM })),
    ).toMatchObject({
      path: ['phiPolicy'],
    });
    await updatePolicy({ appId: app.id, policy: { phiPolicy: 'redact' }, actor: SYSTEM });
    const audits = await db().auditEvent.count({ where: { targetId: app.id, action: 'app.policy_changed' } });
    const reviews = await db().accessReview.count({ where: { appId: app.id, decision: 'policy_changed' } });
    expect([audits, reviews]).toEqual([1, 1]);
  });

  it('a partial policy change (the CLI setting limits) leaves the rest of the grant as it was', async () => {
    const { app } = await seedApp({
      models: ['gpt-4o-mini-2024-07-18'],
      allowedAdapters: ['openai'],
      allowByoKey: true,
      allowImages: true,
    });
    await updatePolicy({ appId: app.id, policy: { rpmLimit: 30 }, actor: SYSTEM });
    expect(
      await db().app.findUniqueOrThrow({
        where: { id: app.id },
        select: { rpmLimit: true, allowedAdapters: true, allowByoKey: true, allowImages: true },
      }),
    ).toEqual({ rpmLimit: 30, allowedAdapters: ['openai'], allowByoKey: true, allowImages: true });
  });

  it('a request asks for a model or an endpoint; an approval grants one, and only configured endpoints', async () => {
    const owner = await seedUser('member');
    const ask = (requestedModels: string[], requestedEndpoints?: string[]) =>
      requestAccess(
        {
          name: `ep-${Math.random().toString(36).slice(2, 8)}`,
          description: 'd',
          useCase: 'u',
          sponsor: 's',
          expectedReturn: 'r',
          involvesPhi: true,
          requestedModels,
          requestedEndpoints,
          expectedVolume: 'v',
          internalOnlyAttested: true,
        },
        owner.id,
        SYSTEM,
      );
    await expect(ask([])).rejects.toMatchObject({ field: 'requestedModels' });
    const empty = await ask(['gpt-4o-mini-2024-07-18']);
    const grant = {
      phiPolicy: 'scrub' as const,
      rpmLimit: null,
      tpmLimit: null,
      monthlyTokenBudget: null,
      monthlyCostBudgetUsd: null,
    };
    await expect(approve(empty.id, { ...grant, allowedModels: [] }, SYSTEM)).rejects.toMatchObject({
      field: 'allowedModels',
    });
    expect(
      (await issue(approve(empty.id, { ...grant, allowedModels: [], allowedEndpoints: ['nope'] }, SYSTEM)))
        ?.message,
    ).toMatch(/names endpoints that are not configured \(nope\)/);
    const { app } = await seedApp({ models: ['gpt-4o-mini-2024-07-18'] });
    await expect(
      updatePolicy({ appId: app.id, policy: { allowedModels: [] }, actor: SYSTEM }),
    ).rejects.toMatchObject({
      field: 'allowedModels',
    });
  });

  describe('four eyes: who grants access is not who asked for it', () => {
    const policy = {
      allowedModels: ['gpt-4o-mini-2024-07-18'],
      phiPolicy: 'scrub' as const,
      rpmLimit: null,
      tpmLimit: null,
      monthlyTokenBudget: null,
      monthlyCostBudgetUsd: null,
    };
    const as = (u: { id: string; email: string }): Actor => ({ id: u.id, email: u.email });
    const refusal = async (p: Promise<unknown>) => {
      const e = await p.catch((err: unknown) => err);
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe('forbidden');
      return (e as DomainError).message;
    };
    const requestAs = (u: { id: string; email: string }) =>
      requestAccess(
        {
          name: `four-eyes-${Math.random().toString(36).slice(2, 10)}`,
          description: 'd',
          useCase: 'u',
          sponsor: 's',
          expectedReturn: 'e',
          involvesPhi: true,
          requestedModels: ['gpt-4o-mini-2024-07-18'],
          expectedVolume: 'low',
          internalOnlyAttested: true,
        },
        u.id,
        as(u),
      );
    const status = async (id: string) => (await db().app.findUniqueOrThrow({ where: { id } })).status;

    it('a reviewer cannot approve their own request, nor one they were added to as owner', async () => {
      const reviewer = await seedUser('reviewer');
      const other = await seedUser('reviewer');
      const own = await requestAs(reviewer);
      expect(await refusal(approve(own.id, policy, as(reviewer)))).toMatch(/you own this app.*four-eyes/);
      expect(await status(own.id)).toBe('pending');

      const owner = await seedUser('member');
      const theirs = await requestAs(owner);
      await addOwner({ appId: theirs.id, email: other.email, actor: as(owner) });
      expect(await refusal(approve(theirs.id, policy, as(other)))).toMatch(/you own this app/);

      // The requester who then hands the app to someone else still may not decide it.
      const handed = await requestAs(reviewer);
      await addOwner({ appId: handed.id, email: owner.email, actor: as(reviewer) });
      await db().appOwner.delete({ where: { appId_userId: { appId: handed.id, userId: reviewer.id } } });
      expect(await refusal(approve(handed.id, policy, as(reviewer)))).toMatch(/you submitted this request/);

      await approve(own.id, policy, as(other));
      expect(await status(own.id)).toBe('approved');
    });

    it('nor reinstate or widen the policy of an app they own', async () => {
      const admin = await seedUser('admin');
      const other = await seedUser('admin');
      const app = await requestAs(admin);
      await approve(app.id, policy, as(other));
      expect(
        await refusal(updatePolicy({ appId: app.id, policy: { rpmLimit: 1000 }, actor: as(admin) })),
      ).toMatch(/four-eyes/);
      await suspend({ appId: app.id, reason: 'cost review', actor: as(other) });
      expect(await refusal(reinstate({ appId: app.id, actor: as(admin) }))).toMatch(/four-eyes/);
      expect(await status(app.id)).toBe('suspended');
      await reinstate({ appId: app.id, actor: as(other) });
      expect(await status(app.id)).toBe('approved');
    });

    it('a one-person install may allow it in the config, and every such grant is audited as self-approved', async () => {
      const before = gatewayConfig();
      setGatewayConfig({ ...before, portal: { ...before.portal, allowSelfApproval: true } });
      try {
        const admin = await seedUser('admin');
        const app = await requestAs(admin);
        await approve(app.id, policy, as(admin));
        expect(await status(app.id)).toBe('approved');
        const event = await db().auditEvent.findFirstOrThrow({
          where: { targetId: app.id, action: 'app.approved' },
        });
        expect(event.details).toMatchObject({ selfApproved: true });
      } finally {
        setGatewayConfig(before);
      }
    });

    it('the operator at the server (the CLI) may approve as a bootstrap, audited as such', async () => {
      const app = await request(false);
      await approve(app.id, policy, SYSTEM);
      const event = await db().auditEvent.findFirstOrThrow({
        where: { targetId: app.id, action: 'app.approved' },
      });
      expect(event.details).toMatchObject({ by: 'operator' });
    });
  });

  describe('the owners change their request until it is decided', () => {
    const input = (name: string) => ({
      name,
      description: 'd',
      useCase: 'u',
      sponsor: 's',
      expectedReturn: 'e',
      involvesPhi: false,
      requestedModels: ['gpt-4o-mini-2024-07-18'],
      expectedVolume: 'high',
      internalOnlyAttested: true as const,
    });

    it('a pending request is edited in place, with its history; a decided one is not', async () => {
      const app = await request(false);
      const owner = await db().appOwner.findFirstOrThrow({
        where: { appId: app.id },
        include: { user: true },
      });
      const actor = { id: owner.userId, email: owner.user.email };
      expect(await resubmit({ appId: app.id, request: input(app.name), actor })).toEqual({ edited: true });
      const saved = await db().app.findUniqueOrThrow({ where: { id: app.id } });
      expect([saved.status, saved.expectedVolume]).toEqual(['pending', 'high']);
      expect(
        await db().accessReview.count({
          where: { appId: app.id, decision: 'edited', reviewerId: owner.userId },
        }),
      ).toBe(1);
      await reject({ appId: app.id, reason: 'out of scope', actor: SYSTEM });
      const e = await resubmit({ appId: app.id, request: input(app.name), actor }).catch(
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(DomainError);
    });

    it('an open request is withdrawn (its name is free again); a decided one is not', async () => {
      const app = await request(false);
      await withdraw({ appId: app.id, actor: SYSTEM });
      expect(await db().app.findUnique({ where: { id: app.id } })).toBeNull();
      expect(
        await db().auditEvent.findFirstOrThrow({ where: { targetId: app.id, action: 'app.withdrawn' } }),
      ).toMatchObject({ details: { name: app.name } });
      const again = await requestAccess(input(app.name), (await seedUser('member')).id, SYSTEM);
      expect(again.name).toBe(app.name);

      const { app: approved } = await seedApp({ models: ['gpt-4o-mini-2024-07-18'] });
      const e = await withdraw({ appId: approved.id, actor: SYSTEM }).catch((err: unknown) => err);
      expect((e as DomainError).message).toMatch(/only an open request can be withdrawn/);
      expect(await db().app.findUnique({ where: { id: approved.id } })).not.toBeNull();
    });

    it('a rejected app takes no new owners; a missing and a disabled account get the same answer', async () => {
      const member = await seedUser('member');
      const disabled = await seedUser('member');
      await db().user.update({ where: { id: disabled.id }, data: { disabled: true } });
      const app = await request(false);
      const message = async (email: string) =>
        ((await addOwner({ appId: app.id, email, actor: SYSTEM }).catch((err: unknown) => err)) as Error)
          .message;
      const missing = await message('nobody-here@test.portico');
      expect(missing).toMatch(/cannot be added: only an active Portico account can own an app/);
      expect((await message(disabled.email)).replace(disabled.email, 'X')).toBe(
        missing.replace('nobody-here@test.portico', 'X'),
      );
      await reject({ appId: app.id, reason: 'out of scope', actor: SYSTEM });
      expect(await message(member.email)).toMatch(/a rejected app takes no new owners/);
    });
  });

  it('text reviewers read is stored without bidirectional overrides', async () => {
    const owner = await seedUser('member');
    const app = await requestAccess(
      {
        name: `bidi-${Math.random().toString(36).slice(2, 10)}`,
        description: 'Drafts \u202Esetirw\u202C letters',
        useCase: '\u2066u\u2069',
        sponsor: 's',
        expectedReturn: 'e',
        involvesPhi: false,
        requestedModels: ['gpt-4o-mini-2024-07-18'],
        expectedVolume: 'low',
        internalOnlyAttested: true,
      },
      owner.id,
      SYSTEM,
    );
    const saved = await db().app.findUniqueOrThrow({ where: { id: app.id } });
    expect([saved.description, saved.useCase]).toEqual(['Drafts setirw letters', 'u']);
  });
});

// The account rules live in lib/users too: the portal's form and the CLI go through createUser.
describe('account rules in lib/users', () => {
  it('a person creating an account gives it a password (no single sign-on here); the operator at the shell need not', async () => {
    const admin = await seedUser('admin');
    const email = `nopass-${Math.random().toString(36).slice(2, 10)}@test.portico`;
    const e = await issue(createUser({ email, role: 'member' }, { id: admin.id, email: admin.email }));
    expect(e).toMatchObject({
      path: ['password'],
      message: 'is required: single sign-on is not configured, so a password is the only way to sign in',
    });
    expect(await db().user.count({ where: { email } })).toBe(0);
    expect((await issue(createUser({ email, role: 'member', password: 'short' }, SYSTEM)))?.message).toMatch(
      /at least 12 characters/,
    );
    const made = await createUser({ email, role: 'member' }, SYSTEM);
    const saved = await db().user.findUniqueOrThrow({
      where: { id: made.id },
      select: { passwordHash: true },
    });
    expect(saved.passwordHash).toBeNull();
  });
});
