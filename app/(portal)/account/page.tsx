import type { Metadata } from 'next';
import { requireUser } from '@/lib/auth/session';
import { countSessions } from '@/lib/auth/sessions';
import { accountOf } from '@/lib/users';
import { signOutEverywhereAction } from '../_actions/account';
import { ChangePasswordForm } from '@/components/users/account-forms';
import { Alert } from '@/components/ui/alert';
import { buttonClass } from '@/components/ui/button';
import { DefinitionList, PageHeader, Section } from '@/components/ui/card';

export const metadata: Metadata = { title: 'Your account' };

export default async function AccountPage() {
  const user = await requireUser(undefined, { passwordChange: true });
  const [account, sessions] = await Promise.all([accountOf(user.id), countSessions(user.id)]);
  return (
    <>
      <PageHeader
        title="Your account"
        description="Your sign-in details and the browsers signed in as you."
      />
      <div className="space-y-6">
        {user.mustChangePassword && (
          <Alert tone="warning">
            Choose a new password before you continue: the one you signed in with was set for you and shown to
            someone else.
          </Alert>
        )}
        <Section id="profile" title="Profile">
          <DefinitionList
            items={[
              ['Email', account.email],
              ['Name', account.name ?? '—'],
              ['Role', account.role],
              [
                'Signs in with',
                [account.hasPassword && 'password', account.sso && 'single sign-on']
                  .filter(Boolean)
                  .join(' and ') || '—',
              ],
            ]}
          />
        </Section>
        <Section
          id="password"
          title={account.hasPassword ? 'Change password' : 'Set a password'}
          description="Other browsers signed in to this account are signed out when it changes."
        >
          <ChangePasswordForm hasPassword={account.hasPassword} />
        </Section>
        <Section
          id="sessions"
          title="Signed-in browsers"
          description={`${sessions === 1 ? 'This browser is the only one' : `${sessions} browsers are`} signed in to this account.`}
        >
          <form action={signOutEverywhereAction}>
            <button type="submit" className={buttonClass('secondary')}>
              Sign out everywhere
            </button>
          </form>
        </Section>
      </div>
    </>
  );
}
