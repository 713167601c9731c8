'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

/**
 * A page or a form sent after the session ended (signed out elsewhere, expired): sign in again and come back here,
 * where a request form that was being filled is filled back in from the draft this browser kept.
 */
export default function Unauthorized() {
  const path = usePathname();
  const next = path && path !== '/' && !path.startsWith('/signin') ? path : null;
  const href = `/signin?ended=1${next ? `&next=${encodeURIComponent(next)}` : ''}`;
  return (
    <div className="mx-auto max-w-xl px-4 py-16 text-center">
      <p className="text-sm font-semibold text-brand-600">401</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">Sign in again</h1>
      <p className="mt-2 text-slate-600">
        Your session has ended, so nothing was sent. A form you were filling in is kept in this browser: sign
        in again and you come back to it, filled in as you left it.
      </p>
      <Link
        href={href}
        className="mt-6 inline-block font-semibold text-brand-700 underline underline-offset-2"
      >
        Sign in again
      </Link>
    </div>
  );
}
