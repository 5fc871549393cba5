import { validateEvent, type PulseEvent } from '@/lib/events';
import { createPropertyMask } from '@/lib/maskProperties';
import { eventIdFactory } from '@/server/ingest/eventIds';
import { log } from '@/server/log';
import type { Authorize } from './authorize';
import { decodeUtf8, parseJson, parseMediaType, readBody, requireUtf8Charset } from './body';
import { applyCors } from './cors';
import type { HttpDeps } from './deps';
import { excerpt, HttpError } from './errors';
import { sendJson, sendNoContent } from './respond';
import type { RequestContext } from './router';

export interface Rejection {
  index: number;
  error: string;
}

const METHODS = 'POST, OPTIONS';

type EventsDeps = Pick<HttpDeps, 'config' | 'appendEvents' | 'recordIngest' | 'now'>;

/**
 * `POST /api/events`: one event or `{"events":[…]}`. Each event is checked on its own; the good
 * ones are appended to the event log (which deduplicates by event_id) before we answer 202.
 * This is the hot path: no URL object, one key digest, one pass over the body.
 */
export function createEventsHandlers(deps: EventsDeps, authorize: Authorize) {
  const now = deps.now ?? Date.now;
  const newId = eventIdFactory();
  const origins = deps.config.CORS_ALLOWED_ORIGINS;
  const maskProperties = createPropertyMask(deps.config.MASK_PROPERTY_KEYS);

  const preflight = (ctx: RequestContext) => {
    applyCors(ctx.req, ctx.res, origins, METHODS, 'send events');
    sendNoContent(ctx.res);
  };

  const ingest = async (ctx: RequestContext) => {
    const { req, res } = ctx;
    applyCors(req, res, origins, METHODS, 'send events');
    const principal = await authorize(ctx, 'events:write');
    const type = parseMediaType(req.headers['content-type']);
    const beacon = principal.kind === 'key' && principal.via === 'beacon_query';
    if (type.essence !== 'application/json' && !beacon) {
      throw new HttpError('unsupported_media_type', `send events as Content-Type: application/json (got "${excerpt(type.essence) || 'none'}")`);
    }
    requireUtf8Charset(type);

    const body = parseJson(decodeUtf8(await readBody(req, deps.config.INGEST_MAX_BODY_BYTES)));
    const items = eventsOf(body, deps.config.INGEST_MAX_BATCH);

    const at = now();
    const good: PulseEvent[] = [];
    const rejected: Rejection[] = [];
    for (let i = 0; i < items.length; i++) {
      const result = validateEvent(items[i], at, newId, deps.config.SHOP_CURRENCY);
      if (!result.ok) {
        rejected.push({ index: i, error: result.error });
        continue;
      }
      // masked before the event reaches any store, log or screen; the mask returns the same
      // object when nothing matched, and then the event is kept as it is (no copy per event)
      const properties = maskProperties(result.event.properties);
      good.push(properties === result.event.properties ? result.event : { ...result.event, properties });
    }

    let accepted = 0;
    let duplicates = 0;
    if (good.length > 0) {
      let appended;
      try {
        // the log checks the backlog bound in the same step as storing
        appended = await deps.appendEvents(good, { maxBacklog: deps.config.PIPELINE_MAX_BACKLOG });
      } catch (err) {
        log.error('event log append failed', { error: err instanceof Error ? err.message : String(err) });
        throw new HttpError('log_unavailable', 'events could not be stored; nothing was accepted, retry later', { 'Retry-After': '2' });
      }
      if (appended.backpressure) {
        throw new HttpError('backpressure', 'the pipeline is behind; nothing was accepted, retry after the indicated delay', { 'Retry-After': '1' });
      }
      for (const ok of appended.accepted) ok ? accepted++ : duplicates++;
    }
    deps.recordIngest(accepted, duplicates, rejected.length);
    // the per-event body (documented in README) rather than the error body: it names each reason
    sendJson(res, good.length === 0 ? 400 : 202, { accepted, duplicates, rejected });
  };

  return { preflight, ingest };
}

function eventsOf(body: unknown, maxBatch: number): unknown[] {
  let items: unknown[];
  if (isObject(body) && 'events' in body) {
    if (!Array.isArray(body.events)) throw new HttpError('invalid_batch', '"events" must be an array of events');
    items = body.events;
  } else if (isObject(body)) {
    items = [body];
  } else {
    throw new HttpError('invalid_body', 'send one event object or {"events": [ … ]}');
  }
  if (items.length === 0) throw new HttpError('empty_batch', '"events" is empty');
  if (items.length > maxBatch) {
    throw new HttpError('batch_too_large', `the batch has ${items.length} events; the limit is ${maxBatch} per request`);
  }
  return items;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
