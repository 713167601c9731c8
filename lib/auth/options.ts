import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { db } from '../db';
import { env } from '../env';
import { audit } from '../audit';
import { dummyHash, verifyPassword } from './password';
import { endSession, SESSION_MAX_AGE_S, startSession } from './sessions';
import { lockedFor, recordFailure, recordSuccess, signinKeys } from './throttle';
import { withoutBidiControls } from '../text';
import { oidcEnabled } from './sso';

/** The client's address, as server.ts stamped it on the request (x-portico-client-ip; callers cannot set it). */
function clientIp(headers: Record<string, unknown> | undefined): string {
  const ip = headers?.['x-portico-client-ip'];
  return typeof ip === 'string' && ip ? ip : 'unknown';
}

export const OIDC_ID = 'oidc';

export { oidcEnabled };

function providers(): NextAuthOptions['providers'] {
  const list: NextAuthOptions['providers'] = [
    CredentialsProvider({
      id: 'credentials',
      name: 'Email and password',
      credentials: {
        email: { label: 'Email', type: 'email' },
        password: { label: 'Password', type: 'password' },
      },
      async authorize(credentials, req) {
        const email = String(credentials?.email ?? '')
          .trim()
          .toLowerCase()
          .slice(0, 254);
        const password = String(credentials?.password ?? '').slice(0, 256);
        const ip = clientIp(req?.headers as Record<string, unknown> | undefined);
        const keys = signinKeys(email, ip);
        if (!email || !password) return null;
        if (lockedFor(keys) > 0) throw new Error('TooManyAttempts');
        const user = await db().user.findUnique({ where: { email }, omit: { passwordHash: false } });
        const ok =
          user && !user.disabled
            ? await verifyPassword(user.passwordHash, password)
            : (await verifyPassword(await dummyHash(), password), false);
        if (!ok || !user) {
          if (recordFailure(keys)) {
            await audit(
              { email, ip },
              'auth.signin_failure_burst',
              user ? { type: 'user', id: user.id } : null,
              { attempts: 5 },
            );
          }
          return null;
        }
        recordSuccess(email, ip);
        await db().user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
        return { id: user.id, email: user.email, name: user.name ?? user.email };
      },
    }),
  ];
  if (oidcEnabled()) {
    const issuer = env().OIDC_ISSUER!.replace(/\/+$/, '');
    list.push({
      id: OIDC_ID,
      name: env().OIDC_NAME,
      type: 'oauth',
      wellKnown: `${issuer}/.well-known/openid-configuration`,
      authorization: { params: { scope: 'openid email profile' } },
      idToken: true,
      checks: ['pkce', 'state'],
      clientId: env().OIDC_CLIENT_ID,
      clientSecret: env().OIDC_CLIENT_SECRET,
      profile(profile: { sub: string; email?: string; name?: string }) {
        return { id: profile.sub, email: profile.email ?? null, name: profile.name ?? profile.email ?? null };
      },
    });
  }
  return list;
}

export function authOptions(): NextAuthOptions {
  return {
    secret: env().NEXTAUTH_SECRET,
    // The cookie is a signed JWT naming a row of `sessions`; currentUser() checks that row on every request,
    // so ending sessions (sign-out, password change, role change, disabling) takes effect at once.
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_S },
    events: {
      async signOut({ token }) {
        if (typeof token?.sid === 'string') await endSession(token.sid);
      },
    },
    pages: { signIn: '/signin', error: '/signin' },
    providers: providers(),
    callbacks: {
      async signIn({ user, account, profile }) {
        if (account?.provider !== OIDC_ID) return true;
        // SSO: the first sign-in creates a member; later ones find the same user by subject, then email.
        const issuer = env().OIDC_ISSUER!;
        const subject = `${issuer}|${account.providerAccountId}`;
        const email = (user.email ?? (profile as { email?: string } | undefined)?.email ?? '').toLowerCase();
        if (!email) return '/signin?error=NoEmail';
        const bySubject = await db().user.findUnique({ where: { ssoSubject: subject } });
        let existing = bySubject;
        if (!existing) {
          // Link to an account by email only when the identity provider vouches for the address and the
          // account is not already bound to another SSO identity: an editable, unverified email claim
          // must never open someone else's account (the "nOAuth" takeover).
          const byEmail = await db().user.findUnique({ where: { email } });
          if (byEmail) {
            const verified = (profile as { email_verified?: unknown } | undefined)?.email_verified === true;
            if (!verified || (byEmail.ssoSubject && byEmail.ssoSubject !== subject))
              return '/signin?error=AccountNotLinked';
            existing = byEmail;
          }
        }
        if (existing?.disabled) return '/signin?error=AccessDenied';
        const linking = existing && existing.ssoSubject !== subject ? existing : undefined;
        const saved = linking
          ? // An account opened to single sign-on for the first time, and its audit entry, together.
            await db().$transaction(async (tx) => {
              const linked = await tx.user.update({
                where: { id: linking.id },
                data: { ssoSubject: subject, lastLoginAt: new Date() },
              });
              await audit(
                { id: linking.id, email: linking.email },
                'user.sso_linked',
                { type: 'user', id: linking.id },
                { issuer },
                tx,
              );
              return linked;
            })
          : existing
            ? await db().user.update({ where: { id: existing.id }, data: { lastLoginAt: new Date() } })
            : // The new member and its audit entry together.
              await db().$transaction(async (tx) => {
                const created = await tx.user.create({
                  data: {
                    email,
                    name: user.name ? withoutBidiControls(user.name).trim().slice(0, 200) || null : null,
                    role: 'member',
                    ssoSubject: subject,
                    lastLoginAt: new Date(),
                  },
                });
                await audit(
                  { id: created.id, email },
                  'user.created_by_sso',
                  { type: 'user', id: created.id },
                  { role: 'member' },
                  tx,
                );
                return created;
              });
        user.id = saved.id;
        return true;
      },
      async jwt({ token, user, account }) {
        if (account?.provider === OIDC_ID) {
          const sso = await db().user.findUnique({
            where: { ssoSubject: `${env().OIDC_ISSUER}|${account.providerAccountId}` },
            select: { id: true },
          });
          token.uid = sso?.id;
        } else if (user) {
          token.uid = user.id;
        }
        // A sign-in (user or account present) opens a session row; later calls keep the token's.
        if ((user || account) && typeof token.uid === 'string') token.sid = await startSession(token.uid);
        return token;
      },
      async session({ session, token }) {
        const s = session as { uid?: unknown; sid?: unknown };
        s.uid = token.uid;
        s.sid = token.sid;
        return session;
      },
    },
  };
}
