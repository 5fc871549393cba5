import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { addDays, localDateOf, startOfDate } from '../../components/history/range';
import { historyResultSchema } from '../../lib/history';
import { convertMinor, formatMoney, parseCurrencyRates, toMinor } from '../../lib/money';
import { E2E_LAKE_FLUSH_MS } from '../../playwright.config';
import { adminKeyHeaders, collectErrors, post, signIn, startExtraServer, stopServer, uid, type ExtraServer, type WireEvent } from './support';

/**
 * The /history page against a real Pulse with a lake of its own: purchases, page views and carts
 * posted with yesterday's and today's times (late events are accepted) in three currencies — the
 * shop's EUR, USD with a rate, JPY without one — then read back through the page at a phone, a
 * laptop, a desktop and a 4K TV: totals, presets, CSV, cancel, readable errors and the layout.
 */

const TIME_ZONE = 'America/New_York';
const RATES = 'USD=0.92';
const SHOTS = 'test-results-history';

let server: ExtraServer;
let base = '';
/** what the page must show: EUR minor units, purchase counts, per local day */
const expected = { yesterdayMinor: 0, todayMinor: 0, yesterdayOrders: 0, todayOrders: 0, jpyMinor: 0 };
let today = '';

/** One session that views two pages, adds to its cart and buys (when `amount` is given). */
function session(at: number, purchase: { amount: number; currency: string; country: string } | null): WireEvent[] {
  const user_id = uid('history_shopper');
  const session_id = uid('history_session');
  const iso = (ms: number) => new Date(ms).toISOString();
  const events: WireEvent[] = [
    { timestamp: iso(at), user_id, session_id, event_type: 'page_view', properties: { page: '/' } },
    { timestamp: iso(at + 2_000), user_id, session_id, event_type: 'page_view', properties: { page: '/p/1', product_id: 'prod_history_mug' } },
    { timestamp: iso(at + 4_000), user_id, session_id, event_type: 'add_to_cart', properties: { product_id: 'prod_history_mug', quantity: 1, price: 12 } },
  ];
  if (purchase) {
    events.push({
      timestamp: iso(at + 6_000),
      user_id,
      session_id,
      event_type: 'purchase',
      properties: { amount: purchase.amount, currency: purchase.currency, items: [{ product_id: 'prod_history_mug', quantity: 1, price: purchase.amount }], location: { country: purchase.country } },
    });
  }
  return events;
}

async function noHorizontalScroll(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth, 'the page does not scroll sideways').toBeLessThanOrEqual(innerWidth);
}

