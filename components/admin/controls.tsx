'use client';

import { useState, type ReactNode } from 'react';
import { when } from './format';

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

/**
 * A list's states after its error notice: loading, nothing yet (`empty`, when given), or the
 * items handed to `children` (typically an AdminTable).
 */
export function ListState<T>(props: {
  pending: boolean;
  loading: ReactNode;
  items: readonly T[] | undefined;
  empty?: ReactNode;
  emptyTestId?: string;
  children: (items: readonly T[]) => ReactNode;
}) {
  if (props.pending) return <p className="muted">{props.loading}</p>;
  if (!props.items) return null;
  if (props.items.length === 0 && props.empty !== undefined) {
    return (
      <div className="admin-empty" data-testid={props.emptyTestId}>
        {props.empty}
      </div>
    );
  }
  return <>{props.children(props.items)}</>;
}

/** The admin pages' table: scrolls sideways on its own, a header cell a column, and an unlabelled actions column when `actions`. */
export function AdminTable(props: { columns: readonly string[]; actions?: boolean; testId?: string; className?: string; children: ReactNode }) {
  return (
    <div className="admin-table-wrap">
      <table className={props.className ? `admin-table ${props.className}` : 'admin-table'} data-testid={props.testId}>
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th key={column}>{column}</th>
            ))}
            {props.actions && (
              <th>
                <span className="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

/** A create form's last part: its submit button, and what went wrong (or right) once sent. */
export function FormSubmit(props: {
  label: string;
  pendingLabel: string;
  pending: boolean;
  errorTitle: string;
  error: unknown;
  errorTestId: string;
  children?: ReactNode;
}) {
  return (
    <>
      <div className="admin-form-submit">
        <button type="submit" className="btn btn-primary" disabled={props.pending}>
          {props.pending ? props.pendingLabel : props.label}
        </button>
      </div>
      <div className="admin-form-result">
        <ErrorNotice title={props.errorTitle} error={props.error} testId={props.errorTestId} />
        {props.children}
      </div>
    </>
  );
}

/** `<option>`s for a fixed list of values, each shown by its label. */
export function LabelledOptions<V extends string>({ values, labels }: { values: readonly V[]; labels: Readonly<Record<V, string>> }) {
  return (
    <>
      {values.map((value) => (
        <option key={value} value={value}>
          {labels[value]}
        </option>
      ))}
    </>
  );
}

/** "when, by whom" for a table's Created column */
export function CreatedCell({ at, by }: { at: string; by: string | null }) {
  return (
    <td data-label="Created">
      <span>
        {when(at)}
        {by && <span className="muted small admin-by"> by {by}</span>}
      </span>
    </td>
  );
}

/** The actions cell of something revocable (a key, a display link): Revoke with a question, or when it was revoked. */
export function RevokeCell(props: {
  revokedAt: string | null;
  question: string;
  testId: string;
  revoking: boolean;
  error: unknown;
  onRevoke: () => void;
}) {
  return (
    <td data-label="Actions" className="admin-actions">
      {props.revokedAt !== null ? (
        <span className="badge badge-off">Revoked {when(props.revokedAt)}</span>
      ) : (
        <ConfirmButton
          label="Revoke"
          question={props.question}
          confirmLabel="Revoke"
          busy={props.revoking}
          busyLabel="Revoking…"
          onConfirm={props.onRevoke}
          testId={props.testId}
        />
      )}
      <ErrorNotice title="Not revoked." error={props.error} />
    </td>
  );
}
