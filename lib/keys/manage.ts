import { z } from 'zod';
import { plainText } from '../text';
import { db } from '../db';
import { audit, type Actor } from '../audit';
import { publishInvalidation } from '../events/publish';
import { DomainError } from '../errors';
import { generateKey } from './format';
import { env } from '../env';
import { graceSecondsSchema } from './grace';

export const keyNameSchema = plainText().min(1, 'is required').max(80, 'must be at most 80 characters');

function keyPrefix() {
  return env().PORTICO_KEY_PREFIX;
}

/** What a key is written through: a transaction's client. */
type Tx = Pick<ReturnType<typeof db>, 'app' | 'apiKey' | 'auditEvent'>;

interface KeyRecord {
  key: string;
  record: {
    id: string;
    name: string;
    prefix: string;
    last4: string;
    expiresAt: Date | null;
    createdAt: Date;
  };
}

/**
 * Mints a key for an approved app. The returned `key` is the only time it exists outside the caller. The row and its
 * audit entry are written in one transaction. (Positional, as scripts/bench.ts calls it.)
 */
export async function createKey(
  appId: string,
  input: { name: string; expiresInDays?: number | null },
  actor: Actor,
): Promise<KeyRecord> {
  return db().$transaction((tx) => mintKey({ tx, appId, input, actor }));
}

/** A new key's row and audit entry, in the caller's transaction (a creation's own, or a rotation's). */
async function mintKey({
  tx,
  appId,
  input,
  actor,
  rotatedFromId,
  auditDetails = {},
}: {
  tx: Tx;
  appId: string;
  input: { name: string; expiresInDays?: number | null };
  actor: Actor;
  /** The key this one replaces (a rotation). */
  rotatedFromId?: string;
  /** More of the audit entry's details (a rotation's grace). */
  auditDetails?: Record<string, unknown>;
}): Promise<KeyRecord> {
  const name = keyNameSchema.parse(input.name);
  const days =
    input.expiresInDays == null ? null : z.number().int().min(1).max(3650).parse(input.expiresInDays);
  const app = await tx.app.findUnique({ where: { id: appId }, select: { status: true } });
  if (!app) throw new DomainError('not_found', 'no such app');
  if (app.status !== 'approved')
    throw new DomainError(
      'invalid',
      `keys can only be created for approved apps (this one is ${app.status.replace('_', ' ')})`,
    );
  const k = generateKey(keyPrefix());
  const record = await tx.apiKey.create({
    data: {
      appId,
      name,
      hash: k.hash,
      prefix: k.prefix,
      last4: k.last4,
      createdById: actor.id ?? null,
      expiresAt: days ? new Date(Date.now() + days * 86_400_000) : null,
      rotatedFromId: rotatedFromId ?? null,
    },
    select: { id: true, name: true, prefix: true, last4: true, expiresAt: true, createdAt: true },
  });
  await audit(
    actor,
    rotatedFromId ? 'key.rotated' : 'key.created',
    { type: 'key', id: record.id },
    { appId, name, rotatedFromId, ...auditDetails },
    tx,
  );
  return { key: k.key, record };
}

/** Revokes a key at once (of the given app only, when appId is given: the portal's check that the key is its). */
export async function revokeKey({ keyId, actor, appId }: { keyId: string; actor: Actor; appId?: string }) {
  const key = await db().apiKey.findFirst({
    where: { id: keyId, ...(appId ? { appId } : {}) },
    select: { id: true, appId: true, revokedAt: true },
  });
  if (!key) throw new DomainError('not_found', 'no such key');
  if (!key.revokedAt) {
    await db().$transaction(async (tx) => {
      await tx.apiKey.update({ where: { id: keyId }, data: { revokedAt: new Date() } });
      await audit(actor, 'key.revoked', { type: 'key', id: keyId }, { appId: key.appId }, tx);
    });
  }
  await publishInvalidation({ keyId });
}

/**
 * Rotation: a new key (shown once) replaces the old one, which keeps working for the grace period and
 * then stops (its expiry is moved to the end of the grace; 0 = at once).
 */
export async function rotateKey({
  keyId,
  graceSeconds,
  actor,
  appId,
}: {
  keyId: string;
  graceSeconds: number;
  actor: Actor;
  appId?: string;
}) {
  const grace = graceSecondsSchema.parse(graceSeconds);
  const old = await db().apiKey.findFirst({
    where: { id: keyId, ...(appId ? { appId } : {}) },
    select: {
      id: true,
      appId: true,
      name: true,
      prefix: true,
      last4: true,
      createdAt: true,
      revokedAt: true,
      expiresAt: true,
      rotatedTo: { select: { id: true } },
    },
  });
  if (!old) throw new DomainError('not_found', 'no such key');
  if (old.revokedAt)
    throw new DomainError('invalid', 'a revoked key cannot be rotated; create a new key instead');
  if (old.rotatedTo) throw new DomainError('invalid', 'this key has already been rotated');
  if (old.expiresAt && old.expiresAt.getTime() <= Date.now())
    throw new DomainError('invalid', 'this key has expired; create a new key instead');
  const graceEnds = new Date(Date.now() + grace * 1000);
  const endsAt = old.expiresAt && old.expiresAt < graceEnds ? old.expiresAt : graceEnds;
  // The new key lives as long as the old one was meant to: rotating an expiring key must not make it eternal.
  const lifetimeDays = old.expiresAt
    ? Math.min(3650, Math.max(1, Math.ceil((old.expiresAt.getTime() - old.createdAt.getTime()) / 86_400_000)))
    : null;
  // The new key, the old one's end and the audit line together: a failure leaves neither key changed.
  const created = await db().$transaction(async (tx) => {
    const made = await mintKey({
      tx,
      appId: old.appId,
      input: { name: old.name, expiresInDays: lifetimeDays },
      actor,
      rotatedFromId: old.id,
      // How long the old key keeps working, as chosen: a reader of the log sees a leaked key's window.
      auditDetails: { graceMinutes: Math.round(grace / 60), oldKeyEndsAt: endsAt.toISOString() },
    });
    await tx.apiKey.update({ where: { id: old.id }, data: { expiresAt: endsAt } });
    return made;
  });
  await publishInvalidation({ keyId: old.id });
  return { ...created, oldKeyExpiresAt: endsAt, old: { prefix: old.prefix, last4: old.last4 } };
}
