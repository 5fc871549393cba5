import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { REDIS_URL } from '@/tests/helpers/redis';
import { compareVersions, requireRedisVersion } from './redisClient';
import { lua, runScript } from './scripting';

const redis = new Redis(REDIS_URL);
afterAll(() => redis.disconnect());

describe('runScript', () => {
  it('runs a script Redis has never seen (NOSCRIPT, then EVAL) and by SHA afterwards', async () => {
    // a comment unique to this run, so the script cannot be cached already
    const script = lua(`-- ${randomBytes(8).toString('hex')}\nreturn {KEYS[1], ARGV[1], ARGV[2]}`);
    expect(await redis.script('EXISTS', script.sha)).toEqual([0]);
    expect(await runScript(redis, script, ['k'], ['a', 7])).toEqual(['k', 'a', '7']);
    expect(await redis.script('EXISTS', script.sha)).toEqual([1]);
    expect(await runScript(redis, script, ['k2'], ['b', 'c'])).toEqual(['k2', 'b', 'c']);
  });

  it('passes script errors through', async () => {
    await expect(runScript(redis, lua(`return redis.error_reply('nope')`), [], [])).rejects.toThrow('nope');
  });
});

describe('requireRedisVersion', () => {
  it('compares dotted versions numerically', () => {
    expect(compareVersions('6.10.0', '6.2.0')).toBeGreaterThan(0);
    expect(compareVersions('6.2', '6.2.0')).toBe(0);
    expect(compareVersions('6.0.16', '6.2.0')).toBeLessThan(0);
  });

  it('accepts this Redis for 6.2.0 and names both versions when it is too old', async () => {
    const found = await requireRedisVersion(redis, '6.2.0');
    expect(found).toMatch(/^\d+\.\d+/);
    await expect(requireRedisVersion(redis, '99.0.0')).rejects.toThrow(`Pulse needs Redis 99.0.0 or newer (XTRIM MINID, ZADD GT/LT); this server is Redis ${found}`);
  });
});
