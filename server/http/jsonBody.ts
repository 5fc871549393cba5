import type { IncomingMessage } from 'node:http';
import { decodeUtf8, parseJson, parseMediaType, readBody, requireUtf8Charset } from './body';
import { excerpt, HttpError } from './errors';

/** A JSON request body for the admin endpoints: media type, charset, size, encoding, UTF-8. */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = parseMediaType(req.headers['content-type']);
  if (type.essence !== 'application/json') {
    throw new HttpError('unsupported_media_type', `send Content-Type: application/json (got "${excerpt(type.essence) || 'none'}")`);
  }
  requireUtf8Charset(type);
  return parseJson(decodeUtf8(await readBody(req, limit)));
}
