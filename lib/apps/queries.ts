import { db } from '../db';
import type { AppStatus, Role } from '../generated/prisma/enums';
import { visibleApps } from './access';

const listSelect = {
  id: true,
  name: true,
  status: true,
  description: true,
  requestedModels: true,
  allowedModels: true,
  requestedEndpoints: true,
  allowedEndpoints: true,
  allowedAdapters: true,
  allowByoKey: true,
  phiPolicy: true,
  involvesPhi: true,
  createdAt: true,
  updatedAt: true,
  owners: { select: { user: { select: { email: true } } }, orderBy: { addedAt: 'asc' as const } },
  _count: { select: { keys: { where: { revokedAt: null } } } },
  reviews: {
    orderBy: { createdAt: 'desc' as const },
    take: 1,
    select: { decision: true, reason: true, createdAt: true },
  },
};

/** The apps a user owns, newest first. */
export function listOwnedApps(userId: string) {
  return db().app.findMany({
    where: { owners: { some: { userId } } },
    orderBy: { createdAt: 'desc' },
    select: listSelect,
  });
}

/** Every app the viewer may see, filtered by status and a name search. */
export function listApps(
  viewer: { id: string; role: Role },
  filter: { status?: AppStatus; q?: string } = {},
) {
  return db().app.findMany({
    where: {
      ...visibleApps(viewer),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.q ? { name: { contains: filter.q, mode: 'insensitive' as const } } : {}),
    },
    orderBy: { createdAt: 'desc' },
    take: 500,
    select: listSelect,
  });
}

/** Pending requests, oldest first (the queue), and those sent back to their owners. */
export async function reviewQueue() {
  const [pending, sentBack] = await Promise.all([
    db().app.findMany({ where: { status: 'pending' }, orderBy: { updatedAt: 'asc' }, select: listSelect }),
    db().app.findMany({
      where: { status: 'changes_requested' },
      orderBy: { updatedAt: 'desc' },
      select: listSelect,
    }),
  ]);
  return { pending, sentBack };
}

/** What waits for a reviewer: pending requests and the amendments of approved apps. */
export async function countPending() {
  const [requests, amendments] = await Promise.all([
    db().app.count({ where: { status: 'pending' } }),
    db().accessAmendment.count({ where: { status: 'pending', app: { status: 'approved' } } }),
  ]);
  return requests + amendments;
}

/** One app with its owners and status history (no keys: see appKeys). Callers check access first. */
export function appDetail(appId: string) {
  return db().app.findUnique({
    where: { id: appId },
    include: {
      owners: {
        orderBy: { addedAt: 'asc' },
        select: { userId: true, addedAt: true, user: { select: { email: true, name: true } } },
      },
      reviews: {
        orderBy: { createdAt: 'asc' },
        select: {
          id: true,
          decision: true,
          reason: true,
          details: true,
          createdAt: true,
          reviewer: { select: { email: true } },
        },
      },
    },
  });
}
export type AppDetail = NonNullable<Awaited<ReturnType<typeof appDetail>>>;

/** An app's keys, newest first, with who created them and how they are linked by rotation. Never the hash. */
export function appKeys(appId: string) {
  return db().apiKey.findMany({
    where: { appId },
    orderBy: { createdAt: 'desc' },
    select: {
      id: true,
      name: true,
      prefix: true,
      last4: true,
      createdAt: true,
      expiresAt: true,
      revokedAt: true,
      lastUsedAt: true,
      createdBy: { select: { email: true } },
      rotatedFrom: { select: { id: true, prefix: true, last4: true } },
      rotatedTo: { select: { id: true, prefix: true, last4: true } },
    },
  });
}
export type AppKey = Awaited<ReturnType<typeof appKeys>>[number];

/** What the getting-started page fills its samples with: an app's models, adapters, endpoints and bring-your-own-key setting. */
export function appForSamples(id: string) {
  return db().app.findUnique({
    where: { id },
    select: {
      id: true,
      name: true,
      status: true,
      allowedModels: true,
      allowedAdapters: true,
      allowedEndpoints: true,
      allowByoKey: true,
    },
  });
}

/** An app's name and status (the review queue's note on the decision just taken, CSV file names). */
export function appHeadline(id: string) {
  return db().app.findUnique({ where: { id }, select: { id: true, name: true, status: true } });
}
