'use client';

import { useState, type FormEvent } from 'react';
import { z } from 'zod';
import { DEFAULT_RATE_LIMIT_PER_MINUTE, KEY_KINDS, RATE_LIMIT_MAX, RATE_LIMIT_MIN, createdKeySchema, type ApiKeyInfo, type KeyKind } from '@/lib/auth';
import { formatNumber } from '@/lib/format';
import { AdminTable, CopyOnce, CreatedCell, ErrorNotice, FormSubmit, LabelledOptions, ListState, RevokeCell } from './controls';
import { useApiKeys, useCreateKey, useRevokeKey } from './adminApi';
import { when, withEllipsis } from './format';

const KIND_LABELS: Record<KeyKind, string> = { publishable: 'Publishable', secret: 'Secret' };
const KIND_HINTS: Record<KeyKind, string> = {
  publishable: 'may only send events; safe in a shop page',
  secret: 'may also set inventory and call the admin API; keep it on servers',
};

/** Keys for shops and scripts: created with a name, the key shown once, revocable. */
export function KeysSection() {
  const keys = useApiKeys();
  const [created, setCreated] = useState<z.infer<typeof createdKeySchema> | null>(null);
  return (
    <section className="admin-section" aria-labelledby="keys-title" data-testid="admin-keys">
      <div className="admin-section-head">
        <h2 id="keys-title">API keys</h2>
        <p className="muted">Publishable keys {KIND_HINTS.publishable}; secret keys {KIND_HINTS.secret}.</p>
      </div>
      {created ? (
        <CopyOnce
          title={`${KIND_LABELS[created.key.kind]} key “${created.key.name}”`}
          value={created.secret}
          warning="Copy it now: Pulse stores only a hash of it and will not show it again."
          onDone={() => setCreated(null)}
          testId="created-key"
        >
          <div className="copy-once-usage">
            <span className="muted small">Send it with every request:</span>
            <pre className="mono">{`Authorization: Bearer ${created.secret}`}</pre>
            {created.key.kind === 'publishable' ? (
              <span className="muted small">For example from the shop&apos;s tracker when it posts to /api/events.</span>
            ) : (
              <span className="muted small">For example from a script that sets stock with POST /api/inventory.</span>
            )}
          </div>
        </CopyOnce>
      ) : (
        <CreateKey onCreated={setCreated} />
      )}
      <ErrorNotice title="Cannot load the keys." error={keys.error} />
      <ListState
        pending={keys.isPending}
        loading="Loading keys…"
        items={keys.data}
        empty={<>No keys yet. Keys from INGEST_API_KEYS and ADMIN_API_KEYS in the server&apos;s environment work as well and are not listed here.</>}
      >
        {(items) => (
          <AdminTable columns={['Name', 'Kind', 'Key', 'Created', 'Last used', 'Rate limit']} actions testId="keys-table">
            {items.map((key) => (
              <KeyRow key={key.id} apiKey={key} />
            ))}
          </AdminTable>
        )}
      </ListState>
    </section>
  );
}

function CreateKey({ onCreated }: { onCreated: (created: z.infer<typeof createdKeySchema>) => void }) {
  const create = useCreateKey();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<KeyKind>('publishable');
  const [rate, setRate] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const limit = rate.trim() === '' ? undefined : Number(rate);
    create.mutate(
      { name: name.trim(), kind, ...(limit === undefined ? {} : { rateLimitPerMinute: limit }) },
      {
        onSuccess: (answer) => {
          setName('');
          setRate('');
          onCreated(answer);
        },
      },
    );
  };
  return (
    <form className="admin-form" method="post" onSubmit={submit} data-testid="create-key-form" aria-label="Create a key">
      <div className="field">
        <label htmlFor="key-name">Name</label>
        <input id="key-name" name="name" className="input" autoComplete="off" required maxLength={80} placeholder="e.g. Storefront tracker" value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="key-kind">Kind</label>
        <select id="key-kind" name="kind" className="input" value={kind} onChange={(e) => setKind(e.target.value as KeyKind)}>
          <LabelledOptions values={KEY_KINDS} labels={KIND_LABELS} />
        </select>
        <span className="field-hint">{KIND_HINTS[kind]}</span>
      </div>
      <div className="field">
        <label htmlFor="key-rate">Rate limit per minute (optional)</label>
        <input
          id="key-rate"
          name="rateLimitPerMinute"
          className="input"
          type="number"
          inputMode="numeric"
          min={RATE_LIMIT_MIN}
          max={RATE_LIMIT_MAX}
          step={1}
          placeholder={`default ${formatNumber(DEFAULT_RATE_LIMIT_PER_MINUTE[kind])}`}
          value={rate}
          onChange={(e) => setRate(e.target.value)}
        />
      </div>
      <FormSubmit label="Create key" pendingLabel="Creating…" pending={create.isPending} errorTitle="Could not create the key." error={create.error} errorTestId="create-key-error" />
    </form>
  );
}

function KeyRow({ apiKey }: { apiKey: ApiKeyInfo }) {
  const revoke = useRevokeKey();
  const revoked = apiKey.revokedAt !== null;
  return (
    <tr data-testid="key-row" data-name={apiKey.name} className={revoked ? 'is-disabled' : undefined}>
      <td data-label="Name">
        <span className="admin-strong">{apiKey.name}</span>
      </td>
      <td data-label="Kind">
        <span className={`badge kind-${apiKey.kind}`}>{KIND_LABELS[apiKey.kind]}</span>
      </td>
      <td data-label="Key">
        <code className="admin-prefix" data-testid="key-prefix">
          {withEllipsis(apiKey.prefix)}
        </code>
      </td>
      <CreatedCell at={apiKey.createdAt} by={apiKey.createdBy} />
      <td data-label="Last used">{when(apiKey.lastUsedAt, 'never')}</td>
      <td data-label="Rate limit" className="num">
        {formatNumber(apiKey.rateLimitPerMinute)}/min
      </td>
      <RevokeCell
        revokedAt={apiKey.revokedAt}
        question={`Revoke “${apiKey.name}”? Everything using it is refused from now on.`}
        testId="revoke-key"
        revoking={revoke.isPending}
        error={revoke.error}
        onRevoke={() => revoke.mutate(apiKey.id)}
      />
    </tr>
  );
}
