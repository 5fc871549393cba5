import type { z } from 'zod';

/**
 * One way for the sign-in and admin pages to call the server: JSON in, the answer parsed with
 * the shared schema out, and every refusal turned into an ApiError carrying the server's
 * sentence (`{error:{code,message}}`), so a page can show what the server said.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** seconds, from Retry-After on a 429 */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const UNREACHABLE_MESSAGE = 'The Pulse server cannot be reached. Check the connection and try again.';

/** `{error:{code,message}}` (or `{error:'…'}`), as far as it goes */
export function readErrorBody(body: unknown): { code: string | null; message: string | null } {
  if (typeof body !== 'object' || body === null || !('error' in body)) return { code: null, message: null };
  const error = (body as { error: unknown }).error;
  if (typeof error === 'string') return { code: null, message: error };
  if (typeof error !== 'object' || error === null) return { code: null, message: null };
  const { code, message } = error as { code?: unknown; message?: unknown };
  return { code: typeof code === 'string' ? code : null, message: typeof message === 'string' ? message : null };
}

function retryAfter(res: Response): number | null {
  const raw = res.headers.get('retry-after');
  if (raw === null) return null;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

const DEFAULT_MESSAGES: Record<number, string> = {
  401: 'You are not signed in (or your session ended). Sign in again.',
  403: 'Your role does not allow this.',
  404: 'Not found.',
  429: 'Too many requests. Wait a moment and try again.',
};

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
}

/** Calls `path`; a 204 answers undefined (pass a schema that accepts it, or none). */
export async function apiCall<T>(path: string, schema: z.ZodType<T> | null, options: CallOptions = {}): Promise<T> {
  const { method = 'GET', body, signal } = options;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      signal,
      cache: 'no-store',
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, 'unreachable', UNREACHABLE_MESSAGE);
  }
  const text = res.status === 204 ? '' : await res.text().catch(() => '');
  let parsedBody: unknown = undefined;
  if (text) {
    try {
      parsedBody = JSON.parse(text);
    } catch {
      parsedBody = undefined;
    }
  }
  if (!res.ok) {
    const { code, message } = readErrorBody(parsedBody);
    const fallback =
      DEFAULT_MESSAGES[res.status] ??
      (res.status >= 500 ? `The server failed (${res.status}). Try again in a moment.` : `The server answered ${res.status}.`);
    throw new ApiError(res.status, code ?? `http_${res.status}`, message ?? fallback, res.status === 429 ? retryAfter(res) : null);
  }
  if (schema === null) return undefined as T;
  const parsed = schema.safeParse(parsedBody);
  if (!parsed.success) throw new ApiError(res.status, 'bad_response', `The server answered ${method} ${path} in a shape this page does not understand.`);
  return parsed.data;
}
