'use client';

import { useMutation, useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { z } from 'zod';
import { apiCall, ApiError } from '@/components/auth/api';
import { goToSignIn } from '@/components/auth/redirect';
import {
  apiKeyInfoSchema,
  auditPageSchema,
  createdDisplayTokenSchema,
  createdKeySchema,
  displayTokenInfoSchema,
  userInfoSchema,
  type KeyKind,
  type Role,
} from '@/lib/auth';

/** The admin API (users, keys, display tokens, audit) as the /admin page calls it. */

export const ADMIN_KEYS = {
  users: ['admin', 'users'] as const,
  keys: ['admin', 'keys'] as const,
  tokens: ['admin', 'display-tokens'] as const,
  audit: ['admin', 'audit'] as const,
};

/** a signed-out browser goes to sign in; anything else is said where it happened */
function call<T>(path: string, schema: z.ZodType<T> | null, options?: Parameters<typeof apiCall>[2]): Promise<T> {
  return apiCall(path, schema, options).catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 401) goToSignIn();
    throw err;
  });
}

const noRetryOnRefusal = (failures: number, error: Error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 2;

const usersAnswer = z.object({ users: z.array(userInfoSchema) });
const keysAnswer = z.object({ keys: z.array(apiKeyInfoSchema) });
const tokensAnswer = z.object({ tokens: z.array(displayTokenInfoSchema) });

export const useUsers = () =>
  useQuery({ queryKey: ADMIN_KEYS.users, queryFn: ({ signal }) => call('/api/admin/users', usersAnswer, { signal }).then((a) => a.users), retry: noRetryOnRefusal });
export const useApiKeys = () =>
  useQuery({ queryKey: ADMIN_KEYS.keys, queryFn: ({ signal }) => call('/api/admin/keys', keysAnswer, { signal }).then((a) => a.keys), retry: noRetryOnRefusal });
export const useDisplayTokens = () =>
  useQuery({
    queryKey: ADMIN_KEYS.tokens,
    queryFn: ({ signal }) => call('/api/admin/display-tokens', tokensAnswer, { signal }).then((a) => a.tokens),
    retry: noRetryOnRefusal,
  });

export interface AuditFilter {
  action: string;
  actor: string;
  /** ISO instants or '' */
  from: string;
  to: string;
}
export const AUDIT_PAGE_SIZE = 50;

export function auditUrl(filter: AuditFilter, before: string | null): string {
  const q = new URLSearchParams();
  if (filter.action.trim()) q.set('action', filter.action.trim());
  if (filter.actor.trim()) q.set('actor', filter.actor.trim());
  if (filter.from) q.set('from', filter.from);
  if (filter.to) q.set('to', filter.to);
  if (before) q.set('before', before);
  q.set('limit', String(AUDIT_PAGE_SIZE));
  return `/api/admin/audit?${q.toString()}`;
}

export const useAuditPage = (filter: AuditFilter, before: string | null) =>
  useQuery({
    queryKey: [...ADMIN_KEYS.audit, filter, before],
    queryFn: ({ signal }) => call(auditUrl(filter, before), auditPageSchema, { signal }),
    retry: noRetryOnRefusal,
  });

/** a change, then every list it may have touched read again (the audit log always is) */
function useChange<V, R>(fn: (vars: V) => Promise<R>, touches: QueryKey[]) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () =>
      Promise.all([...touches, ADMIN_KEYS.audit].map((queryKey) => queryClient.invalidateQueries({ queryKey }))),
  });
}

const id = (value: string) => encodeURIComponent(value);
const userAnswer = z.object({ user: userInfoSchema }).or(userInfoSchema).optional();

export const useCreateUser = () =>
  useChange((body: { email: string; password: string; role: Role }) => call('/api/admin/users', userAnswer, { method: 'POST', body }), [ADMIN_KEYS.users]);
export const useChangeUser = () =>
  useChange(
    ({ userId, change }: { userId: string; change: { role?: Role; disabled?: boolean; password?: string } }) =>
      call(`/api/admin/users/${id(userId)}`, userAnswer, { method: 'PATCH', body: change }),
    [ADMIN_KEYS.users],
  );
export const useRevokeUserSessions = () =>
  useChange(
    (userId: string) => call(`/api/admin/users/${id(userId)}/sessions`, z.object({ revoked: z.number() }), { method: 'DELETE' }),
    [ADMIN_KEYS.users],
  );

export const useCreateKey = () =>
  useChange(
    (body: { name: string; kind: KeyKind; rateLimitPerMinute?: number }) => call('/api/admin/keys', createdKeySchema, { method: 'POST', body }),
    [ADMIN_KEYS.keys],
  );
export const useRevokeKey = () => useChange((keyId: string) => call(`/api/admin/keys/${id(keyId)}`, z.unknown(), { method: 'DELETE' }), [ADMIN_KEYS.keys]);

export const useCreateDisplayToken = () =>
  useChange((body: { name: string }) => call('/api/admin/display-tokens', createdDisplayTokenSchema, { method: 'POST', body }), [ADMIN_KEYS.tokens]);
export const useRevokeDisplayToken = () =>
  useChange((tokenId: string) => call(`/api/admin/display-tokens/${id(tokenId)}`, z.unknown(), { method: 'DELETE' }), [ADMIN_KEYS.tokens]);
