import type { Redis } from 'ioredis';
import { z } from 'zod';
import { log } from '@/server/log';
import type { RedisKeys } from '@/server/adapters/redis/keys';
import { eventRuleSpecSchema, severitySchema } from '@/lib/alerting';
import { lowStockLine, type CompiledEventRule, type EventRules, type RuleSource } from './eventRules';

/**
 * Event rules as data that can change while Pulse runs. The alert rules live in the database;
 * the process that owns it (a web process) publishes the enabled event rules here whenever it
 * loads them, and every process — workers have no database — picks them up within `refreshMs`,
 * at once where the store can notify. Until anything is published the reference rules with the
 * environment's thresholds apply. The fraud weights are changed through /api/rules.
 */
export const ruleChangeSchema = z
  .object({
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
  /** the enabled event rules as the database last published them (null: never published) */
  loadAlertRules(): Promise<CompiledEventRule[] | null>;
  saveAlertRules(rules: CompiledEventRule[]): Promise<void>;
  /** calls back when another process changed the rules (optional: polling covers it) */
  subscribe?(onChange: () => void): Promise<() => void>;
}

export class MemoryRuleStore implements RuleStore {
  private stored: RuleChange | null = null;
  private alertRules: CompiledEventRule[] | null = null;
  async loadAlertRules() {
    return this.alertRules;
  }
  async saveAlertRules(rules: CompiledEventRule[]) {
    this.alertRules = rules;
  }
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
  async loadAlertRules(): Promise<CompiledEventRule[] | null> {
    const json = await this.redis.hget(this.keys.rules, 'alert');
    if (json === null) return null;
    const parsed = compiledRulesSchema.safeParse(safeParse(json));
    if (!parsed.success) {
      log.warn('published alert rules do not parse; keeping the ones in force', { error: parsed.error.issues[0]?.message });
      throw new Error('unreadable alert rules');
    }
    return parsed.data;
  }
  async saveAlertRules(rules: CompiledEventRule[]): Promise<void> {
    const json = JSON.stringify(rules);
    // unchanged rules are not published again (every web process publishes what it loads)
    if ((await this.redis.hget(this.keys.rules, 'alert')) === json) return;
    await this.redis.multi().hset(this.keys.rules, 'alert', json).publish(this.keys.rulesChannel, '1').exec();
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
  private alertRules: CompiledEventRule[] | null = null;
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

  /**
   * the database's enabled event rules (the alert engine calls this whenever it loads them):
   * applied here at once and handed to every other process through the store
   */
  async publishAlertRules(rules: CompiledEventRule[]): Promise<void> {
    this.alertRules = rules;
    this.use(this.stored);
    await this.store.saveAlertRules(rules);
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
      const [stored, alertRules] = await Promise.all([this.store.load(), this.store.loadAlertRules()]);
      if (alertRules) this.alertRules = alertRules;
      this.use(stored);
    } catch (err) {
      // keep the rules in force; a store outage must not change what alerts fire
      log.warn('could not refresh the event rules; keeping the ones in force', { error: String(err) });
    }
  }

  private use(stored: RuleChange | null): void {
    this.stored = stored;
    const alertRules = this.alertRules ?? this.defaults.alertRules;
    this.rules = {
      alertRules,
      fraudWeights: { ...this.defaults.fraudWeights, ...(stored?.fraudWeights ?? {}) },
      lowStockAtOrBelow: lowStockLine(alertRules, this.defaults.lowStockAtOrBelow),
    };
  }
}

const compiledRulesSchema = z.array(
  z.object({
    id: z.string(),
    builtin: z.string().nullable(),
    name: z.string(),
    severity: severitySchema,
    version: z.number().int(),
    spec: eventRuleSpecSchema,
  }),
);

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
