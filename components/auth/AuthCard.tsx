import type { ReactNode } from 'react';
import { Logo } from '@/components/ui/Logo';

/** The calm centred card the sign-in, setup and denied pages share. */
export function AuthCard(props: { title: string; lead?: ReactNode; children: ReactNode; wide?: boolean; testId?: string }) {
  return (
    <div className="auth-page">
      <main className={`auth-card${props.wide ? ' auth-card-wide' : ''}`} data-testid={props.testId}>
        <div className="auth-brand">
          <Logo className="logo auth-logo" />
        </div>
        <h1 className="auth-title">{props.title}</h1>
        {props.lead !== undefined && <p className="auth-lead">{props.lead}</p>}
        {props.children}
      </main>
    </div>
  );
}

export function FormError({ children, testId = 'form-error' }: { children: ReactNode; testId?: string }) {
  return (
    <div className="notice notice-critical auth-error" role="alert" data-testid={testId}>
      {children}
    </div>
  );
}
