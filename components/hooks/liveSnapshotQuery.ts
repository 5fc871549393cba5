import { leaveForbidden, leaveSignedOut } from '@/components/auth/signedOut';
import { type QueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { alertSchema, liveSnapshotSchema, type Alert, type LiveSnapshot } from '@/lib/live';
import { parseAlerts } from './liveWire';

/** What the cache holds: the newest snapshot, and when (local clock) it arrived. */
export interface LiveState {
  snapshot: LiveSnapshot;
  /** local time at which a snapshot newer than the previous one arrived */
  receivedAt: number;
}

export const LIVE_SNAPSHOT_KEY = ['live-snapshot'] as const;
export const LIVE_SNAPSHOT_URL = '/api/metrics/live';
const MAX_ALERTS = 20;
/** A snapshot this much older than the one held means the server clock moved back: take it. */
const CLOCK_RESET_MS = 60_000;

/** A screen left running for days must not pile up a warning per bad payload (~10/s). */
const WARN_EVERY_MS = 60_000;
const lastWarnedAt = new Map<string, number>();
export function warnAtMostEveryMinute(what: string, issues: unknown): void {
  const now = Date.now();
  if (now - (lastWarnedAt.get(what) ?? -Infinity) < WARN_EVERY_MS) return;
  lastWarnedAt.set(what, now);
  console.warn(`Pulse: ignoring ${what} (repeats are not logged for a minute)`, issues);
}

/** alerts are checked one by one afterwards, so one bad alert never costs the snapshot */
const snapshotWithAnyAlerts = liveSnapshotSchema.extend({ alerts: z.array(z.unknown()) });

export function parseSnapshot(payload: unknown, source: string): LiveSnapshot | null {
  const parsed = snapshotWithAnyAlerts.safeParse(payload);
  if (!parsed.success) {
    warnAtMostEveryMinute(`an invalid live snapshot from ${source}`, parsed.error.issues.slice(0, 5));
    return null;
  }
  const { alerts, skipped } = parseAlerts(parsed.data.alerts);
  if (skipped) warnAtMostEveryMinute(`${skipped} invalid alert(s) in a snapshot from ${source}`, null);
  return { ...parsed.data, alerts };
}

export function parseAlert(payload: unknown): Alert | null {
  const parsed = alertSchema.safeParse(payload);
  if (parsed.success) return parsed.data;
  warnAtMostEveryMinute('an invalid alert from the socket', parsed.error.issues.slice(0, 5));
  return null;
}

/** Newest first, one entry per id, at most MAX_ALERTS. */
export function mergeAlerts(a: readonly Alert[], b: readonly Alert[]): Alert[] {
  const byId = new Map<string, Alert>();
  for (const alert of [...a, ...b]) if (!byId.has(alert.id)) byId.set(alert.id, alert);
  return [...byId.values()].sort((x, y) => y.firedAt - x.firedAt).slice(0, MAX_ALERTS);
}

/**
 * Socket pushes and HTTP polls race each other; only a snapshot computed later than the one
 * held may replace it, so a slow poll answer never rolls the screen back. `receivedAt` only
 * moves when the snapshot is new, which is what "no new snapshot for 10 s" measures.
 */
export function nextLiveState(
  current: LiveState | undefined,
  incoming: LiveSnapshot,
  pushedAlerts: readonly Alert[],
  now: number,
): LiveState {
  if (current) {
    const delta = incoming.computedAt - current.snapshot.computedAt;
    if (delta <= 0 && delta > -CLOCK_RESET_MS) return current;
  }
  const alerts = pushedAlerts.length ? mergeAlerts(incoming.alerts, pushedAlerts) : incoming.alerts;
  return { snapshot: { ...incoming, alerts }, receivedAt: now };
}

export function withPushedAlert(current: LiveState | undefined, alert: Alert): LiveState | undefined {
  if (!current) return current;
  return {
    ...current,
    snapshot: { ...current.snapshot, alerts: mergeAlerts([alert], current.snapshot.alerts) },
  };
}

export async function fetchLiveSnapshot(
  queryClient: QueryClient,
  signal: AbortSignal,
): Promise<LiveState> {
  const res = await fetch(LIVE_SNAPSHOT_URL, {
    signal,
    cache: 'no-store',
    headers: { accept: 'application/json' },
  });
  // signed out (or the role changed) while the page was open: the same way out as the socket's
  if (res.status === 401) leaveSignedOut(queryClient);
  else if (res.status === 403) leaveForbidden();
  if (!res.ok) throw new Error(`GET ${LIVE_SNAPSHOT_URL} answered ${res.status}`);
  const snapshot = parseSnapshot(await res.json(), LIVE_SNAPSHOT_URL);
  if (!snapshot) throw new Error(`GET ${LIVE_SNAPSHOT_URL} returned an invalid snapshot`);
  const current = queryClient.getQueryData<LiveState>(LIVE_SNAPSHOT_KEY);
  // A query function must return data; when the answer is older, keep what we have.
  return nextLiveState(current, snapshot, [], Date.now());
}
