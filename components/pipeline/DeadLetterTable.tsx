'use client';

import { Fragment, useState } from 'react';
import { useNow } from '@/components/hooks/useNow';
import { formatAge, formatClock } from '@/lib/format';
import { prettyPayload, type DeadLetter } from './deadLetterApi';
import type { DeadLetterAction } from './useDeadLetters';
import styles from './DeadLetterTable.module.css';

const DAY_MS = 86_400_000;

export function DeadLetterTable(props: {
  letters: DeadLetter[];
  busyId: string | null;
  onAction: (kind: DeadLetterAction, letter: DeadLetter) => void;
}) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const [confirming, setConfirming] = useState<string | null>(null);
  const now = useNow();
  const toggle = (id: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  return (
    <table className={`table dl-table ${styles.stack}`} data-testid="dead-letter-table">
      <thead>
        <tr>
          <th className="dl-toggle-col" aria-label="Payload" />
          <th>Failed</th>
          <th>Event</th>
          <th>Error</th>
          <th className="num">Attempts</th>
          <th className="dl-actions-col" aria-label="Actions" />
        </tr>
      </thead>
      <tbody>
        {props.letters.map((letter) => {
          const expanded = open.has(letter.id);
          const busy = props.busyId === letter.id;
          const payloadId = `payload-${letter.id}`;
          return (
            <Fragment key={letter.id}>
              <tr
                className={`dl-row ${expanded ? 'dl-row-open' : ''}`}
                data-testid="dead-letter"
                data-id={letter.id}
                data-event-id={letter.eventId ?? ''}
              >
                <td className="dl-toggle-col">
                  <button
                    type="button"
                    className="btn-icon"
                    aria-expanded={expanded}
                    aria-controls={payloadId}
                    aria-label={expanded ? 'Hide payload' : 'Show payload'}
                    title={expanded ? 'Hide payload' : 'Show payload'}
                    onClick={() => toggle(letter.id)}
                  >
                    <svg viewBox="0 0 16 16" className="chevron" aria-hidden="true">
                      <path d="M6 3.5 10.5 8 6 12.5" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
                    </svg>
                  </button>
                </td>
                <td className="dl-time">
                  <div>{formatFailedAt(letter.failedAt, now)}</div>
                  {now !== null && <div className="muted small">{formatAge(Math.max(0, now - letter.failedAt))}</div>}
                </td>
                <td className="dl-event">
                  {letter.eventId ? (
                    <code data-testid="dead-letter-event-id">{letter.eventId}</code>
                  ) : (
                    <span className="tag" title="The stored log entry could not be decoded into events">
                      undecodable entry
                    </span>
                  )}
                </td>
                <td className="dl-error" data-testid="dead-letter-error">
                  {letter.error}
                </td>
                <td className="num">{letter.attempts}</td>
                <td className="dl-actions-col">
                  {confirming === letter.id ? (
                    <div className="dl-actions" role="group" aria-label="Confirm discard">
                      <span className="dl-confirm-text">Discard for good?</span>
                      <button
                        type="button"
                        className="btn btn-danger"
                        disabled={busy}
                        onClick={() => {
                          setConfirming(null);
                          props.onAction('discard', letter);
                        }}
                      >
                        Yes, discard
                      </button>
                      <button type="button" className="btn" onClick={() => setConfirming(null)}>
                        Cancel
                      </button>
                    </div>
                  ) : (
                    <div className="dl-actions">
                      <button type="button" className="btn" disabled={busy} onClick={() => props.onAction('replay', letter)}>
                        {busy ? 'Working…' : 'Replay'}
                      </button>
                      <button type="button" className="btn btn-danger-quiet" disabled={busy} onClick={() => setConfirming(letter.id)}>
                        Discard
                      </button>
                    </div>
                  )}
                </td>
              </tr>
              {expanded && (
                <tr className="dl-payload-row" id={payloadId}>
                  <td />
                  <td colSpan={5}>
                    <pre className="code dl-payload" data-testid="dead-letter-payload">
                      {prettyPayload(letter.payload)}
                    </pre>
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}

/** Time of day for today's failures, with the date for older ones. */
function formatFailedAt(ts: number, now: number | null): string {
  const sameDay = now !== null && Math.floor(ts / DAY_MS) === Math.floor(now / DAY_MS);
  return sameDay || now === null ? formatClock(ts) : `${new Date(ts).toISOString().slice(0, 10)} ${formatClock(ts)}`;
}
