'use client';

import { useQuery } from '@tanstack/react-query';
import { parseHealth, type Health } from './healthBody';
import { readJson, reach } from './pipelineFetch';

export const HEALTH_URL = '/api/health';
export const HEALTH_POLL_MS = 2_000;

async function fetchHealth(signal: AbortSignal): Promise<Health> {
  const res = await reach(HEALTH_URL, signal);
  const body = await readJson(res, 'the health check');
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
