/**
 * Paths of the per-user and per-session pages. Ids are the client's data (`a/b`, `__proto__`,
 * `50%`): one path segment each, percent-encoded, decoded once by the page.
 */
export const userHref = (userId: string): string => `/users/${encodeURIComponent(userId)}`;
export const sessionHref = (sessionId: string): string => `/sessions/${encodeURIComponent(sessionId)}`;

/**
 * The id from a page's `[id]` segment. Next hands the segment over as it appears in the URL,
 * still percent-encoded; it is decoded exactly once here (a second decode would turn an id
 * spelled `ü%20x` into `ü x`). A segment that is not valid percent-encoding is shown as typed.
 */
export function idFromSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
