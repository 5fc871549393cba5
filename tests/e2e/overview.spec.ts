import { expect, test, type Locator, type Page } from '@playwright/test';
import { sessionHref, userHref } from '../../components/entity/links';
import { formatMoney } from '../../lib/money';
import { formatTimeIn, zoneLabel } from '../../lib/shopTime';
import { collectErrors, screenshotPath, startExtraServer, stopServer, valueOf, type ExtraServer, isoAgo, lastHourOfTraffic, liveSnapshot, openLive, post, signIn, uid, type WireEvent } from './support';

/**
 * The live overview (/) and the id pages (/users/[id], /sessions/[id]) against real servers:
 * layout from a phone to a 4K TV, the honest "counting since" of a fresh store, ids that link to
 * their pages whatever they spell, and a shop whose purchases come in several currencies.
 * Tests that need a fresh store or other shop settings start a Pulse of their own (startExtraServer).
 */


/** Lets resize observers (the charts, the fitted numbers) catch up with a viewport change. */
async function settleLayout(page: Page): Promise<void> {
  for (let i = 0; i < 4; i++) await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
}

const PRODUCTS = [
  { id: 'prod_earbuds', price: 79.9 },
  { id: 'prod_tshirt', price: 24.5 },
  { id: 'prod_sneakers', price: 119 },
  { id: 'prod_mug', price: 12.34 },
  { id: 'prod_serum', price: 38 },
  { id: 'prod_yoga_mat', price: 45 },
];
const COUNTRIES = [
  { country: 'DE', lat: 52.52, lon: 13.4 },
  { country: 'FR', lat: 48.86, lon: 2.35 },
  { country: 'NL', lat: 52.37, lon: 4.9 },
  { country: 'AT', lat: 48.21, lon: 16.37 },
  { country: 'IT', lat: 41.9, lon: 12.5 },
];

/** The last 50 minutes of a shop: sessions that browse, some that cart, fewer that buy. */
const lastHour = (): WireEvent[] =>
  lastHourOfTraffic({
    pages: (s) => Array.from({ length: 3 + (s % 4) }, (_, v) => `/p/${v}`),
    cart: (minutesAgo, s) => {
      const product = PRODUCTS[(minutesAgo + s) % PRODUCTS.length];
      return { product_id: product.id, quantity: 1 + ((minutesAgo + s) % 3), price: product.price };
    },
    purchase: (line, minutesAgo, s) => ({
      amount: Math.round(line.price * line.quantity * 100) / 100,
      currency: 'EUR',
      items: [line],
      location: COUNTRIES[(minutesAgo + s) % COUNTRIES.length],
    }),
  });

/**
 * Purchases big enough for seven-figure revenue today, and one that trips both the fraud and the
 * high-value rule: four small purchases in Germany, then a large one from the US minutes later
 * (velocity + amount + location).
 */
function bigSpenders(): { events: WireEvent[]; fraudster: string } {
  const events: WireEvent[] = [];
  for (let i = 0; i < 5; i++) {
    events.push({
      timestamp: isoAgo(30_000 + i * 60_000),
      user_id: uid('wholesale_buyer_with_a_rather_long_account_identifier'),
      event_type: 'purchase',
      properties: { amount: 249_999.99, currency: 'EUR', items: [{ product_id: 'prod_sneakers', quantity: 2_100, price: 119.05 }], location: COUNTRIES[0] },
    });
  }
  const fraudster = uid('fraudster');
  for (let i = 0; i < 4; i++) {
    events.push({
      timestamp: isoAgo(240_000 - i * 30_000),
      user_id: fraudster,
      event_type: 'purchase',
      properties: { amount: 10, currency: 'EUR', items: [{ product_id: 'prod_mug', quantity: 1, price: 10 }], location: COUNTRIES[0] },
    });
  }
  events.push({
    event_id: uid('evt_fraud'),
    timestamp: isoAgo(20_000),
    user_id: fraudster,
    event_type: 'purchase',
    properties: { amount: 4_800, currency: 'EUR', items: [{ product_id: 'prod_earbuds', quantity: 60, price: 80 }], location: { country: 'US', lat: 40.71, lon: -74.0 } },
  });
  return { events, fraudster };
}

