import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as SocketServer } from 'socket.io';
import type { Config } from './config';
import { MemoryDeadLetters } from './adapters/memory/memoryDeadLetters';
import { MemoryEventLog } from './adapters/memory/memoryEventLog';
import { MemoryLiveStore } from './adapters/memory/memoryLiveStore';
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
export type UpgradeHandler = (req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => void;

export interface Pulse {
  http: HttpServer;
  io: SocketServer;
  log: EventLog;
  store: LiveStore;
  stats: PipelineStats;
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Wires one Pulse process: adapters for the mode, the pipeline, live delivery and the HTTP
 * routes the custom server owns. Next (when given) renders every other path.
 */
export function createPulse(config: Config, opts: { next?: NextHandler; nextUpgrade?: UpgradeHandler } = {}): Pulse {
  const eventLog = new MemoryEventLog({
    dedupWindowMs: config.DEDUP_WINDOW_HOURS * 3_600_000,
    dedupMaxIds: config.DEDUP_MAX_IDS,
  });
  const deadLetters = new MemoryDeadLetters();
  const store = new MemoryLiveStore({
    deadLetters,
    fraudWeights: {
      amount: config.FRAUD_WEIGHT_AMOUNT,
      velocity: config.FRAUD_WEIGHT_VELOCITY,
      location: config.FRAUD_WEIGHT_LOCATION,
    },
    rules: {
      fraudScoreAbove: config.ALERT_FRAUD_SCORE_ABOVE,
      highValueAboveCents: Math.round(config.ALERT_HIGH_VALUE_ABOVE * 100),
      lowStockAtOrBelow: config.ALERT_LOW_STOCK_AT_OR_BELOW,
    },
    maxUsers: config.EMBEDDED_MAX_USERS,
  });
  const stats = new PipelineStats();
  const keys = new IngestKeys(config.INGEST_API_KEYS);
  const startedAt = Date.now();

  // a slow client may not hold a connection open forever (slowloris)
  const http = createServer({ keepAliveTimeout: 65_000, requestTimeout: 30_000, headersTimeout: 15_000 });
  // screens only listen; nothing large ever comes from a client
  const io = new SocketServer(http, { serveClient: false, transports: ['websocket', 'polling'], maxHttpBufferSize: 16 * 1024 });
  const snapshot = createSnapshotSource({ store, log: eventLog, stats, mode: config.mode });
  const broadcaster = new SnapshotBroadcaster(io, snapshot, {
    minIntervalMs: config.LIVE_MIN_INTERVAL_MS,
    heartbeatMs: config.LIVE_HEARTBEAT_MS,
  });

  eventLog.consume(
    createProcessor({
      store,
      log: eventLog,
      deadLetters,
      stats,
      onAlerts: (alerts) => alerts.forEach((a) => broadcaster.alert(a)),
      onApplied: () => broadcaster.markDirty(),
    }),
  );

  const ingest = createIngestHandler({
    keys,
    log: eventLog,
    stats,
    allowedOrigins: config.CORS_ALLOWED_ORIGINS,
    maxBodyBytes: config.INGEST_MAX_BODY_BYTES,
    maxBatch: config.INGEST_MAX_BATCH,
    maxBacklog: config.PIPELINE_MAX_BACKLOG,
  });
  const inventory = createInventoryHandler({ keys, store, onChange: () => broadcaster.invalidate() });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://pulse.local');
    const path = url.pathname;
    if (path === '/api/events') return ingest(req, res, url);
    if (path === '/api/metrics/live') {
      if (!applyCors(req, res, config.CORS_ALLOWED_ORIGINS, 'GET, OPTIONS')) {
        return sendError(res, 403, 'origin_not_allowed', 'this origin may not read metrics');
      }
      if (req.method === 'OPTIONS') return void res.writeHead(204).end();
      if (req.method !== 'GET') return sendError(res, 405, 'method_not_allowed', 'use GET', { Allow: 'GET' });
      return sendJson(res, 200, await broadcaster.current());
    }
    if (path === '/api/health') {
      return sendJson(res, 200, {
        status: 'ok',
        mode: config.mode,
        durable: eventLog.durable && store.durable,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        backlog: await eventLog.backlog(),
        dependencies: {
          eventLog: { kind: eventLog.kind, status: 'ok' },
          liveStore: { kind: store.kind, status: 'ok' },
        },
      });
    }
    if (path === '/api/inventory') return inventory(req, res);
    const user = /^\/api\/users\/([^/]{1,256})$/.exec(path);
    if (user && req.method === 'GET') {
      const found = await store.userAnalytics(decodeURIComponent(user[1]));
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
      // idempotent; each step isolated so one failure does not skip the rest
      closing ??= (async () => {
        broadcaster.close();
        await new Promise<void>((r) => io.close(() => r()));
        await eventLog.close().catch((e) => log.warn('event log close failed', { error: String(e) }));
        await store.close().catch((e) => log.warn('live store close failed', { error: String(e) }));
        http.closeAllConnections?.();
      })();
      return closing;
    },
  };
}
