import type { Config } from '../config';
import { fingerprint } from '../ingest/keys';
import { redactUrl } from '../adapters/redis/redisClient';
import { describePostgresUrl } from '../db/describe';
import { log } from '../log';

/** the start-up lines about mode, Redis and keys (printed once per `npm start`) */
export function describeConfig(config: Config): void {
  if (config.REDIS_URL) log.info(`Redis: ${redactUrl(config.REDIS_URL)} (prefix ${config.REDIS_PREFIX})`);
  if (config.mode === 'embedded') {
    log.warn('Embedded mode: live state and queued events are kept in memory only and are lost when the process stops.');
  }
  if (config.INGEST_API_KEYS.length === 0) {
    log.info('No ingest keys in INGEST_API_KEYS: events need a key an admin creates (/admin → API keys, or npm run key:create).');
  } else {
    log.info('Ingest keys loaded', { count: config.INGEST_API_KEYS.length, fingerprints: config.INGEST_API_KEYS.map(fingerprint) });
  }
}
