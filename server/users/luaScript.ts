import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** The commands the per-user Redis code needs to run a script (BullMQ-style narrow interface). */
export type ScriptRedis = Pick<Redis, 'evalsha' | 'eval'>;

/**
 * A Lua script run by its SHA1, sent in full only when Redis does not know it yet (after a
 * restart or SCRIPT FLUSH): no start-up round trip, no script body on every call.
 */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: ScriptRedis, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (err instanceof Error && err.message.includes('NOSCRIPT')) return redis.eval(this.source, keys.length, ...keys, ...args);
      throw err;
    }
  }
}
