import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { redisKeys } from '@/server/adapters/redis/keys';
import { arg, BENCH_KEY, commandLine, fmt, median, sleep, startProcess } from './common';

/**
 * npm run bench:cpu [-- --runs 3 --seconds 4]
 * CPU per event of each part of the single-node pipeline, measured one part at a time so the
 * parts do not compete for the two cores: the web process and Redis while batched events are
 * ingested (no worker running), then the worker and Redis while it drains that backlog alone.
 */
const runs = Number(arg('runs', '3'));
const seconds = arg('seconds', '4');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TICK_MS = 10; // USER_HZ on Linux: /proc/<pid>/stat counts in 1/100 s

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime + stime
}

async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const seconds = (field: string) => Number(new RegExp(`^${field}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1000;
}

function load(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/loadgen.ts', url, BENCH_KEY, '100', seconds, '8'], { stdio: 'ignore' });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`load generator exited ${code}`))));
  });
}

async function run(redis: Redis) {
  const prefix = `benchcpu:${process.pid}:${Date.now()}:`;
  const env = { REDIS_URL, REDIS_PREFIX: prefix, PULSE_UI: 'off', PIPELINE_MAX_BACKLOG: '10000000', LOG_PARTITIONS: '8' };
  const keys = redisKeys(prefix);
  // the live consumer's backlog: events appended minus its checkpoints, over every partition
  const backlog = async () => {
    const heads = await Promise.all(Array.from({ length: 8 }, (_, p) => redis.get(keys.logHead(p))));
    const cps = await redis.hgetall(keys.checkpoints('live'));
    return heads.reduce((sum, h, p) => sum + Number(h ?? 0) - Number(cps[String(p)] ?? 0), 0);
  };
  // a bundle-free start, as the parts are measured one at a time (the default command runs both)
  const web = await startProcess('server/main.ts', 3961, { ...env, PULSE_ROLE: 'web' });
  try {
    const [w0, r0] = [cpuMs(web.proc.pid!), await redisCpuMs(redis)];
    await load(web.url);
    const [w1, r1] = [cpuMs(web.proc.pid!), await redisCpuMs(redis)];
    const events = Number(await redis.hget(keys.stats, 'accepted'));
    const worker = await startProcess('server/main.ts', 3962, { ...env, PULSE_ROLE: 'worker' });
    try {
      // measure from the first applied batch on, so start-up is not counted
      while (!(await redis.hget(keys.stats, 'processed'))) await sleep(5);
      const [k0, q0, n0] = [cpuMs(worker.proc.pid!), await redisCpuMs(redis), Number(await redis.hget(keys.stats, 'processed'))];
      while ((await backlog()) > 0) await sleep(10);
      const [k1, q1, n1] = [cpuMs(worker.proc.pid!), await redisCpuMs(redis), Number(await redis.hget(keys.stats, 'processed'))];
      const per = (ms: number, n: number) => (ms * 1000) / n;
      return { events, web: per(w1 - w0, events), redisIngest: per(r1 - r0, events), worker: per(k1 - k0, n1 - n0), redisApply: per(q1 - q0, n1 - n0) };
    } finally {
      await worker.stop();
    }
  } finally {
    await web.stop();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  }
}

console.log(`# ${commandLine()}`);
console.log(`# single-node pipeline, batched ingest (100 events/request, ${seconds} s), then a worker draining alone; µs of CPU per event`);
const redis = new Redis(REDIS_URL);
const results: Awaited<ReturnType<typeof run>>[] = [];
for (let i = 0; i < runs; i++) {
  const r = await run(redis);
  results.push(r);
  console.log(`  run ${i + 1}: ${fmt(r.events)} events; web ${fmt(r.web, 1)}, Redis on ingest ${fmt(r.redisIngest, 1)}, worker ${fmt(r.worker, 1)}, Redis on apply ${fmt(r.redisApply, 1)}`);
}
redis.disconnect();
const m = (k: 'web' | 'redisIngest' | 'worker' | 'redisApply') => fmt(median(results.map((r) => r[k])), 1);
console.log(`CPU per event (median): web ${m('web')} µs, Redis on ingest ${m('redisIngest')} µs, worker ${m('worker')} µs, Redis on apply ${m('redisApply')} µs`);
process.exit(0);
