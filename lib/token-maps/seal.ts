import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { TokenEntries } from '../phi/session';

// A token map at rest: AES-256-GCM under a key derived from PORTICO_TOKEN_MAP_KEY (never in the database), with the
// app and the map's id as additional data, so that a row copied to another app or another map does not open.

const IV = 12;
const TAG = 16;

/** The AES key from the configured secret (any string of 32 characters or more). */
export function deriveKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'portico token maps', 'aes-256-gcm v1', 32));
}

const aad = (appId: string, mapId: string) => Buffer.from(`${appId}\u0000${mapId}`, 'utf8');

/** iv | tag | ciphertext of the entries as JSON. */
export function sealEntries(key: Buffer, appId: string, mapId: string, entries: TokenEntries): Buffer {
  const iv = randomBytes(IV);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(appId, mapId));
  const ct = Buffer.concat([cipher.update(JSON.stringify(entries), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]);
}

/** The entries sealed for this app and map; throws when the key, the app or the map is not the one sealed for. */
export function openEntries(key: Buffer, appId: string, mapId: string, sealed: Buffer): TokenEntries {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV));
  decipher.setAAD(aad(appId, mapId));
  decipher.setAuthTag(sealed.subarray(IV, IV + TAG));
  const text = Buffer.concat([decipher.update(sealed.subarray(IV + TAG)), decipher.final()]).toString('utf8');
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error('token map: not a list');
  return parsed.filter(
    (e): e is [string, string] => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'string',
  );
}
