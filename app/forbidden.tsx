import Link from 'next/link';

export default function Forbidden() {
  return (
    <div className="mx-auto max-w-xl px-4 py-16 text-center">
      <p className="text-sm font-semibold text-brand-600">403</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">Not allowed</h1>
      <p className="mt-2 text-slate-600">
        Your role does not allow this. If you need it, ask a Portico admin.
      </p>
      <Link href="/" className="mt-6 inline-block font-semibold text-brand-700 underline underline-offset-2">
        Back to Portico
      </Link>
    </div>
  );
}
