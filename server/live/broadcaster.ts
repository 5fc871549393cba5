import type { Server, Socket } from 'socket.io';
import type { Alert, LiveSnapshot } from '@/lib/live';
import { SOCKET_EVENTS } from '@/lib/live';
import { log } from '@/server/log';
import { WireEncoder } from './wireEncoder';

interface Computation {
  promise: Promise<LiveSnapshot>;
  /** the change count when it started: it includes every change marked before */
  changes: number;
  generation: number;
}

/**
 * Pushes coalesced snapshots to every socket: at most one per `minIntervalMs` while events flow
 * (never one per event), and a heartbeat snapshot every `heartbeatMs` so idle screens can still
 * tell how fresh they are. A socket that connects gets the current snapshot at once.
 *
 * Every reader shares one computation: broadcasts, joining sockets, GET /api/metrics/live and
 * /metrics. At most one runs at a time and concurrent callers wait for it, so 100 parallel
 * readers cost one snapshot, not 100 (a Redis snapshot can take 200 ms).
 */
export class SnapshotBroadcaster {
  private timer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private lastSentAt = 0;
  private sending = false;
  private dirtyAgain = false;
  private closed = false;
  /** bumped by markDirty: a broadcast needs a snapshot computed after the newest change */
  private changes = 0;
  /** bumped by invalidate: nothing computed before may be served after */
  private generation = 0;
  private latest: { snap: LiveSnapshot; changes: number; generation: number; reuseUntil: number } | null = null;
  private inflight: Computation | null = null;
  private readonly wire = new WireEncoder();
  private lastBroadcast: { snap: LiveSnapshot; changes: number; generation: number } | null = null;
  /** sockets that connected since the last broadcast and still need every part */
  private readonly joining = new Set<Socket>();

  constructor(
    private readonly io: Server,
    private readonly compute: () => Promise<LiveSnapshot>,
    private readonly opts: { minIntervalMs: number; heartbeatMs: number },
  ) {
    io.on('connection', (socket) => {
      // The newest broadcast, when it is current, goes out at once: anything broadcast later
      // reaches this socket after it, in order. Otherwise the socket gets its full message in
      // the next broadcast, sent in the same tick; a snapshot computed just for it could race a
      // broadcast and arrive after a newer one.
      const recent = this.lastBroadcast;
      if (recent && recent.changes >= this.changes && recent.generation === this.generation && Date.now() - this.lastSentAt < opts.heartbeatMs * 2) {
        socket.emit(SOCKET_EVENTS.metrics, this.wire.full(recent.snap));
        return;
      }
      this.joining.add(socket);
      socket.once('disconnect', () => this.joining.delete(socket));
      this.markDirty();
    });
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastSentAt >= opts.heartbeatMs - 5) this.markDirty();
    }, Math.max(100, Math.floor(opts.heartbeatMs / 2)));
    this.heartbeat.unref();
  }

  /** the state changed: schedule a snapshot, coalescing with any already scheduled */
  markDirty(): void {
    if (this.closed) return;
    this.changes++;
    if (this.sending) {
      this.dirtyAgain = true;
      return;
    }
    if (this.timer) return;
    const wait = Math.max(0, this.lastSentAt + this.opts.minIntervalMs - Date.now());
    this.timer = setTimeout(() => void this.send(), wait);
  }

  /** state changed outside the pipeline: forget the cached snapshot and push a new one */
  invalidate(): void {
    this.generation++;
    this.latest = null;
    this.markDirty();
  }

  alert(alert: Alert): void {
    // local: with the Redis adapter every web process receives each alert itself (pub/sub);
    // a cluster-wide emit would reach every screen once per web process
    if (!this.closed) this.io.local.emit(SOCKET_EVENTS.alert, alert);
  }

  /**
   * A snapshot at most one interval old (or as old as the last computation took, when that
   * was longer: readers never keep the store computing back to back).
   */
  current(): Promise<LiveSnapshot> {
    const l = this.latest;
    if (l && l.generation === this.generation && Date.now() < l.reuseUntil) return Promise.resolve(l.snap);
    return this.snapshotIncluding(0);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.timer = null;
    this.heartbeat = null;
  }

  /** a snapshot that includes every change up to `changes`, joining a computation when one does */
  private async snapshotIncluding(changes: number): Promise<LiveSnapshot> {
    for (;;) {
      const running = this.inflight;
      if (!running) return this.start().promise;
      if (running.changes >= changes && running.generation === this.generation) return running.promise;
      // it started before the change we need: let it finish (one computation at a time)
      await running.promise.catch(() => undefined);
    }
  }

  private start(): Computation {
    const startedAt = Date.now();
    const c: Computation = { promise: this.compute(), changes: this.changes, generation: this.generation };
    this.inflight = c;
    c.promise.then(
      (snap) => {
        if (this.inflight === c) this.inflight = null;
        if (c.generation !== this.generation) return;
        const took = Date.now() - startedAt;
        this.latest = { snap, changes: c.changes, generation: c.generation, reuseUntil: Date.now() + Math.max(this.opts.minIntervalMs - took, took) };
      },
      () => {
        if (this.inflight === c) this.inflight = null;
      },
    );
    return c;
  }

  private async send(): Promise<void> {
    this.timer = null;
    // nobody is watching this process: skip the work (GET /api/metrics/live computes on demand)
    if (this.io.engine && this.io.engine.clientsCount === 0) return;
    this.sending = true;
    try {
      const l = this.latest;
      const changes = this.changes;
      const generation = this.generation;
      const snap = l && l.changes >= changes && l.generation === generation ? l.snap : await this.snapshotIncluding(changes);
      this.lastSentAt = Date.now();
      if (!this.closed) {
        this.lastBroadcast = { snap, changes, generation };
        const joining = [...this.joining];
        this.joining.clear();
        // one encoding for all sockets: socket.io serialises a broadcast once and writes the
        // same WebSocket frame to each; local because each web process feeds its own sockets
        this.io.local.except(joining.map((j) => j.id)).emit(SOCKET_EVENTS.metrics, this.wire.forBroadcast(snap));
        if (joining.length) {
          const full = this.wire.full(snap);
          for (const socket of joining) if (socket.connected) socket.emit(SOCKET_EVENTS.metrics, full);
        }
      }
    } catch (err) {
      log.error('snapshot failed', { error: String(err) });
    } finally {
      this.sending = false;
      if (this.dirtyAgain) {
        this.dirtyAgain = false;
        this.markDirty();
      }
    }
  }
}
