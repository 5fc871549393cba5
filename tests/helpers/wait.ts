/** Waiting in tests: poll for a condition instead of sleeping for a guessed time. */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface UntilOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** named in the timeout error, so a failure says what never happened */
  what?: string;
}

/**
 * Calls `predicate` until it returns something truthy (which is returned) or the time is up.
 * A predicate that throws counts as "not yet" (a server still starting refuses connections);
 * the last error is in the timeout message.
 */
export async function until<T>(predicate: () => T | Promise<T>, opts: UntilOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 10_000, intervalMs = 50, what = 'condition' } = opts;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
      lastError = null;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const cause = lastError ? ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})` : '';
      throw new Error(`${what} not met within ${timeoutMs} ms${cause}`);
    }
    await sleep(intervalMs);
  }
}
