import { z } from 'zod';

/** The admin dead-letter API of the custom server (server/http/deadLetterRoutes.ts). */

const deadLetterSchema = z.object({
  id: z.string(),
  /** the event as accepted (JSON), or the undecodable stored log entry */
  payload: z.string(),
  eventId: z.string().nullable(),
  error: z.string(),
  attempts: z.number(),
  failedAt: z.number(),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;

const listSchema = z.object({ total: z.number(), letters: z.array(deadLetterSchema) });
export type DeadLetterList = z.infer<typeof listSchema>;

const replaySchema = z.object({ replayed: z.string(), eventId: z.string().nullable() });
export type ReplayResult = z.infer<typeof replaySchema>;

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** A refusal from the server, with its machine code and the sentence it gave. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const BASE = '/api/pipeline/dead-letters';
export const DEAD_LETTER_LIMIT = 100;

async function call<T>(adminKey: string, path: string, method: string, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      signal,
      cache: 'no-store',
      headers: { accept: 'application/json', authorization: `Bearer ${adminKey}` },
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, 'unreachable', 'the server cannot be reached; check the connection and try again');
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const parsed = errorSchema.safeParse(body);
    if (parsed.success) throw new ApiError(res.status, parsed.data.error.code, parsed.data.error.message);
    throw new ApiError(res.status, 'http_error', `the server answered ${res.status} ${res.statusText}`.trim());
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiError(res.status, 'bad_response', `the server answered ${method} ${path} with an unexpected body`);
  return parsed.data;
}

export function listDeadLetters(adminKey: string, signal?: AbortSignal): Promise<DeadLetterList> {
  return call(adminKey, `${BASE}?limit=${DEAD_LETTER_LIMIT}`, 'GET', listSchema, signal);
}

export function replayDeadLetter(adminKey: string, id: string): Promise<ReplayResult> {
  return call(adminKey, `${BASE}/${encodeURIComponent(id)}/replay`, 'POST', replaySchema);
}

export function discardDeadLetter(adminKey: string, id: string): Promise<unknown> {
  return call(adminKey, `${BASE}/${encodeURIComponent(id)}`, 'DELETE', z.unknown());
}

/** The stored payload, indented when it is JSON; as stored otherwise. */
export function prettyPayload(payload: string): string {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}
