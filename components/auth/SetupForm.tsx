'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { z } from 'zod';
import { PASSWORD_MAX, PASSWORD_MIN, userInfoSchema } from '@/lib/auth';
import { ApiError, apiCall } from './api';
import { AuthCard, FormError } from './AuthCard';

const setupAnswer = z.object({ user: userInfoSchema.pick({ id: true, email: true, role: true }) });

/** The first admin, created with the one-time setup link the server printed. */
export function SetupForm() {
  const token = useSearchParams().get('token') ?? '';
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const tooShort = password.length > 0 && password.length < PASSWORD_MIN;
  const mismatch = confirm.length > 0 && confirm !== password;

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (busy) return;
    if (password.length < PASSWORD_MIN) return setError(`The password needs at least ${PASSWORD_MIN} characters.`);
    if (password !== confirm) return setError('The two passwords differ.');
    setBusy(true);
    setError(null);
    try {
      await apiCall('/api/auth/setup', setupAnswer, { method: 'POST', body: { token, email: email.trim(), password } });
      queryClient.clear();
      window.location.assign('/');
      return;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      setError(err instanceof ApiError && err.status === 410 ? `This setup link was already used or has expired: ${message}` : message);
    }
    setBusy(false);
  };

  if (!token) {
    return (
      <AuthCard title="Set up Pulse" testId="setup-card">
        <FormError testId="setup-error">
          <strong>This setup link is incomplete.</strong>
          <span>Open the full link the server printed when it started (it ends in ?token=…), or create the first admin with <code>npm run user:create</code>.</span>
        </FormError>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Create the first admin" lead="This account can add everyone else, create keys and display links." testId="setup-card">
      <form className="auth-form" method="post" onSubmit={(e) => void submit(e)} data-testid="setup-form">
        <div className="field">
          <label htmlFor="email">Email</label>
          <input id="email" name="email" type="email" className="input" autoComplete="username" autoCapitalize="none" spellCheck={false} required maxLength={254} value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="new-password">New password</label>
          <input
            id="new-password"
            name="password"
            type="password"
            className="input"
            autoComplete="new-password"
            required
            minLength={PASSWORD_MIN}
            maxLength={PASSWORD_MAX}
            aria-describedby="password-policy"
            aria-invalid={tooShort || undefined}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <p id="password-policy" className={`field-hint${tooShort ? ' text-critical' : ''}`}>
            At least {PASSWORD_MIN} characters{password.length > 0 ? ` (${password.length} so far)` : ''}. A phrase of a few words is easy to remember.
          </p>
        </div>
        <div className="field">
          <label htmlFor="confirm-password">Confirm password</label>
          <input id="confirm-password" name="confirm" type="password" className="input" autoComplete="new-password" required maxLength={PASSWORD_MAX} aria-invalid={mismatch || undefined} value={confirm} onChange={(e) => setConfirm(e.target.value)} />
          {mismatch && <p className="field-hint text-critical">The two passwords differ.</p>}
        </div>
        {error && (
          <FormError testId="setup-error">
            <strong>Could not create the admin.</strong>
            <span>{error}</span>
          </FormError>
        )}
        <button type="submit" className="btn btn-primary auth-submit" disabled={busy} aria-busy={busy}>
          {busy ? 'Creating…' : 'Create admin and sign in'}
        </button>
      </form>
    </AuthCard>
  );
}
