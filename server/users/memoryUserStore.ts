import type { UserAnalytics, UserRecord, UserStore } from '@/server/ports';
import { cloneUserRecord, toUserAnalytics } from '@/server/pipeline/userRecords';

/**
 * The per-user store in process memory. Embedded mode keeps per-user state in its live store,
 * so this adapter serves the contract suite and tests that need a UserStore without DynamoDB.
 */
export class MemoryUserStore implements UserStore {
  readonly kind = 'memory';
  // a Map, not an object: user ids such as "__proto__" are plain keys
  private readonly users = new Map<string, UserRecord>();

  async put(record: UserRecord): Promise<'written' | 'stale'> {
    const stored = this.users.get(record.userId);
    if (stored && stored.version >= record.version) return 'stale';
    // a copy, so the caller cannot change what is stored by mutating its record afterwards
    this.users.set(record.userId, cloneUserRecord(record));
    return 'written';
  }

  async get(userId: string): Promise<UserAnalytics | null> {
    const stored = this.users.get(userId);
    return stored ? toUserAnalytics(stored) : null;
  }

  async close(): Promise<void> {}
}
