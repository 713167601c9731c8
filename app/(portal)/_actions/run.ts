import { notFound, unstable_rethrow } from 'next/navigation';
import { ZodError, type core } from 'zod';
import { DomainError, fromDatabase } from '@/lib/errors';
import { errorSummary, log } from '@/lib/log';
import type { FormState } from './state';

// An email address, a key prefix or another literal at the start keeps its case.
const upper = (s: string) => (/^[a-z]+\b(?![@.\w-])/.test(s) ? s.charAt(0).toUpperCase() + s.slice(1) : s);
const sentence = (s: string) => upper(s.endsWith('.') ? s : `${s}.`);

const count = (n: number) => n.toLocaleString('en-US');

/**
 * A zod issue in words a person acts on: zod's own messages ("Too big: expected string to have <=2000 characters")
 * become predicates read after the field's label; messages the schemas wrote stay as they are.
 */
export function humanIssue(issue: core.$ZodIssue): string {
  const m = issue.message;
  if (!/^(Too big|Too small|Invalid input|Invalid)/.test(m)) return m;
  if (issue.code === 'too_big' || issue.code === 'too_small') {
    const big = issue.code === 'too_big';
    const n = Number(big ? issue.maximum : issue.minimum);
    const bound = big ? 'at most' : 'at least';
    if (issue.origin === 'string') return `must be ${bound} ${count(n)} characters`;
    if (issue.origin === 'array' || issue.origin === 'set') return `must list ${bound} ${count(n)}`;
    return `must be ${bound} ${count(n)}`;
  }
  if (issue.code === 'invalid_type' && issue.expected === 'int') return 'must be a whole number';
  return 'is not valid';
}

/** The submitted values to hand back to a form after an error. Never pass a secret field here. */
export function echo(fd: FormData, fields: string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const f of fields) {
    const all = fd.getAll(f).filter((v): v is string => typeof v === 'string');
    out[f] = all.length > 1 ? all : (all[0] ?? '');
  }
  return out;
}

/**
 * Runs a form action and turns failures into what the form shows: invalid input → the field's message
 * (prefixed with its label), a domain rule → its message, a missing or foreign record → 404, anything
 * else → a generic message (the detail goes to the log, never the input).
 */
export async function runForm<S extends FormState>(
  labels: Record<string, string>,
  values: Record<string, string | string[]> | undefined,
  fn: () => Promise<S>,
): Promise<S | FormState> {
  try {
    return await fn();
  } catch (caught) {
    unstable_rethrow(caught);
    // A unique name taken by a request that raced this one is a conflict the user can act on, not our failure.
    const err = fromDatabase(caught);
    if (err instanceof ZodError) {
      const fieldErrors: Record<string, string> = {};
      for (const issue of err.issues) {
        const field = String(issue.path[0] ?? '');
        if (fieldErrors[field]) continue;
        const label = labels[field];
        const msg = humanIssue(issue);
        // Messages are predicates ("is required", "must be…") read after the field's label, or whole sentences.
        fieldErrors[field] =
          !label || /^[A-Z]/.test(msg)
            ? sentence(msg)
            : /^(is|must|names|lists|are) /.test(msg)
              ? sentence(`${label} ${msg}`)
              : sentence(`${label}: ${msg}`);
      }
      const unlabelled = Object.keys(fieldErrors).filter((f) => !labels[f]);
      return {
        error: unlabelled.length
          ? unlabelled.map((f) => fieldErrors[f]).join(' ')
          : 'Some fields need attention: see the messages below them.',
        fieldErrors,
        values,
        at: Date.now(),
      };
    }
    if (err instanceof DomainError) {
      if (err.code === 'not_found') notFound();
      const label = err.field ? labels[err.field] : undefined;
      if (err.field && label)
        return {
          error: 'Some fields need attention: see the messages below them.',
          fieldErrors: { [err.field]: sentence(`${label}: ${err.message}`) },
          values,
          at: Date.now(),
        };
      return { error: sentence(err.message), values, at: Date.now() };
    }
    log().error({ err: errorSummary(err) }, 'portal action failed');
    return {
      error:
        'Something went wrong on our side and nothing was changed. Try again; if it keeps failing, tell your Portico admin.',
      values,
      at: Date.now(),
    };
  }
}

/** A zod-friendly reading of an optional number field: '' → null. */
export function optionalNumber(v: FormDataEntryValue | null): number | null {
  if (typeof v !== 'string' || v.trim() === '') return null;
  return Number(v.replace(/[,_\s]/g, ''));
}

export function text(fd: FormData, name: string): string {
  const v = fd.get(name);
  return typeof v === 'string' ? v : '';
}

export function texts(fd: FormData, name: string): string[] {
  return fd.getAll(name).filter((v): v is string => typeof v === 'string');
}
