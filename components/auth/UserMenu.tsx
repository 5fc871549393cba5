'use client';

import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { ROLE_LABELS } from '@/lib/auth';
import { useMe, useSignOut } from './useMe';

/**
 * The header's right end: who is signed in, their role, and Sign out. A wall display shows its
 * name and nothing to click (nobody signs out a TV). On a phone it folds into a button.
 */
export function UserMenu() {
  const me = useMe();
  const signOut = useSignOut();
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const data = me.data;
  if (!data) return null;
  if (data.display) {
    return (
      <span className="chip user-display" data-testid="user-menu" data-kind="display" title="A wall display signed in with a display link">
        Display: <strong>{data.display.name}</strong>
      </span>
    );
  }
  const user = data.user;
  if (!user) return null;
  const initial = user.email.charAt(0).toUpperCase();
  return (
    <div className="user-menu" ref={root} data-testid="user-menu" data-kind="user" data-role={user.role}>
      <button
        type="button"
        className="user-menu-button"
        aria-haspopup="true"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        title={`${user.email} (${ROLE_LABELS[user.role]})`}
      >
        <span className="user-avatar" aria-hidden="true">
          {initial}
        </span>
        <span className="user-email">{user.email}</span>
        <span className={`role-badge role-${user.role}`} data-testid="role-badge">
          {ROLE_LABELS[user.role]}
        </span>
      </button>
      {open && (
        <div className="user-menu-pop" role="menu">
          <div className="user-menu-who">
            <strong>{user.email}</strong>
            <span className={`role-badge role-${user.role}`}>{ROLE_LABELS[user.role]}</span>
          </div>
          <Link href="/account" className="user-menu-item" role="menuitem" onClick={() => setOpen(false)}>
            Your sessions
          </Link>
          <button
            type="button"
            className="user-menu-item"
            role="menuitem"
            onClick={() => signOut.mutate()}
            disabled={signOut.isPending}
            data-testid="sign-out"
          >
            {signOut.isPending ? 'Signing out…' : 'Sign out'}
          </button>
          {signOut.error && <p className="user-menu-error text-critical">{signOut.error.message}</p>}
        </div>
      )}
    </div>
  );
}
