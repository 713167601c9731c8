'use client';

import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A modal built on <dialog>: the browser traps focus, Escape closes it (or calls `onEscape`), and the rest of the page is inert
 * while it is open. `onClose` runs however it was closed. Mark the control to focus first with `data-autofocus`.
 */
export function Dialog({
  open,
  onClose,
  title,
  description,
  children,
  wide = false,
  onEscape,
}: {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  description?: ReactNode;
  children: ReactNode;
  wide?: boolean;
  /** Escape calls this instead of closing (a dialog that must ask first). */
  onEscape?: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      // showModal focuses the first focusable element; the content can name a better one.
      d.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    }
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      onClose={onClose}
      onKeyDown={
        onEscape
          ? (e) => {
              if (e.key !== 'Escape') return;
              // A cancelled keydown sends the browser no close request.
              e.preventDefault();
              onEscape();
            }
          : undefined
      }
      onCancel={
        onEscape
          ? (e) => {
              // Escape from outside the dialog's content: the browser lets this be cancelled once per activation.
              if (!e.cancelable) return;
              e.preventDefault();
              onEscape();
            }
          : undefined
      }
      aria-labelledby={`${id}-title`}
      aria-describedby={description ? `${id}-desc` : undefined}
      className={`m-auto w-[calc(100%-2rem)] text-start ${wide ? 'max-w-2xl' : 'max-w-lg'} rounded-xl border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50`}
    >
      {open && (
        <div className="p-6">
          <h2 id={`${id}-title`} className="text-lg font-semibold">
            {title}
          </h2>
          {description && (
            <div id={`${id}-desc`} className="mt-1 text-sm text-slate-600">
              {description}
            </div>
          )}
          <div className="mt-4">{children}</div>
        </div>
      )}
    </dialog>
  );
}
