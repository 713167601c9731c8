import type { HTMLAttributes, ReactNode } from 'react';
import { ScrollCue } from './scroll-cue';

export type Column<T> = {
  /** The header; a visually hidden one still names the column for screen readers. */
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Right-aligned header and cells (numbers, actions). */
  right?: boolean;
  /** Classes for the header and the cells alike (e.g. `hidden lg:table-cell`). */
  className?: string;
  /** Classes for the cells only. */
  cellClassName?: string;
};

type Props<T> = {
  caption: string;
  rows: T[];
  columns: (Column<T> | false | undefined)[];
  rowKey: (row: T) => string;
  /** Extra attributes of a row (a class for a disabled user, a data attribute tests and scripts find). */
  rowProps?: (row: T) => HTMLAttributes<HTMLTableRowElement> & Record<`data-${string}`, string>;
  /** Inside a card that already draws the frame (an app's keys). */
  bare?: boolean;
  className?: string;
};

/** The portal's list table: a caption for screen readers, scoped headers, scrolling sideways on a phone (with a cue). */
export function Table<T>({
  caption,
  rows,
  columns,
  rowKey,
  rowProps,
  bare = false,
  className = '',
}: Props<T>) {
  const cols = columns.filter((c): c is Column<T> => Boolean(c));
  const frame = bare
    ? '-mx-5 overflow-x-auto'
    : 'overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm';
  const pad = bare ? 'px-3 first:pl-5 last:pr-5' : 'px-4';
  return (
    <ScrollCue className={`relative ${frame} ${className}`}>
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead
          className={`${bare ? '' : 'bg-slate-50'} text-left text-xs font-semibold tracking-wide text-slate-600 uppercase`}
        >
          <tr>
            {cols.map((c, i) => (
              <th
                key={i}
                scope="col"
                className={`${pad} py-2.5 ${c.right ? 'text-right' : ''} ${c.className ?? ''}`}
              >
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => {
            const extra = rowProps?.(r) ?? {};
            return (
              <tr key={rowKey(r)} {...extra} className={`align-top ${extra.className ?? ''}`}>
                {cols.map((c, i) => (
                  <td
                    key={i}
                    className={`${pad} py-3 ${c.right ? 'text-right' : ''} ${c.className ?? ''} ${c.cellClassName ?? ''}`}
                  >
                    {c.cell(r)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollCue>
  );
}
