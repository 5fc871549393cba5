import next from 'next';
import { createPulse } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { fingerprint } from './ingest/keys';
import { redactUrl } from './adapters/redis/redisClient';
import { log, setLogLevel } from './log';

/**
 * The custom Node server: one port for the pages (Next), the ingest API, live metrics and
 * socket.io. Ingest lives here rather than in a route handler because Next adds ~1.3 ms per
 * request, which would cap single-event ingest at a few hundred requests per second.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee README.md, "Configuration".\n`);
      process.exit(2);
    }
    throw err;
  }
  setLogLevel(config.LOG_LEVEL);

  let nextHandler: Parameters<typeof createPulse>[1] = {};
  if (config.PULSE_UI && config.PULSE_ROLE !== 'worker') {
    const dev = config.NODE_ENV !== 'production';
    const app = next({ dev, dir: process.cwd(), hostname: config.HOST, port: config.PORT });
    await app.prepare();
    const handle = app.getRequestHandler();
    nextHandler = { next: (req, res) => handle(req, res), nextUpgrade: dev ? app.getUpgradeHandler() : undefined };
  }

  const pulse = await createPulse(config, nextHandler);
  const url = await pulse.listen(config.PORT, config.HOST);

  const ui = config.PULSE_ROLE === 'worker' ? ', health and metrics only' : config.PULSE_UI ? '' : ', API only';
  log.info(`Pulse listening on ${url} (mode: ${config.mode}, role: ${config.PULSE_ROLE}${ui})`);
  if (config.REDIS_URL) log.info(`Redis: ${redactUrl(config.REDIS_URL)} (prefix ${config.REDIS_PREFIX})`);
  if (config.mode === 'embedded') {
    log.warn('Embedded mode: live state and queued events are kept in memory only and are lost when the process stops.');
  }
  if (config.INGEST_API_KEYS.length === 0) {
    log.warn('No ingest keys configured (INGEST_API_KEYS): every POST /api/events will be refused with 401.');
  } else {
    log.info('Ingest keys loaded', { count: config.INGEST_API_KEYS.length, fingerprints: config.INGEST_API_KEYS.map(fingerprint) });
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: draining and shutting down`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await pulse.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  log.error('Pulse failed to start', { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
