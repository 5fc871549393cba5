import type { Redis } from 'ioredis';
import type { DeadLetter, DeadLetterStore } from '@/server/ports';
import type { RedisKeys } from './keys';

/** Dead letters on a Redis stream (`<prefix>dead`), shared by every process. */
export class RedisDeadLetters implements DeadLetterStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async add(letters: Omit<DeadLetter, 'id'>[]): Promise<void> {
    const pipe = this.redis.multi();
    for (const l of letters) {
      pipe.xadd(this.keys.dead, '*', 'eventId', l.eventId ?? '', 'payload', l.payload, 'error', l.error, 'attempts', String(l.attempts), 'failedAt', String(l.failedAt));
    }
    pipe.hincrby(this.keys.stats, 'dead', letters.length);
    await pipe.exec();
  }

  async list(limit: number): Promise<DeadLetter[]> {
    const rows = (await this.redis.xrevrange(this.keys.dead, '+', '-', 'COUNT', limit)) as [string, string[]][];
    return rows.map(toLetter);
  }

  async count(): Promise<number> {
    return this.redis.xlen(this.keys.dead);
  }

  async peek(id: string): Promise<DeadLetter | null> {
    if (!/^\d+-\d+$/.test(id)) return null;
    const rows = (await this.redis.xrange(this.keys.dead, id, id)) as [string, string[]][];
    return rows.length ? toLetter(rows[0]) : null;
  }

  async take(id: string): Promise<DeadLetter | null> {
    if (!/^\d+-\d+$/.test(id)) return null;
    const rows = (await this.redis.xrange(this.keys.dead, id, id)) as [string, string[]][];
    if (rows.length === 0) return null;
    // only the caller that actually deleted it gets it, so a double click replays once
    const deleted = await this.redis.xdel(this.keys.dead, id);
    if (deleted === 0) return null;
    await this.redis.hincrby(this.keys.stats, 'dead', -1);
    return toLetter(rows[0]);
  }
}

function toLetter([id, fields]: [string, string[]]): DeadLetter {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]] = fields[i + 1];
  return {
    id,
    eventId: f.eventId || null,
    payload: f.payload ?? '',
    error: f.error ?? '',
    attempts: Number(f.attempts ?? 0),
    failedAt: Number(f.failedAt ?? 0),
  };
}
