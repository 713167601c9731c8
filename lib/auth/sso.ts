import { env } from '../env';

/** Single sign-on is configured (an OpenID Connect issuer with its client id and secret). */
export function oidcEnabled(): boolean {
  const e = env();
  return Boolean(e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET);
}
