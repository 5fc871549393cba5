import { randomBytes } from 'node:crypto';

/**
 * Server-assigned event ids for events sent without one: time-ordered, unique across processes
 * (a random per-process prefix) and cheap (no randomness per id).
 */
export function eventIdFactory(): () => string {
  const processTag = randomBytes(6).toString('hex');
  let counter = 0;
  let lastMs = 0;
  let prefix = '';
  return () => {
    const now = Date.now();
    if (now !== lastMs) {
      lastMs = now;
      prefix = `srv_${now.toString(36)}_${processTag}_`;
    }
    return prefix + (counter++).toString(36);
  };
}
