import type { ReactNode } from 'react';
import { buttonClass } from './button';

/**
 * A list's filters: a GET form (the filters are in the URL, so a view can be bookmarked and shared), its fields, a
 * submit button, and, when filtered, a link back to the whole list. The link is a plain one: a page load resets
 * every field, a select's choice included.
 */
export function FilterBar({
  label,
  className,
  submit,
  clear,
  actionsClassName,
  children,
}: {
  /** The form's accessible name ("Filter apps"). */
  label: string;
  className: string;
  submit: string;
  /** The unfiltered list, shown only when something is filtered. */
  clear?: { href: string; label: string } | false;
  /** When given, the button and the link sit in a row of their own with this class. */
  actionsClassName?: string;
  children: ReactNode;
}) {
  const buttons = (
    <>
      <button type="submit" className={buttonClass('secondary')}>
        {submit}
      </button>
      {clear && (
        <a
          href={clear.href}
          className={`${actionsClassName ? '' : 'py-2 '}text-sm font-medium text-brand-700 hover:underline`}
        >
          {clear.label}
        </a>
      )}
    </>
  );
  return (
    <form method="get" role="search" aria-label={label} className={className}>
      {children}
      {actionsClassName ? <div className={actionsClassName}>{buttons}</div> : buttons}
    </form>
  );
}

/** One filter: its label above its input. */
export function FilterField({
  id,
  label,
  className,
  children,
}: {
  id: string;
  label: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      {children}
    </div>
  );
}
