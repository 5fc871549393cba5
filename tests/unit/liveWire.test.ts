import { describe, expect, it } from 'vitest';
import { liveSnapshotSchema } from '@/lib/live';
import { LiveWireAssembler, parseAlerts } from '@/components/hooks/liveWire';
import { parseSnapshot } from '@/components/hooks/liveSnapshotQuery';
import { WireEncoder } from '@/server/live/wireEncoder';
import { alert, liveSnapshot } from './liveFixture';

const NOW = 1_800_000_000_000;
const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

describe('the socket wire format', () => {
  it('rebuilds exactly the snapshot the server computed, sending the settled parts only when they change', () => {
    const enc = new WireEncoder();
    const client = new LiveWireAssembler();
    const s1 = liveSnapshot(NOW);
    const m1 = enc.forBroadcast(s1);
    expect(m1.earlierMinutes).toHaveLength(59);
    expect(m1.alerts).toHaveLength(1);
    expect(client.accept(m1)).toEqual({ ok: true, snapshot: s1, skippedAlerts: 0 });

    // the current minute moves on every event; the earlier minutes and alerts stay
    const s2 = liveSnapshot(NOW + 50);
    s2.series[59] = { ...s2.series[59], events: 99_999 };
    const m2 = enc.forBroadcast(s2);
    expect(m2.earlierMinutes).toBeUndefined();
    expect(m2.alerts).toBeUndefined();
    expect(m2.currentMinute?.events).toBe(99_999);
    expect(client.accept(m2)).toEqual({ ok: true, snapshot: s2, skippedAlerts: 0 });
    expect(bytes(m2)).toBeLessThan(bytes(s2) / 3);

    // a late event changes a settled minute; a new alert changes the list
    const s3 = liveSnapshot(NOW + 100, { alerts: [alert('a2', NOW + 90), alert('a1', Math.floor(NOW / 60_000) * 60_000 - 5_000)] });
    s3.series[10] = { ...s3.series[10], orders: 13 };
    const m3 = enc.forBroadcast(s3);
    expect(m3.earlierMinutes?.[10].orders).toBe(13);
    expect(m3.alerts).toHaveLength(2);
    expect(client.accept(m3)).toEqual({ ok: true, snapshot: s3, skippedAlerts: 0 });
  });

  it('gives a joining socket every part, and a client that missed a part says so instead of showing a wrong series', () => {
    const enc = new WireEncoder();
    enc.forBroadcast(liveSnapshot(NOW));
    const s2 = liveSnapshot(NOW + 50);
    const later = enc.forBroadcast(s2);
    const fresh = new LiveWireAssembler();
    expect(fresh.accept(later)).toEqual({ ok: false, problem: { kind: 'missing-part', part: 'earlierMinutes' } });
    expect(fresh.accept(enc.full(s2))).toMatchObject({ ok: true, snapshot: s2 });
    expect(fresh.accept(later)).toMatchObject({ ok: true, snapshot: s2 });
  });

  it('keeps the newer part when a joining socket’s first message is older than a broadcast that overtook it', () => {
    const enc = new WireEncoder();
    const old = liveSnapshot(NOW);
    const oldFull = enc.full(old);
    const s2 = liveSnapshot(NOW + 50);
    s2.series[5] = { ...s2.series[5], events: 1 };
    const b2 = enc.forBroadcast(s2);
    const client = new LiveWireAssembler();
    expect(client.accept(b2)).toMatchObject({ ok: true, snapshot: s2 });
    client.accept(oldFull);
    const b3 = enc.forBroadcast(liveSnapshot(NOW + 100, { series: s2.series }));
    expect(b3.earlierMinutes).toBeUndefined();
    expect(client.accept(b3)).toMatchObject({ ok: true });
  });
});

describe('alerts on screens', () => {
  it('accepts kinds it does not know', () => {
    const unknown = alert('x', NOW, { kind: 'price_drop', title: 'Price dropped', message: 'prod_1 is 40 % cheaper' });
    expect(liveSnapshotSchema.parse(liveSnapshot(NOW, { alerts: [unknown] })).alerts[0].kind).toBe('price_drop');
  });

  it('skips a malformed alert and keeps the rest of the snapshot', () => {
    const good = alert('good', NOW);
    const bad = { ...alert('bad', NOW), firedAt: 'yesterday' };
    expect(parseAlerts([bad, good, null])).toEqual({ alerts: [good], skipped: 2 });
    const fromHttp = parseSnapshot({ ...liveSnapshot(NOW), alerts: [bad, good] }, 'a test');
    expect(fromHttp?.alerts).toEqual([good]);
    expect(fromHttp?.revenue.todayMinor).toBe(90_000_000);

    const enc = new WireEncoder();
    const message = { ...enc.forBroadcast(liveSnapshot(NOW, { alerts: [good] })), alerts: [bad, good] };
    const result = new LiveWireAssembler().accept(message);
    expect(result).toMatchObject({ ok: true, skippedAlerts: 1 });
    expect(result.ok && result.snapshot.alerts).toEqual([good]);
  });

  it('still refuses a snapshot whose figures are broken', () => {
    expect(parseSnapshot({ ...liveSnapshot(NOW), revenue: null }, 'a test')).toBeNull();
  });
});
