import { expect, test, type APIRequestContext, type Page, type WebSocketRoute } from '@playwright/test';
import { E2E_ADMIN_KEY, E2E_INGEST_KEY } from '../../playwright.config';
import { collectErrors, screenshotPath, valueOf } from './support';

/**
 * The wall display (/wall) against the real server. Tests share one server with the other
 * spec files and run in order, so each reads the numbers on screen first and asserts on
 * deltas, with users, sessions and amounts of its own.
 */

type WireEvent = {
  event_id?: string;
  timestamp: string;
  user_id: string;
  session_id?: string;
  event_type: string;
  properties?: Record<string, unknown>;
};

const run = Date.now().toString(36);
let seq = 0;
const uid = (prefix: string) => `${prefix}_${run}_${++seq}`;
const isoAgo = (ms: number) => new Date(Date.now() - ms).toISOString();

async function post(request: APIRequestContext, events: WireEvent[]): Promise<void> {
  const res = await request.post('/api/events', {
    headers: { authorization: `Bearer ${E2E_INGEST_KEY}` },
    data: { events },
  });
  expect(res.status(), await res.text()).toBe(202);
  const body = (await res.json()) as { accepted: number; rejected: unknown[] };
  expect(body.rejected).toEqual([]);
  expect(body.accepted).toBe(events.length);
}

async function openLive(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'live');
}

/** Lets resize observers catch up with a viewport change. */
async function settleLayout(page: Page): Promise<void> {
  for (let i = 0; i < 3; i++) await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
}

test('the wall shows live numbers and follows new events', async ({ page, request }) => {
  const errors = collectErrors(page);
  // run on its own, this spec may find a server that has seen no event yet
  await post(request, [{ timestamp: isoAgo(1_000), user_id: uid('visitor'), event_type: 'page_view', properties: { page: '/' } }]);
  await page.setViewportSize({ width: 1920, height: 1080 });
  await openLive(page, '/wall');
  await expect(page).toHaveTitle(/Wall/);
  await expect(page.getByTestId('stale-banner')).toHaveCount(0);
  await expect(page.getByTestId('freshness')).toHaveText(/^data \d+ s old$/);
  const revenueToday = await valueOf(page, 'revenue-today');
  const orders = await valueOf(page, 'orders-last-hour');

  const buyer = uid('user');
  await post(request, [{ timestamp: isoAgo(500), user_id: buyer, event_type: 'purchase', properties: { amount: 7.77 } }]);

  await expect(page.getByTestId('revenue-today')).toHaveAttribute('data-value', String(revenueToday + 777));
  await expect(page.getByTestId('orders-last-hour')).toHaveAttribute('data-value', String(orders + 1));

  // The page fills the screen and never scrolls.
  const overflow = await page.evaluate(() => ({
    x: document.documentElement.scrollWidth - window.innerWidth,
    y: document.documentElement.scrollHeight - window.innerHeight,
  }));
  expect(overflow).toEqual({ x: 0, y: 0 });
  expect(errors).toEqual([]);
});

test('the wall turns stale when snapshots stop arriving although the socket stays up', async ({ page }) => {
  let dropSnapshots = false;
  // Sit between the page and the server's socket.io endpoint; while dropping, swallow the
  // `metrics` frames and pass everything else (handshake, pings, alerts) through.
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((message) => {
      if (dropSnapshots && typeof message === 'string' && message.startsWith('42["metrics"')) return;
      ws.send(message);
    });
  });
  await openLive(page, '/wall');
  await expect(page.getByTestId('wall')).toHaveAttribute('data-state', 'fresh');

  dropSnapshots = true;
  const banner = page.getByTestId('stale-banner');
  await expect(banner).toBeVisible({ timeout: 20_000 });
  await expect(banner).toContainText(/stale — last data \d+ s ago/i);
  await expect(page.getByTestId('wall')).toHaveAttribute('data-state', 'stale');
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'live');

  dropSnapshots = false;
  await expect(banner).toHaveCount(0, { timeout: 15_000 });
  await expect(page.getByTestId('wall')).toHaveAttribute('data-state', 'fresh');
});

