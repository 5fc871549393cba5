import type { WireEvent } from '../../lib/events';
import type { Step } from './drafts';

/** Who produced an actor's events: a normal shopping session or one of the fraud patterns. */
export type ActorKind = 'session' | 'burst' | 'country_hop' | 'outsized_amount' | 'takeover' | 'high_value';

/**
 * A session (or scripted fraud pattern) progressing over time. Its script yields one planned
 * event at a time; the traffic model calls `emit` when the actor is due, in real time.
 */
export class Actor {
  nextAt: number;
  done = false;
  private pending: Step | null;

  constructor(
    readonly kind: ActorKind,
    private readonly script: Iterator<Step, void>,
    start: number,
    private readonly newId: () => string,
    /** users this actor speaks for, reserved so normal sessions do not blur a fraud pattern */
    readonly reservedUsers: readonly string[] = [],
  ) {
    this.pending = this.advance();
    this.nextAt = start + (this.pending?.delayMs ?? 0);
  }

  emit(now: number): WireEvent {
    const step = this.pending;
    if (!step) throw new Error('emit on a finished actor');
    const event: WireEvent = { event_id: this.newId(), timestamp: new Date(now).toISOString(), ...step.draft };
    this.pending = this.advance();
    if (this.pending) this.nextAt = now + this.pending.delayMs;
    return event;
  }

  private advance(): Step | null {
    const r = this.script.next();
    if (r.done) {
      this.done = true;
      return null;
    }
    return r.value;
  }
}

/** Runs an actor to completion on a simulated clock (tests, and anything offline). */
export function runToCompletion(actor: Actor): WireEvent[] {
  const events: WireEvent[] = [];
  while (!actor.done) events.push(actor.emit(actor.nextAt));
  return events;
}
