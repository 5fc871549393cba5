import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { EntityMessage } from './EntityFrame';
import type { Lookup, ShopSettingsView } from './entityApi';

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
  if (!result || (result.kind === 'found' && !shop.data)) {
    return failure ? (
      <EntityMessage testId="entity-unavailable" title="Cannot load this page right now" tone="critical">
        <p>{failure.message} Trying again…</p>
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
          <strong>Not up to date.</strong> <span>{failure.message} Trying again…</span>
        </p>
      )}
      {props.render(result.data, shop.data)}
    </>
  );
}
