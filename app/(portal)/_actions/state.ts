/** What a form's server action answers: shared by the actions and the client forms that show it. */
export interface FormState {
  ok?: boolean;
  /** A success message (announced politely). */
  message?: string;
  /** What went wrong and what to do (announced). */
  error?: string;
  fieldErrors?: Record<string, string>;
  /** The submitted values (never secrets), so a form that failed keeps what was typed. */
  values?: Record<string, string | string[]>;
  /** Changes on every answer, so a form can tell a new answer from the previous one. */
  at?: number;
}

/** A key shown once, after creation or rotation. */
export interface NewKeyState extends FormState {
  secret?: {
    key: string;
    name: string;
    display: string;
    expiresAt: string | null;
    oldKeyExpiresAt?: string | null;
    oldDisplay?: string;
    oldStillWorks?: boolean;
  };
}

/** An admin's password reset: the temporary password, shown once. */
export interface ResetState extends FormState {
  temporary?: { email: string; password: string };
}

export const initialState: FormState = {};
