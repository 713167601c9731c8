'use client';

import { useRef, useState, type KeyboardEvent } from 'react';
import type { Sample } from '@/guide/samples';
import { CopyButton } from '@/components/ui/copy-button';

/**
 * One group's samples as tabs (one language or client at a time) instead of a long page of code. Every sample
 * stays in the page (hidden ones too), so find-in-page and the copy buttons work on the one shown. Arrow keys,
 * Home and End move between the tabs, as in the ARIA tabs pattern.
 */
export function SampleTabs({ groupId, samples }: { groupId: string; samples: Sample[] }) {
  const [current, setCurrent] = useState(0);
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const select = (i: number) => {
    const next = (i + samples.length) % samples.length;
    setCurrent(next);
    tabs.current[next]?.focus();
  };
  const onKey = (e: KeyboardEvent) => {
    const moves: Record<string, number> = {
      ArrowRight: current + 1,
      ArrowLeft: current - 1,
      Home: 0,
      End: samples.length - 1,
    };
    if (!(e.key in moves)) return;
    e.preventDefault();
    select(moves[e.key]!);
  };
  return (
    <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
      <div
        role="tablist"
        aria-label={`${groupId} samples`}
        onKeyDown={onKey}
        className="flex gap-1 overflow-x-auto border-b border-slate-200 px-2 pt-2"
      >
        {samples.map((s, i) => (
          <button
            key={s.id}
            ref={(el) => {
              tabs.current[i] = el;
            }}
            id={`tab-${s.id}`}
            type="button"
            role="tab"
            aria-selected={i === current}
            aria-controls={`panel-${s.id}`}
            tabIndex={i === current ? 0 : -1}
            onClick={() => setCurrent(i)}
            className={`shrink-0 rounded-t-md border-b-2 px-3 py-2 text-sm font-medium whitespace-nowrap ${
              i === current
                ? 'border-brand-600 text-brand-700'
                : 'border-transparent text-slate-600 hover:text-slate-900'
            }`}
          >
            {s.tab}
          </button>
        ))}
      </div>
      {samples.map((s, i) => (
        <div
          key={s.id}
          id={`panel-${s.id}`}
          role="tabpanel"
          aria-labelledby={`tab-${s.id}`}
          hidden={i !== current}
        >
          <div className="flex flex-wrap items-center justify-between gap-2 px-5 py-3">
            <h3 id={`sample-${s.id}`} className="font-semibold">
              {s.title}
            </h3>
            <div className="flex min-w-0 flex-wrap items-center gap-3">
              {s.install && <code className="text-xs break-all text-slate-600">{s.install}</code>}
              <CopyButton text={s.code} label="Copy code" />
            </div>
          </div>
          <pre
            aria-labelledby={`sample-${s.id}`}
            tabIndex={0}
            className="overflow-x-auto bg-slate-900 px-5 py-4 text-[13px] leading-relaxed text-slate-100"
          >
            <code data-language={s.language}>{s.code}</code>
          </pre>
        </div>
      ))}
    </div>
  );
}
