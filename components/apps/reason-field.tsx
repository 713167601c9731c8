import { describedBy, Field, Textarea } from '@/components/ui/field';
import type { FormState } from '@/app/(portal)/_actions/state';

/**
 * The text of a decision that the owners read (rejecting, sending back, suspending, reinstating, refusing an
 * amendment): at most 2,000 characters as lib/apps' reason and note schemas say; kept after a refused submit, with
 * the focus on it, and emptied after one that succeeded.
 */
export function ReasonField({
  id,
  label,
  hint,
  rows,
  state,
  required = true,
}: {
  id: string;
  label: string;
  hint: string;
  rows: number;
  state: FormState;
  required?: boolean;
}) {
  const err = state.fieldErrors?.reason;
  return (
    <Field id={id} label={label} required={required} hint={hint} error={err}>
      <Textarea
        key={state.at ?? 0}
        id={id}
        name="reason"
        rows={rows}
        maxLength={2000}
        defaultValue={state.ok ? '' : ((state.values?.reason as string) ?? '')}
        autoFocus={Boolean(err)}
        {...describedBy(id, { hint: 1, error: err })}
      />
    </Field>
  );
}
