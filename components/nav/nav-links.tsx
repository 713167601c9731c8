'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

export interface NavItem {
  href: string;
  label: string;
  badge?: number;
}

/** The portal's main navigation; the current page is marked for screen readers (aria-current). */
export function NavLinks({ items }: { items: NavItem[] }) {
  const pathname = usePathname();
  // The longest matching link is the current one (/apps/new is "Request access", not "My apps").
  const current = items
    .filter((i) => pathname === i.href || pathname.startsWith(`${i.href}/`))
    .sort((a, b) => b.href.length - a.href.length)[0]?.href;
  return (
    // Wraps instead of scrolling: on a phone every page (and the current one) stays in sight.
    <nav aria-label="Main" className="relative -mb-px">
      <ul className="flex flex-wrap gap-x-1">
        {items.map((i) => {
          const active = i.href === current;
          return (
            <li key={i.href}>
              <Link
                href={i.href}
                aria-current={active ? 'page' : undefined}
                className={`inline-flex items-center gap-1.5 border-b-2 px-2.5 py-2 text-sm font-medium whitespace-nowrap sm:px-3 sm:py-2.5 ${active ? 'border-brand-600 text-brand-700' : 'border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900'}`}
              >
                {i.label}
                {i.badge ? (
                  <span className="rounded-full bg-amber-100 px-1.5 text-xs font-semibold text-amber-800">
                    {i.badge}
                    <span className="sr-only"> waiting</span>
                  </span>
                ) : null}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
