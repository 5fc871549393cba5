'use client';

import { useState, type FormEvent } from 'react';
import type { DisplayTokenInfo } from '@/lib/auth';
import { AdminTable, CopyOnce, CreatedCell, ErrorNotice, FormSubmit, ListState, RevokeCell } from './controls';
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
      <ListState pending={tokens.isPending} loading="Loading display links…" items={tokens.data} empty="No display links yet.">
        {(items) => (
          <AdminTable columns={['Name', 'Token', 'Created', 'Last used']} actions testId="tokens-table">
            {items.map((token) => (
              <TokenRow key={token.id} token={token} />
            ))}
          </AdminTable>
        )}
      </ListState>
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
      <FormSubmit
        label="Create display link"
        pendingLabel="Creating…"
        pending={create.isPending}
        errorTitle="Could not create the display link."
        error={create.error}
        errorTestId="create-token-error"
      />
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
      <CreatedCell at={token.createdAt} by={token.createdBy} />
      <td data-label="Last used">{when(token.lastUsedAt, 'never')}</td>
      <RevokeCell
        revokedAt={token.revokedAt}
        question={`Revoke “${token.name}”? The screen shows a notice instead of the wall.`}
        testId="revoke-token"
        revoking={revoke.isPending}
        error={revoke.error}
        onRevoke={() => revoke.mutate(token.id)}
      />
    </tr>
  );
}
