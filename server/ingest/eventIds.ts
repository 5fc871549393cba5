import { randomBytes } from 'node:crypto';

/**
 * Server-assigned event ids for events sent without one: time-ordered, unique across processes
 * (a random per-process prefix) and cheap (no randomness per id).
 */
export function eventIdFactory(): () => string {
  const processTag = randomBytes(6).toString('hex');
  let counter = 0;
  return () => `srv_${Date.now().toString(36)}_${processTag}_${(counter++).toString(36)}`;
}
