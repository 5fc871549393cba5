import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryDeadLetters } from '@/server/adapters/memory/memoryDeadLetters';
import { redisKeys } from '@/server/adapters/redis/keys';
import { RedisDeadLetters } from '@/server/adapters/redis/redisDeadLetters';
import type { DeadLetterStore } from '@/server/ports';
import { REDIS_URL, STORE_KINDS, type StoreKind } from '../helpers/stores';

/** The dead-letter contract, against the in-process and the Redis-stream adapters. */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function make(kind: StoreKind): Promise<DeadLetterStore> {
  if (kind === 'memory') return new MemoryDeadLetters();
  const prefix = `test:${randomBytes(5).toString('hex')}:`;
  const redis = new Redis(REDIS_URL);
  cleanups.push(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });
  return new RedisDeadLetters(redis, redisKeys(prefix));
}

const letter = (n: number) => ({ payload: `{"eventId":"e${n}"}`, eventId: `e${n}`, error: `boom ${n}`, attempts: 3, failedAt: 1_000 + n });

describe.each(STORE_KINDS)('DeadLetterStore contract: %s', (kind) => {
  it('keeps letters with their error and attempts, newest first', async () => {
    const d = await make(kind);
    await d.add([letter(1), letter(2)]);
    await d.add([letter(3)]);
    expect(await d.count()).toBe(3);
    const list = await d.list(10);
    expect(list.map((l) => l.eventId)).toEqual(['e3', 'e2', 'e1']);
    expect(list[0]).toMatchObject({ error: 'boom 3', attempts: 3, failedAt: 1003, payload: '{"eventId":"e3"}' });
    expect((await d.list(2)).map((l) => l.eventId)).toEqual(['e3', 'e2']);
  });

  it('peeks without removing, and hands a letter to exactly one taker', async () => {
    const d = await make(kind);
    await d.add([letter(1)]);
    const [l] = await d.list(1);
    expect(await d.peek(l.id)).toMatchObject({ eventId: 'e1' });
    expect(await d.count()).toBe(1);
    const takes = await Promise.all([d.take(l.id), d.take(l.id)]);
    expect(takes.filter(Boolean)).toHaveLength(1);
    expect(await d.count()).toBe(0);
    expect(await d.peek(l.id)).toBeNull();
    expect(await d.take('no-such-id')).toBeNull();
  });
});
