import type { ComponentProps, ReactNode } from 'react';

export const inputClass =
  'block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm placeholder:text-slate-400 focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-500/30 aria-[invalid=true]:border-red-500 disabled:bg-slate-100';

/** Label, control, hint and error, wired together with ids so screen readers read them with the control. */
export function Field({
  id,
  label,
  hint,
  error,
  required,
  children,
  className = '',
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  required?: boolean;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
        {required && (
          <span className="text-red-700" aria-hidden="true">
            {' '}
            *
          </span>
        )}
      </label>
      {hint && (
        <p id={`${id}-hint`} className="mt-0.5 text-sm text-slate-500">
          {hint}
        </p>
      )}
      <div className="mt-1">{children}</div>
      {error && (
        <p id={`${id}-error`} className="mt-1 text-sm font-medium text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}

/** The aria attributes a control inside <Field> needs. */
export function describedBy(id: string, opts: { hint?: unknown; error?: unknown }) {
  const ids = [opts.hint ? `${id}-hint` : '', opts.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return { 'aria-describedby': ids || undefined, 'aria-invalid': opts.error ? true : undefined };
}

export function Input(props: ComponentProps<'input'>) {
  return <input {...props} className={`${inputClass} ${props.className ?? ''}`} />;
}

export function Textarea(props: ComponentProps<'textarea'>) {
  return <textarea rows={3} {...props} className={`${inputClass} ${props.className ?? ''}`} />;
}

export function Select(props: ComponentProps<'select'>) {
  return <select {...props} className={`${inputClass} ${props.className ?? ''}`} />;
}

/** A grid of checkboxes sharing one name (models, adapters): each a bordered card that lights up when chosen. */
export function Checkboxes({
  name,
  options,
  chosen,
  invalid,
}: {
  name: string;
  options: { value: string; detail?: ReactNode }[];
  chosen: ReadonlySet<string>;
  invalid?: boolean;
}) {
  return (
    <div className="mt-2 grid gap-2 sm:grid-cols-2">
      {options.map((o) => (
        <label
          key={o.value}
          className="flex items-start gap-2 rounded-md border border-slate-200 px-3 py-2 text-sm has-[:checked]:border-brand-500 has-[:checked]:bg-brand-50"
        >
          <input
            type="checkbox"
            name={name}
            value={o.value}
            defaultChecked={chosen.has(o.value)}
            className="mt-0.5 size-4 shrink-0 accent-brand-600"
            aria-invalid={invalid ? true : undefined}
          />
          <span className="min-w-0">
            <span className="font-mono text-xs">{o.value}</span>
            {o.detail && <span className="block text-xs text-slate-600">{o.detail}</span>}
          </span>
        </label>
      ))}
    </div>
  );
}
