import { describe, expect, it } from 'vitest';
import { readableDetails } from './view';

describe('audit details in words', () => {
  it('labels fields, orders them for a reader, and leaves out ids the target column names', () => {
    expect(
      readableDetails({
        phiPolicy: 'scrub',
        allowedModels: ['gpt-4o', 'gpt-4o-mini'],
        rpmLimit: null,
        monthlyCostBudgetUsd: 250,
        allowByoKey: false,
        appId: 'cm123',
        userId: 'cm456',
      }),
    ).toBe(
      'Models: gpt-4o, gpt-4o-mini · PHI policy: scrub · Requests per minute: no limit · Monthly budget (USD): 250 · Own OpenAI key: no',
    );
  });

  it('says who decided when it was not an independent reviewer', () => {
    expect(readableDetails({ selfApproved: true, reason: 'ok' })).toBe(
      'Reason: ok · Self-approved (one-person install)',
    );
    expect(readableDetails({ by: 'operator' })).toBe('By: the operator (CLI)');
    expect(readableDetails(null)).toBe('');
  });
});
