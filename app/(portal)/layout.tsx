import type { ReactNode } from 'react';
import Link from 'next/link';
import { requireUser } from '@/lib/auth/session';
import { SignOutButton } from '@/components/auth/sign-out-button';

export const dynamic = 'force-dynamic';

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl items-center justify-between px-4 py-3">
          <Link href="/" className="text-lg font-semibold tracking-tight text-slate-900">Portico</Link>
          <div className="flex items-center gap-3 text-sm text-slate-600">
            <span>
              {user.email} <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs font-medium text-slate-700">{user.role}</span>
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-4 py-8">{children}</main>
    </div>
  );
}
