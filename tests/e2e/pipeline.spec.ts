import { writeFileSync } from 'node:fs';
import { expect, test, type APIRequestContext, type Page, type WebSocketRoute } from '@playwright/test';
import { Redis } from 'ioredis';
import type { PulseEvent } from '@/lib/events';
import { encodeEvent, ENTRY_FORMAT } from '@/server/adapters/redis/entryCodec';
import { formatTimeIn, zoneLabel } from '@/lib/shopTime';
import { partitionOf } from '@/server/log/partition';
import { E2E_ADMIN_KEY, E2E_INGEST_KEY } from '../../playwright.config';
import { cleanupPrefix, randomPrefix, REDIS_URL } from '../helpers/redis';
import { collectErrors, screenshotPath, signIn, startExtraServer, stopServer, valueOf, type ExtraServer } from './support';

/**
 * The pipeline page (/pipeline): the last hour as charts, health, live pipeline numbers and the
 * dead letters. Every test's browser is signed in as an admin (the Playwright config's storage
 * state, or signIn() on a server of the test's own): the admin's session is what authorises
 * viewing, replaying and discarding dead letters; there is no key to type into the page.
 *
 * Most tests use the embedded-mode server of the Playwright config. That server validates every
 * event at the door, so nothing posted from outside can become a dead letter; the dead-letter
 * workflow runs against a second, single-node Pulse started here, whose partitioned log in Redis
 * we poison directly.
 */

const run = Date.now().toString(36);
let seq = 0;
const uid = (prefix: string) => `${prefix}_${run}_${++seq}`;
const isoAgo = (ms: number) => new Date(Date.now() - ms).toISOString();

async function postEvents(request: APIRequestContext, baseUrl: string, events: Record<string, unknown>[]): Promise<void> {
  const res = await request.post(`${baseUrl}/api/events`, {
    headers: { authorization: `Bearer ${E2E_INGEST_KEY}` },
    data: { events },
  });
  expect(res.status(), await res.text()).toBe(202);
}

/**
 * What in the page's main part sticks out past the right edge of the window. The shared app
 * header is left out: at 390 px its freshness text is wider than the screen on every page (known,
 * not this page's to fix).
 */
function overflowOfMain(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('main, main *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className} ${el.getAttribute('data-testid') ?? ''}`.trim()),
  );
}

/**
 * Cuts the page off from the server and back, as a server that stops and starts again: its
 * requests fail at the network level and its socket closes (and cannot reconnect) meanwhile.
 * Install before the page loads, so the page's socket goes through it.
 */
async function severable(page: Page) {
  let severed = false;
  const open = new Set<WebSocketRoute>();
  const ALL = /\/(api|socket\.io)\//;
  await page.routeWebSocket(/\/socket\.io\//, async (ws) => {
    // refuse the attempt at once with an application close code
    if (severed) return ws.close({ code: 4000, reason: 'severed by the test' });
    ws.connectToServer();
    open.add(ws);
  });
  return {
    async sever() {
      severed = true;
      await page.route(ALL, (route) => route.abort('connectionrefused'));
      for (const ws of open) await ws.close({ code: 4000, reason: 'severed by the test' }).catch(() => undefined);
      open.clear();
    },
    async restore() {
      severed = false;
      await page.unroute(ALL);
    },
  };
}

/** the browser itself logs the refused requests these tests provoke on purpose */
const REFUSED = /Failed to load resource: the server responded with a status of (401|403|404|422)/;

