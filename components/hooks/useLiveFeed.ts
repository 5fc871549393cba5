'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { io } from 'socket.io-client';
import { SOCKET_EVENTS, type Alert, type LiveSnapshot } from '@/lib/live';
import {
  LIVE_SNAPSHOT_KEY,
  fetchLiveSnapshot,
  nextLiveState,
  parseAlert,
  warnAtMostEveryMinute,
  withPushedAlert,
  type LiveState,
} from './liveSnapshotQuery';
import { leaveForbidden, leaveSignedOut } from '@/components/auth/signedOut';
import { LiveWireAssembler, SIGNED_OUT_EVENT, socketRefusal } from './liveWire';

export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface LiveFeed {
  snapshot: LiveSnapshot | undefined;
  /** local time the newest snapshot arrived; null before the first */
  receivedAt: number | null;
  status: ConnectionStatus;
  /** local time since which the socket has been down (or not yet up); null while connected */
  socketDownSince: number | null;
  /** why the last HTTP fetch failed, if it did */
  fetchError: string | null;
}

/** While the socket is down the snapshot is polled over HTTP this often. */
const POLL_INTERVAL_MS = 3_000;
/** Snapshots can arrive ~10/s; rendering more often than this buys nothing on screen. */
const RENDER_COALESCE_MS = 200;
/**
 * Messages in a row that refer to a part this client does not hold before it reconnects (the
 * server sends every part in a connection's first message). One or two happen in a race at
 * connection time; more mean a message was lost, and only a resync ends that.
 */
const RESYNC_AFTER_MISSING = 3;

/**
 * The live snapshot of the whole shop, kept current by socket.io pushes and, while the socket
 * is down, by polling `GET /api/metrics/live`. Call it once per screen: each call holds its
 * own socket.
 */
export function useLiveFeed(): LiveFeed {
  const queryClient = useQueryClient();
  const [socketUp, setSocketUp] = useState(false);
  const [everConnected, setEverConnected] = useState(false);
  const [socketDownSince, setSocketDownSince] = useState<number | null>(null);
  const [browserOnline, setBrowserOnline] = useState(true);
  const pushedAlerts = useRef<Alert[]>([]);

  const query = useQuery({
    queryKey: LIVE_SNAPSHOT_KEY,
    queryFn: ({ signal }) => fetchLiveSnapshot(queryClient, signal),
    refetchInterval: socketUp ? false : POLL_INTERVAL_MS,
    refetchIntervalInBackground: true,
    refetchOnWindowFocus: false,
    retry: false,
    staleTime: Infinity,
  });

  useEffect(() => {
    setSocketDownSince(Date.now());
    setBrowserOnline(navigator.onLine);
    const onOnline = () => setBrowserOnline(true);
    const onOffline = () => setBrowserOnline(false);
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);

    const socket = io({
      path: '/socket.io',
      transports: ['websocket', 'polling'],
      // fall back to long-polling where a proxy blocks WebSockets
      tryAllTransports: true,
      reconnection: true,
      reconnectionDelay: 1_000,
      reconnectionDelayMax: 10_000,
      randomizationFactor: 0.5,
    });

    const wire = new LiveWireAssembler();
    let missingInARow = 0;
    let pending: LiveSnapshot | null = null;
    let flushTimer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      flushTimer = null;
      const snapshot = pending;
      pending = null;
      if (!snapshot) return;
      // Alerts pushed since are kept until a snapshot lists them (or they fall off the top 20).
      const listed = new Set(snapshot.alerts.map((a) => a.id));
      pushedAlerts.current = pushedAlerts.current.filter((a) => !listed.has(a.id));
      queryClient.setQueryData<LiveState>(LIVE_SNAPSHOT_KEY, (current) =>
        nextLiveState(current, snapshot, pushedAlerts.current, Date.now()),
      );
    };

    socket.on('connect', () => {
      // a new connection (maybe to another server process) starts with every part again
      wire.reset();
      missingInARow = 0;
      setSocketUp(true);
      setEverConnected(true);
      setSocketDownSince(null);
    });
    socket.on('disconnect', (reason) => {
      setSocketUp(false);
      setSocketDownSince((since) => since ?? Date.now());
      // The server closed us on purpose: socket.io does not retry that by itself.
      if (reason === 'io server disconnect') socket.connect();
    });
    // refused for who this browser is (not for the network): retrying will not help
    socket.on('connect_error', (err) => {
      const refusal = socketRefusal(err);
      if (refusal === null) return;
      socket.disconnect();
      if (refusal === 'unauthenticated') leaveSignedOut(queryClient);
      else leaveForbidden();
    });
    socket.on(SIGNED_OUT_EVENT, () => {
      socket.disconnect();
      leaveSignedOut(queryClient);
    });
    socket.on(SOCKET_EVENTS.metrics, (payload: unknown) => {
      const result = wire.accept(payload);
      if (!result.ok) {
        const { problem } = result;
        if (problem.kind === 'invalid') return warnAtMostEveryMinute('an invalid live snapshot from the socket', problem.issues);
        if (++missingInARow < RESYNC_AFTER_MISSING) return;
        warnAtMostEveryMinute(`live snapshots refer to ${problem.part} this screen never received: reconnecting`, null);
        missingInARow = 0;
        socket.disconnect().connect();
        return;
      }
      missingInARow = 0;
      if (result.skippedAlerts) warnAtMostEveryMinute(`${result.skippedAlerts} invalid alert(s) from the socket`, null);
      const { snapshot } = result;
      pending = snapshot;
      flushTimer ??= setTimeout(flush, RENDER_COALESCE_MS);
    });
    socket.on(SOCKET_EVENTS.alert, (payload: unknown) => {
      const alert = parseAlert(payload);
      if (!alert) return;
      pushedAlerts.current = [alert, ...pushedAlerts.current.filter((a) => a.id !== alert.id)].slice(0, 20);
      queryClient.setQueryData<LiveState>(LIVE_SNAPSHOT_KEY, (current) => withPushedAlert(current, alert));
    });

    return () => {
      if (flushTimer !== null) clearTimeout(flushTimer);
      socket.removeAllListeners();
      socket.disconnect();
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
    };
  }, [queryClient]);

  // While polling, an error stays on the query until a poll (or a push) succeeds again.
  const status: ConnectionStatus = socketUp
    ? 'live'
    : !browserOnline || query.isError
      ? 'offline'
      : everConnected
        ? 'reconnecting'
        : 'connecting';

  return {
    snapshot: query.data?.snapshot,
    receivedAt: query.data?.receivedAt ?? null,
    status,
    socketDownSince: socketUp ? null : socketDownSince,
    fetchError: query.error ? query.error.message : null,
  };
}
