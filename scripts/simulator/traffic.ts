import type { WireEvent } from '../../lib/events';
import { Actor, type ActorKind } from './actor';
import { FRAUD_PATTERNS, startPattern } from './fraud';
import { HOME_CITIES } from './geo';
import { MinHeap } from './heap';
import type { Random } from './random';
import { SESSION_MODEL, shoppingSession, type CanBuy } from './session';
import { UserPool } from './users';

export interface TrafficOptions {
  rng: Random;
  /** probability that a new actor is a fraud / high-value pattern instead of a normal session */
  fraud: number;
  /** target events per second: bounds how many sessions may run at once */
  rate: number;
  users: UserPool;
  newId: () => string;
  /** stock check for normal sessions' checkouts (see StockBook) */
  canBuy?: CanBuy;
}

/**
 * Many concurrent sessions, each waiting a think time between its events. The caller decides
 * how many events are due (rate control); `take` hands them out from the sessions that are
 * ready, earliest first, and starts new sessions when too few are ready. At a steady rate this
 * settles at about rate × mean think time concurrent sessions.
 */
export class Traffic {
  private readonly actors = new MinHeap<Actor>((a) => a.nextAt);
  private readonly busyUsers = new Set<string>();
  private readonly maxActors: number;
  readonly started: Record<ActorKind, number> = {
    session: 0, burst: 0, country_hop: 0, outsized_amount: 0, takeover: 0, high_value: 0,
  };

  constructor(private readonly o: TrafficOptions) {
    this.maxActors = Math.max(50, Math.ceil(o.rate * (SESSION_MODEL.thinkMaxMs / 1000) * 2));
  }

  get activeActors(): number {
    return this.actors.size;
  }

  take(now: number, count: number): WireEvent[] {
    const events: WireEvent[] = [];
    for (let i = 0; i < count; i++) {
      const top = this.actors.peek();
      const actor = top && (top.nextAt <= now || this.actors.size >= this.maxActors) ? this.actors.pop()! : this.spawn(now);
      events.push(actor.emit(now));
      if (actor.done) actor.reservedUsers.forEach((u) => this.busyUsers.delete(u));
      else this.actors.push(actor);
    }
    return events;
  }

  private spawn(now: number): Actor {
    const { rng } = this.o;
    // each actor draws from its own stream, so a seed reproduces every session in spawn order
    const own = rng.fork();
    const customer = this.o.users.pick(rng, this.busyUsers);
    const sessionId = () => `sess_${this.o.newId()}`;
    if (rng.chance(this.o.fraud)) {
      const kind = rng.pick(FRAUD_PATTERNS);
      const pattern = startPattern(kind, {
        rng: own,
        customer,
        newSessionId: sessionId,
        newCustomer: () => ({ id: `user_n${this.o.newId().toLowerCase()}`, home: own.weighted(HOME_CITIES, (c) => c.customers) }),
      });
      this.started[kind]++;
      pattern.users.forEach((u) => this.busyUsers.add(u));
      return new Actor(kind, pattern.script, now, this.o.newId, pattern.users);
    }
    this.started.session++;
    return new Actor('session', shoppingSession(own, customer, sessionId(), this.o.canBuy), now, this.o.newId);
  }
}
