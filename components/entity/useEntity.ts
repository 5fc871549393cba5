'use client';

import { useQuery } from '@tanstack/react-query';
import { fetchSession, fetchShop, fetchUser, LookupUnavailable } from './entityApi';

/** The id pages follow the live data, a little less eagerly than the overview. */
const REFRESH_MS = 5_000;

const retryWhileUnavailable = (_failures: number, error: Error) => error instanceof LookupUnavailable;
const retryDelay = (failures: number) => Math.min(1_000 * 2 ** failures, 10_000);

export function useUserLookup(userId: string) {
  return useQuery({
    queryKey: ['user', userId],
    queryFn: ({ signal }) => fetchUser(userId, signal),
    // a refused id stays refused; anything else may change with the next event
    refetchInterval: (query) => (query.state.data?.kind === 'refused' ? false : REFRESH_MS),
    retry: retryWhileUnavailable,
    retryDelay,
  });
}

export function useSessionLookup(sessionId: string) {
  return useQuery({
    queryKey: ['session', sessionId],
    queryFn: ({ signal }) => fetchSession(sessionId, signal),
    refetchInterval: (query) => (query.state.data?.kind === 'refused' ? false : REFRESH_MS),
    retry: retryWhileUnavailable,
    retryDelay,
  });
}

export function useShopSettings() {
  return useQuery({
    queryKey: ['shop-settings'],
    queryFn: ({ signal }) => fetchShop(signal),
    staleTime: 60_000,
    retry: retryWhileUnavailable,
    retryDelay,
  });
}