test.describe('embedded server', () => {
  test('shows health and pipeline numbers that follow posted events', async ({ page, request }, testInfo) => {
    const errors = collectErrors(page, REFUSED);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto('/pipeline');
    await expect(page).toHaveTitle(/Pipeline/);
    await expect(page.getByRole('link', { name: 'Pipeline' })).toHaveAttribute('aria-current', 'page');
    await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'live');

    await expect(page.getByTestId('health-status')).toHaveText('Healthy');
    await expect(page.getByTestId('health-status')).toHaveAttribute('data-status', 'ok');
    await expect(page.getByTestId('health-mode')).toHaveText('embedded');
    await expect(page.getByTestId('health-role')).toHaveText('all');
    await expect(page.getByTestId('health-durable')).toHaveText('In memory');
    const dependencies = page.getByTestId('dependency');
    await expect(dependencies).toHaveCount(2);
    await expect(page.locator('[data-testid="dependency"][data-name="eventLog"]')).toHaveAttribute('data-status', 'ok');
    await expect(page.locator('[data-testid="dependency"][data-name="liveStore"]')).toHaveAttribute('data-status', 'ok');
    // health is polled: the uptime moves on by itself
    const uptime = await valueOf(page, 'health-uptime');
    await expect.poll(() => valueOf(page, 'health-uptime'), { timeout: 10_000 }).toBeGreaterThan(uptime);
    await expect(page.getByTestId('health-checked')).toHaveText(/checked (just now|\d+ s ago)/);
    // the in-process log: every partition owned by this one process, nothing left behind
    const partitions = page.getByTestId('partition');
    await expect(partitions).toHaveCount(8);
    await expect(page.getByTestId('partition-owner').getByText('unowned')).toHaveCount(0);
    await expect(page.getByTestId('log-backlog')).toHaveAttribute('data-value', '0');
    const appended = await valueOf(page, 'log-appended');

    const accepted = await valueOf(page, 'events-accepted');
    const processed = await valueOf(page, 'events-processed');
    const duplicates = await valueOf(page, 'events-duplicates');
    const user = uid('user');
    const eventId = uid('evt');
    const event = { event_id: eventId, timestamp: isoAgo(1_000), user_id: user, event_type: 'page_view', properties: { page: '/a' } };
    await postEvents(request, '', [
      event,
      { timestamp: isoAgo(900), user_id: user, event_type: 'add_to_cart', properties: { product_id: 'p1', quantity: 1, price: 5 } },
      { timestamp: isoAgo(800), user_id: user, event_type: 'purchase', properties: { amount: 5 } },
    ]);
    await postEvents(request, '', [event]);

    await expect(page.getByTestId('events-accepted')).toHaveAttribute('data-value', String(accepted + 3));
    await expect(page.getByTestId('events-processed')).toHaveAttribute('data-value', String(processed + 3));
    await expect(page.getByTestId('events-duplicates')).toHaveAttribute('data-value', String(duplicates + 1));
    await expect(page.getByTestId('dead-letters')).toHaveAttribute('data-value', '0');
    // the duplicate never reaches the log; the three others are applied and checkpointed
    await expect(page.getByTestId('log-appended')).toHaveAttribute('data-value', String(appended + 3));
    await expect(page.getByTestId('log-checkpointed')).toHaveAttribute('data-value', String(appended + 3));
    await expect(page.getByTestId('log-backlog')).toHaveAttribute('data-value', '0');
    await page.screenshot({ path: screenshotPath(testInfo, 'pipeline-embedded.png') });
    expect(errors).toEqual([]);
  });

  test("the admin's session shows that there are no dead letters, with no key to type or keep", async ({ page, context }) => {
    const errors = collectErrors(page);
    // the page asks with the session cookie alone, never with a key of its own
    const asked = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/pipeline/dead-letters', { timeout: 15_000 });
    await page.goto('/pipeline');
    const request = await asked;
    expect(await request.headerValue('authorization')).toBeNull();
    expect(await request.headerValue('cookie')).toContain('pulse_session=');
    await expect(page.getByTestId('dead-letters-empty')).toHaveText('No dead letters — every accepted event was processed');
    await expect(page.getByTestId('dead-letters-locked')).toHaveCount(0);
    await expect(page.getByTestId('admin-key-form')).toHaveCount(0);
    await expect(page.getByLabel('Admin key')).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Forget key' })).toHaveCount(0);
    // nothing secret is kept in the page's storage
    const stored = await page.evaluate(() => [...Object.values({ ...sessionStorage }), ...Object.values({ ...localStorage }), document.cookie].join());
    expect(stored).not.toContain(E2E_ADMIN_KEY);
    // the session cookie is HttpOnly: the page's scripts cannot read it
    expect(stored).not.toContain('pulse_session');

    // another tab of the same browser is signed in as well
    const other = await context.newPage();
    await other.goto('/pipeline');
    await expect(other.getByTestId('dead-letters-empty')).toBeVisible();
    await other.close();
    expect(errors).toEqual([]);
  });

  test('the dead letters are refused to an anonymous browser and to the publishable key', async ({ browser, baseURL }) => {
    const anonymous = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
    try {
      const refused = await anonymous.request.get('/api/pipeline/dead-letters');
      expect(refused.status()).toBe(401);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
      const publishable = await anonymous.request.get('/api/pipeline/dead-letters', { headers: { authorization: `Bearer ${E2E_INGEST_KEY}` } });
      expect(publishable.status()).toBe(403);
      expect(((await publishable.json()) as { error: { code: string } }).error.code).toBe('forbidden');
      // the page itself sends an anonymous browser to sign in, and back here afterwards
      const page = await anonymous.newPage();
      await page.goto('/pipeline');
      await expect(page).toHaveURL(/\/login\?next=%2Fpipeline$/);
    } finally {
      await anonymous.close();
    }
  });

  test("a refusal of the dead letters is said in words, with the server's reason", async ({ page }) => {
    // what a server answers a session whose role was changed meanwhile
    await page.route('**/api/pipeline/dead-letters**', (route) =>
      route.fulfill({
        status: 403,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'forbidden', message: 'your role (viewer) may not do this (dead-letters:manage); it needs admin' } }),
      }),
    );
    const errors = collectErrors(page, REFUSED);
    await page.goto('/pipeline');
    const error = page.getByTestId('dead-letters-error');
    await expect(error).toHaveAttribute('data-code', 'forbidden');
    await expect(error).toContainText('your role (viewer) may not do this (dead-letters:manage); it needs admin');
    await expect(page.getByTestId('dead-letters-empty')).toHaveCount(0);
    await expect(page.getByTestId('dead-letter-table')).toHaveCount(0);
    await expect(page.getByTestId('admin-key-form')).toHaveCount(0);
    expect(errors).toEqual([]);
  });
});

const WIDTHS = [
  { width: 390, height: 844 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
  { width: 3840, height: 2160 },
];

/** the page scrolls sideways when its content is wider than the window */
const horizontalOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** how many drawn lines (SVG paths with a shape) a chart card holds */
const drawnLines = (page: Page, card: string) =>
  page.getByTestId(card).locator('path.recharts-line-curve').evaluateAll((paths) => paths.filter((p) => (p.getAttribute('d') ?? '').length > 10).length);

/** lines plus the points drawn for samples without a neighbour to join */
const drawnMarks = async (page: Page, card: string) => (await drawnLines(page, card)) + (await page.getByTestId(card).locator('circle.history-dot').count());

/** the page at the top (the header is sticky), as a reader first sees it */
async function screenshotTop(page: Page, path: string, fullPage = false): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage });
}

