import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type APIRequestContext, type ConsoleMessage, type Page } from '@playwright/test';
import { E2E_ADMIN_KEY, E2E_INGEST_KEY } from '../../playwright.config';
import type { LiveSnapshot } from '../../lib/live';

/**
 * public/tracker.js in a real browser, on a shop page served from another origin, against the
 * real server. Tests share one server and run in order, so each asserts on deltas of the live
 * snapshot, with users of its own.
 */

interface PulseApi {
  loaded: boolean;
  track(type: string, properties?: Record<string, unknown>): string;
  page(properties?: Record<string, unknown>): string;
  identify(userId: string): void;
  flush(): Promise<void>;
}
interface StoredEntry {
  e: { event_id: string; event_type: string; user_id: string; properties?: Record<string, unknown> };
  b?: number;
}
declare global {
  interface Window {
    pulse: PulseApi;
  }
}

const run = Date.now().toString(36);
let seq = 0;
const uid = (prefix: string) => `${prefix}_${run}_${++seq}`;

// A shopper's browser is not signed in to Pulse: the tracker gets in with the publishable key
// alone (ingest stays open to the shops' origins), and the counts below are read with the secret key.
test.use({ storageState: { cookies: [], origins: [] } });

// The shop: another origin (its own port) that embeds the tracker with the documented snippet.
let pulseOrigin = '';
let shop: Server;
let shopOrigin = '';