async function openHistory(page: Page, query: string): Promise<void> {
  await page.goto(`${base}/history${query}`);
  await expect(page.getByTestId('section-revenue').getByTestId('query-status').first()).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  server = await startExtraServer({
    PULSE_DATA_DIR: mkdtempSync(join(tmpdir(), 'pulse-e2e-history-')),
    LAKE_FLUSH_INTERVAL_MS: String(E2E_LAKE_FLUSH_MS),
    SHOP_TIMEZONE: TIME_ZONE,
    SHOP_CURRENCY: 'EUR',
    CURRENCY_RATES: RATES,
  });
  base = server.url;
  const now = Date.now();
  today = localDateOf(TIME_ZONE, now);
  const todayStart = startOfDate(TIME_ZONE, today);
  const yesterdayStart = startOfDate(TIME_ZONE, addDays(today, -1));
  const rates = parseCurrencyRates(RATES, 'EUR');
  // today's events in the minutes just before now, but never before local midnight
  const todayAt = (minutesAgo: number) => Math.max(todayStart + 60_000, now - minutesAgo * 60_000);
  const yesterdayAt = (hour: number) => yesterdayStart + hour * 3_600_000;
  const purchases: { at: number; day: 'yesterday' | 'today'; amount: number; currency: string; country: string }[] = [
    // six-figure money so big numbers must fit
    // just after yesterday's midnight: today compared with yesterday up to the same time always has
    // something to compare with, whatever the time of day the test runs at
    { at: yesterdayAt(0) + 30_000, day: 'yesterday', amount: 7.5, currency: 'EUR', country: 'FR' },
    { at: yesterdayAt(9), day: 'yesterday', amount: 123_456.78, currency: 'EUR', country: 'DE' },
    { at: yesterdayAt(13), day: 'yesterday', amount: 19.99, currency: 'EUR', country: 'FR' },
    { at: yesterdayAt(15), day: 'yesterday', amount: 250, currency: 'USD', country: 'US' },
    { at: yesterdayAt(18), day: 'yesterday', amount: 120_000, currency: 'JPY', country: 'JP' },
    { at: todayAt(4), day: 'today', amount: 42.5, currency: 'EUR', country: 'DE' },
    { at: todayAt(3), day: 'today', amount: 99.95, currency: 'USD', country: 'US' },
    { at: todayAt(2), day: 'today', amount: 5_000, currency: 'JPY', country: 'JP' },
  ];
  const events: WireEvent[] = [];
  for (const p of purchases) {
    events.push(...session(p.at, p));
    const minor = toMinor(p.amount, p.currency);
    const eur = convertMinor(minor, p.currency, 'EUR', rates);
    if (eur === null) expected.jpyMinor += minor;
    else if (p.day === 'yesterday') expected.yesterdayMinor += eur;
    else expected.todayMinor += eur;
    if (p.day === 'yesterday') expected.yesterdayOrders++;
    else expected.todayOrders++;
  }
  // carts that are never bought (abandoned yesterday) and sessions that only browse
  for (let i = 0; i < 3; i++) events.push(...session(yesterdayAt(10 + i), null));
  await post(request, events, base);

  // the lake writer flushes every 2 s: wait until the history API sees every purchase
  await expect
    .poll(
      async () => {
        const res = await request.get(`${base}/api/history/revenue?from=${addDays(today, -1)}&to=${addDays(today, 1)}&granularity=day`, { headers: adminKeyHeaders });
        if (!res.ok()) return `HTTP ${res.status()}`;
        const result = historyResultSchema.parse(await res.json());
        const ordersAt = result.columns.findIndex((c) => c.name === 'orders');
        return result.rows.reduce((n, r) => n + Number(r[ordersAt] ?? 0), 0);
      },
      { timeout: 60_000, intervals: [500, 1_000] },
    )
    .toBe(purchases.length);
});

test.afterAll(async () => {
  if (server) await stopServer(server.child);
});

// the server has a database of its own: every test's browser signs in to it as the admin
test.beforeEach(async ({ page }) => {
  await signIn(page.request, base);
});

const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
  { width: 3840, height: 2160 },
];

for (const viewport of VIEWPORTS) {
  test(`totals and layout at ${viewport.width}×${viewport.height}`, async ({ page }) => {
    const errors = collectErrors(page);
    await page.setViewportSize(viewport);
    // yesterday and today: every purchase posted
    await openHistory(page, `?from=${addDays(today, -1)}&to=${addDays(today, 1)}`);
    const kpiRevenue = page.getByTestId('kpi-revenue');
    await expect(kpiRevenue).toHaveAttribute('data-value', String(expected.yesterdayMinor + expected.todayMinor));
    await expect(kpiRevenue).toHaveText(formatMoney(expected.yesterdayMinor + expected.todayMinor, 'EUR'));
    await expect(page.getByTestId('kpi-orders')).toHaveAttribute('data-value', String(expected.yesterdayOrders + expected.todayOrders));
    // JPY has no rate: kept apart, in its own currency, no decimals
    const jpy = page.getByTestId('unconverted-row').filter({ has: page.locator('[title="JPY"]') });
    await expect(jpy).toHaveAttribute('data-value', String(expected.jpyMinor));
    await expect(jpy).toContainText(formatMoney(expected.jpyMinor, 'JPY'));
    // a two-day range is hourly by default, in the shop's zone
    await expect(page.getByTestId('range-label')).toHaveAttribute('data-granularity', 'hour');
    await expect(page.getByTestId('range-label')).toContainText(/GMT-[45]/);
    // every section finished its query
    for (const id of ['section-funnel', 'section-carts', 'section-events', 'section-top-products', 'section-top-countries', 'section-fraud']) {
      await expect(page.getByTestId(id).getByTestId('query-status').first()).toHaveAttribute('data-state', 'done');
    }
    await expect(page.getByTestId('section-top-countries').getByTestId('ranked-row').first()).toHaveAttribute('data-id', 'DE');
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await noHorizontalScroll(page);
    // the 4K screen is the 1920 layout scaled up, not a strip in the middle
    if (viewport.width >= 3000) {
      const box = await page.getByTestId('section-revenue').boundingBox();
      expect(box!.width).toBeGreaterThan(viewport.width * 0.9);
    }
    await page.screenshot({ path: `${SHOTS}/history-${viewport.width}.png`, fullPage: true });
    await page.screenshot({ path: `${SHOTS}/history-${viewport.width}-top.png` });
    expect(errors).toEqual([]);
  });
}

