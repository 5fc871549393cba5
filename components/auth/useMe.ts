'use client';

import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { meSchema, type Me } from '@/lib/auth';
import { apiCall } from './api';

/** Who this browser is (a user, a wall display, or nobody) and which pages it may open. */
export const ME_KEY = ['me'] as const;

export function fetchMe(signal?: AbortSignal): Promise<Me> {
  return apiCall('/api/auth/me', meSchema, { signal });
}

export function useMe() {
  return useQuery({ queryKey: ME_KEY, queryFn: ({ signal }) => fetchMe(signal), staleTime: 60_000, retry: 1 });
}

/** the cached answer, for code outside React (the socket's signed-out handling) */
export function cachedMe(queryClient: QueryClient): Me | undefined {
  return queryClient.getQueryData<Me>(ME_KEY);
}

/** POST /api/auth/logout, then the sign-in page (a full load, so no page keeps what it showed) */
export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => apiCall('/api/auth/logout', null, { method: 'POST' }),
    onSuccess: () => {
      queryClient.clear();
      window.location.assign('/login');
    },
  });
}
