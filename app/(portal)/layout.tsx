import type { ReactNode } from 'react';
import Link from 'next/link';
import { requireUser, isReviewer } from '@/lib/auth/session';
import { countPending } from '@/lib/apps/queries';
import { gatewayConfig } from '@/lib/config';
import { SignOutButton } from '@/components/auth/sign-out-button';
import { NavLinks, type NavItem } from '@/components/nav/nav-links';

export const dynamic = 'force-dynamic';

export default async function PortalLayout({ children }: { children: ReactNode }) {
  // Pages check the forced password change themselves; the layout only hides what cannot be opened yet.
  const user = await requireUser(undefined, { passwordChange: true });
  const items: NavItem[] = user.mustChangePassword
    ? [{ href: '/account', label: 'Your account' }]
    : [
        { href: '/apps', label: 'My apps' },
        { href: '/apps/new', label: 'Request access' },
        { href: '/getting-started', label: 'Getting started' },
        { href: '/notifications', label: 'Notifications' },
      ];
  if (isReviewer(user) && !user.mustChangePassword) {
    items.push(
      { href: '/review', label: 'Review queue', badge: await countPending() },
      { href: '/all-apps', label: 'All apps' },
      { href: '/usage', label: 'Usage' },
      { href: '/audit', label: 'Audit log' },
    );
  }
  if (user.role === 'admin' && !user.mustChangePassword) items.push({ href: '/users', label: 'Users' });
  const organisation = gatewayConfig().portal.organisation;
  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto max-w-6xl px-4">
          <div className="flex flex-wrap items-center justify-between gap-3 pt-3 pb-1">
            <Link
              href="/"
              className="flex items-baseline gap-2 text-lg font-semibold tracking-tight text-slate-900"
            >
              Portico
              {organisation !== 'Portico' && (
                <span className="text-sm font-normal text-slate-500">{organisation}</span>
              )}
            </Link>
            <div className="flex items-center gap-3 text-sm text-slate-600">
              <Link href="/account" className="hover:underline" title="Your account">
                {user.email}{' '}
                <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs font-medium text-slate-700">
                  {user.role}
                </span>
              </Link>
              <SignOutButton />
            </div>
          </div>
          <NavLinks items={items} />
        </div>
      </header>
      <main id="main" tabIndex={-1} className="mx-auto max-w-6xl px-4 py-8 focus:outline-none">
        {children}
      </main>
    </div>
  );
}
