'use client';

import { useState, type FormEvent } from 'react';
import { useMe } from '@/components/auth/useMe';
import { PASSWORD_MIN, ROLES, ROLE_LABELS, type Role, type UserInfo } from '@/lib/auth';
import { AdminTable, ConfirmButton, Done, ErrorNotice, FormSubmit, LabelledOptions, ListState } from './controls';
import { useChangeUser, useCreateUser, useRevokeUserSessions, useUsers } from './adminApi';
import { lockedUntil, when } from './format';

/** Who may sign in, with which role; and the ways an admin ends someone's access. */
export function UsersSection() {
  const users = useUsers();
  const me = useMe();
  const now = Date.now();
  return (
    <section className="admin-section" aria-labelledby="users-title" data-testid="admin-users">
      <div className="admin-section-head">
        <h2 id="users-title">Users</h2>
        <p className="muted">Viewers see the live overview and the wall; analysts also history and per-user pages; admins everything.</p>
      </div>
      <CreateUser />
      <ErrorNotice title="Cannot load the users." error={users.error} />
      <ListState pending={users.isPending} loading="Loading users…" items={users.data} empty="No users yet.">
        {(items) => (
          <AdminTable columns={['Email', 'Role', 'Last sign-in', 'Status', 'Sessions']} actions testId="users-table">
            {items.map((user) => (
              <UserRow key={user.id} user={user} self={me.data?.user?.id === user.id} locked={lockedUntil(user.lockedUntil, now)} />
            ))}
          </AdminTable>
        )}
      </ListState>
    </section>
  );
}

function CreateUser() {
  const create = useCreateUser();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [created, setCreated] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setCreated(null);
    create.mutate(
      { email: email.trim(), password, role },
      {
        onSuccess: () => {
          setCreated(`${email.trim()} can now sign in as ${ROLE_LABELS[role]}.`);
          setEmail('');
          setPassword('');
        },
      },
    );
  };
  return (
    <form className="admin-form" method="post" onSubmit={submit} data-testid="create-user-form" aria-label="Add a user">
      <div className="field">
        <label htmlFor="new-user-email">Email</label>
        <input id="new-user-email" name="email" type="email" className="input" autoComplete="off" required maxLength={254} value={email} onChange={(e) => setEmail(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="new-user-password">Password</label>
        <input
          id="new-user-password"
          name="password"
          type="password"
          className="input"
          autoComplete="new-password"
          required
          minLength={PASSWORD_MIN}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <span className="field-hint">At least {PASSWORD_MIN} characters; tell it to them in person.</span>
      </div>
      <div className="field">
        <label htmlFor="new-user-role">Role</label>
        <select id="new-user-role" name="role" className="input" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          <LabelledOptions values={ROLES} labels={ROLE_LABELS} />
        </select>
      </div>
      <FormSubmit label="Add user" pendingLabel="Adding…" pending={create.isPending} errorTitle="Could not add the user." error={create.error} errorTestId="create-user-error">
        {created && !create.error && <Done>{created}</Done>}
      </FormSubmit>
    </form>
  );
}

function UserRow({ user, self, locked }: { user: UserInfo; self: boolean; locked: string | null }) {
  const change = useChangeUser();
  const revoke = useRevokeUserSessions();
  const [settingPassword, setSettingPassword] = useState(false);
  const [password, setPassword] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const busyWith = change.isPending ? change.variables?.change : null;
  const error = change.error ?? revoke.error;

  const apply = (next: { role?: Role; disabled?: boolean; password?: string }, said: string) => {
    setDone(null);
    change.mutate({ userId: user.id, change: next }, { onSuccess: () => setDone(said) });
  };

  return (
    <tr data-testid="user-row" data-email={user.email} className={user.disabled ? 'is-disabled' : undefined}>
      <td data-label="Email">
        <span>
          <span className="admin-strong">{user.email}</span>
          {self && <span className="chip admin-self">you</span>}
        </span>
      </td>
      <td data-label="Role">
        <select
          className="input"
          aria-label={`Role of ${user.email}`}
          value={busyWith?.role ?? user.role}
          disabled={change.isPending || self}
          title={self ? 'Another admin can change your role' : undefined}
          onChange={(e) => apply({ role: e.target.value as Role }, `${user.email} is now ${ROLE_LABELS[e.target.value as Role]}.`)}
        >
          <LabelledOptions values={ROLES} labels={ROLE_LABELS} />
        </select>
      </td>
      <td data-label="Last sign-in">{when(user.lastLoginAt, 'never')}</td>
      <td data-label="Status">
        {user.disabled ? (
          <span className="badge badge-off">Disabled</span>
        ) : locked ? (
          <span className="badge badge-warn" title="Too many wrong passwords">
            Locked until {locked}
          </span>
        ) : (
          <span className="badge badge-on">Active</span>
        )}
      </td>
      <td data-label="Sessions" className="num">
        {user.activeSessions}
      </td>
      <td data-label="Actions" className="admin-actions">
        <div className="admin-actions-row">
          {user.disabled ? (
            <button type="button" className="btn" disabled={change.isPending} onClick={() => apply({ disabled: false }, `${user.email} can sign in again.`)}>
              {busyWith?.disabled === false ? 'Enabling…' : 'Enable'}
            </button>
          ) : (
            <ConfirmButton
              label="Disable"
              question={`Disable ${user.email}? They are signed out everywhere and cannot sign in.`}
              confirmLabel="Disable"
              busy={busyWith?.disabled === true}
              busyLabel="Disabling…"
              disabled={self || change.isPending}
              onConfirm={() => apply({ disabled: true }, `${user.email} is disabled.`)}
            />
          )}
          <button type="button" className="btn" onClick={() => setSettingPassword((s) => !s)} aria-expanded={settingPassword}>
            New password
          </button>
          <ConfirmButton
            label="Sign out everywhere"
            question={`End all ${user.activeSessions} session(s) of ${user.email}?`}
            confirmLabel="Sign out"
            busy={revoke.isPending}
            busyLabel="Signing out…"
            disabled={user.activeSessions === 0}
            onConfirm={() => {
              setDone(null);
              revoke.mutate(user.id, { onSuccess: (r) => setDone(`Ended ${r.revoked} session(s) of ${user.email}.`) });
            }}
          />
        </div>
        {settingPassword && (
          <form
            className="admin-inline-form"
            method="post"
            onSubmit={(e) => {
              e.preventDefault();
              apply({ password }, `${user.email} has a new password.`);
              setPassword('');
              setSettingPassword(false);
            }}
          >
            <label htmlFor={`pw-${user.id}`} className="sr-only">
              New password for {user.email}
            </label>
            <input
              id={`pw-${user.id}`}
              type="password"
              className="input"
              autoComplete="new-password"
              placeholder={`new password, ${PASSWORD_MIN}+ characters`}
              minLength={PASSWORD_MIN}
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            <button type="submit" className="btn btn-primary" disabled={password.length < PASSWORD_MIN}>
              Set password
            </button>
          </form>
        )}
        <ErrorNotice title="Not done." error={error} />
        {done && !error && <p className="admin-row-done">{done}</p>}
      </td>
    </tr>
  );
}
