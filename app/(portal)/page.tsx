import { redirect } from 'next/navigation';
import { isReviewer, requireUser } from '@/lib/auth/session';
import { countPending } from '@/lib/apps/queries';

/** Home: reviewers with requests waiting land on the queue, everyone else on their apps. */
export default async function Home() {
  const user = await requireUser();
  if (isReviewer(user) && (await countPending()) > 0) redirect('/review');
  redirect('/apps');
}