/** the time labels under a chart */
const timeLabels = (page: Page, card: string) => page.getByTestId(card).locator('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value').allTextContents();

/**
 * What a web process that has sampled for `minutes` answers: one sample every 10 s, a morning's
 * traffic with a burst, a lake writer that falls behind and catches up, a lag spike.
 */
function historyBody(opts: { minutes: number }) {
  const intervalMs = 10_000;
  const end = Date.now() - 2_000;
  const count = Math.round((opts.minutes * 60_000) / intervalMs);
  const since = end - count * intervalMs + intervalMs;
  const samples = Array.from({ length: count }, (_, i) => {
    const burst = i > count * 0.55 && i < count * 0.62;
    const accepted = Math.round(820 + 260 * Math.sin(i / 17) + (burst ? 2_400 : 0));
    const lake = Math.round(Math.max(0, 40_000 * Math.sin((i / count) * Math.PI * 3)) + 900);
    return {
      at: since + i * intervalMs,
      acceptedPerSecond: i === 0 ? null : accepted,
      processedPerSecond: i === 0 ? null : accepted - (burst ? 300 : 4),
      backlog: { live: burst ? 12_000 + i : 20 + (i % 7), lake },
      lagMsP50: 9 + (i % 5) + (burst ? 400 : 0),
      lagMsP99: 120 + (i % 13) * 6 + (burst ? 2_600 : 0),
      rejected: i === 0 ? null : i % 40 === 0 ? 3 : 0,
      deadLetters: i > count * 0.7 ? 2 : 0,
    };
  });
  return { intervalMs, since, samples };
}

