import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server as SocketServer } from 'socket.io';
import { alertSchema } from '@/lib/live';
import type { Config } from './config';
import { createAdapters, type Adapters } from './adapters/createAdapters';
import { openRedis } from './adapters/redis/redisClient';
import { createAuthorizer, StaticKeys } from './http/authorize';
import { createAdminFromEnv, createAuth, printSetupLink, type Auth } from './auth/createAuth';
import { createOriginPolicy } from './auth/origins';
import { startControlSocket } from './auth/controlSocket';
import { openDatabase, type Database } from './db/database';
import { guardSockets } from './live/socketAuth';
import { prometheusText } from './http/prometheus';
import { createHttpHandler } from './http/routes';
import { securityHeaderValues } from './http/securityHeaders';
import { SnapshotBroadcaster } from './live/broadcaster';
import { startPipelineSampler, type PipelineSampler } from './live/pipelineHistory';
import { createSnapshotSource } from './live/snapshots';
import { log } from './log';
import { LIVE_CONSUMER, LiveConsumer } from './consumers/liveConsumer';
import { PipelineStats } from './pipeline/stats';
import { createLakeStore, startLake, type RunningLake } from './lake/createLake';
import { createHistoryFromConfig } from './history/createHistory';
import { LAKE_BACKLOG_ALLOWANCE, LAKE_CONSUMER } from './lake/lakeWriter';
import type { EventLog, LiveStore } from './ports';

