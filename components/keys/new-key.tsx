'use client';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { CopyButton } from '@/components/ui/copy-button';
import { formatDateTime, relative } from '@/components/ui/format';
import type { NewKeyState } from '@/app/(portal)/_actions/state';

/** The one time a key is visible: copy it, with the warning that it cannot be shown again. */
export function NewKeyPanel({
  secret,
  onDone,
  asking = false,
  onKeep,
}: {
  secret: NonNullable<NewKeyState['secret']>;
  onDone: () => void;
  /** Escape was pressed: ask before the key is gone for good. */
  asking?: boolean;
  onKeep?: () => void;
}) {
  const oldEnds = secret.oldKeyExpiresAt ? new Date(secret.oldKeyExpiresAt) : null;
  return (
    <div className="space-y-4">
      <Alert tone="warning" title="Copy this key now: it will not be shown again">
        Store it in your secret manager or your deployment’s environment, like a password. Portico keeps only
        a hash of it: if you lose it, rotate or create another key.
      </Alert>
      <div>
        <label htmlFor="new-key" className="block text-sm font-medium text-slate-800">
          New API key
        </label>
        <div className="mt-1 flex gap-2">
          <input
            id="new-key"
            readOnly
            value={secret.key}
            data-autofocus
            onFocus={(e) => e.currentTarget.select()}
            spellCheck={false}
            autoComplete="off"
            className="block w-full min-w-0 rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-sm"
          />
          <CopyButton text={secret.key} label="Copy key" variant="primary" />
        </div>
      </div>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="text-slate-500">Name</dt>
        <dd>{secret.name}</dd>
        <dt className="text-slate-500">Shown in lists as</dt>
        <dd className="font-mono">{secret.display}</dd>
        <dt className="text-slate-500">Expires</dt>
        <dd>{secret.expiresAt ? formatDateTime(new Date(secret.expiresAt)) : 'Never'}</dd>
      </dl>
      {oldEnds && (
        <Alert tone="info" live={false} title="Both keys work during the grace period">
          {secret.oldStillWorks ? (
            <>
              The old key <span className="font-mono">{secret.oldDisplay}</span> keeps working until{' '}
              {formatDateTime(oldEnds)} ({relative(oldEnds)}). Deploy the new key before then.
            </>
          ) : (
            <>
              The old key <span className="font-mono">{secret.oldDisplay}</span> has stopped working.
            </>
          )}
        </Alert>
      )}
      {asking ? (
        <div
          role="alertdialog"
          aria-labelledby="close-key-question"
          className="space-y-3 rounded-md border border-amber-300 bg-amber-50 p-4"
        >
          <p id="close-key-question" className="text-sm font-semibold text-amber-900">
            Close without storing the key? It cannot be shown again. Press Escape again to close.
          </p>
          <div className="flex flex-wrap justify-end gap-2">
            <Button variant="secondary" onClick={onDone}>
              Close anyway
            </Button>
            <Button onClick={onKeep} autoFocus>
              Back to the key
            </Button>
          </div>
        </div>
      ) : (
        <div className="flex justify-end">
          <Button onClick={onDone}>I have stored the key</Button>
        </div>
      )}
    </div>
  );
}
