import type { PulseEvent } from '@/lib/events';
import { log } from '@/server/log';
import { actorOf, type Authorize } from './authorize';
import type { HttpDeps } from './deps';
import { HttpError } from './errors';
import { sendJson } from './respond';
import type { RequestContext } from './router';

/**
 * Dead letters for the pipeline page:
 *   GET    /api/pipeline/dead-letters              list (newest first, ?limit=, max 500)
 *   POST   /api/pipeline/dead-letters/:id/replay   put the event back on the log
 *   DELETE /api/pipeline/dead-letters/:id          discard it
 * Every call needs an admin key; replays and discards are written to the log as audit lines.
 */
export function createDeadLetterHandlers(deps: Pick<HttpDeps, 'deadLetters' | 'reappend' | 'onStateChanged' | 'audit'>, authorize: Authorize) {
  const { deadLetters } = deps;

  async function list(ctx: RequestContext) {
    await authorize(ctx, 'dead-letters:manage');
    const limit = Math.min(500, Math.max(1, Number(ctx.query.get('limit') ?? 100) || 100));
    const [letters, total] = await Promise.all([deadLetters.list(limit), deadLetters.count()]);
    sendJson(ctx.res, 200, { total, letters });
  }

  async function replay(ctx: RequestContext) {
    const principal = await authorize(ctx, 'dead-letters:manage');
    const { id } = ctx.params;
    const seen = await deadLetters.peek(id);
    if (!seen) throw new HttpError('not_found', 'no dead letter with this id (already replayed or discarded?)');
    const event = decodeEvent(seen.payload);
    if (!event) throw new HttpError('not_replayable', 'this dead letter is an undecodable log entry, not an event: it can only be discarded');
    // take it first so two replays of one letter cannot both append it
    const letter = await deadLetters.take(id);
    if (!letter) throw new HttpError('not_found', 'this dead letter was just replayed or discarded by someone else');
    try {
      await deps.reappend(event);
    } catch (err) {
      await deadLetters.add([{ payload: letter.payload, eventId: letter.eventId, error: letter.error, attempts: letter.attempts, failedAt: letter.failedAt }]);
      log.error('dead-letter replay failed; the letter was kept', { id, error: err instanceof Error ? err.message : String(err) });
      throw new HttpError('log_unavailable', 'the event could not be put back on the log; the dead letter was kept (with a new id)');
    }
    await deps.audit({ actor: actorOf(principal), action: 'dead_letter.replay', target: { kind: 'dead_letter', id }, before: { eventId: letter.eventId, error: letter.error }, after: { replayedAs: letter.eventId } });
    deps.onStateChanged();
    sendJson(ctx.res, 200, { replayed: id, eventId: letter.eventId });
  }

  async function discard(ctx: RequestContext) {
    const principal = await authorize(ctx, 'dead-letters:manage');
    const { id } = ctx.params;
    const letter = await deadLetters.take(id);
    if (!letter) throw new HttpError('not_found', 'no dead letter with this id');
    await deps.audit({ actor: actorOf(principal), action: 'dead_letter.discard', target: { kind: 'dead_letter', id }, before: { eventId: letter.eventId, error: letter.error }, after: null });
    deps.onStateChanged();
    sendJson(ctx.res, 200, { discarded: id });
  }

  return { list, replay, discard };
}

function decodeEvent(payload: string): PulseEvent | null {
  try {
    const event = JSON.parse(payload) as PulseEvent;
    return typeof event?.eventId === 'string' && typeof event.userId === 'string' && typeof event.ts === 'number' ? event : null;
  } catch {
    return null;
  }
}