test('presets switch the range and the URL keeps it', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await openHistory(page, '?preset=7d');
  const kpi = page.getByTestId('kpi-revenue');
  await expect(kpi).toHaveAttribute('data-value', String(expected.yesterdayMinor + expected.todayMinor));
  await expect(page.getByTestId('range-label')).toHaveAttribute('data-granularity', 'day');

  await page.getByTestId('preset-yesterday').click();
  await expect(page).toHaveURL(/preset=yesterday/);
  await expect(kpi).toHaveAttribute('data-value', String(expected.yesterdayMinor));
  await expect(page.getByTestId('kpi-orders')).toHaveAttribute('data-value', String(expected.yesterdayOrders));
  await expect(page.getByTestId('range-label')).toHaveAttribute('data-from', String(startOfDate(TIME_ZONE, addDays(today, -1))));
  await expect(page.getByTestId('range-label')).toHaveAttribute('data-granularity', 'hour');

  await page.getByTestId('preset-today').click();
  await expect(page).toHaveURL(/preset=today/);
  await expect(kpi).toHaveAttribute('data-value', String(expected.todayMinor));
  // Back returns to the range before
  await page.goBack();
  await expect(page.getByTestId('preset-yesterday')).toHaveAttribute('aria-pressed', 'true');
  await expect(kpi).toHaveAttribute('data-value', String(expected.yesterdayMinor));
  await page.goForward();
  await expect(page.getByTestId('preset-today')).toHaveAttribute('aria-pressed', 'true');
  // today is compared with yesterday up to the same time: the previous period's query ran too
  await expect(page.getByTestId('section-revenue').getByTestId('query-status')).toHaveCount(2);

  // without the comparison there is one query and no change under the totals
  await page.getByTestId('compare-toggle').uncheck();
  await expect(page).toHaveURL(/compare=0/);
  await expect(page.getByTestId('section-revenue').getByTestId('query-status')).toHaveCount(1);
  await expect(page.getByTestId('history-kpis').getByTestId('trend')).toHaveCount(0);
  await page.getByTestId('compare-toggle').check();
  await expect(page.getByTestId('history-kpis').getByTestId('trend').first()).toBeVisible();

  await page.getByTestId('granularity-day').click();
  await expect(page).toHaveURL(/g=day/);
  await page.reload();
  await expect(page.getByTestId('preset-today')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('granularity-day')).toHaveAttribute('aria-pressed', 'true');
  await expect(kpi).toHaveAttribute('data-value', String(expected.todayMinor));

  // a range the inputs cannot mean is refused in words, and nothing changes
  await page.getByTestId('custom-from').fill(today);
  await page.getByTestId('custom-to').fill(addDays(today, -3));
  await page.getByTestId('custom-apply').click();
  await expect(page.getByTestId('custom-error')).toHaveText('The last day comes before the first one.');
  await expect(page).toHaveURL(/preset=today/);
  // a proper one lands in the URL
  await page.getByTestId('custom-from').fill(addDays(today, -1));
  await page.getByTestId('custom-to').fill(addDays(today, -1));
  await page.getByTestId('custom-apply').click();
  await expect(page).toHaveURL(new RegExp(`from=${addDays(today, -1)}&to=${today}`));
  await expect(kpi).toHaveAttribute('data-value', String(expected.yesterdayMinor));
});

