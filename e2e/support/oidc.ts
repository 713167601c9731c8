import type { Server } from 'node:http';
import Provider from 'oidc-provider';

export interface LocalOidc {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider (npm oidc-provider) on loopback, with its development login and consent
 * pages: any login is accepted and becomes the subject; a login with an @ is also the email.
 */
export async function startLocalOidc(opts: { port: number; redirectUri: string }): Promise<LocalOidc> {
  const issuer = `http://127.0.0.1:${opts.port}`;
  const clientId = 'portico-e2e';
  const clientSecret = 'e2e-client-secret-not-a-real-one';
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [opts.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // Put the requested claims in the ID token, where next-auth reads the profile.
    conformIdTokenClaims: false,
    cookies: { keys: ['portico-e2e-oidc-cookie-key'] },
    async findAccount(_ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            email: sub.includes('@') ? sub : `${sub}@sso.test`,
            email_verified: true,
            name: `SSO ${sub.split('@')[0]}`,
          };
        },
      };
    },
  });
  const server: Server = await new Promise((resolve) => {
    const s = provider.listen(opts.port, '127.0.0.1', () => resolve(s));
  });
  return {
    issuer,
    clientId,
    clientSecret,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
