import { currentUser, type SessionUser } from '@/lib/auth/session';
import { parseRange, type Range } from '@/lib/usage/range';
import { toCsv, type DataTable } from '@/lib/usage/tables';

/** A plain answer for the CSV routes (no page: these are downloads). */
export function plain(status: number, message: string): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'private, no-store' },
  });
}

/** The signed-in user and the range asked for, or the answer to send instead. */
export async function csvRequest(
  req: Request,
): Promise<{ user: SessionUser; range: Range; q: URLSearchParams } | Response> {
  const user = await currentUser();
  if (!user) return plain(401, 'Sign in to Portico to export usage.');
  const q = new URL(req.url).searchParams;
  const range = parseRange({
    range: q.get('range') ?? undefined,
    from: q.get('from') ?? undefined,
    to: q.get('to') ?? undefined,
  });
  if (range.error) return plain(400, range.error);
  return { user, range, q };
}

/** A table as a CSV download named after what it holds. */
export function csvResponse(table: DataTable, name: string, range: Range): Response {
  return csvDownload(table, `${name}-${table.id}-${range.from}-to-${range.to}.csv`);
}

/** A table as a CSV file to download (formula cells neutralised by toCsv), with a safe file name. */
export function csvDownload(table: DataTable, file: string, headers: Record<string, string> = {}): Response {
  // The byte-order mark makes spreadsheet programs read the file as UTF-8.
  return new Response(`\uFEFF${toCsv(table)}`, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${file.replace(/[^A-Za-z0-9._-]+/g, '-')}"`,
      'cache-control': 'private, no-store',
      ...headers,
    },
  });
}
