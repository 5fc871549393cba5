import { z } from 'zod';
import { apiCall } from '@/components/auth/api';

export { ApiError } from '@/components/auth/api';

/** The dead letters as server/http/deadLetterRoutes.ts answers them. */

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

/** The admin dead-letter API of the custom server, authorised by the admin's session cookie. */
const BASE = '/api/pipeline/dead-letters';
export const DEAD_LETTER_LIMIT = 100;

export function listDeadLetters(signal?: AbortSignal): Promise<DeadLetterList> {
  return apiCall(`${BASE}?limit=${DEAD_LETTER_LIMIT}`, listSchema, { signal });
}

export function replayDeadLetter(id: string): Promise<ReplayResult> {
  return apiCall(`${BASE}/${encodeURIComponent(id)}/replay`, replaySchema, { method: 'POST' });
}

export function discardDeadLetter(id: string): Promise<unknown> {
  return apiCall(`${BASE}/${encodeURIComponent(id)}`, null, { method: 'DELETE' });
}

/** The stored payload, indented when it is JSON; as stored otherwise. */
export function prettyPayload(payload: string): string {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}
