import { goToSignIn } from '@/components/auth/redirect';
import { readJson, reach } from '@/components/pipeline/pipelineFetch';
import { historyIndexSchema, historyResultSchema, type Granularity, type HistoryIndex, type HistoryResult, type HistoryView } from '@/lib/history';

/** The history API as the /history page calls it: URLs, and answers parsed or turned into sentences. */

export const INDEX_URL = '/api/history';

export interface ViewParams {
  from: string;
  to: string;
  granularity: Granularity;
  limit?: number;
  minScore?: number;
}

export function viewUrl(view: HistoryView, params: ViewParams, format?: 'csv'): string {
  const q = new URLSearchParams({ from: params.from, to: params.to, granularity: params.granularity });
  if (params.limit !== undefined) q.set('limit', String(params.limit));
  if (params.minScore !== undefined) q.set('min_score', String(params.minScore));
  if (format) q.set('format', format);
  return `/api/history/${encodeURIComponent(view)}?${q.toString()}`;
}

/** the message inside an `{error:{code,message}}` body, when there is one */
function errorMessage(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || !('error' in body)) return null;
  const error = (body as { error: unknown }).error;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && 'message' in error && typeof (error as { message: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return null;
}

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

async function getJson(url: string, what: string, signal: AbortSignal): Promise<unknown> {
  // reach() turns the browser's "Failed to fetch" into "the server cannot be reached"
  const res = await reach(url, signal).catch((err: unknown) => {
    if (signal.aborted) throw err;
    throw new Error(sentence(err instanceof Error ? err.message : String(err)) + '.');
  });
  // signed out meanwhile (expired, revoked): sign in and come back to this range
  if (res.status === 401) {
    goToSignIn();
    throw new Error('You are signed out. Taking you to sign in…');
  }
  if (res.status === 404 && url === INDEX_URL) throw new Error('This server has no history API (it is older than this page).');
  const body = await readJson(res, what).catch((err: unknown) => {
    throw new Error(sentence(err instanceof Error ? err.message : String(err)) + '.');
  });
  if (!res.ok) {
    const message = errorMessage(body);
    if (res.status === 403) throw new Error(message ? `Not allowed: ${message}` : 'Your role may not read history.');
    if (res.status >= 500) throw new Error(`The query failed on the server (${res.status})${message ? `: ${message}` : '.'}`);
    // the server's message names the parameter at fault ("to: must be after from")
    throw new Error(message ? `The server refused this query: ${message}` : `${sentence(what)} answered ${res.status}.`);
  }
  return body;
}

export async function fetchHistoryIndex(signal: AbortSignal): Promise<HistoryIndex> {
  const body = await getJson(INDEX_URL, 'the history index', signal);
  const parsed = historyIndexSchema.safeParse(body);
  if (!parsed.success) throw new Error('The history index came in a shape this page does not understand.');
  return parsed.data;
}

export async function fetchHistoryView(url: string, signal: AbortSignal): Promise<HistoryResult> {
  const body = await getJson(url, 'the history query', signal);
  const parsed = historyResultSchema.safeParse(body);
  if (!parsed.success) throw new Error('The history answer came in a shape this page does not understand.');
  return parsed.data;
}
