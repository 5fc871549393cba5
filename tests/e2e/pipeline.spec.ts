import { writeFileSync } from 'node:fs';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { Redis } from 'ioredis';
import { E2E_ADMIN_KEY, E2E_INGEST_KEY } from '../../playwright.config';
import { cleanupPrefix, randomPrefix, REDIS_URL } from '../helpers/redis';
import { collectErrors, screenshotPath, startExtraServer, stopServer, valueOf, type ExtraServer } from './support';

/**
 * The pipeline page (/pipeline): health, live pipeline numbers and the dead letters.
 *
 * Most tests use the embedded-mode server of the Playwright config. That server validates every
 * event at the door, so nothing posted from outside can become a dead letter; the dead-letter
 * workflow runs against a second, single-node Pulse started here, whose Redis stream we poison
 * directly.
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

async function enterAdminKey(page: Page, key: string, label: string | RegExp = 'Admin key'): Promise<void> {
  await page.getByLabel(label).fill(key);
  await page.getByRole('button', { name: 'Use key' }).click();
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
    await page.screenshot({ path: screenshotPath(testInfo, 'pipeline-embedded.png') });
    expect(errors).toEqual([]);
  });

  test('without an admin key, explains that one is needed and shows the live count', async ({ page }) => {
    await page.goto('/pipeline');
    const locked = page.getByTestId('dead-letters-locked');
    await expect(locked).toBeVisible();
    await expect(locked).toContainText('needs an admin key');
    await expect(locked).toContainText('ADMIN_API_KEYS');
    await expect(page.getByTestId('dead-letter-count')).toHaveAttribute('data-value', '0');
    await expect(page.getByTestId('dead-letter-count')).toHaveText('0 dead letters');
    await expect(page.getByTestId('dead-letter-table')).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Forget key' })).toHaveCount(0);
  });

  test('a wrong admin key shows the server refusing it; Forget key goes back', async ({ page }, testInfo) => {
    const errors = collectErrors(page, REFUSED);
    await page.goto('/pipeline');
    await enterAdminKey(page, 'definitely-not-the-admin-key');
    const error = page.getByTestId('dead-letters-error');
    await expect(error).toHaveAttribute('data-code', 'admin_key_invalid');
    await expect(error).toContainText('The server did not accept this admin key');
    // the server's own sentence
    await expect(error).toContainText('this admin key is not valid');
    await expect(page.getByTestId('dead-letters-empty')).toHaveCount(0);

    await page.screenshot({ path: screenshotPath(testInfo, 'pipeline-wrong-key.png') });

    await page.getByRole('button', { name: 'Forget key' }).click();
    await expect(page.getByTestId('dead-letters-locked')).toBeVisible();
    await expect(page.getByTestId('dead-letters-error')).toHaveCount(0);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(errors).toEqual([]);
  });

  test('the admin key shows that there are no dead letters, and is kept in this tab only', async ({ page, context }) => {
    await page.goto('/pipeline');
    await enterAdminKey(page, E2E_ADMIN_KEY);
    await expect(page.getByTestId('dead-letters-empty')).toHaveText('No dead letters — every accepted event was processed');
    await expect(page.getByTestId('admin-key-set')).toBeVisible();

    expect(page.url()).not.toContain(E2E_ADMIN_KEY);
    const stored = await page.evaluate(() => ({
      session: Object.values({ ...sessionStorage }),
      local: Object.values({ ...localStorage }),
      cookies: document.cookie,
    }));
    expect(stored.session).toContain(E2E_ADMIN_KEY);
    expect(stored.local.join()).not.toContain(E2E_ADMIN_KEY);
    expect(stored.cookies).not.toContain(E2E_ADMIN_KEY);

    // survives a reload of the tab, not a new tab
    await page.reload();
    await expect(page.getByTestId('dead-letters-empty')).toBeVisible();
    const other = await context.newPage();
    await other.goto('/pipeline');
    await expect(other.getByTestId('dead-letters-locked')).toBeVisible();
    await other.close();
  });

  test('a server without admin keys says that admin actions are off', async ({ page }) => {
    // The configured server has an admin key; this is the answer of one that has none.
    await page.route('**/api/pipeline/dead-letters**', (route) =>
      route.fulfill({
        status: 403,
        contentType: 'application/json',
        body: JSON.stringify({
          error: {
            code: 'admin_disabled',
            message: 'no admin key is configured (ADMIN_API_KEYS); dead letters cannot be viewed or changed',
          },
        }),
      }),
    );
    await page.goto('/pipeline');
    await enterAdminKey(page, E2E_ADMIN_KEY);
    const error = page.getByTestId('dead-letters-error');
    await expect(error).toHaveAttribute('data-code', 'admin_disabled');
    await expect(error).toContainText('Admin actions are turned off on this server');
    await expect(error).toContainText('ADMIN_API_KEYS');
    await expect(page.getByTestId('admin-key-form')).toHaveCount(0);
  });
});