/** Elements whose content is wider than their box (cut off, or spilling out), and ellipsed numbers. */
async function clippedFigures(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const describe = (el: Element) => `${el.getAttribute('data-testid') ?? el.className}: "${(el.textContent ?? '').slice(0, 60)}"`;
    for (const el of document.querySelectorAll<HTMLElement>('.stat-value, .top-primary, .funnel-count, .alert-facts dd')) {
      if (el.scrollWidth > el.clientWidth) problems.push(`clipped ${describe(el)} (${el.scrollWidth} > ${el.clientWidth})`);
      if (getComputedStyle(el).textOverflow === 'ellipsis') problems.push(`ellipsis on ${describe(el)}`);
    }
    for (const el of document.querySelectorAll<HTMLElement>('.stat, .panel, .alert-item, .app-header')) {
      if (el.scrollWidth > el.clientWidth + 1) problems.push(`overflowing ${describe(el)} (${el.scrollWidth} > ${el.clientWidth})`);
    }
    return problems;
  });
}

test.describe('on a fresh store with a busy hour', () => {
  let server: ExtraServer;
  let fraudster = '';

  test.beforeAll(async ({ request }) => {
    server = await startExtraServer({});
    await post(request, lastHour(), server.url);
    const big = bigSpenders();
    fraudster = big.fraudster;
    await post(request, big.events, server.url);
  });
  test.afterAll(async () => {
    if (server) await stopServer(server.child);
  });
  // the server has a database of its own: the shared server's session means nothing there
  test.beforeEach(async ({ page }) => {
    await signIn(page.request, server.url);
  });

  for (const size of [
    { width: 390, height: 844 },
    { width: 1440, height: 900 },
    { width: 1920, height: 1080 },
    { width: 3840, height: 2160 },
  ]) {
    test(`at ${size.width}×${size.height} nothing scrolls sideways and no figure is cut off`, async ({ page }, testInfo) => {
      const errors = collectErrors(page);
      await page.setViewportSize(size);
      await openLive(page, `${server.url}/`);
      await expect(page.getByTestId('revenue-chart').locator('svg path.recharts-area-area')).toBeVisible();
      // seven figures before the decimal point: the longest figure a tile must hold
      expect(await valueOf(page, 'revenue-today')).toBeGreaterThanOrEqual(100_000_000);
      await expect(page.getByTestId('alert-item').filter({ hasText: fraudster })).toHaveAttribute('data-kind', 'fraud high_value');
      await settleLayout(page);

      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, 'horizontal overflow in px').toBeLessThanOrEqual(0);
      expect(await clippedFigures(page)).toEqual([]);

      if (size.width < 760) {
        // on a phone the alerts come right after the headline tiles, before the long charts
        const feedTop = (await page.getByTestId('alert-feed').boundingBox())!.y;
        const chartTop = (await page.getByTestId('revenue-chart').boundingBox())!.y;
        expect(feedTop).toBeLessThan(chartTop);
        const header = await page.locator('.app-header').boundingBox();
        expect(header!.x + header!.width).toBeLessThanOrEqual(size.width);
      }
      await page.screenshot({ path: screenshotPath(testInfo, `overview-${size.width}.png`) });
      await page.screenshot({ path: screenshotPath(testInfo, `overview-${size.width}-full.png`), fullPage: true });
      expect(errors).toEqual([]);
    });
  }

  test('panels whose window began before counting say so, and the charts mark the moment', async ({ page, request }) => {
    const snapshot = await liveSnapshot(request, server.url);
    const since = snapshot.shop.countingSince;
    expect(since, 'a fresh store knows when it began counting').not.toBeNull();
    const text = `counting since ${formatTimeIn(snapshot.shop.timeZone, since!)}`;

    await page.setViewportSize({ width: 1440, height: 900 });
    await openLive(page, `${server.url}/`);
    for (const panel of ['funnel-panel', 'top-products', 'top-countries', 'revenue-chart', 'orders-chart']) {
      await expect(page.getByTestId(panel).getByTestId('counting-since'), panel).toHaveText(text);
    }
    // the tiles over the last 60 minutes and today
    const tiles = page.getByTestId('kpi-row');
    for (const tile of ['Revenue today', 'Revenue, last 60 min', 'Orders, last 60 min', 'Conversion, last 60 min', 'Cart abandonment, last 60 min']) {
      await expect(tiles.locator('.stat').filter({ hasText: tile }).getByTestId('counting-since'), tile).toHaveText(text);
    }
    // no trend against a previous hour nobody counted
    await expect(tiles.getByTestId('trend')).toHaveCount(0);
    // the marker line on each minute chart, labelled
    for (const chart of ['revenue-chart', 'orders-chart', 'active-users-chart']) {
      await expect(page.getByTestId(chart).locator('.recharts-reference-line line'), chart).toHaveCount(1);
      await expect(page.getByTestId(chart).locator('svg text').filter({ hasText: text }), chart).toHaveCount(1);
    }
  });

  test('one purchase that tripped two rules is one card, its user one click from their page', async ({ page }) => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await openLive(page, `${server.url}/`);
    const card = page.getByTestId('alert-item').filter({ hasText: fraudster });
    await expect(card).toHaveCount(1);
    await expect(card).toHaveAttribute('data-alerts', '2');
    await expect(card).toHaveAttribute('data-severity', 'critical');
    await expect(card.getByTestId('alert-amount')).toHaveText(formatMoney(480_000, 'EUR'));
    // the shop's own currency: no converted figure beside it
    await expect(card.getByTestId('alert-shop-amount')).toHaveCount(0);
    await card.getByTestId('user-link').click();
    await expect(page).toHaveURL(`${server.url}${userHref(fraudster)}`);
    await expect(page.getByTestId('entity-id')).toHaveText(fraudster);
    await expect(page.getByTestId('user-purchases')).toHaveAttribute('data-value', '5');
    await expect(page.getByTestId('user-lifetime-value')).toHaveText(formatMoney(484_000, 'EUR'));
    await expect(page.getByTestId('user-last-location')).toContainText('US');
  });
});

