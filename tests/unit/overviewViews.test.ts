import { describe, expect, it } from 'vitest';
import { userAnalyticsSchema } from '@/components/entity/entityApi';
import { idFromSegment, sessionHref, userHref } from '@/components/entity/links';
import { countingBeganAfter, countingSinceText, windowFrom } from '@/components/live/countingSince';
import { liveSnapshot } from './liveFixture';

const NOW = Date.UTC(2026, 11, 1, 18, 30, 20);

describe('counting since', () => {
  it('marks a window that began before counting did, in the shop time zone', () => {
    const snapshot = liveSnapshot(NOW);
    const shop = { ...snapshot.shop, timeZone: 'Europe/Berlin', countingSince: Date.UTC(2026, 11, 1, 17, 48, 5) };
    const lastHour = windowFrom({ ...snapshot, shop }, 60);
    // 60 minute buckets ending with the current one: 17:31 → 18:30 UTC
    expect(lastHour).toBe(Date.UTC(2026, 11, 1, 17, 31));
    expect(countingBeganAfter(shop, lastHour)).toBe(shop.countingSince);
    expect(countingSinceText(shop, shop.countingSince)).toBe('counting since 18:48');
  });

  it('says nothing for a window that lies wholly after counting began, or when the start is unknown', () => {
    const snapshot = liveSnapshot(NOW);
    const early = { ...snapshot.shop, countingSince: Date.UTC(2026, 11, 1, 12, 0) };
    expect(countingBeganAfter(early, windowFrom(snapshot, 60))).toBeNull();
    expect(countingBeganAfter({ ...snapshot.shop, countingSince: null }, windowFrom(snapshot, 60))).toBeNull();
  });
});

describe('id links', () => {
  it('round-trips any id through one path segment', () => {
    for (const id of ['__proto__', 'a/b', 'ü%20x', '50% off?&x=1#top', ' spaced  out ', 'x'.repeat(2_000)]) {
      const href = userHref(id);
      const segment = href.slice('/users/'.length);
      expect(segment).not.toContain('/');
      expect(idFromSegment(segment)).toBe(id);
      expect(idFromSegment(sessionHref(id).slice('/sessions/'.length))).toBe(id);
    }
  });

  it('shows a segment that is not valid percent-encoding as typed', () => {
    expect(idFromSegment('100%')).toBe('100%');
    expect(idFromSegment('%E0%A4%A')).toBe('%E0%A4%A');
  });
});

describe('the user page response', () => {
  it('keeps event types spelled like object internals', () => {
    const body = JSON.parse(
      '{"userId":"u","lastActivity":1,"totalEvents":6,"eventsByType":{"__proto__":1,"constructor":2,"page_view":3},' +
        '"purchaseCount":0,"lifetimeValueMinor":0,"averagePurchaseMinor":null,"lastLocation":null}',
    );
    const parsed = userAnalyticsSchema.parse(body);
    expect(parsed.eventsByType).toEqual([
      ['page_view', 3],
      ['constructor', 2],
      ['__proto__', 1],
    ]);
    expect(parsed.recentEvents).toBeUndefined();
  });

  it('refuses counts that are not numbers', () => {
    const body = { userId: 'u', lastActivity: 1, totalEvents: 1, eventsByType: { x: '1' }, purchaseCount: 0, lifetimeValueMinor: 0, averagePurchaseMinor: null, lastLocation: null };
    expect(userAnalyticsSchema.safeParse(body).success).toBe(false);
  });
});
