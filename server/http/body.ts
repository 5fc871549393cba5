import type { IncomingMessage } from 'node:http';
import { gunzip, inflate, inflateRaw, type InputType, type ZlibOptions } from 'node:zlib';
import { excerpt, HttpError } from './errors';

/**
 * Request bodies: the byte limit, Content-Encoding, the media type and its charset, and UTF-8.
 *
 * A body over the limit is answered at once, but the connection is kept and the rest of the
 * upload is read and thrown away (up to DRAIN_BUDGET) before anything is closed: a server that
 * closes while the client is still sending makes the client's TCP stack reset the connection,
 * and `fetch` then reports a network error (EPIPE / "other side closed") instead of the 413, so a
 * tracker would take it for an outage and retry the same body forever.
 */

export interface MediaType {
  /** `type/subtype`, lower case (`''` when the header is missing) */
  essence: string;
  /** the charset parameter, lower case, without quotes (null when absent) */
  charset: string | null;
}

export function parseMediaType(header: string | undefined): MediaType {
  if (!header) return { essence: '', charset: null };
  const parts = header.split(';');
  let charset: string | null = null;
  for (let i = 1; i < parts.length; i++) {
    const eq = parts[i].indexOf('=');
    if (eq < 0 || parts[i].slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    charset = parts[i].slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
  }
  return { essence: parts[0].trim().toLowerCase(), charset };
}

/** 415 unless the charset is absent or UTF-8 (JSON is UTF-8 by definition, RFC 8259). */
export function requireUtf8Charset(type: MediaType): void {
  if (type.charset === null || type.charset === 'utf-8' || type.charset === 'utf8') return;
  throw new HttpError('unsupported_media_type', `charset "${excerpt(type.charset)}" is not supported: send the body as UTF-8 (charset=utf-8 or no charset)`);
}

/** the most discarded after a refusal, so a client cannot keep the connection busy forever */
export function drainBudget(limit: number): number {
  return Math.min(64 * 1024 * 1024, Math.max(2 * limit, 4 * 1024 * 1024));
}

type Decoder = (input: InputType, options: ZlibOptions & { maxOutputLength: number }, cb: (err: Error | null, out: Buffer) => void) => void;

const DECODERS: ReadonlyMap<string, { name: string; decode: Decoder }> = new Map([
  ['gzip', { name: 'gzip', decode: gunzip }],
  ['x-gzip', { name: 'gzip', decode: gunzip }],
  ['deflate', { name: 'deflate', decode: inflateZlibOrRaw }],
]);

/**
 * The body as bytes, decompressed when it says so, never more than `limit` bytes either before
 * or after decompression (413 `body_too_large`). Unknown encodings are refused before reading.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decoder = encoding === '' || encoding === 'identity' ? null : DECODERS.get(encoding);
  if (decoder === undefined) {
    throw new HttpError('unsupported_encoding', `Content-Encoding "${excerpt(encoding)}" is not supported: send the body uncompressed, gzip or deflate`);
  }
  const raw = await readRaw(req, limit);
  if (!decoder) return raw;
  return new Promise((resolve, reject) => {
    // maxOutputLength makes zlib stop as soon as the output passes it: a zip bomb allocates
    // at most the limit plus one chunk
    decoder.decode(raw, { maxOutputLength: limit }, (err, out) => {
      if (!err) return resolve(out);
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') reject(tooLarge(limit, 'after decompression'));
      else reject(new HttpError('bad_request', `the body is sent with Content-Encoding: ${decoder.name} but is not valid ${decoder.name} data`));
    });
  });
}

/** Decodes UTF-8 strictly: invalid bytes are refused instead of becoming U+FFFD. */
const utf8 = new TextDecoder('utf-8', { fatal: true });
export function decodeUtf8(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw new HttpError('bad_request', 'the body is not valid UTF-8');
  }
}

/** JSON.parse with a message that quotes at most a short printable excerpt of the input. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError('malformed_json', `the body is not valid JSON: ${excerpt((err as Error).message, 120)}`);
  }
}

function tooLarge(limit: number, when: string): HttpError {
  return new HttpError('body_too_large', `the request body is larger than ${limit} bytes ${when}; send smaller batches`);
}

function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (err: HttpError | null) => {
      if (settled) return;
      settled = true;
      if (err) return reject(err);
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const refuse = () => {
      chunks.length = 0;
      settle(tooLarge(limit, 'as sent'));
    };
    const budget = drainBudget(limit);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (!settled && size <= limit) return void chunks.push(chunk);
      if (!settled) refuse();
      // draining: the 413 is on its way; drop what follows until the budget is spent
      if (size > limit + budget) req.socket.destroy();
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onEnd = () => {
      cleanup();
      settle(null);
    };
    const onError = () => {
      cleanup();
      // nobody reads the answer of an aborted upload; the router's reply goes nowhere
      settle(new HttpError('bad_request', 'the request body was not completely received'));
    };
    const onClose = () => {
      cleanup();
      if (!req.complete) settle(new HttpError('bad_request', 'the request body was not completely received'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
    // known to be too large before a byte arrives: answer now, drain what follows
    if (Number.isFinite(declared) && declared > limit) refuse();
  });
}

function inflateZlibOrRaw(input: InputType, options: ZlibOptions & { maxOutputLength: number }, cb: (err: Error | null, out: Buffer) => void): void {
  // "deflate" should be zlib-wrapped (RFC 9110), but some clients send raw deflate
  inflate(input, options, (err, out) => {
    if (err && (err as NodeJS.ErrnoException).code === 'Z_DATA_ERROR') inflateRaw(input, options, cb);
    else cb(err, out);
  });
}