test.describe('the last hour', () => {
  test('charts the events posted to this server since it started, in the shop time zone', async ({ page, request }, testInfo) => {
    const errors = collectErrors(page, REFUSED);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto('/pipeline');
    // the Playwright server started a moment ago: its history begins within the hour, and says so
    await expect(page.getByTestId('history-since')).toHaveText(/^History since \d\d:\d\d UTC, when this server process started; nothing earlier is kept across a restart \(shaded\)\. One sample every 10 s\.$/);
    await expect(page.getByTestId('history-zone')).toHaveText('times in UTC');
    const backlogLegend = page.getByTestId('history-backlog').getByTestId('history-legend');
    // the log's two consumers: live state, and the lake writer (which buffers for its flush)
    await expect(backlogLegend).toHaveCount(2);
    await expect(backlogLegend.nth(0)).toContainText('Live state');
    await expect(backlogLegend.nth(1)).toContainText('Lake writer');

    // a steady trickle of events until a sample has counted some
    const user = uid('charted');
    const accepted = page.getByTestId('history-throughput').locator('[data-testid="history-legend"][data-line="accepted"]');
    await expect(async () => {
      const now = Date.now();
      await postEvents(
        request,
        '',
        Array.from({ length: 20 }, (_, i) => ({ timestamp: new Date(now - 500 + i).toISOString(), user_id: `${user}_${i % 4}`, event_type: 'page_view', properties: { page: '/p' } })),
      );
      expect(Number(await accepted.getAttribute('data-value'))).toBeGreaterThan(0);
    }).toPass({ timeout: 40_000, intervals: [1_000] });
    await expect(accepted).toContainText(/^Accepted[\d.,]+\/s$/);
    expect(await drawnMarks(page, 'history-throughput')).toBeGreaterThan(0);
    // lag is known only for intervals with processing: drawn as points where those are isolated
    await expect.poll(() => drawnMarks(page, 'history-lag')).toBeGreaterThan(0);
    // the samples the page drew are the server's, and they counted the events as processed too
    const served = (await (await request.get('/api/pipeline/history')).json()) as ReturnType<typeof historyBody>;
    expect(served.samples.some((s) => (s.processedPerSecond ?? 0) > 0 && s.lagMsP50 !== null)).toBe(true);

    for (const size of WIDTHS) {
      await page.setViewportSize(size);
      expect(await horizontalOverflow(page), `sideways scrolling at ${size.width} px`).toBeLessThanOrEqual(0);
      await screenshotTop(page, screenshotPath(testInfo, `pipeline-history-live-${size.width}.png`), size.width === 390);
    }
    expect(errors).toEqual([]);
  });

  test('a full hour with two consumers reads at 390, 1440, 1920 and 3840 px', async ({ page }, testInfo) => {
    const errors = collectErrors(page);
    const body = historyBody({ minutes: 90 });
    await page.route('**/api/pipeline/history', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) }));
    await page.goto('/pipeline');
    // ninety minutes sampled: the whole hour is covered, so no "since"
    await expect(page.getByTestId('history-since')).toHaveText('One sample every 10 s, kept by this server process.');
    for (const card of ['history-throughput', 'history-backlog', 'history-lag']) {
      // an hour of 10-second samples, not the hour and a half the server holds
      await expect(page.getByTestId(card)).toHaveAttribute('data-samples', /^(359|360|361)$/);
    }
    // one line per consumer, the live state first
    const consumers = page.getByTestId('history-backlog').getByTestId('history-legend');
    await expect(consumers).toHaveText([/^Live state[\d,]+$/, /^Lake writer[\d,]+$/]);
    const last = body.samples.at(-1)!;
    await expect(consumers.nth(1)).toHaveAttribute('data-value', String(last.backlog.lake));
    await expect(page.getByTestId('history-lag').getByTestId('history-legend')).toHaveText([/^Median \(p50\)\d+ ms$/, /^Slowest 1 % \(p99\)\d+ ms$/]);

    for (const size of WIDTHS) {
      await page.setViewportSize(size);
      await expect.poll(() => drawnLines(page, 'history-backlog'), { message: `backlog lines at ${size.width} px` }).toBe(2);
      expect(await drawnLines(page, 'history-throughput')).toBe(2);
      expect(await drawnLines(page, 'history-lag')).toBe(2);
      expect(await horizontalOverflow(page), `sideways scrolling at ${size.width} px`).toBeLessThanOrEqual(0);
      // every chart is drawn at a readable size: wider than tall, and not a sliver
      for (const card of ['history-throughput', 'history-backlog', 'history-lag']) {
        const box = (await page.getByTestId(card).locator('svg.recharts-surface').first().boundingBox())!;
        expect(box.width, `${card} width at ${size.width} px`).toBeGreaterThan(300);
        expect(box.height, `${card} height at ${size.width} px`).toBeGreaterThan(150);
      }
      // the axis labels are round ten-minute marks of the clock
      const ticks = await timeLabels(page, 'history-throughput');
      expect(ticks.length, `time labels at ${size.width} px`).toBeGreaterThanOrEqual(3);
      for (const tick of ticks) expect(tick).toMatch(/^\d\d:\d0$/);
      await screenshotTop(page, screenshotPath(testInfo, `pipeline-history-hour-${size.width}.png`), size.width === 390);
    }
    expect(errors).toEqual([]);
  });

  test('after a restart, the charts start where the server began and the page says since when', async ({ page }, testInfo) => {
    const body = historyBody({ minutes: 18 });
    await page.route('**/api/pipeline/history', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) }));
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto('/pipeline');
    const since = new Date(body.since).toISOString().slice(11, 16);
    await expect(page.getByTestId('history-since')).toContainText(`History since ${since} UTC, when this server process started`);
    await expect(page.getByTestId('history-since')).toHaveAttribute('data-since', String(body.since));
    // the time before the start is shaded in every chart, not drawn as zero
    await expect(page.locator('[data-testid="history-panel"] .recharts-reference-area')).toHaveCount(3);
    await screenshotTop(page, screenshotPath(testInfo, 'pipeline-history-after-restart.png'));
  });

  test('a server that stops answering keeps the charts, says since when, and the page recovers by itself', async ({ page }, testInfo) => {
    const errors = collectErrors(page, /Failed to load resource: net::ERR_CONNECTION_REFUSED/);
    await page.setViewportSize({ width: 390, height: 844 });
    const server = await severable(page);
    await page.goto('/pipeline');
    await expect(page.getByTestId('history-throughput')).toBeVisible();
    await expect(page.getByTestId('health-status')).toHaveText('Healthy');
    await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'live');

    // the server goes away: every request of the page fails at the network level
    await server.sever();
    const notice = page.getByTestId('server-unreachable');
    await expect(notice).toContainText('The server cannot be reached.');
    await expect(notice).toContainText(/Data last received at \d\d:\d\d:\d\d UTC \((just now|\d+ s ago)\); what is shown is from then\./);
    await expect(notice).toContainText('This page tries again every 2 s and catches up by itself once the server answers.');
    // what was received stays on screen
    await expect(page.getByTestId('history-throughput')).toBeVisible();
    await expect(page.getByTestId('health-status')).toHaveText('Healthy');
    for (const text of ['Failed to fetch', 'TypeError', 'NetworkError']) await expect(page.locator('body')).not.toContainText(text);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: screenshotPath(testInfo, 'pipeline-unreachable-390.png'), fullPage: true });

    // it comes back: the notice goes without a reload
    await server.restore();
    await expect(notice).toHaveCount(0, { timeout: 15_000 });
    await expect(page.getByTestId('health-failing')).toHaveCount(0);
    await expect(page.getByTestId('history-loading')).toHaveCount(0);
    // and the socket reconnects by itself (socket.io backs off up to 10 s ± 50 % between attempts)
    await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'live', { timeout: 30_000 });
    expect(errors).toEqual([]);
  });
});

