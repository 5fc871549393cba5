import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PulseEvent } from '@/lib/events';
import type { LiveSnapshot } from '@/lib/live';
import type { Config } from '@/server/config';
import { StaticKeys } from '@/server/http/authorize';
import type { HttpDeps } from '@/server/http/deps';
import { createHttpHandler } from '@/server/http/routes';
import { setLogSilent } from '@/server/log';
import type { DeadLetter, DeadLetterStore, SessionAggregates, UserAnalytics } from '@/server/ports';
import { MemoryRuleStore, StoredRuleSource } from '@/server/rules/storedRules';

/**
 * The HTTP layer on a real node:http server with a fake process behind it: the handlers are
 * exercised over the wire (real `fetch`, real sockets) without the pipeline, which is being
 * rebuilt at the same time and is tested on its own.
 */

export const INGEST_KEY = 'fixture-ingest-key-0123456789';
export const ADMIN_KEY = 'fixture-admin-key-0123456789';

export interface Fixture {
  url: string;
  deps: HttpDeps;
  /** what the fake log stored, in order */
  appended: PulseEvent[];
  reappended: PulseEvent[];
  stock: Map<string, number>;
  ingestCounts: { accepted: number; duplicates: number; rejected: number };
  stateChanges: number;
  /** knobs for failure cases */
  fail: { append?: 'backpressure' | 'throw'; health?: boolean; snapshot?: Error };
  letters: DeadLetter[];
  close(): Promise<void>;
}

type ConfigPart = HttpDeps['config'];

export async function startHttpFixture(
  opts: { config?: Partial<ConfigPart>; admin?: string[]; next?: HttpDeps['next']; history?: HttpDeps['history'] } = {},
): Promise<Fixture> {
  setLogSilent(true);
  const config: ConfigPart = {
    PULSE_ROLE: 'all',
    CORS_ALLOWED_ORIGINS: ['https://shop.example'],
    INGEST_MAX_BODY_BYTES: 20_000,
    INGEST_MAX_BATCH: 50,
    PIPELINE_MAX_BACKLOG: 1000,
    SHOP_CURRENCY: 'EUR',
    MASK_PROPERTY_KEYS: ['email', 'phone', 'password', 'ip', 'ip_address', 'card_number'],
    ...opts.config,
  } satisfies Pick<Config, keyof ConfigPart>;
  const seenIds = new Set<string>();
  const fx: Omit<Fixture, 'url' | 'close' | 'deps'> = {
    appended: [],
    reappended: [],
    stock: new Map(),
    ingestCounts: { accepted: 0, duplicates: 0, rejected: 0 },
    stateChanges: 0,
    fail: {},
    letters: [],
  };
  let seq = 0;
  const deadLetters: DeadLetterStore = {
    add: async (letters) => void fx.letters.push(...letters.map((l) => ({ ...l, id: `dl-${++seq}` }))),
    list: async (limit) => fx.letters.slice(-limit).reverse(),
    count: async () => fx.letters.length,
    peek: async (id) => fx.letters.find((l) => l.id === id) ?? null,
    take: async (id) => {
      const i = fx.letters.findIndex((l) => l.id === id);
      return i < 0 ? null : fx.letters.splice(i, 1)[0];
    },
  };
  const rules = new StoredRuleSource(
    { fraudScoreAbove: 0.8, highValueAboveMinor: 100_000, lowStockAtOrBelow: 5, fraudWeights: { amount: 0.3, velocity: 0.4, location: 0.3 } },
    new MemoryRuleStore(),
    { refreshMs: 60_000 },
  );
  const deps: HttpDeps = {
    config,
    describeRules: () => rules.describe(),
    changeRules: (change) => rules.change(change),
    keys: new StaticKeys([INGEST_KEY], opts.admin ?? [ADMIN_KEY]),
    appendEvents: async (events) => {
      if (fx.fail.append === 'throw') throw new Error('connect ECONNREFUSED redis://:secret@127.0.0.1:6379');
      if (fx.fail.append === 'backpressure') return { accepted: [], backpressure: true };
      const accepted = events.map((e) => {
        if (e.clientId && seenIds.has(e.eventId)) return false;
        seenIds.add(e.eventId);
        fx.appended.push(e);
        return true;
      });
      return { accepted };
    },
    recordIngest: (accepted, duplicates, rejected) => {
      fx.ingestCounts.accepted += accepted;
      fx.ingestCounts.duplicates += duplicates;
      fx.ingestCounts.rejected += rejected;
    },
    liveSnapshot: async () => {
      if (fx.fail.snapshot) throw fx.fail.snapshot;
      // only the fields these tests read; the snapshot's shape is tested with the live store
      return { computedAt: 1, events: fx.appended.length } as unknown as LiveSnapshot;
    },
    health: async () => ({ ok: !fx.fail.health, body: { status: fx.fail.health ? 'degraded' : 'ok' } }),
    prometheus: async () => `pulse_events_accepted_total ${fx.ingestCounts.accepted}\n`,
    userAnalytics: async (userId): Promise<UserAnalytics | null> => {
      const events = fx.appended.filter((e) => e.userId === userId);
      if (events.length === 0) return null;
      return {
        userId,
        lastActivity: events[events.length - 1].ts,
        totalEvents: events.length,
        eventsByType: {},
        purchaseCount: 0,
        lifetimeValueMinor: 0,
        averagePurchaseMinor: null,
        lastLocation: null,
        recentEvents: [],
      };
    },
    sessionAggregates: async (sessionId): Promise<SessionAggregates | null> => {
      const events = fx.appended.filter((e) => e.sessionId === sessionId);
      if (events.length === 0) return null;
      const at = events[0].ts;
      return { sessionId, userId: events[0].userId, startedAt: at, lastEventAt: at, durationSeconds: 0, pageViews: events.length, pageViewsPerMinute: 0, uniquePages: 1, purchased: false };
    },
    setStock: async (productId, stock) => void fx.stock.set(productId, stock),
    deadLetters,
    reappend: async (event) => void fx.reappended.push(event),
    onStateChanged: () => void fx.stateChanges++,
    next: opts.next,
    history: opts.history,
  };
  const handle = createHttpHandler(deps);
  const server: Server = createServer({ requestTimeout: 30_000 }, (req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(fx, {
    url,
    deps,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

export const iso = (ms: number) => new Date(ms).toISOString();
export const pageView = (user: string, extra: Record<string, unknown> = {}) => ({ timestamp: iso(Date.now()), user_id: user, event_type: 'page_view', ...extra });

/** POST /api/events with the ingest key; the body is sent as given when it is a string or bytes. */
export async function postEvents(url: string, body: unknown, headers: Record<string, string> = {}) {
  // bytes go as a Blob: TypeScript's DOM BodyInit does not list Uint8Array<ArrayBufferLike>
  const payload = typeof body === 'string' ? body : body instanceof Uint8Array ? new Blob([new Uint8Array(body)]) : JSON.stringify(body);
  const res = await fetch(`${url}/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INGEST_KEY}`, 'content-type': 'application/json', ...headers },
    body: payload,
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}
