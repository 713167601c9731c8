import Form from 'next/form';
import Link from 'next/link';
import { buttonClass } from '@/components/ui/button';
import { Input } from '@/components/ui/field';
import { PRESETS, type Range } from '@/lib/usage/range';

/**
 * The range of a usage page: the last 7 / 30 / 90 days, or two dates. Everything is in the URL, so a view
 * can be bookmarked and shared; `keep` carries the page's other choices (e.g. the split) along.
 */
export function RangePicker({
  path,
  range,
  keep = {},
  hash = '',
}: {
  path: string;
  range: Range;
  keep?: Record<string, string>;
  hash?: string;
}) {
  const extra = new URLSearchParams(keep).toString();
  const href = (q: string) => `${path}?${[q, extra].filter(Boolean).join('&')}${hash}`;
  return (
    <div className="flex flex-wrap items-end gap-x-4 gap-y-3">
      <nav aria-label="Range">
        <ul className="flex rounded-md border border-slate-300 bg-white p-0.5 text-sm shadow-sm">
          {PRESETS.map((n) => (
            <li key={n}>
              <Link
                href={href(`range=${n}`)}
                scroll={false}
                aria-current={range.preset === n ? 'page' : undefined}
                className={`block rounded px-3 py-1.5 font-medium ${range.preset === n ? 'bg-brand-600 text-white' : 'text-slate-700 hover:bg-slate-100'}`}
              >
                {n} days
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <Form
        key={`${range.from}/${range.to}`}
        action={`${path}${hash}`}
        scroll={false}
        className="flex flex-wrap items-end gap-2"
      >
        {Object.entries(keep).map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <div>
          <label htmlFor="range-from" className="block text-xs font-medium text-slate-600">
            From (UTC)
          </label>
          <Input
            id="range-from"
            name="from"
            type="date"
            required
            defaultValue={range.from}
            className="mt-0.5 w-40 py-1.5"
          />
        </div>
        <div>
          <label htmlFor="range-to" className="block text-xs font-medium text-slate-600">
            To (UTC, inclusive)
          </label>
          <Input
            id="range-to"
            name="to"
            type="date"
            required
            defaultValue={range.to}
            className="mt-0.5 w-40 py-1.5"
          />
        </div>
        <button type="submit" className={buttonClass('secondary', 'md', 'py-1.5')}>
          Show
        </button>
      </Form>
    </div>
  );
}
