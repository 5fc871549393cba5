import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis the tests use, and a key prefix of their own for each test so none share state. */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** `test:<10 hex>:` — random, so parallel test files and leftovers of a killed run never collide */
export function randomPrefix(label = 'test'): string {
  return `${label}:${randomBytes(5).toString('hex')}:`;
}

/**
 * Deletes every key under `prefix`. SCAN rather than KEYS: KEYS blocks Redis for the whole key
 * space, which other tests (and a benchmark) running against the same server would feel.
 * `target` is an open connection (left open) or the URL of a Redis to connect to for this.
 */
export async function cleanupPrefix(prefix: string, target: Redis | string = REDIS_URL): Promise<number> {
  if (!/^[^*?[\]\\]+$/.test(prefix)) throw new Error(`refusing to delete keys under a pattern-like prefix: ${JSON.stringify(prefix)}`);
  const conn = typeof target === 'string' ? new Redis(target, { maxRetriesPerRequest: 3 }) : target;
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await conn.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await conn.del(...keys);
    } while (cursor !== '0');
  } finally {
    if (typeof target === 'string') conn.disconnect();
  }
  return deleted;
}
