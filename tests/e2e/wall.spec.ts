import { expect, test, type Page, type WebSocketRoute } from '@playwright/test';
import { formatMoney } from '../../lib/money';
import { formatTimeIn, zoneLabel } from '../../lib/shopTime';
import { startServer, type PulseProcess } from '../helpers/processes';
import { awaitFirstAdmin, collectErrors, extraServerEnv, screenshotPath, signIn, valueOf, isoAgo, lastHourOfTraffic, liveSnapshot, openLive, post, uid, type WireEvent } from './support';

/**
 * The wall display (/wall) against the real server. Tests share one server with the other
 * spec files and run in order, so each reads the numbers on screen first and asserts on
 * deltas, with users, sessions and amounts of its own.
 */


/**
 * A Pulse of the test's own, with pages, for a shop configured otherwise than the shared
 * server (currency, time zone) or fresh (counting began at its start). Pages come from the
 * build the shared server uses (PULSE_NEXT_DIST_DIR, inherited).
 */
async function startShop(env: Record<string, string>): Promise<PulseProcess> {
  const server = await startServer({
    // the e2e keys and admin, and a data folder (so a database) of its own: a browser signs in to it
    env: extraServerEnv(env),
    startTimeoutMs: 60_000,
    logLevel: 'info',
  });
  await awaitFirstAdmin(server);
  return server;
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


const SIZES = [
  { width: 390, height: 844, name: 'phone' },
  { width: 1280, height: 720, name: '1280' },
  { width: 1440, height: 900, name: '1440' },
  { width: 1920, height: 1080, name: '1920' },
  { width: 3840, height: 2160, name: '3840' },
] as const;

/** Everything the layout tests assert on, measured in the page. */
interface LayoutReport {
  overflowX: number;
  overflowY: number;
  tiles: {
    tile: string;
    /** the value's text is wider than its element or its box (clipped or scrolled) */
    valueScrolls: boolean;
    /** the value's box (the number) is outside its tile */
    valueOutside: boolean;
    /** text elements of the tile whose box is not inside the tile */
    textOutside: string[];
    /** a foot line wider than its element */
    textScrolls: string[];
    fontPx: number;
  }[];
  /** whether every tile has been sized (useBoxFit ran) */
  fitted: boolean;
  alerts: { shown: number; groups: number; more: string; cutOff: string[]; clipped: string[] } | null;
  header: { scrolls: boolean; outside: string[] };
  alertsTop: number | null;
  firstTileTop: number | null;
}

function layoutReport(page: Page): Promise<LayoutReport> {
  return page.evaluate(() => {
    const inside = (inner: DOMRect, outer: DOMRect) =>
      inner.left >= outer.left - 0.5 && inner.right <= outer.right + 0.5 && inner.top >= outer.top - 0.5 && inner.bottom <= outer.bottom + 0.5;
    const tiles = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="wall-tile"]')).map((tile) => {
      const rect = tile.getBoundingClientRect();
      const value = tile.querySelector<HTMLElement>('.wall-tile-value')!;
      const box = tile.querySelector<HTMLElement>('.wall-tile-box')!;
      const texts = Array.from(tile.querySelectorAll<HTMLElement>('.wall-tile-label, .wall-tile-level, .wall-tile-value, .wall-tile-foot > div'));
      return {
        tile: tile.dataset.tile ?? '?',
        valueScrolls: value.scrollWidth > value.clientWidth || box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight,
        valueOutside: !inside(value.getBoundingClientRect(), box.getBoundingClientRect()) || !inside(value.getBoundingClientRect(), rect),
        textOutside: texts.filter((t) => !inside(t.getBoundingClientRect(), rect)).map((t) => t.textContent ?? ''),
        textScrolls: texts.filter((t) => t.scrollWidth > t.clientWidth + 0.5).map((t) => t.textContent ?? ''),
        fontPx: parseFloat(getComputedStyle(value).fontSize),
      };
    });
    const feed = document.querySelector<HTMLElement>('[data-testid="alert-feed"]');
    const list = feed?.querySelector<HTMLElement>('.wall-alerts-list');
    const cards = Array.from(feed?.querySelectorAll<HTMLElement>('[data-testid="alert-item"]') ?? []);
    const header = document.querySelector<HTMLElement>('.wall-top')!;
    const firstTile = document.querySelector<HTMLElement>('[data-testid="wall-tile"]');
    return {
      overflowX: document.documentElement.scrollWidth - window.innerWidth,
      overflowY: document.documentElement.scrollHeight - window.innerHeight,
      tiles,
      fitted: Array.from(document.querySelectorAll<HTMLElement>('.wall-tile-box')).every((b) => b.dataset.fitPx !== undefined),
      alerts:
        feed && list
          ? {
              shown: cards.length,
              groups: Number(feed.dataset.alertGroups),
              more: feed.querySelector('[data-testid="alerts-more"]')?.textContent?.trim() ?? '',
              cutOff: cards
                .filter((c) => !inside(c.getBoundingClientRect(), list.getBoundingClientRect()))
                .map((c) => `${c.dataset.event}: bottom ${c.getBoundingClientRect().bottom} below ${list.getBoundingClientRect().bottom}`),
              clipped: cards.filter((c) => c.scrollHeight > c.clientHeight + 0.5 || c.scrollWidth > c.clientWidth + 0.5).map((c) => c.dataset.event ?? '?'),
            }
          : null,
      header: {
        scrolls: header.scrollWidth > header.clientWidth,
        outside: Array.from(header.querySelectorAll<HTMLElement>('*'))
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 || e.getBoundingClientRect().left < -0.5)
          .map((e) => e.className || e.tagName),
      },
      alertsTop: feed ? feed.getBoundingClientRect().top : null,
      firstTileTop: firstTile ? firstTile.getBoundingClientRect().top : null,
    };
  });
}