test.describe('a Kathmandu shop whose server has no secret keys', () => {
  // UTC+5:45: a zone whose hours do not begin on UTC hours, so a chart labelled in UTC or marked
  // on UTC ten-minute marks would show at once
  const SHOP_TIMEZONE = 'Asia/Kathmandu';
  let server: ExtraServer | null = null;

  test.beforeAll(async () => {
    test.setTimeout(90_000);
    // ADMIN_API_KEYS empty: no secret key for scripts; the admin's session still manages dead letters
    server = await startExtraServer({ ADMIN_API_KEYS: '', SHOP_TIMEZONE });
  });
  test.afterAll(async () => {
    if (server) await stopServer(server.child);
  });
  test.beforeEach(async ({ page }) => {
    await signIn(page.request, server!.url);
  });

  test('the admin manages dead letters without any key configured; a key the server does not know is refused', async ({ page, request }, testInfo) => {
    const errors = collectErrors(page);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${server!.url}/pipeline`);
    await expect(page.getByTestId('dead-letters-empty')).toHaveText('No dead letters — every accepted event was processed');
    await expect(page.getByTestId('admin-actions-off')).toHaveCount(0);
    await expect(page.getByTestId('admin-key-form')).toHaveCount(0);
    await expect(page.getByLabel('Admin key')).toHaveCount(0);
    // the server agrees: the secret key of the shared server means nothing here
    const refused = await request.get(`${server!.url}/api/pipeline/dead-letters`, { headers: { authorization: `Bearer ${E2E_ADMIN_KEY}` } });
    expect(refused.status()).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('unknown_key');
    await page.getByTestId('dead-letters-panel').screenshot({ path: screenshotPath(testInfo, 'pipeline-no-secret-keys.png') });
    expect(errors).toEqual([]);
  });

  test('the charts tell time on the shop clock and name its zone', async ({ page }, testInfo) => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${server!.url}/pipeline`);
    // with the admin's session (page.request shares the page's cookies): this server has no secret key
    const { since } = (await (await page.request.get(`${server!.url}/api/pipeline/history`)).json()) as { since: number };
    const zone = zoneLabel(SHOP_TIMEZONE, since);
    expect(zone).toBe('GMT+5:45');
    await expect(page.getByTestId('history-zone')).toHaveText(`times in ${zone}`);
    await expect(page.getByTestId('history-since')).toContainText(`History since ${formatTimeIn(SHOP_TIMEZONE, since)} ${zone}`);
    // marks on :00, :10, … of the shop's clock (UTC ten-minute marks would read :05, :15, …)
    const ticks = await timeLabels(page, 'history-throughput');
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    for (const tick of ticks) expect(tick).toMatch(/^\d\d:\d0$/);
    // nothing processed yet, so no lag at all: the chart still has its axis and its shading
    await expect(page.getByTestId('history-lag').getByTestId('history-legend')).toHaveText([/^Median \(p50\)—$/, /^Slowest 1 % \(p99\)—$/]);
    expect(await page.getByTestId('history-lag').locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value').allTextContents()).toEqual(['0 ms', '10 ms', '20 ms', '30 ms', '40 ms']);
    await expect(page.locator('[data-testid="history-panel"] .recharts-reference-area')).toHaveCount(3);
    await screenshotTop(page, screenshotPath(testInfo, 'pipeline-history-kathmandu.png'));
  });
});

test.describe('health of a busy log, as the page lays it out', () => {
  /** what a single-node server that has run for a while answers: six-figure offsets, one lagging, one unowned partition */
  const busyHealth = {
    status: 'ok',
    mode: 'single-node',
    role: 'web',
    durable: true,
    uptimeSeconds: 86_400 * 3 + 4_000,
    backlog: 1_207,
    backlogByConsumer: { live: 1_207 },
    somethingNewer: { ignored: true },
    dependencies: {
      redis: { kind: 'redis', status: 'ok', latencyMs: 0.7, detail: { usedMemoryBytes: 1_932_735_283, maxMemoryBytes: 2_147_483_648 } },
      eventLog: {
        kind: 'redis-streams',
        status: 'ok',
        detail: {
          partitions: 8,
          heads: [412_337, 409_981, 998_114, 407_002, 411_780, 410_065, 408_893, 413_276],
          checkpoints: { live: [412_337, 409_981, 996_910, 407_002, 411_777, 410_065, 408_893, 413_276] },
          backlog: { live: 1_207 },
          owners: {
            live: ['worker-a-7f3e9c.pulse.internal-41213-5b2f0a', 'worker-a-7f3e9c.pulse.internal-41213-5b2f0a', 'worker-b-02d1aa.pulse.internal-41877-c39e12', null,
              'worker-b-02d1aa.pulse.internal-41877-c39e12', 'worker-a-7f3e9c.pulse.internal-41213-5b2f0a', 'worker-b-02d1aa.pulse.internal-41877-c39e12', 'worker-a-7f3e9c.pulse.internal-41213-5b2f0a'],
          },
          storedEntries: 184_220,
        },
      },
      liveStore: { kind: 'redis', status: 'ok' },
    },
  };

  test('six-figure offsets, backlog, owners and Redis memory read at 390, 1440, 1920 and 3840 px', async ({ page }, testInfo) => {
    const errors = collectErrors(page);
    await page.route('**/api/health', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(busyHealth) }));
    await page.goto('/pipeline');
    const rows = page.getByTestId('partition');
    await expect(rows).toHaveCount(8);
    const lagging = page.locator('[data-testid="partition"][data-partition="2"]');
    await expect(lagging.getByTestId('partition-head')).toHaveText('998,114');
    await expect(lagging.getByTestId('partition-checkpoint')).toHaveText('996,910');
    await expect(lagging.getByTestId('partition-backlog')).toHaveText('1,204');
    await expect(page.locator('[data-testid="partition"][data-partition="4"]').getByTestId('partition-backlog')).toHaveText('3');
    await expect(page.locator('[data-testid="partition"][data-partition="3"]').getByTestId('partition-owner')).toHaveText('unowned');
    await expect(page.getByTestId('log-unowned')).toContainText('1 partition has no owner');
    await expect(page.getByTestId('log-appended')).toHaveText('3,871,448');
    await expect(page.getByTestId('log-checkpointed')).toHaveText('3,870,241');
    await expect(page.getByTestId('log-backlog')).toHaveText('1,207');
    await expect(page.getByTestId('health-backlog')).toHaveText('1,207');
    await expect(page.getByTestId('log-stored-entries')).toHaveText('184,220');
    // 90% of maxmemory: close to the point where every write, and so ingest, fails
    await expect(page.getByTestId('redis-memory')).toHaveText('1.8 GiB of 2.0 GiB (90%)');
    await expect(page.getByTestId('redis-memory')).toHaveClass(/text-warning/);

    for (const width of [390, 1440, 1920, 3840]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : width === 3840 ? 2160 : 1000 });
      // nothing sticks out sideways, and the widest numbers are shown whole, not cut off
      expect(await overflowOfMain(page), `page content width at ${width} px`).toEqual([]);
      for (const cell of await page.getByTestId('partition-head').all()) {
        expect(await cell.evaluate((el) => el.scrollWidth <= el.clientWidth), `a head offset fits at ${width} px`).toBe(true);
      }
      expect(await page.getByTestId('partitions').evaluate((t) => t.scrollWidth <= t.parentElement!.clientWidth), `partition table fits at ${width} px`).toBe(true);
      await page.screenshot({ path: screenshotPath(testInfo, `pipeline-busy-log-${width}.png`), fullPage: true });
    }
    expect(errors).toEqual([]);
  });

  test('a server that cannot be reached is said so in words', async ({ page }) => {
    // everything fails at the network level from the start, as with a server that is down
    const server = await severable(page);
    await server.sever();
    await page.goto('/pipeline');
    const notice = page.getByTestId('server-unreachable');
    await expect(notice).toContainText('The server cannot be reached.');
    await expect(notice).toContainText('Nothing has been received from it since this page was opened.');
    await expect(notice).toContainText('catches up by itself');
    await expect(page.getByTestId('health-loading')).toHaveText('Cannot check health: the server cannot be reached. Retrying every 2 s…');
    await expect(page.getByTestId('event-log-panel')).toContainText('Cannot load the event log: the server cannot be reached.');
    await expect(page.getByTestId('history-loading')).toContainText('Cannot load the pipeline history: the server cannot be reached.');
    await expect(page.locator('body')).not.toContainText('Failed to fetch');
    await expect(page.locator('body')).not.toContainText('TypeError');
  });
});

