import { db } from '../db';
import type { Role } from '../generated/prisma/enums';

interface Viewer {
  id: string;
  role: Role;
}

/** Reviewers and admins see every app; members see the apps they own. */
export function seesAllApps(viewer: { role: Role }): boolean {
  return viewer.role === 'admin' || viewer.role === 'reviewer';
}

/** The `where` that scopes an app query to what the viewer may see. */
export function visibleApps(viewer: Viewer) {
  return seesAllApps(viewer) ? {} : { owners: { some: { userId: viewer.id } } };
}

export interface AppAccess {
  /** The viewer may read the app (owner, reviewer, admin). */
  view: boolean;
  owner: boolean;
  /** The viewer may change the app's keys and owners, and resubmit it (owners and admins). */
  manage: boolean;
}

const NONE: AppAccess = { view: false, owner: false, manage: false };

/** What the viewer may do with the app; `view: false` for an app they may not see or that does not exist. */
export async function appAccess(viewer: Viewer, appId: string): Promise<AppAccess> {
  if (typeof appId !== 'string' || !/^[a-z0-9]{10,40}$/.test(appId)) return NONE;
  const app = await db().app.findUnique({
    where: { id: appId },
    select: { id: true, owners: { where: { userId: viewer.id }, select: { userId: true } } },
  });
  if (!app) return NONE;
  const owner = app.owners.length > 0;
  const view = owner || seesAllApps(viewer);
  return { view, owner, manage: owner || viewer.role === 'admin' };
}
