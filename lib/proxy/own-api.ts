import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { appFinder, PhiSession, type PhiCounts } from '../phi';
import { ScanTooLarge } from '../phi/offload';
import type { KeyPrincipal } from '../keys/principal';
import type { PhiOffload } from '../phi/offload';
import type { GatewayConfig } from '../config';
import { errors } from './errors';
import { readJsonObject, sendJson } from './http';
import { sumCounts } from './phi-step';
import { appUsage, monthBounds } from '../usage/queries';
import { remainingTokens, remainingUsd } from '../usage/budget';

/** Portico's own API under /api/public/v1/ (PHI de-identification, usage; whoami is in handler.ts): the same key
 * auth as the proxy, plain JSON answers. The config-defined endpoints are lib/proxy/endpoints.ts. */
export const deidentifyRequest = z
  .object({
    text: z.string().max(1_000_000).optional(),
    texts: z.array(z.string().max(1_000_000)).min(1).max(100).optional(),
  })
  .strict()
  .refine((b) => (b.text === undefined) !== (b.texts === undefined), {
    message: 'send either "text" (a string) or "texts" (an array of up to 100 strings)',
  });

export const deidentifiedText = z.object({
  text: z.string().describe('the text with every identifier replaced by a typed token such as [NAME_1]'),
  entities: z
    .array(z.object({ type: z.string(), start: z.number().int(), end: z.number().int() }))
    .describe(
      'what was replaced: type and UTF-16 offsets in the original text (end exclusive); never values',
    ),
});

export const deidentifyResponse = z.object({
  results: z.array(deidentifiedText),
  counts: z.record(z.string(), z.number().int()),
  total: z.number().int(),
});

export interface OwnApiContext {
  principal: KeyPrincipal;
  requestId: string;
  maxBodyBytes: number;
  config: GatewayConfig;
  phiOffload?: PhiOffload;
  /** Entity counts for the usage record. */
  phiCounts?: PhiCounts;
}

export async function deidentify(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: OwnApiContext,
  headers: Record<string, string>,
) {
  const parsed = deidentifyRequest.safeParse(await readJsonObject(req, ctx.maxBodyBytes));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw errors.badRequest(issue.message, issue.path.map(String).join('.') || null);
  }
  const texts = parsed.data.texts ?? [parsed.data.text!];
  // One session for the request: the same value gets the same token in every text.
  const session = new PhiSession();
  let results;
  try {
    const find = ctx.phiOffload
      ? await ctx.phiOffload.finderFor({ texts, identifiers: [] }, ctx.principal.app.id)
      : appFinder(ctx.principal.app.id);
    results = texts.map((t) => {
      const entities = find.text(t);
      return {
        text: session.scrubEntities(t, entities),
        entities: entities.map((e) => ({ type: e.type, start: e.start, end: e.end })),
      };
    });
  } catch (err) {
    if (err instanceof ScanTooLarge) throw errors.phiScanTooLarge(err.chars, err.limit);
    throw errors.phiEngine();
  }
  const counts = session.counts();
  ctx.phiCounts = counts;
  sendJson(
    res,
    200,
    { results, counts, total: sumCounts(counts) },
    { ...headers, 'x-portico-phi-entities': String(sumCounts(counts)) },
  );
}

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD')
  .refine(
    (d) =>
      !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    'a real calendar day',
  );
export const usageQuery = z.object({ from: day.optional(), to: day.optional() }).strict();

/** GET /api/public/v1/usage: the calling app's usage and what is left of its budgets. */
export async function usage(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: OwnApiContext,
  headers: Record<string, string>,
) {
  const url = new URL(req.url ?? '/', 'http://x');
  const parsed = usageQuery.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success)
    throw errors.badRequest(
      `${parsed.error.issues[0]!.path.join('.') || 'query'}: ${parsed.error.issues[0]!.message}`,
    );
  const month = monthBounds();
  const from = parsed.data.from ?? month.from;
  const to = parsed.data.to ?? month.to;
  if (from > to) throw errors.badRequest('"from" must not be after "to".', 'from');
  if (Date.parse(to) - Date.parse(from) > 366 * 86_400_000)
    throw errors.badRequest('Ask for at most 366 days at a time.', 'from');
  const a = ctx.principal.app;
  const sameMonth = from === month.from && to === month.to;
  const [period, mtd] = await Promise.all([
    appUsage(a.id, from, to),
    sameMonth ? undefined : appUsage(a.id, month.from, month.to),
  ]);
  const monthToDate = mtd ?? period;
  const usedTokens = monthToDate.totals.promptTokens + monthToDate.totals.completionTokens;
  sendJson(
    res,
    200,
    {
      app: { id: a.id, name: a.name },
      ...period,
      limits: {
        rpm: a.rpmLimit,
        tpm: a.tpmLimit,
        monthlyTokens: a.monthlyTokenBudget,
        monthlyCostUsd: a.monthlyCostBudgetUsd,
      },
      budget: {
        month: month.month,
        tokensUsed: usedTokens,
        costUsdUsed: monthToDate.totals.costUsd,
        tokensRemaining:
          a.monthlyTokenBudget === null ? null : remainingTokens(a.monthlyTokenBudget, usedTokens),
        costUsdRemaining:
          a.monthlyCostBudgetUsd === null
            ? null
            : remainingUsd(a.monthlyCostBudgetUsd, monthToDate.totals.costUsd),
      },
    },
    headers,
  );
}
