// A real HTTP server standing in for a webhook receiver: it verifies Pulse-Signature with the
// channel's secret, remembers every request, and counts distinct Pulse-Delivery-Id values (what a
// receiver that deduplicates would act on). Tests choose each answer with respond().
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { verifySignature } from '@/server/alerts/signature';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
  verified: boolean;
  /** why the signature was refused, when it was */
  reason: string | null;
  deliveryId: string;
}

export interface Answer {
  status?: number;
  delayMs?: number;
  /** never answer (the connection stays open until close()) */
  hang?: boolean;
  headers?: Record<string, string>;
}

export interface WebhookReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** distinct delivery ids among verified requests */
  unique(): number;
  /** how the n-th request (1-based) is answered; default 200 */
  respond(fn: (req: ReceivedRequest, n: number) => Answer): void;
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(opts: { secret: string | null }): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  let answer: (req: ReceivedRequest, n: number) => Answer = () => ({ status: 200 });
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();
  const pending = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
      const sig = req.headers['pulse-signature'];
      const check = opts.secret ? verifySignature(opts.secret, typeof sig === 'string' ? sig : undefined, body, Date.now()) : { ok: false as const, reason: 'no secret' };
      const deliveryId = req.headers['pulse-delivery-id'];
      const r: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        json,
        verified: check.ok,
        reason: check.ok ? null : check.reason,
        deliveryId: typeof deliveryId === 'string' ? deliveryId : '',
      };
      requests.push(r);
      for (const w of waiters) w();
      let a: Answer;
      try {
        a = answer(r, requests.length) ?? {};
      } catch {
        a = { status: 500 };
      }
      if (a.hang) {
        pending.add(res);
        return;
      }
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(a.status ?? 200, { 'content-type': 'text/plain', ...a.headers });
        res.end('ok');
      };
      if (a.delayMs) setTimeout(send, a.delayMs);
      else send();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    unique: () => new Set(requests.filter((r) => r.verified).map((r) => r.deliveryId)).size,
    respond(fn) {
      answer = fn;
    },
    waitFor(n, timeoutMs = 10_000) {
      if (requests.length >= n) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`webhook receiver: ${requests.length} of ${n} requests within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          if (requests.length < n) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      pending.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
