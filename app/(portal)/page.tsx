import { requireUser } from '@/lib/auth/session';

export default async function Home() {
  const user = await requireUser();
  return (
    <section>
      <h1 className="text-2xl font-semibold tracking-tight">Welcome, {user.name ?? user.email}</h1>
      <p className="mt-2 text-slate-600">You are signed in to Portico as {user.role}.</p>
    </section>
  );
}
