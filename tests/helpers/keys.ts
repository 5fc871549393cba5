/** Keys the test servers are started with (long enough for the 16-character minimum). */
export const TEST_KEY = 'test-ingest-key-0123456789';
