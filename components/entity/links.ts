/**
 * Paths of the per-user and per-session pages. Ids are the client's data (`a/b`, `__proto__`,
 * `50%`): one path segment each, percent-encoded, decoded once by the page.
 */
export const userHref = (userId: string): string => `/users/${encodeURIComponent(userId)}`;
export const sessionHref = (sessionId: string): string => `/sessions/${encodeURIComponent(sessionId)}`;