// ---------------------------------------------------------------------------------------------
// A single-node server with poison in its log.

interface SecondServer extends ExtraServer {
  prefix: string;
}

/** small, so the test knows every partition by number */
const PARTITIONS = 4;

async function startSingleNode(prefix: string): Promise<SecondServer> {
  const server = await startExtraServer({ PULSE_ROLE: 'all', REDIS_URL, REDIS_PREFIX: prefix, LOG_PARTITIONS: String(PARTITIONS) });
  return { ...server, prefix };
}

/**
 * Appends one entry to a partition as the log's append script does (server/adapters/redis/
 * redisEventLog.ts): advance the head by the entry's event count and XADD the entry with the new
 * head as its id, in one script so an ingest running meanwhile cannot take the same offsets.
 * Unlike ingest it counts nothing as accepted. KEYS: head, log. ARGV: events, format, time, payload.
 */
const APPEND_RAW = `
local head = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('XADD', KEYS[2], string.format('%d-0', head), 'v', ARGV[2], 't', ARGV[3], 'e', ARGV[4])
return head`;

interface Poison {
  partition: number;
  offset: number;
}

async function appendRaw(redis: Redis, prefix: string, partition: number, payload: string): Promise<Poison> {
  const offset = (await redis.eval(APPEND_RAW, 2, `${prefix}f:head:${partition}`, `${prefix}f:log:${partition}`, 1, ENTRY_FORMAT, Date.now(), payload)) as number;
  return { partition, offset };
}

/** Writes two entries that no worker can process straight into the log. */
async function poisonTheLog(redis: Redis, prefix: string): Promise<{ undecodable: Poison; corrupt: Poison }> {
  const now = Date.now();
  // an entry that is not even JSON: set aside at once
  const undecodable = await appendRaw(redis, prefix, partitionOf('poison-undecodable', PARTITIONS), 'not json');
  // a well-encoded event that ingest would never accept: `items: null` makes the engine refuse it
  const corruptEvent = {
    eventId: 'poison-1',
    clientId: true,
    ts: now,
    userId: 'p',
    sessionId: null,
    type: 'purchase',
    amountMinor: 100,
    currency: null,
    productId: null,
    quantity: null,
    priceMinor: null,
    page: null,
    category: null,
    items: null,
    location: null,
    properties: {},
    receivedAt: now,
  } as unknown as PulseEvent;
  const corrupt = await appendRaw(redis, prefix, partitionOf(corruptEvent.userId, PARTITIONS), `[${encodeEvent(corruptEvent)}]`);
  return { undecodable, corrupt };
}

interface LetterList {
  total: number;
  letters: { id: string; eventId: string | null; attempts: number }[];
}

async function deadLettersOf(request: APIRequestContext, url: string): Promise<LetterList> {
  const res = await request.get(`${url}/api/pipeline/dead-letters`, { headers: { authorization: `Bearer ${E2E_ADMIN_KEY}` } });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as LetterList;
}

