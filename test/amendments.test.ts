// Amendments: an approved app asks for more; four eyes decide; the proxy's grants change on approval alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import {
  approveAmendment,
  rejectAmendment,
  requestAmendment,
  withdrawAmendment,
} from '../lib/apps/amendments';
import { addOwner } from '../lib/apps/owners';
import { suspend } from '../lib/apps';
import { countPending } from '../lib/apps/queries';
import { SYSTEM, type Actor } from '../lib/audit';
import { db } from '../lib/db';
import { DomainError } from '../lib/errors';
import { startHarness, type Harness } from './support/portico';
import { seedApp, seedUser } from './support/seed';

const MINI = 'gpt-4o-mini-2024-07-18';
const BIG = 'gpt-4o-2024-05-13';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const as = (u: { id: string; email: string }): Actor => ({ id: u.id, email: u.email });
const refusal = async (p: Promise<unknown>) => {
  const e = await p.catch((err: unknown) => err);
  expect(e).toBeInstanceOf(DomainError);
  return (e as DomainError).message;
};
/** The status the proxy answers the key for a chat completion on this model. */
async function call(key: string, model: string): Promise<number> {
  const res = await fetch(`${h.base}/api/public/oai/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] }),
  });
  await res.body?.cancel();
  return res.status;
}
const ask = { models: [BIG], reason: 'The summaries need the larger model for long notes.' };

describe('amendments', () => {
  it('a pending amendment changes nothing the proxy allows; approval by another reviewer widens the grant', async () => {
    const { app, owner, key } = await seedApp({ models: [MINI] });
    const reviewer = await seedUser('reviewer');
    const before = await countPending();
    const amendment = await requestAmendment({
      appId: app.id,
      request: { ...ask, rpmLimit: 120 },
      actor: as(owner),
    });
    expect(await countPending()).toBe(before + 1);
    expect(await call(key!, BIG)).toBe(404);
    expect(await call(key!, MINI)).toBe(200);
    const row = await db().app.findUniqueOrThrow({ where: { id: app.id } });
    expect([row.allowedModels, row.rpmLimit]).toEqual([[MINI], null]);

    // One at a time, and only what the app does not have.
    expect(await refusal(requestAmendment({ appId: app.id, request: ask, actor: as(owner) }))).toMatch(
      /already waits/,
    );
    // The requester (an owner) cannot decide; nor can an admin who asked on someone else's app.
    expect(
      await refusal(
        approveAmendment({
          appId: app.id,
          amendmentId: amendment.id,
          grant: { models: [BIG] },
          actor: as(owner),
        }),
      ),
    ).toMatch(/four-eyes/);
    // Never more than was asked.
    expect(
      await refusal(
        approveAmendment({
          appId: app.id,
          amendmentId: amendment.id,
          grant: { models: [BIG], rpmLimit: 120, tpmLimit: 5 },
          actor: as(reviewer),
        }),
      ),
    ).toMatch(/not asked for/);
    await approveAmendment({
      appId: app.id,
      amendmentId: amendment.id,
      grant: { models: [BIG], rpmLimit: 120 },
      actor: as(reviewer),
    });
    const after = await db().app.findUniqueOrThrow({ where: { id: app.id } });
    expect([after.allowedModels, after.rpmLimit, after.status]).toEqual([[MINI, BIG], 120, 'approved']);
    expect(await call(key!, BIG)).toBe(200);
    expect(await countPending()).toBe(before);

    const audits = await db().auditEvent.findMany({
      where: { targetId: app.id, action: { startsWith: 'app.amendment' } },
      orderBy: { createdAt: 'asc' },
    });
    expect(audits.map((a) => [a.action, a.actorEmail])).toEqual([
      ['app.amendment_requested', owner.email],
      ['app.amendment_approved', reviewer.email],
    ]);
    const reviews = await db().accessReview.findMany({
      where: { appId: app.id },
      orderBy: { createdAt: 'asc' },
    });
    expect(reviews.map((r) => r.decision)).toEqual([
      'submitted',
      'approved',
      'amendment_requested',
      'amendment_approved',
    ]);
    // Decided once: the same decision again says so.
    expect(
      await refusal(
        rejectAmendment({
          appId: app.id,
          amendmentId: amendment.id,
          reason: 'too late',
          actor: as(reviewer),
        }),
      ),
    ).toMatch(/already approved/);
  });

  it('a rejected or withdrawn amendment leaves access as it was', async () => {
    const { app, owner, key } = await seedApp({ models: [MINI] });
    const reviewer = await seedUser('reviewer');
    const first = await requestAmendment({ appId: app.id, request: ask, actor: as(owner) });
    await rejectAmendment({
      appId: app.id,
      amendmentId: first.id,
      reason: 'Use the mini model until the pilot ends.',
      actor: as(reviewer),
    });
    expect((await db().app.findUniqueOrThrow({ where: { id: app.id } })).allowedModels).toEqual([MINI]);
    expect(await call(key!, BIG)).toBe(404);
    const second = await requestAmendment({ appId: app.id, request: ask, actor: as(owner) });
    await withdrawAmendment({ appId: app.id, amendmentId: second.id, actor: as(owner) });
    expect((await db().accessAmendment.findUniqueOrThrow({ where: { id: second.id } })).status).toBe(
      'withdrawn',
    );
    expect((await db().app.findUniqueOrThrow({ where: { id: app.id } })).allowedModels).toEqual([MINI]);
  });

  it('asks only on an approved app, for something new, with a reason; a co-owner reviewer may not decide', async () => {
    const { app, owner } = await seedApp({ models: [MINI] });
    expect(
      await refusal(
        requestAmendment({
          appId: app.id,
          request: { models: [MINI], reason: 'ten characters at least' },
          actor: as(owner),
        }),
      ),
    ).toMatch(/at least one thing the app does not have/);
    await expect(
      requestAmendment({ appId: app.id, request: { models: [BIG], reason: 'short' }, actor: as(owner) }),
    ).rejects.toBeInstanceOf(ZodError);
    await expect(
      requestAmendment({
        appId: app.id,
        request: { models: ['nope'], reason: 'a long enough reason' },
        actor: as(owner),
      }),
    ).rejects.toBeInstanceOf(ZodError);
    const coOwner = await seedUser('reviewer');
    await addOwner({ appId: app.id, email: coOwner.email, actor: SYSTEM });
    const a = await requestAmendment({ appId: app.id, request: ask, actor: as(owner) });
    expect(
      await refusal(
        approveAmendment({ appId: app.id, amendmentId: a.id, grant: { models: [BIG] }, actor: as(coOwner) }),
      ),
    ).toMatch(/you own this app/);
    // A suspended app gets nothing more, even if an amendment waited.
    await suspend({ appId: app.id, reason: 'Audit in progress', actor: SYSTEM });
    expect(
      await refusal(
        approveAmendment({ appId: app.id, amendmentId: a.id, grant: { models: [BIG] }, actor: SYSTEM }),
      ),
    ).toMatch(/suspended/);
    expect(await refusal(requestAmendment({ appId: app.id, request: ask, actor: as(owner) }))).toMatch(
      /only an approved app/,
    );
  });
});
