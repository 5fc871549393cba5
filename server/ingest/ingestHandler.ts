import type { IncomingMessage, ServerResponse } from 'node:http';
import { validateEvent, type PulseEvent } from '@/lib/events';
import type { EventLog } from '@/server/ports';
import { BodyAbortedError, BodyTooLargeError, readBody } from '@/server/http/readBody';
import { sendError, sendJson } from '@/server/http/respond';
import { log } from '@/server/log';
import { applyCors } from './cors';
import { eventIdFactory } from './eventIds';
import type { IngestKeys } from './keys';

export interface IngestDeps {
  keys: IngestKeys;
  log: EventLog;
  stats: { recordIngest(accepted: number, duplicates: number, rejected: number): void };
  allowedOrigins: string[];
  maxBodyBytes: number;
  maxBatch: number;
  maxBacklog: number;
  now?: () => number;
}

export interface Rejection {
  index: number;
  error: string;
}

const METHODS = 'POST, OPTIONS';

/**
 * `POST /api/events`: one event or `{"events":[…]}`. Each event is checked on its own; the good
 * ones are appended to the event log (which deduplicates by event_id) before we answer 202.
 *
 * Browsers' `sendBeacon` cannot set headers, so a beacon sends its key as `?key=` with a
 * text/plain body; that pair is the only way a key is taken from the URL.
 */
export function createIngestHandler(deps: IngestDeps) {
  const now = deps.now ?? Date.now;
  const newId = eventIdFactory();

  return async function handleIngest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!applyCors(req, res, deps.allowedOrigins, METHODS)) {
      return sendError(res, 403, 'origin_not_allowed', `origin ${req.headers.origin} is not allowed to send events (CORS_ALLOWED_ORIGINS)`);
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'Content-Length': 0 });
      res.end();
      return;
    }
    if (req.method !== 'POST') {
      return sendError(res, 405, 'method_not_allowed', 'use POST to send events', { Allow: METHODS });
    }

    const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const queryKey = url.searchParams.get('key');
    const beacon = queryKey !== null && contentType === 'text/plain';
    const key = beacon ? queryKey : bearer(req.headers.authorization);
    if (!key) {
      return sendError(res, 401, 'missing_key', 'send your ingest key as "Authorization: Bearer <key>"');
    }
    if (!deps.keys.isValid(key)) {
      return sendError(res, 401, 'unknown_key', 'the ingest key is not valid');
    }
    if (contentType !== 'application/json' && !beacon) {
      return sendError(res, 415, 'unsupported_media_type', `send events as Content-Type: application/json (got "${contentType || 'none'}")`);
    }

    let raw: Buffer;
    try {
      raw = await readBody(req, deps.maxBodyBytes);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        return sendError(res, 413, 'body_too_large', `the request body is larger than ${deps.maxBodyBytes} bytes; send smaller batches`, { Connection: 'close' });
      }
      if (err instanceof BodyAbortedError) return; // nobody is listening any more
      throw err;
    }

    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      return sendError(res, 400, 'malformed_json', `the body is not valid JSON: ${(err as Error).message}`);
    }

    let items: unknown[];
    if (isObject(body) && 'events' in body) {
      if (!Array.isArray(body.events)) {
        return sendError(res, 400, 'invalid_batch', '"events" must be an array of events');
      }
      items = body.events;
    } else if (isObject(body)) {
      items = [body];
    } else {
      return sendError(res, 400, 'invalid_body', 'send one event object or {"events": [ … ]}');
    }
    if (items.length === 0) {
      return sendError(res, 400, 'empty_batch', '"events" is empty');
    }
    if (items.length > deps.maxBatch) {
      return sendError(res, 413, 'batch_too_large', `the batch has ${items.length} events; the limit is ${deps.maxBatch} per request`);
    }

    const at = now();
    const good: PulseEvent[] = [];
    const rejected: Rejection[] = [];
    for (let i = 0; i < items.length; i++) {
      const result = validateEvent(items[i], at, newId);
      if (result.ok) good.push(result.event);
      else rejected.push({ index: i, error: result.error });
    }

    let accepted = 0;
    let duplicates = 0;
    if (good.length > 0) {
      try {
        // the log checks the backlog bound in the same step as storing
        const appended = await deps.log.append(good, { maxBacklog: deps.maxBacklog });
        if (appended.backpressure) {
          return sendError(res, 429, 'backpressure', 'the pipeline is behind; nothing was accepted, retry after the indicated delay', { 'Retry-After': '1' });
        }
        for (const ok of appended.accepted) ok ? accepted++ : duplicates++;
      } catch (err) {
        log.error('event log append failed', { error: String(err) });
        return sendError(res, 503, 'log_unavailable', 'events could not be stored; nothing was accepted, retry later', { 'Retry-After': '2' });
      }
    }
    deps.stats.recordIngest(accepted, duplicates, rejected.length);
    const status = good.length === 0 ? 400 : 202;
    sendJson(res, status, { accepted, duplicates, rejected });
  };
}

function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
