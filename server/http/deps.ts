import type { PulseEvent } from '@/lib/events';
import type { LiveSnapshot } from '@/lib/live';
import type { PipelineHistorySample } from '@/lib/pipelineHistory';
import type { Config } from '@/server/config';
import type { AppendOptions, AppendResult, DeadLetterStore, SessionAggregates, UserAnalytics } from '@/server/ports';
import type { HistoryService } from '@/server/history/service';
import type { Auth } from '@/server/auth/createAuth';
import type { Authorize } from './authorize';
import type { RawHandler } from './router';
import type { RulesDeps } from './rules';

/**
 * Everything the HTTP handlers reach, and nothing more: app.ts supplies it from the adapters,
 * the pipeline stats and the broadcaster. Handlers never see a store or the log directly, so
 * they test against a plain object and survive the pipeline being rewired underneath.
 */
export interface HttpDeps extends RulesDeps {
  config: Pick<Config, 'PULSE_ROLE' | 'NODE_ENV' | 'TRUST_PROXY' | 'CORS_ALLOWED_ORIGINS' | 'INGEST_MAX_BODY_BYTES' | 'INGEST_MAX_BATCH' | 'PIPELINE_MAX_BACKLOG' | 'SHOP_CURRENCY' | 'MASK_PROPERTY_KEYS'>;
  /** the one permission check every route uses */
  authorize: Authorize;
  /** sign-in, keys, display tokens and the audit log (web processes; a worker has no database) */
  auth: Auth | null;
  /** stores accepted events on the log (deduplicating client event ids); may report backpressure */
  appendEvents(events: PulseEvent[], opts: AppendOptions): Promise<AppendResult>;
  /** counts one ingest request's outcome */
  recordIngest(accepted: number, duplicates: number, rejected: number): void;
  /** the current live snapshot (shared with the sockets) */
  liveSnapshot(): Promise<LiveSnapshot>;
  /** `ok: false` answers 503; `body` is sent as it is */
  health(): Promise<{ ok: boolean; body: unknown }>;
  /** the Prometheus text exposition */
  prometheus(): Promise<string>;
  /** the pipeline's last hour as this process sampled it; absent where nothing samples (no route then) */
  pipelineHistory?(): { intervalMs: number; since: number; samples: PipelineHistorySample[] };
  userAnalytics(userId: string): Promise<UserAnalytics | null>;
  sessionAggregates(sessionId: string): Promise<SessionAggregates | null>;
  setStock(productId: string, stock: number): Promise<void>;
  deadLetters: DeadLetterStore;
  /** puts a replayed dead letter's event back on the log, bypassing the duplicate check */
  reappend(event: PulseEvent): Promise<void>;
  /** stock or dead letters changed: screens should get a fresh snapshot */
  onStateChanged(): void;
  /** the historical views over the lake (GET /api/history…); absent: no such routes */
  history?: HistoryService;
  /** renders every path no route matches (Next); without it they get a JSON 404 */
  next?: RawHandler;
  now?: () => number;
}
