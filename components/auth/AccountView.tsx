'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { AdminTable, ErrorNotice, ListState } from '@/components/admin/controls';
import { when } from '@/components/admin/format';
import { AppHeader } from '@/components/ui/AppHeader';
import { ROLE_LABELS, sessionInfoSchema, type SessionInfo } from '@/lib/auth';
import { ApiError, apiCall } from './api';
import { goToSignIn } from './redirect';
import { useMe } from './useMe';

const SESSIONS_KEY = ['auth', 'sessions'] as const;
const sessionsAnswer = z.object({ sessions: z.array(sessionInfoSchema) });

const signInOn401 = (err: unknown): never => {
  if (err instanceof ApiError && err.status === 401) goToSignIn();
  throw err;
};

/** Where one is signed in, and the way to end a session left open on another computer. */
export function AccountView() {
  const me = useMe();
  const queryClient = useQueryClient();
  const sessions = useQuery({
    queryKey: SESSIONS_KEY,
    queryFn: ({ signal }) => apiCall('/api/auth/sessions', sessionsAnswer, { signal }).then((a) => a.sessions, signInOn401),
  });
  const revoke = useMutation({
    mutationFn: (session: SessionInfo) => apiCall(`/api/auth/sessions/${encodeURIComponent(session.id)}`, null, { method: 'DELETE' }).catch(signInOn401),
    onSuccess: (_r, session) => {
      if (session.current) window.location.assign('/login');
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: SESSIONS_KEY }),
  });
  const user = me.data?.user;
  return (
    <div className="overview page-scaled admin-page">
      <AppHeader />
      <main className="overview-main admin-main">
        <h1 className="admin-title">Your sessions</h1>
        <section className="admin-section" data-testid="account-sessions">
          <div className="admin-section-head">
            {user && (
              <h2>
                {user.email} · <span className={`role-badge role-${user.role}`}>{ROLE_LABELS[user.role]}</span>
              </h2>
            )}
            <p className="muted">Every browser where you are signed in. End one you do not recognise, or left open on another computer.</p>
          </div>
          <ErrorNotice title="Cannot load your sessions." error={sessions.error} />
          <ErrorNotice title="Not ended." error={revoke.error} />
          <ListState pending={sessions.isPending} loading="Loading…" items={sessions.data}>
            {(items) => (
              <AdminTable columns={['Browser', 'Signed in', 'Last seen', 'Expires']} actions>
                {items.map((s) => (
                  <tr key={s.id}>
                    <td data-label="Browser">
                      <span>
                        <span className="admin-strong">{s.userAgent ?? 'unknown browser'}</span>
                        {s.current && <span className="chip admin-self">this one</span>}
                      </span>
                    </td>
                    <td data-label="Signed in">{when(s.createdAt)}</td>
                    <td data-label="Last seen">{when(s.lastSeenAt)}</td>
                    <td data-label="Expires">{when(s.expiresAt)}</td>
                    <td data-label="Actions" className="admin-actions">
                      <div className="admin-actions-row">
                        <button type="button" className="btn btn-danger-quiet" disabled={revoke.isPending} onClick={() => revoke.mutate(s)}>
                          {revoke.isPending && revoke.variables?.id === s.id ? 'Ending…' : s.current ? 'Sign out here' : 'End session'}
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </AdminTable>
            )}
          </ListState>
        </section>
      </main>
    </div>
  );
}