test('the wall says DISCONNECTED while the server is unreachable, and recovers', async ({ page }, testInfo) => {
  let cut = false;
  const open = new Set<WebSocketRoute>();
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    if (cut) {
      ws.close({ code: 1006, reason: 'unreachable' });
      return;
    }
    open.add(ws);
    ws.onClose(() => open.delete(ws));
    ws.connectToServer();
  });
  // socket.io's long-polling fallback and the HTTP snapshot poll go down with it
  await page.route(/\/(socket\.io\/|api\/metrics\/live)/, (route) => (cut ? route.abort('connectionrefused') : route.continue()));

  await page.setViewportSize({ width: 1920, height: 1080 });
  await openLive(page, '/wall');

  cut = true;
  for (const ws of open) await ws.close({ code: 1006, reason: 'unreachable' });
  const banner = page.getByTestId('stale-banner');
  await expect(banner).toContainText(/disconnected — reconnecting/i, { timeout: 15_000 });
  await expect(page.getByTestId('wall')).toHaveAttribute('data-state', 'disconnected');
  await expect(page.getByTestId('connection-status')).not.toHaveAttribute('data-status', 'live');
  await page.screenshot({ path: screenshotPath(testInfo, 'wall-disconnected.png') });

  cut = false;
  // socket.io retries with backoff of at most 10 s (±50 %)
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'live', { timeout: 30_000 });
  await expect(banner).toHaveCount(0);
});

/** An hour of plausible traffic, so the screenshots show sparklines with shape. */
function lastHourOfTraffic(): WireEvent[] {
  const events: WireEvent[] = [];
  for (let minutesAgo = 50; minutesAgo >= 1; minutesAgo--) {
    const sessions = 6 + Math.round(4 * Math.sin(minutesAgo / 7) + ((minutesAgo * 7) % 5));
    for (let s = 0; s < sessions; s++) {
      const user = uid('shopper');
      const session = uid('session');
      const start = minutesAgo * 60_000 - s * 1_000;
      events.push({ timestamp: isoAgo(start), user_id: user, session_id: session, event_type: 'page_view', properties: { page: '/p/1' } });
      if (s % 2 === 0) {
        events.push({ timestamp: isoAgo(start - 8_000), user_id: user, session_id: session, event_type: 'add_to_cart', properties: { product_id: 'prod_mug', quantity: 1, price: 39.9 } });
        if (s % 4 === 0) {
          const amount = 19.9 + ((minutesAgo * 37 + s * 11) % 240);
          events.push({ timestamp: isoAgo(start - 12_000), user_id: user, session_id: session, event_type: 'purchase', properties: { amount, currency: 'EUR' } });
        }
      }
    }
  }
  return events;
}

test('screenshots of the wall with data', async ({ page, request }, testInfo) => {
  const stock = await request.post('/api/inventory', {
    headers: { authorization: `Bearer ${E2E_ADMIN_KEY}` },
    data: { items: [{ product_id: 'prod_espresso', stock: 3 }] },
  });
  expect(stock.ok()).toBe(true);
  const traffic = lastHourOfTraffic();
  for (let i = 0; i < traffic.length; i += 200) await post(request, traffic.slice(i, i + 200));
  await post(request, [
    { timestamp: isoAgo(20_000), user_id: uid('vip'), event_type: 'purchase', properties: { amount: 2490, currency: 'EUR' } },
  ]);

  await page.setViewportSize({ width: 1920, height: 1080 });
  await openLive(page, '/');
  await page.getByRole('link', { name: 'Wall' }).click();
  await expect(page).toHaveURL(/\/wall$/);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'live');
  await expect(page.getByTestId('alert-item').first()).toBeVisible();
  await page.screenshot({ path: screenshotPath(testInfo, 'wall.png') });
  await page.setViewportSize({ width: 1440, height: 900 });
  await settleLayout(page);
  await page.screenshot({ path: screenshotPath(testInfo, 'wall-laptop.png') });
});
