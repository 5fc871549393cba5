import type { LiveSnapshot, LiveWireSnapshot } from '@/lib/live';

interface PartVersions {
  earlierMinutes: string;
  alerts: string;
}

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
  private texts = { earlierMinutes: '', alerts: '' };
  private versions: PartVersions = { earlierMinutes: '', alerts: '' };
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
    });
  }

  /** the first message of one socket: every part */
  full(snap: LiveSnapshot): LiveWireSnapshot {
    return message(snap, this.versionsOf(snap), { earlierMinutes: true, alerts: true });
  }

  private versionsOf(snap: LiveSnapshot): PartVersions {
    const seen = this.known.get(snap);
    if (seen) return seen;
    // serialising ~60 small points and ≤ 20 alerts once per snapshot is cheap next to sending
    // them to every screen 20 times a second
    const texts = { earlierMinutes: JSON.stringify(earlierMinutes(snap)), alerts: JSON.stringify(snap.alerts) };
    const versions: PartVersions = { ...this.versions };
    for (const part of ['earlierMinutes', 'alerts'] as const) {
      if (texts[part] !== this.texts[part] || !versions[part]) versions[part] = `${this.tag}.${++this.counter}`;
    }
    this.texts = texts;
    this.versions = versions;
    this.known.set(snap, versions);
    return versions;
  }
}

const earlierMinutes = (snap: LiveSnapshot) => snap.series.slice(0, -1);

function message(snap: LiveSnapshot, versions: PartVersions, include: { earlierMinutes: boolean; alerts: boolean }): LiveWireSnapshot {
  const { series, alerts, ...rest } = snap;
  return {
    ...rest,
    currentMinute: series.length ? series[series.length - 1] : null,
    earlierMinutesVersion: versions.earlierMinutes,
    ...(include.earlierMinutes ? { earlierMinutes: earlierMinutes(snap) } : {}),
    alertsVersion: versions.alerts,
    ...(include.alerts ? { alerts } : {}),
  };
}
