import { afterAll, beforeAll, expect, test } from 'vitest';
import { startPulse, type RunningPulse } from '../helpers/pulse';

// socket.io answers its own path on the server the router also listens on: an anonymous
// long-polling request once got answered by both, and engine.io's second write killed the process
let running: RunningPulse;
beforeAll(async () => {
  running = await startPulse();
});
afterAll(() => running?.close());

test('long-polling requests are answered by socket.io alone, with the security headers, and the server keeps running', async () => {
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${running.url}/socket.io/?EIO=4&transport=polling`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toMatch(/"sid"/);
  }
  const foreign = await fetch(`${running.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: 'https://evil.example' } });
  expect(foreign.status).toBe(403);
  await foreign.text();
  const health = await fetch(`${running.url}/api/health`);
  expect(health.status).toBe(200);
});
