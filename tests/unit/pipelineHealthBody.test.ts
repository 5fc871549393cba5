import { describe, expect, it } from 'vitest';
import { eventLogView, failingDependencies, formatBytes, parseHealth, readableFetchError, redisMemory, type Health } from '@/components/pipeline/healthBody';

/** A single-node answer of GET /api/health, as server/app.ts writes it (three partitions). */
function singleNodeBody(): Record<string, unknown> {
  return {
    status: 'ok',
    mode: 'single-node',
    role: 'web',
    durable: true,
    uptimeSeconds: 42,
    backlog: 7,
    backlogByConsumer: { live: 7 },
    dependencies: {
      redis: { kind: 'redis', status: 'ok', latencyMs: 0.8, detail: { usedMemoryBytes: 3 * 1024 * 1024, maxMemoryBytes: 12 * 1024 * 1024 } },
      eventLog: {
        kind: 'redis-streams',
        status: 'ok',
        detail: {
          partitions: 3,
          heads: [120_345, 10, 0],
          checkpoints: { live: [120_340, 8, 0], lake: [0, 0, 0] },
          backlog: { live: 7, lake: 120_355 },
          owners: { live: ['web-1', null, 'web-2'], lake: [null, null, null] },
          storedEntries: 900,
        },
      },
      liveStore: { kind: 'redis', status: 'ok' },
    },
  };
}

const parsed = (body: unknown): Health => {
  const health = parseHealth(body);
  if (!health) throw new Error('expected the body to parse');
  return health;
};

describe('parseHealth', () => {
  it('ignores fields it does not know, at every level', () => {
    const body = singleNodeBody();
    body.somethingNew = { nested: true };
    (body.dependencies as Record<string, Record<string, unknown>>).redis.region = 'eu';
    const health = parsed(body);
    expect(health).not.toHaveProperty('somethingNew');
    expect(health.dependencies.redis).not.toHaveProperty('region');
    expect(health.mode).toBe('single-node');
  });

  it('keeps a status word it does not know, and counts that dependency as failing', () => {
    const body = singleNodeBody();
    (body.dependencies as Record<string, Record<string, unknown>>).liveStore.status = 'warming-up';
    const health = parsed(body);
    expect(failingDependencies(health).map(([name, d]) => `${name}:${d.status}`)).toEqual(['liveStore:warming-up']);
  });

  it('refuses a body without the fields every server sends', () => {
    expect(parseHealth({ status: 'ok' })).toBeNull();
    expect(parseHealth('<html>Bad gateway</html>')).toBeNull();
    expect(parseHealth(null)).toBeNull();
  });

  it('takes the degraded answer, whose backlogs are null', () => {
    const health = parsed({
      status: 'degraded',
      mode: 'single-node',
      role: 'all',
      durable: true,
      uptimeSeconds: 3,
      backlog: null,
      backlogByConsumer: null,
      dependencies: { redis: { kind: 'redis', status: 'down', error: 'connect ECONNREFUSED' }, eventLog: { kind: 'redis-streams', status: 'down', error: 'connect ECONNREFUSED' } },
    });
    expect(health.backlog).toBeNull();
    expect(eventLogView(health)).toBeNull();
    expect(redisMemory(health)).toBeNull();
    expect(failingDependencies(health).map(([name]) => name)).toEqual(['redis', 'eventLog']);
  });
});

describe('eventLogView', () => {
  it("shows the live consumer's checkpoint, backlog and owner per partition, and totals that add up", () => {
    const view = eventLogView(parsed(singleNodeBody()))!;
    expect(view.consumer).toBe('live');
    expect(view.partitions).toEqual([
      { partition: 0, head: 120_345, checkpoint: 120_340, backlog: 5, owner: 'web-1' },
      { partition: 1, head: 10, checkpoint: 8, backlog: 2, owner: null },
      { partition: 2, head: 0, checkpoint: 0, backlog: 0, owner: 'web-2' },
    ]);
    expect(view.appended).toBe(120_355);
    expect(view.checkpointed).toBe(120_348);
    expect(view.backlog).toBe(7);
    expect(view.storedEntries).toBe(900);
    expect(view.unowned).toBe(1);
  });

  it('never shows a negative backlog, and says "unknown" for what the server left out', () => {
    const body = singleNodeBody();
    const detail = (body.dependencies as Record<string, { detail: Record<string, unknown> }>).eventLog.detail;
    detail.checkpoints = { live: [120_400] }; // ahead of its head, and the other two missing
    delete detail.owners;
    delete detail.backlog;
    delete detail.storedEntries;
    const view = eventLogView(parsed(body))!;
    expect(view.partitions.map((r) => [r.checkpoint, r.backlog, r.owner])).toEqual([
      [120_400, 0, undefined],
      [null, null, undefined],
      [null, null, undefined],
    ]);
    // with no backlog from the server, the rows' own sum
    expect(view.backlog).toBe(0);
    expect(view.storedEntries).toBeNull();
    expect(view.unowned).toBe(0);
  });

  it("falls back to the first consumer when there is no live one, and to none when there are none", () => {
    const body = singleNodeBody();
    const detail = (body.dependencies as Record<string, { detail: Record<string, unknown> }>).eventLog.detail;
    detail.checkpoints = { lake: [1, 2, 3] };
    expect(eventLogView(parsed(body))!.consumer).toBe('lake');
    expect(eventLogView(parsed(body))!.backlog).toBe(120_355);
    detail.checkpoints = {};
    const none = eventLogView(parsed(body))!;
    expect(none.consumer).toBeNull();
    expect(none.partitions.map((r) => r.backlog)).toEqual([null, null, null]);
    expect(none.backlog).toBeNull();
  });

  it('is null when the detail is not that of a partitioned log', () => {
    const body = singleNodeBody();
    (body.dependencies as Record<string, { detail: unknown }>).eventLog.detail = { length: 3, pending: 0, undelivered: 0, consumers: [] };
    expect(eventLogView(parsed(body))).toBeNull();
  });
});

describe('redisMemory and formatBytes', () => {
  it('reads used and maximum memory; a maxmemory of 0 means no limit', () => {
    expect(redisMemory(parsed(singleNodeBody()))).toEqual({ usedBytes: 3 * 1024 * 1024, maxBytes: 12 * 1024 * 1024 });
    const body = singleNodeBody();
    (body.dependencies as Record<string, { detail: unknown }>).redis.detail = { usedMemoryBytes: 10, maxMemoryBytes: 0 };
    expect(redisMemory(parsed(body))).toEqual({ usedBytes: 10, maxBytes: null });
  });

  it('is null in embedded mode, which has no Redis', () => {
    const body = singleNodeBody();
    delete (body.dependencies as Record<string, unknown>).redis;
    expect(redisMemory(parsed(body))).toBeNull();
  });

  it('formats binary multiples', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(91_981_584)).toBe('87.7 MiB');
    expect(formatBytes(300 * 1024 * 1024)).toBe('300 MiB');
    expect(formatBytes(2 * 1024 ** 4 * 1024)).toBe('2048 TiB');
  });
});

describe('readableFetchError', () => {
  it("turns each browser's network failure into one sentence and keeps any other message", () => {
    for (const raw of ['Failed to fetch', 'NetworkError when attempting to fetch resource.', 'Load failed']) {
      expect(readableFetchError(raw)).toBe('the server cannot be reached');
    }
    expect(readableFetchError('the health check answered 502 Bad Gateway without JSON')).toBe('the health check answered 502 Bad Gateway without JSON');
  });
});
