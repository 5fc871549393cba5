import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Pulse's ingest endpoint, for the sender and simulator tests: records every
 * request and answers with whatever `respond` says (default: 202, deduplicating by event_id).
 */
export interface RecordedRequest {
  headers: IncomingMessage['headers'];
  url: string;
  body: unknown;
  eventIds: string[];
}

export interface Reply {
  /** 0 = drop the connection without answering */
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface FakeIngest {
  url: string;
  requests: RecordedRequest[];
  /** event_ids accepted once (later copies are answered as duplicates) */
  accepted: Set<string>;
  respond: (req: RecordedRequest, index: number) => Reply | null;
  close(): Promise<void>;
}

export async function startFakeIngest(): Promise<FakeIngest> {
  const fake: FakeIngest = {
    url: '',
    requests: [],
    accepted: new Set(),
    respond: () => null,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server: Server = createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const body: unknown = JSON.parse(text);
    const events = (typeof body === 'object' && body !== null && 'events' in body ? (body as { events: unknown[] }).events : [body]) as {
      event_id?: string;
    }[];
    const recorded: RecordedRequest = { headers: req.headers, url: req.url ?? '', body, eventIds: events.map((e) => e.event_id ?? '') };
    fake.requests.push(recorded);
    let reply = fake.respond(recorded, fake.requests.length - 1);
    if (!reply) {
      let accepted = 0;
      let duplicates = 0;
      for (const id of recorded.eventIds) {
        if (fake.accepted.has(id)) duplicates++;
        else {
          fake.accepted.add(id);
          accepted++;
        }
      }
      reply = { status: 202, body: { accepted, duplicates, rejected: [] } };
    }
    if (reply.status === 0) {
      res.socket?.destroy(); // a dropped connection: the client sees a network error
      return;
    }
    res.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
