import type { PulseEvent } from '@/lib/events';

let seq = 0;

/** A normalised event for unit tests; fields not given are empty. */
export function ev(partial: Partial<PulseEvent> & { ts: number; userId: string; type: string }): PulseEvent {
  return {
    eventId: `e${++seq}`,
    clientId: true,
    sessionId: null,
    amountMinor: null,
    currency: null,
    productId: null,
    quantity: null,
    priceMinor: null,
    page: null,
    category: null,
    items: [],
    location: null,
    properties: {},
    receivedAt: partial.ts,
    ...partial,
  };
}
