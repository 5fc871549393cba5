import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { screenshotPath, uid } from './support';

/**
 * Signing in and out as a person does it: anonymous pages lead to the sign-in form, the form
 * leads back (only ever to a page of Pulse), sign-out ends it, and a viewer is offered and
 * allowed only the pages of its role. Every test starts anonymous.
 */

const ADMIN = { email: process.env.PULSE_ADMIN_EMAIL ?? 'admin@e2e.test', password: process.env.PULSE_ADMIN_PASSWORD ?? 'e2e-admin-password-1' };

test.use({ storageState: { cookies: [], origins: [] } });

async function signInWithForm(page: Page, email: string, password: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** a user of `role` created by the admin through the API (the admin's cookie lives in a request context of its own) */
async function createUser(playwright: { request: { newContext(o: { baseURL?: string }): Promise<APIRequestContext> } }, baseURL: string, role: 'viewer' | 'analyst' | 'admin') {
  const admin = await playwright.request.newContext({ baseURL });
  const login = await admin.post('/api/auth/login', { data: ADMIN });
  expect(login.status(), await login.text()).toBe(200);
  const user = { email: `${uid(role)}@e2e.test`.toLowerCase(), password: `password-of-${uid('pw')}`, role };
  const created = await admin.post('/api/admin/users', { data: user });
  expect(created.status(), await created.text()).toBeLessThan(300);
  await admin.dispose();
  return user;
}

test('an anonymous browser asking for the overview lands on the sign-in form, and signing in there leads back to it', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login(\?|$)/);
  await expect(page.getByRole('heading', { name: 'Sign in to Pulse' })).toBeVisible();
  // what password managers look for
  await expect(page.locator('form[method="post"] input#email[name="email"][type="email"][autocomplete="username"]')).toHaveCount(1);
  await expect(page.locator('input#password[name="password"][type="password"][autocomplete="current-password"]')).toHaveCount(1);

  await signInWithForm(page, ADMIN.email, ADMIN.password);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await expect(page.getByTestId('nav').getByRole('link', { name: 'Overview' })).toBeVisible();
  await expect(page.getByTestId('user-menu')).toHaveAttribute('data-role', 'admin');
});

test('a wrong password says so and signs nobody in', async ({ page, playwright, baseURL }) => {
  const user = await createUser(playwright, baseURL!, 'viewer');
  await page.goto('/login');
  await signInWithForm(page, user.email, 'not-the-password-at-all');
  await expect(page.getByTestId('login-error')).toContainText('Wrong email or password');
  await expect(page).toHaveURL(/\/login/);
  // the password field is emptied for the next try; the email stays
  await expect(page.getByLabel('Password')).toHaveValue('');
  await expect(page.getByLabel('Email')).toHaveValue(user.email);
  const me = await (await page.request.get('/api/auth/me')).json();
  expect(me.user).toBeNull();
});

test('after too many wrong passwords the form counts down the wait the server asks for', async ({ page, playwright, baseURL }) => {
  const user = await createUser(playwright, baseURL!, 'viewer');
  await page.goto('/login');
  // five wrong passwords lock the account; the sixth try is refused with Retry-After
  for (let i = 0; i < 6; i++) {
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/auth/login'));
    await signInWithForm(page, user.email, `wrong-password-${i}`);
    const status = (await answered).status();
    if (status === 429) break;
    expect(status).toBe(401);
    await expect(page.getByTestId('login-error')).toContainText('Wrong email or password');
  }
  const countdown = page.getByTestId('retry-countdown');
  await expect(countdown).toHaveText(/Try again in \d+ s/);
  const first = Number((await countdown.textContent())!.match(/(\d+) s/)![1]);
  await expect.poll(async () => Number((await countdown.textContent())?.match(/(\d+) s/)?.[1] ?? 0), { timeout: 5_000 }).toBeLessThan(first);
  await expect(page.getByRole('button', { name: /Wait \d+ s/ })).toBeDisabled();
});