test.describe('single-node server with poison in its log', () => {
  test.describe.configure({ mode: 'serial' });
  let redis: Redis;
  let server: SecondServer | null = null;
  let poison: { undecodable: Poison; corrupt: Poison };
  const prefix = randomPrefix('e2e');
  const shopper = uid('shopper');
  const SHOPPER_EVENTS = 12;

  test.beforeAll(async ({ request }) => {
    test.setTimeout(120_000);
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: true });
    await redis.connect();
    server = await startSingleNode(prefix);
    poison = await poisonTheLog(redis, prefix);
    // the undecodable entry is set aside at once, the corrupt event after three attempts
    await expect
      .poll(async () => (await deadLettersOf(request, server!.url)).letters.map((l) => `${l.eventId ?? 'undecodable'}:${l.attempts}`).sort(), {
        timeout: 20_000,
      })
      .toEqual(['poison-1:3', 'undecodable:1']);
    // some healthy traffic too, so the numbers on the page are not all zero
    await postEvents(
      request,
      server.url,
      Array.from({ length: SHOPPER_EVENTS }, (_, i) => ({ timestamp: isoAgo(20_000 - i * 1_000), user_id: shopper, event_type: 'page_view', properties: { page: `/p/${i}` } })),
    );
  });

  test.afterAll(async ({}, testInfo) => {
    if (server) {
      await stopServer(server.child);
      writeFileSync(testInfo.outputPath('single-node-server.log'), server.output());
    }
    if (redis) {
      await cleanupPrefix(prefix, redis);
      redis.disconnect();
    }
  });

  // a database of its own: the browser signs in to it as its admin
  test.beforeEach(async ({ page }) => {
    await signIn(page.request, server!.url);
  });

  test('health shows Redis and the partitioned log, and the numbers add up', async ({ page }, testInfo) => {
    await page.goto(`${server!.url}/pipeline`);
    await expect(page.getByTestId('health-mode')).toHaveText('single-node');
    await expect(page.getByTestId('health-durable')).toHaveText('Durable');
    const redisRow = page.locator('[data-testid="dependency"][data-name="redis"]');
    await expect(redisRow).toHaveAttribute('data-status', 'ok');
    await expect(redisRow.getByTestId('dependency-latency')).toHaveText(/^\d+ ms$/);
    await expect(redisRow.getByTestId('redis-memory')).toHaveAttribute('data-value', /^[1-9]\d*$/);
    await expect(redisRow.getByTestId('redis-memory')).toHaveText(/^[\d.]+ (KiB|MiB|GiB) (used, no limit|of [\d.]+ (KiB|MiB|GiB) \(\d+%\))$/);
    await expect(page.locator('[data-testid="dependency"][data-name="eventLog"]')).toHaveAttribute('data-status', 'ok');

    // Every offset of the log is the shopper's events or one of the two poison entries. Those
    // were written around ingest, so they are not counted as accepted; the log counts them, and
    // the live consumer's checkpoint moved past them when it set them aside.
    const heads = Array.from({ length: PARTITIONS }, () => 0);
    heads[partitionOf(shopper, PARTITIONS)] += SHOPPER_EVENTS;
    heads[poison.undecodable.partition] += 1;
    heads[poison.corrupt.partition] += 1;
    await expect(page.getByTestId('events-accepted')).toHaveAttribute('data-value', String(SHOPPER_EVENTS));
    await expect(page.getByTestId('events-processed')).toHaveAttribute('data-value', String(SHOPPER_EVENTS));
    await expect(page.getByTestId('dead-letters')).toHaveAttribute('data-value', '2');
    await expect(page.getByTestId('dead-letter-count')).toHaveText('2 dead letters');
    await expect(page.getByTestId('log-appended')).toHaveAttribute('data-value', String(SHOPPER_EVENTS + 2));
    await expect(page.getByTestId('log-checkpointed')).toHaveAttribute('data-value', String(SHOPPER_EVENTS + 2));
    await expect(page.getByTestId('log-backlog')).toHaveAttribute('data-value', '0');
    await expect(page.getByTestId('health-backlog')).toHaveAttribute('data-value', '0');
    // one entry per request and partition: the shopper's one request, and the two poison entries
    await expect(page.getByTestId('log-stored-entries')).toHaveAttribute('data-value', '3');

    const rows = page.getByTestId('partition');
    await expect(rows).toHaveCount(PARTITIONS);
    for (let p = 0; p < PARTITIONS; p++) {
      const row = page.locator(`[data-testid="partition"][data-partition="${p}"]`);
      await expect(row).toHaveAttribute('data-head', String(heads[p]));
      await expect(row).toHaveAttribute('data-checkpoint', String(heads[p]));
      await expect(row.getByTestId('partition-backlog')).toHaveText('0');
      // held by the processing process: `<host>-<pid>-<random>`
      await expect(row.getByTestId('partition-owner')).toHaveAttribute('data-owner', /^.+-\d+-[0-9a-f]{6}$/);
    }
    await expect(page.getByTestId('log-unowned')).toHaveCount(0);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: screenshotPath(testInfo, 'pipeline-single-node-390.png'), fullPage: true });
    expect(await overflowOfMain(page)).toEqual([]);
  });

  test('dead letters can be inspected, replayed and discarded', async ({ page }, testInfo) => {
    const errors = collectErrors(page, REFUSED);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${server!.url}/pipeline`);

    const rows = page.getByTestId('dead-letter');
    await expect(rows).toHaveCount(2);
    const undecodable = page.locator('[data-testid="dead-letter"][data-event-id=""]');
    const corrupt = page.locator('[data-testid="dead-letter"][data-event-id="poison-1"]');
    const { undecodable: u, corrupt: c } = poison;
    await expect(undecodable).toContainText('undecodable entry');
    // the reason, and where in the log the entry is
    await expect(undecodable.getByTestId('dead-letter-error')).toContainText('log entry payload is not JSON');
    await expect(undecodable.getByTestId('dead-letter-error')).toContainText(`(log entry p${u.partition}:${u.offset})`);
    await expect(undecodable.locator('td.num')).toHaveText('1');
    await expect(corrupt.getByTestId('dead-letter-event-id')).toHaveText('poison-1');
    await expect(corrupt.getByTestId('dead-letter-error')).toHaveText(`items: not a list (log entry p${c.partition}:${c.offset}, offset ${c.offset})`);
    await expect(corrupt.locator('td.num')).toHaveText('3');

    // the payload, pretty-printed, on demand
    await expect(page.getByTestId('dead-letter-payload')).toHaveCount(0);
    await corrupt.getByRole('button', { name: 'Show payload' }).click();
    await expect(page.getByTestId('dead-letter-payload')).toContainText('"eventId": "poison-1"');
    await expect(page.getByTestId('dead-letter-payload')).toContainText('"items": null');
    await page.screenshot({ path: screenshotPath(testInfo, 'pipeline.png') });
    await page.screenshot({ path: screenshotPath(testInfo, 'pipeline-full.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: screenshotPath(testInfo, 'pipeline-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    // a 13-inch laptop: everything fits the width
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: screenshotPath(testInfo, 'pipeline-laptop.png') });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBe(0);
    await corrupt.getByRole('button', { name: 'Hide payload' }).click();
    await expect(page.getByTestId('dead-letter-payload')).toHaveCount(0);

    // an undecodable entry cannot be replayed…
    const feedback = page.getByTestId('dead-letter-feedback');
    await undecodable.getByRole('button', { name: 'Replay', exact: true }).click();
    await expect(feedback).toHaveAttribute('data-tone', 'critical');
    await expect(feedback).toContainText('Could not replay the undecodable log entry');
    await expect(feedback).toContainText('it can only be discarded');
    await expect(rows).toHaveCount(2);

    // …only discarded, after confirming
    await undecodable.getByRole('button', { name: 'Discard', exact: true }).click();
    await expect(undecodable).toContainText('Discard for good?');
    await undecodable.getByRole('button', { name: 'Cancel' }).click();
    await expect(undecodable.getByRole('button', { name: 'Replay', exact: true })).toBeVisible();
    await undecodable.getByRole('button', { name: 'Discard', exact: true }).click();
    await undecodable.getByRole('button', { name: 'Yes, discard' }).click();
    await expect(feedback).toHaveAttribute('data-tone', 'good');
    await expect(feedback).toContainText('Discarded the undecodable log entry');
    await expect(undecodable).toHaveCount(0);
    await expect(rows).toHaveCount(1);

    // the corrupt event goes back into the pipeline, fails three times more and is set aside again
    const firstId = await corrupt.getAttribute('data-id');
    await corrupt.getByRole('button', { name: 'Replay', exact: true }).click();
    await expect(feedback).toHaveAttribute('data-tone', 'good');
    await expect(feedback).toHaveText(/Replayed poison-1 — it is back in the pipeline/);
    await expect(page.locator(`[data-testid="dead-letter"][data-id="${firstId}"]`)).toHaveCount(0);
    await expect(async () => {
      await page.reload();
      await expect(corrupt).toHaveCount(1, { timeout: 2_000 });
    }).toPass({ timeout: 20_000 });
    expect(await corrupt.getAttribute('data-id')).not.toBe(firstId);
    await expect(corrupt.locator('td.num')).toHaveText('3');
    // the replay was appended as a new entry at the end of the event's partition
    await expect(corrupt.getByTestId('dead-letter-error')).toContainText(`(log entry p${c.partition}:${c.offset + 1 + (partitionOf(shopper, PARTITIONS) === c.partition ? SHOPPER_EVENTS : 0)},`);
    await expect(page.getByTestId('dead-letters')).toHaveAttribute('data-value', '1');
    // a replay goes through the log's append, which counts it as accepted; it is not processed
    await expect(page.getByTestId('events-accepted')).toHaveAttribute('data-value', String(SHOPPER_EVENTS + 1));
    await expect(page.getByTestId('events-processed')).toHaveAttribute('data-value', String(SHOPPER_EVENTS));
    await expect(page.getByTestId('log-backlog')).toHaveAttribute('data-value', '0');
    expect(errors).toEqual([]);
  });

  test('a server that stops answering is said so in words, with what was last seen', async ({ page }, testInfo) => {
    await page.goto(`${server!.url}/pipeline`);
    await expect(page.getByTestId('health-status')).toHaveText('Healthy');
    await expect(page.getByTestId('partition')).toHaveCount(PARTITIONS);
    await expect(page.getByTestId('history-throughput')).toBeVisible();
    await stopServer(server!.child);
    const notice = page.getByTestId('server-unreachable');
    await expect(notice).toContainText('The server cannot be reached.');
    await expect(notice).toContainText(/Data last received at \d\d:\d\d:\d\d UTC \((just now|\d+ s ago)\); what is shown is from then\./);
    // the charts keep the last hour received
    await expect(page.getByTestId('history-throughput')).toBeVisible();
    await page.screenshot({ path: screenshotPath(testInfo, 'pipeline-server-stopped.png'), fullPage: true });
    // the last answer stays on screen, marked as old
    await expect(page.getByTestId('partition')).toHaveCount(PARTITIONS);
    await expect(page.getByTestId('connection-status')).not.toHaveAttribute('data-status', 'live');
    await expect(page.locator('body')).not.toContainText('Failed to fetch');
  });
});
