import type { UserAnalytics } from '@/server/ports';

/**
 * The per-user analytics store (PRODUCT.md "user-analytics"): last activity, totals, events by
 * type, purchases, lifetime value, average purchase, last known location. Written in deltas, off
 * the hot path, each delta exactly once: a delta carries a token, and applying a token that was
 * already applied changes nothing.
 */
export interface UserDelta {
  userId: string;
  events: number;
  byType: Record<string, number>;
  purchases: number;
  revenueCents: number;
  /** newest event time in the delta (the store keeps the maximum) */
  lastActivity: number;
  /** newest located event in the delta (the store keeps the newest by `at`) */
  location: { country: string | null; lat: number | null; lon: number | null; at: number } | null;
}

export interface UserStore {
  readonly kind: string;
  /** applies the delta unless a delta with this token was applied to this user before */
  apply(delta: UserDelta, token: string): Promise<'applied' | 'already-applied'>;
  get(userId: string): Promise<UserAnalytics | null>;
  close(): Promise<void>;
}
