'use client';

import { createContext, useContext, useState, type ReactNode } from 'react';
import { Dialog } from '@/components/ui/dialog';
import type { NewKeyState } from '@/app/(portal)/_actions/state';
import { NewKeyPanel } from './new-key';

type Secret = NonNullable<NewKeyState['secret']>;

const ShowKey = createContext<(s: Secret) => void>(() => {});

/**
 * Holds a just-created key above the key list: the list re-renders after a creation or rotation (a rotated
 * key loses its buttons), and the dialog showing the key must outlive that. Closing it forgets the key.
 */
export function ShownKeyProvider({ children }: { children: ReactNode }) {
  const [secret, setSecret] = useState<Secret | null>(null);
  return (
    <ShowKey.Provider value={setSecret}>
      {children}
      <Dialog
        open={secret !== null}
        onClose={() => setSecret(null)}
        title={secret?.oldDisplay ? 'Copy the new key' : 'Copy your new key'}
        wide
      >
        {secret && <NewKeyPanel secret={secret} onDone={() => setSecret(null)} />}
      </Dialog>
    </ShowKey.Provider>
  );
}

export function useShowKey() {
  return useContext(ShowKey);
}
