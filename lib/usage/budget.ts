/**
 * What is left of a monthly budget: the budget minus this UTC month's recorded use (completed requests). The one
 * definition behind the `x-portico-budget-remaining-*` headers (recorded use before the request they answer),
 * GET /api/public/v1/usage and the portal. Cost is kept to 4 decimals (a hundredth of a cent), tokens whole.
 */
export function remainingTokens(budget: number, used: number): number {
  return Math.max(0, Math.floor(budget - used));
}

export function remainingUsd(budget: number, usedUsd: number): number {
  return Math.max(0, Math.round((budget - usedUsd) * 10_000) / 10_000);
}
