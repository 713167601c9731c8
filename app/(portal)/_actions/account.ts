'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { actorOf, requireActionUser } from '@/lib/auth/session';
import { changePassword, signOutEverywhere } from '@/lib/users';
import { runForm, text } from './run';
import type { FormState } from './state';

const changeForm = z
  .object({ current: z.string().max(256), next: z.string(), confirm: z.string() })
  .refine((v) => v.next === v.confirm, { path: ['confirm'], message: 'does not match the new password' });

/** The signed-in user changes their own password (also when an admin's reset requires it). */
export async function changePasswordAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const user = await requireActionUser(undefined, { passwordChange: true });
  // Passwords are never echoed back to the form.
  return runForm(
    { current: 'Current password', next: 'New password', confirm: 'Confirmation' },
    undefined,
    async () => {
      const input = changeForm.parse({
        current: text(fd, 'current'),
        next: text(fd, 'next'),
        confirm: text(fd, 'confirm'),
      });
      await changePassword(
        user.id,
        { current: input.current, next: input.next },
        user.sessionId,
        await actorOf(user),
      );
      if (user.mustChangePassword) {
        // The layout held back the navigation until now: render it afresh.
        revalidatePath('/', 'layout');
        redirect('/apps');
      }
      revalidatePath('/account');
      return {
        ok: true,
        message: 'Password changed. Other browsers signed in to this account are signed out.',
        at: Date.now(),
      };
    },
  );
}

/** Ends every session of the signed-in user, this one included. */
export async function signOutEverywhereAction(): Promise<void> {
  const user = await requireActionUser(undefined, { passwordChange: true });
  await signOutEverywhere(user.id, await actorOf(user));
  redirect('/signin');
}
