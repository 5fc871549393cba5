import type { UserAnalytics } from '@/server/ports';
import { assertValidDelta, mergeDelta } from './delta';
import type { UserDelta, UserStore } from './userStore';

/**
 * The per-user store in process memory (embedded mode): lost on restart, like the rest of the
 * embedded live state. Remembering only the last token per user is enough because a user's
 * deltas are applied one at a time: a retry can only repeat the newest one.
 */
export class MemoryUserStore implements UserStore {
  readonly kind = 'in-process';
  private readonly users = new Map<string, { analytics: UserAnalytics; lastToken: string }>();

  async apply(delta: UserDelta, token: string): Promise<'applied' | 'already-applied'> {
    assertValidDelta(delta);
    const current = this.users.get(delta.userId);
    if (current?.lastToken === token) return 'already-applied';
    this.users.set(delta.userId, { analytics: mergeDelta(current?.analytics ?? null, delta), lastToken: token });
    return 'applied';
  }

  async get(userId: string): Promise<UserAnalytics | null> {
    const found = this.users.get(userId);
    // a copy, so a caller cannot change the stored state by mutating what it was given
    return found ? structuredClone(found.analytics) : null;
  }

  async close(): Promise<void> {}
}
