import type { PulseEvent } from '@/lib/events';
import type { LogEntry } from '@/server/ports';
import { entryId } from '@/server/log/partition';

/**
 * Events as stored in a stream entry: a positional tuple rather than an object, which halves
 * the JSON the web process writes and the worker parses (no repeated field names, no nulls
 * spelled out). Decoding also accepts the plain object form.
 */
type Tuple = [
  eventId: string,
  clientId: 0 | 1,
  ts: number,
  userId: string,
  sessionId: string | 0,
  type: string,
  amountMinor: number | 0 | null,
  currency: string | 0,
  productId: string | 0,
  quantity: number | 0 | null,
  priceMinor: number | null,
  page: string | 0,
  category: string | 0,
  items: [string, number, number | null][] | 0 | null,
  location: [string | null, number | null, number | null] | 0,
  properties: Record<string, unknown>,
  receivedAt: number,
];

export function encodeEvent(e: PulseEvent): string {
  const t: Tuple = [
    e.eventId,
    e.clientId ? 1 : 0,
    e.ts,
    e.userId,
    e.sessionId ?? 0,
    e.type,
    e.amountMinor,
    e.currency ?? 0,
    e.productId ?? 0,
    e.quantity,
    e.priceMinor,
    e.page ?? 0,
    e.category ?? 0,
    // a record that is not well formed is stored as it is, so processing can set it aside
    e.items == null ? null : e.items.length ? e.items.map((i) => [i.productId, i.quantity, i.priceMinor]) : 0,
    e.location ? [e.location.country, e.location.lat, e.location.lon] : 0,
    e.properties,
    e.receivedAt,
  ];
  return JSON.stringify(t);
}

const str = (v: string | 0): string | null => (v === 0 ? null : v);

/** throws when the value is neither form of an accepted event */
export function decodeEvent(v: unknown): PulseEvent {
  if (Array.isArray(v)) {
    const t = v as Tuple;
    if (t.length !== 17 || typeof t[0] !== 'string' || typeof t[2] !== 'number' || typeof t[3] !== 'string' || typeof t[5] !== 'string') {
      throw new Error('entry holds a record that is not an accepted event');
    }
    return {
      eventId: t[0],
      clientId: t[1] === 1,
      ts: t[2],
      userId: t[3],
      sessionId: str(t[4]),
      type: t[5],
      amountMinor: t[6],
      currency: str(t[7]),
      productId: str(t[8]),
      quantity: t[9],
      priceMinor: t[10],
      page: str(t[11]),
      category: str(t[12]),
      items: t[13] === 0 ? [] : t[13] === null ? (null as never) : t[13].map(([productId, quantity, priceMinor]) => ({ productId, quantity, priceMinor })),
      location: t[14] === 0 ? null : { country: t[14][0], lat: t[14][1], lon: t[14][2] },
      properties: t[15],
      receivedAt: t[16],
    };
  }
  const e = v as PulseEvent;
  if (typeof e?.eventId !== 'string' || typeof e.ts !== 'number' || typeof e.userId !== 'string' || typeof e.type !== 'string') {
    throw new Error('entry holds a record that is not an accepted event');
  }
  return e;
}

// ───────────────────────────── stream entries ─────────────────────────────

/** the format of the stream entries this build writes (field `v`); any other is refused */
export const ENTRY_FORMAT = '1';

/** a stream entry as XREAD / XRANGE return it */
export type StreamEntry = [id: string, fields: string[]];

/**
 * Turns one stream entry of partition `partition` into a LogEntry. The stream id is
 * `<offset of the entry's last event>-0`. `prevOffset` is the entry's own count of events
 * below its offset when it decodes; for an entry that does not, it is the offset of the entry
 * read before it (`previous`), which is exact while the partition is contiguous. An unknown
 * format or an undecodable payload comes back as `malformed` (never thrown) with the offsets
 * kept, so a consumer can set it aside and read on.
 */
export function decodeStreamEntry(partition: number, [id, flat]: StreamEntry, previous: number): LogEntry {
  const offset = Number(id.slice(0, id.indexOf('-')));
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i], flat[i + 1]);
  const appendedAt = Number(fields.get('t'));
  const base = { partition, offset, id: entryId(partition, offset), appendedAt: Number.isFinite(appendedAt) ? appendedAt : 0 };
  const malformed = (error: string): LogEntry => ({
    ...base,
    prevOffset: Math.min(previous, offset),
    records: [],
    malformed: { error, raw: JSON.stringify(Object.fromEntries(fields)) },
  });
  const version = fields.get('v');
  if (version === undefined) return malformed('log entry has no format version (field v)');
  if (version !== ENTRY_FORMAT) return malformed(`log entry has format version ${JSON.stringify(version)}; this build reads version ${ENTRY_FORMAT}`);
  if (!Number.isFinite(appendedAt)) return malformed('log entry has no valid append time (field t)');
  let stored: unknown;
  try {
    stored = JSON.parse(fields.get('e') ?? '');
  } catch (err) {
    return malformed(`log entry payload is not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(stored) || stored.length === 0) return malformed('log entry payload is not a non-empty list of events');
  if (stored.length > offset) return malformed(`log entry holds ${stored.length} events but ends at offset ${offset}`);
  let events: PulseEvent[];
  try {
    events = stored.map(decodeEvent);
  } catch (err) {
    return malformed(`undecodable log entry: ${(err as Error).message}`);
  }
  const prevOffset = offset - events.length;
  return { ...base, prevOffset, records: events.map((event, i) => ({ offset: prevOffset + i + 1, event, appendedAt })) };
}
