'use server';

import { refresh, revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import {
  accessRequestSchema,
  approvalSchema,
  requestAccess,
  requestedEndpointsSchema,
  requestedModelsSchema,
  resubmit,
  withdraw,
} from '@/lib/apps';
import { appAccess } from '@/lib/apps/access';
import { addOwner, removeOwner } from '@/lib/apps/owners';
import { actorOf, requireActionUser } from '@/lib/auth/session';
import { configuredEndpoints } from '@/lib/config';
import { emailSchema } from '@/lib/users';
import { echo, runForm, text, texts } from './run';
import { idOr404, requireManage } from './guard';
import type { FormState } from './state';

const REQUEST_FIELDS = [
  'name',
  'description',
  'useCase',
  'sponsor',
  'expectedReturn',
  'involvesPhi',
  'requestedModels',
  'requestedEndpoints',
  'expectedVolume',
  'internalOnlyAttested',
];
const REQUEST_LABELS: Record<string, string> = {
  name: 'App name',
  description: 'Description',
  useCase: 'Use case',
  sponsor: 'Executive sponsor',
  expectedReturn: 'Expected return',
  involvesPhi: 'PHI',
  requestedModels: 'Requested models',
  requestedEndpoints: 'Custom endpoints',
  expectedVolume: 'Expected volume',
  internalOnlyAttested: 'The internal-use attestation',
};

/**
 * The form as the domain takes it. Models may be left out when an endpoint is asked for: the domain checks that
 * something is asked for, but only once every field parses, so the form says it here too, with the other fields'
 * messages.
 */
const requestForm = (endpointsAsked: boolean) =>
  accessRequestSchema.extend({
    involvesPhi: z
      .enum(['yes', 'no'], { error: 'Choose whether the app will handle PHI' })
      .transform((v) => v === 'yes'),
    requestedModels: endpointsAsked
      ? approvalSchema.shape.allowedModels // configured names, none required
      : requestedModelsSchema(
          configuredEndpoints().length
            ? 'Choose at least one model or custom endpoint'
            : 'Choose at least one model',
        ),
    requestedEndpoints: requestedEndpointsSchema(),
    internalOnlyAttested: z
      .literal('on', { error: 'must be confirmed to submit the request' })
      .transform(() => true as const),
  });

function readRequest(fd: FormData) {
  // Only these fields are read: nothing else in the form reaches the database.
  const requestedEndpoints = texts(fd, 'requestedEndpoints');
  return requestForm(requestedEndpoints.length > 0).parse({
    name: text(fd, 'name'),
    description: text(fd, 'description'),
    useCase: text(fd, 'useCase'),
    sponsor: text(fd, 'sponsor'),
    expectedReturn: text(fd, 'expectedReturn'),
    involvesPhi: fd.get('involvesPhi') ?? undefined,
    requestedModels: texts(fd, 'requestedModels'),
    // None ticked is [], not absent: an edit takes them all away.
    requestedEndpoints,
    expectedVolume: text(fd, 'expectedVolume'),
    internalOnlyAttested: fd.get('internalOnlyAttested') ?? undefined,
  });
}

export async function requestAccessAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const user = await requireActionUser();
  return runForm(REQUEST_LABELS, echo(fd, REQUEST_FIELDS), async () => {
    const app = await requestAccess(readRequest(fd), user.id, await actorOf(user));
    revalidatePath('/', 'layout');
    redirect(`/apps/${app.id}?requested=1`);
  });
}

export async function resubmitAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const user = await requireActionUser();
  const appId = await requireManage(user, fd.get('appId'));
  return runForm(REQUEST_LABELS, echo(fd, REQUEST_FIELDS), async () => {
    const { edited } = await resubmit({ appId, request: readRequest(fd), actor: await actorOf(user) });
    revalidatePath('/', 'layout');
    redirect(`/apps/${appId}?${edited ? 'edited' : 'resubmitted'}=1`);
  });
}

export async function withdrawAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const user = await requireActionUser();
  const appId = await requireManage(user, fd.get('appId'));
  return runForm({}, undefined, async () => {
    await withdraw({ appId, actor: await actorOf(user) });
    revalidatePath('/', 'layout');
    redirect('/apps?withdrawn=1');
  });
}

export async function addOwnerAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const user = await requireActionUser();
  const appId = await requireManage(user, fd.get('appId'));
  return runForm({ email: 'Email' }, echo(fd, ['email']), async () => {
    const email = emailSchema.parse(text(fd, 'email'));
    const added = await addOwner({ appId, email, actor: await actorOf(user) });
    refresh();
    return { ok: true, message: `${added.email} is now an owner.`, at: Date.now() };
  });
}

export async function removeOwnerAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const user = await requireActionUser();
  const appId = await requireManage(user, fd.get('appId'));
  return runForm({}, undefined, async () => {
    const userId = idOr404(fd.get('userId'));
    await removeOwner({ appId, userId, actor: await actorOf(user) });
    // Removing yourself ends your access (unless you are an admin).
    if (userId === user.id && !(await appAccess(user, appId)).view) redirect('/apps?left=1');
    refresh();
    return { ok: true, message: 'Owner removed.', at: Date.now() };
  });
}
