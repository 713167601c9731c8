import { Badge } from '@/components/ui/badge';
import { formatDateTime, relative } from '@/components/ui/format';
import { Table } from '@/components/ui/table';
import { Time } from '@/components/ui/time';
import { displayKey } from '@/lib/keys/format';
import { keyState, type KeyState } from '@/lib/keys/state';
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
  const usable = (k: AppKey) => ['active', 'expires_soon', 'rotating'].includes(keyState(k).kind);
  return (
    <Table
      caption="API keys"
      bare
      rows={keys}
      rowKey={(k) => k.id}
      rowProps={(k) => ({ 'data-key-id': k.id })}
      columns={[
        {
          header: 'Key',
          cell: (k) => (
            <>
              <div className="font-semibold text-slate-900">{k.name}</div>
              <div className="font-mono text-xs whitespace-nowrap text-slate-700">{displayKey(k)}</div>
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
            </>
          ),
        },
        {
          header: 'Status',
          cell: (k) => {
            const state = keyState(k);
            return (
              <>
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
              </>
            );
          },
        },
        {
          header: 'Activity',
          cellClassName: 'text-xs text-slate-600',
          cell: (k) => (
            <>
              <div className="whitespace-nowrap">
                Created <Time date={k.createdAt} rel />
              </div>
              <div className="max-w-52 truncate" title={k.createdBy?.email ?? undefined}>
                by {k.createdBy?.email ?? 'the command line'}
              </div>
              <div className="mt-1 whitespace-nowrap">
                Last used {k.lastUsedAt ? <Time date={k.lastUsedAt} rel /> : 'never'}
              </div>
            </>
          ),
        },
        canManage && {
          header: <span className="sr-only">Actions</span>,
          right: true,
          cell: (k) =>
            usable(k) && (
              <div className="flex justify-end gap-1">
                {!k.rotatedTo && canCreate && (
                  <RotateKeyButton appId={appId} keyId={k.id} display={displayKey(k)} name={k.name} />
                )}
                <RevokeKeyButton appId={appId} keyId={k.id} display={displayKey(k)} name={k.name} />
              </div>
            ),
        },
      ]}
    />
  );
}
