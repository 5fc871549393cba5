import type { WireEvent } from '../../lib/events';
import { Actor, type ActorKind } from './actor';
import { startPattern, type FraudPattern } from './fraud';
import { FraudSchedule } from './fraudSchedule';
import { MinHeap } from './heap';
import type { Random } from './random';
import { SESSION_MODEL, shoppingSession, type CanBuy } from './session';
import type { UserPool } from './users';

export interface TrafficOptions {
  rng: Random;
  /** target events per second: bounds how many sessions may run at once */
  rate: number;
  /** scripted fraud and high-value patterns started per hour (fraudSchedule.ts) */
  patternsPerHour: number;
  /** when the run starts (the schedule's clock; simulated or real) */
  start: number;
  users: UserPool;
  newId: () => string;
  /** stock check for normal sessions' checkouts (see StockBook) */
  canBuy?: CanBuy;
  /** sees every event handed out, with what produced it (tests and summaries) */
  onEmit?: (kind: ActorKind, event: WireEvent) => void;
}

/**
 * Many concurrent sessions, each waiting a think time between its events. The caller decides
 * how many events are due (rate control); `take` hands them out from the sessions that are
 * ready, earliest first, and starts new sessions when too few are ready. At a steady rate this
 * settles at about rate × mean think time concurrent sessions. Fraud and high-value patterns are
 * not drawn per session: they start on their own schedule, a few times an hour.
 */
export class Traffic {
  private readonly actors = new MinHeap<Actor>((a) => a.nextAt);
  private readonly busyUsers = new Set<string>();
  private readonly maxActors: number;
  private readonly schedule: FraudSchedule;
  readonly started: Record<ActorKind, number> = {
    session: 0, burst: 0, country_hop: 0, outsized_amount: 0, takeover: 0, high_value: 0,
  };

  constructor(private readonly o: TrafficOptions) {
    this.maxActors = Math.max(50, Math.ceil(o.rate * (SESSION_MODEL.thinkMaxMs / 1000) * 2));
    this.schedule = new FraudSchedule(o.rng.fork(), o.patternsPerHour, o.start);
  }

  get activeActors(): number {
    return this.actors.size;
  }

  take(now: number, count: number): WireEvent[] {
    // a pattern that is due starts now; its events then count towards the rate like any other
    for (const kind of this.schedule.due(now)) this.actors.push(this.startPattern(kind, now));
    const events: WireEvent[] = [];
    for (let i = 0; i < count; i++) {
      const top = this.actors.peek();
      const actor = top && (top.nextAt <= now || this.actors.size >= this.maxActors) ? this.actors.pop()! : this.startSession(now);
      const event = actor.emit(now);
      this.o.onEmit?.(actor.kind, event);
      events.push(event);
      if (actor.done) actor.reservedUsers.forEach((u) => this.busyUsers.delete(u));
      else this.actors.push(actor);
    }
    return events;
  }

  private startSession(now: number): Actor {
    // each actor draws from its own stream, so a seed reproduces every session in start order
    const own = this.o.rng.fork();
    const customer = this.o.users.pick(this.o.rng, this.busyUsers);
    this.started.session++;
    return new Actor('session', shoppingSession(own, customer, `sess_${this.o.newId()}`, this.o.canBuy), now, this.o.newId);
  }

  private startPattern(kind: FraudPattern, now: number): Actor {
    const own = this.o.rng.fork();
    const pattern = startPattern(kind, {
      rng: own,
      customer: this.o.users.pick(this.o.rng, this.busyUsers),
      newSessionId: () => `sess_${this.o.newId()}`,
      newCustomer: () => this.o.users.create(`user_n${this.o.newId().toLowerCase()}`, own),
    });
    this.started[kind]++;
    pattern.users.forEach((u) => this.busyUsers.add(u));
    return new Actor(kind, pattern.script, now, this.o.newId, pattern.users);
  }
}
