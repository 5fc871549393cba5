import { z } from 'zod';

/**
 * `GET /api/pipeline/history`: the pipeline's last hour as this web process sampled it
 * (server/live/pipelineHistory.ts), for the charts of the pipeline page. Shared by the server,
 * which builds the body, and the page, which parses it; nothing here may need the server.
 */

const rate = z.number().nonnegative();
const count = z.number().int().nonnegative();

export const pipelineHistorySampleSchema = z.object({
  /** when the sample was taken (epoch ms) */
  at: z.number(),
  /**
   * events accepted at ingest per second since the previous sample; null for the first sample
   * after sampling began (there is nothing to take a difference from)
   */
  acceptedPerSecond: rate.nullable(),
  /** events the live consumer applied per second since the previous sample; null as above */
  processedPerSecond: rate.nullable(),
  /** consumer → events appended to the log and not yet checkpointed by it, at `at` */
  backlog: z.record(z.string(), count),
  /**
   * processing lag (receive → applied) of recently processed events; null when no event was
   * processed since the previous sample, or none has been yet
   */
  lagMsP50: z.number().nonnegative().nullable(),
  lagMsP99: z.number().nonnegative().nullable(),
  /** events rejected at ingest since the previous sample; null for the first sample */
  rejected: count.nullable(),
  /** dead letters waiting (not replayed or discarded) at `at` */
  deadLetters: count,
});
export type PipelineHistorySample = z.infer<typeof pipelineHistorySampleSchema>;

export const pipelineHistorySchema = z.object({
  /** the time between two samples the server aims at */
  intervalMs: z.number().int().positive(),
  /**
   * when this process began sampling (its start): no sample is older, so a chart whose hour
   * reaches back before it says "history since …" rather than showing an empty start as zero
   */
  since: z.number(),
  /** oldest first, at most an hour of them */
  samples: z.array(pipelineHistorySampleSchema),
});
export type PipelineHistory = z.infer<typeof pipelineHistorySchema>;
