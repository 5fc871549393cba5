'use client';

import { useQuery } from '@tanstack/react-query';
import { parseHealth, UNREACHABLE, type Health } from './healthBody';

export const HEALTH_URL = '/api/health';
export const HEALTH_POLL_MS = 2_000;

async function fetchHealth(signal: AbortSignal): Promise<Health> {
  let res: Response;
  try {
    res = await fetch(HEALTH_URL, { signal, cache: 'no-store', headers: { accept: 'application/json' } });
  } catch (err) {
    if (signal.aborted) throw err;
    // the browser's own message ("Failed to fetch") says nothing to a reader
    throw new Error(UNREACHABLE);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    // a proxy's error page while the server behind it is down
    throw new Error(`the health check answered ${[res.status, res.statusText].filter(Boolean).join(' ')} without JSON`);
  }
  const health = parseHealth(body);
  if (!health) throw new Error(`the health check answered ${res.status} with a body this page does not understand`);
  return health;
}

/**
 * Server health, polled every 2 s. A failed poll keeps the last answer on screen (TanStack
 * Query holds data across errors) and the caller says how old it is.
 */
export function useHealth() {
  return useQuery({
    queryKey: ['health'],
    queryFn: ({ signal }) => fetchHealth(signal),
    refetchInterval: HEALTH_POLL_MS,
    refetchIntervalInBackground: false,
    retry: false,
  });
}
