/** Keys the test servers are started with (long enough for the 16-character minimum). */
/** a publishable key (INGEST_API_KEYS): may only send events */
export const TEST_KEY = 'test-ingest-key-0123456789';
/** a secret key (ADMIN_API_KEYS): may send events and read everything (metrics, analytics, history, pipeline, rules) */
export const TEST_SECRET_KEY = 'test-secret-key-0123456789';

/** the Authorization header of the secret key, for reading endpoints */
export const authHeaders: Readonly<Record<string, string>> = Object.freeze({ authorization: `Bearer ${TEST_SECRET_KEY}` });

/** GET with the secret key (extra headers win) */
export function authedFetch(url: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
  return fetch(url, { ...init, headers: { ...authHeaders, ...init.headers } });
}