/** Sets the viewport, waits for the numbers to be re-fitted and returns what the page measured. */
async function layoutAt(page: Page, size: { width: number; height: number }): Promise<LayoutReport> {
  await page.setViewportSize({ width: size.width, height: size.height });
  await settleLayout(page);
  await expect.poll(async () => (await layoutReport(page)).fitted).toBe(true);
  return layoutReport(page);
}

function expectFits(report: LayoutReport, size: { width: number; height: number }): void {
  const where = `${size.width}×${size.height}`;
  expect(report.overflowX, `${where}: no horizontal scrolling`).toBeLessThanOrEqual(0);
  if (size.width > 760) expect(report.overflowY, `${where}: the wall fills the screen and never scrolls`).toBeLessThanOrEqual(0);
  expect(report.tiles.length, where).toBe(8);
  for (const t of report.tiles) {
    expect(t.valueScrolls, `${where} ${t.tile}: value fully visible`).toBe(false);
    expect(t.valueOutside, `${where} ${t.tile}: value inside its tile`).toBe(false);
    expect(t.textOutside, `${where} ${t.tile}: texts inside the tile`).toEqual([]);
    expect(t.textScrolls, `${where} ${t.tile}: no text cut off`).toEqual([]);
    expect(t.fontPx, `${where} ${t.tile}: a readable number`).toBeGreaterThanOrEqual(size.width > 760 ? 24 : 18);
  }
  expect(report.header.scrolls, `${where}: header fits`).toBe(false);
  expect(report.header.outside, `${where}: header inside the screen`).toEqual([]);
  if (report.alerts) {
    expect(report.alerts.cutOff, `${where}: no alert card cut off`).toEqual([]);
    expect(report.alerts.clipped, `${where}: no alert text clipped`).toEqual([]);
    const hidden = report.alerts.groups - report.alerts.shown;
    expect(report.alerts.more, where).toBe(hidden > 0 ? `+${hidden} more` : '');
  }
}

/** An hour of plausible traffic, so the sparklines have shape. */
const lastHour = (): WireEvent[] =>
  lastHourOfTraffic({
    pages: () => ['/p/1'],
    cart: () => ({ product_id: 'prod_mug', quantity: 1, price: 39.9 }),
    purchase: (_, minutesAgo, s) => ({ amount: 19.9 + ((minutesAgo * 37 + s * 11) % 240), currency: 'EUR' }),
  });

/** A user's four small purchases in Germany, then a big one from Japan: fraud (score 1.0) and high value at once. */
function fraudulentPurchase(amount: number): { events: WireEvent[]; eventId: string; user: string } {
  const user = uid('fraudster');
  const eventId = uid('evt_fraud');
  const small = [40_000, 30_000, 20_000, 10_000].map((ago) => ({
    timestamp: isoAgo(ago),
    user_id: user,
    event_type: 'purchase',
    properties: { amount: 10, currency: 'EUR', location: { country: 'DE', lat: 52.52, lon: 13.4 } },
  }));
  return {
    user,
    eventId,
    events: [
      ...small,
      { event_id: eventId, timestamp: isoAgo(1_000), user_id: user, event_type: 'purchase', properties: { amount, currency: 'EUR', location: { country: 'JP', lat: 35.68, lon: 139.76 } } },
    ],
  };
}

