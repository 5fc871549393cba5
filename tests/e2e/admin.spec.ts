import { expect, test, type Page } from '@playwright/test';
import { screenshotPath, uid } from './support';

/**
 * The admin page as an admin uses it: a user added, a key created (its secret shown once), a
 * display link that opens the wall on a browser nobody signed in to and stops working when
 * revoked, and all of it in the audit log.
 */

const ADMIN = { email: process.env.PULSE_ADMIN_EMAIL ?? 'admin@e2e.test', password: process.env.PULSE_ADMIN_PASSWORD ?? 'e2e-admin-password-1' };

// signed in here, whatever state the other specs start with
test.use({ storageState: { cookies: [], origins: [] } });
test.beforeEach(async ({ page }) => {
  const login = await page.request.post('/api/auth/login', { data: ADMIN });
  expect(login.status(), await login.text()).toBe(200);
});

async function openSection(page: Page, tab: 'users' | 'keys' | 'displays' | 'audit') {
  await page.getByTestId(`admin-tab-${tab}`).click();
  await expect(page.getByTestId(`admin-tab-${tab}`)).toHaveAttribute('aria-current', 'page');
}

test('the admin adds a user, who then appears in the list with their role', async ({ page }) => {
  const email = `${uid('analyst')}@e2e.test`.toLowerCase();
  await page.goto('/admin');
  const form = page.getByTestId('create-user-form');
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Password').fill('analyst-password-1');
  await form.getByLabel('Role').selectOption('analyst');
  await form.getByRole('button', { name: 'Add user' }).click();
  const row = page.locator(`[data-testid="user-row"][data-email="${email}"]`);
  await expect(row).toBeVisible();
  await expect(row.getByLabel(`Role of ${email}`)).toHaveValue('analyst');
  await expect(row).toContainText('never');

  // too short a password: the server's reason is shown
  await form.getByLabel('Email').fill(`${uid('short')}@e2e.test`.toLowerCase());
  await form.getByLabel('Password').fill('short');
  await form.locator('input[name="password"]').evaluate((input: HTMLInputElement) => input.removeAttribute('minlength'));
  await form.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByTestId('create-user-error')).toContainText('12 characters');

  // a role change takes effect and says so
  await row.getByLabel(`Role of ${email}`).selectOption('viewer');
  await expect(row.getByText(`${email} is now Viewer.`)).toBeVisible();
});

test('a new key is shown once with how to use it; afterwards only its prefix', async ({ page, playwright, baseURL }) => {
  const name = uid('script key');
  await page.goto('/admin?section=keys');
  const form = page.getByTestId('create-key-form');
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Kind').selectOption('secret');
  await form.getByLabel(/Rate limit/).fill('120');
  await form.getByRole('button', { name: 'Create key' }).click();

  const shown = page.getByTestId('created-key');
  await expect(shown).toContainText('will not show it again');
  const secret = await page.getByTestId('created-key-value').inputValue();
  expect(secret.length).toBeGreaterThan(20);
  await expect(shown).toContainText(`Authorization: Bearer ${secret}`);

  // the key works, from a script with no cookie
  const script = await playwright.request.newContext({ baseURL });
  const answer = await script.get('/api/admin/keys', { headers: { authorization: `Bearer ${secret}` } });
  expect(answer.status(), await answer.text()).toBe(200);
  await script.dispose();

  await shown.getByRole('button', { name: /Done/ }).click();
  await expect(shown).toHaveCount(0);
  const row = page.locator(`[data-testid="key-row"][data-name="${name}"]`);
  await expect(row).toContainText('Secret');
  await expect(row).toContainText('120/min');
  const prefix = (await row.getByTestId('key-prefix').textContent())!.replace(/…+$/, '');
  expect(secret.startsWith(prefix)).toBe(true);
  expect(prefix.length).toBeLessThan(secret.length);
  // nowhere on the page any more, not after a reload either
  await expect(page.locator('body')).not.toContainText(secret);
  await page.reload();
  await expect(row).toBeVisible();
  await expect(page.locator('body')).not.toContainText(secret);

  await row.getByTestId('revoke-key').click();
  await row.getByTestId('revoke-key-confirm').click();
  await expect(row).toContainText('Revoked');
});

