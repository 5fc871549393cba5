import type { PulseEvent } from '@/lib/events';
import type { LogBatch, LogRecord } from '@/server/ports';

let seq = 0;

/** A normalised event for unit tests; fields not given are empty. */
export function ev(partial: Partial<PulseEvent> & { ts: number; userId: string; type: string }): PulseEvent {
  return {
    eventId: `e${++seq}`,
    clientId: true,
    sessionId: null,
    amountCents: null,
    currency: null,
    productId: null,
    quantity: null,
    priceCents: null,
    page: null,
    category: null,
    items: [],
    location: null,
    properties: {},
    receivedAt: partial.ts,
    ...partial,
  };
}

export function records(events: PulseEvent[]): LogRecord[] {
  return events.map((event, i) => ({ offset: String(i), event, appendedAt: event.receivedAt }));
}

let batchSeq = 0;

/** one log delivery of the given events */
export function batchOf(events: PulseEvent[], deliveries = 1): LogBatch {
  return { entries: [{ id: `b${++batchSeq}`, records: records(events), deliveries }] };
}
