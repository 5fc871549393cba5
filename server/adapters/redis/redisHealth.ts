import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys';

/**
 * Health must say "down" whenever ingest would fail. PING answers during an out-of-memory
 * episode (maxmemory with noeviction) or on a read-only replica while every append fails, so the
 * probe writes a small key with a short expiry, as an append would.
 */
export async function probeRedisWrites(redis: Redis, keys: RedisKeys): Promise<{ ok: true; detail: Record<string, unknown> } | { ok: false; error: string; detail: Record<string, unknown> }> {
  const detail: Record<string, unknown> = {};
  try {
    const info = await redis.info('memory');
    const used = /used_memory:(\d+)/.exec(info)?.[1];
    const max = /maxmemory:(\d+)/.exec(info)?.[1];
    if (used) detail.usedMemoryBytes = Number(used);
    if (max && Number(max) > 0) detail.maxMemoryBytes = Number(max);
    await redis.set(`${keys.prefix}f:health-probe`, String(Date.now()), 'PX', 10_000);
    return { ok: true, detail };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err), detail };
  }
}