test('next is honoured for a page of Pulse and ignored when it points elsewhere', async ({ page, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  await page.goto('/pipeline');
  await expect(page).toHaveURL(/\/login\?next=%2Fpipeline/);
  await signInWithForm(page, ADMIN.email, ADMIN.password);
  await expect(page).toHaveURL((url) => url.pathname === '/pipeline');
  await page.request.post('/api/auth/logout');

  // browsers read `/\host` like `//host`
  const elsewhere = ['//evil.example', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)'];
  for (const evil of elsewhere) {
    await page.goto(`/login?next=${encodeURIComponent(evil)}`);
    await signInWithForm(page, ADMIN.email, ADMIN.password);
    await page.waitForURL((url) => url.pathname !== '/login');
    expect(new URL(page.url()).origin, `next=${evil}`).toBe(origin);
    expect(new URL(page.url()).pathname, `next=${evil}`).toBe('/');
    // leave the live overview first: signed out under it, it sends itself to sign-in, which
    // would race with the next goto
    await page.goto('about:blank');
    await page.request.post('/api/auth/logout');
  }
});

test('signed in, the sign-in page sends the browser on to next only within Pulse', async ({ page, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  const login = await page.request.post('/api/auth/login', { data: ADMIN });
  expect(login.status()).toBe(200);
  for (const evil of ['//evil.example', '/\\evil.example', 'https://evil.example/']) {
    // the redirect itself, read without following it (a browser would leave for evil.example)
    const res = await page.request.get(`/login?next=${encodeURIComponent(evil)}`, { maxRedirects: 0 });
    const location = res.headers()['location'];
    if (location === undefined) continue;
    expect(new URL(location, origin).origin, `signed in, next=${evil} → Location: ${location}`).toBe(origin);
  }
});

test('signing out returns to the sign-in form, and the overview asks for sign-in again', async ({ page }) => {
  await page.goto('/login');
  await signInWithForm(page, ADMIN.email, ADMIN.password);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await page.getByTestId('user-menu').getByRole('button').first().click();
  await page.getByTestId('sign-out').click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
});

test('a viewer is offered the overview and the wall only, and is turned away from history', async ({ page, playwright, baseURL }) => {
  const viewer = await createUser(playwright, baseURL!, 'viewer');
  await page.goto('/login');
  await signInWithForm(page, viewer.email, viewer.password);
  await expect(page).toHaveURL((url) => url.pathname === '/');
  const nav = page.getByTestId('nav');
  await expect(nav).toHaveAttribute('data-state', 'ready');
  await expect(nav.getByRole('link')).toHaveText(['Overview', 'Wall']);
  await expect(page.getByTestId('role-badge')).toHaveText('Viewer');

  const response = await page.goto('/history');
  expect(response?.status()).toBe(403);
  await expect(page.getByTestId('denied-message')).toHaveText("Your role (Viewer) can't open History.");
  await expect(page.getByRole('navigation', { name: 'Pages you can open' }).getByRole('link')).toHaveText(['Overview', 'Wall']);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
});

test('the setup page refuses a wrong token with the server’s reason', async ({ page }) => {
  await page.goto('/setup?token=not-a-real-token');
  await page.getByLabel('Email').fill('someone@e2e.test');
  await page.getByLabel('New password').fill('a long enough password');
  await page.getByLabel('Confirm password').fill('a long enough password');
  await page.getByRole('button', { name: /Create admin/ }).click();
  // the e2e server has its admin already: the server says Pulse is set up
  await expect(page.getByTestId('setup-error')).toContainText(/already set up|not valid/);
});

for (const width of [390, 1440, 1920, 3840]) {
  test(`the sign-in page at ${width} px`, async ({ page }, testInfo) => {
    const height = width === 390 ? 844 : width === 3840 ? 2160 : width === 1920 ? 1080 : 900;
    await page.setViewportSize({ width, height });
    await page.goto('/login');
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    // a wrong try, so the error's look is in the picture too
    await page.getByLabel('Email').fill('nobody@e2e.test');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('login-error')).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, 'no horizontal scrolling').toBeLessThanOrEqual(0);
    await page.screenshot({ path: screenshotPath(testInfo, `login-${width}.png`) });
  });
}
