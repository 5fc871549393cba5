/** Times on the admin page: the browser's own clock and zone (who did what, when, for a person at this desk). */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateTimeSeconds = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function when(iso: string | null, fallback = '—'): string {
  if (!iso) return fallback;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : dateTime.format(t);
}

export function whenExact(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : dateTimeSeconds.format(t);
}

/** a lock in the future, or nothing */
export function lockedUntil(iso: string | null, now: number): string | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) || t <= now ? null : dateTime.format(t);
}

export const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** a key's or token's first characters, marked as the start of something longer (once) */
export const withEllipsis = (prefix: string) => (prefix.endsWith('…') ? prefix : `${prefix}…`);