// ---------------------------------------------------------------------------------------------
// A single-node server with poison in its stream.

interface SecondServer extends ExtraServer {
  prefix: string;
}

async function startSingleNode(prefix: string): Promise<SecondServer> {
  const server = await startExtraServer({
    PULSE_ROLE: 'all',
    REDIS_URL,
    REDIS_PREFIX: prefix,
    // a poison entry is retried after 300 ms idle, so three attempts take about a second
    CLAIM_IDLE_MS: '300',
  });
  return { ...server, prefix };
}

/** Writes two entries that no worker can process straight into the event stream. */
async function poisonTheLog(redis: Redis, prefix: string): Promise<void> {
  const now = Date.now();
  // a corrupt event: it decodes, but `items: null` makes processing throw
  const corrupt = {
    eventId: 'poison-1',
    clientId: true,
    ts: now,
    userId: 'p',
    sessionId: null,
    type: 'purchase',
    amountCents: 100,
    currency: null,
    productId: null,
    quantity: null,
    priceCents: null,
    page: null,
    category: null,
    items: null,
    location: null,
    properties: {},
    receivedAt: now,
  };
  await redis
    .multi()
    .xadd(`${prefix}log`, '*', 't', String(now), 'e', 'not json')
    .xadd(`${prefix}log`, '*', 't', String(now), 'e', JSON.stringify([corrupt]))
    // what ingest's append does for one accepted event, so the pipeline totals still add up
    .incrby(`${prefix}backlog`, 1)
    .hincrby(`${prefix}st`, 'accepted', 1)
    .exec();
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

test.describe('single-node server with poison in its stream', () => {
  test.describe.configure({ mode: 'serial' });
  let redis: Redis;
  let server: SecondServer | null = null;
  const prefix = randomPrefix('e2e');

  test.beforeAll(async ({ request }) => {
    test.setTimeout(120_000);
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: true });
    await redis.connect();
    server = await startSingleNode(prefix);
    await poisonTheLog(redis, prefix);
    // three attempts each, then both are set aside
    await expect
      .poll(async () => (await deadLettersOf(request, server!.url)).letters.map((l) => l.eventId ?? 'undecodable').sort(), {
        timeout: 20_000,
      })
      .toEqual(['poison-1', 'undecodable']);
    // some healthy traffic too, so the numbers on the page are not all zero
    const user = uid('shopper');
    await postEvents(
      request,
      server.url,
      Array.from({ length: 12 }, (_, i) => ({ timestamp: isoAgo(20_000 - i * 1_000), user_id: user, event_type: 'page_view', properties: { page: `/p/${i}` } })),
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

  test('health shows Redis, the event stream and its consumer', async ({ page }) => {
    await page.goto(`${server!.url}/pipeline`);
    await expect(page.getByTestId('health-mode')).toHaveText('single-node');
    await expect(page.getByTestId('health-durable')).toHaveText('Durable');
    const redisRow = page.locator('[data-testid="dependency"][data-name="redis"]');
    await expect(redisRow).toHaveAttribute('data-status', 'ok');
    await expect(redisRow.getByTestId('dependency-latency')).toHaveText(/^\d+ ms$/);
    await expect(page.getByTestId('stream-length')).toHaveAttribute('data-value', /^\d+$/);
    await expect(page.getByTestId('stream-pending')).toHaveAttribute('data-value', '0');
    await expect(page.getByTestId('consumer')).toHaveCount(1);
    await expect(page.getByTestId('events-accepted')).toHaveAttribute('data-value', '13');
    await expect(page.getByTestId('events-processed')).toHaveAttribute('data-value', '12');
    await expect(page.getByTestId('dead-letters')).toHaveAttribute('data-value', '2');
    await expect(page.getByTestId('dead-letter-count')).toHaveText('2 dead letters');
  });

  test('dead letters can be inspected, replayed and discarded', async ({ page }, testInfo) => {
    const errors = collectErrors(page, REFUSED);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${server!.url}/pipeline`);
    await enterAdminKey(page, E2E_ADMIN_KEY);

    const rows = page.getByTestId('dead-letter');
    await expect(rows).toHaveCount(2);
    const undecodable = page.locator('[data-testid="dead-letter"][data-event-id=""]');
    const corrupt = page.locator('[data-testid="dead-letter"][data-event-id="poison-1"]');
    await expect(undecodable).toContainText('undecodable entry');
    await expect(undecodable.getByTestId('dead-letter-error')).toContainText('undecodable log entry');
    await expect(corrupt.getByTestId('dead-letter-event-id')).toHaveText('poison-1');
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
    await expect(page.getByTestId('dead-letters')).toHaveAttribute('data-value', '1');
    expect(errors).toEqual([]);
  });
});
