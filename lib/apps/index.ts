// The app domain, one data function per file (each takes one options object, but requestAccess and approve: see
// their files). Importers use this index; amendments.ts, owners.ts, queries.ts and access.ts are imported by path.
export * from './schemas';
export { requestAccess } from './request-access';
export { resubmit } from './resubmit';
export { withdraw } from './withdraw';
export { approve } from './approve';
export { reject } from './reject';
export { requestChanges } from './request-changes';
export { suspend } from './suspend';
export { reinstate } from './reinstate';
export { updatePolicy } from './update-policy';
export { setLimits } from './set-limits';
export { grantRefusal } from './four-eyes';
export { findAppByIdOrName } from './find-app';
export type { AppStatus, PhiPolicy } from '../generated/prisma/enums';
