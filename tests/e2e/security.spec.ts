import { expect, test, type Page, type Request, type Response } from '@playwright/test';

/**
 * The pages work under their Content-Security-Policy: each one loads, hydrates and (where it has
 * one) connects its live socket with no violation reported, and every response carries the
 * security headers. Sign-in may send a browser elsewhere (anonymous → /login): the redirect is
 * followed and the page it lands on is checked the same way.
 */

const PAGES = ['/', '/wall', '/history', '/pipeline', '/login', '/users/someone', '/sessions/someone', '/admin'];
/** pages that show live data over the socket */
const LIVE = new Set(['/', '/wall', '/pipeline']);

declare global {
  interface Window {
    __cspViolations?: { directive: string; blocked: string; sample: string; source: string }[];
  }
}

function expectCommonHeaders(headers: Record<string, string>, what: string) {
  expect(headers['x-content-type-options'], what).toBe('nosniff');
  expect(headers['referrer-policy'], what).toBe('same-origin');
  expect(headers['x-frame-options'], what).toBe('DENY');
  expect(headers['cross-origin-opener-policy'], what).toBe('same-origin');
  expect(headers['permissions-policy'], what).toMatch(/camera=\(\).*microphone=\(\)|microphone=\(\).*camera=\(\)/);
  expect(headers['permissions-policy'], what).toContain('geolocation=()');
  // the test server speaks plain HTTP
  expect(headers['strict-transport-security'], what).toBeUndefined();
}

/** every violation and error the page reports, from the start of the document */
function watch(page: Page) {
  const problems: string[] = [];
  page.on('console', (m) => {
    const text = m.text();
    if (/Content Security Policy|Content-Security-Policy|Permissions-Policy/i.test(text)) problems.push(`console: ${text}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return problems;
}

test.beforeEach(async ({ page }) => {
  // runs before any script of the page, outside its policy (Playwright injects it)
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations!.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, source: `${e.sourceFile}:${e.lineNumber}:${e.columnNumber}` });
    });
  });
});

for (const path of PAGES) {
  test(`${path} works under its Content-Security-Policy`, async ({ page }) => {
    const problems = watch(page);
    const response = (await page.goto(path, { waitUntil: 'load' })) as Response;
    expect(response, `a response for ${path}`).not.toBeNull();
    const landed = new URL(page.url()).pathname;

    // every hop of a redirect chain carries the headers too
    for (let req: Request | null = response.request(); req; req = req.redirectedFrom()) {
      const hop = await req.response();
      if (hop) expectCommonHeaders(await hop.allHeaders(), `${path} → ${hop.url()}`);
    }

    const headers = await response.allHeaders();
    const csp = headers['content-security-policy'] ?? '';
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    expect(nonce, `${landed} is answered with a nonce in its policy: ${csp}`).toBeTruthy();
    expect(csp).toContain("'strict-dynamic'");
    expect(csp).not.toContain("'unsafe-eval'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");

    // Next put this response's nonce on its scripts (else none of them would have run)
    const scriptNonces = await page.evaluate(() => [...document.querySelectorAll('script')].map((s) => s.nonce));
    expect(scriptNonces.length).toBeGreaterThan(0);
    expect(scriptNonces.filter((n) => n === nonce).length, 'scripts carrying the nonce').toBeGreaterThan(0);

    if (LIVE.has(landed)) {
      await expect(page.getByTestId('connection-status').first()).toHaveAttribute('data-status', 'live', { timeout: 30_000 });
    }
    // chunks loaded after hydration, fonts, images: let the page settle (a socket does not count)
    await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => {});

    const violations = await page.evaluate(() => window.__cspViolations ?? []);
    expect(violations, `violations on ${landed} (from ${path})`).toEqual([]);
    expect(problems, `console and page errors on ${landed} (from ${path})`).toEqual([]);
  });
}

test('the API answers with the API policy and the security headers', async ({ request }) => {
  const health = await request.get('/api/health');
  expect(health.status()).toBeLessThan(600);
  const preflight = await request.fetch('/api/events', { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
  expect(preflight.status()).toBe(204);
  for (const [what, res] of [['GET /api/health', health], ['OPTIONS /api/events', preflight]] as const) {
    const headers = res.headers();
    expectCommonHeaders(headers, what);
    expect(headers['content-security-policy'], what).toBe("default-src 'none'; frame-ancestors 'none'");
  }
});