/** Ids a client may send: they must reach their pages and come back spelled exactly as sent. */
const HOSTILE_IDS = ['__proto__', 'constructor', 'a/b', 'ü%20x', '50% off?&x=1#top', '../../etc/passwd', ' spaced  out '];

test('user and session ids link to their pages, whatever they spell', async ({ page, request }) => {
  test.setTimeout(240_000);
  const errors = collectErrors(page);
  const tag = uid('t');
  for (const raw of HOSTILE_IDS) {
    const user = `${raw}${tag}`;
    const session = `${raw}s${tag}`;
    await post(request, [
      { timestamp: isoAgo(4_000), user_id: user, session_id: session, event_type: 'page_view', properties: { page: '/a' } },
      { timestamp: isoAgo(3_000), user_id: user, session_id: session, event_type: 'page_view', properties: { page: '/b' } },
      { timestamp: isoAgo(2_000), user_id: user, session_id: session, event_type: '__proto__', properties: {} },
      { timestamp: isoAgo(1_000), user_id: user, session_id: session, event_type: 'purchase', properties: { amount: 1_234.5, currency: 'EUR' } },
    ]);
  }

  await page.setViewportSize({ width: 1440, height: 900 });
  await openLive(page, '/');
  for (const raw of HOSTILE_IDS) {
    const user = `${raw}${tag}`;
    const session = `${raw}s${tag}`;
    // the overview's alert card → the user's page
    await page.goto('/');
    const card = page.getByTestId('alert-item').filter({ has: page.locator(`[data-testid="user-link"][data-user-id="${cssString(user)}"]`) });
    await expect(card, user).toHaveCount(1);
    await card.getByTestId('user-link').click();
    await expect(page).toHaveURL(new RegExp(`${escapeRegExp(userHref(user))}$`));
    await expectExactText(page.getByTestId('entity-id'), user);
    await expect(page.getByTestId('user-total-events')).toHaveAttribute('data-value', '4');
    await expect(page.getByTestId('user-lifetime-value')).toHaveText(formatMoney(123_450, 'EUR'));
    // an event type spelled like an object's prototype, counted under its own name
    await expect(page.locator('[data-testid="user-event-type"][data-type="__proto__"]')).toHaveAttribute('data-value', '1');

    // the user's recent events → the session's page → back to the user
    const recent = page.getByTestId('recent-event');
    await expect(recent).toHaveCount(4);
    await expect(recent.first()).toHaveAttribute('data-type', 'purchase');
    await recent.first().getByTestId('session-link').click();
    await expect(page).toHaveURL(new RegExp(`${escapeRegExp(sessionHref(session))}$`));
    await expectExactText(page.getByTestId('entity-id'), session);
    await expect(page.getByTestId('session-page-views')).toHaveAttribute('data-value', '2');
    await expect(page.getByTestId('session-purchased')).toHaveAttribute('data-purchased', 'true');
    await page.getByTestId('session-user').click();
    await expectExactText(page.getByTestId('entity-id'), user);

    // and typed into the address bar, the same page
    await page.goto(userHref(user));
    await expectExactText(page.getByTestId('entity-id'), user);
    await expect(page.getByTestId('user-total-events')).toHaveAttribute('data-value', '4');
  }
  expect(errors).toEqual([]);
});