test('the wall fits every screen from a phone to 4K, six- and seven-figure revenue included', async ({ page, request }, testInfo) => {
  const errors = collectErrors(page);
  await post(request, lastHour());
  const fraud = fraudulentPurchase(1_234_567.89);
  await post(request, fraud.events);
  // a currency without a rate on the shared server: kept apart
  await post(request, [{ timestamp: isoAgo(2_000), user_id: uid('tourist'), event_type: 'purchase', properties: { amount: 45_000, currency: 'JPY' } }]);
  await openLive(page, '/');
  await page.getByRole('link', { name: 'Wall' }).click();
  await expect(page).toHaveURL(/\/wall$/);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'live');
  await expect.poll(async () => valueOf(page, 'revenue-today')).toBeGreaterThanOrEqual(123_456_789);
  await expect(page.getByTestId('revenue-unconverted')).toContainText('JP¥');

  for (const size of SIZES) {
    const report = await layoutAt(page, size);
    expectFits(report, size);
    if (size.width <= 760) {
      expect(report.alertsTop!, 'on a phone the alerts come before the tiles').toBeLessThan(report.firstTileTop!);
    }
    await page.screenshot({ path: screenshotPath(testInfo, `wall-${size.name}.png`), fullPage: size.width <= 760 });
  }
  expect(errors).toEqual([]);
});

test('one purchase that trips fraud and high value shows as one card', async ({ page, request }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await openLive(page, '/wall');
  const { events, eventId, user } = fraudulentPurchase(1_500);
  await post(request, events);
  const card = page.locator(`[data-testid="alert-item"][data-event="${eventId}"]`);
  await expect(card).toHaveCount(1);
  await expect(card).toHaveAttribute('data-kinds', 'fraud high_value');
  await expect(card).toHaveAttribute('data-severity', 'critical');
  await expect(card).toHaveAttribute('data-alerts', '2');
  await expect(card).toContainText(/Possible fraud/);
  await expect(card).toContainText(/High-value order/);
  await expect(card.getByTestId('alert-amount')).toHaveText(formatMoney(150_000, 'EUR'));
  await expect(card).toContainText(user);
  // most severe first: a critical card leads the column
  await expect(page.getByTestId('alert-item').first()).toHaveAttribute('data-severity', 'critical');
});

test('many alerts: only the cards that fit whole, then "+N more", at every landscape size', async ({ page, request }, testInfo) => {
  const bigSpenders: WireEvent[] = Array.from({ length: 22 }, (_, i) => ({
    event_id: uid('evt_big'),
    timestamp: isoAgo(3_000 - i * 100),
    user_id: uid('bigspender'),
    event_type: 'purchase',
    properties: { amount: 1_500 + i, currency: 'EUR' },
  }));
  await post(request, bigSpenders);
  await openLive(page, '/wall');
  await expect.poll(async () => Number(await page.getByTestId('alert-feed').getAttribute('data-alert-groups'))).toBeGreaterThanOrEqual(20);

  for (const size of SIZES.filter((s) => s.width > 760)) {
    const report = await layoutAt(page, size);
    expectFits(report, size);
    const alerts = report.alerts!;
    expect(alerts.shown, `${size.width}: at least one card`).toBeGreaterThan(0);
    expect(alerts.shown, `${size.width}: not all 20 fit`).toBeLessThan(alerts.groups);
    expect(alerts.more).toBe(`+${alerts.groups - alerts.shown} more`);
    await page.screenshot({ path: screenshotPath(testInfo, `wall-many-alerts-${size.name}.png`) });
  }
  // on a phone the column is capped too
  const phone = await layoutAt(page, SIZES[0]);
  expectFits(phone, SIZES[0]);
  expect(phone.alerts!.shown).toBeLessThan(phone.alerts!.groups);
  await page.screenshot({ path: screenshotPath(testInfo, 'wall-many-alerts-phone.png'), fullPage: true });
});

