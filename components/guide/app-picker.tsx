'use client';

import { useRouter } from 'next/navigation';
import { buttonClass } from '@/components/ui/button';
import { Select } from '@/components/ui/field';

/** Chooses which app the samples are for; works without JavaScript too (a GET form). */
export function AppPicker({
  apps,
  current,
}: {
  apps: { id: string; name: string; status: string }[];
  current: string;
}) {
  const router = useRouter();
  return (
    <form method="get" className="flex flex-wrap items-end gap-2">
      <div>
        <label htmlFor="app-picker" className="block text-sm font-medium text-slate-700">
          Samples for
        </label>
        <Select
          id="app-picker"
          name="app"
          defaultValue={current}
          className="mt-1 w-72 max-w-full"
          onChange={(e) =>
            router.replace(`/getting-started?app=${encodeURIComponent(e.currentTarget.value)}`)
          }
        >
          {apps.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
              {a.status !== 'approved' ? ` (${a.status.replace('_', ' ')})` : ''}
            </option>
          ))}
        </Select>
      </div>
      <noscript>
        <button type="submit" className={buttonClass('secondary')}>
          Show
        </button>
      </noscript>
    </form>
  );
}
