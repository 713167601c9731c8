import Link from 'next/link';

export default function Unauthorized() {
  return (
    <div className="mx-auto max-w-xl px-4 py-16 text-center">
      <p className="text-sm font-semibold text-brand-600">401</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">Sign in again</h1>
      <p className="mt-2 text-slate-600">Your session has ended. Sign in and try again.</p>
      <Link
        href="/signin"
        className="mt-6 inline-block font-semibold text-brand-700 underline underline-offset-2"
      >
        Sign in
      </Link>
    </div>
  );
}
