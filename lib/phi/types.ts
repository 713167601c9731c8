export const PHI_TYPES = [
  'NAME',
  'LOCATION',
  'DATE',
  'AGE',
  'PHONE',
  'FAX',
  'EMAIL',
  'SSN',
  'MRN',
  'HEALTH_PLAN',
  'ACCOUNT',
  'LICENSE',
  'VEHICLE',
  'DEVICE',
  'URL',
  'IP',
  'BIOMETRIC',
  'ID',
] as const;

export type PhiType = (typeof PHI_TYPES)[number];

/** UTF-16 offsets, end exclusive. */
export interface PhiEntity {
  start: number;
  end: number;
  type: PhiType;
}

export type PhiCounts = Partial<Record<PhiType, number>>;

/** A detector's raw finding; `priority` decides the type when findings overlap. */
export interface Candidate extends PhiEntity {
  priority: number;
}

export const PRIORITY: Record<PhiType, number> = {
  URL: 100,
  EMAIL: 100,
  IP: 95,
  SSN: 90,
  MRN: 90,
  HEALTH_PLAN: 90,
  ACCOUNT: 90,
  LICENSE: 90,
  VEHICLE: 90,
  DEVICE: 90,
  BIOMETRIC: 90,
  FAX: 85,
  PHONE: 80,
  ID: 75,
  AGE: 70,
  DATE: 60,
  LOCATION: 50,
  NAME: 40,
};
