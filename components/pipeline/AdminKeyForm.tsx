'use client';

import { useId, useState, type FormEvent } from 'react';

/**
 * Asks for the admin key. Submitted by script only, and declared as POST, so the key can never
 * end up in the address bar (a GET form would put it in the query string).
 */
export function AdminKeyForm({ onSubmit, label = 'Admin key' }: { onSubmit: (key: string) => void; label?: string }) {
  const id = useId();
  const [value, setValue] = useState('');
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!value.trim()) return;
    onSubmit(value);
    setValue('');
  };
  return (
    <form className="key-form" method="post" onSubmit={submit} data-testid="admin-key-form">
      <label htmlFor={id} className="key-label">
        {label}
      </label>
      <input
        id={id}
        className="input"
        type="password"
        autoComplete="off"
        spellCheck={false}
        placeholder="one of ADMIN_API_KEYS"
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="submit" className="btn btn-primary" disabled={!value.trim()}>
        Use key
      </button>
    </form>
  );
}
