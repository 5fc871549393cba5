import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import type { LiveSnapshot, LiveWireSnapshot } from '@/lib/live';
import { LiveWireAssembler } from '@/components/hooks/liveWire';
import { SnapshotBroadcaster } from '@/server/live/broadcaster';
import { liveSnapshot } from './liveFixture';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** a store whose snapshot takes `ms` and counts how often it was computed */
function slowSource(ms: number) {
  const source = {
    calls: 0,
    compute: async (): Promise<LiveSnapshot> => {
      source.calls++;
      const startedAt = Date.now();
      await sleep(ms);
      return liveSnapshot(startedAt, { pipeline: { ...liveSnapshot(0).pipeline, processedTotal: source.calls } });
    },
  };
  return source;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function broadcaster(source: ReturnType<typeof slowSource>, io = new Server(), minIntervalMs = 50) {
  const b = new SnapshotBroadcaster(io, source.compute, { minIntervalMs, heartbeatMs: 60_000 });
  cleanups.push(() => b.close());
  return b;
}

describe('shared snapshot computation', () => {
  it('computes once for 100 parallel readers', async () => {
    const source = slowSource(30);
    const b = broadcaster(source);
    const snaps = await Promise.all(Array.from({ length: 100 }, () => b.current()));
    expect(source.calls).toBe(1);
    expect(new Set(snaps).size).toBe(1);
    // within the interval the same snapshot is served again without computing
    await b.current();
    expect(source.calls).toBe(1);
  });

  it('does not keep a slow store computing back to back for a stream of readers', async () => {
    const source = slowSource(120);
    const b = broadcaster(source);
    const until = Date.now() + 1_000;
    const readers = Array.from({ length: 20 }, async () => {
      while (Date.now() < until) {
        await b.current();
        await sleep(5);
      }
    });
    await Promise.all(readers);
    // each result is reused for as long as it took (≥ 120 ms): about 1 s / 240 ms, never 1 s / 120 ms
    expect(source.calls).toBeLessThanOrEqual(6);
  });

  it('never serves a snapshot computed before invalidate()', async () => {
    const source = slowSource(40);
    const b = broadcaster(source);
    const before = b.current();
    await sleep(5);
    b.invalidate();
    const after = await b.current();
    expect((await before).pipeline.processedTotal).toBe(1);
    expect(after.pipeline.processedTotal).toBe(2);
  });
});

describe('socket delivery', () => {
  async function served(minIntervalMs = 20) {
    const http: HttpServer = createServer();
    const io = new Server(http);
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const source = slowSource(2);
    const b = broadcaster(source, io, minIntervalMs);
    cleanups.push(() => new Promise<void>((r) => io.close(() => r())));
    return { url, source, b };
  }

  function screen(url: string) {
    const socket: Socket = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true });
    cleanups.push(() => void socket.close());
    const wire = new LiveWireAssembler();
    const messages: LiveWireSnapshot[] = [];
    const snapshots: LiveSnapshot[] = [];
    socket.on('metrics', (m: LiveWireSnapshot) => {
      messages.push(m);
      const r = wire.accept(m);
      if (r.ok) snapshots.push(r.snapshot);
    });
    return { socket, messages, snapshots };
  }

  it('sends a full snapshot on connection, then only what changed, and every screen rebuilds it', async () => {
    const { url, source, b } = await served();
    const screens = [screen(url), screen(url), screen(url)];
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 200 && !done(); i++) await sleep(10);
    };
    await until(() => screens.every((s) => s.snapshots.length >= 1));
    const callsAfterJoin = source.calls;
    for (let i = 0; i < 5; i++) {
      b.markDirty();
      await sleep(40);
    }
    await until(() => screens.every((s) => s.snapshots.length >= 6));
    for (const s of screens) {
      expect(s.messages[0].earlierMinutes).toHaveLength(59);
      expect(s.messages.length).toBe(s.snapshots.length);
      expect(s.snapshots.at(-1)?.series).toHaveLength(60);
      expect(s.snapshots.at(-1)?.alerts).toHaveLength(1);
    }
    // one computation per broadcast, shared by the three sockets
    expect(source.calls - callsAfterJoin).toBeLessThanOrEqual(5);
    // the fixture's series moves with the clock: parts travel only when the minute turns
    const withParts = screens[0].messages.slice(1).filter((m) => m.earlierMinutes).length;
    expect(withParts).toBeLessThanOrEqual(1);
  });

  it('gives a reconnecting screen everything at once', async () => {
    const { url, b } = await served();
    const first = screen(url);
    for (let i = 0; i < 100 && first.snapshots.length === 0; i++) await sleep(10);
    b.markDirty();
    await sleep(60);
    first.socket.close();
    const again = screen(url);
    for (let i = 0; i < 100 && again.snapshots.length === 0; i++) await sleep(10);
    expect(again.messages[0]).toMatchObject({ earlierMinutes: expect.any(Array), alerts: expect.any(Array) });
    expect(again.snapshots[0].series).toHaveLength(60);
  });

  it('gives a screen that connects after changes made while nobody watched a snapshot including them', async () => {
    const { url, source, b } = await served();
    const first = screen(url);
    for (let i = 0; i < 100 && first.snapshots.length === 0; i++) await sleep(10);
    first.socket.close();
    await sleep(30);
    b.markDirty(); // processed while no socket is connected: no broadcast goes out
    await sleep(60);
    const seenBefore = source.calls;
    const again = screen(url);
    for (let i = 0; i < 100 && again.snapshots.length === 0; i++) await sleep(10);
    expect(again.snapshots[0].pipeline.processedTotal).toBeGreaterThan(seenBefore);
  });
});
