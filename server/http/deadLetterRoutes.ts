import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PulseEvent } from '@/lib/events';
import type { DeadLetterStore, EventLog } from '@/server/ports';
import { log } from '@/server/log';
import type { AdminKeys } from './adminAuth';
import { sendError, sendJson } from './respond';

/**
 * Dead letters for the pipeline page:
 *   GET    /api/pipeline/dead-letters              list (newest first, ?limit=, max 500)
 *   POST   /api/pipeline/dead-letters/:id/replay   put the event back on the log
 *   DELETE /api/pipeline/dead-letters/:id          discard it
 * Every call needs an admin key; replays and discards are written to the log as audit lines.
 */
export function createDeadLetterHandler(deps: { admin: AdminKeys; deadLetters: DeadLetterStore; log: EventLog; onChange: () => void }) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (!deps.admin.configured) {
      return sendError(res, 403, 'admin_disabled', 'no admin key is configured (ADMIN_API_KEYS); dead letters cannot be viewed or changed');
    }
    if (!req.headers.authorization) return sendError(res, 401, 'admin_key_required', 'send an admin key as "Authorization: Bearer <key>"');
    if (!deps.admin.allows(req)) return sendError(res, 401, 'admin_key_invalid', 'this admin key is not valid');
    const match = /^\/api\/pipeline\/dead-letters(?:\/([^/]{1,64})(\/replay)?)?$/.exec(url.pathname);
    if (!match) return sendError(res, 404, 'not_found', 'no such dead-letter route');
    const [, id, replay] = match;
    if (!id && req.method === 'GET') {
      const limit = Math.min(500, Math.max(1, Number(url.searchParams.get('limit') ?? 100) || 100));
      const [letters, total] = await Promise.all([deps.deadLetters.list(limit), deps.deadLetters.count()]);
      return sendJson(res, 200, { total, letters });
    }
    if (id && replay && req.method === 'POST') {
      const seen = await deps.deadLetters.peek(id);
      if (!seen) return sendError(res, 404, 'not_found', 'no dead letter with this id (already replayed or discarded?)');
      const event = decodeEvent(seen.payload);
      if (!event) {
        return sendError(res, 422, 'not_replayable', 'this dead letter is an undecodable log entry, not an event: it can only be discarded');
      }
      // take it first so two replays of one letter cannot both append it
      const letter = await deps.deadLetters.take(id);
      if (!letter) return sendError(res, 404, 'not_found', 'this dead letter was just replayed or discarded by someone else');
      try {
        // replayed on purpose: skip the duplicate check its event_id would trip
        await deps.log.append([{ ...event, clientId: false }]);
      } catch (err) {
        await deps.deadLetters.add([{ payload: letter.payload, eventId: letter.eventId, error: letter.error, attempts: letter.attempts, failedAt: letter.failedAt }]);
        log.error('dead-letter replay failed; the letter was kept', { id, error: String(err) });
        return sendError(res, 503, 'log_unavailable', 'the event could not be put back on the log; the dead letter was kept (with a new id)');
      }
      log.info('audit: admin replayed a dead letter', { id, eventId: letter.eventId });
      deps.onChange();
      return sendJson(res, 200, { replayed: id, eventId: letter.eventId });
    }
    if (id && !replay && req.method === 'DELETE') {
      const letter = await deps.deadLetters.take(id);
      if (!letter) return sendError(res, 404, 'not_found', 'no dead letter with this id');
      log.info('audit: admin discarded a dead letter', { id, eventId: letter.eventId });
      deps.onChange();
      return sendJson(res, 200, { discarded: id });
    }
    return sendError(res, 405, 'method_not_allowed', 'GET the list, POST …/:id/replay or DELETE …/:id');
  };
}

function decodeEvent(payload: string): PulseEvent | null {
  try {
    const event = JSON.parse(payload) as PulseEvent;
    return typeof event?.eventId === 'string' && typeof event.userId === 'string' && typeof event.ts === 'number' ? event : null;
  } catch {
    return null;
  }
}
