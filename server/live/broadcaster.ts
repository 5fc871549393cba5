import type { Server } from 'socket.io';
import type { Alert, LiveSnapshot } from '@/lib/live';
import { SOCKET_EVENTS } from '@/lib/live';
import { log } from '@/server/log';

/**
 * Pushes coalesced snapshots to every socket: at most one per `minIntervalMs` while events flow
 * (never one per event), and a heartbeat snapshot every `heartbeatMs` so idle screens can still
 * tell how fresh they are. A socket that connects gets the current snapshot at once.
 */
export class SnapshotBroadcaster {
  private timer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private lastSentAt = 0;
  private computing = false;
  private dirtyAgain = false;
  private latest: LiveSnapshot | null = null;
  private closed = false;

  constructor(
    private readonly io: Server,
    private readonly compute: () => Promise<LiveSnapshot>,
    private readonly opts: { minIntervalMs: number; heartbeatMs: number },
  ) {
    io.on('connection', (socket) => {
      void this.current().then((snap) => socket.emit(SOCKET_EVENTS.metrics, snap)).catch(() => {});
    });
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastSentAt >= opts.heartbeatMs - 5) this.markDirty();
    }, Math.max(100, Math.floor(opts.heartbeatMs / 2)));
    this.heartbeat.unref();
  }

  /** the state changed: schedule a snapshot, coalescing with any already scheduled */
  markDirty(): void {
    if (this.closed) return;
    if (this.computing) {
      this.dirtyAgain = true;
      return;
    }
    if (this.timer) return;
    const wait = Math.max(0, this.lastSentAt + this.opts.minIntervalMs - Date.now());
    this.timer = setTimeout(() => void this.send(), wait);
  }

  /** state changed outside the pipeline: forget the cached snapshot and push a new one */
  invalidate(): void {
    this.latest = null;
    this.markDirty();
  }

  alert(alert: Alert): void {
    if (!this.closed) this.io.emit(SOCKET_EVENTS.alert, alert);
  }

  /** the last snapshot sent, or a fresh one when it is older than the interval */
  async current(): Promise<LiveSnapshot> {
    if (this.latest && Date.now() - this.latest.computedAt < this.opts.minIntervalMs) return this.latest;
    const snap = await this.compute();
    this.latest = snap;
    return snap;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.timer = null;
    this.heartbeat = null;
  }

  private async send(): Promise<void> {
    this.timer = null;
    // nobody is watching this process: skip the work (GET /api/metrics/live computes on demand)
    if (this.io.engine && this.io.engine.clientsCount === 0) {
      this.latest = null;
      return;
    }
    this.computing = true;
    try {
      const snap = await this.compute();
      this.latest = snap;
      this.lastSentAt = Date.now();
      if (!this.closed) this.io.emit(SOCKET_EVENTS.metrics, snap);
    } catch (err) {
      log.error('snapshot failed', { error: String(err) });
    } finally {
      this.computing = false;
      if (this.dirtyAgain) {
        this.dirtyAgain = false;
        this.markDirty();
      }
    }
  }
}
