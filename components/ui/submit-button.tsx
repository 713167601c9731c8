'use client';

import { useFormStatus } from 'react-dom';
import { buttonClass, type Variant } from './button';
import type { ReactNode } from 'react';

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
  const { pending, data } = useFormStatus();
  // With several submit buttons in one form, only the one pressed says it is working.
  const mine = pending && (!name || data?.get(name) === value);
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
