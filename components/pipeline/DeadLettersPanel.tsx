'use client';

import { Panel } from '@/components/ui/Panel';
import { formatNumber } from '@/lib/format';
import { AdminKeyForm } from './AdminKeyForm';
import { ApiError, DEAD_LETTER_LIMIT } from './deadLetterApi';
import { DeadLetterTable } from './DeadLetterTable';
import { useAdminKey } from './useAdminKey';
import { useDeadLetters, type Feedback } from './useDeadLetters';

const plural = (n: number) => `${formatNumber(n)} dead letter${n === 1 ? '' : 's'}`;

/**
 * Events that failed processing on every attempt, with Replay and Discard. Viewing them needs
 * the admin key (it shows raw event payloads); the count alone comes from the live snapshot.
 * `adminActions` is whether the server has admin keys at all (from the pipeline history):
 * undefined while not known yet, null when the server did not say (the form is offered and the
 * server's answer to it decides).
 */
export function DeadLettersPanel({ liveCount, adminActions }: { liveCount: number | undefined; adminActions: boolean | null | undefined }) {
  const admin = useAdminKey();
  const dead = useDeadLetters(admin.key, liveCount);
  const data = dead.list.data;
  // a refused key or a server without admin keys: nothing to refresh, no key to vouch for
  const refused = dead.list.error instanceof ApiError && (dead.list.error.status === 401 || dead.list.error.status === 403);
  const meta =
    admin.key && data
      ? data.total > data.letters.length
        ? `newest ${formatNumber(data.letters.length)} of ${formatNumber(data.total)}`
        : plural(data.total)
      : liveCount === undefined
        ? undefined
        : plural(liveCount);

  return (
    <Panel title="Dead letters" meta={meta} testId="dead-letters-panel" className="dl-panel">
      <p className="muted dl-intro">
        What the pipeline cannot process is set aside here instead of blocking it: an event that failed three times, or at
        once a log entry that cannot be decoded. Replay puts an event back in the pipeline once its cause is fixed; Discard
        drops a letter for good.
      </p>
      {admin.key === null ? (
        <Locked liveCount={liveCount} adminActions={adminActions} onKey={admin.setKey} />
      ) : (
        <>
          {!refused && (
            <div className="dl-toolbar">
              <span className="chip" data-testid="admin-key-set">
                <span className="status-dot is-ok-dot" aria-hidden="true" />
                Admin key set for this tab
              </span>
              <button type="button" className="btn btn-quiet" onClick={admin.forget}>
                Forget key
              </button>
              <span className="dl-toolbar-gap" />
              <button
                type="button"
                className="btn"
                onClick={() => void dead.list.refetch()}
                disabled={dead.list.isFetching}
                data-testid="refresh-dead-letters"
              >
                {dead.list.isFetching ? 'Refreshing…' : 'Refresh'}
              </button>
            </div>
          )}
          {dead.feedback && <FeedbackNotice feedback={dead.feedback} onDismiss={dead.dismissFeedback} />}
          {dead.list.error && <ListError error={dead.list.error} onKey={admin.setKey} onForget={admin.forget} />}
          {refused ? null : !data ? (
            !dead.list.error && <p className="muted dl-loading">Loading dead letters…</p>
          ) : data.letters.length === 0 ? (
            <div className="dl-empty" data-testid="dead-letters-empty">
              No dead letters — every accepted event was processed
            </div>
          ) : (
            <DeadLetterTable letters={data.letters} busyId={dead.busyId} onAction={dead.run} />
          )}
          {data && data.total > DEAD_LETTER_LIMIT && (
            <p className="muted small">Showing the newest {DEAD_LETTER_LIMIT}; replay or discard some to see older ones.</p>
          )}
        </>
      )}
    </Panel>
  );
}

function Locked(props: { liveCount: number | undefined; adminActions: boolean | null | undefined; onKey: (key: string) => void }) {
  const { liveCount, adminActions } = props;
  return (
    <div className="dl-locked" data-testid="dead-letters-locked" data-admin-actions={adminActions === undefined ? 'unknown' : adminActions === false ? 'off' : 'on'}>
      <p>
        <strong data-testid="dead-letter-count" data-value={liveCount}>
          {liveCount === undefined ? 'Dead letters: waiting for live numbers…' : plural(liveCount)}
        </strong>{' '}
        {liveCount === 0 ? 'right now: nothing needs attention.' : 'right now, according to the live pipeline numbers.'}
      </p>
      {adminActions === false ? (
        <p className="muted" data-testid="admin-actions-off">
          Admin actions are turned off on this server, so dead letters cannot be viewed, replayed or discarded here. To turn
          them on, set <code>ADMIN_API_KEYS</code> (one or more keys, comma-separated, at least 16 characters each) in the
          server&apos;s environment and restart it.
        </p>
      ) : adminActions === undefined ? (
        <p className="muted">Checking whether this server accepts admin actions…</p>
      ) : (
        <>
          <p className="muted">
            Viewing, replaying and discarding them needs an admin key: one of the keys set in the server&apos;s{' '}
            <code>ADMIN_API_KEYS</code> environment variable. The key is kept in this browser tab only and is forgotten
            when the tab closes.
          </p>
          <AdminKeyForm onSubmit={props.onKey} />
        </>
      )}
    </div>
  );
}

function ListError({ error, onKey, onForget }: { error: Error; onKey: (key: string) => void; onForget: () => void }) {
  const api = error instanceof ApiError ? error : null;
  if (api?.code === 'admin_disabled') {
    return (
      <div className="dl-locked">
        <div className="notice notice-warning" role="alert" data-testid="dead-letters-error" data-code={api.code}>
          <strong>Admin actions are turned off on this server.</strong>
          <span>
            It has no admin key configured, so dead letters cannot be viewed or changed. Set <code>ADMIN_API_KEYS</code>{' '}
            (comma-separated, at least 16 characters each) in the server&apos;s environment and restart it.
          </span>
        </div>
        <div>
          <ForgetButton onForget={onForget} />
        </div>
      </div>
    );
  }
  if (api?.status === 401) {
    return (
      <div className="dl-locked">
        <div className="notice notice-critical" role="alert" data-testid="dead-letters-error" data-code={api.code}>
          <strong>The server did not accept this admin key.</strong>
          <span>
            Check it against <code>ADMIN_API_KEYS</code> on the server. The server said: “{api.message}”.
          </span>
        </div>
        <div className="key-row">
          <AdminKeyForm onSubmit={onKey} label="Try another key" />
          <ForgetButton onForget={onForget} />
        </div>
      </div>
    );
  }
  return (
    <div className="notice notice-critical" role="alert" data-testid="dead-letters-error" data-code={api?.code}>
      <strong>Cannot load the dead letters.</strong>
      <span>{error.message}</span>
    </div>
  );
}

function ForgetButton({ onForget }: { onForget: () => void }) {
  return (
    <button type="button" className="btn btn-quiet" onClick={onForget}>
      Forget key
    </button>
  );
}

function FeedbackNotice({ feedback, onDismiss }: { feedback: Feedback; onDismiss: () => void }) {
  return (
    <div
      className={`notice dl-feedback ${feedback.tone === 'good' ? 'notice-good' : 'notice-critical'}`}
      role={feedback.tone === 'good' ? 'status' : 'alert'}
      data-testid="dead-letter-feedback"
      data-tone={feedback.tone}
    >
      <strong>{feedback.title}</strong>
      {feedback.detail && <span>{feedback.detail}</span>}
      <button type="button" className="btn-icon dl-dismiss" aria-label="Dismiss" onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}