function shopPage(params: URLSearchParams): string {
  const attrs = [
    `src="${pulseOrigin}/tracker.js"`,
    `data-pulse-key="${params.get('key') ?? E2E_INGEST_KEY}"`,
    `data-pulse-endpoint="${pulseOrigin}"`,
    params.has('auto') ? 'data-pulse-auto-pageview' : '',
    params.has('flush') ? `data-pulse-flush-interval="${params.get('flush')}"` : '',
  ];
  // calls made before the tracker has loaded go through the stub's queue
  const early = params.has('user')
    ? `pulse.identify(${JSON.stringify(params.get('user'))}); pulse.track('add_to_cart', { product_id: 'prod_e2e_early', quantity: 1, price: 5 });`
    : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>E2E shop</title>
<script>
!function(w){var p=w.pulse=w.pulse||{q:[]};["track","page","identify","reset","flush"].forEach(function(m){p[m]=p[m]||function(){p.q.push([m].concat([].slice.call(arguments)))}})}(window);
${early}
</script>
<script async ${attrs.join(' ')}></script>
</head><body><h1>E2E shop</h1></body></html>`;
}

test.beforeAll(async () => {
  shop = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://shop');
    const html = url.pathname === '/' ? shopPage(url.searchParams) : '<!doctype html><title>elsewhere</title><p>no tracker here</p>';
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(html);
  });
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  shopOrigin = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  shop.closeAllConnections();
  await new Promise((resolve) => shop.close(resolve));
});

test.beforeEach(({ baseURL }) => {
  pulseOrigin = new URL(baseURL!).origin;
  expect(shopOrigin).not.toBe(pulseOrigin);
});

interface Counts {
  accepted: number;
  duplicates: number;
  rejected: number;
  pageViews: number;
  carts: number;
  purchases: number;
  revenueMinor: number;
}

async function counts(request: APIRequestContext): Promise<Counts> {
  const res = await request.get('/api/metrics/live', { headers: { authorization: `Bearer ${E2E_ADMIN_KEY}` } });
  expect(res.status(), await res.text()).toBe(200);
  const s = (await res.json()) as LiveSnapshot;
  return {
    accepted: s.pipeline.acceptedTotal,
    duplicates: s.pipeline.duplicatesTotal,
    rejected: s.pipeline.rejectedTotal,
    pageViews: s.eventsByType.page_view ?? 0,
    carts: s.eventsByType.add_to_cart ?? 0,
    purchases: s.eventsByType.purchase ?? 0,
    revenueMinor: s.revenue.todayMinor,
  };
}

const delta = async (request: APIRequestContext, before: Counts): Promise<Counts> => {
  const now = await counts(request);
  return Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - before[k as keyof Counts]])) as unknown as Counts;
};

async function openShop(page: Page, query = ''): Promise<void> {
  await page.goto(`${shopOrigin}/?${query}`);
  await page.waitForFunction(() => window.pulse?.loaded === true);
}

const storedQueue = (page: Page): Promise<StoredEntry[]> =>
  page.evaluate(() => JSON.parse(localStorage.getItem('pulse:queue') ?? '[]') as StoredEntry[]);

test('delivers events from a shop on another origin, including calls queued before load', async ({ page, request }) => {
  const before = await counts(request);
  const user = uid('tracker_buyer');
  await openShop(page, `auto&user=${encodeURIComponent(user)}`);

  const ids = await page.evaluate(async () => {
    const ids = [
      window.pulse.track('add_to_cart', { product_id: 'prod_e2e', quantity: 2, price: 10.25 }),
      window.pulse.track('purchase', {
        amount: 20.5,
        currency: 'EUR',
        items: [{ product_id: 'prod_e2e', quantity: 2, price: 10.25 }],
        location: { country: 'DE', lat: 52.52, lon: 13.405 },
      }),
    ];
    await window.pulse.flush();
    return ids;
  });
  expect(ids.every((id) => typeof id === 'string' && id.length >= 20)).toBe(true);

  // the queued add_to_cart, the automatic page_view, and the two tracked now
  await expect.poll(() => delta(request, before)).toMatchObject({
    accepted: 4,
    duplicates: 0,
    rejected: 0,
    pageViews: 1,
    carts: 2,
    purchases: 1,
    revenueMinor: 2050,
  });
  expect(await storedQueue(page)).toEqual([]);
  const identity = await page.evaluate(() => ({ user: localStorage.getItem('pulse:user'), session: localStorage.getItem('pulse:session') }));
  expect(identity.user).toBe(user);
  expect(JSON.parse(identity.session!).id).toMatch(/^sess_/);
});

test('keeps events in localStorage while offline and delivers them exactly once when back online', async ({ page, context, request }) => {
  await openShop(page, 'flush=300');
  await page.evaluate((user) => window.pulse.identify(user), uid('tracker_offline'));
  const before = await counts(request);

  await context.setOffline(true);
  await page.evaluate(() => {
    for (let i = 0; i < 5; i++) window.pulse.track('add_to_cart', { product_id: `prod_offline_${i}`, quantity: 1, price: 3 });
  });
  await page.waitForTimeout(1_500); // several flush attempts fail meanwhile
  const offlineQueue = await storedQueue(page);
  expect(offlineQueue.map((x) => x.e.event_type)).toEqual(Array(5).fill('add_to_cart'));
  expect((await delta(request, before)).accepted).toBe(0);

  await context.setOffline(false);
  await expect.poll(() => delta(request, before)).toMatchObject({ accepted: 5, carts: 5 });
  await expect.poll(() => storedQueue(page)).toEqual([]);

  // the same events again, as after a lost response (the reload beacons them, then resends them)
  await page.evaluate((q) => localStorage.setItem('pulse:queue', q), JSON.stringify(offlineQueue));
  await page.reload();
  await expect.poll(async () => (await delta(request, before)).duplicates).toBeGreaterThanOrEqual(5);
  await expect.poll(() => storedQueue(page)).toEqual([]);
  await page.waitForTimeout(1_000);
  expect(await delta(request, before)).toMatchObject({ accepted: 5, carts: 5 });
});

test('hands unsent events to sendBeacon when the shopper leaves the page', async ({ page, request }) => {
  // requests sent while a document unloads are not reported to Playwright: record the calls
  // in sessionStorage, which survives the navigation to the next page of the shop
  await page.addInitScript(() => {
    const record = (call: { via: string; url: string; body?: string }) =>
      sessionStorage.setItem('calls', JSON.stringify([...JSON.parse(sessionStorage.getItem('calls') ?? '[]'), call]));
    const sendBeacon = navigator.sendBeacon.bind(navigator);
    navigator.sendBeacon = (url, data) => {
      record({ via: 'beacon', url: String(url), body: typeof data === 'string' ? data : undefined });
      return sendBeacon(url, data);
    };
    const fetch = window.fetch.bind(window);
    window.fetch = (input, init) => {
      record({ via: 'fetch', url: String(input) });
      return fetch(input, init);
    };
  });
  await openShop(page, 'flush=600000'); // no timed flush: only leaving the page sends
  const before = await counts(request);
  await page.evaluate((user) => {
    window.pulse.identify(user);
    for (let i = 0; i < 3; i++) window.pulse.page({ page: `/products/beacon_${i}` });
  }, uid('tracker_beacon'));

  await page.goto(`${shopOrigin}/elsewhere`); // pagehide; this page has no tracker

  await expect.poll(() => delta(request, before)).toMatchObject({ accepted: 3, pageViews: 3 });
  const calls = await page.evaluate(() => JSON.parse(sessionStorage.getItem('calls') ?? '[]') as { via: string; url: string; body?: string }[]);
  expect(calls.map((c) => c.via)).toEqual(['beacon']);
  const url = new URL(calls[0].url);
  expect(url.origin + url.pathname).toBe(`${pulseOrigin}/api/events`);
  expect(url.searchParams.get('key')).toBe(E2E_INGEST_KEY);
  // a string body is sent as text/plain, the only type a beacon may carry cross-origin
  expect((JSON.parse(calls[0].body ?? '{}') as { events: unknown[] }).events).toHaveLength(3);
});

test('resends beaconed events on the next page load without counting them twice', async ({ page, request }) => {
  await openShop(page, 'flush=600000');
  const before = await counts(request);
  await page.evaluate((user) => {
    window.pulse.identify(user);
    window.pulse.track('add_to_cart', { product_id: 'prod_hidden', quantity: 1, price: 7 });
    window.pulse.track('add_to_cart', { product_id: 'prod_hidden_2', quantity: 1, price: 8 });
    // the tab goes to the background
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  }, uid('tracker_hidden'));

  await expect.poll(() => delta(request, before)).toMatchObject({ accepted: 2, carts: 2 });
  // a beacon's answer cannot be read: the events stay stored, marked as in flight
  const stored = await storedQueue(page);
  expect(stored).toHaveLength(2);
  expect(stored.every((x) => typeof x.b === 'number')).toBe(true);

  await page.reload();
  await expect.poll(() => storedQueue(page)).toEqual([]);
  expect(await delta(request, before)).toMatchObject({ accepted: 2, duplicates: 2, carts: 2 });
});

test('retries after a network error and a 429 with the same event ids, honouring Retry-After', async ({ page, request }) => {
  const attempts: { at: number; ids: string[] }[] = [];
  await page.route(`${pulseOrigin}/api/events`, async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    const body = JSON.parse(route.request().postData() ?? '{}') as { events: { event_id: string }[] };
    attempts.push({ at: Date.now(), ids: body.events.map((e) => e.event_id) });
    if (attempts.length === 1) return route.abort('internetdisconnected');
    if (attempts.length === 2) {
      return route.fulfill({
        status: 429,
        headers: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': 'Retry-After', 'Retry-After': '2' },
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'backpressure', message: 'slow down' } }),
      });
    }
    return route.continue();
  });
  await openShop(page, 'flush=600000');
  const before = await counts(request);
  await page.evaluate(async (user) => {
    window.pulse.identify(user);
    for (let i = 0; i < 3; i++) window.pulse.track('add_to_cart', { product_id: `prod_retry_${i}`, quantity: 1, price: 2 });
    await window.pulse.flush();
  }, uid('tracker_retry'));

  await expect.poll(() => delta(request, before), { timeout: 15_000 }).toMatchObject({ accepted: 3, carts: 3, duplicates: 0 });
  expect(attempts).toHaveLength(3);
  expect(attempts[1].ids).toEqual(attempts[0].ids);
  expect(attempts[2].ids).toEqual(attempts[0].ids);
  expect(attempts[2].at - attempts[1].at).toBeGreaterThanOrEqual(2_000);
  await expect.poll(() => storedQueue(page)).toEqual([]);
});

test('drops an event the server rejects, with a console warning, and keeps its neighbours', async ({ page, request }) => {
  const warnings: string[] = [];
  page.on('console', (m: ConsoleMessage) => m.type() === 'warning' && warnings.push(m.text()));
  await openShop(page, 'flush=600000');
  const before = await counts(request);
  await page.evaluate(async (user) => {
    window.pulse.identify(user);
    window.pulse.track('purchase', { currency: 'EUR' }); // no amount
    window.pulse.track('add_to_cart', { product_id: 'prod_ok', quantity: 1, price: 1 });
    await window.pulse.flush();
  }, uid('tracker_reject'));

  await expect.poll(() => delta(request, before)).toMatchObject({ accepted: 1, rejected: 1, carts: 1, purchases: 0 });
  expect(await storedQueue(page)).toEqual([]);
  expect(warnings.join('\n')).toMatch(/\[pulse\] event rejected by the server: properties\.amount/);
});

test('gives up on a refused key instead of retrying forever', async ({ page, request }) => {
  const warnings: string[] = [];
  page.on('console', (m: ConsoleMessage) => m.type() === 'warning' && warnings.push(m.text()));
  const posts: string[] = [];
  page.on('request', (r) => r.method() === 'POST' && r.url().startsWith(`${pulseOrigin}/api/events`) && posts.push(r.url()));
  await openShop(page, 'flush=300&key=not-a-valid-key-000000');
  const before = await counts(request);
  await page.evaluate(() => {
    window.pulse.track('add_to_cart', { product_id: 'prod_refused', quantity: 1, price: 1 });
    window.pulse.track('add_to_cart', { product_id: 'prod_refused', quantity: 1, price: 1 });
  });
  await expect.poll(() => warnings.join('\n')).toMatch(/\[pulse\] HTTP 401: dropping 2 events/);
  await page.evaluate(() => window.pulse.track('add_to_cart', { product_id: 'prod_refused_later', quantity: 1, price: 1 }));
  await page.waitForTimeout(1_500); // five flush intervals
  expect(posts).toHaveLength(1);
  expect((await storedQueue(page)).map((x) => x.e.properties)).toEqual([{ product_id: 'prod_refused_later', quantity: 1, price: 1 }]);
  expect((await delta(request, before)).accepted).toBe(0);
});
