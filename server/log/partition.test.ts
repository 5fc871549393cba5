import { describe, expect, it } from 'vitest';
import { entryId, fnv1a32, groupByPartition, partitionOf } from './partition';
import { ev } from '@/tests/helpers/events';

describe('partitionOf', () => {
  it('is FNV-1a 32 bit (published test vectors for ASCII input)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('hashes UTF-16 code units, not bytes', () => {
    // worked by hand: one round per code unit, 0xd83d then 0xdca5 for "💥"
    let h = 0x811c9dc5;
    for (const unit of [0xd83d, 0xdca5]) h = Math.imul(h ^ unit, 0x01000193) >>> 0;
    expect(fnv1a32('💥')).toBe(h);
    expect(fnv1a32('é')).toBe(Math.imul(0x811c9dc5 ^ 0xe9, 0x01000193) >>> 0);
  });

  it('maps onto the partitions with a plain modulus', () => {
    expect(partitionOf('a', 8)).toBe(0xe40c292c % 8); // 4
    expect(partitionOf('a', 8)).toBe(4);
    expect(partitionOf('foobar', 8)).toBe(0);
    expect(partitionOf('foobar', 7)).toBe(0xbf9cf968 % 7);
    expect(partitionOf('anything', 1)).toBe(0);
    for (const id of ['__proto__', 'last', '', 'x'.repeat(2000), '\u0000']) {
      const p = partitionOf(id, 256);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(256);
    }
  });

  it('groups an append by partition, keeping request order inside each', () => {
    const T = 0;
    const events = ['a', 'foobar', 'a', 'foobar', 'a'].map((userId) => ev({ ts: T, userId, type: 'page_view' }));
    const groups = groupByPartition(events, 8);
    expect(groups.map((g) => g.partition)).toEqual([0, 4]);
    expect(groups[1].events).toEqual([events[0], events[2], events[4]]);
    expect(entryId(3, 17)).toBe('p3:17');
  });
});