test('a yen shop in Tokyo: money in yen, times in Tokyo time, a foreign purchase converted, counting since the start', async ({ page, request }, testInfo) => {
  const tokyo = await startShop({ SHOP_CURRENCY: 'JPY', SHOP_TIMEZONE: 'Asia/Tokyo', CURRENCY_RATES: 'EUR=163' });
  try {
    const base = tokyo.url;
    await post(
      request,
      [
        { timestamp: isoAgo(5_000), user_id: uid('buyer'), event_type: 'purchase', properties: { amount: 12_345_678, currency: 'JPY' } },
        { event_id: uid('evt_eur'), timestamp: isoAgo(3_000), user_id: uid('visitor'), event_type: 'purchase', properties: { amount: 2_000, currency: 'EUR' } },
        { timestamp: isoAgo(2_000), user_id: uid('visitor'), event_type: 'purchase', properties: { amount: 25.5, currency: 'USD' } },
      ],
      base,
    );
    await page.setViewportSize({ width: 1280, height: 720 });
    await signIn(page.request, base);
    await openLive(page, `${base}/wall`);
    const snapshot = await liveSnapshot(request, base);
    expect(snapshot.shop).toMatchObject({ currency: 'JPY', minorUnits: 0, timeZone: 'Asia/Tokyo' });

    // ¥12,345,678 plus €2,000 at 163 yen; the dollars have no rate and are shown apart
    await expect(page.getByTestId('revenue-today')).toHaveText(formatMoney(12_345_678 + 326_000, 'JPY', { whole: true }));
    await expect(page.getByTestId('revenue-unconverted')).toContainText(formatMoney(2_550, 'USD', { whole: true }));

    const zone = zoneLabel('Asia/Tokyo', snapshot.shop.todayStartsAt);
    await expect(page.getByTestId('revenue-today-since')).toHaveText(`since 00:00 ${zone}`);
    await expect(page.getByTestId('wall-clock')).toContainText(zone);

    // the server started a moment ago: every window reaches back before counting began
    const since = snapshot.shop.countingSince!;
    expect(since).not.toBeNull();
    const note = `counting since ${formatTimeIn('Asia/Tokyo', since)} ${zoneLabel('Asia/Tokyo', since)}`;
    await expect(page.locator('[data-tile="revenue-today"]').getByTestId('counting-since')).toHaveText(note);
    await expect(page.locator('[data-tile="orders-last-hour"]').getByTestId('counting-since')).toHaveText(note);
    await expect(page.locator('[data-tile="orders-last-hour"]').getByTestId('sparkline')).toHaveAttribute('data-marker', /^\d+$/);
    // no previous hour yet: no trend at all, rather than a made-up 0 %
    await expect(page.getByTestId('tile-trend')).toHaveCount(0);

    // the euro purchase's card: its own amount and the yen it was worth
    const card = page.getByTestId('alert-item').filter({ has: page.locator('[data-testid="alert-amount"][data-currency="EUR"]') });
    await expect(card.getByTestId('alert-amount')).toHaveText(formatMoney(200_000, 'EUR'));
    await expect(card.getByTestId('alert-converted')).toHaveText(`≈ ${formatMoney(326_000, 'JPY')}`);
    await expect(card.getByTestId('alert-time')).toContainText(zoneLabel('Asia/Tokyo', Date.now()));

    for (const size of [SIZES[1], SIZES[4]]) {
      expectFits(await layoutAt(page, size), size);
      await page.screenshot({ path: screenshotPath(testInfo, `wall-tokyo-${size.name}.png`) });
    }
  } finally {
    await tokyo.stop();
  }
});

test('a tile outside its band says so in a word and a reason, not only in colour', async ({ page, request }, testInfo) => {
  const shop = await startShop({});
  try {
    const base = shop.url;
    // 150 sessions in the last hour, one purchase: 0.7 % conversion, below the 1 % band
    const events: WireEvent[] = [];
    for (let i = 0; i < 150; i++) {
      events.push({ timestamp: isoAgo(50 * 60_000 - i * 10_000), user_id: uid('browser'), session_id: uid('session'), event_type: 'page_view', properties: { page: '/' } });
    }
    // 24 carts left 40-45 minutes ago and never bought: decided as abandoned
    for (let i = 0; i < 24; i++) {
      events.push({
        timestamp: isoAgo(45 * 60_000 - i * 10_000),
        user_id: uid('cart'),
        session_id: uid('session'),
        event_type: 'add_to_cart',
        properties: { product_id: 'prod_mug', quantity: 1, price: 12 },
      });
    }
    events.push({ timestamp: isoAgo(60_000), user_id: uid('buyer'), session_id: uid('session'), event_type: 'purchase', properties: { amount: 30, currency: 'EUR' } });
    await post(request, events, base);

    await page.setViewportSize({ width: 1920, height: 1080 });
    await signIn(page.request, base);
    await openLive(page, `${base}/wall`);
    const conversion = page.locator('[data-tile="conversion"]');
    await expect(conversion).toHaveAttribute('data-level', 'bad');
    await expect(conversion.getByTestId('tile-level')).toHaveText('✕ Bad');
    await expect(conversion.getByTestId('tile-reason')).toContainText(/of sessions bought, below 1%/);

    const abandonment = page.locator('[data-tile="cart-abandonment"]');
    await expect(abandonment).toHaveAttribute('data-level', 'bad');
    await expect(abandonment.getByTestId('tile-level')).toHaveText('✕ Bad');
    await expect(abandonment.getByTestId('tile-reason')).toContainText(/of decided carts abandoned, above 85%/);

    // tiles without a judgement carry no badge at all
    await expect(page.locator('[data-tile="active-users"]').getByTestId('tile-level')).toHaveCount(0);
    expectFits(await layoutAt(page, SIZES[3]), SIZES[3]);
    await page.screenshot({ path: screenshotPath(testInfo, 'wall-bad-tiles-1920.png') });
  } finally {
    await shop.stop();
  }
});
