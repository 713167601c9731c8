import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="mx-auto max-w-xl px-4 py-16 text-center">
      <p className="text-sm font-semibold text-brand-600">404</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">Not found</h1>
      <p className="mt-2 text-slate-600">
        This page does not exist, or you do not have access to it. If someone sent you a link to an app, ask
        one of its owners to add you.
      </p>
      <Link href="/" className="mt-6 inline-block font-semibold text-brand-700 underline underline-offset-2">
        Back to Portico
      </Link>
    </div>
  );
}
