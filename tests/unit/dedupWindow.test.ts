import { describe, expect, it } from 'vitest';
import { DedupWindow } from '@/server/adapters/memory/dedupWindow';

describe('DedupWindow', () => {
  it('claims an id once inside the window and again after it expires', () => {
    const d = new DedupWindow(1000, 100);
    expect(d.claim('a', 0)).toBe(true);
    expect(d.claim('a', 999)).toBe(false);
    expect(d.claim('a', 1000)).toBe(true);
  });

  it('stays within its size bound, forgetting the oldest ids first', () => {
    const d = new DedupWindow(60_000, 1000);
    for (let i = 0; i < 5000; i++) d.claim(`id${i}`, i);
    expect(d.size).toBe(1000);
    expect(d.claim('id4999', 5000)).toBe(false);
    expect(d.claim('id0', 5000)).toBe(true);
  });

  it('answers has() without remembering anything (a refused append leaves no trace)', () => {
    const d = new DedupWindow(1000, 100);
    expect(d.has('a', 0)).toBe(false);
    expect(d.claim('a', 0)).toBe(true);
    expect(d.has('a', 500)).toBe(true);
    expect(d.has('a', 1000)).toBe(false);
  });

  it('treats prototype names and other hostile ids as plain ids', () => {
    const d = new DedupWindow(1000, 100);
    const ids = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '', '\u0000', '💥'];
    for (const id of ids) expect(d.claim(id, 0)).toBe(true);
    for (const id of ids) expect(d.claim(id, 1)).toBe(false);
    expect(d.size).toBe(ids.length);
  });
});
