import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { liveSnapshotSchema, liveWireSnapshotSchema, type Alert, type LiveSnapshot, type LiveWireSnapshot } from '@/lib/live';
import { LiveWireAssembler } from '@/components/hooks/liveWire';
import { drained, iso, startPulse, TEST_KEY, TEST_SECRET_KEY, type RunningPulse } from '../helpers/pulse';
import { sleep } from '../helpers/wait';

let p: RunningPulse;
beforeAll(async () => {
  p = await startPulse({ LIVE_MIN_INTERVAL_MS: '100', LIVE_HEARTBEAT_MS: '500' });
});
afterAll(() => p.close());

function client(): Socket {
  return connect(p.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: TEST_SECRET_KEY } });
}

function next<T>(socket: Socket, event: string, until: (v: T) => boolean = () => true, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching ${event} within ${timeoutMs} ms`)), timeoutMs);
    const handler = (v: T) => {
      if (!until(v)) return;
      clearTimeout(timer);
      socket.off(event, handler);
      resolve(v);
    };
    socket.on(event, handler);
  });
}

describe('socket.io live delivery', () => {
  it('sends the current snapshot, with every part, as soon as a client connects', async () => {
    const s = client();
    try {
      const snap = liveWireSnapshotSchema.parse(await next<LiveWireSnapshot>(s, 'metrics'));
      expect(snap.mode).toBe('embedded');
      expect(snap.earlierMinutes).toHaveLength(59);
      expect(snap.alerts).toBeDefined();
      expect(new LiveWireAssembler().accept(snap)).toMatchObject({ ok: true, snapshot: { series: expect.any(Array) } });
      expect(Date.now() - snap.computedAt).toBeLessThan(2000);
    } finally {
      s.close();
    }
  });

  it('pushes an alert with the triggering event_id, then a snapshot that includes the event', async () => {
    const s = client();
    try {
      const wire = new LiveWireAssembler();
      wire.accept(await next(s, 'metrics'));
      const before = (await (await p.get('/api/metrics/live')).json()) as LiveSnapshot;
      const eventId = `hv-${Date.now()}`;
      const alert = next<Alert>(s, 'alert', (a) => a.eventId === eventId);
      // every message goes through the client's assembly, as on a screen
      const assembled = (m: unknown): LiveSnapshot | null => {
        const r = wire.accept(m);
        return r.ok ? r.snapshot : null;
      };
      const snapshot = new Promise<LiveSnapshot>((resolve) => {
        s.on('metrics', (m: unknown) => {
          const snap = assembled(m);
          if (snap && snap.revenue.todayMinor === before.revenue.todayMinor + 250_000) resolve(snap);
        });
      });
      const ts = Date.now();
      const r = await p.post({ event_id: eventId, timestamp: iso(ts), user_id: 'big-spender', event_type: 'purchase', properties: { amount: 2500 } });
      expect(r.status).toBe(202);
      expect(await alert).toMatchObject({ kind: 'high_value', eventId, userId: 'big-spender', amountMinor: 250_000 });
      const snap = await snapshot;
      expect(snap.newestEventTime).toBeGreaterThanOrEqual(ts - 1);
      expect(snap.alerts[0].eventId).toBe(eventId);
    } finally {
      s.close();
    }
  });

  it('coalesces many events into a few snapshots', async () => {
    const s = client();
    try {
      await next(s, 'metrics');
      let received = 0;
      s.on('metrics', () => received++);
      const start = Date.now();
      const target = p.pulse.stats.processedTotal + 400;
      await Promise.all(
        Array.from({ length: 400 }, (_, i) => p.post({ timestamp: iso(Date.now()), user_id: `c${i}`, event_type: 'page_view' })),
      );
      await next<LiveSnapshot>(s, 'metrics', (m) => m.pipeline.processedTotal >= target);
      const elapsed = Date.now() - start;
      // at most one snapshot per 100 ms interval (plus the heartbeat), never one per event
      expect(received).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 2);
      expect(received).toBeLessThan(400);
    } finally {
      s.close();
    }
  });

  it('sends a heartbeat snapshot while no events arrive, so screens can show freshness', async () => {
    const s = client();
    try {
      const first = await next<LiveSnapshot>(s, 'metrics');
      const later = await next<LiveSnapshot>(s, 'metrics', (m) => m.computedAt > first.computedAt + 300, 3000);
      expect(later.newestReceivedAt).toBe(first.newestReceivedAt);
    } finally {
      s.close();
    }
  });

  it('gives a reconnecting client the current state at once', async () => {
    const s1 = client();
    await next(s1, 'metrics');
    s1.close();
    await p.post({ timestamp: iso(Date.now()), user_id: 'while-away', event_type: 'purchase', properties: { amount: 1.23 } });
    const processed = p.pulse.stats.acceptedTotal;
    // processed before the reconnect (a loaded machine may take longer than a fixed sleep)
    await drained(p.pulse);
    await sleep(100);
    const s2 = client();
    try {
      const snap = await next<LiveSnapshot>(s2, 'metrics', () => true, 1000);
      expect(snap.pipeline.processedTotal).toBe(processed);
    } finally {
      s2.close();
    }
  });
});

describe('who may listen', () => {
  const refusal = (socket: Socket) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('neither connected nor refused within 5 s')), 5000);
      socket.once('connect', () => (clearTimeout(timer), resolve('connected')));
      socket.once('connect_error', (err) => (clearTimeout(timer), resolve(err.message)));
    });

  it('refuses an anonymous socket and one with the publishable key before it receives anything', async () => {
    for (const auth of [undefined, { token: TEST_KEY }]) {
      const s = connect(p.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth });
      let received = 0;
      s.on('metrics', () => received++);
      try {
        expect(await refusal(s)).toBe(auth ? 'forbidden' : 'unauthenticated');
        expect(received).toBe(0);
      } finally {
        s.close();
      }
    }
  });

  it('lets a socket with the secret key in', async () => {
    const s = client();
    try {
      expect(await refusal(s)).toBe('connected');
    } finally {
      s.close();
    }
  });
});

describe('GET /api/metrics/live', () => {
  it('returns the same snapshot shape as JSON', async () => {
    const res = await p.get('/api/metrics/live');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const snap = liveSnapshotSchema.parse(await res.json());
    expect(snap.series).toHaveLength(60);
  });
});
