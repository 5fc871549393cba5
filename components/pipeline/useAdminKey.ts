'use client';

import { useCallback, useSyncExternalStore } from 'react';

/**
 * The admin key for this tab. It lives in sessionStorage only: gone when the tab closes, never
 * shared with other tabs, never in localStorage or the URL. Until user management exists this
 * key is what makes someone an admin.
 */
const STORAGE_KEY = 'pulse.adminKey';
const CHANGED = 'pulse:admin-key-changed';

function read(): string | null {
  try {
    return window.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    // storage disabled (privacy settings): the key cannot be kept, the form stays
    return null;
  }
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener(CHANGED, onChange);
  return () => window.removeEventListener(CHANGED, onChange);
}

function write(key: string | null): void {
  try {
    if (key === null) window.sessionStorage.removeItem(STORAGE_KEY);
    else window.sessionStorage.setItem(STORAGE_KEY, key);
  } catch {
    /* see read() */
  }
  window.dispatchEvent(new Event(CHANGED));
}

export interface AdminKey {
  /** null when none is set; always null during server rendering */
  key: string | null;
  setKey(key: string): void;
  forget(): void;
}

export function useAdminKey(): AdminKey {
  const key = useSyncExternalStore(subscribe, read, () => null);
  const setKey = useCallback((next: string) => write(next.trim() || null), []);
  const forget = useCallback(() => write(null), []);
  return { key, setKey, forget };
}
