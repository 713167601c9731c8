'use server';

import { refresh } from 'next/cache';
import { z } from 'zod';
import { actorOf, requireActionUser } from '@/lib/auth/session';
import { displayKey } from '@/lib/keys/format';
import { graceChoiceSchema } from '@/lib/keys/grace';
import { createKey, keyNameSchema, revokeKey, rotateKey } from '@/lib/keys/manage';
import { echo, runForm, text } from './run';
import { idOr404, requireManage } from './guard';
import type { FormState, NewKeyState } from './state';

const expirySchema = z
  .enum(['', '30', '90', '180', '365'], { error: 'is not one of the choices' })
  .transform((v) => (v === '' ? null : Number(v)));

/** What the one-time dialog shows of a key just minted. */
function shown(key: string, record: { name: string; prefix: string; last4: string; expiresAt: Date | null }) {
  return {
    key,
    name: record.name,
    display: displayKey(record),
    expiresAt: record.expiresAt?.toISOString() ?? null,
  };
}

export async function createKeyAction(_prev: NewKeyState, fd: FormData): Promise<NewKeyState> {
  const user = await requireActionUser();
  const appId = await requireManage(user, fd.get('appId'));
  return runForm(
    { name: 'Key name', expiresInDays: 'Expiry' },
    echo(fd, ['name', 'expiresInDays']),
    async () => {
      const input = z
        .object({ name: keyNameSchema, expiresInDays: expirySchema })
        .parse({ name: text(fd, 'name'), expiresInDays: text(fd, 'expiresInDays') });
      const { key, record } = await createKey(appId, input, await actorOf(user));
      refresh();
      return { ok: true, at: Date.now(), secret: shown(key, record) };
    },
  );
}

export async function rotateKeyAction(_prev: NewKeyState, fd: FormData): Promise<NewKeyState> {
  const user = await requireActionUser();
  const appId = await requireManage(user, fd.get('appId'));
  return runForm(
    { grace: 'Grace period', customMinutes: 'Minutes' },
    echo(fd, ['grace', 'customMinutes']),
    async () => {
      const keyId = idOr404(fd.get('keyId'));
      const seconds = graceChoiceSchema.parse({
        grace: text(fd, 'grace'),
        customMinutes: text(fd, 'customMinutes'),
      });
      const { key, record, oldKeyExpiresAt, old } = await rotateKey({
        keyId,
        graceSeconds: seconds,
        actor: await actorOf(user),
        appId,
      });
      refresh();
      return {
        ok: true,
        at: Date.now(),
        secret: {
          ...shown(key, record),
          oldKeyExpiresAt: oldKeyExpiresAt.toISOString(),
          oldDisplay: displayKey(old),
          oldStillWorks: oldKeyExpiresAt.getTime() > Date.now(),
        },
      };
    },
  );
}

export async function revokeKeyAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const user = await requireActionUser();
  const appId = await requireManage(user, fd.get('appId'));
  return runForm({}, undefined, async () => {
    const keyId = idOr404(fd.get('keyId'));
    await revokeKey({ keyId, actor: await actorOf(user), appId });
    refresh();
    return { ok: true, message: 'Key revoked: requests with it are refused from now on.', at: Date.now() };
  });
}
