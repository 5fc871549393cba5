import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY } from '../helpers/keys';
import { freePort, startPulseProcess, type PulseProcess } from '../helpers/processes';
import { iso } from '../helpers/pulse';
import { until } from '../helpers/wait';

/**
 * Health must say "down" whenever ingest would fail. A Redis out of memory (maxmemory with
 * noeviction) still answers PING while every write fails: run a Redis of our own with a tiny
 * limit (the shared one is used by tests running in parallel), fill it, and compare what health
 * says with what ingest does.
 */
let redisServer: ChildProcess;
let redis: Redis;
let pulse: PulseProcess;
let url = '';

beforeAll(async () => {
  const port = await freePort();
  redisServer = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory', '64mb', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  redisServer.once('error', (err) => {
    throw new Error(`this test runs its own redis-server (Debian package redis-server): ${err.message}`);
  });
  url = `redis://127.0.0.1:${port}`;
  redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {}); // refused until the server is up; the wait below says if it never is
  await until(async () => (await redis.ping().catch(() => null)) === 'PONG', { timeoutMs: 10_000 });
  pulse = await startPulseProcess({ REDIS_URL: url, PULSE_ROLE: 'all' });
}, 60_000);

afterAll(async () => {
  await pulse?.stop();
  redis?.disconnect();
  redisServer?.kill('SIGKILL');
});

const post = () =>
  fetch(`${pulse.url}/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ timestamp: iso(Date.now()), user_id: 'u', event_type: 'page_view' }),
  });

describe('Redis out of memory', () => {
  it('health is ok while ingest works, and says down, naming the cause, once every write fails', async () => {
    expect((await fetch(`${pulse.url}/api/health`)).status).toBe(200);
    expect((await post()).status).toBe(202);

    // an out-of-memory episode: more stored than the limit now allows, so every write is refused
    // with OOM while PING still answers
    await redis.set('filler', 'x'.repeat(2 * 1024 * 1024));
    await redis.config('SET', 'maxmemory', String(1024 * 1024));
    await expect(redis.set('probe', '1')).rejects.toThrow(/OOM/);
    expect(await redis.ping()).toBe('PONG');
    const ingest = await post();
    expect(ingest.status).toBe(503);

    const health = await fetch(`${pulse.url}/api/health`);
    expect(health.status).toBe(503);
    const body = await health.json();
    expect(body.status).toBe('degraded');
    expect(body.dependencies.redis).toMatchObject({ status: 'down', error: expect.stringMatching(/writes fail, so ingest would fail: OOM/) });

    // and it recovers when memory is freed
    await redis.config('SET', 'maxmemory', String(64 * 1024 * 1024));
    await until(async () => (await fetch(`${pulse.url}/api/health`)).status === 200, { timeoutMs: 10_000 });
    expect((await post()).status).toBe(202);
  }, 60_000);
});
