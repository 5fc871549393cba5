'use client';

import { useState, type FormEvent } from 'react';
import type { AuditEntryInfo } from '@/lib/auth';
import { AdminTable, ErrorNotice, ListState } from './controls';
import { useAuditPage, type AuditFilter } from './adminApi';
import { whenExact } from './format';

const NO_FILTER: AuditFilter = { action: '', actor: '', from: '', to: '' };

/** `yyyy-mm-dd` from a date input, as the instant its day starts here (or the next day starts, for `to`) */
function dayStart(day: string, nextDay = false): string {
  if (!day) return '';
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return '';
  return new Date(y, m - 1, d + (nextDay ? 1 : 0)).toISOString();
}

/** Every admin action, newest first: who, what, on what, and what it was before and after. */
export function AuditSection() {
  const [draft, setDraft] = useState({ action: '', actor: '', fromDay: '', toDay: '' });
  const [filter, setFilter] = useState<AuditFilter>(NO_FILTER);
  // the cursors of the pages read so far: the last one is on screen (null: the newest)
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const before = cursors[cursors.length - 1] ?? null;
  const page = useAuditPage(filter, before);
  const filtered = filter.action !== '' || filter.actor !== '' || filter.from !== '' || filter.to !== '';

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilter({ action: draft.action.trim(), actor: draft.actor.trim(), from: dayStart(draft.fromDay), to: dayStart(draft.toDay, true) });
    setCursors([null]);
  };
  const clear = () => {
    setDraft({ action: '', actor: '', fromDay: '', toDay: '' });
    setFilter(NO_FILTER);
    setCursors([null]);
  };

  return (
    <section className="admin-section" aria-labelledby="audit-title" data-testid="admin-audit">
      <div className="admin-section-head">
        <h2 id="audit-title">Audit log</h2>
        <p className="muted">Every change an admin (or an admin key) made. Entries cannot be edited or removed. Times are this browser&apos;s.</p>
      </div>
      <form className="admin-form audit-filters" method="get" onSubmit={apply} data-testid="audit-filters" aria-label="Filter the audit log">
        <div className="field">
          <label htmlFor="audit-action">Action</label>
          <input id="audit-action" className="input" placeholder="e.g. user.create" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="audit-actor">Actor</label>
          <input id="audit-actor" className="input" placeholder="email or key name" value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="audit-from">From</label>
          <input id="audit-from" type="date" className="input" value={draft.fromDay} onChange={(e) => setDraft({ ...draft, fromDay: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="audit-to">To</label>
          <input id="audit-to" type="date" className="input" value={draft.toDay} onChange={(e) => setDraft({ ...draft, toDay: e.target.value })} />
        </div>
        <div className="admin-form-submit">
          <button type="submit" className="btn btn-primary">
            Filter
          </button>
          {filtered && (
            <button type="button" className="btn btn-quiet" onClick={clear}>
              Clear
            </button>
          )}
        </div>
      </form>
      <ErrorNotice title="Cannot load the audit log." error={page.error} testId="audit-error" />
      <ListState
        pending={page.isPending}
        loading="Loading the audit log…"
        items={page.data?.entries}
        empty={filtered ? 'No entries match these filters.' : before ? 'No older entries.' : 'Nothing recorded yet: admin actions show up here.'}
        emptyTestId="audit-empty"
      >
        {(items) => (
          <AdminTable columns={['Time', 'Actor', 'Action', 'Target', 'Change']} testId="audit-table" className="audit-table">
            {items.map((entry) => (
              <AuditRow key={entry.id} entry={entry} />
            ))}
          </AdminTable>
        )}
      </ListState>
      <div className="audit-pager">
        {cursors.length > 1 && (
          <button type="button" className="btn" onClick={() => setCursors((c) => c.slice(0, -1))}>
            Newer entries
          </button>
        )}
        {page.data?.next && (
          <button type="button" className="btn" onClick={() => setCursors((c) => [...c, page.data!.next])} data-testid="audit-older" disabled={page.isFetching}>
            Older entries
          </button>
        )}
        {page.isFetching && !page.isPending && <span className="muted small">Refreshing…</span>}
      </div>
    </section>
  );
}

const pretty = (value: unknown) => (value === null || value === undefined ? '—' : JSON.stringify(value, null, 2));

function AuditRow({ entry }: { entry: AuditEntryInfo }) {
  const hasChange = entry.before != null || entry.after != null;
  return (
    <tr data-testid="audit-row" data-action={entry.action}>
      <td data-label="Time" className="nowrap">
        <time dateTime={entry.at}>{whenExact(entry.at)}</time>
      </td>
      <td data-label="Actor">
        <span>
          <span className="admin-strong">{entry.actorLabel}</span>
          {entry.actorKind !== 'user' && <span className="muted small"> ({entry.actorKind})</span>}
        </span>
      </td>
      <td data-label="Action">
        <code className="audit-action">{entry.action}</code>
      </td>
      <td data-label="Target">{entry.targetKind ? `${entry.targetKind}${entry.targetId ? ` ${entry.targetId}` : ''}` : '—'}</td>
      <td data-label="Change" className="audit-change">
        {hasChange ? (
          <details>
            <summary>Before / after</summary>
            <div className="audit-diff">
              <div>
                <div className="audit-diff-label">Before</div>
                <pre className="mono">{pretty(entry.before)}</pre>
              </div>
              <div>
                <div className="audit-diff-label">After</div>
                <pre className="mono">{pretty(entry.after)}</pre>
              </div>
            </div>
          </details>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
    </tr>
  );
}
