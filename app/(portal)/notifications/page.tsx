import type { Metadata } from 'next';
import Link from 'next/link';
import { requireUser } from '@/lib/auth/session';
import { emailConfigured, listNotifications } from '@/lib/notify';
import { Alert } from '@/components/ui/alert';
import { Card, EmptyState, PageHeader } from '@/components/ui/card';
import { Time } from '@/components/ui/time';

export const metadata: Metadata = { title: 'Notifications' };

/** The portal's link for a notification: its path on this site (the email's link names the public URL). */
function portalPath(url: string): string {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}${u.hash}`;
  } catch {
    return '/';
  }
}

export default async function NotificationsPage() {
  const user = await requireUser();
  const [items, email] = [await listNotifications(user.id), emailConfigured()];
  return (
    <>
      <PageHeader
        title="Notifications"
        description="What Portico told you about your apps and the requests you review: decisions, requests, expiring keys and budgets. The latest 100."
      />
      {!email && (
        <Alert tone="info" className="mb-6" live={false}>
          Email is not set up on this server, so these were not emailed: this list is where you see them.
        </Alert>
      )}
      {items.length === 0 ? (
        <EmptyState title="No notifications yet">
          You hear here when a request you made is decided, when a request waits for your review, when a key
          of your apps is about to expire and when an app nears its monthly budget.
        </EmptyState>
      ) : (
        <ol className="space-y-3" aria-label="Notifications, newest first">
          {items.map((n) => (
            <li key={n.id}>
              <Card className="p-4">
                <p className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
                  <span className="font-semibold text-slate-900">{n.subject}</span>
                  <span className="text-xs text-slate-500">
                    <Time date={n.createdAt} />
                  </span>
                </p>
                <p className="mt-1 text-sm break-words text-slate-700">{n.summary}</p>
                {n.details.map((d, i) => (
                  <p key={i} className="mt-1 text-sm break-words whitespace-pre-line text-slate-600">
                    {d}
                  </p>
                ))}
                <Link
                  href={portalPath(n.url)}
                  className="mt-2 inline-block text-sm font-semibold text-brand-700 hover:underline"
                >
                  {n.url.includes('/review/') ? 'Review the request' : 'Open the app'}
                </Link>
              </Card>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
