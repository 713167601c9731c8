'use client';

import { createContext, useContext, useState, type ReactNode } from 'react';
import { Dialog } from '@/components/ui/dialog';
import type { NewKeyState } from '@/app/(portal)/_actions/state';
import { NewKeyPanel } from './new-key';

type Secret = NonNullable<NewKeyState['secret']>;

const ShowKey = createContext<(s: Secret) => void>(() => {});

/**
 * Holds a just-created key above the key list: the list re-renders after a creation or rotation (a rotated
 * key loses its buttons), and the dialog showing the key must outlive that. Closing it forgets the key and
 * puts focus on the list's heading, since the button that started the flow may be gone.
 */
export function ShownKeyProvider({
  children,
  returnFocusTo,
}: {
  children: ReactNode;
  returnFocusTo: string;
}) {
  const [secret, setSecret] = useState<Secret | null>(null);
  // Escape asks first: the key is never shown again. A second Escape closes.
  const [asking, setAsking] = useState(false);
  const close = () => {
    setSecret(null);
    setAsking(false);
    const target = document.getElementById(returnFocusTo);
    if (target) {
      target.tabIndex = -1;
      requestAnimationFrame(() => target.focus());
    }
  };
  return (
    <ShowKey.Provider value={setSecret}>
      {children}
      <Dialog
        open={secret !== null}
        onClose={close}
        onEscape={() => (asking ? close() : setAsking(true))}
        title={secret?.oldDisplay ? 'Copy the new key' : 'Copy your new key'}
        wide
      >
        {secret && (
          <NewKeyPanel
            secret={secret}
            onDone={close}
            asking={asking}
            onKeep={() => {
              setAsking(false);
              requestAnimationFrame(() => document.getElementById('new-key')?.focus());
            }}
          />
        )}
      </Dialog>
    </ShowKey.Provider>
  );
}

export function useShowKey() {
  return useContext(ShowKey);
}
