import { alertSchema, liveWireSnapshotSchema, type Alert, type LiveSnapshot, type MinutePoint } from '@/lib/live';

/**
 * Rebuilds full LiveSnapshots from socket `metrics` messages (format: lib/live.ts,
 * liveWireSnapshotSchema). The settled minutes and the alert list arrive only when they change,
 * so this keeps the newest content seen for each, with the version it was sent under.
 */

/** Why a message could not become a snapshot. */
export type WireProblem =
  /** not a wire snapshot at all */
  | { kind: 'invalid'; issues: unknown }
  /** refers to a part version this client does not hold (it missed the message carrying it) */
  | { kind: 'missing-part'; part: 'earlierMinutes' | 'alerts' | 'top' };

export type AssembleResult = { ok: true; snapshot: LiveSnapshot; skippedAlerts: number } | { ok: false; problem: WireProblem };

interface HeldPart<T> {
  version: string;
  value: T;
  /** computedAt of the message it came with: an older message never replaces it */
  computedAt: number;
}

/**
 * One bad alert costs that alert, never the snapshot: a screen left open across an upgrade
 * meets fields it does not know, and showing the other figures matters more.
 */
export function parseAlerts(items: readonly unknown[]): { alerts: Alert[]; skipped: number } {
  const alerts: Alert[] = [];
  for (const item of items) {
    const parsed = alertSchema.safeParse(item);
    if (parsed.success) alerts.push(parsed.data);
  }
  return { alerts, skipped: items.length - alerts.length };
}

export class LiveWireAssembler {
  private earlier: HeldPart<MinutePoint[]> | null = null;
  private alerts: HeldPart<Alert[]> | null = null;
  private top: HeldPart<LiveSnapshot['top']> | null = null;
  private skippedInHeldAlerts = 0;

  accept(payload: unknown): AssembleResult {
    const parsed = liveWireSnapshotSchema.safeParse(payload);
    if (!parsed.success) return { ok: false, problem: { kind: 'invalid', issues: parsed.error.issues.slice(0, 5) } };
    const m = parsed.data;
    if (m.earlierMinutes) this.earlier = newer(this.earlier, { version: m.earlierMinutesVersion, value: m.earlierMinutes, computedAt: m.computedAt });
    if (m.alerts) {
      const { alerts, skipped } = parseAlerts(m.alerts);
      const next = newer(this.alerts, { version: m.alertsVersion, value: alerts, computedAt: m.computedAt });
      if (next !== this.alerts) this.skippedInHeldAlerts = skipped;
      this.alerts = next;
    }
    if (m.top) this.top = newer(this.top, { version: m.topVersion, value: m.top, computedAt: m.computedAt });
    if (this.earlier?.version !== m.earlierMinutesVersion) return { ok: false, problem: { kind: 'missing-part', part: 'earlierMinutes' } };
    if (this.alerts?.version !== m.alertsVersion) return { ok: false, problem: { kind: 'missing-part', part: 'alerts' } };
    if (this.top?.version !== m.topVersion) return { ok: false, problem: { kind: 'missing-part', part: 'top' } };
    const { currentMinute, earlierMinutesVersion: _e, earlierMinutes: _m, alertsVersion: _a, alerts: _l, topVersion: _t, top: _p, ...rest } = m;
    const series = currentMinute ? [...this.earlier.value, currentMinute] : this.earlier.value;
    return { ok: true, snapshot: { ...rest, series, alerts: this.alerts.value, top: this.top.value }, skippedAlerts: this.skippedInHeldAlerts };
  }

  /** forget what is held: the next message must carry every part (after a reconnection) */
  reset(): void {
    this.earlier = null;
    this.alerts = null;
    this.top = null;
    this.skippedInHeldAlerts = 0;
  }
}

function newer<T>(held: HeldPart<T> | null, incoming: HeldPart<T>): HeldPart<T> {
  return held && held.computedAt > incoming.computedAt ? held : incoming;
}

/** sent by the server before it disconnects a socket whose session or display token was revoked */
export const SIGNED_OUT_EVENT = 'pulse:signed_out';

/**
 * The server's reasons for refusing a connection (the connect_error message): asking again will
 * not change them, so the screen stops retrying and says so. Anything else is a network problem.
 */
export function socketRefusal(err: { message?: unknown } | null | undefined): 'unauthenticated' | 'forbidden' | null {
  const message = err?.message;
  return message === 'unauthenticated' || message === 'forbidden' ? message : null;
}
