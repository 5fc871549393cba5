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
    // commands issued in the same tick (concurrent ingest requests, a snapshot's reads) go out
    // in one write: fewer syscalls on the single-event path. Only on the command connection (not
    // on blocking or pub/sub ones); PULSE_REDIS_AUTOPIPELINE=off turns it off for comparison.
    enableAutoPipelining: name === 'main' && !opts.blocking && process.env.PULSE_REDIS_AUTOPIPELINE !== 'off',
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

/**
 * Refuses to start on a Redis older than `needed`, naming both versions. Pulse needs 6.2: the
 * log trims with XTRIM MINID and the live store keeps first/last times with ZADD GT/LT (both 6.2).
 */
export async function requireRedisVersion(redis: Redis, needed: string): Promise<string> {
  const info = await redis.info('server');
  const found = /^redis_version:(\S+)/m.exec(info)?.[1];
  if (!found) throw new Error(`Pulse needs Redis ${needed} or newer, and this server did not report its version (INFO server has no redis_version)`);
  if (compareVersions(found, needed) < 0) {
    throw new Error(`Pulse needs Redis ${needed} or newer (XTRIM MINID, ZADD GT/LT); this server is Redis ${found}`);
  }
  return found;
}

/** numeric comparison of dotted versions ("6.10.0" > "6.2.0"); missing parts count as 0 */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
