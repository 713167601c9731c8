'use client';

import { useFormStatus } from 'react-dom';
import { buttonClass, type Variant } from './button';
import type { ReactNode } from 'react';

/**
 * Whether the form is being sent, and whether by this button: with several submit buttons in one form, only the one
 * pressed (its name and value in the form's data) says it is working.
 */
export function useSubmitting(name?: string, value?: string) {
  const { pending, data } = useFormStatus();
  return { pending, mine: pending && (!name || data?.get(name) === value) };
}

/** A form's submit button that shows the form is being sent and cannot be pressed twice. */
export function SubmitButton({
  children,
  pendingText,
  variant = 'primary',
  size = 'md',
  name,
  value,
  className = '',
  label,
}: {
  label?: string;
  children: ReactNode;
  pendingText?: string;
  variant?: Variant;
  size?: 'sm' | 'md';
  name?: string;
  value?: string;
  className?: string;
}) {
  const { pending, mine } = useSubmitting(name, value);
  return (
    <button
      type="submit"
      aria-label={label}
      name={name}
      value={value}
      disabled={pending}
      aria-disabled={pending}
      className={buttonClass(variant, size, className)}
    >
      {mine && pendingText ? pendingText : children}
    </button>
  );
}
