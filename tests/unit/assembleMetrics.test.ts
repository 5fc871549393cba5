import { describe, expect, it } from 'vitest';
import { capEventTypes } from '@/server/pipeline/assembleMetrics';

describe('capEventTypes', () => {
  it('leaves a short list alone', () => {
    expect(capEventTypes({ page_view: 3, purchase: 1 })).toEqual({ page_view: 3, purchase: 1 });
  });

  it('keeps the most frequent types and sums the rest under "other", so a flood of made-up types cannot bloat snapshots', () => {
    const many: Record<string, number> = { page_view: 1000, purchase: 50 };
    for (let i = 0; i < 500; i++) many[`junk_${i}`] = 1;
    const capped = capEventTypes(many, 5);
    expect(Object.keys(capped)).toHaveLength(5);
    expect(capped.page_view).toBe(1000);
    expect(capped.purchase).toBe(50);
    expect(Object.values(capped).reduce((a, b) => a + b, 0)).toBe(1550);
    expect(capped.other).toBe(498); // 500 made-up types, two of them kept by name
  });
});
