import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Lua scripts run by SHA (EVALSHA) so each call sends a 40-byte digest instead of the source.
 * The digest is computed locally, so no SCRIPT LOAD round trip is needed at start-up; when
 * Redis does not know the script (first use, a restart, SCRIPT FLUSH, a failover) the call is
 * repeated once with EVAL, which also caches it. This is the one NOSCRIPT fallback in Pulse.
 *
 * Chosen over ioredis `defineCommand` because that registers commands by name on each
 * connection object (a typed wrapper then needs declaration merging per script), while callers
 * here pass plain key and argument arrays they computed themselves.
 */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

export function lua(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

export type ScriptArg = string | number;

export async function runScript(redis: Redis, script: LuaScript, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('NOSCRIPT')) return redis.eval(script.source, keys.length, ...keys, ...args);
    throw err;
  }
}
