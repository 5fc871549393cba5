'use client';

import { useState, type ReactNode } from 'react';

/**
 * A destructive action in two steps: the button, then "Sure?" with the consequence spelled out.
 * `busy` keeps the question up while the change runs.
 */
export function ConfirmButton(props: {
  label: string;
  question: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  busy?: boolean;
  busyLabel?: string;
  disabled?: boolean;
  testId?: string;
}) {
  const [asking, setAsking] = useState(false);
  if (props.busy) {
    return (
      <button type="button" className="btn btn-danger-quiet" disabled aria-busy="true">
        {props.busyLabel ?? 'Working…'}
      </button>
    );
  }
  if (!asking) {
    return (
      <button type="button" className="btn btn-danger-quiet" onClick={() => setAsking(true)} disabled={props.disabled} data-testid={props.testId}>
        {props.label}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={props.label}>
      <span className="confirm-question">{props.question}</span>
      <button
        type="button"
        className="btn btn-danger"
        onClick={() => {
          setAsking(false);
          props.onConfirm();
        }}
        data-testid={props.testId ? `${props.testId}-confirm` : undefined}
        autoFocus
      >
        {props.confirmLabel}
      </button>
      <button type="button" className="btn btn-quiet" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

/** Something shown once (a key, a display link): selectable, with Copy, and what to do with it. */
export function CopyOnce(props: { title: string; value: string; warning: string; children?: ReactNode; onDone: () => void; testId: string }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopied('yes');
    } catch {
      // no clipboard permission (or not a secure context): the text is selectable instead
      setCopied('failed');
    }
  };
  return (
    <div className="copy-once" role="status" data-testid={props.testId}>
      <strong className="copy-once-title">{props.title}</strong>
      <div className="copy-once-row">
        <input
          className="input mono copy-once-value"
          readOnly
          value={props.value}
          aria-label={props.title}
          onFocus={(e) => e.currentTarget.select()}
          data-testid={`${props.testId}-value`}
        />
        <button type="button" className="btn btn-primary" onClick={() => void copy()}>
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </button>
      </div>
      {copied === 'failed' && <p className="small text-critical">The browser did not allow copying: select the text and copy it by hand.</p>}
      <p className="copy-once-warning">{props.warning}</p>
      {props.children}
      <div>
        <button type="button" className="btn" onClick={props.onDone}>
          Done, I have saved it
        </button>
      </div>
    </div>
  );
}

export function ErrorNotice({ title, error, testId }: { title: string; error: unknown; testId?: string }) {
  if (!error) return null;
  return (
    <div className="notice notice-critical" role="alert" data-testid={testId}>
      <strong>{title}</strong>
      <span>{error instanceof Error ? error.message : String(error)}</span>
    </div>
  );
}

export function Done({ children }: { children: ReactNode }) {
  return (
    <div className="notice notice-good" role="status" data-testid="admin-done">
      <strong>{children}</strong>
    </div>
  );
}