test('the user and session pages fit a phone and a laptop', async ({ page, request }, testInfo) => {
  const errors = collectErrors(page);
  const user = uid('regular_customer');
  const session = uid('session');
  const events: WireEvent[] = [];
  for (let i = 0; i < 12; i++) {
    events.push({ timestamp: isoAgo(600_000 - i * 20_000), user_id: user, session_id: session, event_type: 'page_view', properties: { page: `/catalogue/shoes/running/${i}?colour=blue&size=43` } });
  }
  events.push({ timestamp: isoAgo(300_000), user_id: user, session_id: session, event_type: 'add_to_cart', properties: { product_id: 'prod_sneakers', quantity: 1, price: 119 } });
  events.push({
    timestamp: isoAgo(240_000),
    user_id: user,
    session_id: session,
    event_type: 'purchase',
    properties: { amount: 119, currency: 'EUR', items: [{ product_id: 'prod_sneakers', quantity: 1, price: 119 }], location: COUNTRIES[1] },
  });
  await post(request, events);
  for (const size of [
    { width: 390, height: 844 },
    { width: 1440, height: 900 },
  ]) {
    await page.setViewportSize(size);
    for (const [name, href, details] of [
      ['user', userHref(user), 'user-details'],
      ['session', sessionHref(session), 'session-details'],
    ] as const) {
      await page.goto(href);
      await expect(page.getByTestId(details)).toBeVisible();
      await settleLayout(page);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), `${name} at ${size.width}`).toBeLessThanOrEqual(0);
      expect(await clippedFigures(page)).toEqual([]);
      await page.screenshot({ path: screenshotPath(testInfo, `${name}-${size.width}.png`), fullPage: true });
    }
  }
  await expect(page.getByTestId('session-page-views')).toHaveAttribute('data-value', '12');
  await expect(page.getByTestId('session-purchased')).toHaveText('Yes');
  expect(errors).toEqual([]);
});

test('a page for an id nothing was sent for says so, and fills in when the first event arrives', async ({ page, request }) => {
  const user = uid('newcomer');
  await page.goto(userHref(user));
  await expect(page.getByTestId('entity-not-found')).toContainText('No events seen for this user yet');
  await expect(page.getByTestId('entity-id')).toHaveText(user);
  await page.goto(sessionHref(`${user}_session`));
  await expect(page.getByTestId('entity-not-found')).toContainText('No events seen for this session yet');

  await page.goto(userHref(user));
  await post(request, [{ timestamp: isoAgo(500), user_id: user, event_type: 'page_view', properties: { page: '/' } }]);
  await expect(page.getByTestId('user-total-events')).toHaveAttribute('data-value', '1', { timeout: 15_000 });
  await expect(page.getByTestId('entity-not-found')).toHaveCount(0);
});

