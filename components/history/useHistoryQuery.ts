'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import type { HistoryResult, HistoryView } from '@/lib/history';
import { fetchHistoryIndex, fetchHistoryView, viewUrl, type ViewParams } from './historyApi';

/** an open period (today, the last 7 days) is asked again this often; a closed one never changes */
export const OPEN_REFETCH_MS = 60_000;

export function useHistoryIndex() {
  return useQuery({
    queryKey: ['history-index'],
    queryFn: ({ signal }) => fetchHistoryIndex(signal),
    staleTime: 5 * 60_000,
    retry: 1,
  });
}

export interface HistoryQueryState {
  url: string;
  data: HistoryResult | undefined;
  error: string | null;
  running: boolean;
  /** when the running request began (epoch ms) */
  startedAt: number | null;
  cancelled: boolean;
  cancel: () => void;
  retry: () => void;
}

/** when each query's current request began, outside React state so a render reads it as is */
const startTimes = new Map<string, number>();

async function timed(url: string, signal: AbortSignal): Promise<HistoryResult> {
  startTimes.set(url, Date.now());
  try {
    return await fetchHistoryView(url, signal);
  } finally {
    startTimes.delete(url);
  }
}

const keyOf = (url: string) => ['history', url] as const;

/**
 * One view over one range. Closed periods are kept for good (staleTime Infinity: the lake does not
 * change behind them); open ones are asked again every minute. Cancel aborts the request, and the
 * server stops the query when the request closes.
 */
export function useHistoryQuery(view: HistoryView, params: ViewParams | null, open: boolean): HistoryQueryState {
  const client = useQueryClient();
  const url = params ? viewUrl(view, params) : '';
  const [cancelledUrl, setCancelledUrl] = useState<string | null>(null);
  const cancelled = cancelledUrl === url && url !== '';
  const query = useQuery({
    queryKey: keyOf(url),
    queryFn: ({ signal }) => timed(url, signal),
    enabled: params !== null && !cancelled,
    staleTime: open ? OPEN_REFETCH_MS / 2 : Infinity,
    gcTime: open ? 5 * 60_000 : 60 * 60_000,
    refetchInterval: open && !cancelled ? OPEN_REFETCH_MS : false,
    refetchIntervalInBackground: false,
    retry: false,
  });
  const cancel = useCallback(() => {
    setCancelledUrl(url);
    void client.cancelQueries({ queryKey: keyOf(url) });
  }, [client, url]);
  const retry = useCallback(() => {
    setCancelledUrl(null);
    void client.refetchQueries({ queryKey: keyOf(url) });
  }, [client, url]);
  const running = query.fetchStatus === 'fetching';
  return {
    url,
    data: query.data,
    error: query.error ? query.error.message : null,
    running,
    startedAt: running ? (startTimes.get(url) ?? null) : null,
    cancelled: cancelled && !running,
    cancel,
    retry,
  };
}