export type NextHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface Pulse {
  http: HttpServer;
  io: SocketServer;
  log: EventLog;
  store: LiveStore;
  stats: PipelineStats;
  adapters: Adapters;
  /** users, sessions, keys and the audit log (web processes); null in a worker */
  auth: Auth | null;
  /** the lake writer and compactor, in processes that process */
  lake(): RunningLake | null;
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Wires one Pulse process: adapters for the mode, the pipeline (role worker/all), live delivery
 * and the HTTP routes the custom server owns (role web/all; a worker serves health and metrics
 * only). Next (when given) renders every other path.
 */
export async function createPulse(
  config: Config,
  opts: { next?: NextHandler; nextUpgrade?: UpgradeHandler; /** pipeline history sampling (default 10 s) */ historyIntervalMs?: number } = {},
): Promise<Pulse> {
  const stats = new PipelineStats();
  const adapters = await createAdapters(config, (n) => (stats.rejectedTotal += n));
  const { eventLog, store, deadLetters } = adapters;
  const startedAt = Date.now();
  const serveWeb = config.PULSE_ROLE !== 'worker';
  const runWorker = config.PULSE_ROLE !== 'web';

  const cleanups: (() => Promise<void> | void)[] = [];
  // the database (users, keys, audit) belongs to the web processes: embedded PGlite in the data
  // folder (one process owns it), or PostgreSQL with DATABASE_URL
  const origins = createOriginPolicy({ publicUrl: config.PULSE_PUBLIC_URL, allowed: config.READ_ALLOWED_ORIGINS, trustProxy: config.TRUST_PROXY });
  let db: Database | null = null;
  let auth: Auth | null = null;
  if (serveWeb) {
    db = await openDatabase({ url: config.DATABASE_URL, dataDir: config.PULSE_DATA_DIR });
    try {
      auth = await createAuth(db, config, origins);
      await createAdminFromEnv(auth, config);
    } catch (err) {
      await db.close();
      throw err;
    }
    // the embedded database is this process's alone: the admin CLI asks it over an owner-only socket
    if (!config.DATABASE_URL) {
      const control = await startControlSocket(auth, {
        dataDir: config.PULSE_DATA_DIR,
        baseUrl: () => config.PULSE_PUBLIC_URL ?? (http.listening ? `http://localhost:${(http.address() as AddressInfo).port}` : null),
      });
      if (control) cleanups.push(() => control.close());
    }
  }
  const authorize = auth
    ? auth.authorize
    : // a worker answers /metrics to the environment's secret keys; it has no sessions
      createAuthorizer({ keys: new StaticKeys(config.INGEST_API_KEYS, config.ADMIN_API_KEYS), origins, sessions: { user: async () => null, display: async () => null } });

  // a slow client may not hold a connection open forever (slowloris)
  const http = createServer({ keepAliveTimeout: 65_000, requestTimeout: 30_000, headersTimeout: 15_000 });
  // screens only listen; nothing large ever comes from a client. Only our own pages' origins.
  const io = new SocketServer(http, {
    serveClient: false,
    transports: ['websocket', 'polling'],
    maxHttpBufferSize: 16 * 1024,
    allowRequest: (req, callback) => callback(null, origins.allowed(req)),
  });
  if (auth) cleanups.push(guardSockets(io, auth));
  else io.use((_socket, next) => next(new Error('unauthenticated')));

  const snapshot = createSnapshotSource({ store, log: eventLog, stats, deadLetters, mode: config.mode });
  const broadcaster = new SnapshotBroadcaster(io, snapshot, {
    minIntervalMs: config.LIVE_MIN_INTERVAL_MS,
    heartbeatMs: config.LIVE_HEARTBEAT_MS,
  });
  cleanups.push(() => broadcaster.close());

  if (adapters.redis && serveWeb) {
    // every web process computes snapshots from the shared state for its own sockets; the
    // workers tell it when state changed and which alerts fired
    const { url, keys: rk } = adapters.redis;
    const pub = openRedis(url, 'socket-pub');
    const sub = openRedis(url, 'socket-sub');
    io.adapter(createAdapter(pub, sub, { key: rk.socketIo }));
    const events = openRedis(url, 'events-sub');
    await events.subscribe(rk.changedChannel, rk.alertsChannel);
    events.on('message', (channel: string, message: string) => {
      if (channel === rk.changedChannel) return broadcaster.markDirty();
      const parsed = alertSchema.safeParse(safeJson(message));
      if (parsed.success) broadcaster.alert(parsed.data);
    });
    cleanups.push(() => {
      events.disconnect();
      pub.disconnect();
      sub.disconnect();
    });
  }

  // declared by every process, so a web process alone already applies backpressure for them
  await eventLog.registerConsumer(LIVE_CONSUMER, { required: true });
  if (config.LAKE_WRITER) await eventLog.registerConsumer(LAKE_CONSUMER, { required: true, backlogAllowance: LAKE_BACKLOG_ALLOWANCE });
  const lakeStore = createLakeStore(config);
  let lake: RunningLake | null = null;
  let consumer: LiveConsumer | null = null;
  if (runWorker) {
    adapters.startWorkerTasks();
    consumer = new LiveConsumer({
      log: eventLog,
      store,
      rules: adapters.rules,
      shop: adapters.shop,
      stats,
      owner: adapters.owner,
      maxEntries: config.LOG_READ_COUNT,
      // with Redis, alerts and changes reach the web processes through pub/sub instead
      onApplied: (alerts) => {
        if (adapters.redis) return;
        for (const a of alerts) broadcaster.alert(a);
        broadcaster.markDirty();
      },
    });
    await consumer.start();
    if (config.LAKE_WRITER) {
      lake = await startLake({ config, lake: lakeStore, log: eventLog, live: store, shop: adapters.shop, owner: adapters.owner });
    }
  }

  // the pipeline page's last hour, sampled by each web process from what its screens are shown
  let history: PipelineSampler | null = null;
  if (serveWeb) {
    const sampler = startPipelineSampler({
      intervalMs: opts.historyIntervalMs,
      read: async () => {
        const [{ pipeline: p }, backlog] = await Promise.all([broadcaster.current(), eventLog.backlog()]);
        return { acceptedTotal: p.acceptedTotal, processedTotal: p.processedTotal, rejectedTotal: p.rejectedTotal, deadLetters: p.deadLetters, backlog, lagMsP50: p.lagMsP50, lagMsP99: p.lagMsP99 };
      },
    });
    history = sampler;
    cleanups.push(() => sampler.stop());
  }

  // historical views over the lake, for the pages and scripts a web process serves
  const lakeHistory = serveWeb ? createHistoryFromConfig(config, adapters.shop, lakeStore) : undefined;
  if (lakeHistory) cleanups.push(() => lakeHistory.close());

  // the HTTP layer (server/http/routes.ts) reaches the process only through these
  const handleHttp = createHttpHandler({
    config,
    authorize,
    auth,
    audit: auth ? (record) => auth.audit.record(record) : async () => {},
    appendEvents: (events, appendOpts) => eventLog.append(events, appendOpts),
    // rejections are counted by the adapters (shared counters in Redis); the rest here
    recordIngest: (accepted, duplicates, rejected) => {
      stats.recordIngest(accepted, duplicates, 0);
      adapters.recordRejected(rejected);
    },
    liveSnapshot: () => broadcaster.current(),
    health: async () => {
      const dependencies = await adapters.health();
      const ok = Object.values(dependencies).every((d) => d.status === 'ok');
      const backlogs = ok ? await eventLog.backlog() : null;
      const body = {
        status: ok ? 'ok' : 'degraded',
        mode: config.mode,
        role: config.PULSE_ROLE,
        durable: eventLog.durable && store.durable,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        // how far live processing is behind (the lake writer buffers on purpose), and each consumer's
        backlog: ok ? (backlogs?.live ?? 0) : null,
        backlogByConsumer: ok ? backlogs : null,
        dependencies,
      };
      return { ok, body };
    },
    pipelineHistory: history ? () => ({ intervalMs: history.intervalMs, since: history.ring.since, samples: history.ring.list() }) : undefined,
    prometheus: async () =>
      prometheusText(await broadcaster.current(), { role: config.PULSE_ROLE, mode: config.mode, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) }),
    userAnalytics: async (userId) => {
      if (!adapters.userStore) return store.userAnalytics(userId);
      // the per-user table holds the record; its recent events live beside it in the live store
      const [found, recent] = await Promise.all([adapters.userStore.get(userId), store.recentEvents(userId)]);
      return found ? { ...found, recentEvents: recent } : null;
    },
    sessionAggregates: (sessionId) => store.sessionAggregates(sessionId),
    setStock: (productId, stock) => store.setStock(productId, stock),
    deadLetters,
    // replayed on purpose: skip the duplicate check its event_id would trip
    reappend: async (event) => void (await eventLog.append([{ ...event, clientId: false }])),
    onStateChanged: () => broadcaster.invalidate(),
    describeRules: () => adapters.rules.describe(),
    changeRules: (change) => adapters.rules.change(change),
    history: lakeHistory,
    next: serveWeb ? opts.next : undefined,
  });
  // socket.io answers its own path (engine.io listens on the same server); the router must not
  // answer it too, or engine.io writes to a finished response and the process dies
  http.on('request', (req, res) => {
    if (req.url?.startsWith('/socket.io/')) return;
    void handleHttp(req, res);
  });
  // engine.io writes its responses itself: the same security headers as every other answer
  const headerOpts = { trustProxy: config.TRUST_PROXY, dev: config.NODE_ENV !== 'production' };
  io.engine.on('headers', (headers: Record<string, string>, req: IncomingMessage) => Object.assign(headers, securityHeaderValues(req, headerOpts)));
  if (opts.nextUpgrade) {
    const nextUpgrade = opts.nextUpgrade;
    http.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/socket.io')) nextUpgrade(req, socket, head);
    });
  }

  let closing: Promise<void> | null = null;
  return {
    http,
    io,
    log: eventLog,
    store,
    stats,
    adapters,
    auth,
    lake: () => lake,
    async listen(port, host) {
      const url = await new Promise<string>((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          const addr = http.address() as AddressInfo;
          resolve(`http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`);
        });
      });
      // without a first admin, the way to make one, once people can reach the page
      if (auth) await printSetupLink(auth, config.PULSE_PUBLIC_URL?.replace(/\/$/, '') ?? url);
      return url;
    },
    close() {
      // idempotent; each step isolated so one failure does not skip the rest. Order: stop taking
      // requests, let the consumer finish its batch, then drop connections.
      closing ??= (async () => {
        const step = async (name: string, fn: () => Promise<unknown> | unknown) => {
          try {
            await fn();
          } catch (err) {
            log.warn(`shutdown: ${name} failed`, { error: String(err) });
          }
        };
        // closes the HTTP server too: no new requests; in-flight ones finish
        await step('close sockets and stop listening', () => new Promise<void>((r) => io.close(() => r())));
        // the consumer finishes the delivery in flight and hands its partitions over at once
        await step('stop processing', () => consumer?.stop());
        // after the live consumer: the lake writes what it applied (an in-process log is gone after exit)
        await step('write the lake', () => lake?.stop());
        await step('close the lake store', () => lakeStore.close());
        for (const c of cleanups) await step('cleanup', c);
        await step('close adapters', () => adapters.close());
        await step('close store', () => store.close());
        await step('close sign-in', () => auth?.close());
        await step('close the database', () => db?.close());
        await step('drop idle connections', () => http.closeAllConnections?.());
      })();
      return closing;
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
