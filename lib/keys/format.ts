import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Base62 of 32 random bytes: 43 characters, copy-paste safe (no - or _). */
function base62(bytes: Buffer): string {
  let n = BigInt('0x' + bytes.toString('hex'));
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(43, '0');
}

export interface NewKey {
  /** The full key: shown once, never stored. */
  key: string;
  hash: string;
  /** Display form parts: `prefix…last4`. */
  prefix: string;
  last4: string;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateKey(prefix: string): NewKey {
  const key = `${prefix}_${base62(randomBytes(32))}`;
  return { key, hash: hashKey(key), prefix: key.slice(0, prefix.length + 5), last4: key.slice(-4) };
}

/** Cheap shape check before any lookup: `<prefix>_` + at least 32 key characters. */
export function looksLikeKey(value: string): boolean {
  return /^[a-z][a-z0-9]{1,11}_[0-9A-Za-z]{32,128}$/.test(value);
}

export function displayKey(k: { prefix: string; last4: string }): string {
  return `${k.prefix}…${k.last4}`;
}
