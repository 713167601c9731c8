// How long a rotated key keeps working: the one definition the domain (rotateKey, in seconds), the rotate form's
// choices and its custom minutes use. No server imports: the form (a client component) reads it too.
import { z } from 'zod';

/** From nothing (the old key stops at once) to 7 days. */
export const MAX_GRACE_SECONDS = 7 * 24 * 3600;
export const graceSecondsSchema = z.number().int().min(0).max(MAX_GRACE_SECONDS);

/** The periods the rotate form offers, in seconds, and "custom" (whole minutes, GRACE_MINUTES). */
export const GRACE_CHOICES = [
  ['0', 'No grace: the old key stops now'],
  ['3600', '1 hour'],
  ['86400', '24 hours'],
  ['604800', '7 days'],
  ['custom', 'Custom'],
] as const;

export const GRACE_MINUTES = { min: 1, max: MAX_GRACE_SECONDS / 60 };

/** The rotate form's choice in seconds; a custom grace's minutes are checked against the same bounds. */
export const graceChoiceSchema = z
  .object({
    grace: z.enum(GRACE_CHOICES.map(([value]) => value) as [string, ...string[]], {
      error: 'is not one of the choices',
    }),
    customMinutes: z.string(),
  })
  .transform((g, ctx) => {
    if (g.grace !== 'custom') return Number(g.grace);
    const minutes = Number(g.customMinutes);
    if (!Number.isInteger(minutes) || minutes < GRACE_MINUTES.min || minutes > GRACE_MINUTES.max) {
      ctx.addIssue({
        code: 'custom',
        path: ['customMinutes'],
        message: `must be a whole number of minutes from ${GRACE_MINUTES.min} to ${GRACE_MINUTES.max} (7 days)`,
      });
      return z.NEVER;
    }
    return minutes * 60;
  });
