import { expect, test } from '@playwright/test';
import { signIn, startExtraServer, stopServer } from './support';

/**
 * In production the pages render in a child of the web process (server/process/pageProcess.ts),
 * so the process that ingests never loads Next. The child must serve the pages through the parent
 * and never outlive it, however the parent ends.
 */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('pages come through the web process from its page child, which stops when the web process is killed', async ({ request }) => {
  test.setTimeout(90_000);
  const server = await startExtraServer({});
  let pid = 0;
  try {
    await signIn(request, server.url);
    const page = await request.get(`${server.url}/wall`);
    expect(page.status()).toBe(200);
    // the page itself, not the sign-in page it would redirect an anonymous browser to
    expect(new URL(page.url()).pathname).toBe('/wall');
    expect(await page.text()).toContain('<html');
    const match = /pages rendered by process (\d+)/.exec(server.output());
    expect(match, server.output()).not.toBeNull();
    pid = Number(match![1]);
    expect(alive(pid)).toBe(true);
    expect(pid).not.toBe(server.child.pid);
    // the API is answered by the web process itself, not forwarded
    expect((await request.get(`${server.url}/api/health`)).status()).toBe(200);
  } finally {
    server.child.kill('SIGKILL');
    await stopServer(server.child);
  }
  await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false);
});

test('a clean stop of the web process stops its page child too', async ({ request }) => {
  test.setTimeout(90_000);
  const server = await startExtraServer({});
  await signIn(request, server.url);
  const page = await request.get(`${server.url}/`);
  expect(page.status()).toBe(200);
  expect(new URL(page.url()).pathname).toBe('/');
  const pid = Number(/pages rendered by process (\d+)/.exec(server.output())![1]);
  await stopServer(server.child);
  await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false);
});
