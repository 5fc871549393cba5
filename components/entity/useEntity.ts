'use client';

import { useQuery } from '@tanstack/react-query';
import { fetchSession, fetchShop, fetchUser, LookupUnavailable, type Lookup } from './entityApi';

/** The id pages follow the live data, a little less eagerly than the overview. */
const REFRESH_MS = 5_000;

const retryWhileUnavailable = (_failures: number, error: Error) => error instanceof LookupUnavailable;
const retryDelay = (failures: number) => Math.min(1_000 * 2 ** failures, 10_000);

/** One id's lookup: a refused id stays refused; anything else may change with the next event. */
function useLookup<T>(kind: 'user' | 'session', id: string, fetcher: (id: string, signal: AbortSignal) => Promise<Lookup<T>>) {
  return useQuery({
    queryKey: [kind, id],
    queryFn: ({ signal }) => fetcher(id, signal),
    refetchInterval: (query) => (query.state.data?.kind === 'refused' ? false : REFRESH_MS),
    retry: retryWhileUnavailable,
    retryDelay,
  });
}

export const useUserLookup = (userId: string) => useLookup('user', userId, fetchUser);
export const useSessionLookup = (sessionId: string) => useLookup('session', sessionId, fetchSession);

export function useShopSettings() {
  return useQuery({
    queryKey: ['shop-settings'],
    queryFn: ({ signal }) => fetchShop(signal),
    staleTime: 60_000,
    retry: retryWhileUnavailable,
    retryDelay,
  });
}
