import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { LiveStore } from '@/server/ports';
import type { IngestKeys } from '@/server/ingest/keys';
import { BodyAbortedError, BodyTooLargeError, readBody } from '@/server/http/readBody';
import { sendError, sendJson } from '@/server/http/respond';

const stockSchema = z.object({
  items: z
    .array(
      z.object({
        product_id: z.string().min(1).max(128),
        stock: z.number().int({ error: 'must be a whole number' }).min(0).max(1_000_000_000),
      }),
    )
    .min(1)
    .max(5000),
});

/** `POST /api/inventory` — the shop's back end sets stock levels: {"items":[{"product_id","stock"}]}. */
export function createInventoryHandler(deps: { keys: IngestKeys; store: LiveStore; onChange: () => void }) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') return sendError(res, 405, 'method_not_allowed', 'use POST', { Allow: 'POST' });
    const key = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!key || !deps.keys.isValid(key)) return sendError(res, 401, 'unknown_key', 'send a valid ingest key as "Authorization: Bearer <key>"');
    if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      return sendError(res, 415, 'unsupported_media_type', 'send Content-Type: application/json');
    }
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req, 1024 * 1024)).toString('utf8'));
    } catch (err) {
      if (err instanceof BodyTooLargeError) return sendError(res, 413, 'body_too_large', 'the body is larger than 1 MiB', { Connection: 'close' });
      if (err instanceof BodyAbortedError) return;
      return sendError(res, 400, 'malformed_json', `the body is not valid JSON: ${(err as Error).message}`);
    }
    const parsed = stockSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return sendError(res, 422, 'invalid_inventory', `${issue.path.join('.')}: ${issue.message}`);
    }
    for (const item of parsed.data.items) await deps.store.setStock(item.product_id, item.stock);
    deps.onChange();
    sendJson(res, 200, { updated: parsed.data.items.length });
  };
}
