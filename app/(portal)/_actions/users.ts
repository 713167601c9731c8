'use server';

import { refresh } from 'next/cache';
import { z } from 'zod';
import { ADMINS, actorOf, requireActionUser } from '@/lib/auth/session';
import type { Actor } from '@/lib/audit';
import {
  createUser,
  emailSchema,
  newPasswordSchema,
  resetPassword,
  roleSchema,
  setDisabled,
  userNameSchema,
  setRole,
} from '@/lib/users';
import { echo, runForm, text } from './run';
import { idSchema } from './guard';
import type { FormState, ResetState } from './state';

/** The form's fields; the password rule (required unless single sign-on) is lib/users' own. */
const createForm = (actor: Actor) =>
  z.object({
    email: emailSchema,
    name: userNameSchema,
    role: roleSchema.or(z.undefined()).refine((v) => v !== undefined, 'Choose a role'),
    password: newPasswordSchema(actor),
  });

export async function createUserAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const user = await requireActionUser(ADMINS);
  // The password is never echoed back to the form.
  return runForm(
    { email: 'Email', name: 'Name', role: 'Role', password: 'Password' },
    echo(fd, ['email', 'name', 'role']),
    async () => {
      const actor = await actorOf(user);
      const input = createForm(actor).parse({
        email: text(fd, 'email').trim(),
        name: text(fd, 'name'),
        role: fd.get('role') ?? undefined,
        password: text(fd, 'password'),
      });
      const created = await createUser(
        {
          email: input.email,
          name: input.name || undefined,
          role: input.role!,
          password: input.password || undefined,
        },
        actor,
      );
      refresh();
      return {
        ok: true,
        message: `Created ${created.email} (${created.role}).${input.password ? ' Give them the password through a safe channel.' : ' They sign in with single sign-on.'}`,
        at: Date.now(),
      };
    },
  );
}

export async function setRoleAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const user = await requireActionUser(ADMINS);
  return runForm({ role: 'Role' }, undefined, async () => {
    const { userId, role } = z
      .object({ userId: idSchema, role: roleSchema })
      .parse({ userId: fd.get('userId'), role: fd.get('role') });
    await setRole(userId, role, await actorOf(user));
    refresh();
    return { ok: true, message: `Role changed to ${role}.`, at: Date.now() };
  });
}

export async function setDisabledAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const user = await requireActionUser(ADMINS);
  return runForm({}, undefined, async () => {
    const { userId, disabled } = z
      .object({ userId: idSchema, disabled: z.enum(['true', 'false']) })
      .parse({ userId: fd.get('userId'), disabled: fd.get('disabled') });
    await setDisabled(userId, disabled === 'true', await actorOf(user));
    refresh();
    return {
      ok: true,
      message:
        disabled === 'true' ? 'Account disabled: it is signed out at its next request.' : 'Account enabled.',
      at: Date.now(),
    };
  });
}

/** An admin resets someone's password: a temporary one, shown once, changed at their next sign-in. */
export async function resetPasswordAction(_prev: ResetState, fd: FormData): Promise<ResetState> {
  const user = await requireActionUser(ADMINS);
  return runForm({}, undefined, async () => {
    const userId = idSchema.parse(fd.get('userId'));
    const temporary = await resetPassword(userId, await actorOf(user));
    refresh();
    return {
      ok: true,
      message: 'Password reset: their sessions have ended.',
      temporary,
      at: Date.now(),
    };
  });
}
