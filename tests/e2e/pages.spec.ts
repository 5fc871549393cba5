import { expect, test, type Page } from '@playwright/test';
import { E2E_ADMIN_KEY } from '../../playwright.config';
import { formatPercent } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { collectErrors, screenshotPath, startExtraServer, stopServer, valueOf, isoAgo, lastHourOfTraffic, liveSnapshot, openLive, post, signIn, uid, type WireEvent } from './support';

/**
 * The live overview (/) against the real server (the wall's tests are in wall.spec.ts). Tests share one
 * server and run in order, so each reads the numbers on screen first and asserts on deltas,
 * with users, sessions and amounts of its own.
 */


test('before any event, the overview explains how to send some instead of showing zeros', async ({ page }) => {
  // a server of its own: the shared one has seen other tests' events
  const fresh = await startExtraServer({});
  try {
    await signIn(page.request, fresh.url);
    await openLive(page, `${fresh.url}/`);
    const empty = page.getByTestId('empty-state');
    await expect(empty).toBeVisible();
    await expect(empty).toContainText('npm run simulate');
    await expect(empty).toContainText('/api/events');
    await expect(page.getByTestId('revenue-today')).toHaveCount(0);
    await expect(page).toHaveTitle(/Live overview/);
  } finally {
    await stopServer(fresh.child);
  }
});

test('the overview shows posted events as exact changes in every headline number', async ({ page, request }) => {
  const errors = collectErrors(page);
  await openLive(page, '/');
  await expect(page.getByTestId('durability-note')).toContainText('Embedded mode: live state is kept in memory only');
  const hasEvents = (await liveSnapshot(request)).newestReceivedAt !== null;
  // With no events yet the headline numbers are not on screen: read them as zero.
  const before = async (testId: string, attribute?: string) => (hasEvents ? valueOf(page, testId, attribute) : 0);
  const revenueToday = await before('revenue-today');
  const revenueLast60 = await before('revenue-last-60');
  const orders = await before('orders-last-hour');
  const activeUsers = await before('active-users');
  const sessions = await before('conversion', 'data-sessions');
  const sessionsWithPurchase = await before('conversion', 'data-sessions-with-purchase');
  const cartsDecided = await before('cart-abandonment', 'data-decided');
  const cartsAbandoned = await before('cart-abandonment', 'data-abandoned');
  const cartsPurchased = await before('cart-abandonment', 'data-purchased');
  const accepted = await valueOf(page, 'events-accepted');

  const browser = uid('user');
  const buyer = uid('user');
  const browsingSession = uid('session');
  const buyingSession = uid('session');
  await post(request, [
    { timestamp: isoAgo(3_000), user_id: browser, session_id: browsingSession, event_type: 'page_view', properties: { page: '/shoes' } },
    { timestamp: isoAgo(3_000), user_id: buyer, session_id: buyingSession, event_type: 'page_view', properties: { page: '/mugs' } },
    {
      timestamp: isoAgo(2_000),
      user_id: buyer,
      session_id: buyingSession,
      event_type: 'add_to_cart',
      properties: { product_id: 'prod_mug', quantity: 1, price: 12.34 },
    },
    {
      timestamp: isoAgo(1_000),
      user_id: buyer,
      session_id: buyingSession,
      event_type: 'purchase',
      properties: { amount: 12.34, currency: 'EUR' },
    },
  ]);

  await expect(page.getByTestId('revenue-today')).toHaveAttribute('data-value', String(revenueToday + 1234));
  await expect(page.getByTestId('revenue-today')).toHaveText(formatMoney(revenueToday + 1234, 'EUR'));
  await expect(page.getByTestId('revenue-last-60')).toHaveAttribute('data-value', String(revenueLast60 + 1234));
  await expect(page.getByTestId('orders-last-hour')).toHaveAttribute('data-value', String(orders + 1));
  await expect(page.getByTestId('active-users')).toHaveAttribute('data-value', String(activeUsers + 2));
  await expect(page.getByTestId('events-accepted')).toHaveAttribute('data-value', String(accepted + 4));

  await expect(page.getByTestId('conversion')).toHaveAttribute('data-sessions', String(sessions + 2));
  await expect(page.getByTestId('conversion')).toHaveText(
    formatPercent((sessionsWithPurchase + 1) / (sessions + 2)),
  );

  // a cart followed by a purchase is decided at once: purchased
  const decided = cartsDecided + 1;
  await expect(page.getByTestId('cart-abandonment')).toHaveAttribute('data-decided', String(decided));
  await expect(page.getByTestId('cart-abandonment')).toHaveAttribute('data-purchased', String(cartsPurchased + 1));
  await expect(page.getByTestId('cart-abandonment')).toHaveText(
    decided < 20 ? `Not enough data: ${decided} of 20 decided carts` : formatPercent(cartsAbandoned / decided),
  );
  await expect(page.getByTestId('freshness')).toHaveText(/^Updated (just now|\d+ s ago)/);
  expect(errors).toEqual([]);
});

