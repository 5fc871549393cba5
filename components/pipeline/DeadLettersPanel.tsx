'use client';

import { Panel } from '@/components/ui/Panel';
import { formatNumber } from '@/lib/format';
import { ApiError, DEAD_LETTER_LIMIT } from './deadLetterApi';
import { DeadLetterTable } from './DeadLetterTable';
import { isSignedOut, useDeadLetters, type Feedback } from './useDeadLetters';

const plural = (n: number) => `${formatNumber(n)} dead letter${n === 1 ? '' : 's'}`;

/**
 * Events that failed processing on every attempt, with Replay and Discard. The page is the
 * admin's: the session cookie authorises viewing (it shows raw event payloads) and both actions,
 * so the list loads at once. The count in the toolbar comes from the live snapshot.
 */
export function DeadLettersPanel({ liveCount }: { liveCount: number | undefined }) {
  const dead = useDeadLetters(liveCount);
  const data = dead.list.data;
  const error = dead.list.error;
  // refused (the session ended, or its role changed): nothing to show or refresh
  const refused = error instanceof ApiError && (error.status === 401 || error.status === 403);
  const meta = data
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
      {!refused && (
        <div className="dl-toolbar">
          <span>
            <strong data-testid="dead-letter-count" data-value={liveCount}>
              {liveCount === undefined ? 'Dead letters: waiting for live numbers…' : plural(liveCount)}
            </strong>{' '}
            <span className="muted">right now, according to the live pipeline numbers</span>
          </span>
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
      {error && <ListError error={error} />}
      {refused ? null : !data ? (
        !error && <p className="muted dl-loading">Loading dead letters…</p>
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
    </Panel>
  );
}

function ListError({ error }: { error: Error }) {
  const api = error instanceof ApiError ? error : null;
  // the browser is on its way to sign in (useDeadLetters sends it)
  if (isSignedOut(error)) {
    return (
      <div className="notice notice-warning" role="status" data-testid="dead-letters-error" data-code={api?.code}>
        <strong>Your session has ended.</strong>
        <span>Taking you to sign in…</span>
      </div>
    );
  }
  if (api?.status === 403) {
    return (
      <div className="notice notice-critical" role="alert" data-testid="dead-letters-error" data-code={api.code}>
        <strong>You may not view or change the dead letters.</strong>
        <span>The server said: “{api.message}”.</span>
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
