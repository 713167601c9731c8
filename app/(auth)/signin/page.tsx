import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { currentUser, safeReturnPath } from '@/lib/auth/session';
import { oidcEnabled } from '@/lib/auth/options';
import { env } from '@/lib/env';
import { SignInForm } from '@/components/auth/sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };
export const dynamic = 'force-dynamic';

const MESSAGES: Record<string, string> = {
  CredentialsSignin: 'That email and password do not match. Check them and try again.',
  TooManyAttempts: 'Too many failed attempts. Wait a few minutes before trying again.',
  AccessDenied: 'This account is disabled. Ask an administrator.',
  NoEmail: 'Your identity provider did not share an email address, which Portico needs.',
  OAuthCallback: 'Single sign-on failed. Try again, or ask an administrator.',
  AccountNotLinked:
    'An account with your email already exists, and your identity provider did not verify that email. Ask an administrator to link your account.',
};

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ error?: string; next?: string; ended?: string }>;
}) {
  const { error, next, ended } = await searchParams;
  // Only a path on this site: a link cannot send someone elsewhere after they sign in.
  const back = safeReturnPath(next) ?? '/';
  if (await currentUser()) redirect(back);
  const message = error ? (MESSAGES[error] ?? 'Sign-in failed. Try again.') : undefined;
  const endedNote = ended && !message;
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-2xl font-semibold tracking-tight">Sign in to Portico</h1>
        <p className="mt-1 text-sm text-slate-600">
          The gateway for your organisation&apos;s AI applications.
        </p>
        {endedNote && (
          <p
            role="status"
            className="mt-4 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900"
          >
            Your session ended (signed out elsewhere, or it expired). Sign in again to continue where you
            were; a request form you were filling in was kept in this browser.
          </p>
        )}
        <SignInForm initialError={message} next={back} sso={oidcEnabled() ? env().OIDC_NAME : null} />
      </div>
    </main>
  );
}