test('a display link opens the wall in a browser nobody signed in to, and says so on the screen once revoked', async ({ page, browser }) => {
  const name = uid('Warehouse TV');
  await page.goto('/admin?section=displays');
  const form = page.getByTestId('create-token-form');
  await form.getByLabel('Name of the screen').fill(name);
  await form.getByRole('button', { name: 'Create display link' }).click();
  const link = await page.getByTestId('created-token-value').inputValue();
  expect(link).toMatch(/^http:\/\/[^/]+\/wall\?display=/);

  const tv = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const screen = await tv.newPage();
  await screen.goto(link);
  await expect(screen).toHaveURL((url) => url.pathname === '/wall' && url.search === '');
  await expect(screen.getByTestId('connection-status')).toHaveAttribute('data-status', 'live', { timeout: 30_000 });
  await expect(screen.getByTestId('nav').getByRole('link')).toHaveText(['Wall']);
  // nothing else opens with it
  const history = await screen.goto('/history');
  expect(history?.status()).toBe(403);
  await expect(screen.getByTestId('denied-message')).toContainText(`This display (${name}) can't open History`);
  await screen.goto('/wall');
  await expect(screen.getByTestId('connection-status')).toHaveAttribute('data-status', 'live', { timeout: 30_000 });

  await page.getByTestId('created-token').getByRole('button', { name: /Done/ }).click();
  const row = page.locator(`[data-testid="token-row"][data-name="${name}"]`);
  await row.getByTestId('revoke-token').click();
  await row.getByTestId('revoke-token-confirm').click();
  await expect(row).toContainText('Revoked');

  await expect(screen.getByTestId('display-revoked')).toBeVisible({ timeout: 20_000 });
  await expect(screen.getByTestId('display-revoked')).toContainText('This display link was revoked or has expired');
  await tv.close();
});

test('the audit log lists what admins did, newest first, and filters by action', async ({ page }) => {
  // an action of its own, so the log has something of this run
  const name = uid('audited key');
  const created = await page.request.post('/api/admin/keys', { data: { name, kind: 'publishable' } });
  expect(created.status(), await created.text()).toBeLessThan(300);

  await page.goto('/admin?section=audit');
  const rows = page.getByTestId('audit-row');
  await expect(rows.first()).toBeVisible();
  await expect(rows.first()).toHaveAttribute('data-action', 'key.create');
  await expect(rows.first()).toContainText(ADMIN.email);
  // newest first
  const times = await page.locator('[data-testid="audit-row"] time').evaluateAll((els) => els.map((e) => Date.parse(e.getAttribute('datetime')!)));
  expect([...times].sort((a, b) => b - a)).toEqual(times);

  await rows.first().getByText('Before / after').click();
  await expect(rows.first().locator('pre').nth(1)).toContainText(name);

  await page.getByLabel('Action').fill('user.create');
  await page.getByTestId('audit-filters').getByRole('button', { name: 'Filter' }).click();
  await expect(rows.first()).toHaveAttribute('data-action', 'user.create');
  for (const action of await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-action')))) expect(action).toBe('user.create');

  await page.getByLabel('Action').fill('no.such.action');
  await page.getByTestId('audit-filters').getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByTestId('audit-empty')).toContainText('No entries match');
});

for (const width of [390, 1440, 1920, 3840]) {
  test(`the admin sections at ${width} px`, async ({ page }, testInfo) => {
    const height = width === 390 ? 844 : width === 3840 ? 2160 : width === 1440 ? 900 : 1080;
    await page.setViewportSize({ width, height });
    for (const section of ['users', 'keys', 'displays', 'audit'] as const) {
      await page.goto(section === 'users' ? '/admin' : `/admin?section=${section}`);
      await expect(page.locator('.admin-section')).toBeVisible();
      await expect(page.locator('.admin-section').getByText(/^Loading/)).toHaveCount(0);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${section}: no horizontal scrolling`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: screenshotPath(testInfo, `admin-${section}-${width}.png`), fullPage: width === 390 });
    }
  });
}
