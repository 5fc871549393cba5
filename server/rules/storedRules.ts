import type { Redis } from 'ioredis';
import { z } from 'zod';
import { log } from '@/server/log';
import type { RedisKeys } from '@/server/adapters/redis/keys';
import type { EventRules, RuleSource } from './eventRules';

/**
 * Event rules as data that can change while Pulse runs: environment values are the defaults, an
 * admin's change is stored (shared by every process in single-node mode) and every process picks
 * it up within `refreshMs` — at once where the store can notify. The alerting issue replaces the
 * store with the database's rule table behind the same RuleSource.
 */
export const ruleChangeSchema = z
  .object({
    fraudScoreAbove: z.number({ error: 'must be a number' }).min(0, { error: 'must be between 0 and 1' }).max(1, { error: 'must be between 0 and 1' }),
    highValueAboveMinor: z.number({ error: 'must be a number' }).int({ error: 'must be whole cents' }).min(0, { error: 'must not be negative' }).max(1e11, { error: 'must be at most 100,000,000,000' }),
    lowStockAtOrBelow: z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(0, { error: 'must not be negative' }).max(1_000_000, { error: 'must be at most 1,000,000' }),
    fraudWeights: z
      .object({
        amount: z.number().min(0).max(1),
        velocity: z.number().min(0).max(1),
        location: z.number().min(0).max(1),
      })
      .strict(),
  })
  .partial()
  .strict();
export type RuleChange = z.infer<typeof ruleChangeSchema>;

/** Where stored rule overrides live. */
export interface RuleStore {
  load(): Promise<RuleChange | null>;
  save(rules: RuleChange): Promise<void>;
  /** calls back when another process changed the rules (optional: polling covers it) */
  subscribe?(onChange: () => void): Promise<() => void>;
}

export class MemoryRuleStore implements RuleStore {
  private stored: RuleChange | null = null;
  async load() {
    return this.stored;
  }
  async save(rules: RuleChange) {
    this.stored = rules;
  }
}

export class RedisRuleStore implements RuleStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    /** a connection for SUBSCRIBE (it cannot run other commands) */
    private readonly subscriber?: Redis,
  ) {}
  async load(): Promise<RuleChange | null> {
    const json = await this.redis.hget(this.keys.rules, 'event');
    if (json === null) return null;
    const parsed = ruleChangeSchema.safeParse(JSON.parse(json));
    if (!parsed.success) {
      log.warn('stored event rules do not parse; using the environment defaults', { error: parsed.error.issues[0]?.message });
      return null;
    }
    return parsed.data;
  }
  async save(rules: RuleChange): Promise<void> {
    await this.redis.multi().hset(this.keys.rules, 'event', JSON.stringify(rules)).publish(this.keys.rulesChannel, '1').exec();
  }
  async subscribe(onChange: () => void): Promise<() => void> {
    const sub = this.subscriber;
    if (!sub) return () => {};
    await sub.subscribe(this.keys.rulesChannel);
    const listener = (channel: string) => channel === this.keys.rulesChannel && onChange();
    sub.on('message', listener);
    return () => sub.off('message', listener);
  }
}

export class StoredRuleSource implements RuleSource {
  private rules: EventRules;
  private stored: RuleChange | null = null;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly defaults: EventRules,
    private readonly store: RuleStore,
    private readonly opts: { refreshMs: number },
  ) {
    this.rules = defaults;
  }

  /** loads what is stored and keeps it fresh */
  async start(): Promise<void> {
    await this.refresh();
    this.unsubscribe = (await this.store.subscribe?.(() => void this.refresh())) ?? null;
    this.timer = setInterval(() => void this.refresh(), this.opts.refreshMs);
    this.timer.unref();
  }

  current(): EventRules {
    return this.rules;
  }

  /** the defaults, what is stored over them, and the result */
  describe(): { defaults: EventRules; stored: RuleChange | null; inForce: EventRules } {
    return { defaults: this.defaults, stored: this.stored, inForce: this.rules };
  }

  /** stores a change (merged over the stored overrides) and applies it in this process at once */
  async change(change: RuleChange): Promise<EventRules> {
    const next = { ...(this.stored ?? {}), ...change };
    await this.store.save(next);
    this.use(next);
    return this.rules;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
  }

  private async refresh(): Promise<void> {
    try {
      this.use(await this.store.load());
    } catch (err) {
      // keep the rules in force; a store outage must not change what alerts fire
      log.warn('could not refresh the event rules; keeping the ones in force', { error: String(err) });
    }
  }

  private use(stored: RuleChange | null): void {
    this.stored = stored;
    this.rules = { ...this.defaults, ...(stored ?? {}), fraudWeights: { ...this.defaults.fraudWeights, ...(stored?.fraudWeights ?? {}) } };
  }
}