test('an id longer than any id can be is shown whole, with a readable refusal', async ({ page }) => {
  const errors = collectErrors(page, /status of 400/);
  const long = `${'ü'.repeat(1_000)}${'x/'.repeat(500)}`;
  expect(long).toHaveLength(2_000);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(userHref(long));
  await expectExactText(page.getByTestId('entity-id'), long);
  await expect(page.getByTestId('entity-refused')).toContainText('No user can have this id');
  await expect(page.getByTestId('entity-refused')).toContainText('256 characters');
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  expect(errors).toEqual([]);
});

test('the overview of a shop selling in several currencies adds only what it can convert', async ({ page, request }, testInfo) => {
  const timeZone = 'America/New_York';
  const server = await startExtraServer({ SHOP_CURRENCY: 'EUR', CURRENCY_RATES: 'USD=0.9', SHOP_TIMEZONE: timeZone });
  try {
    const americanBuyer = uid('us_buyer');
    await post(
      request,
      [
        { timestamp: isoAgo(5_000), user_id: uid('eu_buyer'), event_type: 'purchase', properties: { amount: 40, currency: 'EUR' } },
        { timestamp: isoAgo(4_000), user_id: americanBuyer, event_type: 'purchase', properties: { amount: 2_000, currency: 'USD' } },
        { timestamp: isoAgo(3_000), user_id: uid('jp_buyer'), event_type: 'purchase', properties: { amount: 1_200, currency: 'JPY' } },
      ],
      server.url,
    );
    await page.setViewportSize({ width: 1440, height: 900 });
    await signIn(page.request, server.url);
    await openLive(page, `${server.url}/`);
    // €40 + $2,000 × 0.9; the yen have no rate and stay out of the total
    await expect(page.getByTestId('revenue-today')).toHaveAttribute('data-value', String(4_000 + 180_000));
    await expect(page.getByTestId('revenue-today')).toHaveText(formatMoney(184_000, 'EUR'));
    const yen = page.getByTestId('kpi-row').locator('.stat').filter({ hasText: 'Revenue today' }).getByTestId('unconverted');
    await expect(yen).toHaveText(`+ ${formatMoney(1_200, 'JPY')} in JPY, no exchange rate set`);
    await expect(page.getByTestId('orders-last-hour')).toHaveAttribute('data-value', '3');

    // the alert shows the purchase as made, and what it is worth to the shop
    const card = page.getByTestId('alert-item').filter({ hasText: americanBuyer });
    await expect(card.getByTestId('alert-amount')).toHaveText(formatMoney(200_000, 'USD'));
    await expect(card.getByTestId('alert-shop-amount')).toHaveText(`≈ ${formatMoney(180_000, 'EUR')}`);

    // days and times are the shop's
    const snapshot = await liveSnapshot(request, server.url);
    await expect(page.getByTestId('revenue-today-since')).toHaveText(`since 00:00 ${zoneLabel(timeZone, snapshot.computedAt)}`);
    await expect(page.getByTestId('shop-settings')).toHaveText(`EUR · ${zoneLabel(timeZone, snapshot.computedAt)}`);
    await page.screenshot({ path: screenshotPath(testInfo, 'overview-currencies.png') });
  } finally {
    await stopServer(server.child);
  }
});

/** toHaveText normalises whitespace; an id must come back exactly as sent. */
async function expectExactText(locator: Locator, text: string): Promise<void> {
  await expect.poll(() => locator.textContent()).toBe(text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A value for a CSS attribute selector in double quotes. */
function cssString(text: string): string {
  return text.replace(/["\\]/g, '\\$&');
}
