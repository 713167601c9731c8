'use client';

import { useEffect, useRef, useState, type ReactNode } from 'react';

/**
 * A frame that scrolls sideways (a wide table on a phone) and says so: a line above it while columns are out of
 * sight, and a fade on the side where they are. Nothing shows when everything fits.
 */
export function ScrollCue({ className, children }: { className: string; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [more, setMore] = useState({ left: false, right: false });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () =>
      setMore({
        left: el.scrollLeft > 1,
        right: el.scrollLeft + el.clientWidth < el.scrollWidth - 1,
      });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    el.addEventListener('scroll', measure, { passive: true });
    return () => {
      ro.disconnect();
      el.removeEventListener('scroll', measure);
    };
  }, []);
  return (
    <div>
      {(more.left || more.right) && (
        <p className="mb-1 text-right text-xs text-slate-500" data-testid="scroll-cue">
          {more.right ? 'Scroll sideways for more columns →' : '← More columns on the left'}
        </p>
      )}
      <div className="relative">
        <div ref={ref} className={className}>
          {children}
        </div>
        {more.right && (
          <div
            aria-hidden="true"
            className="pointer-events-none absolute inset-y-0 right-0 w-8 rounded-r-lg bg-gradient-to-l from-white"
          />
        )}
        {more.left && (
          <div
            aria-hidden="true"
            className="pointer-events-none absolute inset-y-0 left-0 w-8 rounded-l-lg bg-gradient-to-r from-white"
          />
        )}
      </div>
    </div>
  );
}