test('the CSV link downloads the table with the columns as its header row', async ({ page }) => {
  await openHistory(page, '?preset=7d');
  const link = page.getByTestId('section-revenue').getByTestId('csv-link');
  const href = await link.getAttribute('href');
  expect(href).toContain('format=csv');
  const json = historyResultSchema.parse(await (await page.request.get(`${base}${href!.replace(/&format=csv/, '')}`)).json());
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const csv = readFileSync((await download.path())!, 'utf8');
  const [header, ...lines] = csv.trimEnd().split('\r\n');
  expect(header).toBe(json.columns.map((c) => c.name).join(','));
  expect(lines.length).toBe(json.rows.length);
  const revenueAt = json.columns.findIndex((c) => c.name === 'revenue_minor');
  const sum = lines.reduce((s, line) => s + Number(line.split(',')[revenueAt] || 0), 0);
  expect(sum).toBe(expected.yesterdayMinor + expected.todayMinor);
});

test('a running query shows its time and can be cancelled', async ({ page }) => {
  let released = false;
  // hold the top products query so it is still running when Cancel is pressed
  await page.route('**/api/history/top_products?*', async (route) => {
    for (let i = 0; i < 100 && !released; i++) await new Promise((r) => setTimeout(r, 100));
    await route.continue().catch(() => {});
  });
  const aborted = page.waitForEvent('requestfailed', (r) => r.url().includes('/api/history/top_products'));
  await page.goto(`${base}/history?preset=yesterday`);
  const section = page.getByTestId('section-top-products');
  const status = section.getByTestId('query-status');
  await expect(status).toHaveAttribute('data-state', 'running');
  await expect(status).toContainText(/Running… \d+\.\d s/);
  await section.scrollIntoViewIfNeeded();
  await section.screenshot({ path: `${SHOTS}/history-running.png` });
  await section.getByTestId('query-cancel').click();
  await aborted;
  await expect(status).toHaveAttribute('data-state', 'cancelled');
  await expect(section).toContainText('The query was cancelled.');
  // the others were not touched
  await expect(page.getByTestId('section-revenue').getByTestId('query-status').first()).toHaveAttribute('data-state', 'done');
  released = true;
  await page.unroute('**/api/history/top_products?*');
  await section.getByTestId('query-retry').click();
  await expect(status).toHaveAttribute('data-state', 'done');
  await expect(section.getByTestId('ranked-row').first()).toHaveAttribute('data-id', 'prod_history_mug');
});

test('failures are said in words: an unreachable server, a refused query', async ({ page }) => {
  await page.route('**/api/history/funnel?*', (route) => route.abort('connectionrefused'));
  await page.route('**/api/history/top_countries?*', (route) =>
    route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: { code: 'bad_request', message: 'to: may be at most 1 day in the future' } }) }),
  );
  await openHistory(page, '?preset=7d');
  const funnel = page.getByTestId('section-funnel').getByTestId('query-error');
  await expect(funnel).toHaveText('The server cannot be reached.');
  await expect(page.getByTestId('section-top-countries').getByTestId('query-error')).toHaveText('The server refused this query: to: may be at most 1 day in the future');
  await expect(page.locator('body')).not.toContainText('Failed to fetch');
});

test('an empty lake says how history fills', async ({ page }) => {
  const empty = await startExtraServer({ PULSE_DATA_DIR: mkdtempSync(join(tmpdir(), 'pulse-e2e-history-empty-')), LAKE_FLUSH_INTERVAL_MS: String(E2E_LAKE_FLUSH_MS) });
  try {
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page.request, empty.url);
    await page.goto(`${empty.url}/history`);
    const state = page.getByTestId('history-empty');
    await expect(state).toBeVisible({ timeout: 30_000 });
    await expect(state).toContainText('npm run lake:backfill -- --days 30');
    await expect(state).toContainText('within about 2 s');
    await noHorizontalScroll(page);
    await page.screenshot({ path: `${SHOTS}/history-empty-390.png` });
  } finally {
    await stopServer(empty.child);
  }
});

test('the overview links to the last 7 days', async ({ page }) => {
  await page.goto(`${base}/`);
  await page.getByTestId('history-link').click();
  await expect(page).toHaveURL(/\/history\?preset=7d$/);
  await expect(page.getByTestId('preset-7d')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('link', { name: 'History' })).toHaveAttribute('aria-current', 'page');
});
