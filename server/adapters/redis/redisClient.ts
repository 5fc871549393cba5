import { Redis } from 'ioredis';
import { log } from '@/server/log';

/**
 * One place that opens Redis connections: fast failure instead of an unbounded offline queue,
 * reconnection with capped backoff, and a log line (without the URL's password) on trouble.
 */
export function openRedis(url: string, name: string, opts: { blocking?: boolean } = {}): Redis {
  const redis = new Redis(url, {
    connectionName: `pulse-${name}`,
    // commands issued while disconnected wait for the reconnect, but not forever
    maxRetriesPerRequest: opts.blocking ? null : 3,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    lazyConnect: false,
  });
  let lastError = '';
  redis.on('error', (err: Error) => {
    if (err.message !== lastError) log.warn(`redis (${name}): ${err.message}`);
    lastError = err.message;
  });
  redis.on('ready', () => {
    if (lastError) log.info(`redis (${name}): connected again`);
    lastError = '';
  });
  return redis;
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://(unparseable URL)';
  }
}

export interface RedisKeys {
  prefix: string;
  log: string;
  group: string;
  backlog: string;
  stats: string;
  dead: string;
  alertsChannel: string;
  changedChannel: string;
}

export function redisKeys(prefix: string): RedisKeys {
  return {
    prefix,
    log: `${prefix}log`,
    group: 'workers',
    backlog: `${prefix}backlog`,
    stats: `${prefix}st`,
    dead: `${prefix}dead`,
    alertsChannel: `${prefix}ch:alerts`,
    changedChannel: `${prefix}ch:changed`,
  };
}
