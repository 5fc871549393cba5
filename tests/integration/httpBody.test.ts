import { Agent, request } from 'node:http';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainBudget } from '@/server/http/body';
import { INGEST_KEY, pageView, postEvents, startHttpFixture, type Fixture } from './httpFixture';

// INGEST_MAX_BODY_BYTES is 20,000 in the fixture
let fx: Fixture;
beforeAll(async () => {
  fx = await startHttpFixture();
});
afterAll(() => fx.close());

const error = (text: string) => (JSON.parse(text) as { error: { code: string; message: string } }).error;

describe('a body over the limit', () => {
  it('is answered 413 with the JSON error to a fetch client, not a reset connection', async () => {
    const body = JSON.stringify({ events: [pageView('big')], pad: 'y'.repeat(60_000) });
    const r = await postEvents(fx.url, body);
    expect(r.status).toBe(413);
    expect(error(r.text)).toEqual({ code: 'body_too_large', message: 'the request body is larger than 20000 bytes as sent; send smaller batches' });
  });

  it('is answered 413 when streamed without a Content-Length (chunked)', async () => {
    const chunks = [JSON.stringify({ events: [pageView('c')] }).slice(0, -1), `, "pad": "${'z'.repeat(30_000)}"`, '}'];
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const chunk of chunks) c.enqueue(new TextEncoder().encode(chunk));
        c.close();
      },
    });
    const res = await fetch(`${fx.url}/api/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INGEST_KEY}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('body_too_large');
  });

  it('leaves the connection usable: the next request on the same socket is served', async () => {
    // one keep-alive socket: the second request can only be answered on the one the 413 came on
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await rawPost('x'.repeat(50_000), agent);
      expect(first).toMatchObject({ status: 413, reused: false });
      const second = await rawPost(JSON.stringify(pageView('after-413')), agent);
      expect(second).toMatchObject({ status: 202, reused: true });
    } finally {
      agent.destroy();
    }
  });

  it('is drained only up to a bound: a huge upload is cut off instead of read to the end', async () => {
    const budget = drainBudget(20_000);
    const huge = Buffer.alloc(budget + 20_000 + 4 * 1024 * 1024, 0x20);
    const outcome = await rawPost(huge).catch((err: Error) => ({ status: 0, text: err.message, reused: false }));
    // the answer was sent before the cut, so a client that reads it sees the 413; one that is
    // still writing may see the reset instead, which is the bounded price of a huge upload
    if (outcome.status !== 0) expect(outcome.status).toBe(413);
    expect((await postEvents(fx.url, pageView('still-up'))).status).toBe(202);
  });
});

describe('Content-Encoding', () => {
  const event = () => JSON.stringify({ events: [pageView('gz1'), pageView('gz2')] });

  it('accepts gzip, x-gzip and deflate (zlib or raw) bodies', async () => {
    for (const [encoding, bytes] of [
      ['gzip', gzipSync(event())],
      ['x-gzip', gzipSync(event())],
      ['GZIP', gzipSync(event())],
      ['deflate', deflateSync(event())],
      ['deflate', deflateRawSync(event())],
    ] as const) {
      const r = await postEvents(fx.url, new Uint8Array(bytes), { 'content-encoding': encoding });
      expect({ encoding, status: r.status, body: JSON.parse(r.text) }).toEqual({ encoding, status: 202, body: { accepted: 2, duplicates: 0, rejected: [] } });
    }
  });

  it('answers 413 when the body passes the limit after decompression (a zip bomb)', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20)); // 50 MB of spaces, ~50 KB compressed
    expect(bomb.length).toBeLessThan(60_000);
    const small = gzipSync(`{"pad":"${'a'.repeat(25_000)}"}`);
    expect(small.length).toBeLessThan(20_000);
    const r = await postEvents(fx.url, new Uint8Array(small), { 'content-encoding': 'gzip' });
    expect(r.status).toBe(413);
    expect(error(r.text)).toEqual({ code: 'body_too_large', message: 'the request body is larger than 20000 bytes after decompression; send smaller batches' });
    const rss = process.memoryUsage().rss;
    const big = await postEvents(fx.url, new Uint8Array(bomb), { 'content-encoding': 'gzip' });
    expect(big.status).toBe(413);
    expect(process.memoryUsage().rss - rss).toBeLessThan(40 * 1024 * 1024);
  });

  it('answers 400 with a clear message when a gzip header comes with a body that is not gzip', async () => {
    const binaryish = '{"user_id":"\u0001\u0002\u00ff"}';
    const r = await postEvents(fx.url, binaryish, { 'content-encoding': 'gzip' });
    expect(r.status).toBe(400);
    expect(error(r.text)).toEqual({ code: 'bad_request', message: 'the body is sent with Content-Encoding: gzip but is not valid gzip data' });
    const truncated = gzipSync(event()).subarray(0, 20);
    const t = await postEvents(fx.url, new Uint8Array(truncated), { 'content-encoding': 'gzip' });
    expect(t.status).toBe(400);
    expect(error(t.text).code).toBe('bad_request');
  });

  it('answers 415 naming any other encoding', async () => {
    for (const encoding of ['br', 'compress', 'gzip, br', 'zstd']) {
      const r = await postEvents(fx.url, event(), { 'content-encoding': encoding });
      expect(r.status).toBe(415);
      expect(error(r.text)).toEqual({
        code: 'unsupported_encoding',
        message: `Content-Encoding "${encoding}" is not supported: send the body uncompressed, gzip or deflate`,
      });
    }
  });
});

describe('charset and UTF-8', () => {
  it('accepts application/json without a charset or with charset=utf-8 in any spelling', async () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset="UTF-8"', 'application/json; charset=utf8']) {
      const r = await postEvents(fx.url, pageView('cs'), { 'content-type': type });
      expect({ type, status: r.status }).toEqual({ type, status: 202 });
    }
  });

  it('answers 415 naming any other charset', async () => {
    for (const charset of ['latin1', 'iso-8859-1', 'utf-16', 'windows-1252']) {
      const r = await postEvents(fx.url, pageView('cs'), { 'content-type': `application/json; charset=${charset}` });
      expect(r.status).toBe(415);
      expect(error(r.text)).toEqual({
        code: 'unsupported_media_type',
        message: `charset "${charset}" is not supported: send the body as UTF-8 (charset=utf-8 or no charset)`,
      });
    }
  });

  it('refuses bytes that are not UTF-8 (a Latin-1 body) instead of turning them into U+FFFD', async () => {
    const before = fx.appended.length;
    const latin1 = Buffer.from(JSON.stringify(pageView('Jürgen')), 'latin1');
    const r = await postEvents(fx.url, new Uint8Array(latin1));
    expect(r.status).toBe(400);
    expect(error(r.text)).toEqual({ code: 'bad_request', message: 'the body is not valid UTF-8' });
    expect(fx.appended.length).toBe(before);
    const utf8 = await postEvents(fx.url, pageView('Jürgen'));
    expect(utf8.status).toBe(202);
    expect(fx.appended.at(-1)?.userId).toBe('Jürgen');
  });

  it('quotes at most a short printable excerpt of malformed JSON', async () => {
    const r = await postEvents(fx.url, `{"a": \u0007\u0000${'q'.repeat(5000)}`);
    expect(r.status).toBe(400);
    const { code, message } = error(r.text);
    expect(code).toBe('malformed_json');
    expect(message.length).toBeLessThan(200);
    expect(message).toMatch(/^the body is not valid JSON: /);
    expect(message).toMatch(/^[\x20-\x7e…]*$/);
  });
});

/** One keep-alive POST through node:http, so the test controls the socket. */
function rawPost(body: string | Buffer, agent?: Agent): Promise<{ status: number; text: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(`${fx.url}/api/events`, {
      method: 'POST',
      agent,
      headers: { authorization: `Bearer ${INGEST_KEY}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    // once the server has cut a huge upload off, the rest of our writes fail: that is expected
    req.on('socket', (socket) => socket.on('error', () => undefined));
    req.end(body);
  });
}
