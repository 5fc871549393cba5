import { z } from 'zod';

/**
 * The one message a supervised child sends its supervisor over the IPC channel: it is listening
 * (and where). The supervisor uses it to tell a start-up failure from a crash of a running
 * process, and logs the address of each processing process's health endpoint.
 */
export const readyMessageSchema = z.object({
  type: z.literal('pulse:ready'),
  role: z.enum(['web', 'worker', 'all']),
  url: z.string(),
});

export type ReadyMessage = z.infer<typeof readyMessageSchema>;

/** the exit code of a process that refused its configuration (the message names the variable) */
export const EXIT_CONFIG = 2;
