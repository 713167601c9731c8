'use client';

import { useState, type ReactNode } from 'react';
import { Button, buttonClass, type Variant } from './button';
import { Dialog } from './dialog';
import { useSubmitting } from './submit-button';

/**
 * A submit button for what cannot be undone: it asks first, in a dialog that says what will happen. The dialog sits
 * inside the form, so its confirm button submits the form itself (with this button's name and value).
 */
export function ConfirmSubmitButton({
  children,
  title,
  consequence,
  confirmLabel,
  cancelLabel = 'Cancel',
  pendingText,
  variant = 'danger',
  size = 'md',
  name,
  value,
  className = '',
  label,
}: {
  children: ReactNode;
  title: string;
  /** What happens, in the words the person acting reads before confirming. */
  consequence: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  pendingText?: string;
  variant?: Variant;
  size?: 'sm' | 'md';
  name?: string;
  value?: string;
  className?: string;
  label?: string;
}) {
  const [open, setOpen] = useState(false);
  const { pending, mine } = useSubmitting(name, value);
  // Closed once the form is on its way: closing in the click itself would unmount the button before the browser
  // submits the form, and a button no longer in the document submits nothing.
  const [wasPending, setWasPending] = useState(false);
  if (pending !== wasPending) {
    setWasPending(pending);
    if (pending) setOpen(false);
  }
  return (
    <>
      <button
        type="button"
        aria-label={label}
        disabled={pending}
        aria-disabled={pending}
        onClick={() => setOpen(true)}
        className={buttonClass(variant, size, className)}
      >
        {mine && pendingText ? pendingText : children}
      </button>
      <Dialog open={open} onClose={() => setOpen(false)} title={title} description={consequence}>
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={() => setOpen(false)} data-autofocus>
            {cancelLabel}
          </Button>
          <button type="submit" name={name} value={value} className={buttonClass('danger', 'md')}>
            {confirmLabel}
          </button>
        </div>
      </Dialog>
    </>
  );
}
