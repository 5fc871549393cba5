import { describe, expect, it } from 'vitest';
import { ACCOUNT_FREE_FAILURES, accountLockMs, ClientThrottle } from '@/server/auth/throttle';

describe('ClientThrottle (per client, fake time)', () => {
  it('lets 10 failures through, then waits 1 s, 2 s, 4 s … after each further failure', () => {
    const t = new ClientThrottle();
    let now = 1_000_000;
    for (let i = 0; i < 10; i++) {
      expect(t.waitSeconds('a', now)).toBe(0);
      t.failed('a', now);
    }
    expect(t.waitSeconds('a', now)).toBe(1);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const w = t.waitSeconds('a', now);
      waits.push(w);
      now += w * 1000;
      expect(t.waitSeconds('a', now)).toBe(0);
      t.failed('a', now);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16]);
    expect(t.waitSeconds('a', now)).toBe(32);
    expect(t.waitSeconds('a', now + 31_001)).toBe(1);
  });

  it('is per client', () => {
    const t = new ClientThrottle();
    for (let i = 0; i < 12; i++) t.failed('a', 0);
    expect(t.waitSeconds('a', 0)).toBeGreaterThan(0);
    expect(t.waitSeconds('b', 0)).toBe(0);
  });

  it('caps the wait at 15 minutes', () => {
    const t = new ClientThrottle();
    for (let i = 0; i < 40; i++) t.failed('a', 0);
    expect(t.waitSeconds('a', 0)).toBe(15 * 60);
  });

  it('a success clears the count; failures older than the window are forgotten', () => {
    const t = new ClientThrottle();
    for (let i = 0; i < 11; i++) t.failed('a', 0);
    t.succeeded('a');
    expect(t.waitSeconds('a', 0)).toBe(0);
    for (let i = 0; i < 11; i++) t.failed('b', 0);
    expect(t.waitSeconds('b', 1000)).toBeGreaterThan(0);
    expect(t.waitSeconds('b', 16 * 60_000)).toBe(0);
    // and counting starts again from zero
    t.failed('b', 16 * 60_000);
    expect(t.waitSeconds('b', 16 * 60_000)).toBe(0);
  });
});

describe('accountLockMs', () => {
  it('locks from the fifth failure, 30 s doubling up to 15 min', () => {
    expect(ACCOUNT_FREE_FAILURES).toBe(5);
    expect([1, 2, 3, 4].map(accountLockMs)).toEqual([0, 0, 0, 0]);
    expect([5, 6, 7, 8].map(accountLockMs)).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(accountLockMs(50)).toBe(15 * 60_000);
  });
});
