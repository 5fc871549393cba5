import type { LiveSnapshot, LiveWireSnapshot } from '@/lib/live';

const PARTS = ['earlierMinutes', 'alerts', 'top'] as const;
type Part = (typeof PARTS)[number];
type PartVersions = Record<Part, string>;

/**
 * Turns snapshots into socket `metrics` messages (lib/live.ts, liveWireSnapshotSchema).
 *
 * A part's version changes whenever its content differs from the previous snapshot encoded,
 * whichever path encoded it (a broadcast or one socket's first message): versions then follow
 * content in time order, so a client that holds the content of version v can trust any later
 * message naming v. Versions start with a per-process tag: a screen that reconnects to another
 * web process never mistakes that process's counter for its own.
 */
export class WireEncoder {
  private readonly tag = Math.random().toString(36).slice(2, 8);
  private counter = 0;
  private texts: PartVersions = { earlierMinutes: '', alerts: '', top: '' };
  private versions: PartVersions = { earlierMinutes: '', alerts: '', top: '' };
  /** the same snapshot object is often encoded twice (broadcast, then a joining socket) */
  private readonly known = new WeakMap<LiveSnapshot, PartVersions>();
  private lastBroadcast: PartVersions | null = null;

  /** the message for every socket: part contents only where they changed since the last one */
  forBroadcast(snap: LiveSnapshot): LiveWireSnapshot {
    const versions = this.versionsOf(snap);
    const previous = this.lastBroadcast;
    this.lastBroadcast = versions;
    return message(snap, versions, {
      earlierMinutes: previous?.earlierMinutes !== versions.earlierMinutes,
      alerts: previous?.alerts !== versions.alerts,
      top: previous?.top !== versions.top,
    });
  }

  /** the first message of one socket: every part */
  full(snap: LiveSnapshot): LiveWireSnapshot {
    return message(snap, this.versionsOf(snap), { earlierMinutes: true, alerts: true, top: true });
  }

  private versionsOf(snap: LiveSnapshot): PartVersions {
    const seen = this.known.get(snap);
    if (seen) return seen;
    // serialising ~60 small points and ≤ 20 alerts once per snapshot is cheap next to sending
    // them to every screen 20 times a second
    const texts: PartVersions = { earlierMinutes: JSON.stringify(earlierMinutes(snap)), alerts: JSON.stringify(snap.alerts), top: JSON.stringify(snap.top) };
    const versions: PartVersions = { ...this.versions };
    for (const part of PARTS) {
      if (texts[part] !== this.texts[part] || !versions[part]) versions[part] = `${this.tag}.${++this.counter}`;
    }
    this.texts = texts;
    this.versions = versions;
    this.known.set(snap, versions);
    return versions;
  }
}

const earlierMinutes = (snap: LiveSnapshot) => snap.series.slice(0, -1);

function message(snap: LiveSnapshot, versions: PartVersions, include: Record<Part, boolean>): LiveWireSnapshot {
  const { series, alerts, top, ...rest } = snap;
  return {
    ...rest,
    currentMinute: series.length ? series[series.length - 1] : null,
    earlierMinutesVersion: versions.earlierMinutes,
    ...(include.earlierMinutes ? { earlierMinutes: earlierMinutes(snap) } : {}),
    alertsVersion: versions.alerts,
    ...(include.alerts ? { alerts } : {}),
    topVersion: versions.top,
    ...(include.top ? { top } : {}),
  };
}
