'use client';

import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';

/** `GET /api/health`: answered with 503 (and the same JSON) while a dependency is down. */
const dependencySchema = z.object({
  kind: z.string(),
  status: z.enum(['ok', 'down']),
  latencyMs: z.number().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
  error: z.string().optional(),
});
export type Dependency = z.infer<typeof dependencySchema>;

const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  mode: z.string(),
  role: z.string(),
  durable: z.boolean(),
  uptimeSeconds: z.number(),
  /** null while a dependency is down */
  backlog: z.number().nullable(),
  dependencies: z.record(z.string(), dependencySchema),
});
export type Health = z.infer<typeof healthSchema>;

/** What a stream-backed event log reports about its consumer group (single-node mode). */
const eventLogDetailSchema = z.object({
  length: z.number(),
  /** delivered to a consumer, not yet acknowledged */
  pending: z.number(),
  /** not yet delivered to any consumer; null when Redis cannot tell */
  undelivered: z.number().nullable(),
  consumers: z.array(z.object({ name: z.string(), pending: z.number(), idleMs: z.number() })),
});
export type EventLogDetail = z.infer<typeof eventLogDetailSchema>;

export function eventLogDetail(health: Health): EventLogDetail | null {
  const parsed = eventLogDetailSchema.safeParse(health.dependencies.eventLog?.detail);
  return parsed.success ? parsed.data : null;
}

export const HEALTH_URL = '/api/health';
export const HEALTH_POLL_MS = 2_000;

async function fetchHealth(signal: AbortSignal): Promise<Health> {
  const res = await fetch(HEALTH_URL, { signal, cache: 'no-store', headers: { accept: 'application/json' } });
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new Error(`${HEALTH_URL} answered ${res.status} without JSON`);
  }
  const parsed = healthSchema.safeParse(body);
  if (!parsed.success) throw new Error(`${HEALTH_URL} answered ${res.status} with an unexpected body`);
  return parsed.data;
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
