import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server as SocketServer } from 'socket.io';
import { alertSchema } from '@/lib/live';
import type { Config } from './config';
import { createAdapters, type Adapters } from './adapters/createAdapters';
import { openRedis } from './adapters/redis/redisClient';
import { AdminKeys } from './http/adminAuth';
import { createDeadLetterHandler } from './http/deadLetterRoutes';
import { prometheusText } from './http/prometheus';
import { sendError, sendJson } from './http/respond';
import { createIngestHandler } from './ingest/ingestHandler';
import { IngestKeys } from './ingest/keys';
import { applyCors } from './ingest/cors';
import { createInventoryHandler } from './inventory/inventoryHandler';
import { SnapshotBroadcaster } from './live/broadcaster';
import { createSnapshotSource } from './live/snapshots';
import { log } from './log';
import { createProcessor } from './pipeline/processor';
import { PipelineStats } from './pipeline/stats';
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
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Wires one Pulse process: adapters for the mode, the pipeline (role worker/all), live delivery
 * and the HTTP routes the custom server owns (role web/all; a worker serves health and metrics
 * only). Next (when given) renders every other path.
 */
export async function createPulse(config: Config, opts: { next?: NextHandler; nextUpgrade?: UpgradeHandler } = {}): Promise<Pulse> {
  const stats = new PipelineStats();
  const adapters = await createAdapters(config, (n) => (stats.rejectedTotal += n));
  const { eventLog, store, deadLetters } = adapters;
  const keys = new IngestKeys(config.INGEST_API_KEYS);
  const admin = new AdminKeys(config.ADMIN_API_KEYS);
  const startedAt = Date.now();
  const serveWeb = config.PULSE_ROLE !== 'worker';
  const runWorker = config.PULSE_ROLE !== 'web';

  // a slow client may not hold a connection open forever (slowloris)
  const http = createServer({ keepAliveTimeout: 65_000, requestTimeout: 30_000, headersTimeout: 15_000 });
  // screens only listen; nothing large ever comes from a client
  const io = new SocketServer(http, { serveClient: false, transports: ['websocket', 'polling'], maxHttpBufferSize: 16 * 1024 });
  const cleanups: (() => Promise<void> | void)[] = [];

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
    io.adapter(createAdapter(pub, sub, { key: `${rk.prefix}socket.io` }));
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

  if (runWorker) {
    adapters.startWorkerTasks();
    eventLog.consume(
      createProcessor({
        store,
        log: eventLog,
        deadLetters,
        stats,
        // with Redis, alerts and changes reach the web processes through pub/sub instead
        onAlerts: (alerts) => (adapters.redis ? undefined : alerts.forEach((a) => broadcaster.alert(a))),
        onApplied: () => (adapters.redis ? undefined : broadcaster.markDirty()),
      }),
    );
  }

  const ingest = createIngestHandler({
    keys,
    log: eventLog,
    stats: {
      // rejections are counted by the adapters (shared counters in Redis); the rest here
      recordIngest: (accepted, duplicates, rejected) => {
        stats.recordIngest(accepted, duplicates, 0);
        adapters.recordRejected(rejected);
      },
    },
    allowedOrigins: config.CORS_ALLOWED_ORIGINS,
    maxBodyBytes: config.INGEST_MAX_BODY_BYTES,
    maxBatch: config.INGEST_MAX_BATCH,
    maxBacklog: config.PIPELINE_MAX_BACKLOG,
  });
  const inventory = createInventoryHandler({ keys, store, onChange: () => broadcaster.invalidate() });
  const deadLetterRoutes = createDeadLetterHandler({ admin, deadLetters, log: eventLog, onChange: () => broadcaster.invalidate() });

  async function health(res: ServerResponse): Promise<void> {
    const dependencies = await adapters.health();
    const ok = Object.values(dependencies).every((d) => d.status === 'ok');
    sendJson(res, ok ? 200 : 503, {
      status: ok ? 'ok' : 'degraded',
      mode: config.mode,
      role: config.PULSE_ROLE,
      durable: eventLog.durable && store.durable,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      backlog: ok ? await eventLog.backlog() : null,
      dependencies,
    });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://pulse.local');
    const path = url.pathname;
    if (path === '/api/health') return health(res);
    if (path === '/metrics') {
      const body = prometheusText(await broadcaster.current(), { role: config.PULSE_ROLE, mode: config.mode, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) });
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
      return void res.end(body);
    }
    if (!serveWeb) return sendError(res, 404, 'not_found', 'this is a worker process: only /api/health and /metrics are served');
    if (path === '/api/events') return ingest(req, res, url);
    if (path === '/api/metrics/live') {
      if (!applyCors(req, res, config.CORS_ALLOWED_ORIGINS, 'GET, OPTIONS')) {
        return sendError(res, 403, 'origin_not_allowed', 'this origin may not read metrics');
      }
      if (req.method === 'OPTIONS') return void res.writeHead(204).end();
      if (req.method !== 'GET') return sendError(res, 405, 'method_not_allowed', 'use GET', { Allow: 'GET' });
      return sendJson(res, 200, await broadcaster.current());
    }
    if (path === '/api/inventory') return inventory(req, res);
    if (path.startsWith('/api/pipeline/dead-letters')) return deadLetterRoutes(req, res, url);
    const user = /^\/api\/users\/([^/]{1,256})$/.exec(path);
    if (user && req.method === 'GET') {
      const userId = decodeURIComponent(user[1]);
      const found = adapters.userStore ? await adapters.userStore.get(userId) : await store.userAnalytics(userId);
      return found ? sendJson(res, 200, found) : sendError(res, 404, 'not_found', 'no events seen for this user');
    }
    const session = /^\/api\/sessions\/([^/]{1,256})$/.exec(path);
    if (session && req.method === 'GET') {
      const found = await store.sessionAggregates(decodeURIComponent(session[1]));
      return found ? sendJson(res, 200, found) : sendError(res, 404, 'not_found', 'no events seen for this session');
    }
    if (opts.next) return opts.next(req, res);
    return sendError(res, 404, 'not_found', `no route for ${path}`);
  }

  http.on('request', (req, res) => {
    route(req, res).catch((err) => {
      log.error('request failed', { path: req.url?.split('?')[0], error: String(err) });
      if (!res.headersSent) sendError(res, 500, 'internal', 'something went wrong on our side; it has been logged');
      else res.destroy();
    });
  });
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
    listen(port, host) {
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          const addr = http.address() as AddressInfo;
          resolve(`http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`);
        });
      });
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
        for (const c of cleanups) await step('cleanup', c);
        await step('close adapters', () => adapters.close());
        await step('close store', () => store.close());
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
