import { Badge } from '@/components/ui/badge';
import { formatDateTime, relative } from '@/components/ui/format';
import { Time } from '@/components/ui/time';
import { displayKey } from '@/lib/keys/format';
import { keyState, type KeyState } from '@/lib/keys/manage';
import type { AppKey } from '@/lib/apps/queries';
import { RevokeKeyButton, RotateKeyButton } from './key-actions';

export function KeyStateBadge({ state }: { state: KeyState }) {
  switch (state.kind) {
    case 'active':
      return <Badge tone="green">Active</Badge>;
    case 'expires_soon':
      return <Badge tone="amber">Expires {relative(state.at)}</Badge>;
    case 'rotating':
      return (
        <>
          <Badge tone="blue">Rotating until</Badge>
          <span className="mt-1 block text-xs whitespace-nowrap text-slate-600">
            {formatDateTime(state.until)}
          </span>
        </>
      );
    case 'expired':
      return <Badge tone="slate">{state.rotated ? 'Replaced (expired)' : 'Expired'}</Badge>;
    case 'revoked':
      return <Badge tone="red">Revoked</Badge>;
  }
}

/** An app's keys with their state; owners and admins get rotate and revoke on keys that still work. */
export function KeyTable({
  appId,
  keys,
  canManage,
  canCreate,
}: {
  appId: string;
  keys: AppKey[];
  canManage: boolean;
  canCreate: boolean;
}) {
  return (
    <div className="relative -mx-5 overflow-x-auto">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">API keys</caption>
        <thead className="text-left text-xs font-semibold tracking-wide text-slate-600 uppercase">
          <tr>
            <th scope="col" className="px-5 py-2">
              Key
            </th>
            <th scope="col" className="px-3 py-2">
              Status
            </th>
            <th scope="col" className="px-3 py-2">
              Activity
            </th>
            {canManage && (
              <th scope="col" className="px-5 py-2 text-right">
                <span className="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {keys.map((k) => {
            const state = keyState(k);
            const display = displayKey(k);
            const usable =
              state.kind === 'active' || state.kind === 'expires_soon' || state.kind === 'rotating';
            return (
              <tr key={k.id} className="align-top" data-key-id={k.id}>
                <td className="px-5 py-3">
                  <div className="font-semibold text-slate-900">{k.name}</div>
                  <div className="font-mono text-xs whitespace-nowrap text-slate-700">{display}</div>
                  <div className="mt-0.5 text-xs whitespace-nowrap text-slate-500">
                    ID <span className="font-mono select-all">{k.id}</span>
                  </div>
                  {k.rotatedFrom && (
                    <div className="mt-0.5 text-xs whitespace-nowrap text-slate-500">
                      Replaces {displayKey(k.rotatedFrom)}
                    </div>
                  )}
                  {k.rotatedTo && (
                    <div className="mt-0.5 text-xs whitespace-nowrap text-slate-500">
                      Replaced by {displayKey(k.rotatedTo)}
                    </div>
                  )}
                </td>
                <td className="px-3 py-3">
                  <KeyStateBadge state={state} />
                  <div className="mt-1 text-xs whitespace-nowrap text-slate-600">
                    {k.revokedAt ? (
                      <>
                        Revoked <Time date={k.revokedAt} />
                      </>
                    ) : state.kind === 'rotating' ? null : k.expiresAt ? (
                      <>
                        {state.kind === 'expired' ? 'Expired' : 'Expires'}{' '}
                        <Time date={k.expiresAt} dateOnly={state.kind !== 'expired'} />
                      </>
                    ) : (
                      'Never expires'
                    )}
                  </div>
                </td>
                <td className="px-3 py-3 text-xs text-slate-600">
                  <div className="whitespace-nowrap">
                    Created <Time date={k.createdAt} rel />
                  </div>
                  <div className="max-w-52 truncate" title={k.createdBy?.email ?? undefined}>
                    by {k.createdBy?.email ?? 'the command line'}
                  </div>
                  <div className="mt-1 whitespace-nowrap">
                    Last used {k.lastUsedAt ? <Time date={k.lastUsedAt} rel /> : 'never'}
                  </div>
                </td>
                {canManage && (
                  <td className="px-5 py-3">
                    {usable && (
                      <div className="flex justify-end gap-1">
                        {!k.rotatedTo && canCreate && (
                          <RotateKeyButton appId={appId} keyId={k.id} display={display} name={k.name} />
                        )}
                        <RevokeKeyButton appId={appId} keyId={k.id} display={display} name={k.name} />
                      </div>
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
