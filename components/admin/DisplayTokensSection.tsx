'use client';

import { useState, type FormEvent } from 'react';
import type { DisplayTokenInfo } from '@/lib/auth';
import { ConfirmButton, CopyOnce, ErrorNotice } from './controls';
import { useCreateDisplayToken, useDisplayTokens, useRevokeDisplayToken } from './adminApi';
import { when, withEllipsis } from './format';

/** Links that open the wall on a TV without a password, and see nothing else. */
export function DisplayTokensSection() {
  const tokens = useDisplayTokens();
  const [created, setCreated] = useState<{ name: string; url: string } | null>(null);
  return (
    <section className="admin-section" aria-labelledby="tokens-title" data-testid="admin-tokens">
      <div className="admin-section-head">
        <h2 id="tokens-title">Display links</h2>
        <p className="muted">Open a display link once on the TV: it shows the wall and nothing else, until the link is revoked.</p>
      </div>
      {created ? (
        <CopyOnce
          title={`Display link “${created.name}”`}
          value={created.url}
          warning="Open this link on the screen now or copy it somewhere safe: it will not be shown again. Anyone with it sees the wall."
          onDone={() => setCreated(null)}
          testId="created-token"
        />
      ) : (
        <CreateToken onCreated={setCreated} />
      )}
      <ErrorNotice title="Cannot load the display links." error={tokens.error} />
      {tokens.isPending ? (
        <p className="muted">Loading display links…</p>
      ) : tokens.data ? (
        tokens.data.length === 0 ? (
          <div className="admin-empty">No display links yet.</div>
        ) : (
          <div className="admin-table-wrap">
            <table className="admin-table" data-testid="tokens-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Token</th>
                  <th>Created</th>
                  <th>Last used</th>
                  <th>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.data.map((token) => (
                  <TokenRow key={token.id} token={token} />
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : null}
    </section>
  );
}

function CreateToken({ onCreated }: { onCreated: (created: { name: string; url: string }) => void }) {
  const create = useCreateDisplayToken();
  const [name, setName] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      { name: name.trim() },
      {
        onSuccess: (answer) => {
          setName('');
          onCreated({ name: answer.token.name, url: `${window.location.origin}${answer.link}` });
        },
      },
    );
  };
  return (
    <form className="admin-form" method="post" onSubmit={submit} data-testid="create-token-form" aria-label="Create a display link">
      <div className="field admin-field-grow">
        <label htmlFor="token-name">Name of the screen</label>
        <input id="token-name" name="name" className="input" autoComplete="off" required maxLength={80} placeholder="e.g. Warehouse TV" value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="admin-form-submit">
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create display link'}
        </button>
      </div>
      <div className="admin-form-result">
        <ErrorNotice title="Could not create the display link." error={create.error} testId="create-token-error" />
      </div>
    </form>
  );
}

function TokenRow({ token }: { token: DisplayTokenInfo }) {
  const revoke = useRevokeDisplayToken();
  const revoked = token.revokedAt !== null;
  return (
    <tr data-testid="token-row" data-name={token.name} className={revoked ? 'is-disabled' : undefined}>
      <td data-label="Name">
        <span className="admin-strong">{token.name}</span>
      </td>
      <td data-label="Token">
        <code className="admin-prefix">{withEllipsis(token.prefix)}</code>
      </td>
      <td data-label="Created">
        <span>
          {when(token.createdAt)}
          {token.createdBy && <span className="muted small admin-by"> by {token.createdBy}</span>}
        </span>
      </td>
      <td data-label="Last used">{when(token.lastUsedAt, 'never')}</td>
      <td data-label="Actions" className="admin-actions">
        {revoked ? (
          <span className="badge badge-off">Revoked {when(token.revokedAt)}</span>
        ) : (
          <ConfirmButton
            label="Revoke"
            question={`Revoke “${token.name}”? The screen shows a notice instead of the wall.`}
            confirmLabel="Revoke"
            busy={revoke.isPending}
            busyLabel="Revoking…"
            onConfirm={() => revoke.mutate(token.id)}
            testId="revoke-token"
          />
        )}
        <ErrorNotice title="Not revoked." error={revoke.error} />
      </td>
    </tr>
  );
}
