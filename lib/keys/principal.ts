import type { AppStatus, PhiPolicy } from '../generated/prisma/enums';

/** What the proxy needs to know about a verified key and its app; cached in memory. */
export interface KeyPrincipal {
  keyId: string;
  keyName: string;
  expiresAt: number | null;
  revokedAt: number | null;
  app: {
    id: string;
    name: string;
    status: AppStatus;
    allowedModels: string[];
    allowedAdapters: string[];
    allowedEndpoints: string[];
    allowByoKey: boolean;
    allowImages: boolean;
    allowAudio: boolean;
    /** Portico may keep its token maps, sealed, for stateful calls. */
    statefulPhi: boolean;
    phiPolicy: PhiPolicy;
    rpmLimit: number | null;
    tpmLimit: number | null;
    monthlyTokenBudget: number | null;
    monthlyCostBudgetUsd: number | null;
  };
}