test('a purchase above 1000 raises a high-value alert in the overview feed', async ({ page, request }) => {
  await openLive(page, '/');
  const buyer = uid('bigspender');
  const eventId = uid('evt');
  await post(request, [
    { event_id: eventId, timestamp: isoAgo(500), user_id: buyer, event_type: 'purchase', properties: { amount: 1500, currency: 'EUR' } },
  ]);

  const alert = page.getByTestId('alert-feed').getByTestId('alert-item').filter({ hasText: buyer });
  await expect(alert).toHaveCount(1);
  await expect(alert).toHaveAttribute('data-kind', 'high_value');
  await expect(alert).toHaveAttribute('data-severity', 'warning');
  await expect(alert.getByTestId('alert-amount')).toHaveText(formatMoney(150_000, 'EUR'));
  await expect(alert.getByTestId('alert-event')).toHaveText(eventId);
  // newest first
  await expect(page.getByTestId('alert-item').first()).toContainText(buyer);
});

test('a purchase that takes stock to the threshold lists the product as low stock and alerts', async ({ page, request }) => {
  const threshold = (await liveSnapshot(request)).inventory.lowStockThreshold;
  const product = uid('prod');
  const stock = await request.post('/api/inventory', {
    headers: { authorization: `Bearer ${E2E_ADMIN_KEY}` },
    data: { items: [{ product_id: product, stock: threshold + 2 }] },
  });
  expect(stock.ok(), await stock.text()).toBe(true);

  await openLive(page, '/');
  await post(request, [
    {
      timestamp: isoAgo(500),
      user_id: uid('user'),
      event_type: 'purchase',
      properties: { amount: 30, items: [{ product_id: product, quantity: 3, price: 10 }] },
    },
  ]);

  const row = page.locator(`[data-testid="low-stock-item"][data-product="${product}"]`);
  await expect(row).toContainText(threshold - 1 > 0 ? String(threshold - 1) : 'out of stock');
  const alert = page.getByTestId('alert-item').filter({ hasText: product });
  await expect(alert).toHaveAttribute('data-kind', 'low_stock');
  await expect(alert).toHaveAttribute('data-severity', 'info');
});

const PRODUCTS = ['prod_earbuds', 'prod_tshirt', 'prod_sneakers', 'prod_mug', 'prod_serum', 'prod_yoga_mat'];
/** An hour of plausible traffic, so the screenshots show charts with shape. */
const lastHour = (): WireEvent[] =>
  lastHourOfTraffic({
    pages: (s) => Array.from({ length: 3 + (s % 4) }, (_, v) => `/p/${v}`),
    cart: (minutesAgo, s) => ({ product_id: PRODUCTS[(minutesAgo + s) % PRODUCTS.length], quantity: 1, price: 39.9 }),
    purchase: (_, minutesAgo, s) => ({ amount: 19.9 + ((minutesAgo * 37 + s * 11) % 240), currency: 'EUR' }),
  });

test('screenshots of the overview with data', async ({ page, request }, testInfo) => {
  const stock = await request.post('/api/inventory', {
    headers: { authorization: `Bearer ${E2E_ADMIN_KEY}` },
    data: { items: [{ product_id: 'prod_espresso', stock: 3 }, { product_id: 'prod_yoga_mat', stock: 0 }, { product_id: 'prod_mug', stock: 240 }] },
  });
  expect(stock.ok()).toBe(true);
  const traffic = lastHour();
  for (let i = 0; i < traffic.length; i += 200) await post(request, traffic.slice(i, i + 200));
  await post(request, [
    { timestamp: isoAgo(20_000), user_id: uid('vip'), event_type: 'purchase', properties: { amount: 2490, currency: 'EUR' } },
  ]);

  await page.setViewportSize({ width: 1440, height: 900 });
  await openLive(page, '/');
  await expect(page.getByTestId('revenue-chart').locator('svg path.recharts-area-area')).toBeVisible();
  await expect(page.getByTestId('alert-item').first()).toBeVisible();
  await page.screenshot({ path: screenshotPath(testInfo, 'overview.png') });
  await page.screenshot({ path: screenshotPath(testInfo, 'overview-full.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: screenshotPath(testInfo, 'overview-dark.png') });
});
