import { db } from '../db';
import type { KeyPrincipal } from './principal';

/** Reads a key and its app's policy by the key's hash (the only lookup the proxy makes). */
export async function loadPrincipal(hash: string): Promise<KeyPrincipal | null> {
  const k = await db().apiKey.findUnique({
    where: { hash },
    select: {
      id: true,
      name: true,
      expiresAt: true,
      revokedAt: true,
      app: {
        select: {
          id: true,
          name: true,
          status: true,
          allowedModels: true,
          allowedAdapters: true,
          allowedEndpoints: true,
          allowByoKey: true,
          allowImages: true,
          allowAudio: true,
          statefulPhi: true,
          phiPolicy: true,
          rpmLimit: true,
          tpmLimit: true,
          monthlyTokenBudget: true,
          monthlyCostBudgetUsd: true,
        },
      },
    },
  });
  if (!k) return null;
  return {
    keyId: k.id,
    keyName: k.name,
    expiresAt: k.expiresAt?.getTime() ?? null,
    revokedAt: k.revokedAt?.getTime() ?? null,
    app: {
      ...k.app,
      monthlyTokenBudget: k.app.monthlyTokenBudget === null ? null : Number(k.app.monthlyTokenBudget),
    },
  };
}
