import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { EntityMessage } from './EntityFrame';
import { LookupUnavailable, type Lookup, type ShopSettingsView } from './entityApi';

/**
 * The states of an id page before its figures: loading, the server away (retrying), the id
 * refused, nothing seen yet; `render` once both the lookup and the shop settings are in.
 */
export function LookupState<T>(props: {
  what: 'user' | 'session';
  lookup: UseQueryResult<Lookup<T>, Error>;
  shop: UseQueryResult<ShopSettingsView, Error>;
  notFound: ReactNode;
  render: (data: T, shop: ShopSettingsView) => ReactNode;
}) {
  const { lookup, shop } = props;
  const result = lookup.data;
  // while retrying, the last failure is the reason; error is set only once retries stop
  const failure = lookup.error ?? lookup.failureReason ?? shop.error ?? shop.failureReason;
  const note = failure ? failureNote(failure) : null;
  if (!result || (result.kind === 'found' && !shop.data)) {
    return failure ? (
      <EntityMessage testId="entity-unavailable" title="Cannot load this page right now" tone="critical">
        <p>{note}</p>
      </EntityMessage>
    ) : (
      <p className="muted loading" data-testid="entity-loading">
        Loading…
      </p>
    );
  }
  if (result.kind === 'not-found') return props.notFound;
  if (result.kind === 'refused') {
    return (
      <EntityMessage testId="entity-refused" title={`No ${props.what} can have this id`} tone="warning">
        <p>The server refused to look it up: {result.message}.</p>
      </EntityMessage>
    );
  }
  if (!shop.data) return null; // settled above: a found result waits for the shop settings
  return (
    <>
      {failure && (
        <p className="notice notice-warning" data-testid="entity-unavailable">
          <strong>Not up to date.</strong> <span>{note}</span>
        </p>
      )}
      {props.render(result.data, shop.data)}
    </>
  );
}

/**
 * What went wrong, and "Trying again…" only where something does try again: the server away or
 * failing (LookupUnavailable, retried by useEntity). A refusal (403, a plain Error) is not
 * retried, and a 401 sends the browser to sign in: for those the server's reason stands alone.
 */
function failureNote(failure: Error): string {
  // entityApi throws its 401 as LookupUnavailable with this sentence, then leaves for /login
  const signedOut = failure.message.startsWith('You are signed out');
  return failure instanceof LookupUnavailable && !signedOut ? `${failure.message} Trying again…` : failure.message;
}
