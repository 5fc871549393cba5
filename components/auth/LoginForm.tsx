'use client';

import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { z } from 'zod';
import { ROLE_LABELS, userInfoSchema } from '@/lib/auth';
import { ApiError, apiCall } from './api';
import { AuthCard, FormError } from './AuthCard';
import { safeNext } from './redirect';
import { useCountdown } from './useCountdown';
import { useMe } from './useMe';

const loginAnswer = z.object({ user: userInfoSchema.pick({ id: true, email: true, role: true }) });

type Problem = { kind: 'credentials' } | { kind: 'throttled'; until: number } | { kind: 'other'; message: string };

/**
 * The sign-in form. A real POST form with the field names and autocomplete hints password
 * managers look for; submitted as JSON by script so the password never lands in a URL.
 */
export function LoginForm() {
  const params = useSearchParams();
  const next = safeNext(params.get('next'));
  const me = useMe();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const waitSeconds = useCountdown(problem?.kind === 'throttled' ? problem.until : null);
  const throttled = problem?.kind === 'throttled' && waitSeconds > 0;

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (busy || throttled) return;
    setBusy(true);
    setProblem(null);
    try {
      await apiCall('/api/auth/login', loginAnswer, { method: 'POST', body: { email: email.trim(), password } });
      queryClient.clear();
      // a full load: the server decides with the new cookie what the next page may show
      window.location.assign(next);
      return;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setProblem({ kind: 'credentials' });
      else if (err instanceof ApiError && err.status === 429) setProblem({ kind: 'throttled', until: Date.now() + (err.retryAfterSeconds ?? 30) * 1000 });
      else setProblem({ kind: 'other', message: err instanceof Error ? err.message : String(err) });
      setPassword('');
    }
    setBusy(false);
  };

  const signedIn = me.data?.user ?? null;
  // a one-time sign-in link (npm run demo, the admin commands) that was used or expired
  const badLink = params.get('link') === 'invalid';

  return (
    <AuthCard title="Sign in to Pulse" lead="Live revenue, orders and alerts for your shop." testId="login-card">
      {me.data?.setupPending && (
        <div className="notice notice-info auth-setup-note" data-testid="setup-pending">
          <strong>No admin yet.</strong>
          <span>
            The first admin is created with the one-time setup link the server printed when it started (open it in this browser),
            or on the server with <code>npm run user:create -- --email … --password … --role admin</code>.
          </span>
        </div>
      )}
      {badLink && (
        <div className="notice notice-warning auth-setup-note" data-testid="link-invalid">
          <strong>That sign-in link no longer works.</strong>
          <span>Each link signs in once and expires soon after it is made. Sign in with your email and password, or ask for a new link.</span>
        </div>
      )}
      {signedIn && (
        <p className="auth-signed-in" data-testid="already-signed-in">
          You are signed in as <strong>{signedIn.email}</strong> ({ROLE_LABELS[signedIn.role]}). <Link href={next}>Continue</Link>
        </p>
      )}
      <form className="auth-form" method="post" onSubmit={(e) => void submit(e)} data-testid="login-form" noValidate={false}>
        <div className="field">
          <label htmlFor="email">Email</label>
          <input
            id="email"
            name="email"
            type="email"
            className="input"
            autoComplete="username"
            inputMode="email"
            autoCapitalize="none"
            spellCheck={false}
            required
            maxLength={254}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            className="input"
            autoComplete="current-password"
            required
            maxLength={256}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {problem && (
          <FormError testId="login-error">
            {problem.kind === 'credentials' ? (
              <>
                <strong>Wrong email or password.</strong>
                <span>Check both and try again. After several wrong tries sign-in pauses for a while.</span>
              </>
            ) : problem.kind === 'throttled' ? (
              <>
                <strong>Too many attempts.</strong>
                <span data-testid="retry-countdown">{waitSeconds > 0 ? `Try again in ${waitSeconds} s.` : 'You can try again now.'}</span>
              </>
            ) : (
              <>
                <strong>Could not sign in.</strong>
                <span>{problem.message}</span>
              </>
            )}
          </FormError>
        )}
        <button type="submit" className="btn btn-primary auth-submit" disabled={busy || throttled} aria-busy={busy}>
          {busy ? 'Signing in…' : throttled ? `Wait ${waitSeconds} s` : 'Sign in'}
        </button>
      </form>
      <p className="auth-foot muted">Forgot your password? Ask an admin of this Pulse to set a new one.</p>
    </AuthCard>
  );
}
