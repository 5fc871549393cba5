/**
 * Slows down guessing from one client: after FREE_FAILURES failed sign-ins within the window, each
 * further attempt waits twice as long as the one before (1 s, 2 s, 4 s … up to 15 min). Keyed by
 * the client's address, held only in this process's memory and never written anywhere (Pulse
 * stores no IP addresses); the map is bounded, oldest entries go first.
 */
const FREE_FAILURES = 10;
const WINDOW_MS = 15 * 60_000;
const MAX_DELAY_MS = 15 * 60_000;
const MAX_CLIENTS = 100_000;

interface Record {
  failures: number;
  lastFailure: number;
}

export class ClientThrottle {
  private readonly clients = new Map<string, Record>();

  /** seconds this client must wait before trying again; 0 when it may try now */
  waitSeconds(client: string, now: number): number {
    const r = this.clients.get(client);
    if (!r) return 0;
    if (now - r.lastFailure > WINDOW_MS) {
      this.clients.delete(client);
      return 0;
    }
    if (r.failures < FREE_FAILURES) return 0;
    const delay = Math.min(MAX_DELAY_MS, 1000 * 2 ** (r.failures - FREE_FAILURES));
    const left = r.lastFailure + delay - now;
    return left > 0 ? Math.ceil(left / 1000) : 0;
  }

  failed(client: string, now: number): void {
    const r = this.clients.get(client);
    this.clients.delete(client);
    this.clients.set(client, { failures: (r && now - r.lastFailure <= WINDOW_MS ? r.failures : 0) + 1, lastFailure: now });
    if (this.clients.size > MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value!);
  }

  succeeded(client: string): void {
    this.clients.delete(client);
  }
}

/**
 * Per account: after ACCOUNT_FREE_FAILURES consecutive failures the account is locked for 30 s,
 * doubling with each further failure up to 15 minutes; a good sign-in resets it.
 */
export const ACCOUNT_FREE_FAILURES = 5;
export function accountLockMs(failures: number): number {
  if (failures < ACCOUNT_FREE_FAILURES) return 0;
  return Math.min(MAX_DELAY_MS, 30_000 * 2 ** (failures - ACCOUNT_FREE_FAILURES));
}
