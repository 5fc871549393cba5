'use client';

import { useQuery } from '@tanstack/react-query';
import { pipelineHistorySchema, type PipelineHistory } from '@/lib/pipelineHistory';
import { readJson, reach } from './pipelineFetch';

export const HISTORY_URL = '/api/pipeline/history';
/** before the first answer says how often the server samples */
const DEFAULT_POLL_MS = 5_000;

async function fetchHistory(signal: AbortSignal): Promise<PipelineHistory> {
  const res = await reach(HISTORY_URL, signal);
  if (res.status === 404) throw new Error('this server keeps no pipeline history (it is older than this page)');
  const body = await readJson(res, 'the pipeline history');
  if (!res.ok) throw new Error(`the pipeline history answered ${res.status}`);
  const parsed = pipelineHistorySchema.safeParse(body);
  if (!parsed.success) throw new Error('the pipeline history came in a shape this page does not understand');
  return parsed.data;
}

/**
 * The server's samples of the last hour, polled at half its sampling interval so a new sample
 * shows within a few seconds. A failed poll keeps the last answer (TanStack Query holds data
 * across errors) and polling goes on, so the charts catch up by themselves.
 */
export function usePipelineHistory() {
  return useQuery({
    queryKey: ['pipeline-history'],
    queryFn: ({ signal }) => fetchHistory(signal),
    refetchInterval: (query) => Math.max(1_000, (query.state.data?.intervalMs ?? DEFAULT_POLL_MS * 2) / 2),
    refetchIntervalInBackground: false,
    retry: false,
  });
}
