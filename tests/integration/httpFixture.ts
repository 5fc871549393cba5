import { eventRulesFrom } from '@/server/rules/eventRules';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PulseEvent } from '@/lib/events';
import type { LiveSnapshot } from '@/lib/live';
import { createAuth, type Auth } from '@/server/auth/createAuth';
import { createOriginPolicy } from '@/server/auth/origins';
import { loadConfig, type Config } from '@/server/config';
import { openDatabase } from '@/server/db/database';
import type { HttpDeps } from '@/server/http/deps';
import { createHttpHandler } from '@/server/http/routes';
import { setLogSilent } from '@/server/log';
import type { DeadLetter, DeadLetterStore, SessionAggregates, UserAnalytics } from '@/server/ports';
import { MemoryRuleStore, StoredRuleSource } from '@/server/rules/storedRules';
import { testDatabaseUrl } from '../helpers/database';

/**
 * The HTTP layer on a real node:http server with a fake process behind it: the handlers are
 * exercised over the wire (real `fetch`, real sockets) without the pipeline, which is being
 * rebuilt at the same time and is tested on its own. Credentials are real: a real Auth over this
 * test worker's PostgreSQL database, with INGEST_KEY as a publishable key (INGEST_API_KEYS) and
 * ADMIN_KEY as a secret one (ADMIN_API_KEYS).
 */

/** publishable: may only send events */
export const INGEST_KEY = 'fixture-ingest-key-0123456789';
/** secret: may send events, set inventory, manage dead letters and rules, and read everything */
export const ADMIN_KEY = 'fixture-admin-key-0123456789';
/** the Authorization header of the secret key */
export const adminHeaders: Readonly<Record<string, string>> = Object.freeze({ authorization: `Bearer ${ADMIN_KEY}` });

export interface Fixture {
  url: string;
  deps: HttpDeps;
  auth: Auth;
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
  opts: {
    config?: Partial<ConfigPart>;
    /** the secret keys (ADMIN_API_KEYS; default [ADMIN_KEY]) */
    admin?: string[];
    /** more environment for the full configuration Auth is built from (e.g. READ_ALLOWED_ORIGINS) */
    env?: Record<string, string>;
    next?: HttpDeps['next'];
    history?: HttpDeps['history'];
  } = {},
): Promise<Fixture> {
  setLogSilent(true);
  const full = loadConfig({
    PULSE_UI: 'off',
    PULSE_DATA_DIR: process.env.PULSE_DATA_DIR!,
    DATABASE_URL: await testDatabaseUrl(),
    INGEST_API_KEYS: INGEST_KEY,
    ADMIN_API_KEYS: (opts.admin ?? [ADMIN_KEY]).join(','),
    CORS_ALLOWED_ORIGINS: 'https://shop.example',
    ...opts.env,
  });
  const db = await openDatabase({ url: full.DATABASE_URL, dataDir: full.PULSE_DATA_DIR });
  let auth: Auth;
  try {
    auth = await createAuth(db, full, createOriginPolicy({ publicUrl: full.PULSE_PUBLIC_URL, allowed: full.READ_ALLOWED_ORIGINS, trustProxy: false }));
  } catch (err) {
    await db.close();
    throw err;
  }
  const config: ConfigPart = {
    NODE_ENV: 'test',
    TRUST_PROXY: false,
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
  const fx: Omit<Fixture, 'url' | 'close' | 'deps' | 'auth'> = {
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
    eventRulesFrom({ fraudScoreAbove: 0.8, highValueAboveMinor: 100_000, lowStockAtOrBelow: 5, fraudWeights: { amount: 0.3, velocity: 0.4, location: 0.3 } }),
    new MemoryRuleStore(),
    { refreshMs: 60_000 },
  );
  const deps: HttpDeps = {
    config,
    describeRules: () => rules.describe(),
    changeRules: (change) => rules.change(change),
    audit: (record) => auth.audit.record(record),
    authorize: auth.authorize,
    auth: config.PULSE_ROLE === 'worker' ? null : auth,
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
    auth,
    async close() {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await auth.close();
      await db.close();
    },
  });
}

export const iso = (ms: number) => new Date(ms).toISOString();
export const pageView = (user: string, extra: Record<string, unknown> = {}) => ({ timestamp: iso(Date.now()), user_id: user, event_type: 'page_view', ...extra });

/** fetch with the secret key (ADMIN_KEY); headers given win */
export function adminFetch(url: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
  return fetch(url, { ...init, headers: { ...adminHeaders, ...init.headers } });
}

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
