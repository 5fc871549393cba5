import { spawn } from 'node:child_process';
import { chromium } from '@playwright/test';
import { arg, BENCH_ADMIN_EMAIL, BENCH_ADMIN_KEY, BENCH_ADMIN_PASSWORD, BENCH_KEY, commandLine, fmt, sleep, startProcess } from './bench/common';

/**
 * npm run soak:wall [-- --minutes 5 --rate 200]
 * Leaves /wall open in Chromium against a server under simulated traffic and samples the page's
 * JavaScript heap (after a forced GC) and DOM size every 15 s. A wall display must not grow.
 */
const minutes = Number(arg('minutes', '5'));
const rate = arg('rate', '200');

// the server creates its first admin, as whom the browser signs in (the wall needs a signed-in viewer)
const server = await startProcess('server/main.ts', 3951, {
  PULSE_UI: 'on',
  LIVE_MIN_INTERVAL_MS: '50',
  PULSE_ADMIN_EMAIL: BENCH_ADMIN_EMAIL,
  PULSE_ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD,
});
// fill the last hour first, so charts start at their full size and growth means a leak
for (let m = 60; m >= 1; m--) {
  const ts = new Date(Date.now() - m * 60_000).toISOString();
  const events = Array.from({ length: 20 }, (_, i) => ({
    timestamp: ts,
    user_id: `prefill_${m}_${i % 7}`,
    session_id: `prefill_${m}_${i % 7}`,
    event_type: i % 5 === 0 ? 'purchase' : 'page_view',
    properties: { amount: 20 + i, page: `/p/${i}` },
  }));
  const res = await fetch(`${server.url}/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  if (res.status !== 202) throw new Error(`prefill: POST /api/events answered ${res.status}: ${await res.text()}`);
}
const sim = spawn(process.execPath, ['--import', 'tsx', 'scripts/simulate.ts', '--url', server.url, '--key', BENCH_KEY, '--rate', rate, '--quiet', '--seed-inventory', '--admin-key', BENCH_ADMIN_KEY], { stdio: 'ignore' });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--js-flags=--expose-gc'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  // sign in through the API: page.request shares the page's cookies
  // (the server creates its first admin just after it starts listening: a 401 is retried a while)
  const signIn = () => page.request.post(`${server.url}/api/auth/login`, { data: { email: BENCH_ADMIN_EMAIL, password: BENCH_ADMIN_PASSWORD } });
  let login = await signIn();
  for (const deadline = Date.now() + 30_000; login.status() === 401 && Date.now() < deadline; login = await signIn()) await sleep(250);
  if (login.status() !== 200) throw new Error(`sign-in answered ${login.status()}: ${await login.text()}`);
  await page.goto(`${server.url}/wall`);
  if (new URL(page.url()).pathname !== '/wall') throw new Error(`/wall led to ${page.url()} instead`);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  console.log(`# ${commandLine()}`);
  console.log(`# /wall for ${minutes} min at ${rate} simulated events/s; heap after GC, DOM nodes, JS event listeners`);
  const samples: { at: number; heap: number; nodes: number; listeners: number }[] = [];
  const end = Date.now() + minutes * 60_000;
  for (let i = 0; Date.now() < end || i === 0; i++) {
    await sleep(i === 0 ? 10_000 : 15_000);
    await page.evaluate(() => (globalThis as { gc?: () => void }).gc?.());
    const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
    samples.push({ at: i * 15 + 10, heap: m.JSHeapUsedSize, nodes: m.Nodes, listeners: m.JSEventListeners });
    console.log(`  ${fmt(i * 15 + 10).padStart(4)} s: heap ${fmt(m.JSHeapUsedSize / 1e6, 1)} MB, nodes ${m.Nodes}, listeners ${m.JSEventListeners}`);
  }
  // compare the first and the last third after a minute of warm-up: a leak shows as a rise
  const settled = samples.filter((x) => x.at >= 60);
  const third = Math.max(1, Math.floor(settled.length / 3));
  const avg = (xs: typeof samples, k: 'heap' | 'nodes' | 'listeners') => xs.reduce((sum, x) => sum + x[k], 0) / xs.length;
  const [first, last] = [settled.slice(0, third), settled.slice(-third)];
  if (first.length && last.length) {
    console.log(
      `first → last third after warm-up: heap ${fmt(avg(first, 'heap') / 1e6, 2)} → ${fmt(avg(last, 'heap') / 1e6, 2)} MB, ` +
        `nodes ${fmt(avg(first, 'nodes'))} → ${fmt(avg(last, 'nodes'))}, listeners ${fmt(avg(first, 'listeners'))} → ${fmt(avg(last, 'listeners'))}`,
    );
  }
} finally {
  await browser.close();
  sim.kill('SIGTERM');
  await server.stop();
}
process.exit(0);
